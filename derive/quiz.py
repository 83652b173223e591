"""Quizzes for course platforms: Moodle question XML, and QTI through text2qti.

One question per variant. With one asked quantity it is a Moodle ``numerical`` question;
with several it is a ``cloze`` (embedded answers) question with one NUMERICAL blank per
quantity. Each blank accepts the true value ± half a unit of the last significant digit
asked, so an answer rounded correctly to the digits asked is right and one a unit off is
not. Math is written as LaTeX in ``\\( … \\)`` for Moodle's MathJax filter, and the network
is drawn as an SVG file embedded (base64) in the question, shown with ``@@PLUGINFILE@@``.
The words of a question are in the exercise's language (`derive.messages`), its numbers
with that language's decimal mark; the answers Moodle compares with keep the point, as
its XML requires. Each question text starts with the word "Variant" (translated) and the
number, by which `derive mark` reads a responses export.
"""

from __future__ import annotations

import base64
import math
import xml.etree.ElementTree as ET
from decimal import Decimal

from sympy import Float

from derive.asking import Asked
from derive.messages import Language, _
from derive.numeric import Value, rounded
from derive.printing import math_printer
from derive.sheets import SHEET_WORDS, network_svg
from derive.variants import Draw, Variant
from derive.walkthrough import Walkthrough, build_walkthrough

#: the sentences of a quiz (the headings of its values are the sheet's, `SHEET_WORDS`)
QUIZ_WORDS = {
    "variant": _("Variant"),
    "task": _(
        "Do one step of backpropagation by hand on this network and give each answer to "
        "{digits} significant digits."
    ),
    "description": _(
        "One step of backpropagation by hand; answers to {digits} significant digits."
    ),
    "title": _("{title} (seed {seed})"),
    "question": _("{variant} {number}, question {question}"),
    "give": _("Give {quantity} to {digits} significant digits."),
}
#: Moodle's default penalty for each wrong try in adaptive mode (a third of the mark)
PENALTY = "0.3333333"


def tolerance(value: Value, digits: int) -> Decimal:
    """Half a unit of the `digits`-th significant digit of `value` (absolute)."""
    exact = rounded(value, digits)
    if exact == 0:
        return Decimal(1).scaleb(-digits) / 2
    exponent = math.floor(math.log10(abs(float(value))))
    # rounding may carry into a new digit (0.99996 → 1.000): the unit follows the answer
    exponent = max(exponent, exact.adjusted())
    return Decimal(5).scaleb(exponent - digits)


def answer_text(value: Value) -> str:
    """The value Moodle compares with, to 17 significant digits."""
    return format(rounded(value, 17), "f")


def moodle_xml(
    draw: Draw, seed: int, title: str | None = None, *, lang: Language | None = None
) -> str:
    """The quiz as Moodle question XML: a category, then one question per variant."""
    lang = lang or Language()
    quiz = ET.Element("quiz")
    name = title or draw.variants[0].spec.title
    category = ET.SubElement(quiz, "question", type="category")
    _text(ET.SubElement(category, "category"), f"$course$/top/derive/{name} (seed {seed})")
    for variant in draw.variants:
        quiz.append(_question(variant, draw.digits, seed, lang))
    ET.indent(quiz)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(quiz, "unicode") + "\n"


def _question(variant: Variant, digits: int, seed: int, lang: Language) -> ET.Element:
    walkthrough = build_walkthrough(variant.spec)
    svg = network_svg(walkthrough.document, lang)
    image = f"network-{variant.number:02d}.svg"
    cloze = len(variant.answers) > 1
    question = ET.Element("question", type="cloze" if cloze else "numerical")
    word = lang.text(QUIZ_WORDS["variant"])
    _text(ET.SubElement(question, "name"), f"{word} {variant.number:02d}")
    text = ET.SubElement(question, "questiontext", format="html")
    _text(text, _question_html(variant, walkthrough, digits, image, lang))
    file = ET.SubElement(text, "file", name=image, path="/", encoding="base64")
    file.text = base64.b64encode(svg.encode("utf-8")).decode("ascii")
    _text(ET.SubElement(question, "generalfeedback", format="html"), "")
    if not cloze:
        ET.SubElement(question, "defaultgrade").text = "1.0000000"
    ET.SubElement(question, "penalty").text = PENALTY
    ET.SubElement(question, "hidden").text = "0"
    ET.SubElement(question, "idnumber").text = f"derive-{seed}-{variant.number}"
    if not cloze:
        _numerical_answer(question, variant.answers[0], digits)
    return question


def _numerical_answer(question: ET.Element, asked: Asked, digits: int) -> None:
    answer = ET.SubElement(question, "answer", fraction="100", format="moodle_auto_format")
    _text(answer, answer_text(asked.value))
    _text(ET.SubElement(answer, "feedback", format="html"), "")
    ET.SubElement(answer, "tolerance").text = format(tolerance(asked.value, digits), "f")
    ET.SubElement(question, "unitgradingtype").text = "0"
    ET.SubElement(question, "unitpenalty").text = "0.1000000"
    ET.SubElement(question, "showunits").text = "3"
    ET.SubElement(question, "unitsleft").text = "0"


