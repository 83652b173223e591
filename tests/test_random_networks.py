"""Random networks (Hypothesis): derive's gradients against central finite differences.

Depths of 2 to 5 layers, widths 1 to 6, random values and every bias mode; the finite
differences are taken of the reference total error in mpmath at 60 digits, so they share
nothing with derive's chain rule.
"""

from __future__ import annotations

from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from reference import Net, finite_difference, mp, reference_step, total_error

import derive

values = st.decimals(min_value=Decimal("-2"), max_value=Decimal("2"), places=3)
unit = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("0.99"), places=2)


@st.composite
def networks(draw) -> dict:
    sizes = draw(st.lists(st.integers(1, 6), min_size=2, max_size=5))
    mode = draw(st.sampled_from(["shared", "per_neuron", "none"]))
    data = {
        "layers": sizes,
        "learning_rate": draw(st.sampled_from([Decimal("0.1"), Decimal("0.5"), Decimal("1")])),
        "inputs": draw(st.lists(values, min_size=sizes[0], max_size=sizes[0])),
        "targets": draw(st.lists(unit, min_size=sizes[-1], max_size=sizes[-1])),
        "weights": [
            [
                draw(st.lists(values, min_size=sizes[l], max_size=sizes[l]))
                for _ in range(sizes[l + 1])
            ]
            for l in range(len(sizes) - 1)
        ],
        "bias": mode,
        "update_biases": draw(st.booleans()),
    }
    if mode == "shared":
        data["biases"] = draw(st.lists(values, min_size=len(sizes) - 1, max_size=len(sizes) - 1))
    elif mode == "per_neuron":
        data["biases"] = [draw(st.lists(values, min_size=n, max_size=n)) for n in sizes[1:]]
    return data


def _perturbed_error(data: dict, name: str):
    """E_total as a function of one parameter, all others fixed (reference arithmetic)."""

    def error(x):
        changed = _set_parameter(data, name, x)
        return total_error(Net.from_spec_data(changed), data["inputs"], data["targets"])

    return error


def _set_parameter(data: dict, name: str, value) -> dict:
    changed = {**data, "weights": [[list(r) for r in m] for m in data["weights"]]}
    index = int(name[1:])
    if name.startswith("w"):
        for matrix in changed["weights"]:
            for row in matrix:
                for k in range(len(row)):
                    index -= 1
                    if index == 0:
                        row[k] = value
        return changed
    if data["bias"] == "shared":
        changed["biases"] = list(data["biases"])
        changed["biases"][index - 1] = value
        return changed
    changed["biases"] = [list(layer) for layer in data["biases"]]
    for layer in changed["biases"]:
        for j in range(len(layer)):
            index -= 1
            if index == 0:
                layer[j] = value
    return changed


def close(a, b) -> bool:
    a, b = mp.mpf(a), mp.mpf(b)
    return abs(a - b) <= mp.mpf("1e-12") * max(abs(a), abs(b)) + mp.mpf("1e-28")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(networks())
def test_gradients_match_central_differences(data):
    walkthrough = derive.explain(derive.spec_from_mapping(data))
    step = walkthrough.step
    for name, gradient in step.gradients.items():
        start = mp.mpf(str(step.parameters[name]))
        numeric = finite_difference(_perturbed_error(data, name), start)
        assert close(gradient, numeric), (name, gradient, numeric)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(networks())
def test_every_value_matches_the_reference(data):
    walkthrough = derive.explain(derive.spec_from_mapping(data))
    step, ref = walkthrough.step, reference_step(data)
    for neuron in walkthrough.network.neurons():
        assert close(step.before[0][neuron.out], ref["forward"][neuron.name]["out"])
        assert close(step.after[0][neuron.out], ref["after_update"]["forward"][neuron.name]["out"])
    for name, value in step.updated.items():
        assert close(value, ref["updated"][name]), name
    assert close(step.after[0].total, ref["after_update"]["errors"]["total"])
