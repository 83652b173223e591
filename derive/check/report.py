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

import io
import json
import re
import tempfile
from bisect import bisect_right
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any, TextIO

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
        hidden = tuple(map(without_answer, self.results))
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
        tally = _Tally()
        for result in self.results:
            tally.add(result)
        return tally.summary()

    @property
    def exit_status(self) -> int:
        """0 when nothing is wrong, 1 when something is (as the command line exits)."""
        return 1 if self.wrong else 0

    def streamed(self) -> Checking:
        """This report as a check under way (what the command line writes from)."""
        return Checking(
            self.source, dict(self.notation), self.notes, iter(self.results), self.answers_hidden
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "notation": dict(self.notation),
            "claims": [r.to_json() for r in self.results],
            "findings": [f.to_json() for f in self.findings],
            "summary": self.summary,
        }

    def reading(self) -> str:
        """The notation learned, as one sentence: ``read H21 as out_h2_1, y as out_o1``."""
        return reading(self.notation)

    def to_text(self) -> str:
        out = io.StringIO()
        self.streamed().write_text(out)
        return out.getvalue()

    def annotate(self, text: str) -> str:
        """A copy of `text` with a note after each block that holds a wrong claim."""
        return annotate(text, self.wrong)


@dataclass
class Checking:
    """A check under way: the notation learned, then every claim's finding in document
    order, decided one at a time.

    The command line writes its report from this as each finding is decided, so a long
    document is never held as findings at once: the text report prints each wrong claim
    when it is judged, the JSON report writes its ``claims`` array as it goes (the few
    ``findings`` wait in a spooled file). `CheckReport` is the same, collected.
    """

    source: str
    notation: dict[str, str]
    notes: tuple[str, ...]
    results: Iterator[Finding]
    answers_hidden: bool = False

    def without_answers(self) -> Checking:
        """The check for graded homework (see `CheckReport.without_answers`)."""
        return replace(self, results=map(without_answer, self.results), answers_hidden=True)

    def watched(self, seen: Callable[[Finding], object]) -> Checking:
        """The same check, calling `seen` on each finding as it is decided (progress)."""

        def results() -> Iterator[Finding]:
            for result in self.results:
                seen(result)
                yield result

        return replace(self, results=results())

    def collect(self) -> CheckReport:
        """Every finding kept: the report of a small document."""
        return CheckReport(
            self.source, tuple(self.results), self.notation, self.notes, self.answers_hidden
        )

    def write_text(self, out: TextIO, keep: Callable[[Finding], object] | None = None) -> int:
        """The text report, one wrong claim at a time; the exit status. `keep` is called
        on each wrong finding (what ``--annotate`` needs)."""
        if self.notation:
            out.write(reading(self.notation) + "\n")
        for note in self.notes:
            out.write(note + "\n")
        tally, unrecognized = _Tally(), _Ranges()
        for result in self.results:
            tally.add(result)
            if result.verdict == "unrecognized":
                unrecognized.add(result.line)
            if not result.is_wrong:
                continue
            if keep is not None:
                keep(result)
            out.write(f"{self.source}:{result.line}: {result.headline()}\n")
            out.write(f"    {_shorten(result.text)}\n")
            if result.diagnosis:
                out.write(f"    {result.diagnosis}\n")
        if unrecognized:
            out.write(f"not recognized: {unrecognized}\n")
        out.write(tally.line() + "\n")
        return tally.exit_status

    def write_json(self, out: TextIO, keep: Callable[[Finding], object] | None = None) -> int:
        """The JSON report (as ``json.dumps(report.to_json(), indent=2)`` writes it), its
        ``claims`` written as they are decided; the exit status."""
        tally = _Tally()
        out.write('{\n  "notation": ' + _nested(dict(self.notation)) + ',\n  "claims": ')
        with tempfile.SpooledTemporaryFile(1 << 20, mode="w+", encoding="utf-8") as findings:
            claims = _Array(out)
            listed = _Array(findings)
            for result in self.results:
                tally.add(result)
                entry = _nested(result.to_json(), 4)
                claims.add(entry)
                if result.verdict != "ok":
                    listed.add(entry)
                if keep is not None and result.is_wrong:
                    keep(result)
            claims.close()
            listed.close()
            out.write(',\n  "findings": ')
            findings.seek(0)
            while chunk := findings.read(1 << 16):
                out.write(chunk)
        out.write(',\n  "summary": ' + _nested(tally.summary()) + "\n}\n")
        return tally.exit_status


