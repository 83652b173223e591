"""`derive mark`: grade returned answers at the precision asked and name each slip.

An answer is right when it lies within half a unit of the last significant digit asked
of the true value (so a correctly rounded answer, or a more precise one, is right). A
wrong answer is handed to the checker (`derive.check`) as the one-line claim
``quantity = answer`` against the variant's own network; the checker's diagnosis (sign
flipped, activation derivative missing, updated weights used, another quantity's
value, a digit dropped, …) is reduced to a short slip name by the declared `SLIPS`, so
the marks never quote the right value unless `show_answers` asks for it.

Returned answers come as CSV with the columns student, variant, quantity, answer
(decimal commas and ``;`` separators accepted), or as a Moodle "Responses" export of the
quiz `derive exercise --format moodle-xml` wrote.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import re
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path

from derive.asking import quantities, resolve
from derive.errors import UsageError
from derive.folders import check_folder, write_folder
from derive.messages import LANGUAGES, Language, _
from derive.numeric import ctx
from derive.quiz import tolerance
from derive.spec import load_spec
from derive.walkthrough import build_walkthrough


@dataclass(frozen=True)
class Slip:
    """A kind of slip: the words of the checker's diagnosis that reveal it, and its name
    (a catalog message; ``{quantity}`` is the first group of `pattern`)."""

    pattern: str
    name: str


#: the checker's diagnoses → slip names, the first match wins (order: specific first)
SLIPS = (
    Slip(r"sign is flipped", _("sign flipped")),
    Slip(r"activation derivative", _("activation derivative missing")),
    Slip(r"mask of .* is left out", _("activation mask left out")),
    Slip(r"minus sign in the exponent is lost", _("minus sign lost in the exponent")),
    Slip(r"weight matrix transposed", _("weight matrix transposed")),
    Slip(r"updated weights|after the update", _("updated weights used")),
    Slip(r"before the update", _("value before the update")),
    Slip(r"learning rate η is missing", _("learning rate missing")),
    Slip(r"added instead of subtracted", _("update added instead of subtracted")),
    Slip(r"multiplied by the learning rate", _("gradient multiplied by the learning rate")),
    Slip(r"target and output are swapped", _("target and output swapped")),
    Slip(r"the derivative of", _("another activation's derivative")),
    Slip(r"(?:value of|gradient of) (\S+?)(?: instead)?$", _("the value of {quantity}")),
    Slip(r"a digit dropped", _("a digit dropped")),
    Slip(r"two digits swapped", _("two digits swapped")),
    Slip(r"decimal point is misplaced|'0\.' is missing", _("decimal point misplaced")),
)
TOO_FEW = _("fewer digits than asked")
NOT_A_NUMBER = _("not a number")
UNEXPLAINED = _("unexplained")
#: the headings of the Markdown summaries and the chart (the CSV files keep English names)
SUMMARY_WORDS = {
    "student": _("student"),
    "variant": _("variant"),
    "right": _("right"),
    "answered": _("answered"),
    "percent": _("percent"),
    "slips": _("slips"),
    "quantity": _("quantity"),
    "wrong": _("wrong"),
    "commonest": _("commonest slips"),
    "chart": _("Slips in the wrong answers"),
    "none": _("No wrong answers."),
}
#: the columns of marks.csv, exactly (the interface other programs read)
MARK_COLUMNS = ("student", "variant", "quantity", "answer", "verdict", "slip")
#: the columns of a returned answer sheet, and the other headings accepted for each
COLUMNS = {
    "student": ("student", "name", "student name", "studierende", "étudiant", "estudiante"),
    "variant": ("variant", "version", "variante"),
    "quantity": ("quantity", "question", "größe", "grandeur", "magnitud"),
    "answer": ("answer", "response", "value", "antwort", "réponse", "respuesta"),
}


@dataclass(frozen=True)
class Key:
    """What `derive exercise` wrote: per variant, its spec and the asked answers."""

    folder: Path
    answers: dict[int, dict[str, Decimal]]
    digits: dict[int, int]

    def spec_of(self, variant: int) -> Path:
        found = sorted(self.folder.glob(f"variant-*{variant}/spec.toml"))
        for path in found:
            if int(path.parent.name.split("-")[-1]) == variant:
                return path
        raise UsageError(f"{self.folder}: no folder for variant {variant}")


@dataclass(frozen=True)
class Mark:
    """One answer marked; `slip` is the slip's name in English (as marks.csv holds it),
    `message` the catalog message it was made of and `about` its ``{quantity}``."""

    student: str
    variant: int
    quantity: str
    answer: str
    verdict: str
    slip: str
    expected: Decimal
    diagnosis: str
    message: str = ""
    about: str = ""

    def said(self, lang: Language) -> str:
        """The slip's name in `lang` ("" when the answer is right or the slip unknown)."""
        return lang.text(self.message).format(quantity=self.about) if self.message else ""


