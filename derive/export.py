"""Training step → the JSON result of the design notes, straight from the numbers.

Every value is a JSON number carrying full double precision (never rounded to the
display digits), so other programs can compare against their own computations.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from derive.model import SymbolicNetwork
from derive.numeric import Evaluation, TrainingStep, Value


def forward_json(network: SymbolicNetwork, evaluation: Evaluation) -> dict[str, dict[str, float]]:
    """{"h1": {"net": …, "out": …}, …} for every neuron that computes something."""
    return {
        n.name: {"net": float(evaluation[n.net]), "out": float(evaluation[n.out])}
        for n in network.neurons()
    }


def errors_json(network: SymbolicNetwork, evaluation: Evaluation) -> dict[str, float]:
    """Each output's own term of the loss, and their sum under ``total``."""
    errors = {o.name: float(evaluation[network.error(o)]) for o in network.output_layer}
    errors["total"] = float(evaluation.total)
    return errors


def _numbers(values: Mapping[str, Value]) -> dict[str, float]:
    return {name: float(value) for name, value in values.items()}


def result_json(step: TrainingStep) -> dict[str, Any]:
    """The whole result of ``derive explain SPEC --format json``."""
    network = step.network
    return {
        "network": network.spec.to_json(),
        "forward": forward_json(network, step.before[0]),
        "errors": errors_json(network, step.before[0]),
        "gradients": _numbers(step.gradients),
        "updated": _numbers(step.updated),
        "after_update": {
            "forward": forward_json(network, step.after[0]),
            "errors": errors_json(network, step.after[0]),
        },
    }
