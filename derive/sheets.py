"""Exercise documents: a student sheet, a key and a lecturer's cover, in every format.

`Sheet` is the format-free record of one variant's sheet (the network's values, the
questions, the precision asked, and every sentence, translated through the message
catalogs of `derive.messages`) and `Cover` the lecturer's table; their templates under
``templates/exercise/`` only lay them out and escape the words. The key is the variant's
full walkthrough (derive's own document, in the same format and language) with a box of
the asked answers set before its first section, so a lecturer finds the answers first
and the working below them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sympy import Expr, Float, Symbol

from derive.asking import Asked
from derive.document import Document
from derive.errors import UsageError
from derive.exercise_settings import SHEET_FORMATS
from derive.messages import Language, _
from derive.numeric import Value
from derive.printing import math_printer
from derive.prose import ACTIVATION_NAMES, LOSS_NAMES
from derive.render import environment, render_drawing
from derive.slides import Byline
from derive.text import latex_escape, markdown_text, typst_text
from derive.walkthrough import Walkthrough, build_walkthrough

#: format → (math printer, template suffix, environment, text escaper)
SYNTAX = {
    "md": ("latex", "md", "markdown", markdown_text),
    "html": ("mathml", "html", "html", str),
    "tex": ("latex", "tex", "bracket", latex_escape),
    "pdf": ("typst", "typ", "bracket", typst_text),
}


#: the sentences and headings of a sheet and its key, by the name templates use
SHEET_WORDS = {
    "heading": _("{title} — exercise, variant {variant}"),
    "name": _("Name:"),
    "variant": _("Variant {variant} (seed {seed})"),
    "network": _("The network"),
    "network_is": _("A {sizes} network; the activation is {activation}, the loss {loss}."),
    "biases_updated": _("The biases are updated too."),
    "biases_fixed": _("The biases are not updated."),
    "rate": _("Learning rate"),
    "inputs": _("Inputs"),
    "targets": _("Targets"),
    "weights": _("Weights"),
    "biases": _("Biases"),
    "questions": _("Questions"),
    "task": _(
        "Do one step of backpropagation by hand and give each answer to {digits} "
        "significant digits."
    ),
    "key": _("Key to variant {variant} (seed {seed})"),
    "key_lead": _("The answers asked, to {digits} significant digits; the full working follows."),
    "diagram": _("The network with its weights"),
}
#: the lecturer's cover table
COVER_WORDS = {
    "heading": _("{title} — the variants and their answers"),
    "seed": _("Seed {seed}; answers to {digits} significant digits."),
    "rejected": _("Draws rejected and redrawn: {counts}."),
    "variant": _("Variant"),
    "student": _("Student"),
}
#: the rules by which a draw is rejected (`derive.variants.REJECTION_RULES`), for the cover
RULE_WORDS = {
    "saturated": _("saturated"),
    "vanishing": _("vanishing"),
    "tie": _("tie"),
    "dead_relu": _("dead ReLU"),
    "invalid": _("invalid"),
    "repeated": _("repeated"),
}


def words(table: dict[str, str], lang: Language, **fields: object) -> dict[str, str]:
    """Every message of `table` translated, its {fields} filled in (as plain text)."""
    return {name: lang.text(message).format(**fields) for name, message in table.items()}


@dataclass(frozen=True)
class Line:
    """A quantity and its value, printed in the format of the document."""

    name: str
    value: str


@dataclass(frozen=True)
class Question:
    number: int
    quantity: str  # the canonical name, for the answer sheet's quantity column
    name: str  # printed
    answer: str  # printed at the precision asked (used by the key only)


@dataclass(frozen=True)
class Sheet:
    """One variant's exercise: what a student is given and what they are asked."""

    title: str
    variant: int
    seed: int
    digits: int
    lang: str
    words: dict[str, str]  # the sentences and headings (SHEET_WORDS), translated
    byline: Byline
    rate: Line
    inputs: tuple[Line, ...]
    targets: tuple[Line, ...]
    weights: tuple[Line, ...]
    biases: tuple[Line, ...]
    update_biases: bool
    questions: tuple[Question, ...]
    svg: str


