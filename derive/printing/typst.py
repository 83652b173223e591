"""Typst math: the syntax of the PDF made in-process by the `typst` package.

Typst writes a multi-letter run as a variable name, so words are quoted (``"net"``),
groups are parenthesized (``w_(5)^(+)``), and fractions are ``frac(a, b)``. SymPy has no
Typst printer; this one is a plain `Printer` with the shared written order.
"""

from __future__ import annotations

from typing import Any, ClassVar

import sympy as sp
from sympy.printing.printer import Printer

from derive.notation import classic_name
from derive.printing.written import (
    DERIVE_SETTINGS,
    HADAMARD,
    MINUS,
    PLUS,
    TIMES,
    Piece,
    TextSyntax,
    WrittenOrder,
)

_OPERATORS = {PLUS: " + ", MINUS: " - ", TIMES: " dot ", HADAMARD: " dot.o "}

#: functions Typst math writes upright by their own name
_TYPST_OPERATORS = frozenset(
    {"arccos", "arcsin", "arctan", "cos", "cosh", "exp", "ln", "log", "max", "min"}
    | {"sin", "sinh", "tan", "tanh"}
)


def typst_string(text: str) -> str:
    """`text` as a Typst string literal: prints literally wherever it is placed."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    escaped = escaped.replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t")
    return f'"{escaped}"'


class TypstMathPrinter(WrittenOrder, TextSyntax, Printer):
    """Typst math in written order, with ∂-fractions, rounded numbers and classic names."""

    _operators: ClassVar[dict[str, str]] = _OPERATORS
    #: a decimal comma in math: of class "normal", so Typst sets no space after it
    _decimal_comma = 'class("normal", ",")'
    printmethod = "_derive_typst"
    _default_settings: ClassVar[dict[str, Any]] = {**DERIVE_SETTINGS, "namer": classic_name}

    def _parens(self, piece: str) -> str:
        return f"({piece})"

    def _fraction(self, numerator: str, denominator: str) -> str:
        return f"frac({numerator}, {denominator})"

    def _power(self, base: str, exponent: str) -> str:
        return f"{base}^({exponent})"

    def _scripts(self, base: str, sub: Piece, sup: Piece) -> str:
        text = base if sub is None else f"{base}_({sub})"
        return text if sup is None else f"{text}^({sup})"

    def _dots(self) -> str:
        return "dots.c"

    def _word(self, text: str) -> str:
        return typst_string(text)

    def _greek(self, name: str) -> str:
        return name

    def _digits(self, text: str) -> str:
        return text

    def _mark(self, text: str) -> str:
        return text

    def _scientific(self, mantissa: str, exponent: str) -> str:
        return f"{mantissa} times 10^({exponent})"

    def _partial(self, of: str | None, wrt: str) -> str:
        top = "partial" if of is None else f"partial {of}"
        return f"frac({top}, partial {wrt})"

    def _slash(self, of: str, wrt: str) -> str:
        return f"partial {of} \\/ partial {wrt}"

    def _tint(self, piece: str, slot: int) -> str:
        # tint1..3 (the slot's colour, underlined in its dash pattern) are defined by the
        # Typst templates (derive.diagram.STYLES)
        if not self._settings["tint"]:
            return piece
        # std.math: the templates define a `display` of their own
        return f"#tint{slot}($std.math.display({piece})$)"

    def _juxtapose(self, first: str, second: str, space: bool) -> str:
        return f"{first} {second}"

    # -- what the written order does not cover ---------------------------------------------
    def _print_Function(self, expr: sp.Function) -> str:
        name = type(expr).__name__.lower()
        head = name if name in _TYPST_OPERATORS else f"op({typst_string(name)})"
        return f"{head}({', '.join(self._print(a) for a in expr.args)})"

    def _print_Sum(self, expr: sp.Sum) -> str:
        # Σ_{k=1}^{n} body, as Typst's sum with limits
        (index, low, high), body = expr.limits[0], expr.function
        inner = self._print(body)
        if isinstance(body, sp.Add | sp.Mul) and not inner.startswith("("):
            inner = f"({inner})"
        return f"sum_({self._print(index)} = {self._print(low)})^({self._print(high)}) {inner}"

    def _print_KroneckerDelta(self, expr: sp.KroneckerDelta) -> str:
        return f"delta_({' '.join(self._print(a) for a in expr.args)})"

    def _print_Max(self, expr: sp.Max) -> str:
        return f"max({', '.join(self._print(a) for a in expr.args)})"

    def _print_Min(self, expr: sp.Min) -> str:
        return f"min({', '.join(self._print(a) for a in expr.args)})"

    def _print_Abs(self, expr: sp.Abs) -> str:
        return f"abs({self._print(expr.args[0])})"

    def _print_Heaviside(self, expr: sp.Heaviside) -> str:
        # θ(x), as SymPy's LaTeX printer writes the step function
        return f"theta({self._print(expr.args[0])})"

    # -- the matrix form of a layer (layered notation) ----------------------------------------
    def _print_MatrixBase(self, expr: sp.MatrixBase) -> str:
        rows = "; ".join(", ".join(self._print(x) for x in expr.row(i)) for i in range(expr.rows))
        return f'mat(delim: "[", {rows})'

    def _print_MatMul(self, expr: sp.MatMul) -> str:
        return " ".join(self._matrix_factor(a) for a in expr.args)

    def _print_Transpose(self, expr: sp.Transpose) -> str:
        # (a^{(1)})^T, as the LaTeX printer writes it: a named layer carries a superscript
        base = self._print(expr.arg)
        return f"{base}^(T)" if isinstance(expr.arg, sp.MatrixBase) else f"({base})^(T)"

    def _matrix_factor(self, expr: sp.Basic) -> str:
        text = self._print(expr)
        return f"({text})" if isinstance(expr, sp.MatAdd | sp.MatMul | sp.HadamardProduct) else text

    def _print_Relational(self, expr: sp.core.relational.Relational) -> str:
        return f"{self._print(expr.lhs)} {expr.rel_op} {self._print(expr.rhs)}"

    def _print_Piecewise(self, expr: sp.Piecewise) -> str:
        rows = [
            f"{self._print(value)} & {typst_string(self._settings['otherwise'])}"
            if condition == sp.true
            else f"{self._print(value)} & {typst_string(self._settings['if'])} "
            f"{self._print(condition)}"
            for value, condition in expr.args
        ]
        return f"cases({', '.join(rows)})"

    def emptyPrinter(self, expr: Any) -> str:
        return typst_string(str(expr))
