"""derive init, the [exercise] table, the names --ask accepts, the variants and their files.

The answers of every variant are compared with tests/reference.py (mpmath, no derive code);
reproducibility is byte for byte; each rejection rule is tested on a network built to
break it (and on one that does not).
"""

from __future__ import annotations

import csv
import io
import random
import re
import tomllib
from decimal import Decimal

import mpmath
import pytest
from conftest import preset_data
from exercise_reference import reference_answers
from reference import reference_step

from derive.asking import quantities, resolve, split_names
from derive.cli import main
from derive.errors import SpecError, UsageError
from derive.exercise import make_exercise, write_exercise
from derive.init import init_text
from derive.spec import load_spec, preset_names, preset_text, spec_from_mapping
from derive.variants import (
    REJECTION_RULES,
    dead_relu,
    draw_variants,
    saturated,
    tie,
    vanishing,
)
from derive.walkthrough import build_walkthrough

ASK = ["net_h1", "dE/dw5", "dE/dw1", "w1+"]


def run(args, capsys):
    status = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return status, out, err


# -- init and presets --show -------------------------------------------------------------------
@pytest.mark.parametrize("preset", [None, *preset_names()])
def test_init_text_validates_and_is_commented(preset):
    text = init_text(preset)
    spec = spec_from_mapping(tomllib.loads(text, parse_float=Decimal))
    assert spec.exercise.ask and text.count("#") >= 5
    # the questions it suggests exist in that network
    draw = draw_variants(spec, 1, random.Random(0))
    assert len(draw.variants) == 1


def test_init_writes_a_file_and_refuses_to_overwrite_it(tmp_path, capsys):
    target = tmp_path / "course.toml"
    status, _, err = run(["init", "mazur", "-o", target], capsys)
    assert status == 0 and "wrote" in err
    first = target.read_text()
    assert load_spec(target).title == load_spec("mazur").title
    target.write_text("# my own edits\n" + first)
    status, _, err = run(["init", "mazur", "-o", target], capsys)
    assert status == 2 and "already exists" in err and "--force" in err
    assert target.read_text().startswith("# my own edits")
    status, _, _ = run(["init", "russo", "-o", target, "--force"], capsys)
    assert status == 0 and load_spec(target).layers == (3, 3, 3)


def test_init_to_standard_output_and_an_unknown_preset(capsys):
    status, out, _ = run(["init", "-o", "-"], capsys)
    assert status == 0 and "[exercise]" in out
    status, out, err = run(["init", "muzur", "-o", "-"], capsys)
    assert status == 2 and out == "" and "did you mean 'mazur'" in err


def test_presets_show_prints_the_preset_toml(capsys):
    status, out, _ = run(["presets", "--show", "russo"], capsys)
    assert status == 0 and out == preset_text("russo")
    status, _, err = run(["presets", "--show", "rusos"], capsys)
    assert status == 2 and "did you mean 'russo'" in err and err.count("\n") == 1


# -- the [exercise] table ----------------------------------------------------------------------
def _with_exercise(table: dict) -> dict:
    data = preset_data("mazur")
    data["exercise"] = table
    return data


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ({"digts": 4}, "exercise.digts: unknown key; did you mean 'digits'?"),
        ({"vary": ["wieghts"]}, "did you mean 'weights'?"),
        ({"weights": [0.5, -0.5]}, "expected low < high"),
        ({"weights": [0, 0.15], "grid": 0.05}, "fewer than 4 nonzero multiples of the grid"),
        ({"grid": 0}, "exercise.grid: expected a number greater than 0"),
        ({"digits": 0}, "exercise.digits: expected an integer from 1 to 12"),
        ({"ask": "net_h1"}, "exercise.ask: expected a list of names"),
        ({"allow_dead_relu": "yes"}, "expected true or false"),
    ],
)
def test_exercise_table_is_validated(table, message):
    with pytest.raises(SpecError) as error:
        spec_from_mapping(_with_exercise(table), where="course.toml")
    assert message in str(error.value) and str(error.value).startswith("course.toml: exercise")


def test_exercise_table_settings_are_read():
    spec = spec_from_mapping(
        _with_exercise({"grid": 0.1, "weights": [-2, 2], "digits": 3, "vary": ["biases"]})
    )
    settings = spec.exercise
    assert settings.grid == Decimal("0.1") and settings.range_of("weights") == (-2, 2)
    assert settings.digits == 3 and settings.vary == ("biases",)


