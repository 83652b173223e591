"""The network drawing, laid out once for every format: where each neuron, edge and label
goes, how large its text is, and which parts light up for the parameter being derived.

`build_diagram` reads a `Document` and returns a `Diagram`: plain records in centimetres
(y growing downwards) with every label's box, line baselines and font size already
decided, so the TikZ, Typst and SVG templates only place what it says. It draws four
stages of the same network:

    network    weights on their edges, inputs and targets beside their neurons
    forward    the same, with net and out on every neuron after the forward pass
    backward   each weight's gradient and new value on its edge
    path       the forward drawing with one parameter's chain rule lit (only the lit
               parts carry their numbers): the factors
               ∂E/∂out (everything downstream), ∂out/∂net (the neuron) and ∂net/∂p (the
               parameter's edge and its source) each in a colour *and* a line style, so
               the picture reads in black and white, with a legend naming each factor

Labels are placed greedily, each at the first free spot along its edge (or beside its
neuron), never over another label, a neuron or a title; when something does not fit the
columns and rows are spread and the placement tried again. The finished drawing is scaled
to its frame (an A4 page, a 16:9 slide); if its labels would then be smaller than the
frame's smallest legible size, the drawing keeps its edges and leaves the numbers to the
table, and says so (`Diagram.omitted`).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, replace

import sympy as sp
from sympy import Expr, Symbol

from derive.document import E_BATCH, Document, Equation, LayerInfo, ParameterStep
from derive.expr import add, mul
from derive.model import E_TOTAL
from derive.numeric import Value
from derive.printing import math_printer
from derive.printing.width import OPERATOR

PT = 2.54 / 72.27  # cm per point
EM_PER_UNIT = 0.62  # an em per character width of `derive.printing.width`, with some room
LINE = 1.3  # baseline to baseline, in font sizes
DEPTH = 0.3  # how far a subscript reaches below the last baseline, in font sizes
PAD = 1.6  # pt of white around a label's text
GAP = 0.1  # cm kept free between two boxes
COLUMN = 3.0  # cm between layers, at least (natural size, before scaling)
ROW = 1.7  # cm between neurons of a layer, at least
RADIUS = 0.42  # cm, a neuron's circle, at least
HEAD = 0.16  # cm, the length of an arrowhead
MOST_NAMED = 10  # more neurons than this in a layer: small unnamed dots
SPAN = 6.0  # cm, the strip a format centres a line of text in
DIGITS = 4  # significant digits of the numbers on a drawing (the text has them all)
STAGES = ("network", "forward", "backward", "path")


@dataclass(frozen=True)
class Frame:
    """Where a drawing is shown: the room it may take (cm) and its text sizes (pt).

    `font` is the label size at natural size; `smallest` the size below which a label is
    no longer legible there (a handout is read at arm's length, a slide from the back row).
    """

    name: str
    width: float
    height: float
    font: float
    smallest: float


PAGE = Frame("page", 15.5, 17.0, 8.0, 6.0)
SLIDE = Frame("slide", 14.6, 7.0, 8.0, 6.0)
#: a slide that also holds a formula under the drawing
SLIDE_SHORT = Frame("slide-short", 14.6, 4.4, 8.0, 6.0)
#: the web page and the Markdown image: a screen scrolls, so only the width is bounded
SCREEN = Frame("screen", 24.0, 40.0, 8.0, 7.0)


FRAMES = {f.name: f for f in (PAGE, SLIDE, SLIDE_SHORT, SCREEN)}


@dataclass(frozen=True)
class Style:
    """How a part of the drawing is stroked: colour, dash pattern and width.

    Slot 0 is the plain drawing; slots 1–3 are the factors of a chain rule, ∂E/∂out,
    ∂out/∂net and ∂net/∂p. The dash patterns differ as well as the colours, so the three
    stay apart when printed in black and white. `dasharray` is the SVG spelling (pt).
    """

    slot: int
    colour: str
    dash: str
    width: float
    dasharray: str

    @property
    def width_cm(self) -> float:
        return round(self.width * PT, 4)

    @property
    def dasharray_cm(self) -> str:
        """The dash pattern in cm (the unit of an SVG drawing's viewBox)."""
        if self.dasharray == "none":
            return "none"
        return " ".join(f"{float(part) * PT:.4f}" for part in self.dasharray.split())


STYLES = (
    Style(0, "#555555", "solid", 0.6, "none"),
    Style(1, "#b03a2e", "dashed", 1.8, "5 2.5"),
    Style(2, "#1f5fbf", "solid", 2.4, "none"),
    Style(3, "#1e8449", "dotted", 2.2, "0.1 3"),
)

#: which slot each kind of chain-rule factor takes (`Factor.kind`)
SLOT_OF_KIND = {
    "loss": 1,
    "hidden": 1,
    "softmax": 1,
    "activation": 2,
    "weight": 3,
    "bias": 3,
}

Point = tuple[float, float]


@dataclass(frozen=True)
class Line:
    """One line of a label, ``lhs = value``, and the y of its baseline."""

    lhs: Expr
    value: Value
    baseline: float


@dataclass(frozen=True)
class Label:
    """A box of text lines: its centre, its corner, its size, the font size (pt), and the
    slot whose border it takes (0: none, just white behind the text)."""

    x: float
    y: float
    left: float
    top: float
    width: float
    height: float
    font: float
    lines: tuple[Line, ...]
    slot: int = 0

    @property
    def em(self) -> float:
        """The font size in cm (the unit of an SVG drawing's viewBox)."""
        return round(self.font * PT, 4)

    @property
    def span(self) -> float:
        """The left edge of a `SPAN` wide strip centred on the label (where a format that
        places text by its corner centres each line)."""
        return round(self.x - SPAN / 2, 3)


@dataclass(frozen=True)
class Node:
    symbol: Symbol
    layer: int
    x: float
    y: float
    radius: float
    font: float
    slot: int
    label: Label | None

    @property
    def em(self) -> float:
        return round(self.font * PT, 4)

    @property
    def corner(self) -> Point:
        """The top left corner of the circle's square (where a format places a circle)."""
        return (round(self.x - self.radius, 3), round(self.y - self.radius, 3))


@dataclass(frozen=True)
class Edge:
    """A weight's edge from `start` to `end`, its arrowhead (a triangle whose tip is
    `end`), the slot of its stroke, and its label (None when labels are left out)."""

    parameter: Symbol
    start: Point
    end: Point
    head: tuple[Point, ...]
    slot: int
    label: Label | None


@dataclass(frozen=True)
class Bias:
    """A shared bias: a unit (its label is the box) with dashed edges to the neurons it
    feeds. A per-neuron bias has no unit: it is a line of its neuron's label."""

    parameter: Symbol
    label: Label
    ends: tuple[Point, ...]
    heads: tuple[tuple[Point, ...], ...]
    slot: int


@dataclass(frozen=True)
class Title:
    """A column's title (the layer's name, worded by the template) centred at x, y."""

    x: float
    y: float
    font: float
    layer: LayerInfo

    @property
    def em(self) -> float:
        return round(self.font * PT, 4)

    @property
    def span(self) -> float:
        """The left edge of a `SPAN` wide strip centred on the title."""
        return round(self.x - SPAN / 2, 3)

    @property
    def baseline(self) -> float:
        """The y of the baseline of a line of text centred at y (for formats that place
        text by its baseline)."""
        return round(self.y + 0.35 * self.font * PT, 3)


@dataclass(frozen=True)
class LegendEntry:
    """A sample of a slot's stroke from `start` to `end`, and the factor it stands for."""

    slot: int
    start: Point
    end: Point
    label: Label


@dataclass(frozen=True)
class Diagram:
    """A laid-out drawing: size (cm), parts, and what it leaves out.

    `omitted` counts the weights whose values are not on their edges because the labels
    would not be legible at this size (0: every number is drawn); the template says so
    and points to the table. `sample` is the sample whose values are drawn (0: one).
    """

    stage: str
    frame: str
    width: float
    height: float
    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]
    biases: tuple[Bias, ...]
    titles: tuple[Title, ...]
    legend: tuple[LegendEntry, ...]
    parameter: Symbol | None
    omitted: int
    named: bool
    digits: int
    sample: int
    styles: tuple[Style, ...] = STYLES

    @property
    def labelled(self) -> bool:
        return self.omitted == 0

    def labels(self) -> Iterable[Label]:
        """Every label of the drawing (for checks: none may overlap another)."""
        for node in self.nodes:
            if node.label is not None:
                yield node.label
        for edge in self.edges:
            if edge.label is not None:
                yield edge.label
        for bias in self.biases:
            yield bias.label
        for entry in self.legend:
            yield entry.label


# -- what each stage writes where -------------------------------------------------------------


@dataclass(frozen=True)
class _Content:
    """The lines of every label of one stage, and the slot of every part (no geometry)."""

    node_lines: dict[Symbol, tuple[Equation, ...]]
    edge_lines: dict[Symbol, tuple[Equation, ...]]
    bias_lines: dict[Symbol, tuple[Equation, ...]]
    node_slots: dict[Symbol, int]
    edge_slots: dict[Symbol, int]
    label_slots: dict[Symbol, int]
    legend: tuple[Equation, ...]
    legend_slots: tuple[int, ...]


def _gradient_symbol(doc: Document) -> Symbol:
    return E_BATCH if doc.batch is not None else E_TOTAL


def _stage_content(doc: Document, stage: str, step: ParameterStep | None, sample: int) -> _Content:
    """What one stage writes on each part, with the values of sample `sample` (0-based)."""
    ov = doc.overview
    given = ov.samples[sample]
    node_lines: dict[Symbol, tuple[Equation, ...]] = {}
    for q, neuron in zip(given.inputs, ov.layers[0].neurons, strict=True):
        node_lines[neuron] = (q,)
    walk = doc.samples[sample].forward
    forward = {n.neuron: n for layer in walk.layers for n in layer.neurons}
    outputs = ov.layers[-1].neurons
    errors = dict(zip(outputs, walk.errors.terms, strict=False))
    targets = dict(zip(outputs, given.targets, strict=True))
    for info in ov.layers[1:]:
        for neuron in info.neurons:
            lines: tuple[Equation, ...] = ()
            if stage in ("forward", "path"):
                lines = (forward[neuron].net, forward[neuron].out)
            if info.kind == "output" and stage != "backward":
                lines += (targets[neuron],)
                if stage != "network" and neuron in errors:
                    lines += (errors[neuron],)
            node_lines[neuron] = lines
    rows = {r.parameter: r for r in doc.summary}
    loss = _gradient_symbol(doc)

    def values(parameter: Symbol, given: Value) -> tuple[Equation, ...]:
        if stage != "backward":
            return (Equation(parameter, (), given),)
        row = rows[parameter]
        gradient = Equation(sp.Derivative(loss, parameter), (), row.gradient)
        if not row.updated:
            return (gradient,)
        return (gradient, Equation(Symbol(parameter.name + "+"), (), row.new))

    edge_lines = {w.parameter: values(w.parameter, w.value) for w in ov.weights}
    bias_lines = {}
    for b in ov.biases:
        if len(b.destinations) == 1:
            (neuron,) = b.destinations
            node_lines[neuron] = node_lines.get(neuron, ()) + values(b.parameter, b.value)
        else:
            bias_lines[b.parameter] = values(b.parameter, b.value)
    slots = _path_slots(doc, step) if stage == "path" and step is not None else None
    node_slots, edge_slots, label_slots, legend, legend_slots = slots or ({}, {}, {}, (), ())
    if stage == "path":
        # the drawing is about one path: only its parts carry their numbers
        edge_lines = {p: lines for p, lines in edge_lines.items() if p in edge_slots}
        node_lines = {n: lines for n, lines in node_lines.items() if n in node_slots}
    return _Content(
        node_lines,
        edge_lines,
        bias_lines,
        node_slots,
        edge_slots,
        label_slots,
        legend,
        legend_slots,
    )


def _path_slots(doc: Document, step: ParameterStep):
    """The parts of the drawing each factor of `step`'s chain rule stands for.

    ∂net_d/∂p (slot 3): p's edge (or bias unit) and its source neuron; ∂out_d/∂net_d
    (slot 2): the neuron d; ∂E/∂out_d (slot 1): every edge and neuron downstream of d, and
    the labels of the outputs reached (where their errors are written).
    """
    ov = doc.overview
    after: dict[Symbol, list[tuple[Symbol, Symbol]]] = {}
    for w in ov.weights:
        after.setdefault(w.source, []).append((w.parameter, w.destination))
    outputs = set(ov.layers[-1].neurons)
    node_slots: dict[Symbol, int] = {}
    edge_slots: dict[Symbol, int] = {}
    label_slots: dict[Symbol, int] = {}
    legend: dict[Expr, tuple[Equation, int]] = {}
    for destination, factors in zip(step.destinations, step.paths, strict=True):
        kinds = {SLOT_OF_KIND.get(f.kind, 1) for f in factors}
        for factor in factors:
            slot = SLOT_OF_KIND.get(factor.kind, 1)
            legend.setdefault(factor.equation.lhs, (factor.equation, slot))
        stack, seen = [destination], set()
        while stack:  # everything downstream of the destination: slot 1
            neuron = stack.pop()
            if neuron in seen:
                continue
            seen.add(neuron)
            if neuron != destination or 2 not in kinds:
                node_slots.setdefault(neuron, 1)
            if neuron in outputs:
                label_slots[neuron] = 1
            for parameter, onward in after.get(neuron, ()):
                edge_slots[parameter] = 1
                stack.append(onward)
        if 2 in kinds:
            node_slots[destination] = 2
        edge_slots[step.parameter] = 3
        if step.source is not None:
            node_slots[step.source] = 3
    entries = sorted(legend.values(), key=lambda pair: pair[1])
    return (
        node_slots,
        edge_slots,
        label_slots,
        tuple(e for e, _ in entries),
        tuple(s for _, s in entries),
    )


# -- measuring ------------------------------------------------------------------------------


class _Measure:
    """Text sizes in cm, from the width estimate of `derive.printing.width`."""

    def __init__(self, doc: Document) -> None:
        self.width = math_printer("width", DIGITS, doc.notation, slash=True)

    def line(self, eq: Equation, font: float) -> float:
        # a value may be a blank of a guided exercise (derive.blanks.Gap), printed as such
        value = eq.value if isinstance(eq.value, Expr) else sp.Float(eq.value, 50)
        units = self.width(eq.lhs) + OPERATOR + self.width(value)
        return units * EM_PER_UNIT * font * PT

    def text(self, characters: int, font: float) -> float:
        return characters * 0.5 * font * PT

    def box(self, lines: tuple[Equation, ...], font: float) -> tuple[float, float]:
        width = max(self.line(eq, font) for eq in lines) + 2 * PAD * PT
        # the last line's subscripts reach below its baseline: room for them as well
        height = (len(lines) * LINE + DEPTH) * font * PT + 2 * PAD * PT
        return width, height


# -- placing ----------------------------------------------------------------------------------

Rect = tuple[float, float, float, float]  # left, top, right, bottom


def _overlaps(a: Rect, b: Rect) -> bool:
    return a[0] < b[2] + GAP and b[0] < a[2] + GAP and a[1] < b[3] + GAP and b[1] < a[3] + GAP


@dataclass
class _Board:
    """The boxes placed so far; a new box goes where it overlaps none of them."""

    rects: list[Rect]

    def free(self, rect: Rect) -> bool:
        return not any(_overlaps(rect, other) for other in self.rects)

    def take(self, rect: Rect) -> None:
        self.rects.append(rect)


def _rect(cx: float, cy: float, size: tuple[float, float]) -> Rect:
    return (cx - size[0] / 2, cy - size[1] / 2, cx + size[0] / 2, cy + size[1] / 2)


class _Failed(Exception):
    """A label found no free spot: `what` says whether an edge's or a neuron's."""

    def __init__(self, what: str) -> None:
        self.what = what


@dataclass(frozen=True)
class _Placed:
    """A drawing at natural size: parts as records, centres of label boxes in cm."""

    nodes: list[Node]
    edges: list[Edge]
    biases: list[Bias]
    titles: list[Title]


def _place(
    doc: Document,
    content: _Content,
    measure: _Measure,
    font: float,
    column: float,
    row: float,
    labelled: bool,
    named: bool,
) -> _Placed:
    ov = doc.overview
    tallest = max(ov.sizes)
    name_font = font * 1.15
    names = math_printer("width", DIGITS, doc.notation)
    widest_name = max(names(n) for info in ov.layers for n in info.neurons)
    radius = max(RADIUS, widest_name * EM_PER_UNIT * name_font * PT / 2 + 0.08) if named else 0.12
    title_height = LINE * font * PT
    top = title_height + radius + 0.25
    board = _Board([])
    titles = []
    xs = [i * column for i in range(len(ov.layers))]
    centres: dict[Symbol, Point] = {}
    for info, x in zip(ov.layers, xs, strict=True):
        count = len(info.neurons)
        offset = top + (tallest - count) * row / 2
        for j, neuron in enumerate(info.neurons):
            centres[neuron] = (x, offset + j * row)
            board.take(_rect(x, offset + j * row, (2 * radius, 2 * radius)))
        titles.append(Title(x, title_height / 2, font, info))
        board.take(_rect(x, title_height / 2, (measure.text(16, font), title_height)))
    bottom = top + (tallest - 1) * row
    biases = (
        _place_biases(ov, content, measure, font, centres, xs, bottom + row * 0.75, radius)
        if labelled
        else []
    )
    for bias in biases:
        board.take(_box(bias.label))
    layer_of = {n: info for info in ov.layers for n in info.neurons}
    nodes = []
    for neuron, (x, y) in centres.items():
        info = layer_of[neuron]
        lines = content.node_lines.get(neuron, ()) if labelled else ()
        label = None
        if lines:
            size = measure.box(lines, font)
            label = _first_free(board, _node_spots(info.kind, x, y, radius, size), size, "node")
            label = _label(label, size, font, lines, content.label_slots.get(neuron, 0))
        nodes.append(
            Node(
                neuron,
                info.number,
                x,
                y,
                radius,
                name_font,
                content.node_slots.get(neuron, 0),
                label,
            )
        )
    edges = []
    sources = {info.number: info.neurons for info in ov.layers}
    for w in ov.weights:
        start_c, end_c = centres[w.source], centres[w.destination]
        start, end = _toward(end_c, start_c, radius), _toward(start_c, end_c, radius)
        label = None
        lines = content.edge_lines.get(w.parameter, ()) if labelled else ()
        if lines:
            size = measure.box(lines, font)
            layer = layer_of[w.source]
            k, lanes = sources[layer.number].index(w.source), len(sources[layer.number])
            spots = _edge_spots(start_c, end_c, radius, size, k, lanes)
            label = _label(_first_free(board, spots, size, "edge"), size, font, lines, 0)
        edges.append(
            Edge(
                w.parameter,
                start,
                end,
                arrowhead(start, end),
                content.edge_slots.get(w.parameter, 0),
                label,
            )
        )
    return _Placed(nodes, edges, biases, titles)


def _box(label: Label) -> Rect:
    return (label.left, label.top, label.left + label.width, label.top + label.height)


def _first_free(
    board: _Board, spots: Iterable[Point], size: tuple[float, float], what: str
) -> Point:
    for cx, cy in spots:
        rect = _rect(cx, cy, size)
        if board.free(rect):
            board.take(rect)
            return cx, cy
    raise _Failed(what)


def _node_spots(kind: str, x: float, y: float, radius: float, size: tuple[float, float]):
    """Where a neuron's label may go, best first: inputs to the left, outputs to the right,
    hidden neurons below or above (edges run sideways from them)."""
    w, h = size
    side = radius + GAP + 0.04
    right, left = x + side + w / 2, x - side - w / 2
    # beside the neuron: level with it, then its top or bottom edge level with the circle's
    level = [y, y + h / 2 - radius, y - h / 2 + radius]
    below = (x, y + side + h / 2)
    above = (x, y - side - h / 2)
    if kind == "input":
        return [*((left, v) for v in level), above, below]
    if kind == "output":
        return [*((right, v) for v in level), below, above]
    return [below, above, (right, y + side + h / 2), (left, y + side + h / 2)]


def _edge_spots(
    start: Point, end: Point, radius: float, size: tuple[float, float], k: int, lanes: int
):
    """Points along an edge where its label may be centred: the source's own lane first
    (the labels of one source's edges fan out there), then ever further from it."""
    lane = (k + 1) / (lanes + 1)
    ts = [lane]
    for i in range(1, 36):
        ts += [lane - 0.025 * i, lane + 0.025 * i]
    low, high = start[0] + radius + size[0] / 2 + GAP, end[0] - radius - size[0] / 2 - GAP
    for t in ts:
        if 0.08 <= t <= 0.92:
            x = start[0] + (end[0] - start[0]) * t
            if low <= x <= high:
                y = start[1] + (end[1] - start[1]) * t
                # on the edge; else resting on it from above or hanging from it below
                yield x, y
                yield x, y - size[1] * 0.4
                yield x, y + size[1] * 0.4


def _label(
    centre: Point, size: tuple[float, float], font: float, lines: tuple[Equation, ...], slot: int
) -> Label:
    cx, cy = centre
    w, h = size
    top = cy - h / 2
    first = top + PAD * PT + font * PT * 0.95
    placed = tuple(
        Line(eq.lhs, eq.value, first + i * LINE * font * PT) for i, eq in enumerate(lines)
    )
    return Label(cx, cy, cx - w / 2, top, w, h, font, placed, slot)


def _place_biases(ov, content, measure, font, centres, xs, y, radius) -> list[Bias]:
    biases = []
    for b in ov.biases:
        if len(b.destinations) == 1:
            continue  # a line of its neuron's label
        layer = next(i for i, info in enumerate(ov.layers) if b.destinations[0] in info.neurons)
        x = xs[layer - 1] + (xs[layer] - xs[layer - 1]) * 0.3
        lines = content.bias_lines[b.parameter]
        size = measure.box(lines, font)
        label = _label((x, y), size, font, lines, 0)
        ends = tuple(_toward((x, y), centres[n], radius) for n in b.destinations)
        heads = tuple(arrowhead((x, y), end) for end in ends)
        slot = content.edge_slots.get(b.parameter, 0)
        biases.append(Bias(b.parameter, label, ends, heads, slot))
    return biases


# -- the whole drawing --------------------------------------------------------------------


def build_diagram(
    doc: Document,
    stage: str = "network",
    frame: Frame = PAGE,
    step: ParameterStep | None = None,
    sample: int = 0,
) -> Diagram:
    """The drawing of `doc`'s network at one stage, fitted to `frame`, with the values of
    sample `sample` (0-based); for the ``path`` stage `step` names the parameter whose
    chain rule is lit."""
    if stage not in STAGES:
        raise ValueError(f"unknown stage {stage!r}")
    content = _stage_content(doc, stage, step, sample)
    measure = _Measure(doc)
    named = max(doc.overview.sizes) <= MOST_NAMED
    # a layer of unnamed dots has no room for numbers: its drawing leaves them all out
    placed = _grow(doc, content, measure, frame, labelled=True, named=True) if named else None
    reserved = _legend_height(content, measure, frame)
    if placed is not None:
        scale = _scale(placed, frame, reserved)
        if frame.font * scale >= frame.smallest:
            return _finish(
                doc, stage, frame, placed, scale, content, measure, step, sample, omitted=0
            )
    bare = _grow(doc, content, measure, frame, labelled=False, named=named)
    assert bare is not None  # without labels nothing can collide
    scale = _scale(bare, frame, reserved)
    if named and frame.font * 1.15 * scale < frame.smallest:
        named = False
        bare = _grow(doc, content, measure, frame, labelled=False, named=False)
        scale = _scale(bare, frame, reserved)
    omitted = len(doc.overview.weights)
    return _finish(doc, stage, frame, bare, scale, content, measure, step, sample, omitted=omitted)


#: ways of spreading a drawing whose labels do not fit: (columns, rows) growth per try
SPREADS = ((1.08, 1.12), (1.04, 1.08), (1.12, 1.04), (1.03, 1.15), (1.02, 1.05), (1.05, 1.02))
#: more weights than this: their labels are not even tried (they could not be legible)
MOST_LABELLED = 80


def _grow(doc, content, measure, frame, *, labelled: bool, named: bool) -> _Placed | None:
    """Place everything, spreading columns and rows until every label has a free spot;
    of the few ways of spreading, the one that needs the least shrinking to fit the frame."""
    tallest = max(doc.overview.sizes)
    column, row = COLUMN, ROW if tallest <= MOST_NAMED else ROW * MOST_NAMED / tallest
    if not named:
        column = max(1.2, COLUMN * MOST_NAMED / max(tallest, MOST_NAMED))
    if not labelled:
        return _place(doc, content, measure, frame.font, column, row, False, named)
    if len(doc.overview.weights) > MOST_LABELLED:
        return None
    best, best_scale = None, 0.0
    reserved = _legend_height(content, measure, frame)
    for widen, heighten in SPREADS:
        placed = _spread(doc, content, measure, frame, column, row, widen, heighten, named)
        if placed is not None and _scale(placed, frame, reserved) > best_scale + 1e-9:
            best, best_scale = placed, _scale(placed, frame, reserved)
        if best_scale >= 1.0:
            break
    return best


def _spread(doc, content, measure, frame, column, row, widen, heighten, named):
    for _ in range(40):
        try:
            return _place(doc, content, measure, frame.font, column, row, True, named)
        except _Failed as failed:
            if failed.what == "edge":
                column, row = column * widen, row * heighten
            else:
                column, row = column * 1.03, row * 1.15
    return None


def _extent(placed: _Placed) -> Rect:
    rects = [(n.x - n.radius, n.y - n.radius, n.x + n.radius, n.y + n.radius) for n in placed.nodes]
    rects += [_box(n.label) for n in placed.nodes if n.label is not None]
    rects += [_box(e.label) for e in placed.edges if e.label is not None]
    rects += [_box(b.label) for b in placed.biases]
    rects += [(t.x - 1.0, 0.0, t.x + 1.0, LINE * t.font * PT) for t in placed.titles]
    return (
        min(r[0] for r in rects),
        min(r[1] for r in rects),
        max(r[2] for r in rects),
        max(r[3] for r in rects),
    )


def _scale(placed: _Placed, frame: Frame, reserved: float = 0.0) -> float:
    """How much the drawing shrinks to fit the frame, `reserved` cm of height kept free."""
    left, top, right, bottom = _extent(placed)
    room = max(frame.height - reserved, frame.height / 3)
    return min(1.0, (frame.width - 0.2) / (right - left), room / (bottom - top))


def _finish(
    doc, stage, frame, placed, scale, content, measure, step, sample, *, omitted
) -> Diagram:
    """Moved to the origin, scaled to the frame, rounded; the legend below at full size.
    The drawing and each row of the legend are centred on the wider of the two (a legend
    wider than a small drawing left the drawing at its left end)."""
    left, top, right, bottom = _extent(placed)
    margin = 0.1
    drawn = (right - left) * scale + 2 * margin
    rows = _legend_rows(content, measure, frame)
    width = max(drawn, max((_row_width(row) + 0.2 for row in rows), default=0.0))
    shift = (width - drawn) / 2

    def at(p: Point) -> Point:
        return _r(((p[0] - left) * scale + margin + shift, (p[1] - top) * scale + margin))

    def label(lab: Label | None) -> Label | None:
        if lab is None:
            return None
        x, y = at((lab.x, lab.y))
        corner = at((lab.left, lab.top))
        lines = tuple(replace(line, baseline=at((0, line.baseline))[1]) for line in lab.lines)
        return replace(
            lab,
            x=x,
            y=y,
            left=corner[0],
            top=corner[1],
            width=round(lab.width * scale, 3),
            height=round(lab.height * scale, 3),
            font=round(lab.font * scale, 2),
            lines=lines,
        )

    nodes = tuple(
        replace(
            n,
            x=at((n.x, n.y))[0],
            y=at((n.x, n.y))[1],
            radius=round(n.radius * scale, 3),
            font=round(n.font * scale, 2),
            label=label(n.label),
        )
        for n in placed.nodes
    )
    edges = []
    for e in placed.edges:
        start, end = at(e.start), at(e.end)
        edges.append(
            replace(e, start=start, end=end, head=arrowhead(start, end), label=label(e.label))
        )
    biases = []
    for b in placed.biases:
        box = label(b.label)
        ends = tuple(at(p) for p in b.ends)
        heads = tuple(arrowhead((box.x, box.y), end) for end in ends)
        biases.append(replace(b, label=box, ends=ends, heads=heads))
    titles = tuple(
        replace(t, x=at((t.x, 0))[0], y=at((0, t.y))[1], font=round(t.font * scale, 2))
        for t in placed.titles
    )
    height = (bottom - top) * scale + 2 * margin
    legend, height = _legend(rows, frame, height, width)
    return Diagram(
        stage,
        frame.name,
        round(width, 3),
        round(height, 3),
        nodes,
        tuple(edges),
        tuple(biases),
        titles,
        legend,
        step.parameter if step is not None and stage == "path" else None,
        omitted,
        all(n.radius > 0.15 for n in nodes) and max(doc.overview.sizes) <= MOST_NAMED,
        DIGITS,
        sample + 1 if len(doc.samples) > 1 else 0,
    )


SAMPLE = 0.9  # cm, the stroke sample of a legend entry
ENTRY_GAP = 0.5  # cm between two legend entries on a row


def _legend_rows(content: _Content, measure: _Measure, frame: Frame):
    """The legend's entries in rows as wide as the frame: (equation, slot, size) each."""
    rows: list[list] = [[]]
    used = 0.0
    for eq, slot in zip(content.legend, content.legend_slots, strict=True):
        size = measure.box((eq,), frame.font)
        width = SAMPLE + 0.1 + size[0]
        if rows[-1] and used + ENTRY_GAP + width > frame.width - 0.2:
            rows.append([])
            used = 0.0
        used += (ENTRY_GAP if rows[-1] else 0.0) + width
        rows[-1].append((eq, slot, size))
    return [row for row in rows if row]


def _legend_height(content: _Content, measure: _Measure, frame: Frame) -> float:
    rows = _legend_rows(content, measure, frame)
    heights = [max(size[1] for _, _, size in row) + 0.05 for row in rows]
    return sum(heights) + 0.25 if heights else 0.0


def _row_width(row: list) -> float:
    """The width of a legend row: its entries' samples and equations, and the gaps."""
    return sum(SAMPLE + 0.1 + size[0] for _, _, size in row) + ENTRY_GAP * (len(row) - 1)


def _legend(rows: list, frame: Frame, top: float, width: float):
    """Under the drawing, at the frame's own text size: for each factor a stroke sample,
    then ``factor = value``, side by side as far as the frame's width allows, each row
    centred in `width`."""
    entries = []
    y = top + 0.15
    for row in rows:
        height = max(size[1] for _, _, size in row)
        middle = y + height / 2
        x = (width - _row_width(row)) / 2
        for eq, slot, size in row:
            label = _label((x + SAMPLE + 0.1 + size[0] / 2, middle), size, frame.font, (eq,), 0)
            entries.append(
                LegendEntry(slot, _r((x, middle)), _r((x + SAMPLE, middle)), _rounded(label))
            )
            x += SAMPLE + 0.1 + size[0] + ENTRY_GAP
        y += height + 0.05
    return tuple(entries), (y + 0.1 if entries else top)


def _rounded(label: Label) -> Label:
    return replace(
        label,
        x=round(label.x, 3),
        y=round(label.y, 3),
        left=round(label.left, 3),
        top=round(label.top, 3),
        width=round(label.width, 3),
        height=round(label.height, 3),
        lines=tuple(replace(line, baseline=round(line.baseline, 3)) for line in label.lines),
    )


# -- the chain rule in colour ---------------------------------------------------------------


class Tint(sp.Function):
    """A factor of a chain rule, printed in the colour (slot 1–3) of its part of the
    drawing. Only printing looks at it; it never takes part in any computation."""

    nargs = 2


def factor_slots(step: ParameterStep) -> tuple[tuple[int, ...], ...]:
    """The slot of each factor of each path of `step`'s chain rule."""
    return tuple(tuple(SLOT_OF_KIND.get(f.kind, 1) for f in path) for path in step.paths)


def tinted(step: ParameterStep) -> tuple[Equation, Equation]:
    """The chain rule of `step` and its product of numbers, each factor wrapped in the
    `Tint` of its slot, so the symbolic line, the numeric line and the drawing agree."""
    slots = factor_slots(step)
    chain = step.chain
    product = step.product
    return (
        Equation(chain.lhs, (_tint_sum(chain.forms[0], slots), *chain.forms[1:]), chain.value),
        Equation(
            product.lhs, (_tint_sum(product.forms[0], slots), *product.forms[1:]), product.value
        ),
    )


def _tint_sum(expr: Expr, slots: tuple[tuple[int, ...], ...]) -> Expr:
    terms = expr.args if isinstance(expr, sp.Add) and len(slots) > 1 else (expr,)
    if len(terms) != len(slots):
        return expr
    return add(*(_tint_product(t, s) for t, s in zip(terms, slots, strict=True)))


def _tint_product(term: Expr, slots: tuple[int, ...]) -> Expr:
    factors = term.args if isinstance(term, sp.Mul) else (term,)
    if len(factors) != len(slots):
        return term
    return mul(*(Tint(f, sp.Integer(s)) for f, s in zip(factors, slots, strict=True)))


# -- geometry ---------------------------------------------------------------------------------


def arrowhead(start: Point, end: Point) -> tuple[Point, ...]:
    """A small triangle pointing along start → end with its tip at `end`."""
    dx, dy = end[0] - start[0], end[1] - start[1]
    length = math.hypot(dx, dy)
    ux, uy = dx / length, dy / length
    base = (end[0] - ux * HEAD, end[1] - uy * HEAD)
    side = (-uy * HEAD / 2.6, ux * HEAD / 2.6)
    return (
        _r(end),
        _r((base[0] + side[0], base[1] + side[1])),
        _r((base[0] - side[0], base[1] - side[1])),
    )


def _toward(start: Point, end: Point, radius: float) -> Point:
    """The point where the line from `start` meets the circle of `radius` around `end`."""
    dx, dy = end[0] - start[0], end[1] - start[1]
    length = math.hypot(dx, dy)
    return (end[0] - dx / length * radius, end[1] - dy / length * radius)


def _r(point: Point) -> Point:
    """Rounded to 0.01 mm: enough for a drawing, and the same text on every machine."""
    return (round(point[0], 3), round(point[1], 3))


def path_key(parameter: Symbol, sample: int = 1, several: bool = False) -> str:
    """The name of one parameter's path drawing where a format names its drawings (the
    middle of a Markdown walkthrough's image file, ``NAME.path-w5.svg``; with several
    samples, ``NAME.path-w5-sample2.svg``): predictable from the parameter alone."""
    return f"path-{parameter}-sample{sample}" if several else f"path-{parameter}"


class Drawings:
    """The drawings of one document in one frame, each built when a template first asks
    for it (a document that never shows the backward drawing never lays it out)."""

    def __init__(self, doc: Document, frame: Frame) -> None:
        self.doc = doc
        self.frame = frame
        self._built: dict[tuple[str, Symbol | None, int, str], Diagram] = {}

    def get(
        self,
        stage: str,
        parameter: Symbol | None = None,
        sample: int = 1,
        frame: str | None = None,
    ) -> Diagram:
        """The drawing of `stage`; for ``path``, that of `parameter` in sample `sample`
        (1-based, as the document numbers its samples; 0 means the only one); in the
        frame named `frame` (by default the frame these drawings are for)."""
        index = max(sample, 1) - 1
        room = FRAMES[frame] if frame else self.frame
        key = (stage, parameter, index, room.name)
        if key not in self._built:
            step = self._step(parameter, index) if stage == "path" else None
            self._built[key] = build_diagram(self.doc, stage, room, step, index)
        return self._built[key]

    def _step(self, parameter: Symbol | None, index: int) -> ParameterStep:
        for layer in self.doc.samples[index].backward:
            for step in layer.steps:
                if step.parameter == parameter:
                    return step
        raise KeyError(f"no worked step of {parameter} in sample {index + 1}")

    def path_key(self, parameter: Symbol, sample: int = 1) -> str:
        """The name of `parameter`'s path drawing in sample `sample` (see `path_key`)."""
        return path_key(parameter, sample, len(self.doc.samples) > 1)

    def paths_drawn(self) -> bool:
        """Whether the parameters' path drawings are worth their files: not when even the
        network drawing is too large to carry its numbers legibly in this frame."""
        return self.network.labelled

    @property
    def network(self) -> Diagram:
        return self.get("network")

    @property
    def forward(self) -> Diagram:
        return self.get("forward")

    @property
    def backward(self) -> Diagram:
        return self.get("backward")

    def path(self, step: ParameterStep, sample: int = 1) -> Diagram:
        """The forward drawing of sample `sample` with `step`'s chain rule lit."""
        return self.get("path", step.parameter, sample)
