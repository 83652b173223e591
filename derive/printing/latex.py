"""LaTeX math: the syntax of the Markdown, LaTeX article and Beamer formats."""

from __future__ import annotations

from typing import Any, ClassVar

import sympy as sp
from sympy.printing.latex import LatexPrinter

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

_OPERATORS = {PLUS: " + ", MINUS: " - ", TIMES: r" \cdot ", HADAMARD: r" \odot "}


class LatexMathPrinter(WrittenOrder, TextSyntax, LatexPrinter):
    """LaTeX math in written order, with ∂-fractions, rounded numbers and classic names."""

    _operators: ClassVar[dict[str, str]] = _OPERATORS
    #: a decimal comma in math mode: braced, so TeX sets no space after it
    _decimal_comma = "{,}"
    printmethod = "_derive_latex"
    _default_settings: ClassVar[dict[str, Any]] = {
        **LatexPrinter._default_settings,
        **DERIVE_SETTINGS,
        "namer": classic_name,
        "slash": False,
        "tint": False,
    }

    def _print_log(self, expr: Any) -> str:
        # ln(out): plain parentheses around a flat argument, so a sentence can break around it
        inner = self._print(expr.args[0])
        return rf"\ln\left({inner}\right)" if r"\frac" in inner else rf"\ln({inner})"

    def _print_Piecewise(self, expr: Any) -> str:
        rows = [
            rf"{self._print(value)} & \text{{{self._settings['otherwise']}}}"
            if condition == sp.true
            else rf"{self._print(value)} & \text{{{self._settings['if']} }}{self._print(condition)}"
            for value, condition in expr.args
        ]
        return r"\begin{cases} " + r" \\ ".join(rows) + r" \end{cases}"

    def _print_Relational(self, expr: Any) -> str:
        # "for -0.105 > 0": braced, the minus is a sign, not a subtraction from "for"
        text = super()._print_Relational(expr)
        lhs = self._print(expr.lhs)
        if lhs.startswith("-") and text.startswith(lhs):
            return "{" + lhs + "}" + text[len(lhs) :]
        return text

    def _parens(self, piece: str) -> str:
        return rf"\left({piece}\right)"

    def _fraction(self, numerator: str, denominator: str) -> str:
        return rf"\frac{{{numerator}}}{{{denominator}}}"

    def _power(self, base: str, exponent: str) -> str:
        return f"{base}^{{{exponent}}}"

    def _scripts(self, base: str, sub: Piece, sup: Piece) -> str:
        text = base if sub is None else f"{base}_{{{sub}}}"
        return text if sup is None else f"{text}^{{{sup}}}"

    def _dots(self) -> str:
        return r"\cdots"

    def _word(self, text: str) -> str:
        return rf"\mathrm{{{text}}}"

    def _greek(self, name: str) -> str:
        return "\\" + name

    def _digits(self, text: str) -> str:
        return text

    def _mark(self, text: str) -> str:
        return text

    def _scientific(self, mantissa: str, exponent: str) -> str:
        return rf"{mantissa} \times 10^{{{exponent}}}"

    def _partial(self, of: str | None, wrt: str) -> str:
        top = r"\partial" if of is None else rf"\partial {of}"
        return rf"\frac{{{top}}}{{\partial {wrt}}}"

    def _slash(self, of: str, wrt: str) -> str:
        return rf"\partial {of}/\partial {wrt}"

    def _tint(self, piece: str, slot: int) -> str:
        # \derivefactor (colour derive-factorN, underlined in the slot's dash pattern) is
        # defined by the LaTeX templates
        return rf"\derivefactor{{{slot}}}{{{piece}}}" if self._settings["tint"] else piece

    def _juxtapose(self, first: str, second: str, space: bool) -> str:
        return f"{first} {second}" if space else first + second
