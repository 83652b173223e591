"""derive check on hand-written documents: every planted error found, no false alarm.

Each folder of ``tests/check_documents/`` is a scenario: one document (Markdown, LaTeX or
plain text) and ``expected.toml``, which names the network (``spec``: a preset, or a TOML
file in the folder), how many claims the check must read and recognize, and every wrong
claim it must report (``[[wrong]]``: line, verdict, quantity, the value expected at the
writer's precision, a phrase of the diagnosis, and what was planted — or
``consequence_of``, the line of the planted slip a wrong number follows from). Nothing
else may be reported wrong.

The expected values are the planting's own (the number before it was changed), and are
checked here once more against the independent mpmath implementation of
``tests/reference.py`` (an entry's ``sample`` and ``phase`` say which pass it is of).
Run this file as a script for the tally over all scenarios.
"""

from __future__ import annotations

import re
import sys
import tomllib
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pytest
from conftest import ROOT, preset_data
from reference import (
    Net,
    activation_jacobian,
    backprop,
    flat_weights,
    loss_gradient,
    mp,
    neuron_names,
    reference_step,
)

from derive.check import CheckReport, check_document

FOLDER = ROOT / "tests" / "check_documents"
DOCUMENTS = (".md", ".tex", ".txt", ".markdown", ".html")


@dataclass(frozen=True)
class Scenario:
    folder: Path
    document: Path
    spec: str
    expected: dict

    @property
    def wrong(self) -> list[dict]:
        """The wrong claims the checker must report (a line may hold more than one)."""
        return self.expected.get("wrong", [])


def scenarios() -> list[Path]:
    return sorted(p for p in FOLDER.iterdir() if (p / "expected.toml").is_file())


def load(folder: Path) -> Scenario:
    expected = tomllib.loads((folder / "expected.toml").read_text("utf-8"))
    (document,) = [p for p in folder.iterdir() if p.suffix in DOCUMENTS]
    spec = expected["spec"]
    spec = str(folder / spec) if spec.endswith(".toml") else spec
    return Scenario(folder, document, spec, expected)


_REPORTS: dict[Path, CheckReport] = {}


def report_of(scenario: Scenario) -> CheckReport:
    if scenario.folder not in _REPORTS:
        _REPORTS[scenario.folder] = check_document(scenario.document, scenario.spec)
    return _REPORTS[scenario.folder]


def _describe(report: CheckReport) -> str:
    return "\n" + report.to_text()


def paired(entries: list[dict], findings) -> tuple[list[tuple], list[dict], list]:
    """Each expected wrong claim paired with a finding on its line that matches it (verdict,
    quantity, expected value, diagnosis), each finding used once: (pairs, entries left
    unfound, findings left over — false alarms)."""
    left = list(findings)
    pairs, missed = [], []
    for entry in entries:
        hit = next((f for f in left if f.line == entry["line"] and _matches(f, entry)), None)
        if hit is None:
            missed.append(entry)
        else:
            left.remove(hit)
            pairs.append((entry, hit))
    return pairs, missed, left


@pytest.mark.parametrize("folder", scenarios(), ids=lambda p: p.name)
def test_every_wrong_claim_is_found_and_nothing_else(folder):
    scenario = load(folder)
    report = report_of(scenario)
    _pairs, missed, extra = paired(scenario.wrong, report.wrong)
    assert not missed and not extra, (missed, extra, _describe(report))


@pytest.mark.parametrize("folder", scenarios(), ids=lambda p: p.name)
def test_claims_are_read_and_recognized(folder):
    scenario = load(folder)
    summary = report_of(scenario).summary
    assert summary["claims"] == scenario.expected["claims"], _describe(report_of(scenario))
    assert summary["recognized"] == scenario.expected["recognized"], _describe(report_of(scenario))


