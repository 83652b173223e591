"""The quizzes: Moodle question XML validated against an XSD of Moodle's format and parsed
back question by question; the QTI package text2qti makes, read back. Answers are compared
with tests/reference.py, tolerances with half a unit of the last digit asked."""

from __future__ import annotations

import base64
import io
import re
import xml.etree.ElementTree as ET
import zipfile
from decimal import Decimal
from pathlib import Path

import mpmath
import pytest
import xmlschema
from exercise_reference import reference_answers

from derive.errors import UsageError
from derive.exercise import make_exercise, write_exercise
from derive.quiz import tolerance

SCHEMA = Path(__file__).parent / "moodle" / "quiz.xsd"
CLOZE = re.compile(r"\{1:NUMERICAL:=([-0-9.eE]+):([0-9.eE-]+)\}")


@pytest.fixture(scope="module")
def schema():
    return xmlschema.XMLSchema11(str(SCHEMA))


def half_unit(value, digits: int) -> Decimal:
    """Half a unit of the digits-th significant digit, from the reference value."""
    exponent = int(mpmath.floor(mpmath.log10(abs(value))))
    return Decimal(5) * Decimal(10) ** (exponent - digits)


def _quiz(tmp_path, ask, count=4, seed=3):
    folder = tmp_path / "quiz"
    write_exercise(make_exercise("mazur", count, seed, ask=ask, fmt="moodle-xml"), folder)
    return folder


def test_cloze_quiz_is_valid_and_parses_back(tmp_path, schema):
    ask = ["net_h1", "dE/dw5", "dE/dw1", "w1+"]
    folder = _quiz(tmp_path, ask)
    schema.validate(str(folder / "quiz.xml"))
    reference = reference_answers(folder)
    questions = ET.parse(folder / "quiz.xml").getroot().findall("question")
    assert questions[0].get("type") == "category"
    assert [q.get("type") for q in questions[1:]] == ["cloze"] * 4
    names = ["net_h1", "dE_total/dw5", "dE_total/dw1", "w1+"]
    for number, question in enumerate(questions[1:], start=1):
        assert question.findtext("name/text") == f"Variant {number:02d}"
        text = question.findtext("questiontext/text")
        assert "\\(" in text and "\\)" in text and "$" not in text
        blanks = CLOZE.findall(text)
        assert len(blanks) == 4
        for name, (answer, tol) in zip(names, blanks, strict=True):
            expected = reference[(number, name)]
            assert abs(float(answer) - float(expected)) <= 1e-15 * abs(float(expected))
            assert Decimal(tol) == half_unit(expected, 4)
        _check_image(question, text)


def _check_image(question, text):
    file = question.find("questiontext/file")
    assert file.get("encoding") == "base64" and file.get("name").endswith(".svg")
    assert f'src="@@PLUGINFILE@@/{file.get("name")}"' in text
    svg = ET.fromstring(base64.b64decode(file.text))
    assert svg.tag == "{http://www.w3.org/2000/svg}svg"
    labels = "".join(svg.itertext())
    assert "w" in labels and "=" in labels


def test_numerical_quiz_is_valid_and_parses_back(tmp_path, schema):
    folder = _quiz(tmp_path, ["dE/dw5"], count=3, seed=8)
    schema.validate(str(folder / "quiz.xml"))
    reference = reference_answers(folder)
    questions = ET.parse(folder / "quiz.xml").getroot().findall("question")[1:]
    assert [q.get("type") for q in questions] == ["numerical"] * 3
    for number, question in enumerate(questions, start=1):
        answer = question.find("answer")
        assert answer.get("fraction") == "100"
        expected = reference[(number, "dE_total/dw5")]
        assert abs(float(answer.findtext("text")) - float(expected)) <= 1e-15 * abs(float(expected))
        assert Decimal(answer.findtext("tolerance")) == half_unit(expected, 4)
        _check_image(question, question.findtext("questiontext/text"))


def test_schema_rejects_what_moodle_would(tmp_path, schema):
    text = (_quiz(tmp_path, ["net_h1", "w1+"], count=1) / "quiz.xml").read_text()
    assert schema.is_valid(text)
    assert not schema.is_valid(text.replace('type="cloze"', 'type="essay"'))
    assert not schema.is_valid(text.replace("<penalty>0.3333333", "<penalty>2"))
    assert not schema.is_valid(text.replace("NUMERICAL", "NUMBER"))
    assert not schema.is_valid(text.replace("<hidden>0</hidden>", ""))


