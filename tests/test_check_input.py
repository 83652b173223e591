"""What ``derive check`` reads: any line ends, NUL bytes, BOMs, UTF-16; special files and
standard input; the size limit; ``--annotate`` run again on its own output.

The documents are derive's own walkthroughs and the hand-written scenario documents of
``tests/check_documents/``, re-encoded. These are consistency tests: a document saved with
other line ends or another encoding must give the report of the document as written (whose
correctness ``test_check_documents.py`` and ``test_check_own_output.py`` establish).
"""

from __future__ import annotations

import codecs
import os
import subprocess
import sys

import pytest
from conftest import ROOT
from test_check_documents import load, scenarios

import derive
from derive.check import CheckReport, check_document, check_text, read_document
from derive.check.truth import truth_of
from derive.errors import UsageError

OWN = ROOT / "output" / "mazur.md"
FOLDERS = scenarios()


def signature(report: CheckReport) -> tuple:
    """What a report says: each claim's line, verdict and quantity, and the summary."""
    claims = tuple((r.line, r.verdict, r.quantity, r.stated_text) for r in report.results)
    return claims, tuple(report.summary.items())


def crlf(data: bytes) -> bytes:
    return data.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")


def lone_cr(data: bytes) -> bytes:
    return data.replace(b"\r\n", b"\n").replace(b"\n", b"\r")


def mixed(data: bytes) -> bytes:
    """Every third line CRLF, every third a lone CR (as files edited on two systems are);
    a lone CR before an empty line would make CRLF with the next break, so none there."""
    lines = data.replace(b"\r\n", b"\n").split(b"\n")
    ends = [(b"\n", b"\r\n", b"\r")[i % 3] for i in range(len(lines) - 1)]
    ends = [b"\r\n" if end == b"\r" and not lines[i + 1] else end for i, end in enumerate(ends)]
    return b"".join(line + end for line, end in zip(lines, ends, strict=False)) + lines[-1]


def nul_bytes(data: bytes) -> bytes:
    """A NUL byte after every 41st byte (between the characters of names and numbers)."""
    text = data.decode("utf-8")
    return "".join(c + "\x00" if i % 41 == 40 else c for i, c in enumerate(text)).encode("utf-8")


def utf8_bom(data: bytes) -> bytes:
    return codecs.BOM_UTF8 + data


def utf16(endian: str):
    def encode(data: bytes) -> bytes:
        bom = codecs.BOM_UTF16_LE if endian == "le" else codecs.BOM_UTF16_BE
        return bom + data.decode("utf-8").encode(f"utf-16-{endian}")

    encode.__name__ = f"utf16_{endian}"
    return encode


def utf32_le(data: bytes) -> bytes:
    return codecs.BOM_UTF32_LE + data.decode("utf-8").encode("utf-32-le")


SAVED_AS = [crlf, lone_cr, mixed, nul_bytes, utf8_bom, utf16("le"), utf16("be"), utf32_le]


def _spec(folder):
    return load(folder).spec


@pytest.mark.parametrize("save", SAVED_AS, ids=lambda f: f.__name__)
def test_derive_own_output_checks_clean_however_saved(save, tmp_path):
    """The reported CRLF case: output/mazur.md with CRLF had 7 false 'wrong value'."""
    copy = tmp_path / "mazur.md"
    copy.write_bytes(save(OWN.read_bytes()))
    report = check_document(copy, "mazur")
    assert report.wrong == (), report.to_text()
    assert signature(report) == signature(check_document(OWN, "mazur"))


@pytest.mark.parametrize("save", SAVED_AS, ids=lambda f: f.__name__)
@pytest.mark.parametrize("folder", FOLDERS, ids=lambda p: p.name)
def test_scenario_documents_read_the_same_however_saved(folder, save, tmp_path):
    scenario = load(folder)
    copy = tmp_path / scenario.document.name
    copy.write_bytes(save(scenario.document.read_bytes()))
    expected = signature(check_document(scenario.document, scenario.spec))
    assert signature(check_document(copy, scenario.spec)) == expected


@pytest.mark.parametrize("fmt", ["md", "tex", "html"])
def test_every_text_format_of_a_walkthrough_checks_clean_with_crlf(fmt):
    text = derive.explain("russo").render(fmt)
    report = check_text(text.replace("\n", "\r\n"), "russo")
    assert report.wrong == () and report.summary == check_text(text, "russo").summary


def test_utf16_without_a_bom_is_refused(tmp_path):
    """Read as UTF-8 it held no claim, and passed as '0 claims, exit 0'."""
    for endian in ("le", "be"):
        copy = tmp_path / f"notes-{endian}.md"
        copy.write_bytes(OWN.read_text("utf-8").encode(f"utf-16-{endian}"))
        with pytest.raises(UsageError, match="UTF-16 text without a byte-order mark"):
            read_document(copy)


def test_binary_with_a_few_zero_bytes_is_not_taken_for_utf16(tmp_path):
    junk = tmp_path / "junk.bin"
    junk.write_bytes(bytes(range(256)) * 64)
    read_document(junk)


# -- --annotate, again and again ---------------------------------------------------------------
PLANTED = [f for f in FOLDERS if f.name.endswith("planted")]


