"""Each parameter's path drawing: the SVG image beside a Markdown walkthrough and the
figure of the HTML page.

The numbers it carries (the lit neurons' values, the lit weights, and the legend's three
factors of the chain rule) are read back from the SVG and checked against the 60-digit
reference of tests/reference.py, each factor recomputed there from its definition (not
taken from derive); no label overlaps another on any parameter's drawing; the words that
describe a drawing (alt text, <desc>) name exactly the edges a reader would trace from
the parameter to the error; a network too large for numbers gets no path files.
"""

from __future__ import annotations

import html
import re

import mpmath
import pytest
from reference import Net, activate, loss_gradient, mp, neuron_names, num, reference_step
from test_diagram import (
    drawn_number,
    expected_values,
    overlap,
    spec_data,
    svg_lines,
    walkthrough,
)

import derive
from derive.diagram import SCREEN, SLIDE_SHORT, build_diagram
from derive.render import render_drawing


def worked_steps(doc, sample: int = 0):
    return [s for layer in doc.samples[sample].backward for s in layer.steps]


def factor_values(name: str) -> dict[str, mpmath.mpf]:
    """Every legend line a path drawing may carry (``∂Etotal/∂outh1``, ``∂outh1/∂neth1``,
    ``∂neth1/∂w1``), from the reference: ∂E/∂out of an output from the loss's gradient,
    of a hidden neuron as Σ w·δ downstream; ∂out/∂net by differentiating the reference's
    activation numerically; ∂net/∂w the source's output, ∂net/∂b one."""
    data = spec_data(name)
    ref = reference_step(data)
    net = Net.from_spec_data(data)
    sizes = list(data["layers"])
    activations = data["activation"]
    if isinstance(activations, str):
        activations = [activations] * (len(sizes) - 1)
    names = neuron_names(sizes)
    values: dict[str, mpmath.mpf] = {}
    inputs = [num(x) for x in data["inputs"]]
    outs = [inputs] + [[ref["forward"][n]["out"] for n in layer] for layer in names[1:]]
    nets = [None] + [[ref["forward"][n]["net"] for n in layer] for layer in names[1:]]
    targets = [num(t) for t in data["targets"]]
    upstream = loss_gradient(net.loss, outs[-1], targets)
    deltas = ref["deltas"]
    for l in range(len(sizes) - 1, 0, -1):
        if l < len(sizes) - 1:
            upstream = [
                mpmath.fsum(
                    net.weights[l][k][j] * deltas[names[l + 1][k]] for k in range(sizes[l + 1])
                )
                for j in range(sizes[l])
            ]
        for j, neuron in enumerate(names[l]):
            plain = neuron.replace("_", ",")
            values[f"∂Etotal/∂out{plain}"] = upstream[j]

            def out(x, j=j, l=l):
                row = list(nets[l])
                row[j] = x
                return activate(activations[l - 1], row, None)[j]

            values[f"∂out{plain}/∂net{plain}"] = mp.diff(out, nets[l][j])
    count = 0
    for l in range(len(sizes) - 1):
        for j in range(sizes[l + 1]):
            for k in range(sizes[l]):
                count += 1
                destination = names[l + 1][j].replace("_", ",")
                values[f"∂net{destination}/∂w{count}"] = outs[l][k]
    for b in range(1, 40):
        for layer in names[1:]:
            for neuron in layer:
                values[f"∂net{neuron.replace('_', ',')}/∂b{b}"] = mpmath.mpf(1)
    return values


@pytest.mark.parametrize("name", ["mazur", "3-3-3 per neuron"])
def test_every_number_on_a_path_drawing_is_the_reference_value(name):
    doc = walkthrough(name).document
    forward = expected_values(name, "forward")
    factors = factor_values(name)
    for step in worked_steps(doc):
        svg = render_drawing(doc, "path", parameter=step.parameter)
        lines = [line for line in svg_lines(svg) if " = " in line]
        legend = [line for line in lines if line.startswith("∂")]
        assert len(legend) == len({f.equation.lhs for p in step.paths for f in p}), step.parameter
        for line in lines:
            quantity, text = line.split(" = ")
            expected = factors[quantity] if quantity.startswith("∂") else num(forward[quantity])
            value, half = drawn_number(text)
            error = abs(num(value) - expected)
            assert error <= num(half) * (1 + 1e-9) + num("1e-40"), (step.parameter, line)


@pytest.mark.parametrize(
    "name", ["mazur", "russo", "3-3-3 per neuron", "2-3-1 two samples", "3-4-4-2 relu softmax"]
)
def test_no_label_overlaps_another_on_any_parameters_drawing(name):
    """Every path drawing the Markdown writes (the screen's), one per worked parameter and
    sample, with every lit number on it: no two labels, and no label and neuron, meet."""
    doc = walkthrough(name).document
    for index in range(len(doc.samples)):
        for step in worked_steps(doc, index):
            d = build_diagram(doc, "path", SCREEN, step, index)
            assert d.labelled, step.parameter
            rects = [(b.left, b.top, b.left + b.width, b.top + b.height) for b in d.labels()]
            circles = [
                (n.x - n.radius, n.y - n.radius, n.x + n.radius, n.y + n.radius) for n in d.nodes
            ]
            for i, a in enumerate(rects):
                assert not any(overlap(a, b) for b in rects[i + 1 :]), step.parameter
                assert not any(overlap(a, c) for c in circles), step.parameter