@dataclass(frozen=True)
class Marks:
    rows: tuple[Mark, ...]
    asked: tuple[str, ...]


def read_key(folder: str | Path) -> Key:
    """answers.csv of an exercise folder: every asked quantity of every variant."""
    root = Path(folder)
    path = root / "answers.csv"
    if not path.is_file():
        raise UsageError(f"{root}: no answers.csv (is it a folder derive exercise wrote?)")
    rows = _csv_rows(path, "the key", ",")
    if not rows or [cell.strip() for cell in rows[0]] != list(KEY_COLUMNS):
        raise UsageError(f"{path}: line 1: expected the columns {','.join(KEY_COLUMNS)}")
    answers: dict[int, dict[str, Decimal]] = {}
    digits: dict[int, int] = {}
    for line, row in enumerate(rows[1:], start=2):
        try:
            variant, quantity, answer, asked = row
            answers.setdefault(int(variant), {})[quantity] = Decimal(answer)
            digits[int(variant)] = int(asked)
        except (ValueError, InvalidOperation):
            raise UsageError(
                f"{path}: line {line}: expected variant,quantity,answer,digits, got {row!r}"
            ) from None
    if not answers:
        raise UsageError(f"{path}: holds no answers")
    return Key(root, answers, digits)


#: the columns of answers.csv (written by `derive exercise`)
KEY_COLUMNS = ("variant", "quantity", "answer", "digits")


def _csv_rows(path: Path | str, what: str, delimiter: str | None = None) -> list[list[str]]:
    """The rows of a CSV file (`;` or `,` between cells, guessed from the first line);
    unreadable, non-UTF-8 or malformed files are refused in one line."""
    try:
        text = Path(path).read_text("utf-8-sig")
    except OSError as error:
        raise UsageError(f"{path}: cannot read {what}: {error.strerror}") from None
    except UnicodeDecodeError as error:
        raise UsageError(
            f"{path}: {what} is not UTF-8 text (byte {error.start}); save it as CSV UTF-8"
        ) from None
    if delimiter is None:
        first = text.split("\n", 1)[0]
        delimiter = ";" if first.count(";") > first.count(",") else ","
    try:
        return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True))
    except csv.Error as error:
        raise UsageError(f"{path}: {what} is not readable CSV: {error}") from None


# -- reading the returned answers -------------------------------------------------------------
@dataclass(frozen=True)
class Returned:
    student: str
    variant: int
    quantity: str  # as written
    answer: str
    line: int


def read_returned(path: str | Path, key: Key) -> list[Returned]:
    """The returned answers: our CSV columns, or a Moodle responses export."""
    rows = _csv_rows(path, "the answers")
    if not rows:
        raise UsageError(f"{path}: empty (expected student,variant,quantity,answer)")
    header = [cell.strip().lower() for cell in rows[0]]
    if "response 1" in header:
        return _moodle_rows(path, header, rows[1:], key)
    needed = tuple(COLUMNS)
    at = {
        name: next((header.index(a) for a in COLUMNS[name] if a in header), None) for name in needed
    }
    missing = [name for name in needed if at[name] is None]
    if missing:
        raise UsageError(
            f"{path}: line 1: missing the column(s) {', '.join(missing)} "
            "(expected student,variant,quantity,answer, or a Moodle responses export)"
        )
    found = []
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        cells = [row[at[n]].strip() if at[n] < len(row) else "" for n in needed]
        found.append(
            Returned(cells[0], _variant(cells[1], path, number), cells[2], cells[3], number)
        )
    return found


