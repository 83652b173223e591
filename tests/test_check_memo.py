"""What the checker remembers to go fast changes nothing it finds (self-consistency tests).

The reader remembers the tokens of a span and the chains parsed from a token list, and
moves them to the offsets where the same text is met again; the auditor reuses a verdict
for a claim written alike while the writer's recorded values are unchanged. Each is
compared here with the work done afresh: the lexer's tokens with `_tokenize` (no memo) at
every line of every scenario document, a moved expression with the one parsed at its new
place, and a document repeated with the document itself (each copy's findings are the
first copy's, on lines one copy further down). These are consistency checks of derive
against itself, not correctness oracles: the findings themselves are checked against the
mpmath reference in test_check_documents.py.
"""

from __future__ import annotations

from dataclasses import astuple

import pytest
from conftest import ROOT
from test_check_documents import load, scenarios

from derive.check import check_text, lexer
from derive.check.audit import node_shape
from derive.check.claims import _chains, moved
from derive.check.lexer import _tokenize, tokenize
from derive.check.reader import line_tokens


def _documents() -> list[str]:
    return [load(folder).document.read_text("utf-8") for folder in scenarios()]


@pytest.mark.parametrize("math", [True, False])
def test_remembered_tokens_are_the_tokens_lexed_afresh(math) -> None:
    """Every line of every scenario, lexed where it stands and again one character and one
    line further on (the memo moves tokens it met at another offset)."""
    for text in _documents():
        lexer._MEMO.clear()
        position = 0
        for line in text.splitlines(keepends=True):
            end = position + len(line)
            for start in (position, position + 1):
                assert tokenize(text, start, end, math) == _tokenize(text, start, end, math)
            position = end
        shifted = "x\n" + text  # every line again, two characters further on
        for start, end in ((2, len(shifted)), (2, 2 + min(len(text), 500))):
            assert tokenize(shifted, start, end, math) == _tokenize(shifted, start, end, math)


def test_moved_chains_are_the_chains_parsed_where_they_stand() -> None:
    """The chains of a line met again elsewhere are its own chains moved there."""
    text = (ROOT / "output" / "mazur.md").read_text("utf-8")
    lines = [line for line in text.splitlines() if "=" in line][:80]
    for line in lines:
        padded = "  " + line  # the same line two characters further on
        first = _chains(line_tokens(line, 0, len(line)))
        again = _chains(line_tokens(padded, 2, len(padded)))
        assert len(first) == len(again)
        for one, two in zip(first, again, strict=True):
            assert [(rel, a, b) for rel, a, b, _ in one.links] == [
                (rel, a, b) for rel, a, b, _ in two.links
            ]
            for (_, _, _, node), (_, _, _, other) in zip(one.links, two.links, strict=True):
                assert moved(node, 2) == other
                assert node_shape(node, 0) == node_shape(other, 2)


@pytest.mark.parametrize(
    "name, spec", [("mazur.md", "mazur"), ("russo.md", "russo"), ("mazur-de.md", "mazur")]
)
def test_a_repeated_document_is_found_as_each_of_its_copies(name, spec) -> None:
    """derive's own walkthrough three times over: each copy's claims get the first copy's
    verdicts, quantities and values, on its own lines (verdicts reused, chains moved)."""
    text = (ROOT / "output" / name).read_text("utf-8")
    text = text if text.endswith("\n") else text + "\n"
    lines = text.count("\n")
    single = check_text(text, spec).results
    triple = check_text(text * 3, spec).results
    assert len(triple) == 3 * len(single)
    for copy in range(3):
        part = triple[copy * len(single) : (copy + 1) * len(single)]
        for one, other in zip(single, part, strict=True):
            assert other.line == one.line + copy * lines
            assert other.anchor == one.anchor + copy * lines
            assert astuple(other)[1:-2] == astuple(one)[1:-2]  # all but line, anchor


def test_a_value_said_in_a_very_long_line_takes_the_context_said_before_it() -> None:
    """Prose context is looked for at most 1,000 characters back in a line (reading the
    whole line before each value took the square of its length): said within that,
    "after the update" still makes E_total the value after the update (0.298371109 before
    it, 0.291027774 after: tests/reference.py)."""
    filler = "and so on " * 30  # 300 characters of words that say nothing
    line = f"{filler * 5}After the update {filler}the total error is now 0.291027774."
    report = check_text(line, "mazur")
    (finding,) = report.results
    assert finding.verdict == "ok", report.to_text()
