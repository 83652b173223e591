"""Verdicts and diagnoses → what a person or a program reads: text, JSON, an annotated copy.

The JSON has the shape fixed in the design notes::

    {"findings": [{"line", "text", "quantity", "verdict", "stated", "expected",
                   "diagnosis"}, …],
     "summary": {"claims", "recognized", "ok", "wrong"}}

`findings` lists every claim that is not ``ok`` (wrong ones and unrecognized ones), in
document order; `wrong` counts every verdict other than ``ok`` and ``unrecognized``.
The text report writes one ``FILE:LINE: verdict: …`` entry per wrong claim, as compilers
do, so editors can jump to it.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from derive.check.dialects import dialect
from derive.check.reader import NOTE, split_lines

WRONG = ("wrong value", "arithmetic slip", "wrong formula")


@dataclass(frozen=True, slots=True)
class Finding:
    """One claim's verdict as reported: where, what was written, what is right, and why."""

    line: int
    text: str
    quantity: str | None
    verdict: str
    stated: Decimal | None
    stated_text: str | None
    expected: Decimal | None
    diagnosis: str
    anchor: int  # the line after which an annotation goes
    as_written: str = ""  # the claim's first link as the document writes it

    @property
    def name(self) -> str:
        """The document's own name for the quantity (``dE/dw6``, never ``p``), else derive's."""
        written = " ".join(self.as_written.split())
        if written and len(written) <= 40 and "\\" not in written:
            return written
        return self.quantity or written or "the result"

    @property
    def is_wrong(self) -> bool:
        return self.verdict in WRONG

    def to_json(self) -> dict[str, Any]:
        return {
            "line": self.line,
            "text": self.text,
            "quantity": self.quantity,
            "as_written": self.as_written or None,
            "verdict": self.verdict,
            "stated": float(self.stated) if self.stated is not None else None,
            "expected": float(self.expected) if self.expected is not None else None,
            "diagnosis": self.diagnosis or None,
        }

    def headline(self) -> str:
        """``wrong value: dE_total/dw3 is 0.00049771, not 0.00043856``."""
        if self.verdict == "unrecognized":
            return "unrecognized"
        what = self.name if self.quantity is not None or self.as_written else "the result"
        if self.expected is not None and self.stated == self.expected:
            return f"{self.verdict} in {what} (the result {self.stated_text} is right)"
        if self.expected is not None and self.stated_text is not None:
            return f"{self.verdict}: {what} is {_plain(self.expected)}, not {self.stated_text}"
        if self.stated_text is not None:
            return f"{self.verdict}: {what} is not {self.stated_text}"
        return f"{self.verdict}: {what}"


