"""Independent answers to the questions of an exercise, from tests/reference.py (mpmath).

Maps derive's canonical question names (net_h1, dE_total/dw5, delta_o1, w5+, E_total+)
to the values of `reference.reference_step`, which shares no code with derive.
"""

from __future__ import annotations

import tomllib
from decimal import Decimal
from pathlib import Path

from reference import reference_step


def variant_data(path: Path) -> dict:
    return tomllib.loads(path.read_text("utf-8"), parse_float=Decimal)


def reference_answer(ref: dict, name: str):
    """The reference value of one question."""
    if name == "E_total":
        return ref["errors"]["total"]
    if name == "E_total+":
        return ref["after_update"]["errors"]["total"]
    if name.startswith(("net_", "out_")):
        kind, neuron = name.split("_", 1)
        return ref["forward"][neuron][kind]
    if name.startswith("E_"):
        return ref["errors"][name[2:]]
    if name.startswith("dE_total/d"):
        return ref["gradients"][name[len("dE_total/d") :]]
    if name.startswith("delta_"):
        return ref["deltas"][name[len("delta_") :]]
    if name.endswith("+"):
        return ref["updated"][name[:-1]]
    raise KeyError(name)


def reference_answers(folder: Path) -> dict[tuple[int, str], object]:
    """(variant, question) → the reference value, for every variant folder of an exercise."""
    import csv
    import io

    rows = list(csv.DictReader(io.StringIO((folder / "answers.csv").read_text("utf-8"))))
    found = {}
    refs: dict[int, dict] = {}
    for row in rows:
        variant = int(row["variant"])
        if variant not in refs:
            spec = next(folder.glob(f"variant-*{variant:02d}/spec.toml"))
            refs[variant] = reference_step(variant_data(spec))
        found[(variant, row["quantity"])] = reference_answer(refs[variant], row["quantity"])
    return found
