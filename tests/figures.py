"""Helpers for the tests of the lecture formats: the key figures of a preset, computed
independently (tests/reference.py), and the text of a PDF as pdftotext reads it."""

from __future__ import annotations

import re
import shutil
import subprocess
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest
from conftest import preset_data
from reference import mp, reference_step

HOSTILE_TITLE = r"\input{/etc/passwd} $x$ 100% #1 a_b {c} & ~^ <b>bold</b> `tick` @label"


def rounded(value, digits: int) -> str:
    """A value as derive writes it in fixed notation: half up, `digits` significant digits."""
    exact = Decimal(
        mp.nstr(mp.mpf(value), 60, strip_zeros=False, min_fixed=-mp.inf, max_fixed=mp.inf)
    )
    quantum = Decimal(1).scaleb(exact.adjusted() - digits + 1)
    result = exact.quantize(quantum, rounding=ROUND_HALF_UP).normalize()
    assert -4 <= result.adjusted() < 6, "the key figures are written in fixed notation"
    return format(result, "f")


def key_figures(name: str) -> dict[str, str]:
    """E_total before and after the update and every updated weight, as printed."""
    data = preset_data(name)
    ref, digits = reference_step(data), data.get("digits", 9)
    figures = {
        "E_total": rounded(ref["errors"]["total"], digits),
        "E_total after": rounded(ref["after_update"]["errors"]["total"], digits),
    }
    for parameter, value in ref["updated"].items():
        if parameter.startswith("w"):
            figures[f"{parameter}+"] = rounded(value, digits)
    return figures


def need(tool: str) -> str:
    """The path of a command-line tool, or skip the test (CI installs them all)."""
    path = shutil.which(tool)
    if path is None:
        pytest.skip(f"{tool} is not installed")
    return path


def pdf_text(pdf: bytes | Path, tmp_path: Path) -> str:
    """The text of a PDF (pdftotext), with spacing normalized; Unicode minus as '-'."""
    need("pdftotext")
    if isinstance(pdf, bytes):
        path = tmp_path / "document.pdf"
        path.write_bytes(pdf)
    else:
        path = pdf
    result = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True
    )
    text = result.stdout.decode("utf-8").replace("\N{MINUS SIGN}", "-")
    return re.sub(r"[ \t]+", " ", text)


def missing_figures(text: str, name: str) -> list[str]:
    """The key figures of preset `name` that are not in `text`."""
    words = set(re.findall(r"-?\d+\.\d+", text))
    return [
        f"{label} = {value}" for label, value in key_figures(name).items() if value not in words
    ]
