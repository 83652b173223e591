"""Many steps of gradient descent: the error curve and where the network ends up.

The classic examples end with "after 10,000 iterations the outputs are 0.0159 and 0.9841".
`train` repeats the update p⁺ = p − η·∂E/∂p with the compiled kernel of `derive.kernel`
(plain floats by default, or mpmath at 50 digits with ``precision="mpmath"``), records
the loss after every `every`-th update, and evaluates the final network at high
precision with the same forward pass as the walkthrough.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import mpmath

from derive import progress
from derive.errors import SpecError, UsageError
from derive.kernel import Kernel, compile_kernel
from derive.limits import DEFAULT, Limits, check_training
from derive.model import SymbolicNetwork
from derive.numeric import PRECISION, Evaluation, Value, batch_combine, forward, number
from derive.steps import Derivation

CURVE_POINTS = 1000
#: updates between two looks at the clock for the progress bar
_TICK = 1000


@dataclass(frozen=True)
class TrainingRun:
    """`steps` updates: the loss history (step k = after k updates) and the final network."""

    derivation: Derivation
    steps: int
    every: int
    precision: str
    history: tuple[tuple[int, Value], ...]
    parameters: dict[str, Value]
    final: tuple[Evaluation, ...]
    curve: tuple[tuple[int, float], ...] = ()

    @property
    def network(self) -> SymbolicNetwork:
        return self.derivation.network

    def updates(self, name: str) -> bool:
        """Whether training changes this parameter (biases only when the spec asks)."""
        return self.network.by_name[name].is_weight or self.network.spec.update_biases

    @property
    def loss(self) -> Value:
        """The loss after the last update (E_total, or the batch mean/sum)."""
        return batch_combine(self.network.spec.batch, [e.total for e in self.final])


def train(
    derivation: Derivation,
    steps: int,
    *,
    every: int | None = None,
    precision: str = "float",
    start: dict[str, Value] | None = None,
    limits: Limits = DEFAULT,
) -> TrainingRun:
    """Run `steps` updates of gradient descent from the spec's values (or `start`).

    The work (steps × samples) and the history's rows are checked against `limits` first;
    a run whose loss or gradient leaves the doubles (overflow, NaN) stops with a
    `SpecError` naming the step and the learning rate.
    """
    every = check_steps(derivation.network.spec, steps, every, limits)
    network = derivation.network
    kernel = compile_kernel(derivation, precision)
    convert = float if precision == "float" else (lambda v: mpmath.mpf(str(v)))
    initial = start or {p.name: number(p.value) for p in network.parameters}
    with mpmath.workdps(PRECISION):
        values = [convert(initial[name]) for name in kernel.names]
        history, curve = _descend(kernel, network, values, steps, every, convert)
    parameters = {
        name: number(repr(v) if precision == "float" else v)
        for name, v in zip(kernel.names, values, strict=True)
    }
    final = tuple(Evaluation(forward(network, parameters, s)) for s in network.spec.samples)
    return TrainingRun(
        derivation, steps, every, precision, tuple(history), parameters, final, tuple(curve)
    )


def check_steps(spec, steps: int, every: int | None, limits: Limits = DEFAULT) -> int:
    """Refuse impossible or too costly --steps/--every before any work; return `every`."""
    if steps < 0:
        raise UsageError(f"--steps: expected a whole number from 0 up, got {steps}")
    if every is not None and every < 1:
        raise UsageError(f"--every: expected a positive whole number, got {every}")
    every = every or max(1, steps // 20)
    check_training(limits, steps, len(spec.samples), every)
    return every


def _diverged(step: int, rate: object) -> SpecError:
    return SpecError(
        f"training diverged: at step {step:,} the loss or a gradient overflowed double "
        f"precision (infinite or not a number); a learning rate smaller than {rate:g} may "
        "converge",
        key="learning_rate",
    )


def _finite(loss: object, gradient: list) -> bool:
    """Whether a float pass stayed finite (mpmath numbers do not overflow)."""
    if not isinstance(loss, float):
        return True
    return math.isfinite(loss) and all(map(math.isfinite, gradient))


def _descend(
    kernel: Kernel, network: SymbolicNetwork, values: list, steps: int, every: int, convert
) -> tuple[list[tuple[int, Value]], list[tuple[int, float]]]:
    """Update `values` in place `steps` times; return the recorded (step, loss) pairs,
    and a curve of at most about `CURVE_POINTS` points for plotting."""
    spec = network.spec
    rate = convert(spec.learning_rate)
    samples = [
        ([convert(x) for x in s.inputs], [convert(t) for t in s.targets]) for s in spec.samples
    ]
    scale = 1 / len(samples) if spec.batch == "mean" else 1
    updated = [p.is_weight or spec.update_biases for p in network.parameters]
    history, curve = [], []
    spacing = max(1, steps // CURVE_POINTS)
    with progress.bar(steps, "training") as bar:
        for step in range(steps + 1):
            try:  # a float power (x**2) raises where the other operations give inf
                loss, gradient = _batch(kernel, values, samples, scale)
            except OverflowError:
                raise _diverged(step, spec.learning_rate) from None
            if not _finite(loss, gradient):
                raise _diverged(step, spec.learning_rate)
            _record(history, curve, step, loss, steps, every, spacing)
            if step == steps:
                break
            for i, (g, change) in enumerate(zip(gradient, updated, strict=True)):
                if change:
                    values[i] -= rate * g
            if step % _TICK == _TICK - 1:
                bar.update(_TICK)
    return history, curve


def _record(history: list, curve: list, step: int, loss, steps: int, every: int, spacing: int):
    """Keep the loss of every `every`-th step (and the last), and a thinned curve to plot."""
    if step % every == 0 or step == steps:
        history.append((step, number(repr(loss)) if isinstance(loss, float) else loss))
    if step % spacing == 0 or step == steps:
        curve.append((step, float(loss)))


def _batch(kernel: Kernel, values: list, samples: Sequence, scale) -> tuple[object, list]:
    """The batch loss and gradient: the per-sample passes, summed and scaled."""
    if len(samples) == 1:
        return kernel.run(values, *samples[0])
    loss, gradient = 0, [0] * len(values)
    for inputs, targets in samples:
        sample_loss, sample_gradient = kernel.run(values, inputs, targets)
        loss += sample_loss
        gradient = [a + b for a, b in zip(gradient, sample_gradient, strict=True)]
    return loss * scale, [g * scale for g in gradient]
