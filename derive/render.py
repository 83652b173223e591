"""Document → text in one output format, through a Jinja2 template and a math printer.

Templates are package data: in an installed wheel they live in ``derive/templates``; in a
source checkout they are the top-level ``templates/`` folder. Environments are strict (an
undefined name is an error, never an empty string) and templates never compute
mathematics: they place what the document holds, printed by the format's printer through
the filters of `math_filters`. LaTeX and Typst templates use the bracket delimiters of
nbconvert (``((* *))``, ``((( )))``, ``((= =))``) so their braces never clash with Jinja;
the HTML environment escapes every value that is not marked as markup.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup, escape
from sympy import Expr, Float, Symbol

from derive.diagram import DIGITS as DIAGRAM_DIGITS
from derive.diagram import PAGE, SCREEN, SLIDE, SPAN, STYLES, Drawings, Frame, Line, tinted
from derive.document import Document, Equation, Inline, Math, Num, Text, TrainingReport
from derive.errors import UsageError
from derive.messages import Language
from derive.notation import classic_name
from derive.numeric import Value, plain
from derive.plot import Chart, chart, svg
from derive.printing import math_printer, typst_string
from derive.printing.width import OPERATOR
from derive.prose import Prose
from derive.slides import Byline, plan_deck
from derive.templatecache import bytecode_cache
from derive.text import latex_escape, markdown_prose, markdown_text, typst_text
from derive.trainingprose import TrainingProse

#: length (in LaTeX characters) above which a Markdown display equation is split
LONG_EQUATION = 240


@dataclass(frozen=True)
class Syntax:
    """How one kind of template writes math: printer, chain, broken chain, free text.

    `line_width` is where a chain of equalities breaks, in character widths on the page
    (`derive.printing.width`); Markdown keeps its rule of LaTeX source length instead,
    because GitHub and Jupyter scroll a long line rather than overflow a page. A page
    that reflows (HTML) also has a `narrow_width`: the width of a phone, below which it
    shows the broken form of a chain that fits on a wider screen.
    """

    printer: str
    equals: Callable[[list[str]], str]
    aligned: Callable[[list[str]], str]
    text: Callable[[str], str]
    inline: Callable[[str], str] = "${}$".format
    line_width: float | None = None
    markup: Callable[[str], Any] = str
    narrow_width: float | None = None
    drawing: str = ""
    tint: bool = False
    #: the words of a sentence (`say`), where they are escaped otherwise than free text
    prose: Callable[[str], str] | None = None
    #: an equation inside a sentence (HTML: a box that scrolls rather than widen the page)
    inline_chain: Callable[[str], str] | None = None


@dataclass(frozen=True)
class Format:
    """An output format: its template, its math syntax and its Jinja2 environment."""

    template: str
    syntax: Syntax
    environment: str
    frame: Frame = PAGE


def _latex_aligned(lines: list[str]) -> str:
    rows = [f"{lines[0]} &= {lines[1]}", *(f"&= {p}" for p in lines[2:])]
    return "\\begin{aligned}\n" + " \\\\\n".join(rows) + "\n\\end{aligned}"


def _typst_aligned(lines: list[str]) -> str:
    rows = [f"{lines[0]} &= {lines[1]}", *(f"&= {p}" for p in lines[2:])]
    return " \\\n".join(rows)


def _mathml_equals(parts: list[str]) -> str:
    return "<mrow>" + "<mo>=</mo>".join(parts) + "</mrow>"


def _mathml_aligned(lines: list[str]) -> str:
    def row(lhs: str, rhs: str) -> str:
        return f'<mtr><mtd class="lhs">{lhs}</mtd><mtd class="rhs"><mo>=</mo>{rhs}</mtd></mtr>'

    rows = [row(lines[0], lines[1]), *(row("", p) for p in lines[2:])]
    return "<mtable>" + "".join(rows) + "</mtable>"


LATEX = Syntax("latex", " = ".join, _latex_aligned, latex_escape, line_width=74, tint=True)
BEAMER = Syntax("latex", " = ".join, _latex_aligned, latex_escape, line_width=72, tint=True)
TYPST = Syntax("typst", " = ".join, _typst_aligned, typst_text, line_width=74, tint=True)
TYPST_SLIDES = Syntax("typst", " = ".join, _typst_aligned, typst_text, line_width=72, tint=True)
MATHML = Syntax(
    "mathml",
    _mathml_equals,
    _mathml_aligned,
    escape,
    inline="<math>{}</math>".format,
    line_width=64,
    markup=Markup,
    narrow_width=30,
    drawing="svg",
    tint=True,
    inline_chain='<span class="ieq"><math>{}</math></span>'.format,
)
MARKDOWN = Syntax(
    "latex", " = ".join, _latex_aligned, markdown_text, drawing="svg", prose=markdown_prose
)
#: the SVG drawing on its own (the image beside a Markdown walkthrough)
SVG = Syntax("svg", " = ".join, _latex_aligned, escape, inline="{}".format, markup=Markup)

FORMATS: dict[str, Format] = {
    # the Markdown's drawings are the SVG images beside it, laid out for a screen
    "md": Format("walkthrough.md.j2", MARKDOWN, "markdown", SCREEN),
    "train-md": Format("train.md.j2", MARKDOWN, "markdown"),
    "tex": Format("walkthrough.tex.j2", LATEX, "bracket"),
    "beamer": Format("slides.tex.j2", BEAMER, "bracket", SLIDE),
    "typst": Format("walkthrough.typ.j2", TYPST, "bracket"),
    "typst-slides": Format("slides.typ.j2", TYPST_SLIDES, "bracket", SLIDE),
    "html": Format("walkthrough.html.j2", MATHML, "html", SCREEN),
}


def template_dir() -> Path:
    """Where the templates are: inside the installed package, or beside it in a checkout."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "templates", here.parent / "templates"):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError("derive's templates are missing from this installation")