def _variant(text: str, path, line: int) -> int:
    match = re.search(r"\d+", text)
    if match is None:
        raise UsageError(f"{path}: line {line}: no variant number in {text!r}")
    return int(match[0])


def _moodle_rows(path, header: list[str], rows: list[list[str]], key: Key) -> list[Returned]:
    """A Moodle "Responses" report: one row per attempt, the question text tells the variant,
    a cloze response reads 'part 1: 0.165; part 2: …'."""
    name_at = [header.index(c) for c in ("first name", "surname") if c in header]
    if not name_at and "email address" in header:
        name_at = [header.index("email address")]
    if "question 1" not in header:
        raise UsageError(
            f"{path}: line 1: a Moodle responses export without the column 'Question 1'; "
            "export the responses with the question text included"
        )
    question_at = header.index("question 1")
    response_at = header.index("response 1")
    found = []
    for number, row in enumerate(rows, start=2):
        if len(row) <= response_at or not row[response_at].strip():
            continue
        student = " ".join(row[i].strip() for i in name_at if i < len(row)) or f"row {number}"
        source = row[question_at] if question_at < len(row) else ""
        match = variant_in_question().search(source)
        if match is None:
            raise UsageError(
                f"{path}: line {number}: no 'Variant N' in the question text; export the "
                "responses with the question text included"
            )
        variant = int(match[1])
        asked = list(key.answers.get(variant, {}))
        response = row[response_at]
        parts = re.findall(r"part\s*(\d+):\s*([^;]*)", response)
        pairs = [(int(p), v.strip()) for p, v in parts] if parts else [(1, response.strip())]
        for part, value in pairs:
            if 1 <= part <= len(asked) and value and value != "-":
                found.append(Returned(student, variant, asked[part - 1], value, number))
    return found


@cache
def variant_in_question() -> re.Pattern[str]:
    """ "Variant 3" in a quiz question's text, in any language of the catalogs."""
    words = sorted({re.escape(Language.of(code).text(_("Variant"))) for code in LANGUAGES})
    return re.compile("(?:" + "|".join(words) + r")\s+0*(\d+)")


def parse_answer(text: str) -> Decimal | None:
    """A written number: decimal comma, spaces, a leading '+', '−' and '×10^' accepted."""
    cleaned = text.strip().replace("\u2212", "-").replace(" ", "").replace("\u202f", "")
    if re.fullmatch(r"[-+]?\d*,\d+(?:[eE][-+]?\d+)?", cleaned):
        cleaned = cleaned.replace(",", ".")
    cleaned = re.sub(r"[×x\*]10\^\{?([-+]?\d+)\}?$", r"e\1", cleaned)
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


# -- grading ------------------------------------------------------------------------------------
def mark_file(answers: str | Path, exercise: str | Path) -> Marks:
    """Mark every returned answer against the exercise folder's answers."""
    key = read_key(exercise)
    returned = read_returned(answers, key)
    marker = _Marker(key)
    rows = tuple(marker.mark(item, answers) for item in returned)
    asked = tuple(dict.fromkeys(q for variant in key.answers.values() for q in variant))
    return Marks(rows, asked)


