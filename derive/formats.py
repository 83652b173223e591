"""Output formats by name and by file suffix: what `-o PATH` asks for, with no heavy imports.

The command line needs these names to build its options and to refuse a bad output before
anything is computed, so they live apart from the pipeline (which imports SymPy).
"""

from __future__ import annotations

from pathlib import Path

from derive.errors import UsageError

#: formats that are text, and the one that is not
TEXT_FORMATS = ("md", "json", "tex", "beamer", "typst", "html")
FORMATS = (*TEXT_FORMATS, "pdf")
TRAIN_FORMATS = ("md", "json", "csv")
#: the paces of a slide deck: every parameter worked, or one per layer and a table
PACES = ("full", "lecture")

#: file suffix → format of a walkthrough (no suffix: Markdown)
SUFFIXES = {
    "": "md",
    "md": "md",
    "markdown": "md",
    "txt": "md",
    "json": "json",
    "tex": "tex",
    "typ": "typst",
    "html": "html",
    "htm": "html",
    "pdf": "pdf",
}
#: file suffix → format of a training report
TRAIN_SUFFIXES = {"": "md", "md": "md", "markdown": "md", "txt": "md", "json": "json", "csv": "csv"}
#: file suffix → format of a plot
PLOT_SUFFIXES = {"svg": "svg", "pdf": "pdf", "png": "png"}
#: how a Markdown walkthrough shows the network: SVG images beside it, or a Mermaid chart
DIAGRAMS = ("svg", "mermaid")


def format_for_path(path: str | Path) -> str:
    """The format a file name asks for: ``.md`` → md, ``.pdf`` → pdf, …; others refused."""
    return _lookup(path, SUFFIXES)


def train_format_for_path(path: str | Path) -> str:
    """The training format a file name asks for: .json, .csv, .md; others refused."""
    return _lookup(path, TRAIN_SUFFIXES)


def plot_format_for_path(path: str | Path) -> str:
    """The image format of a plot file: .svg, .pdf (for LaTeX) or .png."""
    suffix = Path(path).suffix.lower().lstrip(".")
    if suffix not in PLOT_SUFFIXES:
        raise UsageError(f"--plot: expected a file ending in .svg, .pdf or .png, got {path}")
    return PLOT_SUFFIXES[suffix]


def _lookup(
    path: str | Path, suffixes: dict[str, str], hint: str = "; or name the format with --format"
) -> str:
    if not str(path):
        raise UsageError("expected a file name, got an empty one")
    suffix = Path(path).suffix.lower().lstrip(".")
    if suffix in suffixes:
        return suffixes[suffix]
    known = ", ".join(f".{s}" for s in suffixes if s)
    what = f"unknown suffix .{suffix}" if suffix else "no suffix"
    raise UsageError(f"{path}: {what} (known: {known}){hint}")