_COMMON = {
    "undefined": jinja2.StrictUndefined,
    "trim_blocks": True,
    "lstrip_blocks": True,
    "keep_trailing_newline": True,
}

_BRACKETS = {
    "block_start_string": "((*",
    "block_end_string": "*))",
    "variable_start_string": "(((",
    "variable_end_string": ")))",
    "comment_start_string": "((=",
    "comment_end_string": "=))",
}


@cache
def environment(kind: str = "markdown") -> jinja2.Environment:
    """The Jinja2 environment of one kind of template: markdown, bracket (LaTeX, Typst), html."""
    loader = jinja2.FileSystemLoader(str(template_dir()))
    common = {"loader": loader, "bytecode_cache": bytecode_cache(), **_COMMON}
    if kind == "markdown":
        return jinja2.Environment(autoescape=False, **common)
    if kind == "html":
        return jinja2.Environment(autoescape=True, **common)
    env = jinja2.Environment(autoescape=False, **_BRACKETS, **common)
    env.filters["latex_escape"] = latex_escape
    env.filters["typst_text"] = typst_text
    env.filters["typst_string"] = typst_string
    return env


def math_filters(
    document: Document | TrainingReport, syntax: Syntax = MARKDOWN, lang: Language | None = None
) -> dict[str, Callable[..., Any]]:
    """The filters a template uses to print math: inline, equation chains, numbers, text.

    ``math`` (alias ``tex``, its name in the Markdown templates) prints an expression;
    ``eq`` a chain ``lhs = … = value`` inline; ``block`` the same for display, broken
    after each "=" when too long for a line; ``narrow`` the broken form for a phone
    (HTML); ``wide`` says a display is still too wide (the template scales it to fit);
    ``short`` says a formula fits inside a sentence (else the template displays it);
    ``num`` a value; ``plain`` a value as text; ``text`` free text, made literal;
    ``pct`` a fraction as a percentage;
    ``say`` a `Text` of a planned document (its words escaped, its fields printed).
    Quantities are named in the document's notation (classic or layered); numbers carry
    the decimal mark of `lang`.
    """
    lang = lang or Language()
    namer = getattr(document, "notation", classic_name)
    show = math_printer(
        syntax.printer, document.digits, namer, lang.decimal, lang.case_words, tint=syntax.tint
    )
    drawing = math_printer(
        syntax.drawing or syntax.printer,
        DIAGRAM_DIGITS,
        namer,
        lang.decimal,
        lang.case_words,
        slash=True,
    )
    measure = math_printer("width", document.digits, namer)
    markup = syntax.markup

    def local(text: str) -> str:
        return text.replace(".", lang.decimal)

    def exact(value: Value | Expr) -> Expr:
        # a value may be a blank record of a guided exercise (derive.blanks.Gap): an Expr
        return value if isinstance(value, Expr) else Float(value, 50)

    def number(value: Value) -> Any:
        return markup(show(exact(value)))

    def text(value: Value, digits: int) -> str:
        return value.as_text(digits) if isinstance(value, Expr) else plain(value, digits)

    def written(eq: Equation) -> list[Any]:
        value = () if eq.value is None else (exact(eq.value),)
        return [eq.lhs, *eq.forms, *value]

    def parts(eq: Equation) -> list[str]:
        return [show(form) for form in written(eq)]

    def widths(eq: Equation) -> list[float]:
        return [measure(form) for form in written(eq)]

    def one_line(eq: Equation) -> float:
        return sum(widths(eq)) + OPERATOR * (len(written(eq)) - 1)

    def breaks(eq: Equation, width: float | None = syntax.line_width) -> bool:
        """Whether `eq` is a chain (three parts or more) too long for a line of `width`."""
        if len(written(eq)) < 3:
            return False
        if width is None:
            return len(" = ".join(parts(eq))) > LONG_EQUATION
        return one_line(eq) > width

    def equation(eq: Equation) -> Any:
        return markup(syntax.equals(parts(eq)))

    def piece(item: str | Math | Num | Inline) -> str:
        if isinstance(item, str):
            return str((syntax.prose or syntax.text)(item))
        if isinstance(item, Math):
            return syntax.inline(show(item.expr))
        if isinstance(item, Num):
            return syntax.inline(show(exact(item.value)))
        return (syntax.inline_chain or syntax.inline)(syntax.equals(parts(item.equation)))

    def say(text: Text) -> Any:
        return markup("".join(piece(item) for item in text.pieces))

    def block(eq: Equation) -> Any:
        """A display equation; a long chain is broken after each '=' and aligned."""
        return markup((syntax.aligned if breaks(eq) else syntax.equals)(parts(eq)))

    def narrow(eq: Equation) -> Any:
        """The broken form for a phone, where `block` keeps one line; else empty."""
        if syntax.narrow_width is None or breaks(eq) or not breaks(eq, syntax.narrow_width):
            return ""
        return markup(syntax.aligned(parts(eq)))

    def short(*items: Equation | Expr) -> bool:
        """Whether equations or expressions, joined by "=", fit comfortably inside a
        sentence (60 % of a line); a longer formula is better set on a line of its own."""
        if syntax.line_width is None:
            return True
        sizes = [
            w
            for item in items
            for w in (widths(item) if isinstance(item, Equation) else [measure(item)])
        ]
        return sum(sizes) + OPERATOR * (len(sizes) - 1) <= syntax.line_width * 0.6

    def may_scroll(eq: Equation) -> bool:
        """Whether a display may be wider than a phone's screen (HTML: it scrolls there,
        so the page makes it reachable by keyboard); formats without one: never."""
        if syntax.narrow_width is None:
            return False
        sizes = widths(eq)
        if breaks(eq) or breaks(eq, syntax.narrow_width):
            longest = max(sizes[0] + OPERATOR + sizes[1], *(OPERATOR + s for s in sizes[2:]))
        else:
            longest = one_line(eq)
        return longest > syntax.narrow_width

    def wide(eq: Equation) -> bool:
        """Whether the display of `eq` (broken or not) is still wider than a line."""
        if syntax.line_width is None:
            return False
        sizes = widths(eq)
        if breaks(eq):
            longest = max(sizes[0] + OPERATOR + sizes[1], *(OPERATOR + s for s in sizes[2:]))
        else:
            longest = one_line(eq)
        return longest > syntax.line_width

    def label(line: Line) -> Any:
        """A line of a drawing's label, ``lhs = value``: fewer digits, ∂E/∂w on one line."""
        return markup(drawing(line.lhs) + " = " + drawing(exact(line.value)))

    return {
        "label": label,
        "drawn": lambda expr: markup(drawing(expr)),
        "tinted": tinted,
        "math": lambda expr: markup(show(expr)),
        "tex": lambda expr: markup(show(expr)),
        "num": number,
        "eq": equation,
        "block": block,
        "wide": wide,
        "may_scroll": may_scroll,
        "narrow": narrow,
        "short": short,
        "plain": lambda value: local(text(value, document.digits)),
        "say": say,
        "text": syntax.text,
        "pct": lambda fraction: (
            fraction.as_text(3)
            if isinstance(fraction, Expr)
            else f"{local(plain(fraction * 100, 3))} %"
        ),
    }


