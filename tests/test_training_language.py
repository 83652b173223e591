"""The training run in German, French and Spanish: its numbers, its step counts, its note.

The history table of a German walkthrough is read back (step counts grouped "1.200",
values with a decimal comma) and compared with gradient descent run independently at
60 digits by tests/reference.py; the step counts follow each language's grouping; the
saturated-neuron note and the curve's axes are worded by the catalog; `derive check`
reads a translated walkthrough with a training run as right.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import replace
from functools import cache

import mpmath
import pytest
from reference import reference_step

import derive
from derive.check import check_text
from derive.cli import main
from derive.messages import Language
from derive.trainingprose import TrainingProse

#: the classic 2-2-2 example, written out as its blog post gives it
CLASSIC = {
    "title": "Classic example",
    "layers": [2, 2, 2],
    "activation": "sigmoid",
    "loss": "half_sse",
    "learning_rate": 0.5,
    "samples": [{"inputs": [0.05, 0.1], "targets": [0.01, 0.99]}],
    "weights": [[[0.15, 0.2], [0.25, 0.3]], [[0.4, 0.45], [0.5, 0.55]]],
    "bias": "shared",
    "biases": [0.35, 0.6],
}
#: a sigmoid net whose first hidden neuron gets net = 30·1 + 20·0.5 = 40: saturated
SATURATED = {
    "title": "Saturated",
    "layers": [2, 2, 1],
    "activation": "sigmoid",
    "loss": "half_sse",
    "learning_rate": 0.5,
    "samples": [{"inputs": [1.0, 0.5], "targets": [0.2]}],
    "weights": [[[30.0, 20.0], [-0.3, 0.4]], [[0.6, -0.5]]],
    "bias": "none",
}
STEPS = 1200


def _weights(data: dict, flat: list) -> list:
    """The nested weight lists of `data` refilled, in order, from derive's w1, w2, …"""
    values = iter(flat)
    return [[[next(values) for _ in row] for row in matrix] for matrix in data["weights"]]


@cache
def independent_history(steps: int) -> tuple[list, dict]:
    """E_total after each of `steps` updates of the classic example, and its last
    parameters: the 60-digit reference step applied `steps` times."""
    data, losses = dict(CLASSIC), []
    for _ in range(steps):
        step = reference_step(data)
        losses.append(step["loss"])
        names = sorted((n for n in step["updated"] if n.startswith("w")), key=lambda n: int(n[1:]))
        data["weights"] = _weights(CLASSIC, [step["updated"][n] for n in names])
    last = reference_step(data)
    losses.append(last["loss"])
    return losses, last["parameters"]


def _german(text: str) -> mpmath.mpf:
    """A number as the German article writes it: 1.200 (grouped) or 0,0011 or 3,5e-05."""
    return mpmath.mpf(text.replace(".", "").replace(",", "."))


@pytest.fixture(scope="module")
def german():
    return derive.explain(derive.spec_from_mapping(CLASSIC), lang="de", steps=STEPS).render("md")


def test_the_german_history_matches_an_independent_loop(german):
    losses, _ = independent_history(STEPS)
    section = german[german.index("## 7. Training über 1.200 Schritte") :]
    rows = re.findall(r"^\| ([\d.]+) \| ([\d,e+-]+) \|$", section, re.M)
    assert len(rows) == 21 and rows[-1][0] == "1.200"  # every 60th step, and the last
    for step, value in rows:
        expected = losses[int(_german(step))]
        assert abs(_german(value) - expected) <= 1e-8 * expected, (step, value)


def test_the_german_parameters_and_outcome_match_an_independent_loop(german):
    losses, parameters = independent_history(STEPS)
    table = german[german.index("### Die Parameter nach dem Training") :]
    for name in ("w1", "w5", "w8"):
        row = re.search(rf"^\| \$w_\{{{name[1:]}\}}\$ \| [\d,-]+ \| ([\d,-]+) \|$", table, re.M)
        assert abs(_german(row.group(1)) - parameters[name]) <= 1e-8 * abs(parameters[name])
    ratio = f"{float(losses[0] / losses[-1]):.3g}".replace(".", ",")
    assert "Nach 1.200 Schritten ist der Gesamtfehler $" in german
    assert f"also {ratio}-mal kleiner." in german
    assert "Die Aktualisierung wird 1.200-mal mit derselben Lernrate" in german