class _Marker:
    def __init__(self, key: Key) -> None:
        self.key = key
        self._truths: dict[int, object] = {}
        self._known: dict[int, dict] = {}

    def known(self, variant: int) -> dict:
        if variant not in self._known:
            spec = load_spec(self.key.spec_of(variant))
            self._known[variant] = quantities(build_walkthrough(spec).step)
        return self._known[variant]

    def truth(self, variant: int):
        from derive.check.truth import truth_of

        if variant not in self._truths:
            self._truths[variant] = truth_of(load_spec(self.key.spec_of(variant)))
        return self._truths[variant]

    def mark(self, item: Returned, source) -> Mark:
        if item.variant not in self.key.answers:
            raise UsageError(f"{source}: line {item.line}: no variant {item.variant} in the key")
        try:
            (quantity,) = resolve([item.quantity], self.known(item.variant), "column quantity")
        except UsageError as error:
            raise UsageError(f"{source}: line {item.line}: {error}") from None
        expected_all = self.key.answers[item.variant]
        if quantity not in expected_all:
            raise UsageError(
                f"{source}: line {item.line}: {item.quantity} was not asked in variant "
                f"{item.variant} (asked: {', '.join(expected_all)})"
            )
        expected = expected_all[quantity]
        digits = self.key.digits[item.variant]
        value = parse_answer(item.answer)
        mark = Mark(item.student, item.variant, quantity, item.answer, "right", "", expected, "")
        if value is None:
            return _slipped(mark, "", NOT_A_NUMBER, "")
        if abs(value - expected) <= tolerance(ctx.mpf(str(expected)), digits):
            return mark
        diagnosis = self.diagnose(item.variant, quantity, value)
        message, about = slip_of(diagnosis)
        if not message and _agrees_when_rounded(value, expected):
            message = TOO_FEW
        return _slipped(mark, diagnosis, message, about)

    def diagnose(self, variant: int, quantity: str, value: Decimal) -> str:
        """The checker's diagnosis of the claim `quantity = value` ("" if none)."""
        from derive.check import check_text

        report = check_text(f"{claim_name(quantity)} = {value}", self.truth(variant))
        return next((f.diagnosis for f in report.findings if f.diagnosis), "")


def claim_name(quantity: str) -> str:
    """A canonical name as the checker reads it: E_total+ → E_total^+, delta_o1 → \\delta_{o1}."""
    if quantity.startswith("delta_"):
        return f"\\delta_{{{quantity[6:]}}}"
    if quantity.endswith("+") and not re.fullmatch(r"[wb]\d+\+", quantity):
        return f"{quantity[:-1]}^+"
    return quantity


def slip_of(diagnosis: str) -> tuple[str, str]:
    """The message of the slip a diagnosis describes (see `SLIPS`) and the quantity it
    names, or ("", "")."""
    for slip in SLIPS:
        match = re.search(slip.pattern, diagnosis)
        if match:
            return slip.name, (match.groups() or ("",))[0]
    return "", ""


def slip_name(diagnosis: str) -> str:
    """The short name of the slip a diagnosis describes, in English, or ""."""
    message, about = slip_of(diagnosis)
    return message.format(quantity=about)


def _slipped(mark: Mark, diagnosis: str, message: str, about: str) -> Mark:
    """`mark` made wrong, with its slip (English in `slip`, translatable by `said`)."""
    return dataclasses.replace(
        mark,
        verdict="wrong",
        slip=message.format(quantity=about),
        diagnosis=diagnosis,
        message=message,
        about=about,
    )


def _agrees_when_rounded(value: Decimal, expected: Decimal) -> bool:
    """The answer is the true value rounded to fewer digits than asked."""
    places = -value.as_tuple().exponent if value.as_tuple().exponent < 0 else 0
    return expected.quantize(Decimal(1).scaleb(-places)) == value


# -- writing the marks ----------------------------------------------------------------------------
#: what `derive mark` writes in MARKS (a rerun may replace a folder holding only these)
OWNED = re.compile(r"marks\.csv|answers-shown\.csv|(students|questions)\.(csv|md)|slips\.svg")


def check_output(folder: str | Path, inputs: dict[str, str | Path | None]) -> Path:
    """Refuse MARKS before any work when it cannot be written (see `derive.folders`)."""
    return check_folder(folder, OWNED.fullmatch, inputs, "derive mark")


