"""Every diagnosis of derive/check/diagnose.py produced by a small document written for it.

The scenario documents (tests/check_documents/) produce most diagnoses; the ones no
scenario produces are here, one focused document each, as a student would write the
slip. Each slip's number is worked out from tests/reference.py (mpmath, independent of
derive): the test checks both that derive calls the number wrong and that it names the
slip that produces it. ``DIAGNOSES`` lists every diagnosis, and
``test_every_diagnosis_is_produced`` checks that the scenarios and this file together
produce each one.
"""

from __future__ import annotations

import copy
import re

import pytest
from conftest import preset_data
from reference import mp, reference_step
from test_check_documents import load, scenarios

from derive.check import check_document, check_text
from derive.spec import spec_from_mapping

MAZUR = preset_data("mazur")
REF = reference_step(MAZUR)
ETA = mp.mpf("0.5")


def n(value, digits: int = 9) -> str:
    return mp.nstr(value, digits)


def with_updated_weights(data: dict) -> dict:
    """The spec with every weight replaced by its value after the update."""
    updated, after, count = reference_step(data)["updated"], copy.deepcopy(data), 0
    for matrix in after["weights"]:
        for row in matrix:
            for j in range(len(row)):
                count += 1
                row[j] = updated[f"w{count}"]
    return after


def batch_of_two(batch: str) -> dict:
    data = {k: v for k, v in MAZUR.items() if k not in ("inputs", "targets")}
    data["samples"] = [
        {"inputs": MAZUR["inputs"], "targets": MAZUR["targets"]},
        {"inputs": [0.2, 0.4], "targets": [0.9, 0.1]},
    ]
    return {**data, "batch": batch}


def _slips() -> list[tuple[str, str, object, str]]:
    """(id, document, spec, the diagnosis expected) for each slip no scenario makes."""
    out_h1, out_o1 = REF["forward"]["h1"]["out"], REF["forward"]["o1"]["out"]
    target_o1, w5, g5 = mp.mpf("0.01"), mp.mpf("0.4"), REF["gradients"]["w5"]
    deltas, updated = REF["deltas"], REF["updated"]
    # w1⁺ whose hidden sum used the updated w5 and w7
    delta_h1 = (deltas["o1"] * updated["w5"] + deltas["o2"] * updated["w7"]) * out_h1 * (1 - out_h1)
    sum_batch = batch_of_two("sum")
    summed = mp.fsum(p["errors"]["total"] for p in reference_step(sum_batch)["samples"])
    biases_updated = {**MAZUR, "update_biases": True}
    dw5 = "\\frac{\\partial E_{total}}{\\partial w_5}"
    return [
        (
            "decimal point",
            f"$out_{{h1}} = {n(out_h1 * 10)}$",
            "mazur",
            "decimal point is misplaced",
        ),
        ("before the update", "w5+ = 0.40", "mazur", "this is the value before the update"),
        (
            "update without σ'",
            f"$w_5^{{+}} = {n(w5 - ETA * (out_o1 - target_o1) * out_h1)}$",
            "mazur",
            "its gradient lacks the activation derivative",
        ),
        (
            "gradient times η",
            f"${dw5} = {n(ETA * g5)}$",
            "mazur",
            "multiplied by the learning rate",
        ),
        (
            "gradient with updated weights",
            f"${dw5} = {n(reference_step(with_updated_weights(MAZUR))['gradients']['w5'])}$",
            "mazur",
            "this is the value with the updated weights (take every gradient first)",
        ),
        (
            "update with updated weights in the hidden sum",
            f"$w_1^{{+}} = {n(mp.mpf('0.15') - ETA * delta_h1 * mp.mpf('0.05'))}$",
            "mazur",
            "its gradient was computed with the updated weights in the hidden sum",
        ),
        (
            "mean where the batch sums",
            f"The loss of the batch: $E = {n(summed / 2)}$",
            spec_from_mapping(sum_batch),
            "this is the mean over the samples; the batch takes their sum",
        ),
        (
            "biases kept fixed",
            "b1+ = 0.350",
            spec_from_mapping(biases_updated),
            "the biases were kept fixed (this spec updates them)",
        ),
        ("bias missing", "$net_{h1} = w_1 i_1 + w_2 i_2$", "mazur", "the bias b1 is missing"),
        (
            "σ' missing from a formula",
            f"${dw5} = (out_{{o1}} - target_{{o1}}) \\cdot out_{{h1}}$",
            "mazur",
            "the activation derivative dout_o1/dnet_o1 is missing",
        ),
        (
            "a formula that gives another number",
            "$net_{h1} = w_1 i_1 \\cdot w_2 i_2 + b_1$",
            "mazur",
            "with the network's values it gives",
        ),
        (
            "a formula of another quantity",
            "$E_{total} = \\frac{1}{2}(target_{o1} - out_{o1})^2$",
            "mazur",
            "it gives the value of E_o1 instead",
        ),
    ]


