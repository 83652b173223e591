"""derive mark: a planted answer sheet with every kind of slip, each found and named.

The planted wrong answers are computed from tests/reference.py (mpmath), never from
derive's numbers: the sign flipped, the gradient without the activation derivative, the
gradient taken with the updated weights, another weight's gradient, a digit dropped, too
few digits. Right answers are written with the rounding allowed and with decimal commas.
"""

from __future__ import annotations

import csv
import io
import re
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import mpmath
import pytest
from exercise_reference import variant_data
from reference import reference_step

from derive.cli import main
from derive.exercise import make_exercise, write_exercise
from derive.marking import SLIPS, parse_answer, slip_name

ASK = ["net_h1", "out_h1", "dE/dw5", "dE/dw1", "w5+"]


def written(value, digits: int, comma: bool = False) -> str:
    """`value` rounded half up to `digits` significant digits, as a person writes it."""
    value = mpmath.mpf(value)
    exponent = int(mpmath.floor(mpmath.log10(abs(value))))
    quantum = Decimal(1).scaleb(exponent - digits + 1)
    text = format(Decimal(mpmath.nstr(value, 40)).quantize(quantum, ROUND_HALF_UP), "f")
    return text.replace(".", ",") if comma else text


@pytest.fixture(scope="module")
def exercise(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("marking") / "sheets"
    write_exercise(make_exercise("mazur", 3, 31, ask=ASK), folder)
    return folder


def _reference(folder: Path, variant: int) -> tuple[dict, dict]:
    data = variant_data(folder / f"variant-{variant:02d}" / "spec.toml")
    return data, reference_step(data)


def _planted(folder: Path) -> list[tuple[str, int, str, str, str]]:
    """(student, variant, quantity, answer, slip expected) rows; "" for a right answer."""
    data, ref = _reference(folder, 1)
    g = ref["gradients"]
    out_o1 = ref["forward"]["o1"]["out"]
    out_h1 = ref["forward"]["h1"]["out"]
    target = mpmath.mpf(str(data["targets"][0]))
    # ∂E/∂w5 = (out_o1 − t1)·σ'(net_o1)·out_h1; without σ' it is (out_o1 − t1)·out_h1
    no_derivative = (out_o1 - target) * out_h1
    # the gradient taken after the update: the reference run on the updated weights
    updated = dict(data)
    names = iter(f"w{i}" for i in range(1, 9))
    updated["weights"] = [
        [[Decimal(mpmath.nstr(ref["updated"][next(names)], 40)) for _ in row] for row in m]
        for m in data["weights"]
    ]
    after = reference_step(updated)["gradients"]
    # a digit dropped from out_h1 written to 5 digits: the second significant digit removed
    five = written(out_h1, 5)
    first = next(i for i, c in enumerate(five) if c in "123456789")
    dropped = five[: first + 1] + five[first + 2 :]
    rows = [
        ("Ada", 1, "net_h1", written(ref["forward"]["h1"]["net"], 4), ""),
        ("Ada", 1, "dE/dw5", written(g["w5"], 4, comma=True), ""),
        ("Ada", 1, "∂E/∂w1", written(g["w1"], 6), ""),
        ("Ada", 1, "w5+", written(ref["updated"]["w5"], 4, comma=True), ""),
        ("Ada", 1, "out_h1", written(out_h1, 4), ""),
        ("Ben", 1, "dE/dw5", written(-g["w5"], 4), "sign flipped"),
        ("Ben", 1, "dE/dw1", written(after["w1"], 4), "updated weights used"),
        ("Ben", 1, "out_h1", dropped, "a digit dropped"),
        ("Cy", 1, "dE/dw5", written(no_derivative, 4), "activation derivative missing"),
        ("Cy", 1, "dE/dw5", written(g["w6"], 4), "the value of dE_total/dw6"),
        ("Cy", 1, "out_h1", written(out_h1, 2), "fewer digits than asked"),
    ]
    return rows


def _write_sheet(path: Path, rows, delimiter=",") -> None:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\n")
    writer.writerow(["Student", "Variant", "Quantity", "Answer"])
    writer.writerows(row[:4] for row in rows)
    path.write_text(out.getvalue(), "utf-8")


def _marks(folder: Path) -> list[dict]:
    return list(csv.DictReader(io.StringIO((folder / "marks.csv").read_text("utf-8"))))


def test_planted_slips_are_each_found(exercise, tmp_path, capsys):
    rows = _planted(exercise)
    answers = tmp_path / "returned.csv"
    _write_sheet(answers, rows)
    status = main(["mark", str(answers), "--exercise", str(exercise), "-o", str(tmp_path / "m")])
    assert status == 0
    marks = _marks(tmp_path / "m")
    assert list(marks[0]) == ["student", "variant", "quantity", "answer", "verdict", "slip"]
    for row, mark in zip(rows, marks, strict=True):
        expected = row[4]
        assert mark["verdict"] == ("right" if not expected else "wrong"), (row, mark)
        assert mark["slip"] == expected, (row, mark)
    # nothing in the marks gives a right value away: no number in any slip
    assert not any(re.search(r"\d\.\d|\d,\d", mark["slip"]) for mark in marks)
    assert len(marks[0]) == 6  # no expected value without --show-answers
    assert "right" in capsys.readouterr().err


def test_show_answers_adds_the_expected_value_and_the_diagnosis(exercise, tmp_path):
    """--show-answers writes answers-shown.csv beside marks.csv, whose columns stay exactly
    student,variant,quantity,answer,verdict,slip."""
    rows = _planted(exercise)[5:6]
    answers = tmp_path / "returned.csv"
    _write_sheet(answers, rows, delimiter=";")
    out = tmp_path / "m"
    assert main(["mark", str(answers), "--exercise", str(exercise), "-o", str(out),
                 "--show-answers"]) == 0  # fmt: skip
    assert list(_marks(out)[0]) == ["student", "variant", "quantity", "answer", "verdict", "slip"]
    text = (out / "answers-shown.csv").read_text("utf-8")
    (mark,) = list(csv.DictReader(io.StringIO(text)))
    _, ref = _reference(exercise, 1)
    assert abs(Decimal(mark["expected"]) - Decimal(mpmath.nstr(ref["gradients"]["w5"], 30))) < (
        Decimal("1e-15")
    )
    assert "sign" in mark["diagnosis"]


def test_summaries_and_histogram(exercise, tmp_path):
    answers = tmp_path / "returned.csv"
    _write_sheet(answers, _planted(exercise))
    out = tmp_path / "m"
    main(["mark", str(answers), "--exercise", str(exercise), "-o", str(out)])
    students = list(csv.DictReader(io.StringIO((out / "students.csv").read_text())))
    assert [(s["student"], s["right"], s["answered"]) for s in students] == [
        ("Ada", "5", "5"),
        ("Ben", "0", "3"),
        ("Cy", "0", "3"),
    ]
    questions = {
        q["quantity"]: q for q in csv.DictReader(io.StringIO((out / "questions.csv").read_text()))
    }
    assert questions["dE_total/dw5"]["wrong"] == "3" and questions["net_h1"]["wrong"] == "0"
    assert "| student |" in (out / "students.md").read_text()
    svg = (out / "slips.svg").read_text()
    import xml.etree.ElementTree as ET

    root = ET.fromstring(svg)
    assert root.tag.endswith("svg") and svg.count("<rect") == 6
    assert "sign flipped" in svg and "a digit dropped" in svg


def test_a_moodle_responses_export_is_read(exercise, tmp_path):
    _, ref = _reference(exercise, 2)
    parts = [
        written(ref["forward"]["h1"]["net"], 4),
        written(ref["forward"]["h1"]["out"], 4, comma=True),
        written(-ref["gradients"]["w5"], 4),
        "",
        written(ref["updated"]["w5"], 5),
    ]
    response = "; ".join(f"part {i}: {p}" for i, p in enumerate(parts, start=1) if p)
    export = tmp_path / "responses.csv"
    with export.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Surname", "First name", "Email address", "State", "Started on",
                         "Completed", "Time taken", "Grade/5.00", "Question 1", "Response 1",
                         "Right answer 1"])  # fmt: skip
        writer.writerow(["Lovelace", "Ada", "ada@example.org", "Finished", "", "", "", "3.00",
                         "Variant 2: do one step of backpropagation by hand ...", response,
                         ""])  # fmt: skip
    out = tmp_path / "m"
    assert main(["mark", str(export), "--exercise", str(exercise), "-o", str(out)]) == 0
    marks = _marks(out)
    assert [m["student"] for m in marks] == ["Ada Lovelace"] * 4
    assert [m["quantity"] for m in marks] == ["net_h1", "out_h1", "dE_total/dw5", "w5+"]
    assert [m["verdict"] for m in marks] == ["right", "right", "wrong", "right"]
    assert marks[2]["slip"] == "sign flipped"


