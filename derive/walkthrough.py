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

import difflib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from sympy import Symbol

from derive.compose import build_document, build_training_report
from derive.diagram import SCREEN, Drawings
from derive.document import DETAILS, Document
from derive.errors import UsageError
from derive.export import result_json, training_csv, training_json
from derive.files import write_atomic, write_files
from derive.formats import (
    DIAGRAMS,
    FORMATS,
    PACES,
    TRAIN_FORMATS,
    format_for_path,
    plot_format_for_path,
    train_format_for_path,
)
from derive.limits import DEFAULT, Limits, check_network, check_pages
from derive.messages import Language
from derive.model import SymbolicNetwork, build_network
from derive.notation import NOTATIONS
from derive.numeric import TrainingStep, train_step
from derive.plot import error_curve
from derive.plot import svg as plot_svg
from derive.render import curve_layout, render, render_drawing, training_chart
from derive.slides import Byline
from derive.spec import NetworkSpec, load_spec, spec_from_mapping
from derive.steps import Derivation, derive
from derive.training import TrainingRun, check_steps, train
from derive.trainingprose import TrainingProse
from derive.typeset import ENGINES, balanced, latex_pdf, typst_pdf
from derive.verify import Verification, verify

#: the drawings a Markdown walkthrough refers to, as images
MARKDOWN_DRAWINGS = ("network", "forward", "backward")


@dataclass(frozen=True)
class Figure:
    """One image file of a Markdown walkthrough: the name the Markdown knows it by (the
    middle of its file name), the stage drawn, and for a path drawing whose chain rule
    in which sample (1-based)."""

    key: str
    stage: str
    parameter: Symbol | None = None
    sample: int = 1


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
    training: TrainingRun | None = None
    notation: str = "classic"
    only: tuple[str, ...] | None = None
    limits: Limits = DEFAULT
    lang: Language = field(default_factory=Language)
    pace: str = "full"
    byline: Byline = field(default_factory=Byline)

    @cached_property
    def document(self) -> Document:
        """The format-free walkthrough, laid out on first use (JSON does not need it)."""
        return build_document(
            self.step,
            detail=self.detail,
            digits=self.digits,
            verification=self.verification,
            training=self.training,
            notation=self.notation,
            only=self.only,
        )

    def render(
        self,
        fmt: str = "md",
        *,
        fragment: bool = False,
        slides: bool = False,
        images: Mapping[str, str] | None = None,
    ) -> str:
        """The walkthrough as text in format `fmt` (one of `TEXT_FORMATS`).

        `fragment` gives only the body (``tex``: to \\input into notes; ``html``: to embed
        in a page); `slides` gives the Typst slides instead of the article (``typst``);
        `images` (``md``) names the SVG file of each drawing of `MARKDOWN_DRAWINGS`, as
        the Markdown refers to it (without, the network is a Mermaid chart).
        """
        _check_options(fmt, fragment=fragment, slides=slides, engine=None)
        if fmt == "pdf":
            raise UsageError("PDF is binary: use Walkthrough.pdf() or save() instead of render()")
        if fmt == "json":
            return json.dumps(self.to_json(), indent=2) + "\n"
        template = "typst-slides" if fmt == "typst" and slides else fmt
        return self._render(template, fragment=fragment, images=images)

    def _render(
        self,
        fmt: str,
        *,
        fragment: bool = False,
        images: Mapping[str, str] | None = None,
        squeeze: int = 0,
    ) -> str:
        return render(
            self.document,
            fmt,
            fragment=fragment,
            lang=self.lang,
            pace=self.pace,
            byline=self.byline,
            images=images,
            squeeze=squeeze,
        )

    def drawing(
        self, stage: str = "network", parameter: Symbol | None = None, sample: int = 1
    ) -> str:
        """One drawing as an SVG file's text: the network at a stage of `derive.diagram`
        (``network``, ``forward``, ``backward``, or ``path`` with the `parameter` whose
        chain rule in sample `sample` is lit), or ``curve``, the error curve of the
        training run (with ``steps``)."""
        if stage == "curve":
            chart = training_chart(self.document, self.lang)
            if chart is None:
                raise UsageError("there is no error curve without a training run (--steps N)")
            return plot_svg(chart)
        return render_drawing(
            self.document, stage, parameter=parameter, sample=sample, lang=self.lang
        )

    def figures(self) -> tuple[Figure, ...]:
        """The image files of the Markdown walkthrough: the network before and after each
        pass, the error curve after a training run, and the path drawing of each parameter
        the walkthrough works in full (one per sample of a batch), as the other formats
        draw it beside that parameter's chain rule. A network too large for its drawing to
        carry numbers gets no path drawings (the walkthrough says so once)."""
        figures = [Figure(stage, stage) for stage in MARKDOWN_DRAWINGS]
        if self.training is not None:
            figures.append(Figure("curve", "curve"))
        drawings = Drawings(self.document, SCREEN)
        if drawings.paths_drawn():
            for walk in self.document.samples:
                for layer in walk.backward:
                    for step in layer.steps:
                        key = drawings.path_key(step.parameter, walk.number)
                        figures.append(Figure(key, "path", step.parameter, walk.number))
        return tuple(figures)

    def figure(self, figure: Figure) -> str:
        """The SVG text of one image file of `figures`."""
        return self.drawing(figure.stage, figure.parameter, figure.sample)

    def pdf(self, *, slides: bool = False, engine: str = "typst") -> bytes:
        """The walkthrough typeset as a PDF article, or as slides with `slides`.

        ``typst`` (default) compiles in-process and needs nothing but pip; ``latex``
        compiles the LaTeX article or the Beamer slides with TeX Live.
        """
        _check_options("pdf", fragment=False, slides=slides, engine=engine)
        if engine == "latex" and slides:
            return latex_pdf(self._render("beamer"))
        if slides:
            source = self._render("typst-slides")
            check_pages(self.limits, source, slides)
            return typst_pdf(source)
        # an article: typeset tighter when its last page would hold only a few lines
        fmt = "tex" if engine == "latex" else "typst"
        return balanced(lambda squeeze: self._article(fmt, squeeze), engine)

    def _article(self, fmt: str, squeeze: int) -> str:
        """The source of the article to typeset (a Typst one checked against the limits)."""
        source = self._render(fmt, squeeze=squeeze)
        if fmt == "typst":
            check_pages(self.limits, source, False)
        return source

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
        """The JSON result of the design notes, as Python data (plus ``training`` after --steps)."""
        result = result_json(self.step)
        if self.training is not None:
            result["training"] = training_json(self.training)
        return result

    def save(
        self, path: str | Path, fmt: str | None = None, *, diagram: str = "svg", **options: Any
    ) -> None:
        """Write the walkthrough to `path` atomically, in `fmt` or the format its suffix names.

        `options` are those of `output` (``fragment``, ``slides``, ``engine``). Markdown
        with `diagram` ``svg`` (the default) also writes its drawings beside it, as
        ``NAME.network.svg``, ``NAME.forward.svg``, ``NAME.backward.svg``: images that
        GitHub and Pandoc both show (and ``NAME.curve.svg`` after a training run, and
        ``NAME.path-w5.svg`` for each parameter worked in full: see `figures`). The
        Markdown and its images are written together or not at all; ``mermaid`` writes
        the Markdown alone.
        """
        fmt = fmt or format_for_path(path)
        _check_diagram(fmt, diagram)
        if fmt != "md" or diagram == "mermaid":
            write_atomic(path, self.output(fmt, **options))
            return
        _check_options(
            fmt,
            fragment=options.get("fragment", False),
            slides=options.get("slides", False),
            engine=options.get("engine"),
        )
        target = Path(path)
        figures = self.figures()
        files = {figure.key: image_path(target, figure.key) for figure in figures}
        markdown = self.render("md", images={key: f.name for key, f in files.items()})
        images = [(files[figure.key], self.figure(figure)) for figure in figures]
        write_files([*images, (target, markdown)])

    def __repr__(self) -> str:
        return f"<Walkthrough of {_describe_network(self.spec)}, detail={self.detail!r}>"

    def _repr_markdown_(self) -> str:
        return self.render("md")

    def _repr_html_(self) -> str:
        """Jupyter shows the walkthrough as HTML: MathML math and the SVG network, with
        its styles scoped to the walkthrough so the notebook keeps its own look."""
        return self.render("html", fragment=True)


