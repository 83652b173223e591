"""Loss functions: name → one output's error term E_k = ℓ(target_k, out_k) and ∂E_k/∂out_k.

The total error is the sum of the terms, so each output's term is its own share of
E_total and ∂E_total/∂out_k = ∂E_k/∂out_k (for `mse` each term carries the 1/n). Each
entry gives the term as a teacher writes it and the closed form of its derivative;
`loss_identity` proves, once per loss, that the closed form is what `sympy.diff` returns.

Some activation–loss pairs simplify: with a sigmoid output and binary cross-entropy, or a
softmax output and cross-entropy, ∂E_total/∂net_k = out_k − target_k. `SIMPLIFICATIONS`
lists them; `simplification` proves each once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache

import sympy as sp
from sympy import Expr, Symbol

from derive.activations import ACTIVATIONS
from derive.expr import HALF, ONE, add, evaluated, frac, mul, neg, power, sub, vanishes
from derive.messages import _
from derive.registry import LOSSES as FACTS

Term = Callable[[Symbol, Symbol, int], Expr]


@dataclass(frozen=True)
class Loss:
    """E_k = term(target, out, n) for one of n outputs, and ∂E_k/∂out in closed form.

    `needs` lists the properties every output must have for the term to be defined
    (the logarithm needs ``positive`` outputs, log(1 − out) ``below_one``);
    `target_range` bounds the targets where the loss is about probabilities.
    """

    name: str
    title: str
    term: Term
    closed_derivative: Term
    rewriting: Term = field(default=lambda target, out, n: ())
    needs: frozenset[str] = frozenset()
    target_range: tuple[Decimal, Decimal] | None = None


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


def _log(x: Expr) -> Expr:
    return sp.log(x, evaluate=False)


LOSSES: dict[str, Loss] = {
    "half_sse": Loss(
        name="half_sse",
        title=FACTS["half_sse"].title,
        # E_k = ½(target − out)²
        term=lambda t, o, n: mul(HALF, power(sub(t, o), 2)),
        # ∂E_k/∂out = 2·½(target − out)^{2−1}·(−1) = −(target − out)
        closed_derivative=lambda t, o, n: neg(sub(t, o)),
        rewriting=lambda t, o, n: (mul(2, HALF, sub(t, o), -1),),
    ),
    "sse": Loss(
        name="sse",
        title=FACTS["sse"].title,
        # E_k = (target − out)²
        term=lambda t, o, n: power(sub(t, o), 2),
        # ∂E_k/∂out = 2(target − out)·(−1) = −2(target − out)
        closed_derivative=lambda t, o, n: neg(mul(2, sub(t, o))),
        rewriting=lambda t, o, n: (mul(2, sub(t, o), -1),),
    ),
    "mse": Loss(
        name="mse",
        title=FACTS["mse"].title,
        # E_k = (1/n)(target − out)²
        term=lambda t, o, n: mul(sp.Rational(1, n), power(sub(t, o), 2)),
        # ∂E_k/∂out = (1/n)·2(target − out)·(−1) = −(2/n)(target − out)
        closed_derivative=lambda t, o, n: neg(mul(sp.Rational(2, n), sub(t, o))),
        rewriting=lambda t, o, n: (mul(sp.Rational(1, n), 2, sub(t, o), -1),),
    ),
    "cross_entropy": Loss(
        name="cross_entropy",
        title=FACTS["cross_entropy"].title,
        # E_k = −target · log(out)
        term=lambda t, o, n: neg(mul(t, _log(o))),
        # ∂E_k/∂out = −target/out
        closed_derivative=lambda t, o, n: neg(frac(t, o)),
        needs=FACTS["cross_entropy"].needs,
        target_range=FACTS["cross_entropy"].target_range,
    ),
    "binary_cross_entropy": Loss(
        name="binary_cross_entropy",
        title=FACTS["binary_cross_entropy"].title,
        # E_k = −[target · log(out) + (1 − target) · log(1 − out)]
        term=lambda t, o, n: neg(add(mul(t, _log(o)), mul(sub(ONE, t), _log(sub(ONE, o))))),
        # ∂E_k/∂out = −target/out + (1 − target)/(1 − out) = (out − target)/(out(1 − out))
        closed_derivative=lambda t, o, n: frac(sub(o, t), mul(o, sub(ONE, o))),
        rewriting=lambda t, o, n: (add(neg(frac(t, o)), frac(sub(ONE, t), sub(ONE, o))),),
        needs=FACTS["binary_cross_entropy"].needs,
        target_range=FACTS["binary_cross_entropy"].target_range,
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


@dataclass(frozen=True)
class Simplification:
    """∂E_total/∂net_k collapses to `form(target, out)` for this activation–loss pair.

    `condition` names what the simplification assumes (for softmax with cross-entropy:
    the targets of a sample add up to 1); `None` means it always holds.
    """

    form: Callable[[Symbol, Symbol], Expr]
    condition: str | None = None


SIMPLIFICATIONS: dict[tuple[str, str], Simplification] = {
    # (−t/o + (1 − t)/(1 − o)) · o(1 − o) = o − t
    ("sigmoid", "binary_cross_entropy"): Simplification(lambda t, o: sub(o, t)),
    # (−t/o) · o(1 − o) = −t(1 − o)
    ("sigmoid", "cross_entropy"): Simplification(lambda t, o: neg(mul(t, sub(ONE, o)))),
    # Σ_k (−t_k/o_k) · o_k(δ_kj − o_j) = o_j Σ_k t_k − t_j = o_j − t_j
    ("softmax", "cross_entropy"): Simplification(
        lambda t, o: sub(o, t), condition=_("the targets of each sample add up to 1")
    ),
}


@cache
def simplification(activation: str, loss: str) -> Simplification | None:
    """The proved simplification of ∂E_total/∂net_k for this pair, if there is one."""
    found = SIMPLIFICATIONS.get((activation, loss))
    if found is None:
        return None
    if ACTIVATIONS[activation].elementwise:
        _prove_elementwise(activation, loss, found)
    else:
        _prove_softmax(loss, found)
    return found


def _prove_elementwise(activation: str, loss: str, found: Simplification) -> None:
    t, o = sp.symbols("target out")
    product = evaluated(LOSSES[loss].closed_derivative(t, o, 1)) * evaluated(
        ACTIVATIONS[activation].closed_derivative(o, sp.Symbol("net"))
    )
    if not vanishes(product - evaluated(found.form(t, o))):
        raise AssertionError(f"{activation}/{loss}: the simplification does not hold")


def _prove_softmax(loss: str, found: Simplification) -> None:
    """With three outputs whose targets add up to 1 (t_3 = 1 − t_1 − t_2)."""
    t1, t2, o1, o2, o3 = sp.symbols("t1 t2 o1 o2 o3")
    targets, outs = (t1, t2, 1 - t1 - t2), (o1, o2, o3)
    jacobian = ACTIVATIONS["softmax"].jacobian
    delta = sum(
        evaluated(LOSSES[loss].closed_derivative(t, o, 3)) * evaluated(jacobian(o, o1, o == o1))
        for t, o in zip(targets, outs, strict=True)
    )
    if not vanishes(delta - evaluated(found.form(t1, o1))):
        raise AssertionError(f"softmax/{loss}: the simplification does not hold")