@pytest.mark.parametrize(
    ("text", "value"),
    [("0,0821", "0.0821"), ("-0,0821", "-0.0821"), ("−0.5", "-0.5"), ("1.5e-3", "0.0015"),
     ("2×10^-3", "0.002"), (" 0.25 ", "0.25"), ("abc", None), ("1,234.5", None)],
)  # fmt: skip
def test_parse_answer(text, value):
    parsed = parse_answer(text)
    assert (parsed is None) if value is None else parsed == Decimal(value)


def test_every_declared_slip_is_named_from_a_diagnosis():
    """Each SLIPS entry turns the checker's wording into its name (the wording of diagnose.py)."""
    sentences = {
        "the sign is flipped": "sign flipped",
        "the activation derivative ∂out/∂net is missing": "activation derivative missing",
        "this is the value with the updated weights (take every gradient first)":
            "updated weights used",
        "this is the value before the update": "value before the update",
        "the learning rate η is missing from the update": "learning rate missing",
        "η·∂E/∂p was added instead of subtracted": "update added instead of subtracted",
        "this is the gradient multiplied by the learning rate η":
            "gradient multiplied by the learning rate",
        "target and output are swapped in ∂E/∂out": "target and output swapped",
        "this uses the derivative of tanh; layer 1 uses the logistic sigmoid":
            "another activation's derivative",
        "this is the value of dE_total/dw6": "the value of dE_total/dw6",
        "it gives the value of out_h2 instead": "the value of out_h2",
        "the update used the gradient of w6": "the value of w6",
        "a typo: a digit dropped, 0.0827 for 0.08217": "a digit dropped",
        "a typo: two digits swapped, 0.0812 for 0.0821": "two digits swapped",
        "a typo: the decimal point is misplaced, 0.821 for 0.0821": "decimal point misplaced",
        "the mask of the rectified linear unit (ReLU) is left out: where net ≤ 0 its "
        "derivative is 0, not 1 (layer 1)": "activation mask left out",
        "the minus sign in the exponent is lost: 1/(1 + e^net) is 1 − σ(net), not σ(net) = "
        "1/(1 + e^−net)": "minus sign lost in the exponent",
        "the weights leaving h2 were used instead of those entering o2 (the weight matrix "
        "transposed)": "weight matrix transposed",
    }  # fmt: skip
    assert {slip_name(s) for s in sentences} == set(sentences.values())
    for sentence, name in sentences.items():
        assert slip_name(sentence) == name, sentence
    assert len(SLIPS) == 16 and slip_name("") == ""