def image_path(markdown: Path, key: str) -> Path:
    """The SVG file of one drawing of a Markdown walkthrough (`Figure.key`, or a stage):
    beside it, named after it."""
    return markdown.with_name(f"{markdown.stem}.{key}.svg")


def _check_diagram(fmt: str, diagram: str) -> None:
    if diagram not in DIAGRAMS:
        raise UsageError(f"unknown diagram kind {diagram!r} (known: {', '.join(DIAGRAMS)})")


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


def build_walkthrough(
    source: str | Path | NetworkSpec | Mapping[str, Any],
    *,
    digits: int | None = None,
    detail: str = "full",
    check: bool = False,
    steps: int | None = None,
    notation: str = "classic",
    only: str | list[str] | tuple[str, ...] | None = None,
    limits: Limits = DEFAULT,
    lang: str = "en",
    decimal_comma: bool | None = None,
    pace: str = "full",
    author: str = "",
    course: str = "",
    date: str = "",
) -> Walkthrough:
    """Run the pipeline on a spec file, a preset name or a `NetworkSpec`.

    `lang` (en, de, fr, es) is the language of the prose, with its decimal mark unless
    `decimal_comma` forces one; `pace` (full, lecture) and `author`, `course`, `date`
    shape the slides.

    `check` also proves every factorization against the direct derivative (`derive.verify`);
    `steps` appends a training run of that many updates; `notation` is ``classic`` or
    ``layered``; `only` names the parameters the backward pass shows (``"w5,w1"``).
    The network's size and the training's work are checked against `limits` first.
    """
    if detail not in DETAILS:
        raise UsageError(f"unknown detail level {detail!r} (known: {', '.join(DETAILS)})")
    if notation not in NOTATIONS:
        raise UsageError(f"unknown notation {notation!r} (known: {', '.join(NOTATIONS)})")
    _check_digits(digits)
    language = Language.of(lang, decimal_comma)
    if pace not in PACES:
        raise UsageError(f"unknown pace {pace!r} (known: {', '.join(PACES)})")
    spec = _spec(source)
    check_network(limits, spec.layers, spec.bias)
    if steps is not None:
        check_steps(spec, steps, None, limits)
    derivation = derive(build_network(spec))
    chosen = _parameters(only, derivation) if only is not None else None
    step = train_step(derivation)
    verification = verify(derivation) if check else None
    training = train(derivation, steps, limits=limits) if steps is not None else None
    network = derivation.network
    return Walkthrough(
        network.spec,
        network,
        derivation,
        step,
        verification,
        detail,
        digits,
        training,
        notation,
        chosen,
        limits,
        language,
        pace,
        Byline(author, course, date),
    )