def downstream(doc, parameter) -> set[str]:
    """The edges a reader traces from `parameter`'s edge to the outputs (the test's own
    walk over the network's weights, not the drawing's)."""
    weights = doc.overview.weights
    by_source: dict = {}
    for w in weights:
        by_source.setdefault(w.source, []).append(w)
    start = next((w for w in weights if w.parameter == parameter), None)
    biases = {b.parameter: b.destinations for b in doc.overview.biases}
    frontier = [start.destination] if start else list(biases[parameter])
    found = {str(parameter)} if start else set()
    while frontier:
        neuron = frontier.pop()
        for w in by_source.get(neuron, ()):
            if str(w.parameter) not in found:
                found.add(str(w.parameter))
                frontier.append(w.destination)
    return found


DESC = re.compile(r"<desc id=\"path-([a-z]\d+)-\d+-desc\">(.*?)</desc>", re.S)


def test_the_html_describes_each_drawing_in_words():
    """Every SVG of the page is an image with a title and a description; a path's
    description names its layers with their sizes and exactly the edges that are lit."""
    w = walkthrough("3-4-4-2 relu softmax")
    page = w.render("html")
    svgs = re.findall(r"<svg [^>]*>", page)
    assert svgs and all('role="img"' in s and "aria-describedby" in s for s in svgs)
    assert page.count("<title id=") == page.count("<desc id=") == len(svgs)
    described = dict(DESC.findall(page))
    steps = worked_steps(w.document)
    assert set(described) == {str(s.parameter) for s in steps}
    for parameter, desc in described.items():
        text = html.unescape(desc)
        assert text.startswith(
            "A network drawn in 4 layers: input layer with 3 neurons; hidden layer 1 with 4 "
            "neurons; hidden layer 2 with 4 neurons; output layer with 2 neurons."
        )
        lit = set(re.findall(r"edge (w\d+) \(", text))
        symbol = next(s.parameter for s in steps if str(s.parameter) == parameter)
        assert lit == downstream(w.document, symbol), parameter


def test_a_network_too_large_for_numbers_gets_no_path_files_and_says_so_once(tmp_path):
    sizes = [12, 8, 2]
    weights = [
        [
            [round(0.01 * ((3 * j + 5 * k) % 17) - 0.08, 2) for k in range(sizes[l])]
            for j in range(sizes[l + 1])
        ]
        for l in range(2)
    ]
    spec = {
        "title": "Twelve inputs",
        "layers": sizes,
        "activation": "sigmoid",
        "loss": "half_sse",
        "learning_rate": 0.5,
        "inputs": [0.1 * k for k in range(12)],
        "targets": [0.0, 1.0],
        "weights": weights,
    }
    w = derive.explain(spec, only="w1,w100")
    w.save(tmp_path / "big.md")
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == ["big.backward.svg", "big.forward.svg", "big.md", "big.network.svg"]
    text = (tmp_path / "big.md").read_text("utf-8")
    assert text.count("too large for a drawing to carry its numbers") == 1
    assert build_diagram(w.document, "network", SCREEN).omitted == 96 + 16


def test_on_a_slide_the_legend_carries_the_factors_legibly():
    """On a 16:9 slide under its formula the 3-3-3 path drawing is too small for numbers
    on its parts (measured: README); its legend keeps the frame's full text size."""
    doc = walkthrough("3-3-3 per neuron").document
    for step in worked_steps(doc):
        d = build_diagram(doc, "path", SLIDE_SHORT, step)
        assert d.legend
        assert all(e.label.font >= SLIDE_SHORT.smallest for e in d.legend)


@pytest.mark.parametrize("frame", [SLIDE_SHORT, SCREEN], ids=["slide", "screen"])
def test_the_drawing_and_each_legend_row_are_centred(frame):
    """Drawn at its left end above a wider legend, the network looked misplaced on the
    slide; now every row of the legend is centred on the picture and, where the legend is
    the wider, so is the network (its columns of neurons, where no number label makes the
    drawing lopsided); nothing sticks out."""
    doc = walkthrough("3-3-3 per neuron").document
    for step in worked_steps(doc):
        d = build_diagram(doc, "path", frame, step)
        rows: dict[float, list] = {}
        for e in d.legend:
            rows.setdefault(e.start[1], []).append(e)
        widest = 0.0
        for row in rows.values():
            start = min(e.start[0] for e in row)
            end = max(e.label.left + e.label.width for e in row)
            assert (start + end) / 2 == pytest.approx(d.width / 2, abs=0.02)
            assert start >= 0 and end <= d.width + 1e-6
            widest = max(widest, end - start)
        bare = all(n.label is None for n in d.nodes) and all(e.label is None for e in d.edges)
        if bare and widest + 0.2 >= d.width - 1e-3:  # the legend sets the width
            columns = [n.x for n in d.nodes]
            middle = (min(columns) + max(columns)) / 2
            assert middle == pytest.approx(d.width / 2, abs=0.02)
    if frame is SLIDE_SHORT:
        assert widest + 0.2 >= d.width - 1e-3  # the case the change is about was tested