def test_bad_answer_files_are_one_clear_line(exercise, tmp_path, capsys):
    bad = tmp_path / "bad.csv"
    bad.write_text("name,answer\nAda,0.1\n")
    out = tmp_path / "m"
    status = main(["mark", str(bad), "--exercise", str(exercise), "-o", str(out)])
    err = capsys.readouterr().err
    assert status == 2 and "missing the column(s) variant, quantity" in err and err.count("\n") == 1
    assert not out.exists()
    bad.write_text("student,variant,quantity,answer\nAda,9,net_h1,0.1\n")
    assert main(["mark", str(bad), "--exercise", str(exercise), "-o", str(out)]) == 2
    assert "line 2: no variant 9" in capsys.readouterr().err
    bad.write_text("student,variant,quantity,answer\nAda,1,dE/dw9,0.1\n")
    assert main(["mark", str(bad), "--exercise", str(exercise), "-o", str(out)]) == 2
    assert "dE/dw9" in capsys.readouterr().err
    bad.write_text("student,variant,quantity,answer\nAda,1,out_o1,0.1\n")
    assert main(["mark", str(bad), "--exercise", str(exercise), "-o", str(out)]) == 2
    assert "out_o1 was not asked" in capsys.readouterr().err
    assert main(["mark", str(bad), "--exercise", str(tmp_path), "-o", str(out)]) == 2
    assert "no answers.csv" in capsys.readouterr().err
    assert not out.exists()


