"""The network drawing: where each neuron, edge and label goes, for every format alike.

Geometry only, in centimetres with y growing downwards: layers are columns, neurons are
spread evenly in each column. A weight's label sits on its edge, in a vertical lane of its
source neuron: the labels of one source's edges fan out one above the other, and the
lanes of different sources are a label's width apart, so no two labels overlap. A shared
bias is a small unit below the gap before its layer, with a dashed edge to each neuron it
feeds; a per-neuron bias is a note beside its neuron. TikZ, Typst and SVG templates
only place what this says.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from sympy import Symbol

from derive.document import BiasRow, Overview
from derive.numeric import Value

COLUMN = 3.8  # cm between layers, at least
LANE = 1.75  # cm between the label lanes of two source neurons
ROW = 1.9  # cm between neurons of a layer
RADIUS = 0.42  # cm, a neuron's circle
HEAD = 0.16  # cm, the length of an arrowhead
MOST_NAMED = 10  # more neurons than this in a layer: small unnamed dots
MOST_LABELLED = 24  # more weights than this: edges without values


@dataclass(frozen=True)
class Node:
    symbol: Symbol
    layer: int
    x: float
    y: float


@dataclass(frozen=True)
class Edge:
    """A weight's edge from `start` to `end`, its arrowhead (a triangle whose tip is
    `end`), and the centre of its label."""

    parameter: Symbol
    value: Value
    start: tuple[float, float]
    end: tuple[float, float]
    head: tuple[tuple[float, float], ...]
    label: tuple[float, float]


@dataclass(frozen=True)
class Bias:
    """A bias: a unit at `at` with dashed edges to `ends` (shared), or a note beside one."""

    parameter: Symbol
    value: Value
    at: tuple[float, float]
    ends: tuple[tuple[float, float], ...]
    heads: tuple[tuple[tuple[float, float], ...], ...]
    shared: bool


@dataclass(frozen=True)
class Layout:
    width: float
    height: float
    radius: float
    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]
    biases: tuple[Bias, ...]
    columns: tuple[tuple[float, str], ...]
    named: bool
    labelled: bool


def layout(overview: Overview) -> Layout:
    """Positions for the network of `overview`: columns of neurons, edges, labels, biases."""
    tallest = max(overview.sizes)
    named = tallest <= MOST_NAMED
    row = ROW if named else ROW * MOST_NAMED / tallest
    radius = RADIUS if named else row / 4
    top = radius + 0.6  # room for the column titles
    height_of_column = (tallest - 1) * row
    # a layer's column: wide enough for one label lane per neuron of the layer before
    xs = [radius]
    for size in overview.sizes[:-1]:
        xs.append(xs[-1] + max(COLUMN, LANE * (size + 1)))
    nodes: dict[Symbol, Node] = {}
    index: dict[Symbol, int] = {}
    sizes: dict[Symbol, int] = {}
    for info in overview.layers:
        count = len(info.neurons)
        offset = top + (height_of_column - (count - 1) * row) / 2
        for j, neuron in enumerate(info.neurons):
            nodes[neuron] = Node(neuron, info.number, xs[info.number], offset + j * row)
            index[neuron], sizes[neuron] = j, count
    bottom = top + height_of_column
    edges = tuple(
        _edge(
            w.parameter,
            w.value,
            nodes[w.source],
            nodes[w.destination],
            radius,
            index[w.source],
            sizes[w.source],
        )
        for w in overview.weights
    )
    biases = tuple(_bias(b, nodes, xs, bottom + row * 0.9, radius) for b in overview.biases)
    shared = any(b.shared for b in biases)
    width = xs[-1] + radius
    columns = tuple((xs[info.number], info.kind) for info in overview.layers)
    height = (bottom + row * 0.9 + radius if shared else bottom + radius) + 0.1
    return Layout(
        width,
        height,
        radius,
        tuple(nodes.values()),
        edges,
        biases,
        columns,
        named,
        named and len(edges) <= MOST_LABELLED,
    )


def _edge(
    parameter: Symbol,
    value: Value,
    source: Node,
    destination: Node,
    radius: float,
    k: int,
    lanes: int,
) -> Edge:
    """The edge between two circles; its label in lane k of the gap's `lanes` (source k)."""
    start = _toward((destination.x, destination.y), (source.x, source.y), radius)
    end = _toward((source.x, source.y), (destination.x, destination.y), radius)
    t = (k + 1) / (lanes + 1)
    x = source.x + (destination.x - source.x) * t
    y = source.y + (destination.y - source.y) * t
    return Edge(parameter, value, _r(start), _r(end), arrowhead(start, end), _r((x, y)))


def _bias(
    row: BiasRow, nodes: dict[Symbol, Node], xs: list[float], y: float, radius: float
) -> Bias:
    targets = [nodes[d] for d in row.destinations]
    if len(targets) == 1:
        (node,) = targets
        return Bias(row.parameter, row.value, _r((node.x, node.y + radius + 0.3)), (), (), False)
    layer = targets[0].layer
    x = xs[layer - 1] + (xs[layer] - xs[layer - 1]) * 0.3
    ends = tuple(_r(_toward((x, y), (n.x, n.y), radius)) for n in targets)
    heads = tuple(arrowhead((x, y), end) for end in ends)
    return Bias(row.parameter, row.value, _r((x, y)), ends, heads, True)


def arrowhead(
    start: tuple[float, float], end: tuple[float, float]
) -> tuple[tuple[float, float], ...]:
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


def _toward(start: tuple[float, float], end: tuple[float, float], radius: float):
    """The point where the line from `start` meets the circle of `radius` around `end`."""
    dx, dy = end[0] - start[0], end[1] - start[1]
    length = math.hypot(dx, dy)
    return (end[0] - dx / length * radius, end[1] - dy / length * radius)


def _r(point: tuple[float, float]) -> tuple[float, float]:
    """Rounded to 0.1 mm: enough for a drawing, and the same text on every machine."""
    return (round(point[0], 3), round(point[1], 3))
