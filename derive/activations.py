"""Activation functions: name → out = f(net), and f'(net) written in the network's quantities.

Each entry gives the definition as a teacher writes it, the closed form of its derivative
in terms of `out` (and `net` where needed), and the chain of rewritings that leads from
what SymPy's differentiation returns to that closed form. `derivative_identity` proves,
once per activation, that every link of that chain equals `sympy.diff` of the definition.

Softmax is the one activation that is not elementwise: out_k depends on every net input
of its layer, so its derivative is a Jacobian ∂out_k/∂net_j = out_k (δ_kj − out_j).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache

import sympy as sp
from sympy import Expr, Symbol

from derive.expr import ONE, add, evaluated, exp, frac, inv, mul, neg, power, sub, vanishes
from derive.registry import ACTIVATIONS as FACTS

#: the slope of leaky ReLU for negative net input (a quantity with a value from the spec)
ALPHA = Symbol("alpha")

Definition = Callable[[Symbol, tuple[Symbol, ...]], Expr]


@dataclass(frozen=True)
class Activation:
    """out = f(net) and the identity f'(net) = g(out, net) the walkthrough uses.

    `definition(net, layer_nets)` is the display form (softmax needs the whole layer);
    `closed_derivative(out, net)` the closed form of ∂out/∂net; `jacobian(out_k, out_j,
    same)` the closed form of ∂out_k/∂net_j for softmax. `properties` say what every
    output value satisfies (``positive``, ``below_one``), which losses rely on.
    """

    name: str
    title: str
    definition: Definition
    closed_derivative: Callable[[Symbol, Symbol], Expr]
    rewriting: Callable[[Symbol], tuple[Expr, ...]] = field(default=lambda net: ())
    convention: str = ""
    properties: frozenset[str] = frozenset()
    jacobian: Callable[[Symbol, Symbol, bool], Expr] | None = None
    #: the same function without branches, for writing out a whole network: SymPy folds
    #: nested Piecewise expressions combinatorially, but not nested Max
    unbranched: Callable[[Expr], Expr] | None = None
    #: the values a bounded activation flattens out toward (σ: 0 and 1; tanh: −1 and 1):
    #: a neuron whose output is next to one of them is saturated, its slope nearly 0
    bounds: tuple[int, int] | None = None

    @property
    def elementwise(self) -> bool:
        return self.jacobian is None


@dataclass(frozen=True)
class DerivativeIdentity:
    """d out/d net: SymPy's derivative, the rewriting steps, and the closed form in `out`.

    Every expression in `steps` and `closed_form` has been proved equal to `raw` (with
    `out` = f(net)). For softmax, `off_diagonal` holds ∂out_2/∂net_1 the same way.
    """

    activation: Activation
    net: Symbol
    out: Symbol
    definition: Expr
    raw: Expr
    steps: tuple[Expr, ...]
    closed_form: Expr
    off_diagonal: tuple[Symbol, Expr, Expr] | None = None


def _sigmoid(net: Symbol, layer: tuple[Symbol, ...] = ()) -> Expr:
    # σ(net) = 1/(1 + e^{−net})
    return inv(sp.Add(ONE, exp(neg(net)), evaluate=False))


def _sigmoid_rewriting(net: Symbol) -> tuple[Expr, ...]:
    # e^{−net}/(1 + e^{−net})² = 1/(1 + e^{−net}) · e^{−net}/(1 + e^{−net})
    #                          = 1/(1 + e^{−net}) · (1 − 1/(1 + e^{−net}))
    denominator = sp.Add(ONE, exp(neg(net)), evaluate=False)
    return (
        mul(inv(denominator), frac(exp(neg(net)), denominator)),
        mul(inv(denominator), sub(ONE, inv(denominator))),
    )


def _tanh(net: Symbol, layer: tuple[Symbol, ...] = ()) -> Expr:
    return sp.tanh(net, evaluate=False)


def _piecewise(positive: Expr, otherwise: Expr, net: Symbol) -> Expr:
    """`positive` if net > 0, else `otherwise` (net = 0 takes the second branch)."""
    return sp.Piecewise((positive, sp.StrictGreaterThan(net, 0)), (otherwise, True), evaluate=False)


def _softmax(net: Symbol, layer: tuple[Symbol, ...]) -> Expr:
    # out_j = e^{net_j} / Σ_k e^{net_k}
    return frac(exp(net), add(*(exp(n) for n in layer)))


ACTIVATIONS: dict[str, Activation] = {
    "sigmoid": Activation(
        name="sigmoid",
        title=FACTS["sigmoid"].title,
        definition=_sigmoid,
        # σ'(net) = out·(1 − out)
        closed_derivative=lambda out, net: mul(out, sub(ONE, out)),
        rewriting=_sigmoid_rewriting,
        properties=FACTS["sigmoid"].properties,
        bounds=(0, 1),
    ),
    "tanh": Activation(
        name="tanh",
        title=FACTS["tanh"].title,
        bounds=(-1, 1),
        definition=_tanh,
        # tanh'(net) = 1 − tanh²(net) = 1 − out²
        closed_derivative=lambda out, net: sub(ONE, power(out, 2)),
    ),
    "relu": Activation(
        name="relu",
        title=FACTS["relu"].title,
        definition=lambda net, layer=(): _piecewise(net, sp.Integer(0), net),
        # ReLU'(net) = 1 if net > 0 else 0
        closed_derivative=lambda out, net: _piecewise(ONE, sp.Integer(0), net),
        convention="At net = 0 ReLU has no derivative; derive takes it to be 0, as PyTorch does.",
        unbranched=lambda net: sp.Max(0, net),
    ),
    "leaky_relu": Activation(
        name="leaky_relu",
        title=FACTS["leaky_relu"].title,
        definition=lambda net, layer=(): _piecewise(net, mul(ALPHA, net), net),
        # leaky ReLU'(net) = 1 if net > 0 else α
        closed_derivative=lambda out, net: _piecewise(ONE, ALPHA, net),
        convention=(
            "At net = 0 leaky ReLU has no derivative; derive takes it to be the slope α, "
            "as PyTorch does."
        ),
        # for 0 ≤ α < 1: max(net, α·net)
        unbranched=lambda net: sp.Max(net, ALPHA * net),
    ),
    "linear": Activation(
        name="linear",
        title=FACTS["linear"].title,
        definition=lambda net, layer=(): net,
        # (net)' = 1
        closed_derivative=lambda out, net: ONE,
    ),
    "softmax": Activation(
        name="softmax",
        title=FACTS["softmax"].title,
        definition=_softmax,
        # ∂out_j/∂net_j = out_j (1 − out_j)
        closed_derivative=lambda out, net: mul(out, sub(ONE, out)),
        properties=FACTS["softmax"].properties,
        # ∂out_k/∂net_j = −out_k · out_j  (k ≠ j)
        jacobian=lambda out_k, out_j, same: (
            mul(out_j, sub(ONE, out_j)) if same else neg(mul(out_k, out_j))
        ),
    ),
}


@cache
def derivative_identity(name: str, size: int = 3) -> DerivativeIdentity:
    """Derive f'(net) for activation `name` and prove its closed form, once per process.

    `size` is how many net inputs a layer-wide activation (softmax) is written out for:
    the layer's own number of neurons, so a 2-output network shows no net₃."""
    activation = ACTIVATIONS[name]
    if not activation.elementwise:
        return _softmax_identity(activation, max(size, 2))
    net, out = sp.Symbol("net"), sp.Symbol("out")
    definition = activation.definition(net, (net,))
    raw = sp.diff(evaluated(definition), net)
    closed = activation.closed_derivative(out, net)
    steps = activation.rewriting(net)
    as_function_of_net = evaluated(closed).subs(out, evaluated(definition))
    for step in (*steps, as_function_of_net):
        _prove(name, evaluated(step), raw)
    return DerivativeIdentity(activation, net, out, definition, raw, steps, closed)


