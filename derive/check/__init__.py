"""derive check: read a person's own derivation and point at every wrong number, and why.

The pipeline, one stage per module, like CPython's doctest (parse, check, explain)::

    dialects.normalized    HTML, Typst        → LaTeX-flavoured text, line for line
    reader.read_blocks     document text      → located blocks (headings, math, rows)
    claims.read_claims     blocks + naming    → located claims (links, quantity, context)
    notation.learn         claims + truth     → the document's own names → the network's
    truth.Truth            spec               → every true value, per pass and sample
    audit.audit            claims + truth     → verdicts with evidence (deciding)
    diagnose.diagnose      verdict + truth    → why, in words (explaining)
    report.CheckReport     findings           → text, JSON, annotated copy

`check_text` and `check_document` run all of it::

    >>> import derive
    >>> report = derive.check_text("w5+ = 0.35891648", "mazur")
    >>> report.summary
    {'claims': 1, 'recognized': 1, 'ok': 1, 'wrong': 0}
"""

from __future__ import annotations

import codecs
import dataclasses
import itertools
import os
import pickle
import stat
import sys
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

from derive.check.audit import Precision, audit
from derive.check.claims import iter_claims
from derive.check.diagnose import diagnose
from derive.check.names import pair_bases
from derive.check.notation import (
    Notation,
    OpenNaming,
    Scheme,
    as_written,
    check_names_used,
    learn,
    names_file,
    open_atoms,
    with_naming,
)
from derive.check.reader import plain_lines
from derive.check.report import Checking, CheckReport, Finding
from derive.check.truth import Truth, truth_of
from derive.errors import UsageError
from derive.spec import NetworkSpec

#: the largest document read (bytes); ``--max-bytes`` raises it
MAX_BYTES = 10 * 1024 * 1024


def check_text(
    text: str,
    spec: str | Path | NetworkSpec | Truth,
    *,
    digits: int | None = None,
    source: str = "<document>",
    names: str | Path | None = None,
    strict: bool = False,
    hide_answers: bool = False,
) -> CheckReport:
    """Check every claim of `text` against the network of `spec` (file, preset or spec).

    `digits` compares at most that many significant digits (None: as many as written).
    The document's own notation is learned first (`derive.check.notation`); `names` is a
    TOML file of ``"document name" = "derive name"`` entries that override or complete
    it. `strict` accepts no value recomputed from the writer's own rounded numbers;
    `hide_answers` keeps every true value out of the report (graded homework).
    """
    return iter_check(
        text, spec, digits=digits, source=source, names=names, strict=strict,
        hide_answers=hide_answers,
    ).collect()  # fmt: skip


def iter_check(
    text: str,
    spec: str | Path | NetworkSpec | Truth,
    *,
    digits: int | None = None,
    source: str = "<document>",
    names: str | Path | None = None,
    strict: bool = False,
    hide_answers: bool = False,
) -> Checking:
    """The check of `text` under way (arguments as `check_text`): the notation is learned
    now, and each claim's finding is decided when the `Checking`'s results are read, in
    document order, so a long document is never held as findings at once."""
    if digits is not None and not 1 <= digits <= 30:
        raise UsageError(f"--digits: expected 'auto' or an integer from 1 to 30, got {digits}")
    truth = spec if isinstance(spec, Truth) else truth_of(spec)
    precision = Precision(truth, digits, strict=strict)
    plain = plain_lines(text)
    notation, results = _read(plain, truth, precision, names)
    check = Checking(source, notation.as_dict(), tuple(notation.surprising()), results)
    return check.without_answers() if hide_answers else check


def _findings(verdicts: Iterable, view, precision: Precision, translate) -> Iterator[Finding]:
    """Each verdict as reported, diagnosed when it is not ``ok``. The strings and numbers
    claims repeat (their text, name, values) are shared, so a report of a million short
    claims (`check_text` keeps them all) holds each once: about 150 bytes a claim."""
    shared: dict[object, object] = {}

    def share(value):
        return _shared(shared, value)

    for verdict in verdicts:
        claim, stated = verdict.claim, verdict.stated
        if verdict.verdict != "ok":
            diagnosis = diagnose(verdict, view, precision)
            diagnosis = translate(diagnosis) if translate else diagnosis
        else:
            diagnosis = ""
        if len(shared) > _SHARED:
            shared.clear()
        yield Finding(
            line=verdict.line,
            text=share(claim.text),
            quantity=share(verdict.quantity),
            verdict=verdict.verdict,
            stated=share(stated.value) if stated is not None else None,
            stated_text=share(stated.text) if stated is not None else None,
            expected=share(verdict.expected),
            diagnosis=diagnosis,
            anchor=claim.anchor,
            as_written=share(as_written(claim.links[0])),
        )


