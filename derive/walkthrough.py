"""The whole pipeline: spec → network → derivation → training step → document → text.

    spec = load_spec(source)              # TOML file or preset, validated
    network = build_network(spec)         # symbols and local equations
    derivation = derive(network)          # chain-rule records
    step = train_step(derivation)         # values at high precision, one update
    document = build_document(step, …)    # format-free sections and steps
    render(document, fmt)                 # Jinja2 template + math printer
    typst_pdf(…) / latex_pdf(…)           # PDF: Typst in-process, or latexmk/pdflatex

`Walkthrough` keeps every stage so a program (or a notebook) can look at any of them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from derive.document import DETAILS, Document, build_document
from derive.errors import UsageError
from derive.export import result_json
from derive.files import write_atomic
from derive.model import SymbolicNetwork, build_network
from derive.numeric import TrainingStep, train_step
from derive.render import render
from derive.spec import NetworkSpec, load_spec
from derive.steps import Derivation, derive
from derive.typeset import ENGINES, latex_pdf, typst_pdf
from derive.verify import Verification, verify

#: formats that are text, and the one that is not
TEXT_FORMATS = ("md", "json", "tex", "beamer", "typst", "html")
FORMATS = (*TEXT_FORMATS, "pdf")

#: file suffix → format
SUFFIXES = {
    "md": "md",
    "markdown": "md",
    "json": "json",
    "tex": "tex",
    "typ": "typst",
    "html": "html",
    "htm": "html",
    "pdf": "pdf",
}


@dataclass(frozen=True)
class Walkthrough:
    """One worked example: every stage of the pipeline, ready to render."""

    spec: NetworkSpec
    network: SymbolicNetwork
    derivation: Derivation
    step: TrainingStep
    verification: Verification | None = None
    detail: str = "full"
    digits: int | None = None

    @cached_property
    def document(self) -> Document:
        """The format-free walkthrough, laid out on first use (JSON does not need it)."""
        return build_document(
            self.step, detail=self.detail, digits=self.digits, verification=self.verification
        )

    def render(self, fmt: str = "md", *, fragment: bool = False, slides: bool = False) -> str:
        """The walkthrough as text in format `fmt` (one of `TEXT_FORMATS`).

        `fragment` gives only the body (``tex``: to \\input into notes; ``html``: to embed
        in a page); `slides` gives the Typst slides instead of the article (``typst``).
        """
        _check_options(fmt, fragment=fragment, slides=slides, engine=None)
        if fmt == "pdf":
            raise UsageError("PDF is binary: use Walkthrough.pdf() or save() instead of render()")
        if fmt == "json":
            return json.dumps(self.to_json(), indent=2) + "\n"
        template = "typst-slides" if fmt == "typst" and slides else fmt
        return render(self.document, template, fragment=fragment)

    def pdf(self, *, slides: bool = False, engine: str = "typst") -> bytes:
        """The walkthrough typeset as a PDF article, or as slides with `slides`.

        ``typst`` (default) compiles in-process and needs nothing but pip; ``latex``
        compiles the LaTeX article or the Beamer slides with TeX Live.
        """
        _check_options("pdf", fragment=False, slides=slides, engine=engine)
        if engine == "latex":
            return latex_pdf(render(self.document, "beamer" if slides else "tex"))
        return typst_pdf(render(self.document, "typst-slides" if slides else "typst"))

    def output(
        self,
        fmt: str = "md",
        *,
        fragment: bool = False,
        slides: bool = False,
        engine: str | None = None,
    ) -> str | bytes:
        """What a file of format `fmt` holds: text, or bytes for a PDF."""
        _check_options(fmt, fragment=fragment, slides=slides, engine=engine)
        if fmt == "pdf":
            return self.pdf(slides=slides, engine=engine or "typst")
        return self.render(fmt, fragment=fragment, slides=slides)

    def to_json(self) -> dict[str, Any]:
        """The JSON result of the design notes, as Python data."""
        return result_json(self.step)

    def save(self, path: str | Path, fmt: str | None = None, **options: Any) -> None:
        """Write the walkthrough to `path` atomically, in `fmt` or the format its suffix names.

        `options` are those of `output` (``fragment``, ``slides``, ``engine``).
        """
        write_atomic(path, self.output(fmt or format_for_path(path), **options))

    def _repr_markdown_(self) -> str:
        return self.render("md")

    def _repr_html_(self) -> str:
        """Jupyter shows the walkthrough as HTML: MathML math and the SVG network, with
        its styles scoped to the walkthrough so the notebook keeps its own look."""
        return self.render("html", fragment=True)


def _check_options(fmt: str, *, fragment: bool, slides: bool, engine: str | None) -> None:
    """Refuse a format or an option that does not apply to it, saying what would."""
    if fmt not in FORMATS:
        raise UsageError(f"unknown format {fmt!r} (known: {', '.join(FORMATS)})")
    if fragment and fmt not in ("tex", "html"):
        raise UsageError(f"--fragment applies to --format tex or html, not {fmt}")
    if slides and fmt not in ("pdf", "typst"):
        hint = " (for LaTeX slides use --format beamer)" if fmt == "tex" else ""
        raise UsageError(f"--slides applies to --format pdf or typst, not {fmt}{hint}")
    if engine is not None and fmt != "pdf":
        raise UsageError(f"--engine applies to --format pdf, not {fmt}")
    if engine is not None and engine not in ENGINES:
        raise UsageError(f"unknown engine {engine!r} (known: {', '.join(ENGINES)})")


def format_for_path(path: str | Path) -> str:
    """The format a file name asks for: ``.md`` → md, ``.pdf`` → pdf, …; anything else → md."""
    return SUFFIXES.get(Path(path).suffix.lower().lstrip("."), "md")


def build_walkthrough(
    source: str | Path | NetworkSpec,
    *,
    digits: int | None = None,
    detail: str = "full",
    check: bool = False,
) -> Walkthrough:
    """Run the pipeline on a spec file, a preset name or a `NetworkSpec`.

    `check` also proves every factorization against the direct derivative (`derive.verify`).
    """
    if detail not in DETAILS:
        raise UsageError(f"unknown detail level {detail!r} (known: {', '.join(DETAILS)})")
    if digits is not None and not 1 <= digits <= 30:
        raise UsageError(f"--digits: expected an integer from 1 to 30, got {digits}")
    spec = source if isinstance(source, NetworkSpec) else load_spec(source)
    network = build_network(spec)
    derivation = derive(network)
    step = train_step(derivation)
    verification = verify(derivation) if check else None
    return Walkthrough(spec, network, derivation, step, verification, detail, digits)
