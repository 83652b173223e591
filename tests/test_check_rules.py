"""The declared explanations of derive/check/diagnose.py (`RULES`, `FORMULA_RULES`, `TYPOS`).

As ruff keeps a fixture per rule, each declared rule here must be produced by some
document: the scenarios (tests/check_documents/), the focused documents of
test_check_diagnoses.py, or the ones below, written for the slips added with the rules
(a sigmoid's exponent without its minus, a square weight matrix read transposed, a leaky
ReLU's slope left out). Their numbers are worked out from tests/reference.py (mpmath,
independent of derive), never from derive's output.
"""

from __future__ import annotations

import copy
import re
import string
from decimal import Decimal

import pytest
from conftest import preset_data
from reference import mp, num, reference_step
from test_check_diagnoses import SLIPS as FOCUSED
from test_check_documents import load, scenarios

from derive.check import check_document, check_text
from derive.check.diagnose import FORMULA_RULES, RULES, TYPOS
from derive.spec import spec_from_mapping

MAZUR = preset_data("mazur")
REF = reference_step(MAZUR)


def n(value, digits: int = 9) -> str:
    return mp.nstr(value, digits)


def leaky_network() -> dict:
    """Mazur's network with a leaky-ReLU hidden layer whose second unit is off (net < 0)."""
    data = copy.deepcopy(MAZUR)
    data["activation"] = ["leaky_relu", "sigmoid"]
    data["leaky_relu_slope"] = Decimal("0.01")
    data["weights"][0][1] = [Decimal(-10), Decimal("0.30")]
    return data


def _documents() -> list[tuple[str, str, object, str]]:
    """(id, document, spec, the diagnosis expected) for the slips the new rules explain."""
    forward, weights = REF["forward"], MAZUR["weights"]
    outs = [forward["h1"]["out"], forward["h2"]["out"]]
    # 1/(1 + e^net): the minus of the exponent lost
    lost = 1 / (1 + mp.exp(forward["h1"]["net"]))
    # net_o1 with the weights leaving h1 (column 1 of W2) in place of those entering o1
    transposed = sum(num(weights[1][k][0]) * outs[k] for k in range(2)) + num(MAZUR["biases"][1])
    leaky = leaky_network()
    deltas = reference_step(leaky)["deltas"]
    # δ_h2 = Σ_k δ_k·w_k,h2 · 1 where the leaky ReLU's derivative is α = 0.01 (net_h2 < 0)
    unmasked = sum(deltas[o] * num(leaky["weights"][1][k][1]) for k, o in enumerate(("o1", "o2")))
    return [
        (
            "sigmoid exponent without its minus",
            f"out_h1 = 1/(1 + exp({n(forward['h1']['net'], 4)})) = {n(lost)}",
            "mazur",
            "the minus sign in the exponent is lost",
        ),
        (
            "weight matrix transposed",
            f"Output layer: $net_{{o1}} = {n(transposed)}$",
            "mazur",
            "the weights leaving h1 were used instead of those entering o1",
        ),
        (
            "leaky ReLU slope left out",
            f"$\\frac{{\\partial E_{{total}}}}{{\\partial net_{{h2}}}} = {n(unmasked, 6)}$",
            spec_from_mapping(leaky),
            "the mask of the leaky rectified linear unit",
        ),
    ]


DOCUMENTS = _documents()


@pytest.mark.parametrize(("document", "spec", "diagnosis"), [d[1:] for d in DOCUMENTS],
                         ids=[d[0] for d in DOCUMENTS])  # fmt: skip
def test_the_new_slip_is_named(document, spec, diagnosis):
    (finding,) = check_text(document, spec).results
    assert finding.verdict == "wrong value", finding
    assert diagnosis in finding.diagnosis, finding.diagnosis


def test_a_right_value_is_not_explained_as_a_slip():
    """The true values of the same quantities pass: the rules explain, never decide."""
    forward = REF["forward"]
    text = f"out_h1 = {n(forward['h1']['out'])}\n$net_{{o1}} = {n(forward['o1']['net'])}$\n"
    assert [f.verdict for f in check_text(text, "mazur").results] == ["ok", "ok"]


def test_rules_are_declared_once():
    codes = [rule.code for rule in (*RULES, *FORMULA_RULES, *TYPOS)]
    assert len(codes) == len(set(codes)), codes
    for rules in (RULES, FORMULA_RULES, TYPOS):
        names = [rule.name for rule in rules]
        assert len(names) == len(set(names)), names
    for rule in (*RULES, *FORMULA_RULES, *TYPOS):
        finder = getattr(rule.find, "func", rule.find)
        assert finder.__doc__, f"{rule.code} {rule.name}: say which counterfactual it computes"


def pattern_of(wording: str) -> str:
    """A rule's wording as a regular expression (each field matches anything)."""
    parts = []
    for literal, field, _, _ in string.Formatter().parse(wording):
        parts.append(re.escape(literal))
        if field is not None:
            parts.append(".*?")
    return "".join(parts)


def test_every_declared_rule_is_produced():
    produced = [f.diagnosis for _, text, spec, _ in FOCUSED for f in check_text(text, spec).wrong]
    produced += [
        f.diagnosis for _, text, spec, _ in DOCUMENTS for f in check_text(text, spec).wrong
    ]
    for folder in scenarios():
        scenario = load(folder)
        produced += [f.diagnosis for f in check_document(scenario.document, scenario.spec).wrong]
    declared = [(r.code, r.name, r.wording) for r in (*RULES, *FORMULA_RULES)]
    declared += [(t.code, t.name, t.wording) for t in TYPOS]
    never = [(code, name) for code, name, wording in declared
             if not any(re.search(pattern_of(wording), d) for d in produced)]  # fmt: skip
    assert never == [], never
