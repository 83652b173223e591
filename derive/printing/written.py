"""The written order, shared by every math printer.

Display forms are built unevaluated in the order a teacher writes them (`derive.expr`).
`WrittenOrder` prints sums, products, powers, ∂-fractions, rounded numbers and classic
names in that order and form; the printer it is mixed into supplies only the syntax,
through a handful of primitives. So LaTeX, Typst, MathML (and the width estimate used to
decide where a long equation breaks) agree on what is written and differ only in how.

A "piece" is whatever the syntax builds: a string for LaTeX and Typst, a DOM element for
MathML, a width for the estimator.
"""

from __future__ import annotations

from typing import Any

import sympy as sp
from sympy import Expr

from derive.expr import DOTS
from derive.notation import Index, Name
from derive.numeric import ctx, format_number

Piece = Any

PLUS, MINUS, TIMES, HADAMARD = "+", "-", "*", "o"


def is_negation(expr: Expr) -> bool:
    """−x written as (−1)·x."""
    return isinstance(expr, sp.Mul) and len(expr.args) >= 2 and expr.args[0] == -1


def is_negative_number(expr: Expr) -> bool:
    return isinstance(expr, sp.Number) and bool(expr < 0)


def negative_power(expr: Expr) -> bool:
    return isinstance(expr, sp.Pow) and isinstance(expr.exp, sp.Number) and bool(expr.exp < 0)


#: the settings every derive printer takes: digits shown, decimal mark, the words of a case
#: distinction ("if", "otherwise"), how quantities are named
DERIVE_SETTINGS: dict[str, Any] = {
    "digits": 9,
    "decimal": ".",
    "if": "if",
    "otherwise": "otherwise",
    # a drawing's labels: ∂E/∂w on one line; chain-rule factors in their colours
    "slash": False,
    "tint": False,
}


