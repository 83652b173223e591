"""derive check: read a person's own derivation and point at every wrong number, and why.

The pipeline, one stage per module, like CPython's doctest (parse, check, explain)::

    dialects.normalized    HTML, Typst        → LaTeX-flavoured text, line for line
    reader.read_blocks     document text      → located blocks (headings, math, rows)
    claims.read_claims     blocks + naming    → located claims (links, quantity, context)
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

from pathlib import Path

from derive.check.audit import Precision, audit
from derive.check.claims import iter_claims
from derive.check.diagnose import diagnose
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
) -> CheckReport:
    """Check every claim of `text` against the network of `spec` (file, preset or spec).

    `digits` compares at most that many significant digits (None: as many as written).
    """
    if digits is not None and not 1 <= digits <= 30:
        raise UsageError(f"--digits: expected 'auto' or an integer from 1 to 30, got {digits}")
    truth = spec if isinstance(spec, Truth) else truth_of(spec)
    precision = Precision(truth, digits)
    claims = iter_claims(text, truth.naming)
    results = []
    for verdict in audit(claims, truth, precision):
        results.append(
            Finding(
                line=verdict.line,
                text=verdict.claim.text,
                quantity=verdict.quantity,
                verdict=verdict.verdict,
                stated=verdict.stated.value if verdict.stated is not None else None,
                stated_text=verdict.stated.text if verdict.stated is not None else None,
                expected=verdict.expected,
                diagnosis=diagnose(verdict, truth, precision) if verdict.verdict != "ok" else "",
                anchor=verdict.claim.anchor,
            )
        )
    return CheckReport(source, tuple(results))


def check_document(
    path: str | Path, spec: str | Path | NetworkSpec | Truth, *, digits: int | None = None
) -> CheckReport:
    """Check the document at `path` (Markdown, LaTeX or plain text) against `spec`."""
    return check_text(read_document(path), spec, digits=digits, source=str(path))


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