SLIPS = _slips()


@pytest.mark.parametrize(("document", "spec", "diagnosis"), [s[1:] for s in SLIPS],
                         ids=[s[0] for s in SLIPS])  # fmt: skip
def test_the_slip_is_named(document, spec, diagnosis):
    (finding,) = check_text(document, spec).results
    assert finding.verdict in ("wrong value", "wrong formula"), finding
    assert diagnosis in finding.diagnosis, finding.diagnosis


def test_the_formula_number_is_the_reference_value():
    """'it gives 0.35015': w1·i1·w2·i2 + b1 at the network's values, computed here."""
    (finding,) = check_text(SLIPS[10][1], "mazur").results
    value = mp.mpf("0.15") * mp.mpf("0.05") * mp.mpf("0.2") * mp.mpf("0.1") + mp.mpf("0.35")
    assert f"gives {n(value, 9)}, not 0.3775" in finding.diagnosis


#: every diagnosis diagnose.py words, as a pattern of its wording
DIAGNOSES = {
    "carried": r"it carries the wrong value of .* from line \d+",
    "an input is": r"^\S+ is -?[\d.]+, not -?[\d.]+",
    "after the update": r"this is the value after the update \(with the updated weights\)",
    "before the update": r"this is the value before the update \(with the original weights\)",
    "gradient with updated weights": r"this is the value with the updated weights",
    "hidden sum with updated weights": r"the hidden sum used the updated weights",
    "update with updated weights": r"its gradient was computed with the updated weights",
    "off by one update": r"this is the value after [\d,]+ updates, not [\d,]+",
    "one sample for the batch": r"this is the value of sample \d+ alone, not of the batch",
    "another sample": r"this is the value for sample \d+",
    "sum for mean": r"this is the sum over the samples; the batch takes their mean",
    "mean for sum": r"this is the mean over the samples; the batch takes their sum",
    "another activation": r"this uses the derivative of .*; layer \d+ uses",
    "biases updated": r"the biases were updated too \(this spec keeps them fixed\)",
    "biases fixed": r"the biases were kept fixed \(this spec updates them\)",
    "update without η": r"the learning rate η is missing from the update",
    "update adds": r"η·∂E/∂\S+ was added instead of subtracted",
    "update not made": r"^this is the value before the update$",
    "update without σ'": r"its gradient lacks the activation derivative ∂out/∂net",
    "update with another gradient": r"the update used the gradient of \S+",
    "path missing": r"the term through \S+ is missing",
    "σ' missing": r"the activation derivative ∂out/∂net is missing",
    "target and output swapped in ∂E/∂out": r"target and output are swapped in ∂E/∂out",
    "gradient times η": r"this is the gradient multiplied by the learning rate η",
    "sign": r"the sign is flipped",
    "another quantity's value": r"this is the value of (?!sample)\S+",
    "arithmetic": r" gives -?[\d.]+, not -?[\d.]+",
    "operator": r"'.' was typed where '.' gives the value written next",
    "formula value": r"with the network's values it gives",
    "formula: target and output swapped": r"^target and output are swapped$",
    "formula: a name for another": r"is written where \S+ belongs",
    "formula: η missing": r"^the learning rate η is missing$",
    "formula: σ' missing": r"^the activation derivative d\S+ is missing",
    "formula: bias missing": r"the bias \S+ is missing",
    "formula of another quantity": r"it gives the value of \S+ instead",
    "typo: 0. missing": r"a typo: '0\.' is missing",
    "typo: decimal point": r"a typo: the decimal point is misplaced",
    "typo: digits swapped": r"a typo: two digits swapped",
    "typo: digit dropped": r"a typo: a digit dropped",
}


def test_every_diagnosis_is_produced():
    produced = [f.diagnosis for _, text, spec, _ in SLIPS for f in check_text(text, spec).wrong]
    for folder in scenarios():
        scenario = load(folder)
        report = check_document(scenario.document, scenario.spec)
        produced += [f.diagnosis for f in report.wrong]
    never = [name for name, pattern in DIAGNOSES.items()
             if not any(re.search(pattern, d) for d in produced)]  # fmt: skip
    assert never == [], never
