"""Writing SymPy expressions in a fixed order, and deciding when two of them agree.

SymPy normally evaluates and re-sorts what it builds: ``w1*i1 + b1`` comes back as
``b1 + i1*w1``, and ``0.15*0.05`` as ``0.0075``. A worked example must keep the order a
teacher writes, so display forms are built here with ``evaluate=False``; the printers keep
that order. `evaluated` turns such a display form back into ordinary SymPy for
differentiation, and `vanishes` decides whether an expression is identically zero.
"""

from __future__ import annotations

import random
from collections.abc import Mapping

import sympy as sp
from sympy import Expr

ONE = sp.Integer(1)
HALF = sp.Rational(1, 2)
#: "the other terms" of a long sum shown in part: printed ⋯ by every printer
DOTS = sp.Symbol("⋯")


def add(*terms: Expr) -> Expr:
    """t1 + t2 + …, in the order given."""
    return terms[0] if len(terms) == 1 else sp.Add(*terms, evaluate=False)


def mul(*factors: Expr) -> Expr:
    """f1 · f2 · …, in the order given."""
    return factors[0] if len(factors) == 1 else sp.Mul(*factors, evaluate=False)


def neg(x: Expr) -> Expr:
    """−x, kept as a negation of x (not folded into x)."""
    return sp.Mul(-1, x, evaluate=False)


def sub(a: Expr, b: Expr) -> Expr:
    """a − b."""
    return add(a, neg(b))


def power(base: Expr, exponent: int | Expr) -> Expr:
    """base^exponent."""
    return sp.Pow(base, exponent, evaluate=False)


def inv(x: Expr) -> Expr:
    """1/x."""
    return power(x, -1)


def frac(numerator: Expr, denominator: Expr) -> Expr:
    """numerator / denominator, printed as a fraction."""
    return mul(numerator, inv(denominator))


def exp(x: Expr) -> Expr:
    """e^x, not evaluated even when x is a number."""
    return sp.exp(x, evaluate=False)


def apply(function: type[sp.Function], *args: Expr) -> Expr:
    """function(args…), not evaluated even when the arguments are numbers."""
    return function(*args, evaluate=False)


def evaluated(expr: Expr) -> Expr:
    """The ordinary (evaluated, canonical) SymPy form of a display expression."""
    if not expr.args or isinstance(expr, sp.Derivative):
        return expr
    return expr.func(*(evaluated(arg) for arg in expr.args))


def substitute(expr: Expr, values: Mapping[Expr, Expr]) -> Expr:
    """Replace quantities by values, keeping the written form (nothing is evaluated).

    Derivatives are treated as quantities in their own right: ∂E/∂w is replaced by its
    value as a whole, never entered.
    """
    if expr in values:
        return values[expr]
    if not expr.args or isinstance(expr, sp.Derivative):
        return expr
    return _unevaluated(expr.func, [substitute(arg, values) for arg in expr.args])


def _unevaluated(func: type, args: list) -> Expr:
    """func(*args) without evaluation where the class allows it (not all classes take it)."""
    try:
        return func(*args, evaluate=False)
    except TypeError:
        return func(*args)


def vanishes(expr: Expr) -> bool:
    """True when `expr` is identically zero.

    The expressions met here are rational functions of exponentials, hyperbolic
    functions and logarithms of the network's quantities. Replacing every such function
    value by a fresh symbol turns an identity like e^{−x}/(1 + e^{−x})² = σ(1 − σ) into
    an identity between rational functions, which `cancel` decides exactly and fast.
    Otherwise a value at a random rational point that is clearly not zero settles it
    at once; only what survives that goes to the slow general `simplify`.
    """
    expr = sp.sympify(expr)
    stand_ins = {call: sp.Dummy() for call in expr.atoms(sp.Function)}
    if sp.cancel(sp.together(expr.xreplace(stand_ins))) == 0:
        return True
    rng = random.Random(0)
    for _ in range(2):
        point = {s: sp.Rational(rng.randint(-999, 999), 1000) for s in expr.free_symbols}
        value = expr.xreplace(point).evalf(40)
        if value.is_number and abs(value) > sp.Float("1e-25"):
            return False
    return sp.simplify(expr) == 0
