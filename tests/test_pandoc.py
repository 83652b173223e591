"""Markdown that survives Pandoc: the drawings as SVG images beside the Markdown, the math
read by Pandoc's default Markdown reader as math, through Pandoc itself."""

from __future__ import annotations

import json
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


def test_the_drawings_are_written_beside_the_markdown(written):
    folder = written.parent
    names = sorted(p.name for p in folder.iterdir())
    assert names == ["notes.backward.svg", "notes.forward.svg", "notes.md", "notes.network.svg"]
    text = written.read_text("utf-8")
    assert "```mermaid" not in text
    for stage in ("network", "forward", "backward"):
        assert f"](notes.{stage}.svg)" in text
        svg = (folder / f"notes.{stage}.svg").read_text("utf-8")
        assert svg.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns=')


def test_pandoc_reads_every_formula_as_math_and_every_drawing_as_an_image(written):
    """Pandoc's default Markdown reader: every $…$ and $$…$$ becomes math (no dollar sign
    is left in the text), and the three images are there, pointing at files that exist."""
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
    assert targets == ["notes.network.svg", "notes.forward.svg", "notes.backward.svg"]
    assert all((written.parent / t).is_file() for t in targets)


def test_pandoc_converts_every_formula_to_mathml_and_keeps_the_images(written):
    """Through to HTML with MathML: no formula Pandoc cannot convert, every image kept."""
    run = pandoc(written.name, "-t", "html", "--mathml", cwd=written.parent)
    assert "Could not convert" not in run.stderr
    assert run.stdout.count("<math") >= 20
    for stage in ("network", "forward", "backward"):
        assert f'<img src="notes.{stage}.svg"' in run.stdout


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


def test_no_markdown_without_its_images(tmp_path, capsys):
    """When an image cannot be written, nothing is: no Markdown pointing at missing files."""
    target = tmp_path / "m.md"
    (tmp_path / "m.forward.svg").mkdir()  # a folder where an image must go
    assert main(["explain", "mazur", "-o", str(target)]) == 2
    assert "m.forward.svg" in capsys.readouterr().err
    assert not target.exists()
