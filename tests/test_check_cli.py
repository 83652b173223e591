"""``derive check`` end to end: reports, exit status 0/1/2, one line for every bad input."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT

from derive.cli import main

PLANTED = ROOT / "tests" / "check_documents" / "mazur-markdown-planted" / "notes.md"
CLEAN = ROOT / "tests" / "check_documents" / "mazur-markdown-clean" / "notes.md"


def run(args, capsys):
    try:
        status = main([str(a) for a in args])
    except SystemExit as stop:  # argparse's own errors
        status = stop.code
    out, err = capsys.readouterr()
    return status, out, err


def test_a_clean_document_exits_0(capsys):
    status, out, err = run(["check", CLEAN, "--spec", "mazur"], capsys)
    assert status == 0 and err == ""
    assert out == "63 claims read, 63 recognized: 63 ok, 0 wrong\n"


def test_a_document_with_errors_exits_1_and_names_each_line(capsys):
    status, out, err = run(["check", PLANTED, "--spec", "mazur"], capsys)
    assert status == 1 and err == ""
    assert f"{PLANTED}:19: wrong value: net_{{h1}} is 0.3775, not 0.3825" in out
    assert out.count(f"{PLANTED}:") == 17


def test_json(capsys):
    status, out, _ = run(["check", PLANTED, "--spec", "mazur", "--format", "json"], capsys)
    data = json.loads(out)
    assert status == 1 and data["summary"]["wrong"] == 17
    assert data["findings"][0]["line"] == 19


def test_digits(capsys):
    status, _, _ = run(["check", CLEAN, "--spec", "mazur", "--digits", "auto"], capsys)
    assert status == 0
    status, out, _ = run(["check", PLANTED, "--spec", "mazur", "--digits", "3"], capsys)
    assert status == 1 and ":87:" not in out  # swapped last digits do not matter at 3 digits


def test_annotate_writes_a_marked_copy(tmp_path, capsys):
    target = tmp_path / "checked.md"
    status, _, _ = run(["check", PLANTED, "--spec", "mazur", "--annotate", target], capsys)
    text = target.read_text("utf-8")
    assert status == 1 and text.count("> **derive check** (line ") == 17
    assert os.listdir(tmp_path) == ["checked.md"]


def test_a_spec_file(tmp_path, capsys):
    spec = ROOT / "tests" / "check_documents" / "softmax-samples-clean" / "network.toml"
    document = spec.parent / "exercise.md"
    status, out, _ = run(["check", document, "--spec", spec], capsys)
    assert status == 0, out


def test_binary_junk_is_read_without_complaint(tmp_path, capsys):
    junk = tmp_path / "junk.bin"
    junk.write_bytes(bytes(range(256)) * 64 + b"\xff\xfe=\x00=0.5")
    status, out, err = run(["check", junk, "--spec", "mazur"], capsys)
    assert status == 0 and err == "" and "wrong" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["check", "missing.md", "--spec", "mazur"], "missing.md: no such file"),
        (["check", "{tmp}", "--spec", "mazur"], "is a directory, not a document"),
        (["check", "{clean}", "--spec", "mazr"], "no such file or preset; did you mean 'mazur'?"),
        (["check", "{clean}", "--spec", "{bad_toml}"], "not valid TOML"),
        (["check", "{clean}", "--spec", "mazur", "--digits", "x"], "expected 'auto' or an integer"),
        (["check", "{clean}", "--spec", "mazur", "--digits", "0"], "--digits: expected"),
        (["check", "{clean}", "--spec", "mazur", "--digits", "31"], "--digits: expected"),
        (["check", "{clean}", "--spec", "mazur", "--format", "xml"], "invalid choice"),
        (["check", "{clean}"], "the following arguments are required: --spec"),
        (
            ["check", "{clean}", "--spec", "mazur", "--annotate", "{tmp}/no/such/x.md"],
            "does not exist",
        ),
    ],
)
def test_bad_input_is_one_line_and_exit_status_2(args, message, tmp_path, capsys):
    bad_toml = tmp_path / "bad.toml"
    bad_toml.write_text("layers = [2, 2", "utf-8")
    values = {"tmp": tmp_path, "clean": CLEAN, "bad_toml": bad_toml}
    status, out, err = run([a.format(**values) for a in args], capsys)
    assert status == 2 and out == ""
    assert err.count("\n") == 1 and "error:" in err and message in err, err
    assert "Traceback" not in err
    assert sorted(os.listdir(tmp_path)) == ["bad.toml"]  # nothing half-written


def test_help_shows_examples_and_exit_status(capsys):
    with pytest.raises(SystemExit):
        main(["check", "--help"])
    out = capsys.readouterr().out
    assert "examples:" in out and "derive check notes.md --spec mazur" in out
    assert "exit status: 0 nothing is wrong, 1 something is, 2 bad input" in out


def test_python_dash_m(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "derive", "check", str(PLANTED), "--spec", "mazur", "-f", "json"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert result.returncode == 1 and json.loads(result.stdout)["summary"]["wrong"] == 17


def test_standard_output_closed_early(tmp_path):
    """``derive check … | head -1`` must not end in a traceback."""
    command = f"{sys.executable} -m derive check {PLANTED} --spec mazur | head -1"
    result = subprocess.run(command, shell=True, capture_output=True, text=True, cwd=tmp_path)
    assert result.stdout.startswith(str(PLANTED)) and "Traceback" not in result.stderr


def test_document_path_in_messages_is_as_given(tmp_path, capsys):
    copy = tmp_path / "my notes.md"
    copy.write_text(Path(PLANTED).read_text("utf-8"), "utf-8")
    status, out, _ = run(["check", copy, "--spec", "mazur"], capsys)
    assert status == 1 and out.startswith(f"{copy}:19:")
