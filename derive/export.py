"""Training step → the JSON result of the design notes, straight from the numbers.

Every value is a JSON number carrying full double precision (never rounded to the
display digits), so other programs can compare against their own computations.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from derive.errors import UsageError
from derive.model import SymbolicNetwork
from derive.numeric import Evaluation, TrainingStep, Value, plain
from derive.training import TrainingRun


def number(value: Value, name: str) -> float:
    """`value` as a JSON number; JSON has no Infinity or NaN, so a value beyond the doubles
    (|x| > 1.8e308, from an extreme spec) is refused by name instead of written invalid."""
    result = float(value)
    if not math.isfinite(result):
        raise UsageError(
            f"{name} = {plain(value, 6)} is beyond the range of a JSON number "
            "(a double, ±1.8e308); write this walkthrough as md, tex or html instead"
        )
    return result


def forward_json(network: SymbolicNetwork, evaluation: Evaluation) -> dict[str, dict[str, float]]:
    """{"h1": {"net": …, "out": …}, …} for every neuron that computes something."""
    return {
        n.name: {
            "net": number(evaluation[n.net], f"net_{n.name}"),
            "out": number(evaluation[n.out], f"out_{n.name}"),
        }
        for n in network.neurons()
    }


def errors_json(network: SymbolicNetwork, evaluation: Evaluation) -> dict[str, float]:
    """Each output's own term of the loss, and their sum under ``total``."""
    errors = {
        o.name: number(evaluation[network.error(o)], f"E_{o.name}") for o in network.output_layer
    }
    errors["total"] = number(evaluation.total, "E_total")
    return errors


def _numbers(values: Mapping[str, Value]) -> dict[str, float]:
    return {name: number(value, name) for name, value in values.items()}


def result_json(step: TrainingStep) -> dict[str, Any]:
    """The whole result of ``derive explain SPEC --format json``."""
    network = step.network
    result: dict[str, Any] = {"network": network.spec.to_json()}
    result.update(_passes(step, step.before, step.loss_before))
    result["gradients"] = _numbers(step.gradients)
    result["updated"] = _numbers(step.updated)
    result["after_update"] = _passes(step, step.after, step.loss_after)
    return result


def _passes(step: TrainingStep, evaluations: tuple[Evaluation, ...], loss: Value) -> dict[str, Any]:
    """{"forward", "errors"} for one sample; {"samples": [...], "errors": {"total"}} for several."""
    network = step.network
    if len(evaluations) == 1:
        return {
            "forward": forward_json(network, evaluations[0]),
            "errors": errors_json(network, evaluations[0]),
        }
    return {
        "samples": [
            {"forward": forward_json(network, e), "errors": errors_json(network, e)}
            for e in evaluations
        ],
        "errors": {"total": number(loss, "the batch loss")},
    }


def _final_json(run: TrainingRun) -> dict[str, Any]:
    network = run.network
    final: dict[str, Any] = {"parameters": _numbers(run.parameters)}
    if len(run.final) == 1:
        final["forward"] = forward_json(network, run.final[0])
        final["errors"] = errors_json(network, run.final[0])
    else:
        final["samples"] = [
            {"forward": forward_json(network, e), "errors": errors_json(network, e)}
            for e in run.final
        ]
        final["errors"] = {"total": number(run.loss, "the batch loss")}
    return final


def training_json(run: TrainingRun) -> dict[str, Any]:
    """The result of ``derive train SPEC --steps N --format json``."""
    return {
        "steps": run.steps,
        "history": [
            {"step": step, "total": number(total, f"the loss at step {step}")}
            for step, total in run.history
        ],
        "final": _final_json(run),
    }


def training_csv(run: TrainingRun) -> str:
    """step,total — one row per recorded step, full precision."""
    rows = ["step,total", *(f"{step},{float(total)!r}" for step, total in run.history)]
    return "\n".join(rows) + "\n"