class WrittenOrder:
    """Add, Mul, Pow, ∂, numbers and names printed as written; syntax left to subclasses.

    Primitives a subclass defines (each returns a piece):

    ``_row(pieces, operators)``  a + b − c · d, operators from PLUS, MINUS, TIMES, HADAMARD
    ``_negative(piece)``         −a
    ``_parens(piece)``           (a), sized to its content
    ``_fraction(num, den)``      a over b
    ``_power(base, exponent)``   a to the b
    ``_scripts(base, sub, sup)`` a with subscript and/or superscript (either may be None)
    ``_letter(text)``, ``_word(text)``, ``_greek(name)``, ``_digits(text)``
    ``_mark(text)``              a superscript sign such as the ⁺ of an updated value
    ``_scientific(mantissa, exponent)``  m × 10^e (both plain digit strings)
    ``_partial(of, wrt)``        ∂of / ∂wrt, or the operator ∂/∂wrt when `of` is None
    ``_juxtapose(a, b, space)``  a b, side by side (f'(z), ∇_a E)
    ``_dots()``                  ⋯, the terms of a long sum left out

    and may define ``_slash(of, wrt)`` (∂of/∂wrt on one line, for the labels of a
    drawing, with the setting ``slash``) and ``_tint(piece, slot)`` (a chain-rule factor
    in its colour, for `derive.diagram.Tint`).
    """

    # Mixed into a sympy Printer, which supplies `_print` and `_settings` (with "digits"
    # and "namer"); this class must come first among the bases so its methods win.
    _settings: dict[str, Any]

    # -- names ----------------------------------------------------------------------------
    def _print_Symbol(self, expr: sp.Symbol, style: str = "plain") -> Piece:
        if expr == DOTS:
            return self._dots()
        return self.name(self._settings["namer"](expr.name))

    def name(self, name: Name) -> Piece:
        """A quantity's written name: net_{h₁}, E_total, w₅⁺, η, f'(z^{(2)}), ∇_{a^{(2)}} E."""
        if name.base == "nabla" and name.argument is not None:
            # the gradient of the error with respect to a whole layer: ∇_{a^{(l)}} E
            nabla = self._scripts(self._greek("nabla"), self.name(name.argument), None)
            return self._juxtapose(nabla, self._letter("E"), True)
        if name.is_greek:
            base = self._greek(name.base)
        elif name.is_word:
            base = self._word(name.base)
        else:
            base = self._letter(name.base)
        sub = self.index(name.sub) if name.sub is not None else None
        sup = self._mark(name.sup) if name.sup else None
        written = base if sub is None and sup is None else self._scripts(base, sub, sup)
        if name.argument is not None:
            written = self._juxtapose(written, self._parens(self.name(name.argument)), False)
        return written

    def _print_MatrixSymbol(self, expr: sp.MatrixSymbol, style: str = "plain") -> Piece:
        return self._print_Symbol(expr)

    def index(self, index: Index) -> Piece:
        """h₁ as a subscript: a letter with numbers, numbers alone, or a word."""
        numbers = self._digits(",".join(index.numbers)) if index.numbers else None
        if not index.letter:
            return numbers
        letter = self._word(index.letter) if len(index.letter) > 1 else self._letter(index.letter)
        return letter if numbers is None else self._scripts(letter, numbers, None)

    # -- numbers --------------------------------------------------------------------------
    def _print_Float(self, expr: sp.Float) -> Piece:
        text, exponent = self._number(expr)
        negative = text.startswith("-")
        written = (
            self._digits(text.lstrip("-"))
            if exponent is None
            else self._scientific(text.lstrip("-"), str(exponent))
        )
        return self._negative(written) if negative else written

    #: how the printer's syntax writes a decimal comma (a printer may override)
    _decimal_comma = ","

    def _number(self, expr: sp.Float) -> tuple[str, int | None]:
        """The one rounding policy of `derive.numeric`, at the document's digits, with the
        document's decimal mark (``decimal`` setting: "." or ",")."""
        text, exponent = format_number(ctx.make_mpf(expr._mpf_), self._settings["digits"])
        if self._settings.get("decimal", ".") == ",":
            text = text.replace(".", self._decimal_comma)
        return text, exponent

    def _scientific_float(self, expr: Expr) -> bool:
        return isinstance(expr, sp.Float) and self._number(expr)[1] is not None

    def _print_Integer(self, expr: sp.Integer) -> Piece:
        digits = self._digits(str(abs(int(expr))))
        return self._negative(digits) if expr < 0 else digits

    def _print_Rational(self, expr: sp.Rational) -> Piece:
        fraction = self._fraction(self._digits(str(abs(expr.p))), self._digits(str(expr.q)))
        return self._negative(fraction) if expr < 0 else fraction

    # -- derivatives and functions ----------------------------------------------------------
    def _print_Derivative(self, expr: sp.Derivative) -> Piece:
        special = getattr(self._settings["namer"], "derivative", None)
        named = special(expr) if special else None
        if named is not None:
            # a derivative the notation names on its own: δ^{(l)}_j = ∂E/∂z^{(l)}_j
            return self.name(named)
        ((variable, _count),) = expr.variable_count
        if isinstance(expr.expr, sp.Symbol | sp.MatrixSymbol):
            if self._settings.get("slash"):
                # ∂E/∂w on one line: a label in a drawing has no room for a stacked fraction
                return self._slash(self._print(expr.expr), self._print(variable))
            return self._partial(self._print(expr.expr), self._print(variable))
        # the derivative of a written expression: ∂/∂x (…)
        operator = self._partial(None, self._print(variable))
        return self._juxtapose(operator, self._parens(self._print(expr.expr)), False)

    def _print_log(self, expr: Expr) -> Piece:
        # the natural logarithm, written ln as students expect (log could be base 10)
        return self._print(sp.Function("ln")(*expr.args))

    def _print_exp(self, expr: Expr) -> Piece:
        return self._power(self._letter("e"), self._print(expr.args[0]))

    def _print_Tint(self, expr: Expr) -> Piece:
        """A factor of a chain rule drawn in the colour of its part of the diagram."""
        inner, slot = expr.args
        # a factor of a product: parenthesized when negative, as it would be untinted
        return self._tint(self._factor(inner), int(slot))

    def _tint(self, piece: Piece, slot: int) -> Piece:
        """`piece` in the colour of factor `slot` (1, 2, 3); a syntax without colour keeps it."""
        return piece

    def _slash(self, of: Piece, wrt: Piece) -> Piece:
        """∂of/∂wrt on one line (the `slash` setting); by default the stacked fraction."""
        return self._partial(of, wrt)

    # -- written order --------------------------------------------------------------------
    def _print_Add(self, expr: sp.Add, order: str | None = None) -> Piece:
        pieces, operators = [self._print(expr.args[0])], []
        for term in expr.args[1:]:
            if is_negation(term):
                operators.append(MINUS)
                pieces.append(self._factor(sp.Mul(*term.args[1:], evaluate=False)))
            elif is_negative_number(term):
                operators.append(PLUS)
                pieces.append(self._parens(self._print(term)))
            else:
                operators.append(PLUS)
                pieces.append(self._print(term))
        return self._row(pieces, operators)

    def _print_Mul(self, expr: sp.Mul) -> Piece:
        args = list(expr.args)
        if len(args) == 1:
            return self._print(args[0])
        if args[0] == -1:
            rest = sp.Mul(*args[1:], evaluate=False) if len(args) > 2 else args[1]
            return self._negative(self._factor(rest))
        if len(args) == 2 and negative_power(args[1]) and not negative_power(args[0]):
            # a/b, written a · b⁻¹ by `frac`
            return self._over(self._print(args[0]), args[1])
        powers = [a for a in args if negative_power(a)]
        others = [a for a in args if not negative_power(a)]
        if (
            len(powers) == 1
            and negative_power(args[0])
            and not any(isinstance(a, sp.Add | sp.Mul) for a in others)
        ):
            # SymPy's canonical b⁻¹ · a₁ · a₂ …  →  (a₁ · a₂ …)/b
            numerator = [self._factor(a) for a in others]
            return self._over(self._row(numerator, [TIMES] * (len(others) - 1)), powers[0])
        # every factor that is a sum or a negative number is bracketed, the first one too:
        # (−0.5) · (−0.19), never −0.5 · −0.19
        pieces = [self._factor(a) for a in args]
        return self._row(pieces, [TIMES] * (len(pieces) - 1))

    def _print_HadamardProduct(self, expr: sp.HadamardProduct) -> Piece:
        pieces = [self._factor(a) for a in expr.args]
        return self._row(pieces, [HADAMARD] * (len(pieces) - 1))

    def _print_Pow(self, expr: sp.Pow) -> Piece:
        if negative_power(expr):
            return self._over(self._digits("1"), expr)
        base = self._print(expr.base)
        if isinstance(expr.base, sp.Add | sp.Mul | sp.Pow) or is_negative_number(expr.base):
            base = self._parens(base)
        return self._power(base, self._print(expr.exp))

    def _over(self, numerator: Piece, power: sp.Pow) -> Piece:
        """numerator / base^(−exponent), for a power with a negative exponent."""
        exponent = -power.exp
        denominator = self._print(
            power.base if exponent == 1 else sp.Pow(power.base, exponent, evaluate=False)
        )
        return self._fraction(numerator, denominator)

    def _factor(self, expr: Expr) -> Piece:
        """A factor of a product: parenthesized when it is a sum, a negation or negative."""
        piece = self._print(expr)
        if (
            isinstance(expr, sp.Add)
            or is_negation(expr)
            or is_negative_number(expr)
            or self._scientific_float(expr)
        ):
            return self._parens(piece)
        return piece


class TextSyntax:
    """The primitives every syntax built of strings writes the same way (LaTeX, Typst);
    a subclass names its operator spellings in `_operators`."""

    _operators: dict[str, str]

    def _row(self, pieces: list[str], operators: list[str]) -> str:
        text = pieces[0]
        for operator, piece in zip(operators, pieces[1:], strict=True):
            text += self._operators[operator] + piece
        return text

    def _negative(self, piece: str) -> str:
        return "-" + piece

    def _letter(self, text: str) -> str:
        return text