#: the slide formats: laid out from the plan of `derive.slides`, not from the document
SLIDES = ("beamer", "typst-slides")


def render(
    document: Document | TrainingReport,
    fmt: str = "md",
    *,
    fragment: bool = False,
    lang: Language | None = None,
    pace: str = "full",
    byline: Byline | None = None,
    images: Mapping[str, str] | None = None,
    squeeze: int = 0,
) -> str:
    """The walkthrough in format `fmt` (a key of `FORMATS`), as text; with `fragment`
    only its body (for the formats whose templates offer one: tex, html). `lang` gives
    the language and decimal mark; `pace` and `byline` shape the slide formats; `images`
    names the image file of each drawing (Markdown: stage → file; none: Mermaid);
    `squeeze` (0–2) tightens the article's spacing (see `derive.typeset.balanced`)."""
    if fmt not in FORMATS:
        raise UsageError(f"unknown format {fmt!r} (known: {', '.join(FORMATS)})")
    lang = lang or Language()
    spec = FORMATS[fmt]
    template = environment(spec.environment).get_template(spec.template)
    deck = None
    if fmt in SLIDES and isinstance(document, Document):
        deck = plan_deck(document, lang=lang, pace=pace, byline=byline)
    drawings = Drawings(document, spec.frame) if isinstance(document, Document) else None
    curve = training_chart(document, lang)
    words = Prose(document, lang) if isinstance(document, Document) else None
    trained = TrainingProse(document.training, lang) if document.training else None
    text = template.render(
        doc=document,
        deck=deck,
        words=words,
        tw=trained,
        f=math_filters(document, spec.syntax, lang),
        drawings=drawings,
        diagram=drawings.network if drawings is not None else None,
        styles=STYLES,
        span=SPAN,
        images=images or {},
        curve=curve,
        curve_svg=svg(curve) if curve is not None else None,
        fragment=fragment,
        squeeze=squeeze,
    )
    return _tidy(text)