# -- the names --ask accepts -------------------------------------------------------------------
@pytest.mark.parametrize(
    ("written", "canonical"),
    [
        ("net_h1", "net_h1"),
        ("neth1", "net_h1"),
        ("dE/dw5", "dE_total/dw5"),
        ("∂E/∂w5", "dE_total/dw5"),
        ("∂E_total/∂w₅", "dE_total/dw5"),
        ("dE_{total}/dw_{5}", "dE_total/dw5"),
        ("w1+", "w1+"),
        ("w1⁺", "w1+"),
        ("w_1^+", "w1+"),
        ("w1_new", "w1+"),
        ("delta_o1", "delta_o1"),
        ("δ_o1", "delta_o1"),
        ("dE/dnet_o1", "delta_o1"),
        ("E_total+", "E_total+"),
        ("E+", "E_total+"),
        ("E", "E_total"),
        ("out_o2", "out_o2"),
        ("E_o1", "E_o1"),
        ("dE/db1", "dE_total/db1"),
    ],
)
def test_ask_accepts_the_names_people_write(written, canonical):
    known = quantities(build_walkthrough("mazur").step)
    assert resolve([written], known) == (canonical,)


def test_ask_refuses_an_unknown_name_naming_it():
    known = quantities(build_walkthrough("mazur").step)
    with pytest.raises(UsageError) as error:
        resolve(["net_h1", "dE/dw9"], known)
    assert "unknown quantity 'dE/dw9'" in str(error.value)
    assert "did you mean" in str(error.value)
    # biases are not updated in mazur: b1+ is no question
    with pytest.raises(UsageError):
        resolve(["b1+"], known)


def test_split_names():
    assert split_names("net_h1, dE/dw5 w1+") == ["net_h1", "dE/dw5", "w1+"]


def test_exercise_cli_bad_ask_is_one_line_and_writes_nothing(tmp_path, capsys):
    out = tmp_path / "sheets"
    status, _, err = run(
        ["exercise", "mazur", "--variants", 3, "--seed", 1, "--ask", "net_h1,dE/dw9", "-o", out],
        capsys,
    )
    assert status == 2 and err.count("\n") == 1 and "dE/dw9" in err
    assert not out.exists()


# -- variants, reproducibility, and their answers against the reference ------------------------
@pytest.fixture(scope="module")
def exercise_md(tmp_path_factory):
    folder = tmp_path_factory.mktemp("exercise")
    ask = ["net_h2", "dE/dw10", "dE/dw2", "delta_h3", "w2+", "E_total+", "out_o3", "E_o1"]
    exercise = make_exercise("russo", 6, 2024, ask=ask)
    write_exercise(exercise, folder)
    return folder, exercise


def test_every_answer_agrees_with_the_reference(exercise_md):
    folder, _ = exercise_md
    rows = list(csv.DictReader(io.StringIO((folder / "answers.csv").read_text())))
    assert list(rows[0]) == ["variant", "quantity", "answer", "digits"]
    assert len(rows) == 6 * 8
    reference = reference_answers(folder)
    for row in rows:
        value = Decimal(row["answer"])
        expected = reference[(int(row["variant"]), row["quantity"])]
        assert abs(float(value) - float(expected)) <= 1e-15 * max(abs(float(expected)), 1e-300), row
        assert row["digits"] == "4"


def test_variants_differ_and_stay_on_the_grid(exercise_md):
    folder, _ = exercise_md
    seen = set()
    for spec_path in sorted(folder.glob("variant-*/spec.toml")):
        data = tomllib.loads(spec_path.read_text(), parse_float=Decimal)
        weights = [w for m in data["weights"] for row in m for w in row]
        values = weights + list(data["inputs"]) + list(data["targets"])
        assert all(v % Decimal("0.05") == 0 and v != 0 for v in values)
        assert all(Decimal("-0.9") <= w <= Decimal("0.9") for w in weights)
        given = list(data["inputs"]) + list(data["targets"])
        assert all(Decimal("0.05") <= v <= Decimal("0.95") for v in given)
        seen.add(repr(values))
    assert len(seen) == 6


def test_every_variant_spec_is_accepted_by_explain(exercise_md, capsys):
    folder, _ = exercise_md
    for spec_path in sorted(folder.glob("variant-*/spec.toml")):
        status, out, _ = run(["explain", spec_path, "--format", "json"], capsys)
        assert status == 0 and '"gradients"' in out


