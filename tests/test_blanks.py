"""Guided exercises (derive explain --blanks): the chosen steps and what depends on them are
gaps, no later line gives a blanked number away, and the key shows each value boxed.

True values come from tests/reference.py; what the gaps hide is checked in the rendered text.
"""

from __future__ import annotations

import re

import mpmath
import pytest
from conftest import preset_data
from reference import reference_step

from derive.blanks import Gap, _equations, blank_document, chosen_values, guided
from derive.cli import main
from derive.walkthrough import build_walkthrough

REF = reference_step(preset_data("mazur"))


def nine(value) -> str:
    """A value as the walkthrough shows it: 9 significant digits."""
    return mpmath.nstr(mpmath.mpf(value), 9, strip_zeros=True)


def _document(blanks: str, key: bool = False):
    walkthrough = build_walkthrough("mazur")
    values, propagate = chosen_values(walkthrough, blanks)
    return blank_document(walkthrough.document, values, propagate=propagate, key=key)


def _gapped(document) -> dict[str, Gap]:
    """The gaps of the pass before the update, by the name of the quantity."""
    return {str(e.lhs): e.value for e in _equations(document.samples) if isinstance(e.value, Gap)}


def test_a_parameter_blanks_its_gradient_and_what_follows():
    gaps = _gapped(_document("w5"))
    assert "Derivative(E_total, w5)" in gaps and "w5+" in gaps
    # what does not depend on ∂E/∂w5 stays: the forward pass, the other gradients
    assert "net_h1" not in gaps and "Derivative(E_total, w6)" not in gaps
    assert "Derivative(E_total, w1)" not in gaps
    # the gaps hold the true values (against the independent reference)
    assert abs(gaps["Derivative(E_total, w5)"].value - REF["gradients"]["w5"]) < 1e-40
    assert abs(gaps["w5+"].value - REF["updated"]["w5"]) < 1e-40


def test_a_forward_value_blanks_everything_downstream():
    gaps = _gapped(_document("net_h2"))
    for name in ("net_h2", "out_h2", "net_o1", "out_o2", "E_total", "Derivative(E_total, w1)"):
        assert name in gaps, name
    assert "net_h1" not in gaps and "out_h1" not in gaps
    # after the update even net_h1 changes with what net_h2 gave every gradient
    after = [e for e in _equations(_document("net_h2").after) if str(e.lhs) == "net_h1"]
    assert isinstance(after[0].value, Gap)


def test_no_line_of_the_exercise_gives_a_blanked_number_away():
    walkthrough = build_walkthrough("mazur")
    exercise, key = guided(walkthrough, "dE/dw5,delta_o1", "md")
    for value in (REF["gradients"]["w5"], REF["updated"]["w5"], REF["deltas"]["o1"]):
        assert nine(value) not in exercise
        assert f"\\boxed{{{nine(value)}}}" in key
    assert "\\underline{\\hspace{4em}}" in exercise and "\\underline" not in key
    # the gaps are numbered in reading order, the same in the exercise and the key
    numbers = [int(n) for n in re.findall(r"\\scriptscriptstyle \((\d+)\)", exercise)]
    assert numbers[0] == 1 and max(numbers) == len(set(numbers))
    assert set(numbers) == {int(n) for n in re.findall(r"\\scriptscriptstyle \((\d+)\)", key)}


def test_every_third_worked_value_alone():
    document = _document("every:3")
    gaps = _gapped(document)
    assert len(gaps) >= 10
    # nothing propagates: right after a gap the next step is still worked out
    assert "out_h1" not in gaps
    given = {nine(v) for v in ("0.05", "0.1", "0.01", "0.99", "0.15", "0.4", "0.5", "0.35")}
    assert not any(nine(g.value) in given for g in gaps.values())


