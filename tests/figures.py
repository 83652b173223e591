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
    return format(result, "f") if result else "0"


def key_figures(source: str | dict) -> dict[str, str]:
    """The loss (E_total) before and after the update and every updated weight, as
    printed, for a preset name or the data of a spec."""
    data = preset_data(source) if isinstance(source, str) else source
    ref, digits = reference_step(data), data.get("digits", 9)
    figures = {
        "E_total": rounded(ref["loss"], digits),
        "E_total after": rounded(ref["loss_after"], digits),
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


def missing_figures(text: str, source: str | dict) -> list[str]:
    """The key figures of a preset (or of a spec's data) that are not in `text`."""
    words = set(re.findall(r"-?\d+\.\d+", text))
    figures = key_figures(source).items()
    return [f"{label} = {value}" for label, value in figures if value not in words]


#: two samples, leaky ReLU, sigmoid outputs with binary cross-entropy (which collapses to
#: out − target), updated biases: the step kinds beyond the classic example
BATCH = {
    "title": "Two samples, leaky ReLU, binary cross-entropy",
    "layers": [2, 2, 2],
    "activation": ["leaky_relu", "sigmoid"],
    "loss": "binary_cross_entropy",
    "leaky_relu_slope": Decimal("0.05"),
    "learning_rate": Decimal("0.5"),
    "samples": [
        {"inputs": [Decimal("0.05"), Decimal("0.1")], "targets": [1, 0]},
        {"inputs": [Decimal("-0.3"), Decimal("0.2")], "targets": [0, 1]},
    ],
    "batch": "mean",
    "weights": [
        [[Decimal("0.15"), Decimal("0.2")], [Decimal("-0.25"), Decimal("0.3")]],
        [[Decimal("0.4"), Decimal("0.45")], [Decimal("0.5"), Decimal("-0.55")]],
    ],
    "bias": "shared",
    "biases": [Decimal("0.35"), Decimal("0.6")],
    "update_biases": True,
}


def kind_cases() -> dict[str, tuple[object, dict, str | dict]]:
    """name → (spec for derive.explain, its options, the source of its key figures)."""
    from derive.spec import spec_from_mapping

    return {
        "softmax": ("softmax", {}, "softmax"),
        "layered": ("mazur", {"notation": "layered"}, "mazur"),
        "batch": (spec_from_mapping(BATCH, where="batch.toml"), {"steps": 50}, BATCH),
    }