def test_sheet_asks_and_key_answers(exercise_md):
    folder, exercise = exercise_md
    sheet = (folder / "variant-01" / "sheet.md").read_text()
    key = (folder / "variant-01" / "key.md").read_text()
    assert "to 4 significant digits" in sheet and sheet.count("______") >= 9
    assert "\\frac{\\partial E_{\\mathrm{total}}}{\\partial w_{10}}" in sheet
    # the sheet gives no answer; the key boxes each, before the walkthrough's first section
    for answer in exercise.draw.variants[0].answers:
        from derive.numeric import plain

        written = plain(answer.value, 4)
        assert f"\\boxed{{{written}}}" in key
    assert key.index("\\boxed") < key.index("\n## ")
    # inside the walkthrough each asked value is boxed too, labelled by its question number
    data = tomllib.loads((folder / "variant-01" / "spec.toml").read_text(), parse_float=Decimal)
    gradient = reference_step(data)["gradients"]["w10"]  # question 2: dE/dw10
    shown = mpmath.nstr(gradient, data["digits"], strip_zeros=True)
    assert f"\\boxed{{{shown}}}_{{\\scriptscriptstyle (2)}}" in key
    assert "## " in key and "chain rule" in key.lower()


def test_same_seed_gives_byte_identical_files(tmp_path):
    for fmt in ("md", "html", "tex"):
        first = make_exercise("mazur", 4, 11, ask=ASK, fmt=fmt).files
        again = make_exercise("mazur", 4, 11, ask=ASK, fmt=fmt).files
        assert first == again
        other = make_exercise("mazur", 4, 12, ask=ASK, fmt=fmt).files
        assert other["answers.csv"] != first["answers.csv"]


def test_same_seed_gives_byte_identical_pdfs(tmp_path):
    one, two = tmp_path / "one", tmp_path / "two"
    write_exercise(make_exercise("mazur", 2, 5, ask=ASK, fmt="pdf"), one)
    write_exercise(make_exercise("mazur", 2, 5, ask=ASK, fmt="pdf"), two)
    names = sorted(p.relative_to(one) for p in one.rglob("*") if p.is_file())
    assert "variant-01/sheet.pdf" in map(str, names) and "cover.pdf" in map(str, names)
    for name in names:
        assert (one / name).read_bytes() == (two / name).read_bytes(), name
    assert (one / "variant-01" / "key.pdf").read_bytes().startswith(b"%PDF")


def test_cover_table_with_a_roster(tmp_path, capsys):
    roster = tmp_path / "class.csv"
    roster.write_text("student,email\nAda Lovelace,ada@x\nAlan Turing,alan@x\nGrace Hopper,g@x\n")
    out = tmp_path / "sheets"
    status, _, err = run(
        ["exercise", "mazur", "--variants", 3, "--seed", 9, "--ask", "net_h1,w5+",
         "--roster", roster, "-o", out],
        capsys,
    )  # fmt: skip
    assert status == 0 and "draws rejected and redrawn" in err
    rows = list(csv.DictReader(io.StringIO((out / "cover.csv").read_text())))
    assert [r["student"] for r in rows] == ["Ada Lovelace", "Alan Turing", "Grace Hopper"]
    assert {r["seed"] for r in rows} == {"9"} and list(rows[0])[3:] == ["net_h1", "w5+"]
    assert (out / "cover.pdf").read_bytes().startswith(b"%PDF")
    status, _, err = run(
        ["exercise", "mazur", "--variants", 4, "--seed", 9, "--roster", roster, "-o", out], capsys
    )
    assert status == 2 and "3 students" in err


# -- the rejection rules -----------------------------------------------------------------------
def _step(**changes):
    data = preset_data("mazur")
    data.update(changes)
    return build_walkthrough(spec_from_mapping(data)).step


def _asked(step, names, digits=4):
    known = quantities(step)
    return tuple(known[n] for n in resolve(names, known))


def test_rule_saturated():
    assert not saturated(_step())
    big = [[[3.0, 3.0], [3.0, 3.0]], [[0.4, 0.45], [0.5, 0.55]]]
    assert saturated(_step(inputs=[1.0, 1.0], weights=big))  # net_h1 = 6.35: σ' ≈ 0.0017