def _question_html(
    variant: Variant, walkthrough: Walkthrough, digits: int, image: str, lang: Language
) -> str:
    """The question's HTML: the network, its values, then the blank(s)."""
    from html import escape

    cloze = len(variant.answers) > 1
    word = lang.text(QUIZ_WORDS["variant"])
    task = lang.text(QUIZ_WORDS["task"]).format(digits=digits)
    alt = escape(lang.text(SHEET_WORDS["diagram"]))
    rows = given(walkthrough, lang)
    parts = [
        f"<p><b>{escape(word)} {variant.number}</b>: {escape(task)}</p>",
        f'<p><img src="@@PLUGINFILE@@/{image}" alt="{alt}"></p>',
        "<ul>" + "".join(f"<li>{escape(k)}: {v}</li>" for k, v in rows) + "</ul>",
    ]
    label = math_printer("latex", digits)
    if cloze:
        items = "".join(
            f"<li>\\({label(a.expr)} =\\) {{1:NUMERICAL:={answer_text(a.value)}:"
            f"{tolerance(a.value, digits):f}}}</li>"
            for a in variant.answers
        )
        parts.append(f"<ol>{items}</ol>")
    else:
        parts.append(f"<p>\\({label(variant.answers[0].expr)} = ?\\)</p>")
    return "\n".join(parts)


def given(walkthrough: Walkthrough, lang: Language | None = None) -> list[tuple[str, str]]:
    """What a question gives, as (heading, LaTeX values in \\( … \\)) rows, in `lang`."""
    lang = lang or Language()
    show = math_printer("latex", 12, decimal=lang.decimal, words=lang.case_words)
    heading = {name: lang.text(SHEET_WORDS[name]) for name in SHEET_WORDS}
    spec = walkthrough.spec
    sample = spec.samples[0]
    network = walkthrough.network
    parameters = walkthrough.step.parameters

    def values(pairs) -> str:
        return ", ".join(f"\\({show(s)} = {show(Float(v, 50))}\\)" for s, v in pairs)

    rows = [
        (
            heading["inputs"],
            values(zip((n.out for n in network.inputs), sample.inputs, strict=True)),
        ),
        (
            heading["targets"],
            values(
                zip((network.target(o) for o in network.output_layer), sample.targets, strict=True)
            ),
        ),
        (
            heading["weights"],
            values((p.symbol, parameters[p.name]) for p in network.parameters if p.is_weight),
        ),
        (
            heading["biases"],
            values((p.symbol, parameters[p.name]) for p in network.parameters if not p.is_weight),
        ),
        (heading["rate"], f"\\(\\eta = {show(Float(spec.learning_rate, 50))}\\)"),
    ]
    return [(k, v) for k, v in rows if v]


def _text(parent: ET.Element, value: str) -> None:
    ET.SubElement(parent, "text").text = value


# -- QTI (Canvas and others) through text2qti ------------------------------------------------
def qti_text(draw: Draw, seed: int, lang: Language | None = None) -> str:
    """The quiz in text2qti's plain-text format: one numerical question per asked quantity."""
    lang = lang or Language()
    title = draw.variants[0].spec.title
    word = lang.text(QUIZ_WORDS["variant"])

    def say(name: str, **fields: object) -> str:
        return lang.text(QUIZ_WORDS[name]).format(**fields)

    lines = [
        f"Quiz title: {say('title', title=title, seed=seed)}",
        f"Quiz description: {say('description', digits=draw.digits)}",
        "",
    ]
    for variant in draw.variants:
        walkthrough = build_walkthrough(variant.spec)
        given_text = "; ".join(f"{k}: {v}" for k, v in given(walkthrough, lang))
        given_text = given_text.replace("\\(", "$").replace("\\)", "$")
        label = math_printer("latex", draw.digits)
        for number, asked in enumerate(variant.answers, start=1):
            _fits_text2qti(asked, variant.number, draw.digits)
            give = say("give", quantity=f"${label(asked.expr)}$", digits=draw.digits)
            heading = say("question", variant=word, number=f"{variant.number:02d}",
                          question=number)  # fmt: skip
            lines += [
                f"Title: {heading}",
                f"{number}.  {word} {variant.number}. {given_text}. {give}",
                f"=   {answer_text(asked.value)} +- {tolerance(asked.value, draw.digits):f}",
                "",
            ]
    return "\n".join(lines)


#: text2qti writes the bounds of a numerical answer with 4 decimal places
QTI_PLACES = 4


def _fits_text2qti(asked: Asked, variant: int, digits: int) -> None:
    """Refuse an answer whose tolerance text2qti's 4 decimal places would distort."""
    margin = tolerance(asked.value, digits)
    smallest = abs(Decimal(answer_text(asked.value))) - margin
    if margin < Decimal(5).scaleb(-QTI_PLACES) or smallest < Decimal(1).scaleb(-QTI_PLACES):
        from derive.errors import UsageError

        raise UsageError(
            f"--format qti: text2qti writes numerical answers to {QTI_PLACES} decimal places, "
            f"too coarse for {asked.name} of variant {variant} at {digits} significant digits "
            f"(±{margin:f}); ask fewer digits (--digits) or use --format moodle-xml"
        )


def qti_zip(draw: Draw, seed: int, *, lang: Language | None = None) -> bytes:
    """The QTI package text2qti makes of `qti_text`, with fixed timestamps so that the same
    seed gives the same bytes."""
    import io
    import zipfile

    try:
        from text2qti.config import Config
        from text2qti.qti import QTI
        from text2qti.quiz import Quiz
    except ImportError:
        from derive.errors import UsageError

        raise UsageError("QTI needs text2qti: pip install 'derive[quiz]'") from None
    config = Config()  # the defaults: no file read, LaTeX as Canvas equation images
    package = QTI(Quiz(qti_text(draw, seed, lang), config=config, source_name="derive")).zip_bytes()
    fixed = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(package)) as source, zipfile.ZipFile(fixed, "w") as target:
        for info in source.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            entry.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(entry, source.read(info.filename))
    return fixed.getvalue()