#: how many distinct strings and numbers `_findings` shares before it starts afresh
_SHARED = 1 << 16


def _read(text: str, truth: Truth, precision: Precision, names) -> tuple[Notation, Iterator]:
    """The notation of the document, and the findings on its claims read in it.

    The document is read once in the classic names, every open name kept (a name derive's
    own notation does not settle, `notation.open_atoms`). Until such a name turns up, each
    claim is judged as it is read and its finding held (`_Held`: on disk past a few MB);
    when none turns up (a document in derive's own names) the held findings are the
    findings: one reading. When one does, the claims from there on teach the notation
    (`notation.learn`, a bounded sample of them: the claims before carry no open name),
    and the document is read once more in it to be judged. No reading holds the claims.
    """
    network = truth.network
    forced = names_file(names, truth) if names is not None else None
    weights = sum(p.is_weight for p in network.parameters)
    base = replace(forced or Notation(), pair_bases=pair_bases(text, weights))

    def open_naming() -> OpenNaming:
        naming = OpenNaming(network, Scheme(), None, base.forced, base.codes)
        naming.pair_bases = base.pair_bases
        return naming

    def open_reading() -> Iterator:
        return iter_claims(text, open_naming())

    if names is not None:
        check_names_used(base, open_reading(), names)
        notation = learn(open_reading(), truth, precision, base)
        return notation, _judged(text, notation, truth, precision)
    claims = open_reading()
    probe = open_naming()
    first_open: list = []

    def classic() -> Iterator:
        for claim in claims:
            if open_atoms(claim, probe, base):
                first_open.append(claim)
                return
            yield claim

    held = _Held()
    for finding in _findings(audit(classic(), truth, precision), truth, precision, None):
        held.add(finding)
    if not first_open:
        return base, held.replay()
    held.close()
    notation = learn(itertools.chain(first_open, claims), truth, precision, base)
    return notation, _judged(text, notation, truth, precision)


def _judged(text: str, notation: Notation, truth: Truth, precision: Precision) -> Iterator:
    """The findings on the claims of `text` read in `notation`, decided one by one."""
    learned = notation.mapping or notation.forced or notation.codes
    view = with_naming(truth, notation.naming(truth.network)) if learned else truth
    translate = notation.translate if learned else None
    claims = iter_claims(text, notation.naming(truth.network))
    return _findings(audit(claims, view, precision), view, precision, translate)


class _Held:
    """Findings held until the document is known to need no notation learned: in memory
    up to a few MB, then in a temporary file, in batches (pickled as plain tuples)."""

    BATCH = 1024

    def __init__(self) -> None:
        self.file = tempfile.SpooledTemporaryFile(max_size=8 << 20)  # noqa: SIM115 (replay closes)
        self.batch: list[tuple] = []

    def add(self, finding: Finding) -> None:
        self.batch.append(tuple(getattr(finding, name) for name in _FIELDS))
        if len(self.batch) >= self.BATCH:
            self._write()

    def _write(self) -> None:
        pickle.dump(self.batch, self.file, protocol=pickle.HIGHEST_PROTOCOL)
        self.batch = []

    def close(self) -> None:
        self.file.close()

    def replay(self) -> Iterator[Finding]:
        """The findings held, in order; the strings and numbers they repeat shared again."""
        if self.batch:
            self._write()
        self.file.seek(0)
        shared: dict[object, object] = {}
        try:
            while True:
                try:
                    batch = pickle.load(self.file)
                except EOFError:
                    return
                if len(shared) > _SHARED:
                    shared.clear()
                for fields in batch:
                    values = list(fields)
                    for index in _SHARED_FIELDS:
                        values[index] = _shared(shared, values[index])
                    yield Finding(*values)
        finally:
            self.file.close()


_FIELDS = tuple(field.name for field in dataclasses.fields(Finding))
#: the fields that claims repeat (their text, name, values)
_SHARED_FIELDS = tuple(
    _FIELDS.index(name)
    for name in ("text", "quantity", "stated", "stated_text", "expected", "as_written")
)