def test_rule_vanishing():
    step = _step()  # ∂E/∂w1 = 0.000438…
    assert not vanishing(step, _asked(step, ["dE/dw1"]), 4)
    assert vanishing(step, _asked(step, ["dE/dw1"]), 3)  # below 10⁻³
    # w1+ = 0.149781: at 2 digits it reads 0.15, as w1 does
    assert not vanishing(step, _asked(step, ["w1+"]), 4)
    assert vanishing(step, _asked(step, ["w1+"]), 2)


def test_rule_tie():
    step = _step()
    assert not tie(_asked(step, ["dE/dw1", "dE/dw2"]), 4)  # i2 = 2·i1: twice the other
    same_inputs = _step(inputs=[0.1, 0.1])
    assert tie(_asked(same_inputs, ["dE/dw1", "dE/dw2"]), 4)


def test_rule_dead_relu():
    relu = ["relu", "sigmoid"]
    assert not dead_relu(_step(activation=relu))
    negative = [[[-0.5, -0.5], [0.25, 0.3]], [[0.4, 0.45], [0.5, 0.55]]]
    assert dead_relu(_step(activation=relu, inputs=[0.5, 0.5], weights=negative))


def test_dead_relu_is_redrawn_unless_allowed():
    data = preset_data("mazur")
    data["activation"] = ["relu", "sigmoid"]
    data["exercise"] = {"ask": ["net_h1", "dE/dw5"]}
    draw = draw_variants(spec_from_mapping(data), 8, random.Random(3))
    assert draw.rejected["dead_relu"] > 0
    for variant in draw.variants:
        assert not dead_relu(build_walkthrough(variant.spec).step)
    data["exercise"]["allow_dead_relu"] = True
    allowed = draw_variants(spec_from_mapping(data), 8, random.Random(3))
    assert allowed.rejected["dead_relu"] == 0


def test_saturated_and_vanishing_draws_are_counted():
    data = preset_data("mazur")
    data["exercise"] = {"ask": ["dE/dw1", "w1+"], "weights": [-6, 6], "inputs": [0.25, 1]}
    draw = draw_variants(spec_from_mapping(data), 5, random.Random(1))
    assert draw.rejected["saturated"] > 0
    assert set(draw.rejected) == set(REJECTION_RULES)
    for variant in draw.variants:
        assert not saturated(build_walkthrough(variant.spec).step)


def test_repeated_and_invalid_draws_are_counted():
    data = preset_data("mazur")
    data["exercise"] = {"ask": ["net_o1"], "vary": ["targets"], "targets": [0.1, 0.25]}
    draw = draw_variants(spec_from_mapping(data), 10, random.Random(1))
    assert draw.rejected["repeated"] > 0  # 16 target pairs, 10 drawn
    data = preset_data("mazur")
    data["loss"] = "binary_cross_entropy"
    data["exercise"] = {"ask": ["E_total"], "vary": ["targets"], "targets": [-0.5, 0.9]}
    draw = draw_variants(spec_from_mapping(data), 3, random.Random(1))
    assert draw.rejected["invalid"] > 0  # a negative target is no probability


def test_an_impossible_exercise_is_one_clear_error():
    data = preset_data("mazur")
    data["exercise"] = {"ask": ["net_o1"], "vary": ["targets"], "targets": [0.1, 0.25]}
    with pytest.raises(UsageError) as error:
        draw_variants(spec_from_mapping(data), 17, random.Random(1))  # only 16 exist
    assert "repeated" in str(error.value) and "widen the ranges" in str(error.value)


# -- the course's language ----------------------------------------------------------------------
def _half_unit(value, digits: int) -> float:
    """Half a unit of the last of `digits` significant digits of `value` (the reference)."""
    exponent = int(mpmath.floor(mpmath.log10(abs(mpmath.mpf(value)))))
    return 0.5 * 10.0 ** (exponent - digits + 1) * 1.000001


def _boxed_numbers(key: str, comma: bool) -> list[float]:
    """The numbers of the key's box of answers (before the walkthrough's first section)."""
    box = key[: key.index("\n## ")]
    found = re.findall(r"\\boxed\{(-?[\d.{},]+)\}", box)
    if comma:
        assert all("." not in n for n in found), found
        return [float(n.replace("{,}", ".")) for n in found]
    assert all("," not in n for n in found), found
    return [float(n) for n in found]


