"""Judging claims, explaining verdicts, and reporting them (text, JSON, annotated copy).

True values in these tests come from tests/reference.py, never from derive.
"""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from conftest import preset_data
from reference import mp, reference_step

import derive
from derive.check import check_text

REF = reference_step(preset_data("mazur"))
OUT_H1 = REF["forward"]["h1"]["out"]
GRAD_W5 = REF["gradients"]["w5"]


def one(text: str, spec: str = "mazur", **options):
    report = check_text(text, spec, **options)
    assert len(report.results) == 1, report.results
    return report.results[0]


def rounded(value, places: int) -> str:
    return str(Decimal(mp.nstr(value, 30)).quantize(Decimal(1).scaleb(-places)))


# -- precision ------------------------------------------------------------------------------
@pytest.mark.parametrize("places", [2, 4, 6, 9, 12])
def test_a_value_rounded_to_any_precision_is_right(places):
    assert one(f"$out_{{h1}} = {rounded(OUT_H1, places)}$").verdict == "ok"


def test_one_unit_off_in_the_last_place_is_drift_but_more_is_wrong():
    right = Decimal(rounded(GRAD_W5, 6))
    assert one(f"dE/dw5 = {right + Decimal('0.000001')}").verdict == "ok"
    finding = one(f"dE/dw5 = {right + Decimal('0.000003')}")
    assert finding.verdict == "wrong value" and finding.expected == right


def test_spec_values_must_be_exact():
    assert one("w5 = 0.40").verdict == "ok"
    assert one("w5 = 0.41").verdict == "wrong value"


def test_truncated_values_are_right():
    truncated = str(mp.floor(OUT_H1 * 10**6) / 10**6)[:8]  # 0.593269
    assert one(f"out_{{h1}} = {truncated}...").verdict == "ok"


def test_digits_option_compares_fewer_digits():
    sloppy = rounded(GRAD_W5, 9)[:-3] + "999"
    assert one(f"dE/dw5 = {sloppy}").verdict == "wrong value"
    assert one(f"dE/dw5 = {sloppy}", digits=4).verdict == "ok"


def test_drift_from_the_writers_own_rounded_values_is_allowed():
    # out_h1 and out_h2 to 3 decimals, then net_o1 computed from those: 1.10585, not 1.10591
    text = (
        "$out_{h1} = 0.593$\n\n$out_{h2} = 0.597$\n\n"
        "$net_{o1} = w_5 out_{h1} + w_6 out_{h2} + b_2 = 1.10585$\n"
    )
    report = check_text(text, "mazur")
    assert [r.verdict for r in report.results] == ["ok", "ok", "ok"], report.to_text()


# -- verdicts -------------------------------------------------------------------------------
def test_arithmetic_slip():
    finding = one("$net_{h1} = 0.15 \\cdot 0.05 + 0.2 \\cdot 0.1 + 0.35 = 0.3875$")
    assert finding.verdict == "arithmetic slip" and finding.expected == Decimal("0.3775")


def test_unrecognized_claims_are_still_checked_for_arithmetic():
    assert one("$0.5 \\cdot 3 = 1.5$").verdict == "unrecognized"
    finding = one("$x = 0.5 \\cdot 3 = 1.6$")
    assert finding.verdict == "arithmetic slip" and finding.quantity is None


def test_wrong_formula_right_by_accident_at_the_network_values():
    # w_8 · i_1 happens to equal w_3 · i_1 + 0.015 nowhere else: both points must agree
    finding = one("$net_{h2} = w_3 i_1 + w_4 i_1 + b_1$")
    assert finding.verdict == "wrong formula"
    assert "the second i1 is written where i2 belongs" in finding.diagnosis


def test_the_dropped_zero_point_of_the_issue():
    finding = one("$\\frac{\\partial E_{total}}{\\partial out_{o2}} = -21707153$")
    assert finding.verdict == "wrong value"
    true = REF["forward"]["o2"]["out"] - mp.mpf("0.99")
    assert finding.expected == Decimal(rounded(true, 8))  # its own 8 significant digits
    assert "'0.' is missing" in finding.diagnosis
    assert "-0.21707153" in finding.diagnosis