def _softmax_identity(activation: Activation, size: int) -> DerivativeIdentity:
    """∂out_1/∂net_1 and ∂out_2/∂net_1 for a softmax over `size` net inputs, proved."""
    nets = sp.symbols(" ".join(f"net_{k}" for k in range(1, size + 1)))
    outs = sp.symbols(" ".join(f"out_{k}" for k in range(1, size + 1)))
    definitions = [activation.definition(n, nets) for n in nets]
    by_net = {o: evaluated(d) for o, d in zip(outs, definitions, strict=True)}
    raw_same = sp.diff(by_net[outs[0]], nets[0])
    raw_other = sp.diff(by_net[outs[1]], nets[0])
    same = activation.jacobian(outs[0], outs[0], True)
    other = activation.jacobian(outs[1], outs[0], False)
    _prove(activation.name, evaluated(same).subs(by_net), raw_same)
    _prove(activation.name, evaluated(other).subs(by_net), raw_other)
    return DerivativeIdentity(
        activation,
        nets[0],
        outs[0],
        definitions[0],
        raw_same,
        (),
        same,
        off_diagonal=(outs[1], raw_other, other),
    )


def _prove(name: str, claimed: Expr, raw: Expr) -> None:
    if not vanishes(claimed - raw):
        raise AssertionError(f"{name}: {claimed} is not the derivative {raw}")
