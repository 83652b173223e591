"""The self-check: every chain-rule factorization equals `sympy.diff` of the expanded E_total.

With every definition substituted (net inputs, outputs, error terms), E_total becomes one
expression in the inputs, targets, weights and biases. Differentiating it directly is the
independent oracle: for small networks the difference from the factorization is proved
zero symbolically; for larger ones, where the expanded derivative grows too big to
simplify, both are evaluated at random points at high precision.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

import sympy as sp
from sympy import Expr, Symbol

from derive.activations import ALPHA
from derive.errors import VerificationError
from derive.expr import evaluated, vanishes
from derive.model import E_TOTAL, SymbolicNetwork
from derive.numeric import ctx, evaluate
from derive.steps import Derivation

SYMBOLIC_MAX_WIDTH = 3
SYMBOLIC_MAX_LAYERS = 3
TOLERANCE = ctx.mpf(10) ** -30


@dataclass(frozen=True)
class Verification:
    """What was checked and how: ``symbolic`` proof, or ``numeric`` at `points` random points."""

    method: str
    parameters: tuple[str, ...]
    points: int = 0
    seed: int | None = None

    def __str__(self) -> str:
        count = len(self.parameters)
        if self.method == "symbolic":
            how = "proved equal symbolically"
        else:
            how = (
                f"equal at {self.points} random points (seed {self.seed}) to 30 significant digits"
            )
        what = (
            "The chain-rule factorization was"
            if count == 1
            else (f"All {count} chain-rule factorizations were")
        )
        return f"{what} checked against sympy.diff of the fully expanded total error: {how}."


def expand(network: SymbolicNetwork) -> dict[Expr, Expr]:
    """Every net input, output, error term and E_total written out in the base quantities."""
    full: dict[Expr, Expr] = {}
    for layer in network.layers[1:]:
        for neuron in layer:
            full[neuron.net] = network.evaluated_net_inputs[neuron.net].xreplace(full)
        nets = {n.net: full[n.net] for n in layer}
        activation = network.activation(layer[0].layer)
        for neuron in layer:
            if activation.unbranched is not None:
                full[neuron.out] = activation.unbranched(full[neuron.net])
            else:
                full[neuron.out] = evaluated(network.outputs[neuron.out]).xreplace(nets)
    for error, term in network.error_terms.items():
        full[error] = evaluated(term).xreplace(full)
    full[E_TOTAL] = sp.Add(*(full[e] for e in network.error_terms))
    return full


def factorizations(derivation: Derivation, full: dict[Expr, Expr]) -> dict[Expr, Expr]:
    """Each record's label → its factorization, written out in the base quantities."""
    written = dict(full)
    for record in derivation.records:
        written[record.label] = evaluated(record.expression).xreplace(written)
    return written


def verify(
    derivation: Derivation,
    *,
    method: str = "auto",
    points: int = 3,
    rng: random.Random | None = None,
) -> Verification:
    """Check every gradient's factorization; raise `VerificationError` on any disagreement."""
    network = derivation.network
    if method == "auto":
        smooth = all(
            network.activation(l).unbranched is None for l in range(1, len(network.layers))
        )
        small = (
            smooth
            and len(network.layers) <= SYMBOLIC_MAX_LAYERS
            and max(network.spec.layers) <= SYMBOLIC_MAX_WIDTH
        )
        method = "symbolic" if small else "numeric"
    full = expand(network)
    written = factorizations(derivation, full)
    names = tuple(g.parameter.name for g in derivation.gradients)
    if method == "symbolic":
        for gradient in derivation.gradients:
            direct = sp.diff(full[E_TOTAL], gradient.parameter.symbol)
            if not vanishes(direct - written[gradient.label]):
                raise VerificationError(
                    f"∂E_total/∂{gradient.parameter.name}: factorization ≠ sympy.diff"
                )
        return Verification("symbolic", names)
    seed = rng.randrange(2**32) if rng else random.SystemRandom().randrange(2**32)
    generator = random.Random(seed)
    directs = {g.label: sp.diff(full[E_TOTAL], g.parameter.symbol) for g in derivation.gradients}
    for _ in range(points):
        values = _random_point(network, generator)
        memo: dict[Expr, object] = {}
        for gradient in derivation.gradients:
            a = evaluate(directs[gradient.label], values, memo)
            b = evaluate(written[gradient.label], values, memo)
            if abs(a - b) > TOLERANCE * max(1, abs(a)):
                name = gradient.parameter.name
                raise VerificationError(
                    f"∂E_total/∂{name}: factorization {b} ≠ sympy.diff {a} (seed {seed})"
                )
    return Verification("numeric", names, points, seed)


def _random_point(network: SymbolicNetwork, generator: random.Random) -> dict[Expr, object]:
    """Random inputs and parameters in [−1, 1] and targets in (0, 1)."""
    values: dict[Expr, object] = {ALPHA: ctx.mpf(str(network.spec.leaky_relu_slope))}
    symbols: list[Symbol] = [n.out for n in network.inputs] + [p.symbol for p in network.parameters]
    for symbol in symbols:
        values[symbol] = ctx.mpf(generator.uniform(-1, 1))
    for neuron in network.output_layer:
        values[network.target(neuron)] = ctx.mpf(generator.uniform(0.01, 0.99))
    return values
