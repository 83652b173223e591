"""`derive exercise`: N personal variants of one exercise, written to a folder.

    DIR/answers.csv              variant,quantity,answer,digits (every asked quantity)
    DIR/cover.csv, cover.pdf     the lecturer's table: variant, student, every answer
    DIR/variant-01/spec.toml     the variant's network (a spec `derive explain` accepts)
    DIR/variant-01/sheet.FMT     the student sheet: the network, the questions, blanks
    DIR/variant-01/key.FMT       the full walkthrough, the asked answers boxed first
    DIR/quiz.xml                 with --format moodle-xml: one Moodle question per variant
    DIR/quiz-qti.zip             with --format qti: a QTI package (Canvas), made by text2qti

Everything is drawn from one `random.Random(seed)`, so the same seed and spec give
byte-identical files. Nothing is written before every variant is drawn and rendered; the
files are then written into a temporary sibling folder that takes DIR's place when
complete (`derive.folders`), so a failure leaves no half-written DIR and a rerun with
fewer variants leaves no stale variant folder. A DIR holding anything derive exercise does
not write is refused.
"""

from __future__ import annotations

import csv
import io
import random
import re
from dataclasses import dataclass
from pathlib import Path

from derive.errors import UsageError
from derive.exercise_settings import EXERCISE_FORMATS, QUIZ_FORMATS
from derive.folders import check_folder, write_folder
from derive.messages import Language
from derive.numeric import plain, rounded
from derive.printing import math_printer
from derive.sheets import (
    Cover,
    CoverRow,
    build_sheet,
    render_cover_pdf,
    render_key,
    render_sheet,
)
from derive.slides import Byline
from derive.spec import NetworkSpec, load_spec
from derive.variants import Draw, draw_variants, toml_text
from derive.walkthrough import build_walkthrough

#: significant digits of the full-precision answers in answers.csv
FULL_DIGITS = 17
SUFFIX = {"md": "md", "html": "html", "tex": "tex", "pdf": "pdf"}


@dataclass(frozen=True)
class Exercise:
    """What `derive exercise` wrote: the draw, and the files, by path relative to DIR."""

    draw: Draw
    seed: int
    files: dict[str, str | bytes]


def folder_name(variant: int, count: int) -> str:
    return f"variant-{variant:0{max(2, len(str(count)))}d}"


def full(value) -> str:
    """An answer at full precision, as a plain decimal."""
    return format(rounded(value, FULL_DIGITS), "f")


def make_exercise(
    spec: str | Path | NetworkSpec,
    count: int,
    seed: int,
    *,
    ask: list[str] | None = None,
    vary: tuple[str, ...] | None = None,
    fmt: str = "md",
    digits: int | None = None,
    roster: list[str] | None = None,
    lang: str = "en",
    decimal_comma: bool | None = None,
    byline: Byline | None = None,
) -> Exercise:
    """Draw the variants and render every file (nothing written yet).

    `lang` (en, de, fr, es) is the language of the sheets, keys, cover and quiz, with its
    decimal mark unless `decimal_comma` forces one; `byline` (author, course, date) heads
    each sheet. answers.csv and cover.csv keep the decimal point: programs read them."""
    language = Language.of(lang, decimal_comma)
    byline = byline or Byline()
    if fmt not in EXERCISE_FORMATS:
        raise UsageError(f"unknown format {fmt!r} (known: {', '.join(EXERCISE_FORMATS)})")
    spec = spec if isinstance(spec, NetworkSpec) else load_spec(spec)
    if roster is not None and len(roster) != count:
        raise UsageError(f"--roster names {len(roster)} students but --variants is {count}")
    draw = draw_variants(spec, count, random.Random(seed), ask=ask or (), vary=vary, digits=digits)
    files: dict[str, str | bytes] = {"answers.csv": answers_csv(draw)}
    sheet_fmt = "md" if fmt in QUIZ_FORMATS else fmt
    for variant in draw.variants:
        folder = folder_name(variant.number, count)
        walkthrough = build_walkthrough(
            variant.spec, lang=language.code, decimal_comma=language.decimal_comma
        )
        comment = f"Variant {variant.number} of {count}, drawn with seed {seed} by derive exercise"
        files[f"{folder}/spec.toml"] = toml_text(variant.data, comment)
        sheet = build_sheet(
            walkthrough, variant.answers, variant.number, seed, draw.digits, sheet_fmt, byline
        )
        files[f"{folder}/sheet.{SUFFIX[sheet_fmt]}"] = render_sheet(sheet, sheet_fmt)
        files[f"{folder}/key.{SUFFIX[sheet_fmt]}"] = render_key(
            walkthrough, sheet, sheet_fmt, variant.answers
        )
    cover = build_cover(spec, draw, seed, roster, language)
    files["cover.csv"] = cover_csv(cover, draw)
    files["cover.pdf"] = render_cover_pdf(cover, language)
    if fmt == "moodle-xml":
        from derive.quiz import moodle_xml

        files["quiz.xml"] = moodle_xml(draw, seed, lang=language)
    if fmt == "qti":
        from derive.quiz import qti_zip

        files["quiz-qti.zip"] = qti_zip(draw, seed, lang=language)
    return Exercise(draw, seed, files)