@dataclass(frozen=True)
class CheckReport:
    """The result of checking one document against one network."""

    source: str
    results: tuple[Finding, ...]
    notation: dict[str, str] = field(default_factory=dict)
    notes: tuple[str, ...] = ()
    answers_hidden: bool = False

    def without_answers(self) -> CheckReport:
        """The report for graded homework: the kind of slip and the line, no true value
        (nor a diagnosis, which may quote one)."""
        hidden = tuple(
            replace(r, expected=None, diagnosis=_hide(r.diagnosis)) for r in self.results
        )
        return replace(self, results=hidden, answers_hidden=True)

    @property
    def findings(self) -> tuple[Finding, ...]:
        """Every claim that is not ``ok``: the wrong ones and the unrecognized ones."""
        return tuple(r for r in self.results if r.verdict != "ok")

    @property
    def wrong(self) -> tuple[Finding, ...]:
        return tuple(r for r in self.results if r.is_wrong)

    @property
    def summary(self) -> dict[str, int]:
        results = self.results
        ok = sum(r.verdict == "ok" for r in results)
        unrecognized = sum(r.verdict == "unrecognized" for r in results)
        return {
            "claims": len(results),
            "recognized": len(results) - unrecognized,
            "ok": ok,
            "wrong": len(results) - ok - unrecognized,
        }

    @property
    def exit_status(self) -> int:
        """0 when nothing is wrong, 1 when something is (as the command line exits)."""
        return 1 if self.wrong else 0

    def to_json(self) -> dict[str, Any]:
        return {
            "notation": dict(self.notation),
            "claims": [r.to_json() for r in self.results],
            "findings": [f.to_json() for f in self.findings],
            "summary": self.summary,
        }

    def reading(self) -> str:
        """The notation learned, as one sentence: ``read H21 as out_h2_1, y as out_o1``."""
        if not self.notation:
            return ""
        groups: dict[str, list[tuple[str, str]]] = {}
        for written, name in self.notation.items():
            groups.setdefault(_ELEMENT.sub("[·]", written), []).append((written, name))
        pairs = []
        for members in groups.values():
            (first, name), (last, last_name) = members[0], members[-1]
            if len(members) == 1:
                pairs.append(f"{first} as {name}")
            else:  # the elements of one array: W[1][1]…W[3][3] as w1…w9
                pairs.append(f"{first}…{last} as {name}…{last_name}")
        return "read " + ", ".join(pairs)

    def to_text(self) -> str:
        lines = [self.reading()] if self.notation else []
        lines += list(self.notes)
        for finding in self.wrong:
            lines.append(f"{self.source}:{finding.line}: {finding.headline()}")
            lines.append(f"    {_shorten(finding.text)}")
            if finding.diagnosis:
                lines.append(f"    {finding.diagnosis}")
        unrecognized = sorted({f.line for f in self.findings if f.verdict == "unrecognized"})
        if unrecognized:
            lines.append(f"not recognized: {_ranges(unrecognized)}")
        s = self.summary
        lines.append(
            f"{s['claims']} claim{'s' if s['claims'] != 1 else ''} read, "
            f"{s['recognized']} recognized: {s['ok']} ok, {s['wrong']} wrong"
        )
        return "\n".join(lines) + "\n"

    def annotate(self, text: str) -> str:
        """A copy of `text` with a note after each block that holds a wrong claim.

        The notes of an earlier run are replaced, not stacked: they are dropped (the
        check read them as empty lines), and the line numbers the new notes quote are
        those of the document without them. Annotating an annotated copy changes nothing.
        """
        lines = split_lines(text)
        kept = [number for number, line in enumerate(lines, 1) if not NOTE.match(line)]
        clean = {number: index for index, number in enumerate(kept, 1)}
        notes: dict[int, list[str]] = {}
        for finding in self.wrong:
            anchor = _kept_at_or_before(kept, min(finding.anchor, len(lines)))
            line = clean.get(finding.line, finding.line)
            note = _note(finding, line)
            note = _FROM_LINE.sub(lambda m: f"from line {clean.get(int(m[1]), m[1])}", note)
            notes.setdefault(anchor, []).append(note)
        style = dialect(text)
        default = "\r\n" if "\r\n" in text else "\r" if "\r" in text else "\n"
        pieces = []
        for number in kept:
            line = lines[number - 1]
            body = line.rstrip("\r\n")
            pieces.append(body)
            indent = re.match(r"[ \t]*", body).group()
            for note in notes.get(number, ()):
                pieces.append(default + indent + _MARKERS[style].format(note=note))
            pieces.append(line[len(body) :])
        if 0 in notes:  # a wrong claim before any kept line: the notes go first
            marks = [_MARKERS[style].format(note=note) + default for note in notes[0]]
            pieces.insert(0, "".join(marks))
        return "".join(pieces)


_FROM_LINE = re.compile(r"\bfrom line (\d+)\b")


def _kept_at_or_before(kept: list[int], number: int) -> int:
    """The last line at or before `number` that is not a note (0 if there is none)."""
    index = bisect_right(kept, number)
    return kept[index - 1] if index else 0


_MARKERS = {
    "markdown": "> **derive check** {note}",
    "latex": "% derive check {note}",
    "typst": "// derive check {note}",
    "html": "<!-- derive check {note} -->",
}


#: an element's position in a name: W[2][1]
_ELEMENT = re.compile(r"\[\d+\]")
#: a number in a diagnosis: what --hide-answers keeps out
_NUMBER = re.compile(
    r"(?<![\w.{}])(?<!line )(?<!lines )[-−]?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?(?![\w{}])"
)


def _hide(diagnosis: str) -> str:
    """A diagnosis without the numbers it quotes (the kind of slip stays)."""
    if not diagnosis:
        return diagnosis
    return _NUMBER.sub("…", diagnosis) if _NUMBER.search(diagnosis) else diagnosis


def _note(finding: Finding, line: int) -> str:
    """The note's text, on one line whatever the claim held."""
    note = f"(line {line}): {finding.headline()}"
    note = f"{note} — {finding.diagnosis}" if finding.diagnosis else note
    return " ".join(note.split()).replace("-->", "-- >")


def _plain(value: Decimal) -> str:
    return format(value, "f")


def _shorten(text: str, width: int = 160) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _ranges(numbers: Sequence[int]) -> str:
    """1, 2, 3, 7 → 'lines 1-3, 7'."""
    parts, start = [], numbers[0]
    for previous, current in zip(numbers, [*numbers[1:], None], strict=True):
        if current != previous + 1 if current is not None else True:
            parts.append(str(start) if start == previous else f"{start}-{previous}")
            start = current
    return ("line " if len(numbers) == 1 else "lines ") + ", ".join(parts)
