"""The slide decks: one plan (derive.slides) laid out by Beamer and by Typst.

Counts are of pages of the typeset PDFs (pdftotext's form feeds for the Typst deck,
the Beamer deck's frames compiled by pdflatex), never of our own plan alone: a frame
that spilled onto a second page would show here. The lecture pace must fit a 2-2-2
network in 30 slides and a 3-4-4-2 ReLU/softmax network in 45.
"""

from __future__ import annotations

import re
import shutil

import pytest
from figures import pdf_text

import derive
from derive.document import Paragraph
from derive.errors import UsageError
from derive.messages import Language
from derive.slides import plan_deck
from derive.spec import spec_from_mapping
from derive.typeset import compile_latex

#: a 3-4-4-2 network: two ReLU layers (one neuron dead on this input), softmax outputs
NET_3442_DATA = {
    "title": "A 3-4-4-2 ReLU network with a softmax output",
    "layers": [3, 4, 4, 2],
    "activation": ["relu", "relu", "softmax"],
    "loss": "cross_entropy",
    "learning_rate": 0.1,
    "inputs": [0.5, -0.2, 0.8],
    "targets": [0.0, 1.0],
    "weights": [
        [[0.16, -0.23, 0.38], [-0.02, -0.41, 0.2], [-0.19, 0.42, 0.03], [-0.36, 0.25, -0.15]],
        [
            [0.46, 0.07, -0.32, 0.29],
            [-0.1, 0.51, 0.12, -0.28],
            [0.33, -0.06, -0.45, 0.16],
            [-0.23, 0.38, -0.02, -0.41],
        ],
        [[0.2, -0.19, 0.42, 0.03], [-0.36, 0.25, -0.15, 0.46]],
    ],
    "bias": "per_neuron",
    "biases": [[0.1, -0.1, 0.05, 0.0], [0.02, -0.03, 0.1, 0.0], [0.0, 0.0]],
    "update_biases": True,
    "digits": 6,
}
NET_3442 = spec_from_mapping(NET_3442_DATA, where="3-4-4-2")


def _typst_pages(walkthrough, tmp_path) -> int:
    return pdf_text(walkthrough.pdf(slides=True), tmp_path).count("\f")


@pytest.mark.parametrize(
    ("spec", "limit"),
    # the budgets: a 2-2-2 network in 30 slides, a 3-4-4-2 in 45; the others as measured
    [("mazur", 30), ("russo", 30), ("softmax", 31), (NET_3442, 45)],
    ids=["mazur", "russo", "softmax", "3-4-4-2"],
)
def test_the_lecture_deck_fits_its_slide_budget(spec, limit, tmp_path):
    lecture = derive.explain(spec, pace="lecture")
    pages = _typst_pages(lecture, tmp_path)
    assert pages <= limit
    assert pages == len(plan_deck(lecture.document, pace="lecture").frames)
    # the full deck of a large network is above the default page limit: count its plan
    assert len(plan_deck(derive.explain(spec).document).frames) > pages


def test_beamer_and_typst_lay_out_the_same_plan():
    w = derive.explain("russo", pace="lecture")
    deck = plan_deck(w.document, pace="lecture")
    beamer = w.render("beamer")
    typst = w.render("typst", slides=True)
    assert beamer.count("\\begin{frame}") == len(deck.frames)
    assert typst.count("\n#slide[") + 1 == len(deck.frames)  # and the title page
    titles = [f.title.plain for f in deck.frames[1:]]
    assert titles[-1] == "In short"
    assert "Outputs and targets, before and after" in titles


@pytest.mark.skipif(not shutil.which("pdflatex"), reason="needs TeX Live")
def test_the_beamer_lecture_deck_compiles_within_budget(tmp_path):
    w = derive.explain(NET_3442, pace="lecture", lang="de")
    run = compile_latex(w.render("beamer"))
    pages = pdf_text(run.pdf, tmp_path).count("\f")
    assert 0 < pages <= 45
    assert "Overfull \\vbox" not in run.log


def test_the_title_slide_names_author_course_and_date():
    w = derive.explain("mazur", author="Ada Lovelace", course="CS 101", date="28 Nov 2026")
    typst = w.render("typst", slides=True)
    beamer = w.render("beamer")
    for text in ("Ada Lovelace", "CS 101", "28 Nov 2026"):
        assert text in typst and text in beamer
    assert "\\author{Ada Lovelace}" in beamer and "\\institute{CS 101}" in beamer


def test_the_reminder_is_legible_on_a_projector():
    """The chain rule recalled on every factor's slide is dark, not faint grey."""
    w = derive.explain("mazur")
    assert "\\color{black!60}" not in w.render("beamer")
    typst = w.render("typst", slides=True)
    assert "#reminder[" in typst
    assert "luma(120)" not in typst