#: what `derive exercise` writes in DIR (a rerun may replace a folder holding only these)
OWNED = re.compile(
    r"answers\.csv|cover\.(csv|pdf)|quiz\.xml|quiz-qti\.zip|variant-\d+"
    r"|variant-\d+/(spec\.toml|(sheet|key)\.(md|html|tex|pdf))"
)


def check_output(directory: str | Path, inputs: dict[str, str | Path | None]) -> Path:
    """Refuse DIR before any work when it cannot be written (see `derive.folders`)."""
    return check_folder(directory, OWNED.fullmatch, inputs, "derive exercise")


def write_exercise(
    exercise: Exercise, directory: str | Path, inputs: dict[str, str | Path | None] | None = None
) -> None:
    """Make `directory` hold exactly the exercise's files, all or none; `inputs` (role →
    path: the spec, the roster) must not lie inside it."""
    write_folder(check_output(directory, inputs or {}), exercise.files)


def answers_csv(draw: Draw) -> str:
    """variant,quantity,answer,digits: every asked quantity of every variant."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(("variant", "quantity", "answer", "digits"))
    for variant in draw.variants:
        for answer in variant.answers:
            writer.writerow((variant.number, answer.name, full(answer.value), draw.digits))
    return out.getvalue()


def build_cover(
    spec: NetworkSpec,
    draw: Draw,
    seed: int,
    roster: list[str] | None,
    lang: Language | None = None,
) -> Cover:
    """The lecturer's table: each variant's answers at the digits asked, as text with
    `lang`'s decimal mark and a true minus sign."""
    lang = lang or Language()
    show = math_printer("typst", draw.digits)
    names = tuple(str(show(a.expr)) for a in draw.variants[0].answers)
    rows = tuple(
        CoverRow(
            v.number,
            roster[v.number - 1] if roster else "",
            tuple(
                lang.number(plain(a.value, draw.digits)).replace("-", "\u2212") for a in v.answers
            ),
        )
        for v in draw.variants
    )
    rejected = tuple((rule, n) for rule, n in draw.rejected.items() if n)
    return Cover(spec.title, seed, draw.digits, names, rows, rejected)


def cover_csv(cover: Cover, draw: Draw) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(("variant", "student", "seed", *draw.asked))
    for row, variant in zip(cover.rows, draw.variants, strict=True):
        answers = (plain(a.value, draw.digits) for a in variant.answers)  # a decimal point
        writer.writerow((row.variant, row.student, cover.seed, *answers))
    return out.getvalue()


def read_roster(path: str | Path) -> list[str]:
    """Student names from a CSV: the column named student or name, else the first column.

    Every name must be there: a row with an empty name is refused by its line, as is a
    file that is not UTF-8 text or not CSV."""
    try:
        text = Path(path).read_text("utf-8-sig")
    except OSError as error:
        raise UsageError(f"{path}: cannot read the roster: {error.strerror}") from None
    except UnicodeDecodeError as error:
        raise UsageError(
            f"{path}: the roster is not UTF-8 text (byte {error.start}); save it as CSV UTF-8"
        ) from None
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    try:
        rows = list(enumerate(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), 1))
    except csv.Error as error:
        raise UsageError(f"{path}: not a readable CSV roster: {error}") from None
    rows = [(n, r) for n, r in rows if any(cell.strip() for cell in r)]
    if not rows:
        raise UsageError(f"{path}: the roster is empty")
    header = [cell.strip().lower() for cell in rows[0][1]]
    at, body = 0, rows
    for column in ("student", "name"):
        if column in header:
            at, body = header.index(column), rows[1:]
            break
    names = []
    for line, row in body:
        name = row[at].strip() if at < len(row) else ""
        if not name:
            raise UsageError(f"{path}: line {line}: no student name")
        names.append(name)
    if not names:
        raise UsageError(f"{path}: the roster names no student (only a header)")
    return names