@pytest.mark.parametrize("fmt", ["md", "tex", "beamer", "typst", "html"])
def test_every_format_shows_the_gaps(fmt):
    exercise, key = guided(build_walkthrough("mazur"), "w5,w1", fmt)
    marks = {
        "md": "\\underline",
        "tex": "\\underline",
        "beamer": "\\underline",
        "typst": "stroke: (bottom",
        "html": 'style="border-bottom',
    }
    assert marks[fmt] in exercise and marks[fmt] not in key
    assert nine(REF["gradients"]["w1"]) not in exercise and nine(REF["gradients"]["w1"]) in key


def test_cli_writes_the_exercise_and_its_key(tmp_path, capsys):
    out = tmp_path / "guided.pdf"
    assert main(["explain", "mazur", "--blanks", "w5", "-o", str(out)]) == 0
    assert out.read_bytes().startswith(b"%PDF")
    assert (tmp_path / "guided-key.pdf").read_bytes().startswith(b"%PDF")
    assert "guided-key.pdf" in capsys.readouterr().err
    status = main(["explain", "mazur", "--blanks", "w5,dE/dw9", "-o", str(tmp_path / "x.md")])
    err = capsys.readouterr().err
    assert status == 2 and "--blanks: unknown quantity 'dE/dw9'" in err and err.count("\n") == 1
    assert not (tmp_path / "x.md").exists() and not (tmp_path / "x-key.md").exists()
    assert main(["explain", "mazur", "--blanks", "w5", "--format", "json"]) == 2
    assert main(["explain", "mazur", "--blanks", "every:0"]) == 2
    # the classic walkthrough never writes δ_h1 out: nothing to leave blank
    assert main(["explain", "mazur", "--blanks", "delta_h1"]) == 2
    assert "delta_h1 is not written out" in capsys.readouterr().err


def test_a_gap_compares_by_its_value():
    gap = Gap(1, mpmath.mpf("0.25"), False)
    assert gap > 0 and gap < 1 and gap >= 0.25 and gap <= 0.25
    assert (
        gap.as_text(3) == "____ (1)" and Gap(2, mpmath.mpf("0.25"), True).as_text(3) == "0.25 (2)"
    )


def test_the_key_is_never_an_input_and_both_files_or_neither(tmp_path, capsys):
    """--key equal to the spec or to -o is refused before any work; a key that cannot be
    written leaves no exercise behind (the two files are written all or none)."""
    spec = tmp_path / "net.toml"
    assert main(["init", "-o", str(spec)]) == 0
    before = spec.read_text()
    capsys.readouterr()
    out = tmp_path / "guided.md"
    for key in (spec, tmp_path / "." / "net.toml", out):
        status = main(["explain", str(spec), "--blanks", "w5", "-o", str(out), "--key", str(key)])
        err = capsys.readouterr().err
        assert status == 2 and err.count("\n") == 1, err
        assert spec.read_text() == before and not out.exists()
    status = main(["explain", str(spec), "--blanks", "w5", "-o", str(out), "--key",
                   str(tmp_path / "missing" / "key.md")])  # fmt: skip
    err = capsys.readouterr().err
    assert status == 2 and "does not exist" in err and not out.exists()
    # an existing exercise is kept as it was when its new key cannot be written
    out.write_text("the old exercise")
    status = main(["explain", str(spec), "--blanks", "w5", "-o", str(out), "--key",
                   str(tmp_path / "missing" / "key.md")])  # fmt: skip
    assert status == 2 and out.read_text() == "the old exercise"
    assert main(["explain", "mazur", "--key", str(tmp_path / "k.md")]) == 2
    assert "only with --blanks" in capsys.readouterr().err


def test_a_guided_exercise_in_german_with_decimal_commas(tmp_path):
    """The gaps and the key in the course's language; the key's boxed gradient of w5 is the
    mpmath reference's, written with a decimal comma."""
    out = tmp_path / "geführt.md"
    assert main(["explain", "mazur", "--blanks", "w5", "--lang", "de", "-o", str(out)]) == 0
    key = (tmp_path / "geführt-key.md").read_text()
    gradient = reference_step(preset_data("mazur"))["gradients"]["w5"]
    assert f"\\boxed{{{nine(gradient).replace('.', '{,}')}}}" in key
    assert "\\underline{\\hspace{4em}}" in out.read_text()