def without_answer(finding: Finding) -> Finding:
    """`finding` without its true value, nor a diagnosis quoting one."""
    return replace(finding, expected=None, diagnosis=_hide(finding.diagnosis))


def _nested(value: Any, depth: int = 2) -> str:
    """`value` as ``json.dumps(..., indent=2)`` writes it `depth` spaces in."""
    text = json.dumps(value, indent=2, ensure_ascii=False)
    return text.replace("\n", "\n" + " " * depth)


class _Array:
    """A JSON array written one element at a time, as ``json.dumps(indent=2)`` would."""

    def __init__(self, out: TextIO) -> None:
        self.out, self.count = out, 0

    def add(self, entry: str) -> None:
        self.out.write(("[\n    " if not self.count else ",\n    ") + entry)
        self.count += 1

    def close(self) -> None:
        self.out.write("\n  ]" if self.count else "[]")


class _Tally:
    """The summary's counts, kept as the findings go by."""

    __slots__ = ("claims", "ok", "unrecognized")

    def __init__(self) -> None:
        self.claims = self.ok = self.unrecognized = 0

    def add(self, result: Finding) -> None:
        self.claims += 1
        self.ok += result.verdict == "ok"
        self.unrecognized += result.verdict == "unrecognized"

    def summary(self) -> dict[str, int]:
        return {
            "claims": self.claims,
            "recognized": self.claims - self.unrecognized,
            "ok": self.ok,
            "wrong": self.claims - self.ok - self.unrecognized,
        }

    def line(self) -> str:
        s = self.summary()
        return (
            f"{s['claims']} claim{'s' if s['claims'] != 1 else ''} read, "
            f"{s['recognized']} recognized: {s['ok']} ok, {s['wrong']} wrong"
        )

    @property
    def exit_status(self) -> int:
        return 1 if self.claims - self.ok - self.unrecognized else 0


class _Ranges:
    """Line numbers kept as runs (``3-9``), not one by one: a document of junk may hold a
    million unrecognized lines."""

    def __init__(self) -> None:
        self.runs: list[list[int]] = []

    def __bool__(self) -> bool:
        return bool(self.runs)

    def add(self, line: int) -> None:
        last = self.runs[-1] if self.runs else None
        if last is not None and last[0] <= line <= last[1] + 1:
            last[1] = max(last[1], line)
        else:
            self.runs.append([line, line])

    def __str__(self) -> str:
        merged: list[list[int]] = []
        for start, end in sorted(self.runs):  # in document order already, but be sure
            if merged and start <= merged[-1][1] + 1:
                merged[-1][1] = max(merged[-1][1], end)
            else:
                merged.append([start, end])
        single = len(merged) == 1 and merged[0][0] == merged[0][1]
        parts = (str(a) if a == b else f"{a}-{b}" for a, b in merged)
        return ("line " if single else "lines ") + ", ".join(parts)


def reading(notation: dict[str, str]) -> str:
    """The notation learned, as one sentence: ``read H21 as out_h2_1, y as out_o1``."""
    if not notation:
        return ""
    groups: dict[str, list[tuple[str, str]]] = {}
    for written, name in notation.items():
        groups.setdefault(_ELEMENT.sub("[·]", written), []).append((written, name))
    pairs = []
    for members in groups.values():
        (first, name), (last, last_name) = members[0], members[-1]
        if len(members) == 1:
            pairs.append(f"{first} as {name}")
        else:  # the elements of one array: W[1][1]…W[3][3] as w1…w9
            pairs.append(f"{first}…{last} as {name}…{last_name}")
    return "read " + ", ".join(pairs)


def annotate(text: str, wrong: Iterable[Finding]) -> str:
    """A copy of `text` with a note after each block that holds a wrong claim.

    Only the wrong findings are needed. The notes of an earlier run are replaced, not
    stacked: they are dropped (the check read them as empty lines), and the line numbers
    the new notes quote are those of the document without them. Annotating an annotated
    copy changes nothing.
    """
    lines = split_lines(text)
    kept = [number for number, line in enumerate(lines, 1) if not NOTE.match(line)]
    clean = {number: index for index, number in enumerate(kept, 1)}
    notes: dict[int, list[str]] = {}
    for finding in wrong:
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