def write_marks(
    marks: Marks,
    folder: str | Path,
    *,
    show_answers: bool = False,
    lang: Language | None = None,
    inputs: dict[str, str | Path | None] | None = None,
) -> None:
    """marks.csv, per-student and per-question summaries (CSV, and Markdown in `lang`),
    slips.svg (in `lang`), and with `show_answers` answers-shown.csv; all or none."""
    lang = lang or Language()
    english = Language()
    files = {
        "marks.csv": _csv(list(MARK_COLUMNS), [_mark_row(m) for m in marks.rows]),
        "students.csv": _csv(*student_table(marks, english)),
        "students.md": _markdown(*student_table(marks, lang)),
        "questions.csv": _csv(*question_table(marks, english)),
        "questions.md": _markdown(*question_table(marks, lang)),
        "slips.svg": slips_svg(marks, lang),
    }
    if show_answers:
        files["answers-shown.csv"] = shown_csv(marks)
    write_folder(check_output(folder, inputs or {}), files)


def _mark_row(m: Mark) -> list:
    return [m.student, m.variant, m.quantity, m.answer, m.verdict, m.slip]


def marks_csv(marks: Marks) -> str:
    """marks.csv: exactly the columns student,variant,quantity,answer,verdict,slip."""
    return _csv(list(MARK_COLUMNS), [_mark_row(m) for m in marks.rows])


def shown_csv(marks: Marks) -> str:
    """For the lecturer (--show-answers): each mark with the right answer and the checker's
    full diagnosis beside it."""
    header = [*MARK_COLUMNS, "expected", "diagnosis"]
    return _csv(header, [[*_mark_row(m), str(m.expected), m.diagnosis] for m in marks.rows])


def _heading(lang: Language, *names: str) -> list[str]:
    return [lang.text(SUMMARY_WORDS[name]) for name in names]


def student_table(marks: Marks, lang: Language | None = None) -> tuple[list[str], list[list]]:
    """Per student: right answers of answered, the percentage, the slips (in `lang`)."""
    lang = lang or Language()
    students: dict[str, list[Mark]] = {}
    for m in marks.rows:
        students.setdefault(m.student, []).append(m)
    rows = []
    for student, items in students.items():
        right = sum(m.verdict == "right" for m in items)
        slips = Counter(m.said(lang) for m in items if m.verdict == "wrong" and m.slip)
        rows.append([student, items[0].variant, right, len(items),
                     f"{100 * right / len(items):.0f}", "; ".join(slips)])  # fmt: skip
    return _heading(lang, "student", "variant", "right", "answered", "percent", "slips"), rows


def question_table(marks: Marks, lang: Language | None = None) -> tuple[list[str], list[list]]:
    """Per question: answered, right, wrong and the commonest slips (in `lang`)."""
    lang = lang or Language()
    rows = []
    for quantity in marks.asked:
        items = [m for m in marks.rows if m.quantity == quantity]
        if not items:
            continue
        right = sum(m.verdict == "right" for m in items)
        slips = Counter(_slip_said(m, lang) for m in items if m.verdict == "wrong")
        common = ", ".join(f"{name} ({n})" for name, n in slips.most_common(3))
        rows.append([quantity, len(items), right, len(items) - right, common])
    return _heading(lang, "quantity", "answered", "right", "wrong", "commonest"), rows


def _slip_said(mark: Mark, lang: Language) -> str:
    return mark.said(lang) or lang.text(UNEXPLAINED)


def slip_counts(marks: Marks, lang: Language | None = None) -> list[tuple[str, int]]:
    """How often each slip was made (named in `lang`), most frequent first."""
    lang = lang or Language()
    counts = Counter(_slip_said(m, lang) for m in marks.rows if m.verdict == "wrong")
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))


def slips_svg(marks: Marks, lang: Language | None = None) -> str:
    """A horizontal bar chart of the slips, most frequent first (plain SVG, no library)."""
    from derive.render import environment

    lang = lang or Language()
    counts = slip_counts(marks, lang)
    template = environment("html").get_template("exercise/slips.svg.j2")
    return template.render(
        counts=counts,
        most=max((n for _, n in counts), default=1),
        title=lang.text(SUMMARY_WORDS["chart"]),
        none=lang.text(SUMMARY_WORDS["none"]),
    )


def _csv(header: list[str], rows: list[list]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def _markdown(header: list[str], rows: list[list]) -> str:
    def cell(value) -> str:
        return str(value).replace("|", "\\|")

    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines) + "\n"
