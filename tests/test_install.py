"""The wheel: built, installed into a fresh virtual environment, run from another folder.

The templates live in the top-level templates/ folder of the repository and must travel
inside the wheel; this catches a wheel that works only from a source checkout.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest
from conftest import ROOT


def _run(*args, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(args, capture_output=True, text=True, check=True, **kwargs)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    _run(sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(ROOT))
    (wheel,) = out.glob("derive-*.whl")
    return wheel


def test_wheel_contains_templates_and_presets(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    templates = {
        f"derive/templates/{p.relative_to(ROOT / 'templates').as_posix()}"
        for p in (ROOT / "templates").rglob("*")
        if p.is_file()
    }
    assert "derive/templates/walkthrough.md.j2" in names
    assert {"derive/templates/slides.tex.j2", "derive/templates/html/style.css"} <= templates
    assert templates <= set(names), sorted(templates - set(names))
    assert "derive/presets/mazur.toml" in names and "derive/presets/russo.toml" in names


def test_installed_wheel_runs_from_another_folder(wheel, tmp_path):
    env_dir = tmp_path / "env"
    venv.create(env_dir, with_pip=True)
    python = env_dir / ("Scripts" if os.name == "nt" else "bin") / "python"
    # a real install: the wheel's declared dependencies come from the package index
    _run(str(python), "-m", "pip", "install", "-q", str(wheel))
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    clean = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    where = _run(
        str(python), "-c", "import derive, sys; print(derive.__file__)", cwd=elsewhere, env=clean
    )
    assert str(env_dir) in where.stdout, "derive was imported from the checkout, not the wheel"
    derive_cmd = env_dir / "bin" / "derive"
    markdown = _run(str(derive_cmd), "explain", "mazur", cwd=elsewhere, env=clean).stdout
    assert markdown.startswith("# ") and "0.291027774" in markdown
    result = _run(str(derive_cmd), "explain", "russo", "--format", "json", cwd=elsewhere, env=clean)
    assert json.loads(result.stdout)["network"]["layers"] == [3, 3, 3]
    # the lecture formats, from the installed templates; the PDF with the installed typst
    for name in ("mazur.tex", "mazur.html", "slides.pdf"):
        extra = ["--slides"] if name == "slides.pdf" else []
        _run(str(derive_cmd), "explain", "mazur", "-o", name, *extra, cwd=elsewhere, env=clean)
    assert (elsewhere / "slides.pdf").read_bytes().startswith(b"%PDF-")
    assert "0.291027774" in (elsewhere / "mazur.html").read_text()
