"""How wide an expression is on the page, roughly, in character widths.

Where a long chain of equalities breaks must not depend on how long its *source* is
(``\\mathrm{net}_{h_{1}}`` is 19 characters of LaTeX for four on the page), so the same
written order is "printed" into widths: a fraction is as wide as its wider part, a
subscript counts for less than a letter. Good enough to decide where a line breaks; the
formats still guard against the rare misjudgement (Beamer and Typst scale to fit).
"""

from __future__ import annotations

from typing import Any, ClassVar

from sympy.printing.printer import Printer

from derive.notation import classic_name
from derive.printing.written import Piece, WrittenOrder

SCRIPT = 0.7  # a subscript or superscript, relative to a letter
OPERATOR = 2.4  # " + " with its spacing


class WidthPrinter(WrittenOrder, Printer):
    """Widths instead of text: each primitive adds up the widths of its parts."""

    printmethod = "_derive_width"
    _default_settings: ClassVar[dict[str, Any]] = {
        "digits": 9,
        "decimal": ".",
        "namer": classic_name,
        "slash": False,
        "tint": False,
    }

    def doprint(self, expr: Any) -> float:
        return self._print(expr)

    def _row(self, pieces: list[float], operators: list[str]) -> float:
        return sum(pieces) + OPERATOR * len(operators)

    def _negative(self, piece: float) -> float:
        return piece + 1.2

    def _parens(self, piece: float) -> float:
        return piece + 1.2

    def _fraction(self, numerator: float, denominator: float) -> float:
        return max(numerator, denominator) + 0.6

    def _power(self, base: float, exponent: float) -> float:
        return base + SCRIPT * exponent

    def _scripts(self, base: float, sub: Piece, sup: Piece) -> float:
        return base + SCRIPT * max(sub or 0, sup or 0)

    def _letter(self, text: str) -> float:
        return len(text)

    def _dots(self) -> float:
        return 1.5

    def _word(self, text: str) -> float:
        return 0.95 * len(text)

    def _greek(self, name: str) -> float:
        return 1.0

    def _digits(self, text: str) -> float:
        return 0.95 * len(text)

    def _mark(self, text: str) -> float:
        return len(text)

    def _scientific(self, mantissa: str, exponent: str) -> float:
        return self._digits(mantissa) + OPERATOR + 2 + SCRIPT * len(exponent)

    def _partial(self, of: float | None, wrt: float) -> float:
        return max(of or 0.0, wrt) + 1.6

    def _slash(self, of: float, wrt: float) -> float:
        return of + wrt + 3.0

    def _juxtapose(self, first: float, second: float, space: bool) -> float:
        return first + second + (0.3 if space else 0.0)

    def _print_MatrixBase(self, expr: Any) -> float:
        columns = [max(self._print(x) for x in expr.col(j)) for j in range(expr.cols)]
        return sum(columns) + 1.5 * (len(columns) - 1) + 2.0

    def _print_MatMul(self, expr: Any) -> float:
        return sum(self._print(a) for a in expr.args) + 0.5 * (len(expr.args) - 1)

    def _print_Transpose(self, expr: Any) -> float:
        return self._print(expr.arg) + SCRIPT

    def _print_Function(self, expr: Any) -> float:
        arguments = sum(self._print(a) for a in expr.args) + OPERATOR * (len(expr.args) - 1)
        return len(type(expr).__name__) + arguments + 1.2

    def emptyPrinter(self, expr: Any) -> float:
        return float(len(str(expr)))