def _header_and(*rows: str) -> str:
    return "student,variant,quantity,answer\n" + "".join(r + "\n" for r in rows)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"Student;Variante;Antwort\nAda;1;0,1\n", "missing the column(s) quantity"),
        (_header_and("Ada,7,net_h1,0.1").encode(), "line 2: no variant 7"),
        (_header_and("Ada,1,net_h1,0.1", "Ada,1,dE/dw99,0.1").encode(),
         "line 3: column quantity: unknown quantity 'dE/dw99'"),
        (_header_and("Ada,1,E_total,0.1").encode(), "line 2: E_total was not asked"),
        (_header_and("Ada,one,net_h1,0.1").encode(), "line 2: no variant number"),
        (b"student,variant,quantity,answer\nAda,1,net_h1,\xe9\xff\n", "not UTF-8"),
        (b"student,variant,quantity,answer\nAda,1,\"net_h1,0.1\n", "not readable CSV"),
        (b"", "empty"),
        (b"Surname,First name,Response 1\nLovelace,Ada,part 1: 0.1\n", "'Question 1'"),
        (b"Surname,First name,Question 1,Response 1\nLovelace,Ada,What is net?,part 1: 0.1\n",
         "line 2: no 'Variant N' in the question text"),
    ],
)  # fmt: skip
def test_a_bad_answers_file_is_one_line_and_writes_nothing(
    exercise, tmp_path, capsys, content, message
):
    answers = tmp_path / "returned.csv"
    answers.write_bytes(content)
    out = tmp_path / "marks"
    status = main(["mark", str(answers), "--exercise", str(exercise), "-o", str(out)])
    err = capsys.readouterr().err
    assert status == 2 and err.count("\n") == 1 and message in err, err
    assert not out.exists() and answers.read_bytes() == content


def test_a_damaged_exercise_folder_is_one_line(exercise, tmp_path, capsys):
    import shutil

    copy = tmp_path / "sheets"
    shutil.copytree(exercise, copy)
    answers = tmp_path / "returned.csv"
    answers.write_text(_header_and("Ada,1,net_h1,0.1"))
    for text, message in [
        ("variant,question,answer\n1,net_h1,0.1\n", "expected the columns"),
        ("variant,quantity,answer,digits\n1,net_h1,zero,4\n", "line 2: expected"),
        ("variant,quantity,answer,digits\n", "holds no answers"),
    ]:
        (copy / "answers.csv").write_text(text)
        status = main(["mark", str(answers), "--exercise", str(copy), "-o", str(tmp_path / "m")])
        err = capsys.readouterr().err
        assert status == 2 and err.count("\n") == 1 and message in err, err


