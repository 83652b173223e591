"""Sentences that used to be wrong, each fixed and pinned in every format it appears in.

The networks are small specs written here for the case at hand: a 2-output softmax, a
one-output net, a two-sample batch, a ReLU net with a neuron below zero, a cross-entropy
net, and a 1-1-1 linear net whose error does not move although its gradient is not zero.
"""

from __future__ import annotations

import html
import itertools
import re

import pytest
from conftest import ONE_OUTPUT_DATA

import derive
from derive.slides import plan_deck
from derive.spec import spec_from_mapping

ARTICLES = ("md", "tex", "typst", "html")
EVERY = (*ARTICLES, "beamer", "typst-slides")


def _spec(**data):
    return spec_from_mapping(data, where="test")


def _render(w, fmt: str) -> str:
    """The document in `fmt`, its free text read back as written (each format's escapes of
    punctuation undone: Typst's \\u{2c}, Markdown's \\(, LaTeX's \\%, HTML's entities)."""
    text = w.render("typst", slides=True) if fmt == "typst-slides" else w.render(fmt)
    if fmt.startswith("typst"):
        return re.sub(r"\\u\{([0-9a-f]+)\}", lambda m: chr(int(m.group(1), 16)), text)
    if fmt == "md":
        return re.sub(r"\\([()\[\]*_#!+`])", r"\1", text)
    if fmt == "html":
        return html.unescape(text)
    return text.replace("\\textquotesingle{}", "'").replace("\\%", "%")


SOFTMAX_2 = _spec(
    layers=[2, 2, 2],
    activation=["sigmoid", "softmax"],
    loss="cross_entropy",
    learning_rate=0.5,
    inputs=[0.05, 0.1],
    targets=[1.0, 0.0],
    weights=[[[0.15, 0.2], [0.25, 0.3]], [[0.4, 0.45], [0.5, 0.55]]],
    bias="shared",
    biases=[0.35, 0.6],
)
ONE_OUTPUT = _spec(**ONE_OUTPUT_DATA)
BATCH = _spec(
    layers=[2, 2, 2],
    activation="sigmoid",
    loss="half_sse",
    learning_rate=0.5,
    samples=[
        {"inputs": [0.05, 0.1], "targets": [0.01, 0.99]},
        {"inputs": [0.3, 0.7], "targets": [0.9, 0.2]},
    ],
    weights=[[[0.15, 0.2], [0.25, 0.3]], [[0.4, 0.45], [0.5, 0.55]]],
    bias="shared",
    biases=[0.35, 0.6],
)
RELU_DEAD = _spec(
    layers=[2, 2, 2],
    activation=["relu", "sigmoid"],
    loss="half_sse",
    learning_rate=0.5,
    inputs=[0.05, 0.1],
    targets=[0.01, 0.99],
    weights=[[[0.15, 0.2], [-0.9, -0.6]], [[0.4, 0.45], [0.5, 0.55]]],
    bias="shared",
    biases=[0.0, 0.6],
)
# out = w·i with i = 1, w = 0.5, target 1, η = 2: the step carries out from 0.5 to 1.5,
# as far past the target as it was short of it, so E = ½(1 − out)² is 0.125 both times
STANDSTILL = _spec(
    layers=[1, 1],
    activation="linear",
    loss="half_sse",
    learning_rate=2.0,
    inputs=[1.0],
    targets=[1.0],
    weights=[[[0.5]]],
    bias="none",
)


@pytest.mark.parametrize("fmt", EVERY)
def test_softmax_is_written_for_the_layers_own_outputs(fmt):
    """A 2-output softmax: no 'three outputs', no net₃."""
    text = _render(derive.explain(SOFTMAX_2), fmt)
    assert "three outputs" not in text
    assert "(2 here)" in text
    assert not re.search(r"net\}?_\{?3\}|net\"_\(3\)|<mi>net</mi><mn>3</mn>", text)


@pytest.mark.parametrize("fmt", EVERY)
def test_one_output_is_not_summed(fmt):
    text = _render(derive.explain(ONE_OUTPUT), fmt)
    assert "then their sum" not in text
    assert "1 of 1" not in text
    assert "With one output, the total error is that output's error" in text
    assert "feeds a single neuron" in text
    # no chain that ends by writing the same number twice: "= −0.327303733 = −0.327303733"
    numbers = re.findall(r"= ?(-?\d+\.\d+) ?= ?(-?\d+\.\d+)(?![\d.])", text)
    assert not [pair for pair in numbers if pair[0] == pair[1]]


