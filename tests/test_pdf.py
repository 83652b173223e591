"""PDFs: Typst in-process with no TeX anywhere, LaTeX article and Beamer slides with TeX Live.

The text of every PDF (pdftotext) must hold the key figures computed independently by
tests/reference.py; the LaTeX runs must be free of errors and of overfull boxes (no
equation sticks out of the page, no frame overflows); a hostile title prints as typed and
reads nothing. Tests needing TeX Live or poppler skip when it is absent; CI installs both.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from figures import HOSTILE_TITLE, missing_figures, need, pdf_text

import derive
from derive.errors import EngineError
from derive.spec import preset_text, spec_from_mapping
from derive.typeset import compile_latex, latex_pdf, typst_pdf

TEX_PROGRAMS = ("pdflatex", "latexmk", "lualatex", "xelatex", "tex")


@pytest.fixture(scope="module", params=["mazur", "russo"])
def preset(request):
    return request.param, derive.explain(request.param)


@pytest.mark.parametrize("slides", [False, True], ids=["article", "slides"])
def test_typst_pdf_holds_every_key_figure(preset, slides, tmp_path):
    name, w = preset
    text = pdf_text(w.pdf(slides=slides), tmp_path)
    assert not missing_figures(text, name)
    assert "Summary" in text and "The forward pass again" in text
    if slides:
        # each slide is one page: a slide that overflowed would have made two
        assert text.count("\f") == w.render("typst", slides=True).count("\n#slide[") + 1


def test_typst_pdf_is_the_same_bytes_every_time():
    w = derive.explain("mazur")
    assert w.pdf() == w.pdf()


def _without_tex(tmp_path: Path) -> dict[str, str]:
    """The environment with every PATH entry that holds a TeX program removed."""
    kept = [
        entry
        for entry in os.environ.get("PATH", "").split(os.pathsep)
        if entry and not any(Path(entry, program).exists() for program in TEX_PROGRAMS)
    ]
    path = os.pathsep.join(kept) or str(tmp_path)
    assert all(shutil.which(program, path=path) is None for program in TEX_PROGRAMS)
    return {**os.environ, "PATH": path}


def test_pdf_needs_nothing_but_pip(tmp_path):
    """The default engine works without TeX on PATH; --engine latex says what to install."""
    env = _without_tex(tmp_path)
    target = tmp_path / "mazur.pdf"
    command = [sys.executable, "-m", "derive", "explain", "mazur", "-o", str(target)]
    done = subprocess.run(command, env=env, capture_output=True, text=True, cwd=tmp_path)
    assert done.returncode == 0 and done.stderr == "", done.stderr
    assert target.read_bytes().startswith(b"%PDF-")
    latex = [*command[:-2], "-o", str(tmp_path / "latex.pdf"), "--engine", "latex"]
    refused = subprocess.run(latex, env=env, capture_output=True, text=True, cwd=tmp_path)
    assert refused.returncode == 2 and refused.stderr.count("\n") == 1
    assert "needs pdflatex on PATH: install TeX Live" in refused.stderr
    assert "Traceback" not in refused.stderr and not (tmp_path / "latex.pdf").exists()
    assert not missing_figures(pdf_text(target, tmp_path), "mazur")


def _overfull(log: str) -> list[str]:
    return re.findall(r"^(?:Overfull|Underfull) \\[hv]box.*$", log, flags=re.M)


@pytest.mark.parametrize("fmt", ["tex", "beamer"])
def test_latex_compiles_without_errors_or_overfull_boxes(preset, fmt, tmp_path):
    need("pdflatex")
    name, w = preset
    run = compile_latex(w.render(fmt))
    assert not _overfull(run.log), _overfull(run.log)[:5]
    assert "LaTeX Warning" not in run.log.replace("LaTeX Warning: Label(s) may", "")
    text = pdf_text(run.pdf, tmp_path)
    assert not missing_figures(text, name)
    if fmt == "beamer":
        assert text.count("\f") == w.render("beamer").count(r"\begin{frame}")


def test_latex_engine_from_the_command_line(tmp_path, capsys):
    need("pdflatex")
    from derive.cli import main

    target = tmp_path / "deck.pdf"
    assert main(["explain", "mazur", "-o", str(target), "--engine", "latex", "--slides"]) == 0
    assert not missing_figures(pdf_text(target, tmp_path), "mazur")


def test_a_latex_failure_quotes_the_log():
    need("pdflatex")
    broken = "\\documentclass{article}\n\\begin{document}\n\\undefinedmacro\n\\end{document}\n"
    with pytest.raises(EngineError) as error:
        latex_pdf(broken)
    message = str(error.value)
    assert "Undefined control sequence" in message and r"\undefinedmacro" in message
    assert "\n" not in message


def test_a_missing_typst_module_says_what_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "typst", None)
    with pytest.raises(EngineError, match=r"pip install typst"):
        typst_pdf("= Title")


def _hostile() -> derive.Walkthrough:
    import tomllib

    data = {**tomllib.loads(preset_text("mazur")), "title": HOSTILE_TITLE}
    return derive.explain(spec_from_mapping(data, where="hostile.toml"))


@pytest.mark.parametrize("engine", ["typst", "latex"])
@pytest.mark.parametrize("slides", [False, True], ids=["article", "slides"])
def test_hostile_title_prints_as_typed_and_reads_nothing(engine, slides, tmp_path):
    if engine == "latex":
        need("pdflatex")
    text = pdf_text(_hostile().pdf(slides=slides, engine=engine), tmp_path)
    flat = " ".join(text.split())
    for piece in (r"\input{/etc/passwd}", "$x$", "100%", "#1", "a_b", "{c}", "<b>bold</b>"):
        assert piece in flat, (piece, flat[:300])
    passwd = Path("/etc/passwd")
    lines = passwd.read_text().splitlines() if passwd.is_file() else []
    assert not [line for line in lines if line.strip() and line in text]
    assert "root:" not in text


def test_other_shapes_compile_cleanly_too(tmp_path):
    """Two hidden layers (names h1_1 …), per-neuron biases updated, 8 outputs, summary detail."""
    need("pdflatex")
    sizes = [3, 4, 3, 8]
    data = {
        "layers": sizes,
        "inputs": [0.1, 0.2, 0.3],
        "targets": [0.1 * (k + 1) for k in range(8)],
        "weights": [
            [[round(0.05 * (j + k + 1), 2) for k in range(sizes[l])] for j in range(sizes[l + 1])]
            for l in range(3)
        ],
        "bias": "per_neuron",
        "biases": [[0.1] * 4, [0.2] * 3, [0.3] * 8],
        "update_biases": True,
        "learning_rate": 0.5,
    }
    w = derive.explain(spec_from_mapping(data), detail="summary")
    for fmt in ("tex", "beamer"):
        run = compile_latex(w.render(fmt))
        assert not _overfull(run.log), (fmt, _overfull(run.log)[:3])
    for slides in (False, True):
        assert w.pdf(slides=slides).startswith(b"%PDF-")


@pytest.fixture(scope="module", params=["softmax", "layered", "batch"])
def kind(request):
    from figures import kind_cases

    spec, options, figures = kind_cases()[request.param]
    return derive.explain(spec, **options), figures


def test_every_step_kind_typesets_in_every_pdf(kind, tmp_path):
    """Softmax's Jacobian sums, the matrix form of the layered notation, several samples
    with their batch, a collapsing activation–loss pair and a training run: LaTeX article
    and Beamer without overfull boxes, Typst article and slides one page per slide, the
    key figures in every PDF."""
    w, figures = kind
    pdfs = [w.pdf(), w.pdf(slides=True)]
    slides = w.render("typst", slides=True)
    assert pdf_text(pdfs[1], tmp_path).count("\f") == slides.count("\n#slide[") + 1
    if shutil.which("pdflatex"):
        for fmt in ("tex", "beamer"):
            run = compile_latex(w.render(fmt))
            assert not _overfull(run.log), (fmt, _overfull(run.log)[:3])
            pdfs.append(run.pdf)
    for pdf in pdfs:
        assert not missing_figures(pdf_text(pdf, tmp_path), figures)


@pytest.mark.parametrize("lang, babel", [("de", "ngerman"), ("fr", "french"), ("es", "spanish")])
@pytest.mark.parametrize("fmt", ["tex", "beamer"])
def test_latex_hyphenates_in_the_documents_language(lang, babel, fmt, tmp_path):
    """A German, French or Spanish article or deck breaks its words with that language's
    patterns (babel, its shorthands off), not English ones; it still compiles without an
    overfull box and prints the key figures. Without the language in TeX Live the document
    still compiles, hyphenating as English (CI installs the three languages)."""
    kpsewhich = need("kpsewhich")
    need("pdflatex")
    found = subprocess.run([kpsewhich, f"{babel}.ldf"], capture_output=True, text=True)
    if not found.stdout.strip():
        pytest.skip(f"TeX Live has no {babel} (texlive-lang-*)")
    w = derive.explain("mazur", lang=lang)
    run = compile_latex(w.render(fmt))
    assert f"{babel}.ldf" in run.log
    assert "No hyphenation patterns were preloaded" not in run.log
    assert not _overfull(run.log), _overfull(run.log)[:5]
    text = pdf_text(run.pdf, tmp_path)
    assert not missing_figures(text.replace(",", "."), "mazur")  # decimal commas