@pytest.mark.parametrize(
    ("lang", "comma", "words"),
    [
        ("de", True, ("Übung, Variante 2", "Das Netz", "Fragen", "signifikante Stellen",
                      "Lösung zu Variante 2")),
        ("fr", True, ("exercice, variante 2", "Le réseau", "Questions",
                      "chiffres significatifs", "Corrigé de la variante 2")),
        ("es", True, ("ejercicio, variante 2", "La red", "Preguntas", "cifras significativas",
                      "Solución de la variante 2")),
        ("en", False, ("exercise, variant 2", "The network", "Questions", "significant digits",
                       "Key to variant 2")),
    ],
)  # fmt: skip
def test_sheet_and_key_in_the_course_language(lang, comma, words):
    """Every sentence of the sheet from the catalog, every number with the language's mark;
    the key's answers agree with the mpmath reference at the digits asked."""
    from derive.sheets import SHEET_WORDS

    exercise = make_exercise("mazur", 2, 17, ask=ASK, lang=lang)
    sheet = exercise.files["variant-02/sheet.md"]
    key = exercise.files["variant-02/key.md"]
    for word in words:
        assert word in sheet + key, (lang, word)
    if lang != "en":
        from derive.messages import Language

        english = [
            m.split("{")[0]
            for m in SHEET_WORDS.values()
            if len(m.split("{")[0]) > 8 and Language.of(lang).text(m) != m  # "Questions" (fr)
        ]
        assert not [e for e in english if e in sheet], lang
    data = tomllib.loads(exercise.files["variant-02/spec.toml"], parse_float=Decimal)
    ref = reference_step(data)
    # the given values on the sheet, with the language's decimal mark
    mark = "{,}" if comma else "."
    assert f"i_{{1}} = {str(data['inputs'][0]).replace('.', mark)}" in sheet
    expected = [
        ref["forward"]["h1"]["net"], ref["gradients"]["w5"], ref["gradients"]["w1"],
        ref["updated"]["w1"],
    ]  # fmt: skip
    shown = _boxed_numbers(key, comma)
    assert len(shown) == 4
    for value, truth in zip(shown, expected, strict=True):
        assert abs(value - float(truth)) <= _half_unit(truth, 4), (lang, value, truth)
    # the machine-readable files keep the decimal point in every language
    rows = list(csv.DictReader(io.StringIO(exercise.files["answers.csv"])))
    assert all(Decimal(row["answer"]) for row in rows) and len(rows) == 8


def test_decimal_comma_is_forced_either_way():
    english = make_exercise("mazur", 1, 3, ask=ASK, decimal_comma=True).files["variant-01/sheet.md"]
    assert "{,}" in english and "Questions" in english
    german = make_exercise("mazur", 1, 3, ask=ASK, lang="de", decimal_comma=False)
    assert "{,}" not in german.files["variant-01/sheet.md"]
    assert "Fragen" in german.files["variant-01/sheet.md"]


def test_german_cover_and_byline_in_the_pdfs(tmp_path, capsys):
    """The cover's answers, read back from the PDF with pdftotext, with decimal commas and
    equal to the reference rounded to the digits asked; the byline heads each sheet."""
    import shutil
    import subprocess

    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler) is not installed")
    out = tmp_path / "blatt"
    status, _, _ = run(
        ["exercise", "mazur", "--variants", 2, "--seed", 8, "--ask", "dE/dw5,w1+", "--format",
         "pdf", "--lang", "de", "--author", "Prof. A. Müller", "--course", "ML I",
         "--date", "28.11.2026", "-o", out],
        capsys,
    )  # fmt: skip
    assert status == 0

    def text(path):
        return subprocess.run(["pdftotext", "-layout", path, "-"], capture_output=True,
                              text=True, check=True).stdout  # fmt: skip

    sheet = text(out / "variant-01" / "sheet.pdf")
    assert "ML I · Prof. A. Müller · 28.11.2026" in sheet and "Fragen" in sheet
    cover = text(out / "cover.pdf")
    assert "Varianten und ihre Antworten" in cover and "Startwert 8" in cover
    for variant in (1, 2):
        data = tomllib.loads((out / f"variant-0{variant}" / "spec.toml").read_text(),
                            parse_float=Decimal)  # fmt: skip
        ref = reference_step(data)
        for truth in (ref["gradients"]["w5"], ref["updated"]["w1"]):
            written = mpmath.nstr(truth, 4, strip_zeros=True).replace(".", ",")
            assert written.replace("-", "\u2212") in cover, (variant, written)


