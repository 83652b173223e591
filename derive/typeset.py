"""Typeset source → PDF bytes: Typst in-process, or LaTeX through latexmk/pdflatex.

Typst comes from PyPI with derive (the `typst` package compiles in-process), so a PDF
needs nothing but pip. LaTeX needs TeX Live on PATH; it runs in a temporary folder with
shell escape off and file access restricted to that folder (``openin_any=p``), so even a
document that tried could neither run a program nor read a file such as /etc/passwd.
A missing engine is one line saying what to install; a failed LaTeX run quotes its log.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from derive.errors import EngineError

ENGINES = ("typst", "latex")

#: how a TeX Live installation with everything the LaTeX formats use is installed
TEX_PACKAGES = "texlive-latex-base texlive-latex-recommended texlive-latex-extra "
TEX_PACKAGES += "texlive-pictures latexmk lmodern"

LATEX_TIMEOUT = 600  # seconds: a large deck takes a while, a hung run must not hang derive


def typst_pdf(source: str) -> bytes:
    """Compile Typst source to PDF in-process, with the fonts bundled in the typst package.

    System fonts are ignored so that the same source gives the same bytes on every
    machine (the committed PDFs in ``output/`` are compared byte for byte); the project
    root is an empty temporary folder, so the document can read no file.
    """
    try:
        import typst
    except ImportError:
        raise EngineError(
            "the PDF engine is missing: install it with 'pip install typst' "
            "(or use --engine latex with TeX Live installed)"
        ) from None
    with tempfile.TemporaryDirectory(prefix="derive-typst-") as root:
        try:
            return typst.compile(source.encode("utf-8"), root=root, ignore_system_fonts=True)
        except typst.TypstError as error:
            raise EngineError(f"Typst could not typeset the document: {error.message}") from None


def latex_pdf(source: str) -> bytes:
    """Compile LaTeX source to PDF with latexmk (or pdflatex run twice) in a temporary folder."""
    return compile_latex(source).pdf


@dataclass(frozen=True)
class LatexRun:
    """A successful LaTeX compilation: the PDF, and the log (to look for overfull boxes)."""

    pdf: bytes
    log: str


def compile_latex(source: str) -> LatexRun:
    """`latex_pdf`, keeping the TeX log of the last run as well."""
    pdflatex = shutil.which("pdflatex")
    if pdflatex is None:
        raise EngineError(
            "--engine latex needs pdflatex on PATH: install TeX Live "
            f"(Debian/Ubuntu: apt-get install {TEX_PACKAGES}), or use the default engine"
        )
    latexmk = shutil.which("latexmk")
    with tempfile.TemporaryDirectory(prefix="derive-latex-") as folder:
        work = Path(folder)
        (work / "walkthrough.tex").write_text(source, encoding="utf-8")
        flags = "-no-shell-escape -interaction=nonstopmode -halt-on-error -file-line-error"
        if latexmk:
            command = [latexmk, "-pdf", "-silent", f"-pdflatex={pdflatex} {flags} %O %S"]
            runs = [[*command, "walkthrough"]]
        else:
            runs = [[pdflatex, *flags.split(), "walkthrough.tex"]] * 2
        for command in runs:
            _run(command, work)
        pdf, log = work / "walkthrough.pdf", work / "walkthrough.log"
        if not pdf.is_file():
            raise EngineError(f"pdflatex wrote no PDF: {log_excerpt(log)}")
        return LatexRun(pdf.read_bytes(), log.read_text("utf-8", errors="replace"))


def _run(command: list[str], folder: Path) -> None:
    environment = {
        **os.environ,
        "openin_any": "p",  # TeX may read only files below the working folder (and TeX's own)
        "openout_any": "p",
        "shell_escape": "f",
        "max_print_line": "1000",  # log lines unwrapped, so excerpts read well
        "SOURCE_DATE_EPOCH": "0",  # no build time in the PDF: same input, same bytes
        "FORCE_SOURCE_DATE": "1",
    }
    try:
        result = subprocess.run(
            command,
            cwd=folder,
            env=environment,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            errors="replace",
            timeout=LATEX_TIMEOUT,
        )
    except subprocess.TimeoutExpired:
        raise EngineError(f"pdflatex did not finish within {LATEX_TIMEOUT} s") from None
    if result.returncode != 0:
        excerpt = log_excerpt(folder / "walkthrough.log") or result.stdout[-400:].strip()
        raise EngineError(f"pdflatex could not compile the document: {excerpt}")


_ERROR_LINE = re.compile(r"^(?:!|\S+:\d+: )")


def log_excerpt(log: Path, lines: int = 2) -> str:
    """The first error of a TeX log and the lines that locate it (TeX's "l.42 …")."""
    if not log.is_file():
        return ""
    text = log.read_text("utf-8", errors="replace").splitlines()
    for number, line in enumerate(text):
        if _ERROR_LINE.match(line):
            excerpt = [line.strip()]
            for following in text[number + 1 : number + 1 + lines]:
                if not following.strip():
                    break
                excerpt.append(following.strip())
            return " | ".join(excerpt)[:500]
    return ""


#: a last page less full than this is "nearly empty": the article is typeset tighter
LEAST_FILL = 0.2
SQUEEZES = (0, 1, 2)


def typst_last_page_fill(source: str) -> float:
    """How full the last page of a Typst article is (0–1), from the position of the
    ``<derive-end>`` marker its template puts after the text (typst's query)."""
    import json

    import typst

    with tempfile.TemporaryDirectory(prefix="derive-typst-") as root:
        found = typst.query(
            source.encode("utf-8"),
            "<derive-end>",
            field="value",
            root=root,
            ignore_system_fonts=True,
        )
    (end,) = json.loads(found)
    room = end["height"] - 2 * end["margin"]
    return max(0.0, min(1.0, (end["y"] - end["margin"]) / room))


def latex_last_page_fill(log: str) -> float:
    """How full the last page of a LaTeX article is (0–1), from the line its template
    writes to the log as the last page ships out: the height (from the page's foot) where
    the text ends, the paper's height and the text's (the margins are equal)."""
    found = re.findall(r"derive-last-page: (\d+) ?sp, ([\d.]+)pt, ([\d.]+)pt", log)
    if not found:
        return 1.0
    end, paper, text = found[-1]
    top = (float(paper) + float(text)) / 2  # the top of the text area, from the foot
    return max(0.0, min(1.0, (top - int(end) / 65536) / float(text)))


def balanced(render: Callable[[int], str], engine: str) -> bytes:
    """The PDF of an article whose last page is not nearly empty: typeset with the usual
    spacing, and only if its last page holds less than `LEAST_FILL` of a page, again
    with tighter spacing (`render(squeeze)` gives the source), keeping the first that
    fills its last page enough (or the tightest)."""
    pdf = b""
    for squeeze in SQUEEZES:
        source = render(squeeze)
        if engine == "latex":
            run = compile_latex(source)
            pdf, fill = run.pdf, latex_last_page_fill(run.log)
        else:
            pdf, fill = typst_pdf(source), typst_last_page_fill(source)
        if fill >= LEAST_FILL:
            break
    return pdf