def test_the_value_of_another_gradient():
    finding = one(
        f"$\\frac{{\\partial E_{{total}}}}{{\\partial w_3}} = {rounded(REF['gradients']['w1'], 8)}$"
    )
    assert finding.verdict == "wrong value"
    assert finding.diagnosis == "this is the value of dE_total/dw1"
    assert finding.expected == Decimal(rounded(REF["gradients"]["w3"], 8))


def test_training_claims_need_a_count():
    report = check_text("After 50 iterations $E_{total} = 0.5$", "mazur")
    assert report.results[0].verdict == "wrong value"


# -- reports --------------------------------------------------------------------------------
W1 = rounded(REF["gradients"]["w1"], 8)
PLANTED = (
    "# Notes\n\n"
    "$$E_{total} = 0.298371109$$\n\n"
    f"$$\\frac{{\\partial E_{{total}}}}{{\\partial w_3}} = {W1}$$\n\n"
    "digits = 9\n"
)


def test_json_has_the_shape_of_the_design_notes():
    data = json.loads(json.dumps(check_text(PLANTED, "mazur").to_json()))
    assert set(data) == {"notation", "claims", "findings", "summary"}
    assert data["summary"] == {"claims": 3, "recognized": 2, "ok": 1, "wrong": 1}
    assert len(data["claims"]) == 3 and data["notation"] == {}
    assert [c for c in data["claims"] if c["verdict"] != "ok"] == data["findings"]
    wrong, unrecognized = data["findings"]
    assert set(wrong) == {
        "line", "text", "quantity", "as_written", "verdict", "stated", "expected", "diagnosis"
    }  # fmt: skip
    assert wrong["line"] == 5 and wrong["quantity"] == "dE_total/dw3"
    assert (
        wrong["verdict"] == "wrong value"
        and wrong["diagnosis"] == "this is the value of dE_total/dw1"
    )
    assert wrong["stated"] == pytest.approx(float(REF["gradients"]["w1"]), abs=1e-8)
    assert wrong["expected"] == pytest.approx(float(REF["gradients"]["w3"]), abs=1e-8)
    assert unrecognized["verdict"] == "unrecognized" and unrecognized["quantity"] is None


def test_text_report_names_file_and_line():
    text = check_text(PLANTED, "mazur", source="notes.md").to_text()
    assert text.splitlines()[0].startswith("notes.md:5: wrong value: ∂E_{total}/∂w_3 is ")
    assert text.splitlines()[-1] == "3 claims read, 2 recognized: 1 ok, 1 wrong"
    assert "not recognized: line 7" in text


def test_annotated_copy_marks_each_wrong_claim_after_its_block():
    report = check_text(PLANTED, "mazur")
    annotated = report.annotate(PLANTED)
    lines = annotated.splitlines()
    assert lines[:5] == PLANTED.splitlines()[:5]
    assert lines[5].startswith("> **derive check** (line 5): wrong value: ∂E_{total}/∂w_3")
    assert annotated.replace(lines[5] + "\n", "") == PLANTED


def test_annotations_in_latex_are_comments_after_the_environment():
    text = (
        "\\documentclass{article}\n\\begin{document}\n\\begin{align}\n"
        "w_5^{+} &= 0.4 - 0.5 \\cdot 0.08217 \\\\\n&= 0.3689\n\\end{align}\nx\n\\end{document}\n"
    )
    report = check_text(text, "mazur")
    assert [f.line for f in report.wrong] == [5]
    annotated = report.annotate(text).splitlines()
    assert annotated[5] == "\\end{align}" and annotated[6].startswith("% derive check (line 5)")


def test_a_clean_document_exits_0_and_a_wrong_one_1():
    assert check_text("$w_5 = 0.4$", "mazur").exit_status == 0
    assert check_text("$w_5 = 0.5$", "mazur").exit_status == 1
    assert check_text("nothing here", "mazur").exit_status == 0


def test_the_python_api():
    assert "check_document" in derive.__all__ and "check_text" in derive.__all__
    report = derive.check_text("w5+ = 0.35891648", "mazur")
    assert report.summary == {"claims": 1, "recognized": 1, "ok": 1, "wrong": 0}
