"""Math printers: SymPy expressions → the math syntax of an output format.

Display forms are built unevaluated in the order a teacher writes them (see
`derive.expr`); these printers keep that order instead of SymPy's canonical one, write
∂ for partial derivatives, round numbers by the one policy of `derive.numeric`, and name
quantities through `derive.notation`. One subclass per math syntax.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

import sympy as sp
from sympy import Expr
from sympy.printing.latex import LatexPrinter

from derive.notation import Index, Name, classic_name
from derive.numeric import ctx, format_number

Namer = Callable[[str], Name]


def _is_negation(expr: Expr) -> bool:
    """−x written as (−1)·x."""
    return isinstance(expr, sp.Mul) and len(expr.args) >= 2 and expr.args[0] == -1


def _is_negative_number(expr: Expr) -> bool:
    return isinstance(expr, sp.Number) and bool(expr < 0)


def _negative_power(expr: Expr) -> bool:
    return isinstance(expr, sp.Pow) and isinstance(expr.exp, sp.Number) and bool(expr.exp < 0)


class LatexMathPrinter(LatexPrinter):
    """LaTeX math in written order, with ∂-fractions, rounded numbers and classic names."""

    printmethod = "_derive_latex"
    _default_settings: ClassVar[dict[str, Any]] = {
        **LatexPrinter._default_settings,
        "digits": 9,
        "namer": classic_name,
    }

    # -- names and numbers --------------------------------------------------------------
    def _print_Symbol(self, expr: sp.Symbol, style: str = "plain") -> str:
        return self.name(self._settings["namer"](expr.name))

    def name(self, name: Name) -> str:
        if name.base == "nabla" and name.argument is not None:
            # the gradient of the error with respect to a whole layer: ∇_{a^{(l)}} E
            return rf"\nabla_{{{self.name(name.argument)}}} E"
        if name.is_greek:
            text = "\\" + name.base
        elif name.is_word:
            text = rf"\mathrm{{{name.base}}}"
        else:
            text = name.base
        if name.sub is not None:
            text += f"_{{{self.index(name.sub)}}}"
        if name.sup:
            text += f"^{{{name.sup}}}"
        if name.argument is not None:
            text += rf"\left({self.name(name.argument)}\right)"
        return text

    def index(self, index: Index) -> str:
        numbers = ",".join(index.numbers)
        if not index.letter:
            return numbers
        if not index.numbers:
            return rf"\mathrm{{{index.letter}}}" if len(index.letter) > 1 else index.letter
        return f"{index.letter}_{{{numbers}}}"

    def _print_Float(self, expr: sp.Float) -> str:
        text, exponent = format_number(ctx.make_mpf(expr._mpf_), self._settings["digits"])
        return text if exponent is None else rf"{text} \times 10^{{{exponent}}}"

    def _print_Derivative(self, expr: sp.Derivative) -> str:
        special = getattr(self._settings["namer"], "derivative", None)
        named = special(expr) if special else None
        if named is not None:
            return self.name(named)
        ((variable, _count),) = expr.variable_count
        if isinstance(expr.expr, sp.Symbol | sp.MatrixSymbol):
            return (
                rf"\frac{{\partial {self._print(expr.expr)}}}{{\partial {self._print(variable)}}}"
            )
        # the derivative of a written expression: ∂/∂x (…)
        inner = self._print(expr.expr)
        return rf"\frac{{\partial}}{{\partial {self._print(variable)}}}\left({inner}\right)"

    # -- written order ----------------------------------------------------------------------
    def _print_Add(self, expr: sp.Add, order: str | None = None) -> str:
        text = self._print(expr.args[0])
        for term in expr.args[1:]:
            if _is_negation(term):
                text += " - " + self._factor(sp.Mul(*term.args[1:], evaluate=False))
            elif _is_negative_number(term):
                text += " + " + self._parens(self._print(term))
            else:
                text += " + " + self._print(term)
        return text

    def _print_Mul(self, expr: sp.Mul) -> str:
        args = list(expr.args)
        if len(args) == 1:
            return self._print(args[0])
        if args[0] == -1:
            return "-" + self._factor(
                sp.Mul(*args[1:], evaluate=False) if len(args) > 2 else args[1]
            )
        if len(args) == 2 and _negative_power(args[1]) and not _negative_power(args[0]):
            # a/b, written a · b⁻¹ by `frac`
            return self._fraction(self._print(args[0]), args[1])
        powers = [a for a in args if _negative_power(a)]
        others = [a for a in args if not _negative_power(a)]
        if (
            len(powers) == 1
            and _negative_power(args[0])
            and not any(isinstance(a, sp.Add | sp.Mul) for a in others)
        ):
            # SymPy's canonical b⁻¹ · a₁ · a₂ …  →  (a₁ · a₂ …)/b
            numerator = r" \cdot ".join(self._factor(a) for a in others)
            return self._fraction(numerator, powers[0])
        # every factor that is a sum or a negative number is bracketed, the first one too:
        # (−0.5) · (−0.19), never −0.5 · −0.19
        parts = [self._factor(args[0])]
        parts += [self._factor(a) for a in args[1:]]
        return r" \cdot ".join(parts)

    def _print_Pow(self, expr: sp.Pow) -> str:
        if _negative_power(expr):
            return self._fraction("1", expr)
        base = self._print(expr.base)
        if isinstance(expr.base, sp.Add | sp.Mul | sp.Pow) or _is_negative_number(expr.base):
            base = self._parens(base)
        return f"{base}^{{{self._print(expr.exp)}}}"

    def _print_HadamardProduct(self, expr: sp.HadamardProduct) -> str:
        return r" \odot ".join(self._factor(arg) for arg in expr.args)

    def _fraction(self, numerator: str, power: sp.Pow) -> str:
        exponent = -power.exp
        denominator = self._print(
            power.base if exponent == 1 else sp.Pow(power.base, exponent, evaluate=False)
        )
        return rf"\frac{{{numerator}}}{{{denominator}}}"

    def _factor(self, expr: Expr) -> str:
        """A factor of a product: parenthesized when it is a sum, a negation or negative."""
        text = self._print(expr)
        scientific = isinstance(expr, sp.Float) and r"\times" in text
        if (
            isinstance(expr, sp.Add)
            or _is_negation(expr)
            or _is_negative_number(expr)
            or scientific
        ):
            return self._parens(text)
        return text

    @staticmethod
    def _parens(text: str) -> str:
        return rf"\left({text}\right)"


def latex_printer(digits: int, namer: Namer = classic_name) -> Callable[[Expr], str]:
    """A memoizing LaTeX printing function for one document (same digits, same names)."""
    printer = LatexMathPrinter({"digits": digits, "namer": namer})
    memo: dict[Expr, str] = {}

    def print_latex(expr: Expr) -> str:
        if expr not in memo:
            memo[expr] = printer.doprint(expr)
        return memo[expr]

    return print_latex
