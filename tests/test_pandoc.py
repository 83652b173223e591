"""Markdown that survives Pandoc: the drawings as SVG images beside the Markdown, the math
read by Pandoc's default Markdown reader as math, through Pandoc itself."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from derive.cli import main

pytestmark = pytest.mark.skipif(not shutil.which("pandoc"), reason="pandoc is not installed")


def pandoc(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(["pandoc", *args], cwd=cwd, capture_output=True, text=True, check=True)


def walk(node, found: dict[str, list]) -> None:
    """Every element of a Pandoc JSON AST, by type."""
    if isinstance(node, dict):
        if "t" in node:
            found.setdefault(node["t"], []).append(node.get("c"))
        for value in node.values():
            walk(value, found)
    elif isinstance(node, list):
        for item in node:
            walk(item, found)


@pytest.fixture(scope="module", params=["mazur", "softmax"])
def written(request, tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp(request.param)
    assert main(["explain", request.param, "-o", str(folder / "notes.md")]) == 0
    return folder / "notes.md"


STAGES = ("network", "forward", "backward")
IMAGE = re.compile(r"!\[[^\]]*\]\(([^)]+)\)")
HEADING = re.compile(r"^#### \$([a-z])_\{(\d+)\}\$:", re.M)


def worked(text: str) -> list[str]:
    """The parameters the Markdown works in full, by their section headings."""
    return [f"{letter}{number}" for letter, number in HEADING.findall(text)]


def test_the_drawings_are_written_beside_the_markdown(written):
    """The three drawings of the network and one path drawing per parameter worked in
    full, each referenced once; no file written that the Markdown does not name."""
    folder = written.parent
    text = written.read_text("utf-8")
    assert "```mermaid" not in text
    # no coloured formula: Pandoc's texmath cannot convert \color or \textcolor
    assert "\\color" not in text and "\\textcolor" not in text
    parameters = worked(text)
    assert len(parameters) >= 5
    expected = [f"notes.{s}.svg" for s in STAGES] + [f"notes.path-{p}.svg" for p in parameters]
    assert sorted(IMAGE.findall(text)) == sorted(expected)
    assert sorted(p.name for p in folder.iterdir()) == sorted([*expected, "notes.md"])
    for name in expected:
        svg = (folder / name).read_text("utf-8")
        assert svg.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns=')


def test_each_path_drawing_sits_under_its_parameters_heading(written):
    """A parameter's section opens with its own path drawing, before its chain rule."""
    text = written.read_text("utf-8")
    sections = HEADING.split(text)[1:]
    for letter, number, body in zip(sections[::3], sections[1::3], sections[2::3], strict=True):
        first = IMAGE.search(body)
        assert first is not None and first.group(1) == f"notes.path-{letter}{number}.svg"
        assert body.index(first.group(0)) < body.index("$$")


def test_pandoc_reads_every_formula_as_math_and_every_drawing_as_an_image(written):
    """Pandoc's default Markdown reader: every $…$ and $$…$$ becomes math (no dollar sign
    is left in the text), and every image is there, pointing at a file that exists."""
    ast = json.loads(pandoc(written.name, "-t", "json", cwd=written.parent).stdout)
    found: dict[str, list] = {}
    walk(ast["blocks"], found)
    text = written.read_text("utf-8")
    maths = found.get("Math", [])
    display = [m for m in maths if m[0]["t"] == "DisplayMath"]
    assert len(display) == text.count("$$") // 2
    assert len(maths) > len(display) > 20
    assert not any("$" in s for s in found.get("Str", []))
    targets = [image[2][0] for image in found["Image"]]
    assert targets[:2] == ["notes.network.svg", "notes.forward.svg"]
    assert targets[-1] == "notes.backward.svg"
    assert targets[2:-1] == [f"notes.path-{p}.svg" for p in worked(text)]
    assert all((written.parent / t).is_file() for t in targets)


def test_pandoc_converts_every_formula_to_mathml_and_keeps_the_images(written):
    """Through to HTML with MathML: no formula Pandoc cannot convert, every image kept
    with its words as alt text."""
    run = pandoc(written.name, "-t", "html", "--mathml", cwd=written.parent)
    assert "Could not convert" not in run.stderr
    assert run.stdout.count("<math") >= 20
    for name in IMAGE.findall(written.read_text("utf-8")):
        assert f'<img src="{name}"' in run.stdout
    assert run.stdout.count('alt="A network drawn in 3 layers') == len(
        IMAGE.findall(written.read_text("utf-8"))
    )


def test_mermaid_on_request_and_on_standard_output(tmp_path, capsys):
    assert main(["explain", "mazur", "--diagram", "mermaid", "-o", str(tmp_path / "m.md")]) == 0
    assert [p.name for p in tmp_path.iterdir()] == ["m.md"]
    assert "```mermaid" in (tmp_path / "m.md").read_text("utf-8")
    assert main(["explain", "mazur"]) == 0
    assert "```mermaid" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--diagram", "svg"], "give -o FILE.md"),
        (["--diagram", "svg", "--format", "tex"], "--diagram applies to --format md, not tex"),
    ],
)
def test_diagram_misuse_is_one_line_and_status_2(args, message, capsys):
    assert main(["explain", "mazur", *args]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1


@pytest.mark.parametrize("blocked", ["m.forward.svg", "m.path-w3.svg"])
def test_no_markdown_without_its_images(blocked, tmp_path, capsys):
    """When an image cannot be written, nothing is: no Markdown pointing at missing files,
    and none of the other images either."""
    target = tmp_path / "m.md"
    (tmp_path / blocked).mkdir()  # a folder where an image must go
    assert main(["explain", "mazur", "-o", str(target)]) == 2
    assert blocked in capsys.readouterr().err
    assert [p.name for p in tmp_path.iterdir()] == [blocked]
