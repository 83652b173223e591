"""The reader never fails and never takes long, whatever the text (Hypothesis + large inputs)."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from derive.check import check_text, read_document
from derive.check.claims import read_claims
from derive.check.truth import truth_of
from derive.errors import UsageError

TRUTH = truth_of("mazur")

#: pieces of the documents the reader meets, to be glued together in any order
FRAGMENTS = [
    "$", "$$", "\\[", "\\]", "\\(", "\\)", "{", "}", "(", ")", "[", "]", "=", "&=", "\\\\",
    "\\frac{", "\\partial ", "\\left(", "\\right)", "\\begin{align}", "\\end{align}",
    "\\begin{cases}", "\\end{cases}", "\\text{net}_{h1}", "net_{h_1}", "out_{o1}", "E_{total}",
    "w_5^{+}", "w_{10}^n", "δ_{o1}", "a^{(2)}_1", "w^{(1)}_{12}", "E^{[1]}", "e^{-", "\\sigma(",
    "0.3775", "-0.217", "3.51 \\times 10^{-5}", "1e-5", "0.", ".5", "−", "×", "·", "⁺", "₁", "²",
    "+", "-", "*", "/", "^", "_", "%", "…", "'", ",", ";", ":", " ", "\n", "\r\n", "\r", "\t",
    "# ", "## The forward pass again\n", "| a | b |\n|---|---|\n| $w_5$ | 0.4 |\n", "```\n",
    "\\documentclass{article}", "\\section{x}", "% comment", "after 10,000 iterations ",
    "sample 2 ", "dE/dw5", "∂Etotal/∂w5", "new w6", "w5+ ", "\x00", "\ufffd", "\\", "\\\\\\",
]  # fmt: skip
documents = st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=4)), max_size=80).map(
    "".join
)
SETTINGS = settings(max_examples=250, deadline=3000, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(documents)
def test_reading_never_fails(text):
    lines = text.count("\n") + text.count("\r") + 1
    for claim in read_claims(text, TRUTH.naming):
        assert 1 <= claim.line <= lines
        assert claim.links and claim.text


@SETTINGS
@given(documents)
def test_checking_never_fails(text):
    report = check_text(text, TRUTH)
    json.dumps(report.to_json())
    report.to_text()
    annotated = report.annotate(text)
    assert annotated.count("derive check") >= len(report.wrong) or not report.wrong
    for finding in report.results:
        assert "a bug, please report it" not in finding.diagnosis


@settings(max_examples=100, deadline=3000)
@given(st.text(max_size=3000))
def test_any_unicode_text(text):
    check_text(text, TRUTH)


@settings(max_examples=50, deadline=3000)
@given(st.binary(max_size=3000))
def test_any_bytes_as_a_file(tmp_path_factory, data):
    path = tmp_path_factory.mktemp("junk") / "junk.md"
    path.write_bytes(data)
    try:
        text = read_document(path)
    except UsageError as error:  # bytes that read as UTF-16 text without its BOM
        assert "UTF-16 text without a byte-order mark" in str(error)
        return
    check_text(text, TRUTH)


# -- pathological input ---------------------------------------------------------------------
# How long these take, and that time grows linearly with the document, is measured in
# bench/check_benchmark.py: a wall-clock limit here would fail at random on a loaded machine.
@pytest.mark.parametrize(
    "piece",
    [
        "(",
        "{",
        "\\frac{",
        "$$",
        "$",
        "= ",
        "=\n",
        "0.5 = ",
        "w_5 = 0.4 ",
        "\\left(",
        "a" * 50 + " ",
        "\\\\",
        "| a | b |\n|---|---|\n",
    ],
)
def test_pathological_input_is_read(piece):
    text = piece * (50_000 // len(piece))
    report = check_text(text, TRUTH)
    assert report.summary["claims"] == len(report.results)
