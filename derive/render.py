"""Document → text in one output format, through a Jinja2 template and a math printer.

Templates are package data: in an installed wheel they live in ``derive/templates``; in a
source checkout they are the top-level ``templates/`` folder. The environment is strict
(an undefined name is an error, never an empty string) and templates never compute
mathematics: they place what the document holds, printed by the format's printer.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache
from pathlib import Path

import jinja2

from derive.document import Document, Equation, TrainingReport
from derive.notation import classic_name
from derive.numeric import Value, plain
from derive.printing import latex_printer

TEMPLATES = {"md": "walkthrough.md.j2", "train-md": "train.md.j2"}

#: length (in LaTeX characters) above which a display equation is split into aligned lines
LONG_EQUATION = 240


def template_dir() -> Path:
    """Where the templates are: inside the installed package, or beside it in a checkout."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "templates", here.parent / "templates"):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError("derive's templates are missing from this installation")


@cache
def environment() -> jinja2.Environment:
    """The Jinja2 environment shared by the Markdown-like formats."""
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(template_dir())),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=False,
    )


def math_filters(document: Document | TrainingReport) -> dict[str, Callable[..., str]]:
    """The filters a template uses to print math: inline, equation chains, numbers."""
    latex = latex_printer(document.digits, getattr(document, "notation", classic_name))
    from sympy import Float

    def number(value: Value) -> str:
        return latex(Float(value, 50))

    def parts(eq: Equation) -> list[str]:
        written = [latex(eq.lhs), *(latex(form) for form in eq.forms)]
        return written if eq.value is None else [*written, number(eq.value)]

    def equation(eq: Equation) -> str:
        return " = ".join(parts(eq))

    def block(eq: Equation) -> str:
        """A display equation; a long chain is broken after each '=' and aligned."""
        written = parts(eq)
        if len(written) < 3 or len(" = ".join(written)) <= LONG_EQUATION:
            return " = ".join(written)
        lines = [f"{written[0]} &= {written[1]}", *(f"&= {p}" for p in written[2:])]
        return "\\begin{aligned}\n" + " \\\\\n".join(lines) + "\n\\end{aligned}"

    return {
        "tex": latex,
        "num": number,
        "eq": equation,
        "block": block,
        "plain": lambda value: plain(value, document.digits),
        "text": markdown_text,
        "pct": lambda fraction: f"{plain(fraction * 100, 3)} %",
        "ratio": lambda before, after: (
            f"{plain(before / after, 3)} times smaller"
            if after > 0 and before >= after
            else f"{plain(after / before, 3)} times larger"
        ),
    }


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]<>()#+!|$~])")


def markdown_text(text: str) -> str:
    """Free text (a title, a file name) made literal in Markdown: no markup, no HTML, no math."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text.replace("&", "&amp;"))


def render(document: Document | TrainingReport, fmt: str = "md", **context: object) -> str:
    """The walkthrough in format `fmt` (``md``)."""
    template = environment().get_template(TEMPLATES[fmt])
    text = template.render(doc=document, f=math_filters(document), **context)
    return _tidy(text)


def _tidy(text: str) -> str:
    """At most one blank line in a row, and exactly one newline at the end."""
    return re.sub(r"\n{3,}", "\n\n", text).strip("\n") + "\n"