@pytest.mark.parametrize("save", [lambda d: d, crlf, lone_cr], ids=["lf", "crlf", "cr"])
@pytest.mark.parametrize("folder", PLANTED, ids=lambda p: p.name)
def test_annotating_an_annotated_copy_changes_nothing(folder, save, tmp_path):
    scenario = load(folder)
    original = tmp_path / scenario.document.name
    original.write_bytes(save(scenario.document.read_bytes()))
    text = read_document(original)
    truth = truth_of(scenario.spec)
    once = check_text(text, truth).annotate(text)
    again = check_text(once, truth)
    assert again.annotate(once) == once
    assert len(again.wrong) == len(check_text(text, truth).wrong)
    assert once.count("derive check (line") + once.count("**derive check** (line") == len(
        again.wrong
    )
    # the notes keep the file's own line ends
    assert ("\r\n" in once) == ("\r\n" in text) and ("\r" in once) == ("\r" in text)


def test_notes_quote_the_lines_of_the_document_without_notes(tmp_path):
    scenario = load(ROOT / "tests" / "check_documents" / "mazur-markdown-planted")
    text = scenario.document.read_text("utf-8")
    report = check_text(text, "mazur")
    annotated = report.annotate(text)
    lines_quoted = sorted(int(n) for n in _quoted_lines(annotated))
    assert lines_quoted == sorted(f.line for f in report.wrong)
    assert sorted(int(n) for n in _quoted_lines(check_text(annotated, "mazur").annotate(annotated)))


def _quoted_lines(text: str) -> list[str]:
    import re

    return re.findall(r"derive check\*\* \(line (\d+)\)", text)


def test_a_fixed_document_loses_its_old_notes():
    text = "$$w_5^+ = 0.35891648$$\n"
    wrong = text.replace("0.35891648", "0.35891649")
    annotated = check_text(wrong, "mazur").annotate(wrong)
    assert "derive check" in annotated
    fixed = annotated.replace("0.35891649", "0.35891648")
    assert check_text(fixed, "mazur").annotate(fixed) == text


# -- files that are not documents, standard input, the size limit ------------------------------
def derive_check(*args, stdin: bytes | None = None, cwd=None) -> subprocess.CompletedProcess:
    """`derive check` in a process of its own; the timeout guards against a hang."""
    return subprocess.run(
        [sys.executable, "-m", "derive", "check", *map(str, args)],
        input=stdin,
        capture_output=True,
        timeout=60,
        cwd=cwd,
    )


def assert_refused(result: subprocess.CompletedProcess, *phrases: str) -> None:
    err = result.stderr.decode()
    assert result.returncode == 2 and result.stdout == b"", err
    assert err.count("\n") == 1 and "Traceback" not in err
    for phrase in phrases:
        assert phrase in err, err


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes need POSIX")
def test_a_named_pipe_is_refused_without_waiting_for_a_writer(tmp_path):
    pipe = tmp_path / "notes.md"
    os.mkfifo(pipe)
    assert_refused(derive_check(pipe, "--spec", "mazur"), "notes.md: is a named pipe")


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="no /dev/zero here")
def test_a_device_is_refused_not_read_until_memory_runs_out():
    assert_refused(derive_check("/dev/zero", "--spec", "mazur"), "is a character device")


def test_standard_input_is_read_with_a_dash():
    planted = load(ROOT / "tests" / "check_documents" / "mazur-markdown-planted")
    result = derive_check("-", "--spec", "mazur", stdin=crlf(planted.document.read_bytes()))
    expected = (
        check_document(planted.document, "mazur").to_text().replace(str(planted.document), "-")
    )
    assert result.returncode == 1 and result.stdout.decode() == expected


def test_a_document_above_the_limit_is_refused_before_any_work(tmp_path):
    big = tmp_path / "big.md"
    big.write_bytes(OWN.read_bytes())
    size = big.stat().st_size
    result = derive_check(big, "--spec", "mazur", "--max-bytes", size - 1)
    assert_refused(result, f"{size:,} bytes", f"limit of {size - 1:,} bytes", "--max-bytes")
    assert derive_check(big, "--spec", "mazur", "--max-bytes", size).returncode == 0


def test_standard_input_above_the_limit_is_refused():
    result = derive_check("-", "--spec", "mazur", "--max-bytes", 100, stdin=b"w5 = 0.4\n" * 50)
    assert_refused(result, "-: the document is more than 100 bytes", "--max-bytes")


def test_the_default_limit_is_ten_mebibytes(tmp_path):
    big = tmp_path / "big.txt"
    with open(big, "wb") as stream:
        stream.truncate(derive.check.MAX_BYTES + 1)  # sparse: no disk is used
    with pytest.raises(UsageError, match="limit of 10,485,760 bytes"):
        read_document(big)


@pytest.mark.parametrize("value", ["0", "-5", "ten", "1e6"])
def test_max_bytes_must_be_a_positive_whole_number(value, tmp_path):
    result = derive_check(OWN, "--spec", "mazur", "--max-bytes", value)
    assert result.returncode == 2 and "--max-bytes: expected a positive number of bytes" in (
        result.stderr.decode()
    )
