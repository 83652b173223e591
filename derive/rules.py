"""How a local derivative is obtained, rule by rule, as a step-by-step derivative explainer.

`explain(f, x)` walks the written form of f and returns, outermost first, one `RuleStep`
per rule applied: the sum rule, the constant-factor rule, the power rule (with the chain
rule when the base is not x itself), the product and quotient rules, the exponential and
logarithm rules, and the derivatives of tanh and of a piecewise function. Each step's
right-hand side still holds the derivatives it leaves for later steps; every step is
checked against `sympy.diff`, so the explanation can never drift from the mathematics.
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp
from sympy import Derivative, Expr, Symbol

from derive.expr import ONE, add, evaluated, exp, inv, mul, neg, power, sub, vanishes


@dataclass(frozen=True)
class RuleStep:
    """d/dx f = rewritten, by `rule` (the rewritten form may contain derivatives still to do)."""

    rule: str
    lhs: Derivative
    rhs: Expr


def d(f: Expr, x: Symbol) -> Derivative:
    """The unevaluated derivative of a written expression."""
    return Derivative(f, x, evaluate=False)


def explain(f: Expr, x: Symbol) -> tuple[RuleStep, ...]:
    """The rules that differentiate the written expression f with respect to x, outermost first."""
    steps: list[RuleStep] = []
    _walk(f, x, steps)
    for step in steps:
        _check(step, x)
    return tuple(steps)


def _walk(f: Expr, x: Symbol, steps: list[RuleStep]) -> None:
    if not f.has(x):
        steps.append(RuleStep("constant rule", d(f, x), sp.Integer(0)))
        return
    if f == x:
        steps.append(RuleStep("identity", d(f, x), ONE))
        return
    rule, rhs, inner = _rule(f, x)
    steps.append(RuleStep(rule, d(f, x), rhs))
    for part in inner:
        _walk(part, x, steps)


def _rule(f: Expr, x: Symbol) -> tuple[str, Expr, tuple[Expr, ...]]:
    """(rule name, the rewritten derivative, the parts whose derivatives it leaves open)."""
    if isinstance(f, sp.Add):
        # (u + v)' = u' + v'
        return "sum rule", add(*(d(t, x) for t in f.args)), tuple(f.args)
    if isinstance(f, sp.Mul):
        return _product(f, x)
    if isinstance(f, sp.Pow):
        return _power(f, x)
    if isinstance(f, sp.exp):
        # (e^u)' = e^u · u'
        (u,) = f.args
        return _chained("exponential rule", f, u, x)
    if isinstance(f, sp.log):
        # (log u)' = (1/u) · u'
        (u,) = f.args
        return _chained("logarithm rule", inv(u), u, x)
    if isinstance(f, sp.tanh):
        # (tanh u)' = (1 − tanh² u) · u'
        (u,) = f.args
        return _chained("tanh rule", sub(ONE, power(f, 2)), u, x)
    if isinstance(f, sp.Piecewise):
        # differentiate each branch; the conditions stay
        pieces = [(d(e, x), c) for e, c in f.args]
        return "piecewise rule", sp.Piecewise(*pieces, evaluate=False), tuple(e for e, _ in f.args)
    raise ValueError(f"no rule for {f}")


def _chained(rule: str, outer: Expr, u: Expr, x: Symbol) -> tuple[str, Expr, tuple[Expr, ...]]:
    """outer(u) · u', naming the chain rule unless u is x itself."""
    if u == x:
        return rule, outer, ()
    return f"{rule} and chain rule", mul(outer, d(u, x)), (u,)


def _product(f: sp.Mul, x: Symbol) -> tuple[str, Expr, tuple[Expr, ...]]:
    constants = [a for a in f.args if not a.has(x)]
    varying = [a for a in f.args if a.has(x)]
    rest = mul(*varying) if varying else ONE
    if constants:
        # (c · u)' = c · u'
        return "constant factor rule", mul(*constants, d(rest, x)), (rest,)
    if len(varying) == 2 and _is_reciprocal(varying[1]):
        # (u/v)' = (u'·v − u·v')/v²
        u, v = varying[0], varying[1].base
        rhs = mul(sub(mul(d(u, x), v), mul(u, d(v, x))), inv(power(v, 2)))
        return "quotient rule", rhs, (u, v)
    # (u · v)' = u' · v + u · v'
    u, v = varying[0], mul(*varying[1:])
    return "product rule", add(mul(d(u, x), v), mul(u, d(v, x))), (u, v)


def _power(f: sp.Pow, x: Symbol) -> tuple[str, Expr, tuple[Expr, ...]]:
    base, n = f.args
    if n.has(x):
        raise ValueError(f"no rule for a variable exponent in {f}")
    # (u^n)' = n · u^{n−1} · u'
    lowered = power(base, n - 1) if n - 1 != 1 else base
    if base == x:
        return "power rule", mul(n, lowered), ()
    return "power rule and chain rule", mul(n, lowered, d(base, x)), (base,)


def _is_reciprocal(a: Expr) -> bool:
    return isinstance(a, sp.Pow) and a.exp == -1


def _check(step: RuleStep, x: Symbol) -> None:
    """The step's right-hand side, carried out, is the derivative of its left-hand side."""
    expected = sp.diff(evaluated(step.lhs.expr), x)
    carried_out = evaluated(step.rhs).doit()
    if not vanishes(carried_out - expected):
        raise AssertionError(f"{step.rule}: {step.rhs} is not {expected}")


__all__ = ["RuleStep", "exp", "explain", "neg"]