def test_same_seed_same_quiz(tmp_path):
    one = make_exercise("mazur", 3, 4, ask=["net_o1", "w5+"], fmt="moodle-xml").files["quiz.xml"]
    two = make_exercise("mazur", 3, 4, ask=["net_o1", "w5+"], fmt="moodle-xml").files["quiz.xml"]
    assert one == two


@pytest.mark.parametrize(
    ("value", "digits", "expected"),
    [
        ("0.08216704", 4, "0.000005"),
        ("-0.0017386", 4, "0.0000005"),
        ("12.345", 3, "0.05"),
        ("0.99996", 4, "0.0005"),  # rounds up to 1.000: the unit of the answer written
    ],
)
def test_tolerance_is_half_a_unit_of_the_last_digit_asked(value, digits, expected):
    assert tolerance(mpmath.mpf(value), digits) == Decimal(expected)


def test_qti_package_through_text2qti(tmp_path):
    folder = tmp_path / "qti"
    ask = ["out_o1", "w5+"]
    exercise = make_exercise("mazur", 3, 6, ask=ask, fmt="qti", digits=2)
    write_exercise(exercise, folder)
    again = make_exercise("mazur", 3, 6, ask=ask, fmt="qti", digits=2)
    assert again.files["quiz-qti.zip"] == exercise.files["quiz-qti.zip"]
    reference = reference_answers(folder)
    with zipfile.ZipFile(io.BytesIO((folder / "quiz-qti.zip").read_bytes())) as package:
        assert "imsmanifest.xml" in package.namelist()
        pattern = r"/text2qti_assessment_[^/]*\.xml$"
        (name,) = [n for n in package.namelist() if re.search(pattern, n)]
        root = ET.fromstring(package.read(name))
    ns = {"q": "http://www.imsglobal.org/xsd/ims_qtiasiv1p2"}
    items = root.findall(".//q:item", ns)
    assert len(items) == 6
    for item in items:
        variant, number = map(int, re.findall(r"\d+", item.get("title")))
        expected = reference[(variant, ["out_o1", "w5+"][number - 1])]
        low = Decimal(item.find(".//q:vargte", ns).text)
        high = Decimal(item.find(".//q:varlte", ns).text)
        assert low <= Decimal(str(float(expected))) <= high
        # text2qti rounds each bound to 4 decimal places
        assert abs((high - low) / 2 - half_unit(expected, 2)) <= Decimal("0.0001")


def test_qti_refuses_answers_too_fine_for_text2qti():
    with pytest.raises(UsageError) as error:
        make_exercise("mazur", 2, 6, ask=["dE/dw1"], fmt="qti")
    assert "4 decimal places" in str(error.value) and "moodle-xml" in str(error.value)


def test_a_german_quiz_keeps_moodle_answers_with_a_point(tmp_path, schema):
    """--lang de: the question's words in German and its given values with a decimal comma
    ({,} for MathJax); the answers Moodle compares with keep the point its XML requires, and
    equal the mpmath reference."""
    folder = tmp_path / "quiz"
    write_exercise(
        make_exercise("mazur", 2, 3, ask=["net_h1", "dE/dw5"], fmt="moodle-xml", lang="de"),
        folder,
    )
    schema.validate(str(folder / "quiz.xml"))
    reference = reference_answers(folder)
    questions = ET.parse(folder / "quiz.xml").getroot().findall("question")[1:]
    for number, question in enumerate(questions, start=1):
        assert question.findtext("name/text") == f"Variante {number:02d}"
        text = question.findtext("questiontext/text")
        assert "Führen Sie einen Schritt der Backpropagation" in text
        assert "Eingaben:" in text and "Lernrate:" in text and "{,}" in text
        assert 'alt="Das Netz mit seinen Gewichten"' in text
        blanks = CLOZE.findall(text)
        for name, (answer, tol) in zip(["net_h1", "dE_total/dw5"], blanks, strict=True):
            expected = reference[(number, name)]
            assert abs(float(answer) - float(expected)) <= 1e-15 * abs(float(expected))
            assert Decimal(tol) == half_unit(expected, 4)
        (file,) = question.findall("questiontext/file")
        svg = base64.b64decode(file.text).decode()
        assert "Eingabeschicht" in svg and re.search(r"= \u2212?\d+,\d+<", svg)
