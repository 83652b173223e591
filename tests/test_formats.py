"""The lecture formats as text: LaTeX article, Beamer, Typst, HTML — numbers, options, escaping.

Every display equation of the LaTeX article and of the Beamer slides is read back and its
value compared with the independent reference (tests/reference.py), as the Markdown's are;
the other formats must hold every key figure; free text must never become markup.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import ROOT, preset_data
from figures import HOSTILE_TITLE, missing_figures
from reference import reference_step
from test_markdown import NUMBER, _unaligned, quantities, rounded

import derive
from derive.cli import main
from derive.errors import UsageError
from derive.formats import FORMATS, TEXT_FORMATS, format_for_path
from derive.printing import typst_string
from derive.spec import preset_text, spec_from_mapping

TEXT = ("tex", "beamer", "typst", "html")


@pytest.fixture(scope="module", params=["mazur", "russo"])
def walkthrough(request):
    return request.param, derive.explain(request.param)


def displays(tex: str) -> list[str]:
    """Every display equation of LaTeX output, unwrapped (no adjustbox, no aligned)."""
    blocks = re.findall(r"\\\[\n(.*?)\n\\\]", tex, flags=re.S)
    unwrapped = []
    for block in blocks:
        inner = re.sub(
            r"^\\adjustbox\{[^}]*\}\{\$\\displaystyle (.*)\$\}$", r"\1", block, flags=re.S
        )
        unwrapped.append(_unaligned(inner))
    unwrapped += re.findall(r"as found for \$[^$]*\$: \$(.*?)\$", tex)
    unwrapped += re.findall(r"\$([^$]*?)\$ as found for", tex)
    return unwrapped


def check_displays(tex: str, name: str, after_marker: str) -> int:
    """Compare the final value of each display with the reference; return how many."""
    data = preset_data(name)
    ref, digits = reference_step(data), data.get("digits", 9)
    before, after = tex.split(after_marker)
    checked = 0
    for text, is_after in ((before, False), (after, True)):
        table = quantities(data, ref, is_after)
        for block in displays(text):
            parts = block.split(" = ")
            if not NUMBER.fullmatch(parts[-1].strip()):
                continue
            lhs = parts[0].strip()
            if "_" not in lhs:
                continue  # a rule about generic out, net, target (∂target/∂out = 0), no value
            assert lhs in table, f"unrecognized quantity {lhs}"
            assert parts[-1].strip() == rounded(table[lhs], digits), (lhs, parts[-1])
            checked += 1
    return checked


def test_every_value_in_the_latex_article_is_right(walkthrough):
    name, w = walkthrough
    tex = w.render("tex")
    assert check_displays(tex, name, r"\section*{6\quad The forward pass again}") > 40
    assert tex.startswith(r"\documentclass") and tex.rstrip().endswith(r"\end{document}")
    for package in ("amsmath", "booktabs", "tikz"):
        assert rf"\usepackage{{{package}}}" in tex
    assert r"\begin{tikzpicture}" in tex and r"\toprule" in tex


def test_every_value_in_the_beamer_slides_is_right(walkthrough):
    name, w = walkthrough
    slides = w.render("beamer")
    assert check_displays(slides, name, r"\frametitle{The forward pass again") > 40
    frames = slides.count(r"\begin{frame}")
    parameters = sum(len(layer.steps) for layer in w.document.backward)
    # title, network, given, a frame per neuron and per error, ≥ 3 frames per parameter, …
    assert frames >= 3 + len(w.document.forward.layers) + 3 * parameters
    assert r"\frametitle{The total error}" in slides and r"\frametitle{Summary" in slides


@pytest.mark.parametrize("fmt", TEXT)
def test_every_key_figure_is_in_every_format(walkthrough, fmt):
    name, w = walkthrough
    text = w.render(fmt)
    assert not missing_figures(text, name)


def test_typst_slides_follow_the_beamer_plan(walkthrough):
    _, w = walkthrough
    beamer, typst = w.render("beamer"), w.render("typst", slides=True)
    # one Beamer frame ⇔ one Typst slide (the title page is a plain page in Typst)
    assert beamer.count(r"\begin{frame}") == typst.count("\n#slide[") + 1


@pytest.mark.parametrize("fmt", ["md", *TEXT])
def test_hostile_titles_print_literally(fmt):
    data = {**_mazur_mapping(), "title": HOSTILE_TITLE}
    text = derive.explain(spec_from_mapping(data, where="hostile.toml")).render(fmt)
    if fmt in ("tex", "beamer"):
        assert r"\input{" not in text and r"\textbackslash{}input\{/etc/passwd\}" in text
        assert "$x$" not in text and r"100\%" in text and r"\#1" in text and r"a\_b" in text
    elif fmt == "typst":
        # in markup only as escapes; elsewhere only inside string literals, which never run
        assert text.count("/etc/passwd") == text.count(typst_string(HOSTILE_TITLE)) > 0
        assert r"hostile\u{2e}toml" in text
    elif fmt == "html":
        assert "<b>bold</b>" not in text and "&lt;b&gt;bold&lt;/b&gt;" in text
    else:
        assert r"\\input\{/etc/passwd\}" in text


def _mazur_mapping() -> dict:
    import tomllib

    return tomllib.loads(preset_text("mazur"))


def test_fragment_is_the_body_only():
    w = derive.explain("mazur")
    body = w.render("tex", fragment=True)
    assert r"\documentclass" not in body and r"\begin{document}" not in body
    assert body.startswith("% derive") and r"\section*{1\quad The network}" in body
    html = w.render("html", fragment=True)
    assert html.startswith('<div class="derive">') and "<html" not in html
    assert w._repr_html_() == html and "<math" in html


@pytest.mark.parametrize(
    ("fmt", "options", "message"),
    [
        ("md", {"slides": True}, "--slides applies to --format pdf or typst"),
        ("tex", {"slides": True}, "use --format beamer"),
        ("beamer", {"fragment": True}, "--fragment applies to --format tex or html"),
        ("html", {"engine": "latex"}, "--engine applies to --format pdf"),
        ("pdf", {"engine": "word"}, "unknown engine 'word'"),
        ("docx", {}, "unknown format 'docx'"),
    ],
)
def test_options_that_do_not_apply_are_refused(fmt, options, message):
    with pytest.raises(UsageError, match=re.escape(message)):
        derive.explain("mazur").output(fmt, **options)


def test_format_from_the_file_name():
    names = {"a.md": "md", "a.tex": "tex", "a.pdf": "pdf", "a.HTML": "html", "a.typ": "typst"}
    assert {name: format_for_path(name) for name in names} == names
    assert format_for_path("notes.txt") == "md"
    assert set(TEXT_FORMATS) | {"pdf"} == set(FORMATS)


def test_pdf_is_never_written_to_the_terminal(capsys):
    assert main(["explain", "mazur", "--format", "pdf"]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.count("\n") == 1 and "-o FILE.pdf" in err


def test_cli_writes_each_format(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for fmt, name in (("tex", "a.tex"), ("beamer", "b.tex"), ("html", "c.html"), ("pdf", "d.pdf")):
        assert main(["explain", "mazur", "--format", fmt, "-o", name]) == 0
    assert Path("a.tex").read_text().startswith(r"\documentclass[11pt,a4paper]{article}")
    assert r"{beamer}" in Path("b.tex").read_text().splitlines()[0]
    assert Path("c.html").read_text().startswith("<!DOCTYPE html>")
    assert Path("d.pdf").read_bytes().startswith(b"%PDF-")
    assert capsys.readouterr().out == ""
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.tex", "b.tex", "c.html", "d.pdf"]


@pytest.mark.parametrize(
    "changes",
    [
        {"layers": [2, 3, 2], "bias": "per_neuron", "biases": [[0.1, 0.2, 0.3], [0.4, 0.5]]},
        {"layers": [2, 2, 2, 2], "bias": "none"},
        {"layers": [12, 2, 1], "bias": "shared"},
    ],
    ids=["per-neuron biases", "two hidden layers", "too many to label"],
)
def test_other_networks_render_in_every_format(changes):
    sizes = changes["layers"]
    data = {
        **_mazur_mapping(),
        **changes,
        "inputs": [0.1] * sizes[0],
        "targets": [0.5] * sizes[-1],
        "weights": [[[0.1] * sizes[l] for _ in range(sizes[l + 1])] for l in range(len(sizes) - 1)],
    }
    if changes.get("bias") == "shared":
        data["biases"] = [0.2] * (len(sizes) - 1)
    elif changes.get("bias") == "none":
        data.pop("biases")
    w = derive.explain(spec_from_mapping(data), detail="summary")
    for fmt in TEXT:
        assert w.render(fmt)
    assert (r"\frametitle{The weights" in w.render("beamer")) == (sizes[0] == 12)


def test_no_template_opens_four_brackets():
    """((((: Jinja reads '(((' as a variable opening; write '( (((' or use format() instead."""
    for template in (ROOT / "templates").rglob("*.j2"):
        assert "((((" not in template.read_text(), template


@pytest.mark.parametrize("case", ["softmax", "layered", "batch"])
def test_every_step_kind_renders_in_every_format(case):
    from figures import kind_cases

    spec, options, figures = kind_cases()[case]
    w = derive.explain(spec, **options)
    for fmt in TEXT:
        text = w.render(fmt)
        assert not missing_figures(text, figures), fmt
    slides = w.render("beamer")
    if case == "softmax":
        assert (
            slides.count("Through output")
            == w.render("typst", slides=True).count("Through output")
            > 0
        )
    if case == "layered":
        assert r"\odot" in w.render("tex") and "dot.o" in w.render("typst")
    if case == "batch":
        assert r"\frametitle{Combining the samples" in slides and "Sample 2: " in slides
        assert r"\section*{7\quad Training for 50 steps}" in w.render("tex")