def test_a_long_summary_uses_the_width_of_the_slide():
    """20 parameters: one summary slide in two column groups, not two narrow slides."""
    deck = plan_deck(derive.explain("russo").document)
    summaries = [f for f in deck.frames if f.title.plain.startswith("Summary")]
    assert len(summaries) == 1
    (table,) = [b for b in summaries[0].blocks if b.kind == "table"]
    assert table.groups == 2 and len(table.parts) == 2


def test_a_reference_names_the_slide_it_points_to():
    """'as found for w5 (slide N)': slide N is where w5 is worked out."""
    deck = plan_deck(derive.explain("mazur").document)
    first = {}
    for number, frame in enumerate(deck.frames, start=1):
        if frame.parameter is not None:
            first.setdefault(frame.parameter.name, number)
    references = 0
    for frame in deck.frames:
        for block in frame.blocks:
            if isinstance(block, Paragraph) and "as found for" in block.text.plain:
                pieces = block.text.pieces
                for k, piece in enumerate(pieces):
                    if isinstance(piece, str) and "as found for" in piece:
                        name = pieces[k + 1].expr.name
                        after = "".join(p for p in pieces[k + 2 : k + 5] if isinstance(p, str))
                        slide = int(re.match(r" \(slide (\d+)\)", after).group(1))
                        assert first[name] == slide
                        references += 1
    assert references > 0


def test_the_lecture_works_one_parameter_per_layer_and_tables_the_rest():
    deck = plan_deck(derive.explain("mazur").document, pace="lecture")
    worked = {f.parameter.name for f in deck.frames if f.parameter is not None}
    assert worked == {"w5", "w1"}
    rest = [f for f in deck.frames if f.title.plain.startswith("The rest of the")]
    assert len(rest) == 2
    rows = {
        cell.pieces[0].expr.name
        for f in rest
        for b in f.blocks
        if b.kind == "table"
        for row in b.rows
        for cell in row[:1]
    }
    assert {"w6", "w7", "w8", "w2", "w3", "w4"} <= rows


def test_a_dead_relu_is_remarked():
    """A hidden ReLU whose net input is below 0 passes no error back: said so."""
    w = derive.explain(NET_3442)
    deck = plan_deck(w.document)
    nets = {
        n.neuron.name: n.net.value for layer in w.document.forward.layers for n in layer.neurons
    }
    dead = {name for name, net in nets.items() if name.startswith("h") and net < 0}
    assert dead, "the fixture must have a dead neuron"
    said = " ".join(b.text.plain for f in deck.frames for b in f.blocks if isinstance(b, Paragraph))
    assert "is a dead ReLU for this input" in said
    mazur = plan_deck(derive.explain("mazur").document)
    assert not any(
        "dead ReLU" in b.text.plain
        for f in mazur.frames
        for b in f.blocks
        if isinstance(b, Paragraph)
    )


def test_an_unknown_pace_is_refused():
    with pytest.raises(UsageError, match="unknown pace 'slow'"):
        derive.explain("mazur", pace="slow")


def test_a_german_deck_reads_german(tmp_path):
    w = derive.explain("russo", lang="de", pace="lecture")
    text = pdf_text(w.pdf(slides=True), tmp_path)
    for words in (
        "Der zu minimierende Fehler",
        "Nach der Kettenregel",
        "Zusammenfassung",
        "Kurz gesagt",
        "Der Gesamtfehler sank von 0,38729 auf 0,38147",
    ):
        assert words in text, words
    assert Language.of("de").decimal == ","


def test_a_factor_worked_from_its_definition_is_led_by_a_sentence():
    """The slide that differentiates a definition says so ("∂E_total/∂out_o1 is found by
    differentiating:"); it said "∂E_total/∂out_o1, from:", a fragment in every language.
    w5, the first output weight of mazur, works all three of its factors so."""
    deck = plan_deck(derive.explain("mazur").document)
    leads = [
        b.text.pieces
        for f in deck.frames
        if str(f.parameter) == "w5"
        for b in f.blocks
        if isinstance(b, Paragraph) and "found by differentiating" in b.text.plain
    ]
    assert [str(pieces[0].expr) for pieces in leads] == [
        "Derivative(E_total, out_o1)",
        "Derivative(out_o1, net_o1)",
        "Derivative(net_o1, w5)",
    ]
    assert all(pieces[1:] == (" is found by differentiating:",) for pieces in leads)
    said = " ".join(b.text.plain for f in deck.frames for b in f.blocks if isinstance(b, Paragraph))
    assert ", from:" not in said
