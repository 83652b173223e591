"""Pages to hand out, read back from the PDFs (pdftotext, pdftohtml): no heading and no
lead-in ("By the chain rule:") ends a page with what it introduces overleaf, the last
page is not nearly empty, and the table of contents links to the sections."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from figures import kind_cases
from test_diagram import spec_data

import derive
from derive.spec import spec_from_mapping
from derive.typeset import LEAST_FILL

pytestmark = pytest.mark.skipif(
    not shutil.which("pdftotext") or not shutil.which("pdftohtml"), reason="needs poppler"
)

#: the last line of a page that must not be the last: a lead-in, or a heading
LEAD_IN = re.compile(r":$")
HEADING = re.compile(
    r"^(\d+(\.\d+)*\s+[A-Z]"  # "4.2 The output layer"
    r"|\S{1,3}\s*\d+\s*: the (weight|bias) "  # "w5 : the weight from h1 to o1"
    r"|The (input|hidden|output) layer( \d+)?$"
    r"|Sample \d+$|Contents$|Verification$)"
)


def networks() -> dict[str, object]:
    cases = kind_cases()
    return {
        "mazur": "mazur",
        "russo": "russo",
        "softmax": "softmax",
        "batch": cases["batch"][0],
        "3-4-4-2": spec_from_mapping(spec_data("3-4-4-2 relu softmax"), where="3442.toml"),
        "2-3-1": spec_from_mapping(spec_data("2-3-1 two samples"), where="231.toml"),
    }


def page_texts(pdf: Path) -> list[str]:
    out = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    return out.split("\f")[:-1]


def last_line(page: str) -> str:
    lines = [line.strip() for line in page.splitlines() if line.strip()]
    if lines and re.fullmatch(r"\d+", lines[-1]):  # the page number
        lines = lines[:-1]
    return lines[-1] if lines else ""


def stranded(pdf: Path) -> list[tuple[int, str]]:
    pages = page_texts(pdf)
    found = []
    for number, page in enumerate(pages[:-1], start=1):
        line = last_line(page)
        if LEAD_IN.search(line) or HEADING.match(line):
            found.append((number, line))
    return found


@pytest.fixture(scope="module", params=list(networks()))
def article(request, tmp_path_factory):
    """The article of one network, through Typst and (where installed) through LaTeX."""
    folder = tmp_path_factory.mktemp(request.param)
    w = derive.explain(networks()[request.param])
    pdfs = {"typst": folder / "typst.pdf"}
    pdfs["typst"].write_bytes(w.pdf())
    if shutil.which("pdflatex"):
        pdfs["latex"] = folder / "latex.pdf"
        pdfs["latex"].write_bytes(w.pdf(engine="latex"))
    return pdfs


def test_no_heading_or_lead_in_ends_a_page(article):
    for engine, pdf in article.items():
        assert not stranded(pdf), engine


def test_the_last_page_is_not_nearly_empty(article):
    """A last page holds a fifth of a page or more (a tighter spacing is tried first)."""
    for engine, pdf in article.items():
        pages = page_texts(pdf)
        if len(pages) == 1:
            continue
        lines = [line for line in pages[-1].splitlines() if line.strip()]
        assert len(lines) >= 8, (engine, lines)


def test_the_table_of_contents_links_to_the_sections(article):
    for engine, pdf in article.items():
        first = page_texts(pdf)[0]
        assert "Contents" in first, engine
        xml = subprocess.run(
            ["pdftohtml", "-xml", "-stdout", "-i", "-f", "1", "-l", "2", str(pdf)],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        links = re.findall(r'<a href="[^"]*#(\d+)">(.*?)</a>', xml)
        titles = " ".join(re.sub(r"<[^>]+>", "", text) for _, text in links)
        for section in ("The network", "The forward pass", "The backward pass", "Summary"):
            assert section in titles, (engine, section)
        assert all(int(page) >= 1 for page, _ in links)


def test_the_fill_of_the_last_page_is_measured_where_the_text_ends(tmp_path):
    """The measure the tighter typesetting relies on: the marker after the text says how
    full the last page is, in line with the lines pdftotext finds on it."""
    from derive.render import render
    from derive.typeset import typst_last_page_fill, typst_pdf

    w = derive.explain("mazur")
    source = render(w.document, "typst")
    fill = typst_last_page_fill(source)
    (tmp_path / "m.pdf").write_bytes(typst_pdf(source))
    pages = page_texts(tmp_path / "m.pdf")
    full = max(len([x for x in p.splitlines() if x.strip()]) for p in pages[1:-1])
    last = len([x for x in pages[-1].splitlines() if x.strip()])
    assert LEAST_FILL <= fill <= 1
    assert abs(fill - last / full) < 0.35
