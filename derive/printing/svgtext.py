"""SVG text: the labels of a drawing that must read without MathML or TeX.

A network drawing written as an SVG file (beside a Markdown walkthrough, or inline in
the HTML page) is shown by GitHub, Pandoc and browsers as an image, where no math
renderer runs. Its labels are plain SVG text: subscripts and superscripts as shifted
``<tspan>``s, ∂E/∂w on one line, Unicode minus and Greek letters. The written order is
the shared one (`derive.printing.written`).
"""

from __future__ import annotations

import re
import unicodedata
from html import escape
from typing import Any, ClassVar

from sympy.printing.printer import Printer

from derive.notation import classic_name
from derive.printing.written import HADAMARD, MINUS, PLUS, TIMES, Piece, TextSyntax, WrittenOrder

_OPERATORS = {PLUS: " + ", MINUS: " \N{MINUS SIGN} ", TIMES: " · ", HADAMARD: " ⊙ "}
_SYMBOLS = {"nabla": "∇", "partial": "∂"}


_INNER_SCRIPT = re.compile(r'<tspan baseline-shift="sub" font-size="70%">(.*?)</tspan>')


def _shifted(text: str, shift: str) -> str:
    """`text` as a sub- or superscript; a script inside it (the 1 of net_{h_1}) is written
    level with it, since a script of a script is too small to read in a label."""
    flat = _INNER_SCRIPT.sub(r"\1", text)
    return f'<tspan baseline-shift="{shift}" font-size="70%">{flat}</tspan>'


class SvgTextPrinter(WrittenOrder, TextSyntax, Printer):
    """SVG text content (escaped, with tspans) in written order; fractions on one line."""

    _operators: ClassVar[dict[str, str]] = _OPERATORS
    printmethod = "_derive_svg"
    _default_settings: ClassVar[dict[str, Any]] = {
        "decimal": ".",
        "digits": 9,
        "namer": classic_name,
        "slash": True,
        "tint": False,
        "if": "if",
        "otherwise": "otherwise",
    }

    def _parens(self, piece: str) -> str:
        return f"({piece})"

    def _fraction(self, numerator: str, denominator: str) -> str:
        return f"{numerator}/{denominator}"

    def _power(self, base: str, exponent: str) -> str:
        return base + _shifted(exponent, "super")

    def _scripts(self, base: str, sub: Piece, sup: Piece) -> str:
        text = base if sub is None else base + _shifted(sub, "sub")
        return text if sup is None else text + _shifted(sup, "super")

    def _letter(self, text: str) -> str:
        return f'<tspan font-style="italic">{escape(text)}</tspan>'

    def _word(self, text: str) -> str:
        return escape(text)

    def _greek(self, name: str) -> str:
        letter = _SYMBOLS.get(name) or unicodedata.lookup(f"GREEK SMALL LETTER {name.upper()}")
        return f'<tspan font-style="italic">{letter}</tspan>'

    def _digits(self, text: str) -> str:
        return text

    def _mark(self, text: str) -> str:
        return escape(text)

    def _negative(self, piece: str) -> str:
        return "\N{MINUS SIGN}" + piece

    def _scientific(self, mantissa: str, exponent: str) -> str:
        return f"{mantissa}×10" + _shifted(exponent.replace("-", "\N{MINUS SIGN}"), "super")

    def _partial(self, of: str | None, wrt: str) -> str:
        return f"∂{of or ''}/∂{wrt}"

    def _slash(self, of: str, wrt: str) -> str:
        return f"∂{of}/∂{wrt}"

    def _juxtapose(self, first: str, second: str, space: bool) -> str:
        return f"{first} {second}" if space else first + second

    def emptyPrinter(self, expr: Any) -> str:
        return escape(str(expr))
