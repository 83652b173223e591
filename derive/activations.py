"""Activation functions: name → out = f(net), and f'(net) written in the network's quantities.

Each entry gives the definition as a teacher writes it, the closed form of its derivative
in terms of `out` (and `net` where needed), and the chain of rewritings that leads from
what SymPy's differentiation returns to that closed form. `derivative_identity` proves,
once per activation, that every link of that chain equals `sympy.diff` of the definition.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache

import sympy as sp
from sympy import Expr, Symbol

from derive.expr import ONE, evaluated, exp, frac, inv, mul, neg, sub, vanishes

Form = Callable[[Symbol], Expr]


@dataclass(frozen=True)
class Activation:
    """out = f(net) and the identity f'(net) = g(out, net) the walkthrough uses."""

    name: str
    title: str
    definition: Form
    closed_derivative: Callable[[Symbol, Symbol], Expr]
    rewriting: Form = field(default=lambda net: ())
    output_only: bool = False

    def raw_derivative(self, net: Symbol) -> Expr:
        """What `sympy.diff` returns for d f(net)/d net."""
        return sp.diff(evaluated(self.definition(net)), net)


@dataclass(frozen=True)
class DerivativeIdentity:
    """d out/d net: SymPy's derivative, the rewriting steps, and the closed form in `out`.

    Every expression in `steps` has been proved equal to `raw` (with `out` = f(net)).
    """

    activation: Activation
    net: Symbol
    out: Symbol
    definition: Expr
    raw: Expr
    steps: tuple[Expr, ...]
    closed_form: Expr


def _sigmoid(net: Symbol) -> Expr:
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


ACTIVATIONS: dict[str, Activation] = {
    "sigmoid": Activation(
        name="sigmoid",
        title="the logistic sigmoid",
        definition=_sigmoid,
        # σ'(net) = out·(1 − out)
        closed_derivative=lambda out, net: mul(out, sub(ONE, out)),
        rewriting=_sigmoid_rewriting,
    ),
}


@cache
def derivative_identity(name: str) -> DerivativeIdentity:
    """Derive f'(net) for activation `name` and prove its closed form, once per process."""
    activation = ACTIVATIONS[name]
    net, out = sp.Symbol("net"), sp.Symbol("out")
    definition = activation.definition(net)
    raw = activation.raw_derivative(net)
    closed = activation.closed_derivative(out, net)
    steps = activation.rewriting(net)
    as_function_of_net = evaluated(closed).subs(out, evaluated(definition))
    for step in (*steps, as_function_of_net):
        if not vanishes(evaluated(step) - raw):
            raise AssertionError(f"{name}: {step} is not the derivative {raw}")
    return DerivativeIdentity(activation, net, out, definition, raw, steps, closed)