def _shared(shared: dict, value):
    """`value`, or an equal one met before (a Decimal's key is its text: 0.40 is not 0.4)."""
    if value is None:
        return None
    key = (Decimal, str(value)) if isinstance(value, Decimal) else value
    return shared.setdefault(key, value)


def check_document(
    path: str | Path,
    spec: str | Path | NetworkSpec | Truth,
    *,
    digits: int | None = None,
    names: str | Path | None = None,
    strict: bool = False,
    hide_answers: bool = False,
    max_bytes: int = MAX_BYTES,
) -> CheckReport:
    """Check the document at `path` (Markdown, LaTeX or plain text) against `spec`."""
    return check_text(
        read_document(path, max_bytes), spec, digits=digits, source=str(path), names=names,
        strict=strict, hide_answers=hide_answers,
    )  # fmt: skip


_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),  # before UTF-16 LE: it begins with the same two bytes
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
    (codecs.BOM_UTF8, "utf-8-sig"),
)


def read_document(path: str | Path, max_bytes: int = MAX_BYTES) -> str:
    """The text of a document: UTF-8 (with or without a BOM), or UTF-16/32 with a BOM.

    ``-`` reads standard input. Only a regular file is opened, and at most `max_bytes`
    of it are read: a device (/dev/zero) or a named pipe would otherwise be read until
    memory runs out, or wait forever. Text that is UTF-16 without a BOM is refused
    (read as UTF-8 it holds no claim, and would pass as "0 claims"); other undecodable
    bytes become U+FFFD.
    """
    data = _read_bytes(str(path), max_bytes)
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return data.decode(encoding, errors="replace")
    if _looks_like_utf16(data):
        raise UsageError(
            f"{path}: looks like UTF-16 text without a byte-order mark; "
            "save it as UTF-8 (or as UTF-16 with a BOM)"
        )
    return data.decode("utf-8", errors="replace")


def _read_bytes(path: str, max_bytes: int) -> bytes:
    if path == "-":
        data = sys.stdin.buffer.read(max_bytes + 1)
        _refuse_size(path, len(data), max_bytes)
        return data
    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise UsageError(f"{path}: no such file") from None
    except OSError as error:
        raise UsageError(f"{path}: cannot read the file: {error.strerror}") from None
    if stat.S_ISDIR(info.st_mode):
        raise UsageError(f"{path}: is a directory, not a document")
    if not stat.S_ISREG(info.st_mode):
        raise UsageError(
            f"{path}: is {_kind(info.st_mode)}, not a regular file "
            "(to check what a program writes, pipe it in: ... | derive check - --spec SPEC)"
        )
    _refuse_size(path, info.st_size, max_bytes, whole=True)
    try:
        with open(path, "rb") as stream:
            data = stream.read(max_bytes + 1)  # the file may grow while it is read
    except OSError as error:
        raise UsageError(f"{path}: cannot read the file: {error.strerror}") from None
    _refuse_size(path, len(data), max_bytes)
    return data


def _refuse_size(path: str, size: int, max_bytes: int, *, whole: bool = False) -> None:
    """Refuse more than `max_bytes`; `size` is the whole size, or what a bounded read got."""
    if size > max_bytes:
        what = f"{size:,} bytes" if whole else f"more than {max_bytes:,} bytes"
        raise UsageError(
            f"{path}: the document is {what}, above the limit of {max_bytes:,} bytes "
            "(--max-bytes N raises it)"
        )


def _kind(mode: int) -> str:
    for test, name in (
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISFIFO, "a named pipe"),
        (stat.S_ISSOCK, "a socket"),
    ):
        if test(mode):
            return name
    return "a special file"


def _looks_like_utf16(data: bytes) -> bool:
    """Text in UTF-16 without a BOM: most characters carry a zero byte beside them, always
    on the same side (even offsets for big-endian, odd for little-endian), and read that
    way the bytes are printable text."""
    sample = data[: 1 << 16]
    pairs = len(sample) // 2
    if pairs < 4:
        return False
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    if not (max(even, odd) >= 0.4 * pairs and min(even, odd) <= 0.05 * pairs):
        return False
    text = sample[: 2 * pairs].decode("utf-16-be" if even > odd else "utf-16-le", "replace")
    printable = sum(c.isprintable() or c in "\t\n\r" for c in text)
    return printable >= 0.9 * len(text)


__all__ = [
    "MAX_BYTES",
    "CheckReport",
    "Checking",
    "Finding",
    "check_document",
    "check_text",
    "iter_check",
    "read_document",
]