@pytest.mark.parametrize("folder", scenarios(), ids=lambda p: p.name)
def test_expected_values_agree_with_the_reference(folder):
    """The values the scenarios expect are the true ones, by an independent computation."""
    scenario = load(folder)
    data = spec_data(scenario.spec)
    checked = 0
    for entry in scenario.wrong:
        if "expected" not in entry:
            continue
        phase, sample = entry.get("phase", "before"), entry.get("sample", 1)
        value = reference_value(entry["quantity"], phase, data, sample)
        assert value is not None, f"the reference does not know {entry['quantity']}"
        expected = Decimal(entry["expected"])
        unit = Decimal(1).scaleb(expected.as_tuple().exponent)
        assert abs(expected - Decimal(mp.nstr(value, 30))) <= unit, (entry, value)
        checked += 1
    assert checked or not any("expected" in e for e in scenario.wrong)


def spec_data(spec: str) -> dict:
    """A preset's or a scenario's own TOML, read by the test (exact decimals)."""
    if spec.endswith(".toml"):
        return tomllib.loads(Path(spec).read_text("utf-8"), parse_float=Decimal)
    return preset_data(spec)


@pytest.mark.parametrize("folder", scenarios(), ids=lambda p: p.name)
def test_the_notation_learned_is_the_documents(folder):
    """The names the scenario says the document uses are read as it says (and said so)."""
    scenario = load(folder)
    notation = report_of(scenario).notation
    for written, name in scenario.expected.get("notation", {}).items():
        assert notation.get(written) == name, (written, notation)


def reference_value(name: str, phase: str, data: dict, sample: int = 1):
    """A quantity named as derive check names it, computed by tests/reference.py.

    `sample` is 1-based; ``E``, ``dE/dp`` are the batch's loss and gradients and
    ``E_total^(k)`` sample k's loss when the spec has several samples.
    """
    if name.startswith("-"):  # −∂E/∂net_j: the error signal δ_j of some textbooks
        value = reference_value(name[1:], phase, data, sample)
        return None if value is None else -value
    if phase == "trained":
        return trained(data, 10_000).get(name)
    ref = reference_step(data)
    after = phase == "after"
    batch = {"E": ref["loss_after"] if after else ref["loss"]}
    batch.update({f"dE/d{p}": g for p, g in ref["gradients"].items()})
    per_sample = re.fullmatch(r"E_total\^\((\d+)\)", name)
    if name in batch:
        return batch[name]
    if per_sample:
        sample, name = int(per_sample.group(1)), "E_total"
    return _sample_table(ref, data, sample, after).get(name)


def _sample_table(ref: dict, data: dict, sample: int, after: bool) -> dict:
    """Every quantity of one sample's pass (and the step's gradients and updates)."""
    passes = ref["after_samples"] if after else ref["samples"]
    forward, errors = passes[sample - 1]["forward"], passes[sample - 1]["errors"]
    given = data["samples"][sample - 1] if "samples" in data else data
    net = Net.from_spec_data(data)
    names = neuron_names(data["layers"])
    outs = {n: forward[n]["out"] for layer in names[1:] for n in layer}
    outs.update({n: mp.mpf(str(x)) for n, x in zip(names[0], given["inputs"], strict=True)})
    targets = [mp.mpf(str(t)) for t in given["targets"]]
    result = backprop(net, given["inputs"], given["targets"])
    deltas = {n: result["deltas"][l][j] for l, layer in enumerate(names) if l
              for j, n in enumerate(layer)}  # fmt: skip
    table = {"E_total": errors["total"]}
    for l, layer in enumerate(names[1:], 1):
        kind = net.activations[l - 1]
        nets = [forward[n]["net"] for n in layer]
        jacobian = activation_jacobian(kind, nets, [outs[n] for n in layer], net.slope)
        for j, n in enumerate(layer):
            table[f"net_{n}"], table[f"out_{n}"] = nets[j], outs[n]
            table[f"dE_total/dnet_{n}"] = deltas[n]
            if kind != "softmax":
                table[f"dout_{n}/dnet_{n}"] = jacobian[j][j]
    gradient = loss_gradient(net.loss, [outs[o] for o in names[-1]], targets)
    last = [[mp.mpf(str(w)) for w in row] for row in data["weights"][-1]]
    for k, o in enumerate(names[-1]):
        table[f"E_{o}"] = errors[o]
        table[f"dE_total/dout_{o}"] = table[f"dE_{o}/dout_{o}"] = gradient[k]
        table[f"dE_{o}/dnet_{o}"] = deltas[o]
        for j, h in enumerate(names[-2]):
            table[f"dnet_{o}/dout_{h}"] = last[k][j]
            table[f"dE_{o}/dout_{h}"] = deltas[o] * last[k][j]
    for h in names[-2]:
        table[f"dE_total/dout_{h}"] = mp.fsum(table[f"dE_{o}/dout_{h}"] for o in names[-1])
    several = "samples" in data
    own = {f"w{i + 1}": g for i, g in enumerate(flat_weights(result["weights"]))}
    for parameter, value in ref["gradients"].items():
        table[f"dE_total/d{parameter}"] = own.get(parameter, value) if several else value
    for parameter, value in ref["updated"].items():
        table[f"{parameter}+"] = value
        table[f"Δ{parameter}"] = value - ref["parameters"][parameter]  # the change: p⁺ − p
        table[parameter] = value if after else ref["parameters"][parameter]
    return table