def test_marks_folder_all_or_none_and_inputs_kept(exercise, tmp_path, capsys):
    answers = tmp_path / "returned.csv"
    _write_sheet(answers, _planted(exercise))
    out = tmp_path / "m"
    assert main(["mark", str(answers), "--exercise", str(exercise), "-o", str(out),
                 "--show-answers"]) == 0  # fmt: skip
    assert (out / "answers-shown.csv").is_file()
    # a rerun replaces derive mark's own folder whole: no stale answers-shown.csv
    assert main(["mark", str(answers), "--exercise", str(exercise), "-o", str(out)]) == 0
    assert not (out / "answers-shown.csv").exists() and (out / "marks.csv").is_file()
    capsys.readouterr()
    # the answers inside MARKS, or MARKS the exercise folder: refused, nothing touched
    inside = out / "returned.csv"
    inside.write_bytes(answers.read_bytes())
    status = main(["mark", str(inside), "--exercise", str(exercise), "-o", str(out)])
    err = capsys.readouterr().err
    assert status == 2 and "answers" in err and err.count("\n") == 1
    inside.unlink()
    before = sorted(p.name for p in exercise.iterdir())
    status = main(["mark", str(answers), "--exercise", str(exercise), "-o", str(exercise)])
    err = capsys.readouterr().err
    assert status == 2 and "exercise folder" in err
    assert sorted(p.name for p in exercise.iterdir()) == before


def test_summaries_in_the_course_language(exercise, tmp_path):
    """--lang de: the Markdown summaries and the chart in German; marks.csv and the CSV
    summaries keep derive's English names, which programs read."""
    answers = tmp_path / "returned.csv"
    _write_sheet(answers, _planted(exercise))
    out = tmp_path / "m"
    assert main(["mark", str(answers), "--exercise", str(exercise), "-o", str(out),
                 "--lang", "de"]) == 0  # fmt: skip
    students = (out / "students.md").read_text()
    assert "| Studierende(r) | Variante | richtig | beantwortet |" in students
    assert "Vorzeichen vertauscht" in students
    questions = (out / "questions.md").read_text()
    assert "der Wert von dE_total/dw6 (1)" in questions
    svg = (out / "slips.svg").read_text()
    assert "Fehler in den falschen Antworten" in svg and "eine Ziffer ausgelassen" in svg
    assert "sign flipped" in (out / "marks.csv").read_text()
    assert "commonest slips" in (out / "questions.csv").read_text()


def test_a_german_moodle_export_is_read(tmp_path):
    """The quiz in German says "Variante 2"; its responses export is marked all the same."""
    folder = tmp_path / "quiz"
    write_exercise(
        make_exercise("mazur", 2, 31, ask=["net_h1", "dE/dw5"], fmt="moodle-xml", lang="de"),
        folder,
    )
    _, ref = _reference(folder, 2)
    import xml.etree.ElementTree as ET

    question = ET.parse(folder / "quiz.xml").getroot().findall("question")[2]
    text = re.sub(r"<[^>]+>", "", question.findtext("questiontext/text")).split("\n")[0]
    assert text.startswith("Variante 2: Führen Sie einen Schritt")
    export = tmp_path / "responses.csv"
    response = (
        f"part 1: {written(ref['forward']['h1']['net'], 4, comma=True)}; "
        f"part 2: {written(-ref['gradients']['w5'], 4, comma=True)}"
    )
    with export.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(["Nachname", "First name", "Surname", "Question 1", "Response 1"])
        writer.writerow(["", "Ada", "Lovelace", text, response])
    out = tmp_path / "m"
    assert main(["mark", str(export), "--exercise", str(folder), "-o", str(out)]) == 0
    marks = _marks(out)
    assert [(m["variant"], m["verdict"], m["slip"]) for m in marks] == [
        ("2", "right", ""), ("2", "wrong", "sign flipped")
    ]  # fmt: skip
