"""Writing output files: what is replaced, what is written in place, what is refused.

Special files are made in the test's own folder (a named pipe with mkfifo, a terminal with
openpty, a character device with mknod when running as root); the system's /dev/null is
never touched.
"""

from __future__ import annotations

import os
import stat
import threading
from pathlib import Path

import pytest

from derive.cli import main
from derive.errors import UsageError
from derive.files import write_atomic, write_files
from derive.spec import preset_text


def run(args, capsys):
    status = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return status, out, err


@pytest.fixture
def umask():
    """Set the umask for one test and put the old one back."""
    old = os.umask(0o022)
    yield os.umask
    os.umask(old)


def test_an_existing_file_is_replaced_and_keeps_its_permissions(tmp_path):
    target = tmp_path / "notes.md"
    target.write_text("old")
    target.chmod(0o600)
    before = target.stat().st_ino
    write_atomic(target, "new")
    assert target.read_text() == "new"
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert target.stat().st_ino != before  # replaced by a rename, not rewritten in place
    assert os.listdir(tmp_path) == ["notes.md"]


@pytest.mark.parametrize(("mask", "mode"), [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_a_new_file_follows_the_umask(tmp_path, umask, mask, mode):
    umask(mask)
    write_atomic(tmp_path / "new.md", "text")
    assert stat.S_IMODE((tmp_path / "new.md").stat().st_mode) == mode


def test_a_symbolic_link_is_followed_and_its_target_replaced(tmp_path):
    real = tmp_path / "real.md"
    real.write_text("old")
    real.chmod(0o640)
    link = tmp_path / "link.md"
    link.symlink_to(real)
    write_atomic(link, "new")
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert real.read_text() == "new" and stat.S_IMODE(real.stat().st_mode) == 0o640


def test_a_dangling_link_creates_its_target(tmp_path):
    link = tmp_path / "link.md"
    link.symlink_to(tmp_path / "later.md")
    write_atomic(link, "text")
    assert link.is_symlink() and (tmp_path / "later.md").read_text() == "text"


def test_a_named_pipe_is_written_not_replaced(tmp_path):
    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)
    received = []
    reader = threading.Thread(target=lambda: received.append(pipe.read_bytes()))
    reader.start()
    write_atomic(pipe, "through the pipe")
    reader.join(timeout=30)
    assert received == [b"through the pipe"]
    assert stat.S_ISFIFO(pipe.stat().st_mode)
    assert os.listdir(tmp_path) == ["pipe"]


def test_a_terminal_is_written_not_replaced(tmp_path):
    controller, terminal = os.openpty()
    try:
        write_atomic(os.ttyname(terminal), "on screen")
        assert os.read(controller, 100).replace(b"\r", b"") == b"on screen"
        assert stat.S_ISCHR(os.stat(os.ttyname(terminal)).st_mode)
    finally:
        os.close(controller)
        os.close(terminal)


def test_a_character_device_stays_a_device(tmp_path):
    if os.geteuid() != 0:
        pytest.skip("making a device node needs root")
    device = tmp_path / "null"
    try:
        os.mknod(device, stat.S_IFCHR | 0o666, os.makedev(1, 3))  # a second /dev/null
    except PermissionError:
        pytest.skip("this container does not allow device nodes")
    write_atomic(device, "into the void")
    assert stat.S_ISCHR(device.stat().st_mode)
    assert device.read_bytes() == b""
    assert os.listdir(tmp_path) == ["null"]


def test_a_long_legal_name_works(tmp_path):
    name = "n" * 252 + ".md"  # 255 characters, the most a file name may have
    write_atomic(tmp_path / name, "text")
    assert (tmp_path / name).read_text() == "text" and os.listdir(tmp_path) == [name]


def test_several_files_are_written_all_or_none(tmp_path):
    first = tmp_path / "first.md"
    first.write_text("old")
    with pytest.raises(UsageError, match=r"the folder .* does not exist"):
        write_files([(first, "new"), (tmp_path / "missing" / "second.md", "new")])
    assert first.read_text() == "old" and os.listdir(tmp_path) == ["first.md"]


def test_an_empty_name_is_refused(tmp_path):
    with pytest.raises(UsageError, match="empty"):
        write_atomic("", "text")


# --- the command line ---------------------------------------------------------------


@pytest.fixture
def spec(tmp_path):
    path = tmp_path / "net.toml"
    path.write_text(preset_text("mazur"))
    return path


@pytest.mark.parametrize("name", ["net.toml", "./net.toml", "link.toml", "sub/../net.toml"])
def test_the_spec_is_never_the_output(spec, tmp_path, capsys, monkeypatch, name):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "link.toml").symlink_to(spec)
    (tmp_path / "sub").mkdir()
    text = spec.read_text()
    status, out, err = run(["explain", "net.toml", "--format", "md", "-o", name], capsys)
    assert status == 2 and out == ""
    assert "is the spec of this command" in err and err.count("\n") == 1
    assert spec.read_text() == text


