"""The streamed check (what the command line writes as each claim is decided) says what
the collected report says, on every scenario document.

The command line never holds a document's claims: it writes the text report one wrong
claim at a time and the JSON report's ``claims`` as they are decided. Here its output is
compared with the collected `CheckReport`: the JSON with ``json.dumps`` of the report's
own dictionary, the text with the report's findings composed here, line by line.
"""

from __future__ import annotations

import json

import pytest
from test_check_documents import load, scenarios

from derive.check import check_document, read_document
from derive.check.report import _Ranges
from derive.cli import main


def cli(capsys, *args: str) -> tuple[int, str]:
    status = main(["check", *args])
    captured = capsys.readouterr()
    assert captured.err == ""
    return status, captured.out


def composed_text(report) -> str:
    """The text report, from the collected report's parts (not through the writer)."""
    lines = [report.reading()] if report.notation else []
    lines += list(report.notes)
    for finding in report.wrong:
        shown = finding.text if len(finding.text) <= 160 else finding.text[:159] + "…"
        lines += [f"{report.source}:{finding.line}: {finding.headline()}", f"    {shown}"]
        lines += [f"    {finding.diagnosis}"] if finding.diagnosis else []
    unrecognized = sorted({f.line for f in report.findings if f.verdict == "unrecognized"})
    if unrecognized:
        runs, start = [], unrecognized[0]
        for before, line in zip(unrecognized, [*unrecognized[1:], None], strict=True):
            if line != before + 1:
                runs.append(str(start) if start == before else f"{start}-{before}")
                start = line
        word = "line " if len(unrecognized) == 1 else "lines "
        lines.append("not recognized: " + word + ", ".join(runs))
    s = report.summary
    lines.append(f"{s['claims']} claim{'s' if s['claims'] != 1 else ''} read, "
                 f"{s['recognized']} recognized: {s['ok']} ok, {s['wrong']} wrong")  # fmt: skip
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("folder", scenarios(), ids=lambda p: p.name)
@pytest.mark.parametrize("hide", [False, True], ids=["answers", "hidden"])
def test_the_streamed_reports_equal_the_collected_one(folder, hide, capsys, tmp_path):
    scenario = load(folder)
    report = check_document(scenario.document, scenario.spec, hide_answers=hide)
    args = [str(scenario.document), "--spec", scenario.spec, *(["--hide-answers"] * hide)]

    status, text = cli(capsys, *args)
    assert text == composed_text(report) == report.to_text()
    assert status == report.exit_status

    status, out = cli(capsys, *args, "--format", "json")
    assert out == json.dumps(report.to_json(), indent=2, ensure_ascii=False) + "\n"
    assert json.loads(out)["summary"] == report.summary
    assert list(json.loads(out)) == ["notation", "claims", "findings", "summary"]
    assert status == report.exit_status

    copy = tmp_path / f"annotated{scenario.document.suffix}"
    status, out = cli(capsys, *args, "--annotate", str(copy))
    assert out == text
    original = read_document(scenario.document)
    assert copy.read_text("utf-8") == report.annotate(original)


def test_json_of_a_document_without_claims_parses(tmp_path, capsys):
    empty = tmp_path / "empty.md"
    empty.write_text("# Nothing here\n\nNo numbers at all.\n", "utf-8")
    status, out = cli(capsys, str(empty), "--spec", "mazur", "--format", "json")
    assert json.loads(out) == {
        "notation": {},
        "claims": [],
        "findings": [],
        "summary": {"claims": 0, "recognized": 0, "ok": 0, "wrong": 0},
    }
    assert status == 0


def test_unrecognized_lines_are_kept_as_runs_in_any_order():
    ranges = _Ranges()
    for line in (3, 4, 4, 5, 9, 1, 2, 11, 10):
        ranges.add(line)
    assert str(ranges) == "lines 1-5, 9-11"
    single = _Ranges()
    single.add(7)
    assert str(single) == "line 7"
