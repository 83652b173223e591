"""The command line end to end: output, files, and one clear line for every bad input."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT
from reference import reference_step

from derive.cli import main
from derive.spec import preset_text

GOOD = preset_text("mazur")


def run(args, capsys):
    status = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return status, out, err


def test_explain_markdown_to_standard_output(capsys):
    status, out, err = run(["explain", "mazur"], capsys)
    assert status == 0 and err == ""
    assert out.startswith("# ") and "0.298371109" in out and "0.291027774" in out


def test_explain_json_matches_the_reference(capsys):
    from conftest import preset_data

    status, out, _ = run(["explain", "russo", "--format", "json"], capsys)
    data, ref = json.loads(out), reference_step(preset_data("russo"))
    assert status == 0
    for name, value in ref["gradients"].items():
        assert abs(data["gradients"][name] - float(value)) <= 1e-15 * abs(float(value))
    assert data["network"]["layers"] == [3, 3, 3]


def test_explain_writes_the_file_named_by_o(tmp_path, capsys):
    target = tmp_path / "walk.json"
    status, out, _ = run(["explain", "mazur", "-o", target], capsys)
    assert status == 0 and out == ""
    assert json.loads(target.read_text())["errors"]["total"] == pytest.approx(0.298371109, abs=1e-9)
    assert os.listdir(tmp_path) == ["walk.json"]


def test_digits_and_detail_options(capsys):
    _, full, _ = run(["explain", "mazur", "--digits", "4"], capsys)
    _, summary, _ = run(["explain", "mazur", "--detail", "summary"], capsys)
    assert "0.2984" in full and "0.298371109" not in full
    assert "w_{5}" in summary and "the weight from $h_{2}$ to $o_{1}$" not in summary
    assert summary.count("#### ") == 2


def test_verify_reports_the_proof(capsys):
    status, _, err = run(["explain", "mazur", "--verify"], capsys)
    assert status == 0 and "proved equal symbolically" in err


def test_presets_and_version(capsys):
    status, out, _ = run(["presets"], capsys)
    assert status == 0 and "mazur" in out and "russo" in out and "3-3-3" in out
    with pytest.raises(SystemExit) as stop:
        main(["--version"])
    assert stop.value.code == 0 and "derive 0." in capsys.readouterr().out


@pytest.mark.parametrize("command", [["--help"], ["explain", "--help"], ["presets", "--help"]])
def test_help_shows_examples(command, capsys):
    with pytest.raises(SystemExit):
        main(command)
    assert "examples:" in capsys.readouterr().out


def _spec(tmp_path: Path, text: str, name: str = "spec.toml") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def _replace(old: str, new: str) -> str:
    assert old in GOOD
    return GOOD.replace(old, new)


BAD_SPECS = {
    "invalid TOML": ("layers = [2, 2,", "not valid TOML"),
    "unknown key": (
        GOOD + "\nlearning_rte = 1\n",
        "learning_rte: unknown key; did you mean 'learning_rate'?",
    ),
    "one layer": (
        _replace("layers = [2, 2, 2]", "layers = [2]"),
        "layers: expected a list of at least 2",
    ),
    "zero width": (
        _replace("layers = [2, 2, 2]", "layers = [2, 0, 2]"),
        "layers[1]: expected a positive integer, got 0",
    ),
    "short weight row": (_replace("[0.25, 0.30]", "[0.25]"), "weights[0][1]: expected 2 numbers"),
    "missing matrix": (
        _replace("  [[0.40, 0.45], [0.50, 0.55]],\n", ""),
        "weights: expected 2 weight matrices",
    ),
    "inputs length": (
        _replace("inputs = [0.05, 0.10]", "inputs = [0.05]"),
        "inputs: expected 2 numbers (the input layer has 2), got 1",
    ),
    "targets length": (
        _replace("targets = [0.01, 0.99]", "targets = [0.01, 0.99, 0.5]"),
        "targets: expected 2 numbers",
    ),
    "bias count": (
        _replace("biases = [0.35, 0.60]", "biases = [0.35]"),
        "biases: expected 2 numbers",
    ),
    "control character": (
        _replace('title = "A', 'title = "A\\u202e'),
        "title: contains the control character U+202E",
    ),
    "too large": (
        _replace("0.45", "1e300"),
        "weights[1][0][1]: expected a number of magnitude at most 1e15",
    ),
    "not finite": (_replace("0.45", "nan"), "weights[1][0][1]: expected a finite number, got nan"),
    "negative rate": (
        _replace("learning_rate = 0.5", "learning_rate = -0.5"),
        "learning_rate: expected a number greater than 0",
    ),
    "unknown activation": (
        _replace('activation = "sigmoid"', 'activation = "sigmod"'),
        "activation: unknown name 'sigmod'; did you mean 'sigmoid'?",
    ),
    "unknown loss": (
        _replace('loss = "half_sse"', 'loss = "half_ssee"'),
        "loss: unknown name 'half_ssee'; did you mean 'half_sse'?",
    ),
    "text for a number": (
        _replace("inputs = [0.05, 0.10]", 'inputs = [0.05, "0.10"]'),
        "inputs[1]: expected a number, got the text '0.10'",
    ),
    "unknown bias mode": (
        _replace('bias = "shared"', 'bias = "per-neuron"'),
        "bias: unknown name 'per-neuron'; did you mean 'per_neuron'?",
    ),
    "digits": (
        _replace("digits = 9", "digits = 0"),
        "digits: expected an integer from 1 to 30, got 0",
    ),
    "missing key": (_replace("learning_rate = 0.5\n", ""), "learning_rate: missing"),
    "bool for a number": (
        _replace("learning_rate = 0.5", "learning_rate = true"),
        "learning_rate: expected a number, got true",
    ),
    "biases with none": (
        _replace('bias = "shared"', 'bias = "none"'),
        'biases: given, but bias = "none"',
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_SPECS))
def test_bad_spec_is_one_line_exit_2_and_no_file(case, tmp_path, capsys):
    text, message = BAD_SPECS[case]
    spec = _spec(tmp_path, text)
    target = tmp_path / "out.md"
    status, out, err = run(["explain", spec, "-o", target], capsys)
    assert status == 2
    assert out == ""
    assert err.count("\n") == 1 and err.startswith("derive: error: ")
    assert str(spec) in err and message in err, err
    assert sorted(os.listdir(tmp_path)) == ["spec.toml"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["explain", "no/such/file.toml"], "no/such/file.toml: no such file"),
        (["explain", "mazurr"], "mazurr: no such file or preset; did you mean 'mazur'?"),
        (
            ["explain", "mazur", "--digits", "0"],
            "--digits: expected an integer from 1 to 30, got 0",
        ),
        (["explain", "mazur", "--format", "docx"], "invalid choice: 'docx'"),
        (
            ["explain", "mazur", "-o", "missing-folder/out.md"],
            "the folder missing-folder does not exist",
        ),
        (["explain", "."], ".: is a directory, not a spec file"),
        (["explain"], "the following arguments are required: SPEC"),
    ],
)
def test_bad_arguments(args, message, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) if "--format" in args or args == ["explain"] else _nothing():
        status, out, err = run(args, capsys)
        assert status == 2 and out == "" and err.count("\n") == 1
    err = err if "err" in locals() else capsys.readouterr().err
    assert message in err, err
    assert os.listdir(tmp_path) == []


class _nothing:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def test_binary_junk_is_refused(tmp_path, capsys):
    spec = tmp_path / "junk.toml"
    spec.write_bytes(bytes(range(256)) * 4)
    status, _, err = run(["explain", spec], capsys)
    assert status == 2 and "junk.toml: cannot read the file" in err


def test_python_m_derive_runs_without_traceback(tmp_path):
    bad = _spec(tmp_path, "layers = [2]\n")
    result = subprocess.run(
        [sys.executable, "-m", "derive", "explain", str(bad)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr and result.stderr.strip().endswith("e.g. [2, 2, 2]")
    good = subprocess.run(
        [sys.executable, "-m", "derive", "explain", "mazur", "--format", "json"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=True,
    )
    from conftest import preset_data

    expected = reference_step(preset_data("mazur"))["errors"]["total"]
    assert json.loads(good.stdout)["errors"]["total"] == float(expected)