def trained(data: dict, steps: int) -> dict[str, float]:
    """Outputs and total error after `steps` updates: a plain-float loop of its own."""
    import math

    sizes = data["layers"]
    weights = [[[float(w) for w in row] for row in m] for m in data["weights"]]
    biases = [float(b) for b in data["biases"]]
    x = [float(v) for v in data["inputs"]]
    t = [float(v) for v in data["targets"]]
    rate = float(data["learning_rate"])

    def forward():
        outs = [x]
        for layer, matrix in enumerate(weights):
            nets = [sum(w * o for w, o in zip(row, outs[-1], strict=True)) + biases[layer]
                    for row in matrix]  # fmt: skip
            outs.append([1 / (1 + math.exp(-n)) for n in nets])
        return outs

    for _ in range(steps):
        outs = forward()
        delta = [(o - y) * o * (1 - o) for o, y in zip(outs[-1], t, strict=True)]
        grads = []
        for layer in range(len(weights) - 1, -1, -1):
            grads.append([[d * o for o in outs[layer]] for d in delta])
            if layer:
                delta = [
                    sum(weights[layer][k][j] * delta[k] for k in range(sizes[layer + 1]))
                    * outs[layer][j] * (1 - outs[layer][j])
                    for j in range(sizes[layer])
                ]  # fmt: skip
        for layer, grad in zip(range(len(weights) - 1, -1, -1), grads, strict=True):
            for j, row in enumerate(grad):
                for k, g in enumerate(row):
                    weights[layer][j][k] -= rate * g
    outs = forward()[-1]
    values = {f"out_o{j + 1}": o for j, o in enumerate(outs)}
    values["E_total"] = sum((y - o) ** 2 / 2 for o, y in zip(outs, t, strict=True))
    return {k: mp.mpf(v) for k, v in values.items()}


# -- the tally ------------------------------------------------------------------------------
def tally() -> dict[str, int]:
    """Over every scenario: planted slips found and missed, consequences, false alarms."""
    counts = dict.fromkeys(("documents", "claims", "planted", "found", "missed"), 0)
    counts.update({"consequences found": 0, "false alarms": 0})
    for folder in scenarios():
        scenario = load(folder)
        report = report_of(scenario)
        pairs, missed, extra = paired(scenario.wrong, report.wrong)
        counts["documents"] += 1
        counts["claims"] += report.summary["claims"]
        for entry, hit in [(e, True) for e, _ in pairs] + [(e, False) for e in missed]:
            if "consequence_of" in entry:
                counts["consequences found"] += hit
                continue
            counts["planted"] += 1
            counts["found" if hit else "missed"] += 1
        counts["false alarms"] += len(extra)
    return counts


def _matches(finding, entry: dict) -> bool:
    return (
        finding.verdict == entry["verdict"]
        and finding.quantity == entry.get("quantity")  # none: unnamed
        and ("expected" not in entry or finding.expected == Decimal(entry["expected"]))
        and entry.get("diagnosis", "") in finding.diagnosis
    )


def test_the_tally_finds_everything_and_raises_no_false_alarm():
    counts = tally()
    assert counts["missed"] == 0 and counts["false alarms"] == 0, counts
    assert counts["found"] == counts["planted"] > 0


if __name__ == "__main__":
    sys.exit(print(tally()))