# -- writing the folder: all or none, no stale variants, inputs kept ----------------------------
def test_a_rerun_with_fewer_variants_leaves_no_stale_folder(tmp_path, capsys):
    out = tmp_path / "sheets"
    assert run(["exercise", "mazur", "--variants", 3, "--seed", 1, "--ask", "w5+", "-o", out],
               capsys)[0] == 0  # fmt: skip
    assert (out / "variant-03").is_dir()
    assert run(["exercise", "mazur", "--variants", 2, "--seed", 1, "--ask", "w5+", "-o", out],
               capsys)[0] == 0  # fmt: skip
    assert sorted(p.name for p in out.iterdir()) == [
        "answers.csv", "cover.csv", "cover.pdf", "variant-01", "variant-02"
    ]  # fmt: skip
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no staging left


def test_a_folder_not_written_by_derive_is_refused(tmp_path, capsys):
    out = tmp_path / "course"
    out.mkdir()
    (out / "notes.txt").write_text("my notes")
    status, _, err = run(
        ["exercise", "mazur", "--variants", 2, "--seed", 1, "--ask", "w5+", "-o", out], capsys
    )
    assert status == 2 and err.count("\n") == 1 and "notes.txt" in err
    assert [p.name for p in out.iterdir()] == ["notes.txt"]
    file = tmp_path / "file"
    file.write_text("x")
    status, _, err = run(
        ["exercise", "mazur", "--variants", 2, "--seed", 1, "--ask", "w5+", "-o", file], capsys
    )
    assert status == 2 and "not a folder" in err and file.read_text() == "x"


def test_inputs_inside_the_output_folder_are_refused(tmp_path, capsys):
    out = tmp_path / "sheets"
    assert run(["exercise", "mazur", "--variants", 2, "--seed", 1, "--ask", "w5+", "-o", out],
               capsys)[0] == 0  # fmt: skip
    spec = out / "variant-01" / "spec.toml"
    before = spec.read_text()
    status, _, err = run(
        ["exercise", spec, "--variants", 2, "--seed", 2, "--ask", "w5+", "-o", out], capsys
    )
    assert status == 2 and "spec" in err and err.count("\n") == 1
    assert spec.read_text() == before
    roster = out / "cover.csv"  # a roster inside the folder would be replaced with it
    status, _, err = run(
        ["exercise", "mazur", "--variants", 2, "--seed", 2, "--ask", "w5+", "--roster", roster,
         "-o", out],
        capsys,
    )  # fmt: skip
    assert status == 2 and "roster" in err


def test_a_failed_write_leaves_the_old_folder_whole(tmp_path, monkeypatch):
    import os

    from derive import folders

    out = tmp_path / "sheets"
    write_exercise(make_exercise("mazur", 3, 1, ask=["w5+"]), out)
    before = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    calls = []

    def failing_rename(source, target):
        calls.append(target)
        if len(calls) == 2:  # the new folder's move into place fails
            raise OSError(28, "No space left on device")
        return os.rename(source, target)

    monkeypatch.setattr(folders.os, "rename", failing_rename)
    with pytest.raises(UsageError, match="No space left"):
        write_exercise(make_exercise("mazur", 2, 9, ask=["w5+"]), out)
    after = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert after == before
    assert [p.name for p in tmp_path.iterdir()] == ["sheets"]
    # and a new folder is not made at all when a file cannot be written
    monkeypatch.undo()
    new = tmp_path / "new"

    def failing_write(self, data):
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(folders.Path, "write_bytes", failing_write)
    with pytest.raises(UsageError, match="Input/output"):
        write_exercise(make_exercise("mazur", 2, 9, ask=["w5+"]), new)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sheets"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"student\nAda\n\xff\xfeBen\n", "not UTF-8"),
        (b"student,email\nAda,a@x\n,b@x\n", "line 3: no student name"),
        (b"student\n", "names no student"),
        (b"", "empty"),
        (b"name;email\nAda;a@x\nBen;b@x\nCy;c@x\n", "3 students but --variants is 2"),
    ],
)
def test_a_bad_roster_is_one_line_and_writes_nothing(tmp_path, capsys, content, message):
    roster = tmp_path / "class.csv"
    roster.write_bytes(content)
    out = tmp_path / "sheets"
    status, _, err = run(
        ["exercise", "mazur", "--variants", 2, "--seed", 1, "--ask", "w5+", "--roster", roster,
         "-o", out],
        capsys,
    )  # fmt: skip
    assert status == 2 and err.count("\n") == 1 and message in err, err
    assert not out.exists() and roster.read_bytes() == content
