"""Loss functions: name → one output's error term E_k = ℓ(target_k, out_k) and ∂E_k/∂out_k.

The total error is the sum of the terms, so each output's term is its own share of
E_total and ∂E_total/∂out_k = ∂E_k/∂out_k. Each entry gives the term as a teacher writes
it and the closed form of its derivative; `loss_identity` proves, once per loss, that
the closed form is what `sympy.diff` returns for the term.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache

import sympy as sp
from sympy import Expr, Symbol

from derive.expr import HALF, evaluated, mul, neg, power, sub, vanishes

Term = Callable[[Symbol, Symbol, int], Expr]


@dataclass(frozen=True)
class Loss:
    """E_k = term(target, out, n) for one of n outputs, and ∂E_k/∂out in closed form."""

    name: str
    title: str
    term: Term
    closed_derivative: Term
    rewriting: Term = field(default=lambda target, out, n: ())


@dataclass(frozen=True)
class LossIdentity:
    """∂E_k/∂out_k: SymPy's derivative of the term, rewriting steps and the closed form."""

    loss: Loss
    target: Symbol
    out: Symbol
    term: Expr
    raw: Expr
    steps: tuple[Expr, ...]
    closed_form: Expr


LOSSES: dict[str, Loss] = {
    "half_sse": Loss(
        name="half_sse",
        title="half the sum of squared errors",
        # E_k = ½(target − out)²
        term=lambda t, o, n: mul(HALF, power(sub(t, o), 2)),
        # ∂E_k/∂out = 2·½(target − out)^{2−1}·(−1) = −(target − out)
        closed_derivative=lambda t, o, n: neg(sub(t, o)),
        rewriting=lambda t, o, n: (mul(2, HALF, sub(t, o), -1),),
    ),
}


@cache
def loss_identity(name: str, outputs: int) -> LossIdentity:
    """Derive ∂E_k/∂out_k for loss `name` and prove its closed form, once per process."""
    loss = LOSSES[name]
    target, out = sp.Symbol("target"), sp.Symbol("out")
    term = loss.term(target, out, outputs)
    raw = sp.diff(evaluated(term), out)
    closed = loss.closed_derivative(target, out, outputs)
    steps = loss.rewriting(target, out, outputs)
    for step in (*steps, closed):
        if not vanishes(evaluated(step) - raw):
            raise AssertionError(f"{name}: {step} is not the derivative {raw}")
    return LossIdentity(loss, target, out, term, raw, steps, closed)
