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

from collections.abc import Iterable
from pathlib import Path

from derive.check.audit import Precision, audit
from derive.check.claims import iter_claims
from derive.check.diagnose import diagnose
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
from derive.check.report import CheckReport, Finding
from derive.check.truth import Truth, truth_of
from derive.errors import UsageError
from derive.spec import NetworkSpec


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
    if digits is not None and not 1 <= digits <= 30:
        raise UsageError(f"--digits: expected 'auto' or an integer from 1 to 30, got {digits}")
    truth = spec if isinstance(spec, Truth) else truth_of(spec)
    precision = Precision(truth, digits, strict=strict)
    notation, claims = _read(text, truth, precision, names)
    learned = notation.mapping or notation.forced or notation.codes
    view = with_naming(truth, notation.naming(truth.network)) if learned else truth
    results = []
    for verdict in audit(claims, view, precision):
        diagnosis = diagnose(verdict, view, precision) if verdict.verdict != "ok" else ""
        if learned:
            diagnosis = notation.translate(diagnosis)
        results.append(
            Finding(
                line=verdict.line,
                text=verdict.claim.text,
                quantity=verdict.quantity,
                verdict=verdict.verdict,
                stated=verdict.stated.value if verdict.stated is not None else None,
                stated_text=verdict.stated.text if verdict.stated is not None else None,
                expected=verdict.expected,
                diagnosis=diagnosis,
                anchor=verdict.claim.anchor,
                as_written=as_written(verdict.claim.links[0]),
            )
        )
    report = CheckReport(source, tuple(results), notation.as_dict(), tuple(notation.surprising()))
    return report.without_answers() if hide_answers else report


def _read(text: str, truth: Truth, precision: Precision, names) -> tuple[Notation, Iterable]:
    """The notation of the document, and its claims read in it.

    A first reading keeps every name the classic reading leaves open; when there is
    none (a document in derive's own names), its claims are the claims.
    """
    forced = names_file(names, truth) if names is not None else None
    network = truth.network
    base = forced or Notation()
    first = list(iter_claims(text, OpenNaming(network, Scheme(), None, base.forced, base.codes)))
    if names is not None:
        check_names_used(base, first, names)
    probe = OpenNaming(network, Scheme(), None, base.forced, base.codes)
    if forced is None and not any(open_atoms(c, probe, base) for c in first):
        return base, first
    notation = learn(first, truth, precision, forced)
    return notation, iter_claims(text, notation.naming(network))


def check_document(
    path: str | Path,
    spec: str | Path | NetworkSpec | Truth,
    *,
    digits: int | None = None,
    names: str | Path | None = None,
    strict: bool = False,
    hide_answers: bool = False,
) -> CheckReport:
    """Check the document at `path` (Markdown, LaTeX or plain text) against `spec`."""
    return check_text(
        read_document(path), spec, digits=digits, source=str(path), names=names,
        strict=strict, hide_answers=hide_answers,
    )  # fmt: skip


def read_document(path: str | Path) -> str:
    """The text of a document, whatever its bytes: undecodable bytes become U+FFFD."""
    target = Path(path)
    if target.is_dir():
        raise UsageError(f"{path}: is a directory, not a document")
    try:
        data = target.read_bytes()
    except FileNotFoundError:
        raise UsageError(f"{path}: no such file") from None
    except OSError as error:
        raise UsageError(f"{path}: cannot read the file: {error.strerror}") from None
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace")
    return data.decode("utf-8-sig", errors="replace")


__all__ = ["CheckReport", "Finding", "check_document", "check_text", "read_document"]
