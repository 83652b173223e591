"""The self-check: every chain-rule factorization is proved to be the true derivative.

Three methods, chosen by size (``auto``) or by name:

``symbolic``  (small networks) With every definition substituted, E_total becomes one
    expression in the inputs, targets, weights and biases; `sympy.diff` of it is the
    independent oracle, and the difference from each factorization is proved zero.
``layers``  (every other network) A proof by induction over the layers that never expands
    the error: each local derivative is proved once per form (loss, activation) against
    `sympy.diff`, each ∂net/∂x against `sympy.diff` of its net input, and each record is
    shown to be exactly the chain rule over the quantities that use its variable, built
    from records made before it; see `prove_by_layers`. Linear in the network's size.
``numeric``  (on request) The expanded derivative and the factorization evaluated at
    random points at high precision: evidence, not proof, and slow for deep networks.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

import sympy as sp
from sympy import Derivative, Expr, Symbol

from derive import progress
from derive.activations import ALPHA, derivative_identity
from derive.errors import VerificationError
from derive.expr import evaluated, vanishes
from derive.losses import loss_identity
from derive.model import E_TOTAL, SymbolicNetwork
from derive.numeric import ctx, evaluate
from derive.steps import Derivation, LocalDerivative, partial

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
        elif self.method == "layers":
            how = (
                "proved equal by induction over the layers (each local derivative proved "
                "once per form, each record the chain rule over its variable's uses)"
            )
        else:
            how = (
                f"equal at {self.points} random points (seed {self.seed}) to 30 significant digits"
            )
        what = (
            "The chain-rule factorization was"
            if count == 1
            else (f"All {count} chain-rule factorizations were")
        )
        if self.method == "layers":
            return f"{what} checked against sympy.diff: {how}."
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
    """Check every gradient's factorization; raise `VerificationError` on any disagreement.

    `method` is ``auto`` (``symbolic`` for small smooth networks, else ``layers``),
    ``symbolic``, ``layers`` or ``numeric`` (see the module's docstring).
    """
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
        method = "symbolic" if small else "layers"
    names = tuple(g.parameter.name for g in derivation.gradients)
    if method == "layers":
        prove_by_layers(derivation)
        return Verification("layers", names)
    full = expand(network)
    written = factorizations(derivation, full)
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


# -- the proof by layers ---------------------------------------------------------------
#
# E_total is a composition of local equations along a directed acyclic graph: inputs and
# parameters → net inputs → outputs → error terms → E_total. For any quantity x of that
# graph the multivariable chain rule gives
#
#     ∂E_total/∂x = Σ_{q directly computed from x} ∂E_total/∂q · ∂q/∂x,
#
# and ∂E_total/∂E_k = 1 since E_total = Σ_k E_k. So the records are right if (1) every
# local derivative ∂q/∂x is right and (2) every record ∂E_total/∂x sums exactly over the
# quantities q whose local equation contains x, with the factors ∂E_total/∂q of records
# made before it. Then, by induction over the records in their order (output layer
# first: the base case ∂E_total/∂out_k = ∂E_k/∂out_k; each layer below from the one
# above), every ∂E_total/∂x equals the true derivative, whatever the width and depth.
# (1) is proved per form: the loss and activation identities afresh with sympy.diff (one
# proof per loss and activation, valid for every neuron they are instantiated at, each
# instance checked to be exactly that instantiation), and each ∂net/∂x against
# sympy.diff of its own net input. (2) is checked record by record, structurally. The
# work is linear in the size of the network; nothing is ever expanded.


def prove_by_layers(derivation: Derivation) -> None:
    """Prove every record as above; raise `VerificationError` naming the first that fails."""
    network = derivation.network
    _prove_identities(derivation)
    users = _users(network)
    neurons = {q: n for n in network.neurons() for q in (n.out, n.net)}
    if evaluated(network.total) != sp.Add(*network.error_terms):
        raise VerificationError("E_total is not the sum of the error terms")
    defined: set[Expr] = set()
    deltas = {d.label: d.expression for d in derivation.deltas.values()}
    with progress.bar(len(derivation.records), "verifying") as bar:
        for record in derivation.records:
            if isinstance(record, LocalDerivative):
                _prove_local(derivation, record, neurons)
            else:
                _prove_chain(record, users, defined, deltas)
            defined.add(record.label)
            bar.update()


def _prove_identities(derivation: Derivation) -> None:
    """The loss and activation derivatives, proved afresh against sympy.diff once per form."""
    network = derivation.network
    try:
        loss_identity.__wrapped__(network.spec.loss, len(network.output_layer))
        for name in set(network.spec.activations):
            derivative_identity.__wrapped__(name)
    except AssertionError as error:
        raise VerificationError(f"a local derivative identity does not hold: {error}") from None


def _users(network: SymbolicNetwork) -> dict[Symbol, set[Symbol]]:
    """x → the quantities whose local equation contains x (the edges of the graph)."""
    equations: dict[Symbol, Expr] = {
        **network.evaluated_net_inputs,
        **{out: evaluated(d) for out, d in network.outputs.items()},
        **{error: evaluated(term) for error, term in network.error_terms.items()},
    }
    users: dict[Symbol, set[Symbol]] = {}
    for quantity, equation in equations.items():
        for symbol in equation.free_symbols:
            users.setdefault(symbol, set()).add(quantity)
    return users


def _prove_local(derivation: Derivation, local: LocalDerivative, neurons: dict) -> None:
    """∂of/∂wrt: an instance of a proved identity, or sympy.diff of its net input."""
    network = derivation.network
    if local.kind == "loss":
        identity = derivation.loss
        target = network.target(neurons[local.wrt])
        names = {identity.target: target, identity.out: local.wrt}
        expected = identity.closed_form.xreplace(names)
        equation = identity.term.xreplace(names)
    elif local.kind == "activation":
        neuron, source = neurons[local.of], neurons[local.wrt]
        layer = neuron.layer
        identity = derivation.activations[layer]
        if identity.activation.elementwise:
            names = {identity.out: neuron.out, identity.net: neuron.net}
            expected = identity.closed_form.xreplace(names)
        else:
            expected = identity.activation.jacobian(neuron.out, source.out, neuron == source)
        nets = tuple(n.net for n in network.layers[layer])
        equation = identity.activation.definition(neuron.net, nets)
    else:
        full = network.evaluated_net_inputs[local.of]
        expected = sp.diff(full, local.wrt)
        equation = network.net_inputs[local.of]
        if sp.expand(evaluated(local.closed_form) - expected) != 0:
            raise VerificationError(f"{local.label}: {local.closed_form} ≠ sympy.diff {expected}")
        return
    same_form = evaluated(local.closed_form) == evaluated(expected)
    if not same_form or evaluated(local.equation) != evaluated(equation):
        raise VerificationError(f"{local.label}: not the proved identity {expected}")


def _prove_chain(
    record: object, users: dict[Symbol, set[Symbol]], defined: set[Expr], deltas: dict
) -> None:
    """∂E_total/∂x → Σ over the users q of x of ∂E_total/∂q · ∂q/∂x, from earlier records."""
    x = record.label.variables[0]
    terms = []
    for q in sorted(users.get(x, ()), key=str):
        if q.name.startswith("E_"):  # ∂E_total/∂E_k = 1
            terms.append(partial(q, x))
        else:
            terms.append(partial(E_TOTAL, q) * partial(q, x))
    expected = sp.Add(*terms)
    written = evaluated(record.expression)
    for label in written.atoms(Derivative):
        if label.expr == E_TOTAL and label not in defined:
            raise VerificationError(f"{record.label}: uses {label} before it is derived")
    # a gradient writes δ_j as ∂E/∂out_j · ∂out_j/∂net_j: compare with the deltas written out
    if sp.expand(_written_out(written, deltas) - _written_out(expected, deltas)) != 0:
        raise VerificationError(f"{record.label}: {record.expression} ≠ chain rule {expected}")


def _written_out(expr: Expr, deltas: dict) -> Expr:
    return expr.xreplace({label: evaluated(value) for label, value in deltas.items()})