def _parameters(only: str | list[str] | tuple[str, ...], derivation: Derivation) -> tuple[str, ...]:
    """The parameter names of --only, each checked to exist (with a did-you-mean hint)."""
    names = [n.strip() for n in only.split(",")] if isinstance(only, str) else list(only)
    known = [p.name for p in derivation.network.parameters]
    for name in names:
        if name not in known:
            close = difflib.get_close_matches(name, known, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise UsageError(
                f"--only: no parameter named {name!r}{hint} (parameters: {', '.join(known)})"
            )
    if not names:
        raise UsageError("--only: expected parameter names such as w5,w1")
    return tuple(names)


def _check_digits(digits: int | None) -> None:
    if digits is not None and not 1 <= digits <= 30:
        raise UsageError(f"--digits: expected an integer from 1 to 30, got {digits}")


def _spec(source: str | Path | NetworkSpec | Mapping[str, Any]) -> NetworkSpec:
    if isinstance(source, NetworkSpec):
        return source
    if isinstance(source, Mapping):
        return spec_from_mapping(source)
    return load_spec(source)


@dataclass(frozen=True)
class Training:
    """A training run of many steps, ready to render as Markdown, JSON or CSV, or to plot."""

    run: TrainingRun
    digits: int | None = None
    lang: Language = field(default_factory=Language)

    def render(self, fmt: str = "md") -> str:
        if fmt not in TRAIN_FORMATS:
            raise UsageError(f"unknown format {fmt!r} (known: {', '.join(TRAIN_FORMATS)})")
        if fmt == "json":
            return json.dumps(self.to_json(), indent=2) + "\n"
        if fmt == "csv":
            return training_csv(self.run)
        report = build_training_report(self.run, digits=self.digits)
        return render(report, "train-md", lang=self.lang)

    def to_json(self) -> dict[str, Any]:
        return training_json(self.run)

    def save(self, path: str | Path, fmt: str | None = None) -> None:
        write_atomic(path, self.render(fmt or train_format_for_path(path)))

    def plot(self, path: str | Path) -> None:
        """Write the error curve (log scale) to an .svg, .pdf or .png file."""
        write_atomic(path, self.plot_data(path))

    def plot_data(self, path: str | Path) -> str | bytes:
        """The error curve (log scale) as the .svg text, or the .pdf or .png bytes, that
        `path` asks for."""
        words = TrainingProse(build_training_report(self.run).training, self.lang)
        title = words.report_curve_title(self.run.network.spec.title)
        return error_curve(
            self.run.curve, title, "." + plot_format_for_path(path), **curve_layout(words)
        )

    def __repr__(self) -> str:
        return f"<Training of {_describe_network(self.run.network.spec)}: {self.run.steps} steps>"

    def _repr_markdown_(self) -> str:
        return self.render("md")


def _describe_network(spec: NetworkSpec) -> str:
    """One short line for a repr: the title and the sizes, however big the network."""
    title = spec.title if len(spec.title) <= 60 else spec.title[:57] + "..."
    sizes = "-".join(map(str, spec.layers))
    sizes = sizes if len(sizes) <= 40 else f"{len(spec.layers)} layers"
    return f"{title!r} ({sizes}, {spec.loss})"


def train_network(
    source: str | Path | NetworkSpec | Mapping[str, Any],
    steps: int,
    *,
    every: int | None = None,
    digits: int | None = None,
    precision: str = "float",
    limits: Limits = DEFAULT,
    lang: str = "en",
    decimal_comma: bool | None = None,
) -> Training:
    """Train the network of a spec for `steps` updates (``derive train``); its report in
    `lang` (en, de, fr, es), with that language's decimal mark unless `decimal_comma`."""
    language = Language.of(lang, decimal_comma)
    _check_digits(digits)
    spec = _spec(source)
    check_network(limits, spec.layers, spec.bias)
    check_steps(spec, steps, every, limits)
    run = train(derive(build_network(spec)), steps, every=every, precision=precision, limits=limits)
    return Training(run, digits, language)
