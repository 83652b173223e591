"""MathML (presentation): the math of the standalone HTML page, which browsers draw natively.

The pieces are DOM elements of SymPy's `MathMLPresentationPrinter`; the written order and
the names are the shared ones, so the page says exactly what the LaTeX says.
"""

from __future__ import annotations

import unicodedata
from typing import Any, ClassVar
from xml.dom.minidom import Element

import sympy as sp
from sympy.printing.mathml import MathMLPresentationPrinter

from derive.notation import classic_name
from derive.printing.written import (
    DERIVE_SETTINGS,
    HADAMARD,
    MINUS,
    PLUS,
    TIMES,
    Piece,
    WrittenOrder,
)

_OPERATORS = {
    PLUS: "+",
    MINUS: "\N{MINUS SIGN}",
    TIMES: "\N{MIDDLE DOT}",
    HADAMARD: "\N{CIRCLED DOT OPERATOR}",
}
_SYMBOLS = {"nabla": "\N{NABLA}"}


class MathMLMathPrinter(WrittenOrder, MathMLPresentationPrinter):
    """Presentation MathML in written order, with ∂-fractions, rounded numbers, classic names."""

    printmethod = "_derive_mathml"
    _default_settings: ClassVar[dict[str, Any]] = {
        **MathMLPresentationPrinter._default_settings,
        **DERIVE_SETTINGS,
        "namer": classic_name,
        "tint": False,
    }

    def _element(self, tag: str, *children: Element, text: str | None = None) -> Element:
        element = self.dom.createElement(tag)
        if text is not None:
            element.appendChild(self.dom.createTextNode(text))
        for child in children:
            element.appendChild(child)
        return element

    def _operator(self, text: str) -> Element:
        return self._element("mo", text=text)

    def _row(self, pieces: list[Element], operators: list[str]) -> Element:
        row = self._element("mrow", pieces[0])
        for operator, piece in zip(operators, pieces[1:], strict=True):
            row.appendChild(self._operator(_OPERATORS[operator]))
            row.appendChild(piece)
        return row

    def _print_Piecewise(self, expr: Any) -> Element:
        # { value  if condition / value  otherwise, as a brace before a two-column table
        rows = []
        for value, condition in expr.args:
            if condition == sp.true:
                words = self._element("mtext", text=self._settings["otherwise"])
            else:
                words = self._element(
                    "mrow",
                    self._element("mtext", text=self._settings["if"] + "\N{NO-BREAK SPACE}"),
                    self._print(condition),
                )
            cells = (self._element("mtd", self._print(value)), self._element("mtd", words))
            rows.append(self._element("mtr", *cells))
        table = self._element("mtable", *rows)
        table.setAttribute("columnalign", "left left")
        return self._element("mrow", self._operator("{"), table)

    def _print_Relational(self, expr: Any) -> Element:
        operator = {
            ">": ">",
            "<": "<",
            ">=": "\N{GREATER-THAN OR EQUAL TO}",
            "<=": "\N{LESS-THAN OR EQUAL TO}",
            "==": "=",
        }.get(expr.rel_op, expr.rel_op)
        return self._element(
            "mrow", self._print(expr.lhs), self._operator(operator), self._print(expr.rhs)
        )

    def _negative(self, piece: Element) -> Element:
        return self._element("mrow", self._operator("\N{MINUS SIGN}"), piece)

    def _parens(self, piece: Element) -> Element:
        # stretched around a fraction, as \left( does; otherwise text-sized, since a
        # browser stretches a parenthesis to every subscript and that reads oddly
        opening, closing = self._operator("("), self._operator(")")
        if not piece.getElementsByTagName("mfrac"):
            opening.setAttribute("stretchy", "false")
            closing.setAttribute("stretchy", "false")
        return self._element("mrow", opening, piece, closing)

    def _fraction(self, numerator: Element, denominator: Element) -> Element:
        return self._element("mfrac", numerator, denominator)

    def _power(self, base: Element, exponent: Element) -> Element:
        return self._element("msup", base, exponent)

    def _scripts(self, base: Element, sub: Piece, sup: Piece) -> Element:
        if sub is None:
            return self._element("msup", base, sup)
        if sup is None:
            return self._element("msub", base, sub)
        return self._element("msubsup", base, sub, sup)

    def _letter(self, text: str) -> Element:
        return self._element("mi", text=text)

    def _dots(self) -> Element:
        return self._element("mi", text="\N{MIDLINE HORIZONTAL ELLIPSIS}")

    def _word(self, text: str) -> Element:
        # a multi-letter <mi> is upright, as \mathrm is
        return self._element("mi", text=text)

    def _greek(self, name: str) -> Element:
        letter = _SYMBOLS.get(name) or unicodedata.lookup(f"GREEK SMALL LETTER {name.upper()}")
        return self._element("mi", text=letter)

    def _digits(self, text: str) -> Element:
        return self._element("mn", text=text)

    def _mark(self, text: str) -> Element:
        return self._element("mo", text=text)

    def _scientific(self, mantissa: str, exponent: str) -> Element:
        power = self._digits(exponent.lstrip("-"))
        if exponent.startswith("-"):
            power = self._negative(power)
        return self._element(
            "mrow",
            self._digits(mantissa),
            self._operator("\N{MULTIPLICATION SIGN}"),
            self._element("msup", self._digits("10"), power),
        )

    def _tint(self, piece: Element, slot: int) -> Element:
        # coloured by the page's style sheet (class factor1..3), as the diagram's path is
        if not self._settings["tint"]:
            return piece
        row = self._element("mrow", piece)
        row.setAttribute("class", f"factor{slot}")
        return row

    def _partial(self, of: Element | None, wrt: Element) -> Element:
        top = (
            self._partial_sign() if of is None else self._element("mrow", self._partial_sign(), of)
        )
        return self._fraction(top, self._element("mrow", self._partial_sign(), wrt))

    def _juxtapose(self, first: Element, second: Element, space: bool) -> Element:
        return self._element("mrow", first, second)

    def _partial_sign(self) -> Element:
        sign = self._element("mi", text="\N{PARTIAL DIFFERENTIAL}")
        sign.setAttribute("mathvariant", "normal")
        return sign