@pytest.mark.parametrize(
    ("lang", "comma", "written"),
    [
        ("en", None, "1,200"),
        ("de", None, "1.200"),
        ("fr", None, "1\N{NARROW NO-BREAK SPACE}200"),
        ("es", None, "1.200"),
        # forced against the convention: grouped by a narrow space, never by the decimal mark
        ("en", True, "1\N{NARROW NO-BREAK SPACE}200"),
        ("de", False, "1\N{NARROW NO-BREAK SPACE}200"),
    ],
)
def test_step_counts_are_grouped_as_the_language_writes_them(lang, comma, written):
    assert Language.of(lang, comma).integer(1200) == written
    assert Language.of(lang, comma).integer(999) == "999"


def test_the_french_thousands_survive_latex_and_typst():
    w = derive.explain(derive.spec_from_mapping(CLASSIC), lang="fr", steps=STEPS)
    assert r"\section{Entraînement sur 1\,200 pas}" in w.render("tex")
    assert r"Entraînement sur 1\u{202f}200 pas" in w.render("typst")


@pytest.mark.parametrize(
    ("lang", "note"),
    [
        ("en", "$h_{1}$ is saturated: its output is within $10^{-9}$ of the limit $1$"),
        ("de", "$h_{1}$ ist gesättigt: Seine Ausgabe liegt näher als $10^{-9}$ am Grenzwert $1$"),
        ("fr", "$h_{1}$ est saturé\N{NO-BREAK SPACE}: sa sortie est à moins de $10^{-9}$"),
        ("es", "$h_{1}$ está saturada: su salida está a menos de $10^{-9}$ del límite $1$"),
    ],
)
def test_the_saturated_neuron_is_remarked_in_each_language(lang, note):
    text = derive.explain(derive.spec_from_mapping(SATURATED), lang=lang).render("md")
    # in the forward pass, and again after the update (w1, w2 hardly move); h2 (net −0.1)
    # and o1 are far from the limits, so no other neuron is remarked
    assert text.count(note) == 2
    assert text.count("$h_{2}$ " + note.split("$ ", 1)[1][:8]) == 0


def test_the_note_names_the_neuron_in_the_documents_notation():
    text = derive.explain(derive.spec_from_mapping(SATURATED), notation="layered").render("md")
    note = next(line for line in text.splitlines() if "is saturated" in line)
    assert "h1 is" not in note and "$" in note.split("is saturated")[0]


def test_an_error_that_reaches_zero_is_not_called_zero_times_larger():
    w = derive.explain(derive.spec_from_mapping(CLASSIC), steps=3)
    section = w.document.training
    words = TrainingProse(replace(section, loss_after=0), Language.of("de"))
    said = words.outcome().plain
    assert "mal" not in said and said.startswith("Nach 3 Schritten ist der Gesamtfehler")


@pytest.mark.parametrize("lang", ["de", "fr", "es"])
def test_a_translated_walkthrough_with_training_checks_clean(lang):
    """With the decimal comma the checker reads no comma number (none is wrong); with
    the point it reads the training run ("nach 1.200 Schritten", "après 1 200 pas") as
    trained, not as the values before the update."""
    spec = derive.spec_from_mapping(CLASSIC)
    with_comma = derive.explain(spec, lang=lang, steps=STEPS).render("md")
    assert not check_text(with_comma, spec).wrong
    text = derive.explain(spec, lang=lang, steps=STEPS, decimal_comma=False).render("md")
    report = check_text(text, spec)
    assert not report.wrong, report.to_text()
    assert report.summary["recognized"] >= 0.95 * report.summary["claims"], report.to_text()


def test_derive_train_speaks_the_language(tmp_path, capsys):
    assert main(["train", "mazur", "--steps", "1200", "--lang", "es"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("# ") and ": entrenamiento" in out.splitlines()[0]
    assert "Tras 1.200 pasos, el error total es" in out and "| 1.200 |" in out
    assert "Repeating" not in out and "Generated" not in out


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="pdftotext is not installed")
def test_the_curve_for_latex_has_translated_axes(tmp_path, capsys):
    target = tmp_path / "courbe.pdf"
    assert main(["train", "mazur", "--steps", "1200", "--lang", "fr", "--plot", str(target)]) == 0
    capsys.readouterr()
    text = subprocess.run(
        ["pdftotext", str(target), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "pas (nombre de mises à jour)" in text and "erreur totale" in text
    assert "step (number" not in text and "10\N{MINUS SIGN}" in text