def _tidy(text: str) -> str:
    """At most one blank line in a row, and exactly one newline at the end."""
    return re.sub(r"\n{3,}", "\n\n", text).strip("\n") + "\n"


def render_drawing(
    document: Document,
    stage: str = "network",
    *,
    parameter: Symbol | None = None,
    sample: int = 1,
    title: str = "",
    lang: Language | None = None,
) -> str:
    """One drawing of the network as a standalone SVG file (the image a Markdown
    walkthrough refers to): `stage` as in `derive.diagram`, laid out for a screen."""
    lang = lang or Language()
    drawing = Drawings(document, SCREEN).get(stage, parameter, sample)
    template = environment("html").get_template("drawing.svg.j2")
    text = template.render(
        doc=document,
        f=math_filters(document, SVG, lang),
        words=Prose(document, lang),
        diagram=drawing,
        styles=STYLES,
        span=SPAN,
        title=title or document.title,
    )
    return _tidy(text)


def training_chart(
    document: Document | TrainingReport, lang: Language | None = None
) -> Chart | None:
    """The error curve of the document's training run laid out, its title, axis names and
    step numbers in `lang` (None without a run)."""
    training = document.training
    if training is None:
        return None
    words = TrainingProse(training, lang)
    curve = [(step, float(value)) for step, value in training.history]
    return chart(curve, words.curve_title(), **curve_layout(words))


def curve_layout(words: TrainingProse) -> dict[str, Any]:
    """How a chart of this run names its axes and writes its step numbers."""
    return {"labels": words.axis_labels(), "integer": words.lang.integer}
