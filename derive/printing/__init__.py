"""Math printers: SymPy expressions → the math syntax of an output format.

Display forms are built unevaluated in the order a teacher writes them (see
`derive.expr`); these printers keep that order instead of SymPy's canonical one, write
∂ for partial derivatives, round numbers by the one policy of `derive.numeric`, and name
quantities through `derive.notation`. The written order lives once, in
`derive.printing.written`; each syntax is one small subclass:

    latex.LatexMathPrinter    Markdown, LaTeX article, Beamer
    typst.TypstMathPrinter    PDF through the typst package
    mathml.MathMLMathPrinter  the standalone HTML page
    width.WidthPrinter        how wide a formula is on the page (where long lines break)
    svgtext.SvgTextPrinter    the labels of an SVG drawing (plain text, no math renderer)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sympy import Expr

from derive.notation import Name, classic_name
from derive.printing.latex import LatexMathPrinter
from derive.printing.mathml import MathMLMathPrinter
from derive.printing.svgtext import SvgTextPrinter
from derive.printing.typst import TypstMathPrinter, typst_string
from derive.printing.width import WidthPrinter

Namer = Callable[[str], Name]

PRINTERS: dict[str, type] = {
    "latex": LatexMathPrinter,
    "typst": TypstMathPrinter,
    "mathml": MathMLMathPrinter,
    "width": WidthPrinter,
    "svg": SvgTextPrinter,
}


def math_printer(
    syntax: str,
    digits: int,
    namer: Namer = classic_name,
    decimal: str = ".",
    words: tuple[str, str] = ("if", "otherwise"),
    **extra: Any,
) -> Callable[[Expr], Any]:
    """A memoizing printing function for one document (same digits, names, decimal mark;
    `settings` are the printer's own, such as ``slash`` or ``tint``).

    Documents repeat the same quantities and values many times over; printing each once
    keeps rendering linear in the size of the network. The same object is found by its
    identity first: looking up an equal but distinct expression compares it term by
    term, which for a net input of n terms printed n times would cost n².
    """
    settings = {"digits": digits, "namer": namer, "decimal": decimal, **extra}
    if syntax != "width":
        # the words of a case distinction, in the document's language
        settings.update({"if": words[0], "otherwise": words[1]})
    printer = PRINTERS[syntax](settings)
    memo: dict[Expr, Any] = {}
    #: id → (expr, printed); holding expr keeps its id from being reused
    seen: dict[int, tuple[Expr, Any]] = {}

    def print_math(expr: Expr) -> Any:
        known = seen.get(id(expr))
        if known is not None and known[0] is expr:
            return known[1]
        if expr not in memo:
            memo[expr] = printer.doprint(expr)
        seen[id(expr)] = (expr, memo[expr])
        return memo[expr]

    return print_math


def latex_printer(digits: int, namer: Namer = classic_name) -> Callable[[Expr], str]:
    """A memoizing LaTeX printing function for one document."""
    return math_printer("latex", digits, namer)


__all__ = [
    "PRINTERS",
    "LatexMathPrinter",
    "MathMLMathPrinter",
    "Namer",
    "SvgTextPrinter",
    "TypstMathPrinter",
    "WidthPrinter",
    "latex_printer",
    "math_printer",
    "typst_string",
]