def test_a_batch_names_each_samples_error():
    """Per sample ∂E_total^(s)/∂w, combined into ∂E/∂w; the summary heads ∂E/∂p."""
    text = derive.explain(BATCH).render("tex")
    assert r"\frac{\partial E_{\mathrm{total}}^{(1)}}{\partial w_{5}} =" in text
    assert r"\frac{\partial E_{\mathrm{total}}^{(2)}}{\partial w_{5}} =" in text
    assert not re.search(r"\\frac\{\\partial E_\{\\mathrm\{total\}\}\}\{\\partial w_", text)
    assert r"Parameter & Before & $\frac{\partial E}{\partial p}$ & After" in text
    one = derive.explain("mazur").render("tex")
    assert r"$\frac{\partial E_{\mathrm{total}}}{\partial p}$" in one


@pytest.mark.parametrize("fmt", ("tex", "md", "beamer"))
def test_a_negative_condition_is_a_sign_not_a_subtraction(fmt):
    text = _render(derive.explain(RELU_DEAD), fmt)
    assert r"\text{if }{-0.105} > 0" in text
    assert r"\text{for}\: -" not in text


def test_a_piecewise_function_is_a_brace_in_mathml():
    text = derive.explain(RELU_DEAD).render("html")
    assert "<mi>piecewise</mi>" not in text and "<mi>True</mi>" not in text
    assert "<mtext>otherwise</mtext>" in text


def test_the_relu_derivative_is_written_once():
    document = derive.explain(RELU_DEAD).document
    for identity in document.identities:
        forms = identity.derivation.forms
        assert all(a != b for a, b in itertools.pairwise(forms)), identity.title
    linear = derive.explain(ONE_OUTPUT).render("md")
    assert "= 1 = 1" not in linear


@pytest.mark.parametrize("fmt", EVERY)
def test_the_logarithm_is_natural_and_said_to_be(fmt):
    text = _render(derive.explain(SOFTMAX_2), fmt)
    assert "natural logarithm" in text
    assert r"\log" not in text and '"log"' not in text and "<mi>log</mi>" not in text
    assert "ln" in text


@pytest.mark.parametrize("fmt", EVERY)
def test_an_error_that_stays_is_not_blamed_on_zero_gradients(fmt):
    w = derive.explain(STANDSTILL)
    assert w.step.loss_before == w.step.loss_after
    assert w.step.gradients["w1"] != 0
    text = _render(w, fmt)
    assert "every gradient is zero" not in text
    assert "although the gradients are not zero" in text


def test_zero_gradients_are_said_to_be_zero():
    spec = _spec(
        layers=[1, 1],
        activation="linear",
        loss="half_sse",
        learning_rate=0.5,
        inputs=[1.0],
        targets=[0.5],
        weights=[[[0.5]]],
        bias="none",
    )
    text = derive.explain(spec).render("md")
    assert "every gradient is zero here" in text


@pytest.mark.parametrize("fmt", ARTICLES)
def test_a_hidden_neuron_sums_its_contributions_after_deriving_them(fmt):
    """The classic order: each contribution worked out, then added."""
    text = _render(derive.explain("mazur"), fmt)
    first = text.index("Contribution 1 of 2")
    second = text.index("Contribution 2 of 2")
    adding = text.index("Adding the contributions")
    assert first < second < adding


def test_why_the_net_input_derivative_is_the_sources_output():
    deck = plan_deck(derive.explain("mazur").document)
    said = " ".join(b.text.plain for f in deck.frames for b in f.blocks if b.kind == "paragraph")
    assert "differentiating term by term leaves the factor that multiplies it" in said


def test_the_softmax_cross_entropy_shortcut_is_derived_and_right():
    """Each written step of ∂E_total/∂net_j = … = out_j − target_j has the same value, for
    three outputs of a softmax and targets adding up to 1 (evaluated here independently)."""
    import sympy as sp

    from derive.compose import softmax_cross_entropy_shortcut

    _lhs, forms = softmax_cross_entropy_shortcut()
    o, t = sp.IndexedBase("o"), sp.IndexedBase("t")
    k, j, n = sp.symbols("k j n")
    nets = [sp.Rational(3, 10), sp.Rational(-1, 5), sp.Rational(7, 10)]
    outs = [sp.exp(x) / sum(sp.exp(y) for y in nets) for x in nets]
    targets = [sp.Rational(1, 5), sp.Rational(7, 10), sp.Rational(1, 10)]
    names = {
        sp.Symbol("out_k"): o[k],
        sp.Symbol("target_k"): t[k],
        sp.Symbol("out_j"): o[j],
        sp.Symbol("target_j"): t[j],
    }
    values = {o[i + 1]: outs[i] for i in range(3)} | {t[i + 1]: targets[i] for i in range(3)}
    for index in (1, 2, 3):
        results = [
            sp.simplify(form.xreplace(names).subs({n: 3}).doit().subs(j, index).subs(values))
            for form in forms[1:]
        ]
        expected = outs[index - 1] - targets[index - 1]
        assert all(sp.simplify(r - expected) == 0 for r in results), (index, results)
    deck = plan_deck(derive.explain("softmax").document)
    said = " ".join(b.text.plain for f in deck.frames for b in f.blocks if b.kind == "paragraph")
    assert "the targets add up to 1" in said