def build_sheet(
    walkthrough: Walkthrough,
    answers: tuple[Asked, ...],
    variant: int,
    seed: int,
    digits: int,
    fmt: str,
    byline: Byline | None = None,
) -> Sheet:
    """The sheet of one variant, its math printed for `fmt` (md, html, tex or pdf), in the
    walkthrough's language and decimal mark."""
    spec = walkthrough.spec
    lang = walkthrough.lang
    syntax = SYNTAX[fmt][0]
    show = math_printer(syntax, digits, decimal=lang.decimal, words=lang.case_words)
    exact = math_printer(syntax, 12, decimal=lang.decimal, words=lang.case_words)

    def line(symbol: Expr, value: Value) -> Line:
        return Line(str(show(symbol)), str(exact(Float(value, 50))))

    network = walkthrough.network
    sample = spec.samples[0]
    inputs = tuple(line(n.out, x) for n, x in zip(network.inputs, sample.inputs, strict=True))
    targets = tuple(
        line(network.target(o), t)
        for o, t in zip(network.output_layer, sample.targets, strict=True)
    )
    parameters = walkthrough.step.parameters
    weights = tuple(line(p.symbol, parameters[p.name]) for p in network.parameters if p.is_weight)
    biases = tuple(
        line(p.symbol, parameters[p.name]) for p in network.parameters if not p.is_weight
    )
    questions = tuple(
        Question(i, a.name, str(show(a.expr)), str(show(Float(a.value, 50))))
        for i, a in enumerate(answers, start=1)
    )
    activations = dict.fromkeys(lang.text(ACTIVATION_NAMES[a]) for a in spec.activations)
    return Sheet(
        title=spec.title,
        variant=variant,
        seed=seed,
        digits=digits,
        lang=lang.code,
        words=words(
            SHEET_WORDS,
            lang,
            title=spec.title,
            variant=variant,
            seed=seed,
            digits=digits,
            sizes="-".join(map(str, spec.layers)),
            activation=" / ".join(activations),
            loss=lang.text(LOSS_NAMES[spec.loss]),
        ),
        byline=byline or Byline(),
        rate=line(Symbol("eta"), spec.learning_rate),
        inputs=inputs,
        targets=targets,
        weights=weights,
        biases=biases,
        update_biases=spec.update_biases,
        questions=questions,
        svg=network_svg(walkthrough.document, lang),
    )


def network_svg(document: Document, lang: Language | None = None) -> str:
    """The network as a standalone SVG (plain text labels, no MathML): for the HTML and PDF
    sheets and the image of a Moodle question. The drawing of every other format
    (`derive.diagram`, `derive.render.render_drawing`): weights on their edges, inputs and
    targets beside their neurons, in `lang` with its decimal mark."""
    return render_drawing(document, "network", lang=lang)


def render_sheet(sheet: Sheet, fmt: str) -> str | bytes:
    """The student sheet in `fmt`: text, or PDF bytes through Typst."""
    return _render("sheet", {"s": sheet}, fmt)


def render_answers(sheet: Sheet, fmt: str) -> str:
    """The key's box of answers (the asked quantities at the precision asked)."""
    _, suffix, env, text = SYNTAX[fmt]
    template = environment(env).get_template(f"exercise/answers.{suffix}.j2")
    return template.render(s=sheet, text=text)


def render_key(
    walkthrough: Walkthrough, sheet: Sheet, fmt: str, answers: tuple[Asked, ...]
) -> str | bytes:
    """The full walkthrough of the variant with the asked answers boxed (labelled by their
    question numbers) wherever it works them out and uses them, and a box of the answers
    set before its first section."""
    from derive.blanks import highlighted, render_as

    box = render_answers(sheet, fmt)
    document = highlighted(walkthrough, [a.value for a in answers])
    if fmt == "md":
        return _before(render_as(walkthrough, document, "md"), r"^## ", box)
    if fmt == "html":
        return _before(render_as(walkthrough, document, "html"), r"<h2[ >]", box)
    if fmt == "tex":
        return _before(render_as(walkthrough, document, "tex"), r"^\\section", box)
    return typst_pdf(_before(render_as(walkthrough, document, "typst"), r"^= ", box))


def _before(text: str, pattern: str, insert: str) -> str:
    """`text` with `insert` before the first line matching `pattern` (else at the end)."""
    match = re.search(pattern, text, flags=re.MULTILINE)
    at = match.start() if match else len(text)
    return text[:at] + insert.rstrip("\n") + "\n\n" + text[at:]


def _render(name: str, context: dict[str, Any], fmt: str) -> str | bytes:
    if fmt not in SYNTAX:
        raise UsageError(f"unknown sheet format {fmt!r} (known: {', '.join(SHEET_FORMATS)})")
    _, suffix, env, text = SYNTAX[fmt]
    template = environment(env).get_template(f"exercise/{name}.{suffix}.j2")
    source = template.render(text=text, **context)
    source = re.sub(r"\n{3,}", "\n\n", source).strip("\n") + "\n"
    return typst_pdf(source) if fmt == "pdf" else source


def typst_pdf(source: str) -> bytes:
    """Typst source → PDF, as derive's PDFs are made (bundled fonts only, empty root)."""
    from derive.typeset import typst_pdf as compile_typst

    return compile_typst(source)


@dataclass(frozen=True)
class CoverRow:
    variant: int
    student: str
    answers: tuple[str, ...]


@dataclass(frozen=True)
class Cover:
    """The lecturer's table: each variant, its student, and every answer."""

    title: str
    seed: int
    digits: int
    questions: tuple[str, ...]  # printed names
    rows: tuple[CoverRow, ...]
    rejected: tuple[tuple[str, int], ...]


def render_cover_pdf(cover: Cover, lang: Language | None = None) -> bytes:
    """The cover table as a PDF, its words in `lang` (the answers already carry its mark)."""
    lang = lang or Language()
    counts = ", ".join(f"{lang.text(RULE_WORDS[rule])} {n}" for rule, n in cover.rejected)
    said = words(COVER_WORDS, lang, title=cover.title, seed=cover.seed, digits=cover.digits,
                 counts=counts)  # fmt: skip
    template = environment("bracket").get_template("exercise/cover.typ.j2")
    return typst_pdf(template.render(c=cover, w=said, lang=lang.code))


def walkthrough_of(spec) -> Walkthrough:
    """The variant's walkthrough (the key's body) at the digits of its spec."""
    return build_walkthrough(spec)
