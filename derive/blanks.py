"""Guided exercises: a walkthrough with chosen values left blank, and its key.

`blank_document` rewrites a format-free `Document`: the value of each chosen step, and
(with `propagate`) of every step computed from it, becomes a `Gap` — a numbered blank
record that every printer shows as a gap to fill in (or, in the key, as the value boxed).
Where a blanked number would reappear substituted into a later formula it is a gap too,
so no later line gives it away. The rest of the walkthrough is unchanged: a student fills
in the gaps in order, each with the formula above it.

Chosen steps are named as `--ask` names them (``net_h1``, ``dE/dw5``, ``w5+``,
``delta_o1``, ``E_total+``; a bare parameter ``w5`` means its gradient, and so its update),
or ``every:N``: every N-th worked value of the walkthrough, each alone (nothing propagates,
so the steps between stay a guide).
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any

import sympy as sp

from derive.asking import quantities, resolve, split_names
from derive.document import Document, Equation
from derive.errors import UsageError
from derive.expr import substitute
from derive.numeric import Value, ctx, plain
from derive.walkthrough import Walkthrough

#: how wide a gap is, in the units of each syntax
GAP_EM = 4
#: significant digits by which a number is recognized (see `_key`)
KEY_DIGITS = 14


class Gap(sp.Symbol):
    """A blank in a guided exercise: `number` labels it, `value` is what belongs there.

    `key` gaps print the value boxed instead of an empty gap. Comparisons with numbers use
    the value, so a template that asks whether the error fell still can.
    """

    number: int
    value: Value
    key: bool

    def __new__(cls, number: int, value: Value, key: bool) -> Gap:
        gap = super().__new__(cls, f"gap{number}{'key' if key else ''}")
        gap.number, gap.value, gap.key = number, value, key
        return gap

    def __getnewargs__(self):  # pragma: no cover - pickling is not used
        return (self.number, self.value, self.key)

    def _value(self, printer) -> Any:
        return printer._print(sp.Float(self.value, 50))

    def _derive_latex(self, printer, **_: Any) -> str:
        label = rf"_{{\scriptscriptstyle ({self.number})}}"
        if self.key:
            return rf"\boxed{{{self._value(printer)}}}{label}"
        return rf"\underline{{\hspace{{{GAP_EM}em}}}}{label}"

    def _derive_typst(self, printer, **_: Any) -> str:
        label = f"_(({self.number}))"
        if self.key:
            return (
                f'#box(stroke: 0.8pt + rgb("#b35900"), inset: 2pt, ${self._value(printer)}$){label}'
            )
        return f"#box(width: {GAP_EM}em, height: 0.8em, stroke: (bottom: 0.6pt)){label}"

    def _derive_mathml(self, printer, **_: Any):
        # MathML Core (what browsers draw) has no menclose: CSS draws the line and the box
        label = printer._element("mn", text=f"({self.number})")
        if self.key:
            inner = printer._element("mrow", self._value(printer))
            inner.setAttribute("style", "border: 1.5px solid #b35900; padding: 0 2px")
        else:
            inner = printer._element("mspace")
            inner.setAttribute("width", f"{GAP_EM}em")
            inner.setAttribute("height", "0.9em")
            inner.setAttribute("style", "border-bottom: 1px solid currentColor")
        return printer._element("msub", inner, label)

    def _derive_svg(self, printer, **_: Any) -> str:
        # a label of a drawing (plain SVG text): the value marked, or a line to fill in
        label = f'<tspan baseline-shift="sub" font-size="70%">({self.number})</tspan>'
        if self.key:
            return f'<tspan font-weight="bold">{self._value(printer)}</tspan>{label}'
        return "\N{EM DASH}" * 3 + label

    def _derive_width(self, printer, **_: Any) -> float:
        return 2.0 * GAP_EM + 1.0

    def as_text(self, digits: int) -> str:
        """The gap in plain text (an HTML table cell, a percentage)."""
        return (
            f"{plain(self.value, digits)} ({self.number})" if self.key else f"____ ({self.number})"
        )

    # comparisons with numbers use the true value (a Symbol would give a relation)
    def __gt__(self, other):
        return self.value > other

    def __lt__(self, other):
        return self.value < other

    def __ge__(self, other):
        return self.value >= other

    def __le__(self, other):
        return self.value <= other

    __hash__ = sp.Symbol.__hash__


def chosen_values(walkthrough: Walkthrough, blanks: str) -> tuple[list[Value], bool]:
    """The values to blank and whether what depends on them is blanked too."""
    text = blanks.strip()
    every = re.fullmatch(r"every:(\d+)", text)
    if every:
        n = int(every[1])
        if n < 1:
            raise UsageError(f"--blanks every:N: expected N ≥ 1, got {n}")
        document = walkthrough.document
        given = _given(document)
        worked = [v for v in _worked_values(document) if _key(v) not in given]
        return worked[n - 1 :: n], False
    known = quantities(walkthrough.step)
    names = []
    for name in split_names(text):
        bare = re.fullmatch(r"[wb]\d+", name.strip())
        names.append(f"dE/d{name.strip()}" if bare else name)
    return [known[name].value for name in resolve(names, known, "--blanks")], True


def _check_written(walkthrough: Walkthrough, blanks: str, values: list[Value]) -> None:
    """Refuse a named quantity the walkthrough never writes out (δ_h1 of a classic one)."""
    written = {_key(v) for v in _worked_values(walkthrough.document)}
    names = split_names(blanks)
    for name, value in zip(names, values, strict=False):
        if _key(value) not in written:
            raise UsageError(
                f"--blanks: {name} is not written out in this walkthrough, so it cannot be "
                "left blank; name a step it shows (e.g. its gradient dE/dw1)"
            )


def _worked_values(document: Document) -> list[Value]:
    """The values of the worked steps in reading order, once each (not the given ones)."""
    seen: dict[str, Value] = {}
    for equation in _equations((document.samples, document.after)):
        if equation.value is not None and equation.forms:
            seen.setdefault(_key(equation.value), equation.value)
    return list(seen.values())


def _equations(node: Any):
    if isinstance(node, Equation):
        yield node
    elif dataclasses.is_dataclass(node) and not isinstance(node, type):
        for item in dataclasses.fields(node):
            yield from _equations(getattr(node, item.name))
    elif isinstance(node, tuple | list):
        for item in node:
            yield from _equations(item)


class _Blanker:
    """Rewrites a document, numbering the gaps in reading order."""

    def __init__(
        self,
        values: list[Value],
        propagate: bool,
        key: bool,
        given: set,
        labels: dict[str, int] | None = None,
    ) -> None:
        # a number the student is given (an input, a weight, η) is never a gap, even
        # where a worked value equals it (∂net_h1/∂w1 = i1)
        self.given = given
        self.blank: set[str] = {_key(v) for v in values} - given
        self.propagate = propagate
        self.key = key
        self.labels = labels or {}
        self.gaps: dict[str, Gap] = {}

    def gap(self, value: Value | sp.Float) -> Gap:
        key = _key(value)
        if key not in self.gaps:
            exact = value if not isinstance(value, sp.Float) else ctx.mpf(value._mpf_)
            number = self.labels.get(key, len(self.gaps) + 1)
            self.gaps[key] = Gap(number, exact, self.key)
        return self.gaps[key]

    def equation(self, equation: Equation) -> Equation:
        if equation.value is None or isinstance(equation.value, Gap):
            return equation
        floats = {f for form in equation.forms for f in form.atoms(sp.Float)}
        hit = {f for f in floats if _key(f) in self.blank}
        own = _key(equation.value) in self.blank
        if _key(equation.value) in self.given:
            return equation
        if not (own or (hit and self.propagate)):
            return self._forms(equation, hit)
        if self.propagate and _key(equation.value) not in self.given:
            self.blank.add(_key(equation.value))
        equation = self._forms(equation, hit)
        return dataclasses.replace(equation, value=self.gap(equation.value))

    def _forms(self, equation: Equation, hit: set) -> Equation:
        if not hit:
            return equation
        mapping = {number: self.gap(number) for number in hit}
        forms = tuple(substitute(form, mapping) for form in equation.forms)
        return dataclasses.replace(equation, forms=forms)

    def node(self, node: Any) -> Any:
        if isinstance(node, Equation):
            return self.equation(node)
        if isinstance(node, tuple):
            return tuple(self.node(item) for item in node)
        if dataclasses.is_dataclass(node) and not isinstance(node, type):
            changes = {f.name: self.node(getattr(node, f.name)) for f in dataclasses.fields(node)}
            return dataclasses.replace(node, **changes)
        if isinstance(node, ctx.mpf) and _key(node) in self.blank:
            return self.gap(node)
        return node


def blank_document(
    document: Document,
    values: list[Value],
    *,
    propagate: bool,
    key: bool,
    labels: dict[str, int] | None = None,
) -> Document:
    """The document with the chosen values (and, with `propagate`, what depends on them)
    as gaps; `key` shows each gap's value boxed instead. `labels` numbers the gaps of
    given values (by `_key`), else they are numbered in reading order."""
    blanker = _Blanker(values, propagate, key, given=_given(document), labels=labels)
    body = ("samples", "batch", "summary", "after")
    # twice: a value worked out late may have appeared in an earlier line
    for _ in range(2):
        changes = {name: blanker.node(getattr(document, name)) for name in body}
    changes["after"] = _after(changes["after"], blanker)
    return dataclasses.replace(document, **changes)


def _key(value: Value | sp.Float) -> str:
    """A value to 14 significant digits, by which a number is recognized wherever it is
    written: the numbers substituted into a formula are doubles (≈16 digits), and the same
    quantity computed along two paths differs in its last digits."""
    number = ctx.mpf(value._mpf_) if isinstance(value, sp.Float) else value
    return ctx.nstr(number, KEY_DIGITS)


def _given(document: Document) -> set[str]:
    """The numbers of the overview: what the walkthrough starts from."""
    overview = document.overview
    values = [e.value for e in _equations(overview) if e.value is not None]
    values += [row.value for row in (*overview.weights, *overview.biases)]
    return {_key(v) for v in values}


def _after(after: Any, blanker: _Blanker) -> Any:
    """The error before and after the update, and its change: gaps when either is one."""
    if isinstance(after.before, Gap) or isinstance(after.after, Gap):
        return dataclasses.replace(
            after,
            change=blanker.gap(after.change),
            relative=blanker.gap(after.relative),
        )
    return after


def guided(walkthrough: Walkthrough, blanks: str, fmt: str) -> tuple[str | bytes, str | bytes]:
    """The guided exercise and its key, both in `fmt` (md, tex, beamer, typst, html, pdf)."""
    from derive.typeset import typst_pdf

    if fmt == "json":
        raise UsageError(
            "--blanks: JSON holds numbers, not a document with gaps; pick another format"
        )
    values, propagate = chosen_values(walkthrough, blanks)
    if not values:
        raise UsageError(f"--blanks {blanks}: chooses no step of this walkthrough")
    _check_written(walkthrough, blanks, values)
    documents = [
        blank_document(walkthrough.document, values, propagate=propagate, key=key)
        for key in (False, True)
    ]

    if fmt == "pdf":
        pdfs = (typst_pdf(render_as(walkthrough, d, "typst")) for d in documents)
        return tuple(pdfs)  # type: ignore[return-value]
    return tuple(render_as(walkthrough, d, fmt) for d in documents)  # type: ignore[return-value]


def highlighted(walkthrough: Walkthrough, values: list[Value]) -> Document:
    """The walkthrough with each of `values` boxed where it is worked out and where it is
    used, labelled by its place in `values` (an exercise key: the question numbers)."""
    labels = {_key(v): number for number, v in enumerate(values, start=1)}
    return blank_document(walkthrough.document, values, propagate=False, key=True, labels=labels)


def render_as(walkthrough: Walkthrough, document: Document, template: str) -> str:
    """`document` rendered as `walkthrough` renders its own: same language, pace, byline."""
    from derive.render import render

    options = {
        name: getattr(walkthrough, name)
        for name in ("lang", "pace", "byline")
        if hasattr(walkthrough, name)
    }
    return render(document, template, **options)
