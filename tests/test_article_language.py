"""The article formats (Markdown, LaTeX, Typst, HTML) in German, French and Spanish.

Every sentence of an article comes from the message catalog (derive/prose.py), so a
translated article must not keep any English sentence: the English text of every message
of the catalog template (its words between the fields, three words or more) is looked
for in each format, for networks that between them reach every kind of sentence (one
sample with fixed biases; a batch with a softmax output and updated biases; a tanh net
with a hidden layer of its own; a net whose hidden neuron is saturated). Every article is
rendered with a training run of 1,200 steps, so the training section (and its step counts,
grouped by thousands) is searched too. And `derive check` still reads a translated
Markdown article as right.
"""

from __future__ import annotations

import re
import string
from functools import cache

import pytest
from babel.messages.pofile import read_po

import derive
from derive.check import check_text
from derive.messages import locale_dir

FORMATS = ("md", "tex", "typst", "html")
LANGS = ("de", "fr", "es")
#: between them, every kind of article sentence: fixed and updated biases, one sample and
#: a batch, sigmoid, tanh, ReLU and softmax outputs, a sum and a mean over the batch
NETWORKS = {
    "mazur": "mazur",
    "russo": "russo",
    "softmax": "softmax",
    "batch-relu": {
        "layers": [2, 3, 2],
        "activation": ["relu", "sigmoid"],
        "loss": "sse",
        "learning_rate": 0.1,
        "update_biases": True,
        "batch": "sum",
        "samples": [
            {"inputs": [0.3, -0.2], "targets": [0.1, 0.9]},
            {"inputs": [-0.4, 0.6], "targets": [0.7, 0.2]},
        ],
        "weights": [[[0.2, -0.5], [0.6, 0.1], [-0.3, 0.8]], [[0.4, -0.2, 0.7], [-0.6, 0.3, 0.5]]],
        "bias": "per_neuron",
        "biases": [[0.05, -0.1, 0.2], [0.0, 0.15]],
    },
    # large weights into the first hidden neuron: net = 40, σ(40) = 1 − 4·10⁻¹⁸, saturated
    "saturated": {
        "title": "Saturated",
        "layers": [2, 2, 1],
        "activation": "sigmoid",
        "loss": "half_sse",
        "learning_rate": 0.5,
        "samples": [{"inputs": [1.0, 0.5], "targets": [0.2]}],
        "weights": [[[30.0, 20.0], [-0.3, 0.4]], [[0.6, -0.5]]],
        "bias": "none",
    },
}
#: a training run long enough for a step count with a thousands separator
STEPS = 1200


def _english_phrases() -> list[str]:
    """The literal runs of every English message with three words or more."""
    with (locale_dir() / "derive.pot").open("rb") as pot:
        catalog = read_po(pot)
    phrases = set()
    for message in catalog:
        if not message.id:
            continue
        for literal, *_ in string.Formatter().parse(message.id):
            run = literal.strip(" :;,.()")
            if len(re.findall(r"[A-Za-z]+", run)) >= 3:
                phrases.add(run)
    return sorted(phrases)


PHRASES = _english_phrases()


def _spec(name: str):
    source = NETWORKS[name]
    return source if isinstance(source, str) else derive.spec_from_mapping(source)


@pytest.fixture(scope="module", params=list(NETWORKS))
def network(request):
    return request.param


def test_the_phrases_are_the_articles_sentences():
    """The search looks for real sentences (not an empty list that always passes)."""
    assert len(PHRASES) > 80
    assert "By the chain rule" in PHRASES
    english = derive.explain("mazur").render("md")
    assert sum(phrase in english for phrase in PHRASES) > 25


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("fmt", FORMATS)
def test_a_translated_article_keeps_no_english_sentence(network, fmt, lang):
    text = _walkthrough(network, lang).render(fmt)
    left = [phrase for phrase in PHRASES if phrase in text]
    assert not left, (network, fmt, lang, left)


@cache
def _walkthrough(network: str, lang: str):
    return derive.explain(_spec(network), lang=lang, steps=STEPS)


def test_the_networks_reach_the_training_section_and_the_saturation_note():
    """The search covers the training run's sentences and the saturated-neuron note."""
    english = _walkthrough("saturated", "en").render("md")
    assert "is saturated: its output is within" in english
    assert "Training for 1,200 steps" in english
    page = _walkthrough("saturated", "en").render("html")
    assert "The error during 1,200 steps of gradient descent" in page  # the curve's title
    assert "step (number of updates)" in page  # its axis
    assert sum(phrase in english for phrase in PHRASES) > 30
    assert "saturated" not in _walkthrough("mazur", "en").render("md")


@pytest.mark.parametrize("lang", LANGS)
def test_a_translated_markdown_article_checks_clean(network, lang):
    """`derive check` reads the forward pass again, the summary and the samples in the
    article's language, its numbers written with a decimal point (the decimal comma: below)."""
    spec = _spec(network)
    text = derive.explain(spec, lang=lang, decimal_comma=False).render("md")
    report = check_text(text, spec)
    assert not report.wrong, report.to_text()
    assert report.summary["recognized"] >= 0.9 * report.summary["claims"], report.to_text()


@pytest.mark.parametrize("lang", LANGS)
def test_a_translated_full_deck_checks_clean(lang):
    """The full deck's "forward pass again" slides are read as after the update."""
    text = derive.explain("mazur", lang=lang, decimal_comma=False).render("typst", slides=True)
    report = check_text(text, "mazur")
    assert not report.wrong, report.to_text()
    assert report.summary["recognized"] >= 0.9 * report.summary["claims"], report.to_text()


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("network", ["mazur", "softmax"])
def test_every_translated_article_checks_clean_with_its_own_decimal_mark(network, lang, fmt):
    """Each article format in each language, numbers written as the language writes them
    (Typst's ``0class("normal", ",")5``, LaTeX's ``0{,}5``), read back with nothing wrong:
    the French Typst article once had hundreds of false alarms (its ``d\\u{27}origine``
    unread, and "et non les poids mis à jour" taken to mean after the update)."""
    text = derive.explain(network, lang=lang).render(fmt)
    report = check_text(text, network)
    assert not report.wrong, report.to_text()
    assert report.summary["recognized"] >= 0.9 * report.summary["claims"], report.to_text()