def test_check_never_annotates_onto_its_inputs(spec, tmp_path, capsys):
    document = tmp_path / "notes.md"
    document.write_text("$w_5^+ = 0.35891648$\n")
    for target, role in ((document, "document"), (spec, "spec")):
        status, _, err = run(["check", document, "--spec", spec, "--annotate", target], capsys)
        assert status == 2 and f"is the {role} of this command" in err
    assert document.read_text() == "$w_5^+ = 0.35891648$\n"
    assert spec.read_text() == preset_text("mazur")


def test_train_never_writes_over_the_spec(spec, tmp_path, capsys):
    for option in ("-o", "--plot"):
        args = ["train", spec, "--steps", "10", option, spec]
        if option == "--plot":
            args[-1] = tmp_path / "net.svg"
            (tmp_path / "net.svg").symlink_to(spec)
        status, _, err = run(args, capsys)
        assert status == 2 and "is the spec of this command" in err
    assert spec.read_text() == preset_text("mazur")


def test_dash_is_standard_output_and_empty_is_an_error(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    status, out, _ = run(["explain", "mazur", "-o", "-", "--format", "json"], capsys)
    assert status == 0 and out.startswith("{")
    status, out, _ = run(["train", "mazur", "--steps", "10", "-o", "-"], capsys)
    assert status == 0 and out.startswith("#")
    status, out, err = run(["explain", "mazur", "-o", ""], capsys)
    assert status == 2 and out == "" and "-o: expected a file name" in err
    assert os.listdir(tmp_path) == []


def test_an_unknown_suffix_is_refused_with_the_known_ones(tmp_path, capsys):
    target = tmp_path / "notes.docx"
    status, out, err = run(["explain", "mazur", "-o", target], capsys)
    assert status == 2 and out == ""
    assert "unknown suffix .docx" in err and ".md" in err and ".pdf" in err and ".html" in err
    status, _, err = run(["train", "mazur", "--steps", "10", "-o", tmp_path / "c.xlsx"], capsys)
    assert status == 2 and "unknown suffix .xlsx" in err and ".csv" in err
    assert os.listdir(tmp_path) == []
    # a format named outright needs no suffix to tell it
    assert run(["explain", "mazur", "--format", "md", "-o", target], capsys)[0] == 0
    assert target.read_text().startswith("#")


def test_a_failed_train_leaves_no_plot(tmp_path, capsys):
    plot = tmp_path / "curve.svg"
    args = ["train", "mazur", "--steps", "10", "--plot", plot]
    status, _, err = run([*args, "-o", tmp_path / "missing" / "report.md"], capsys)
    assert status == 2 and "does not exist" in err
    assert os.listdir(tmp_path) == []
    assert run([*args, "-o", tmp_path / "report.md"], capsys)[0] == 0
    assert sorted(os.listdir(tmp_path)) == ["curve.svg", "report.md"]


def test_a_long_output_name_works_from_the_command_line(tmp_path, capsys):
    target = tmp_path / ("x" * 250 + ".json")
    assert run(["explain", "mazur", "-o", target], capsys)[0] == 0
    assert target.read_text().startswith("{")


def test_explain_writes_into_a_pipe(tmp_path, capsys):
    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)
    received = []
    reader = threading.Thread(target=lambda: received.append(Path(pipe).read_bytes()))
    reader.start()
    assert run(["explain", "mazur", "--format", "json", "-o", pipe], capsys)[0] == 0
    reader.join(timeout=60)
    assert received and received[0].startswith(b"{")
    assert stat.S_ISFIFO(pipe.stat().st_mode)


def test_dev_stdout_into_a_pipe_is_written_directly(tmp_path):
    """/dev/stdout resolves to a pipe with no name of its own: it is opened, not replaced."""
    import subprocess
    import sys

    from conftest import ROOT

    result = subprocess.run(
        [sys.executable, "-m", "derive", "explain", "mazur", "-f", "json", "-o", "/dev/stdout"],
        capture_output=True,
        cwd=ROOT,
        check=False,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(b"{")
