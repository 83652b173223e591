"""The network drawing (derive.diagram): labels never collide, the text really fits the
boxes the builder reserved (read back from the typeset PDFs), every number drawn is the
independent reference value, and the lit path of a parameter is the right one.

Networks: the presets, a 3-3-3 with a bias per neuron, a 2-3-1 with two samples and a
3-4-4-2 ReLU/softmax classifier, written out below as a user would write their TOML.
"""

from __future__ import annotations

import html
import re
import shutil
import subprocess
import tomllib
from decimal import Decimal
from pathlib import Path

import pytest
from conftest import preset_data
from reference import num, reference_step

import derive
from derive.diagram import DIGITS, PAGE, SCREEN, SLIDE, STAGES, Diagram, build_diagram
from derive.prose import Prose
from derive.render import LATEX, TYPST, environment, math_filters
from derive.spec import spec_from_mapping

SPECS = {
    "3-3-3 per neuron": """
title = "Three by three by three, a bias for every neuron"
layers = [3, 3, 3]
activation = "tanh"
loss = "mse"
learning_rate = 0.1
inputs = [0.9, -0.4, 0.25]
targets = [0.2, -0.1, 0.6]
weights = [
  [[0.11, -0.22, 0.33], [0.44, 0.05, -0.16], [-0.27, 0.38, 0.49]],
  [[0.5, -0.61, 0.72], [-0.13, 0.24, 0.35], [0.46, 0.57, -0.68]],
]
bias = "per_neuron"
biases = [[0.01, -0.02, 0.03], [0.04, 0.05, -0.06]]
update_biases = true
digits = 6
""",
    "2-3-1 two samples": """
title = "2-3-1, two samples"
layers = [2, 3, 1]
activation = "sigmoid"
loss = "half_sse"
learning_rate = 0.8
samples = [
  { inputs = [0.0, 1.0], targets = [1.0] },
  { inputs = [1.0, 1.0], targets = [0.0] },
]
weights = [[[0.3, -0.1], [0.2, 0.4], [-0.5, 0.6]], [[0.7, -0.3, 0.25]]]
bias = "shared"
biases = [0.1, -0.2]
""",
    "3-4-4-2 relu softmax": """
title = "A small classifier"
layers = [3, 4, 4, 2]
activation = ["relu", "relu", "softmax"]
loss = "cross_entropy"
learning_rate = 0.05
inputs = [1.0, 0.5, -0.5]
targets = [0, 1]
weights = [
  [[0.2, -0.3, 0.4], [0.1, 0.5, -0.2], [-0.6, 0.3, 0.2], [0.35, -0.15, 0.25]],
  [[0.3, -0.2, 0.1, 0.4], [-0.5, 0.6, 0.2, -0.1], [0.25, 0.15, -0.35, 0.45], [0.1, 0.2, 0.3, -0.4]],
  [[0.5, -0.4, 0.3, 0.2], [-0.3, 0.6, -0.2, 0.1]],
]
bias = "shared"
biases = [0.1, 0.0, -0.1]
""",
}
NETWORKS = ["mazur", "russo", "softmax", *SPECS]


def spec_data(name: str, exact: bool = True) -> dict:
    if name in SPECS:
        return tomllib.loads(SPECS[name], parse_float=Decimal if exact else float)
    return preset_data(name)


def walkthrough(name: str):
    if name in SPECS:
        return derive.explain(spec_from_mapping(spec_data(name), where=f"{name}.toml"))
    return derive.explain(name)


@pytest.fixture(scope="module", params=NETWORKS)
def network(request):
    return request.param, walkthrough(request.param).document


def drawings(doc) -> list[Diagram]:
    """Every drawing a document can show: each stage, in each frame, every parameter's path."""
    result = []
    steps = [s for layer in doc.backward for s in layer.steps]
    for frame in (PAGE, SLIDE, SCREEN):
        for stage in STAGES[:-1]:
            result.append(build_diagram(doc, stage, frame))
        for step in steps[:: max(1, len(steps) // 4)]:
            result.append(build_diagram(doc, "path", frame, step))
    return result


def boxes(d: Diagram) -> list[tuple[float, float, float, float]]:
    return [(b.left, b.top, b.left + b.width, b.top + b.height) for b in d.labels()]


def overlap(a, b) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def test_no_label_overlaps_another_or_a_neuron(network):
    """The builder's promise, on every stage, frame and lit path of every network."""
    _, doc = network
    for d in drawings(doc):
        rects = boxes(d)
        circles = [
            (n.x - n.radius, n.y - n.radius, n.x + n.radius, n.y + n.radius) for n in d.nodes
        ]
        for i, a in enumerate(rects):
            assert not any(overlap(a, b) for b in rects[i + 1 :]), (d.stage, d.frame)
            assert not any(overlap(a, c) for c in circles), (d.stage, d.frame)
            assert a[0] >= 0 and a[1] >= 0 and a[2] <= d.width + 1e-6 and a[3] <= d.height + 1e-6


def test_labels_are_legible_or_left_out_and_said(network):
    """A label is never smaller than its frame allows; when the numbers cannot be drawn
    that large they are all left out and the drawing says how many."""
    _, doc = network
    smallest = {"page": PAGE.smallest, "slide": SLIDE.smallest, "screen": SCREEN.smallest}
    for d in drawings(doc):
        for label in d.labels():
            assert label.font >= smallest[d.frame] - 0.01, (d.stage, d.frame, label.font)
        if d.omitted:
            assert all(e.label is None for e in d.edges)
            assert d.omitted == len(doc.overview.weights)
        elif d.stage == "path":  # a path drawing numbers the lit parts only
            assert all((e.label is not None) == (e.slot > 0) for e in d.edges)
        else:
            assert all(e.label is not None for e in d.edges)


def test_the_presets_are_labelled_on_a_page(network):
    """On an A4 page the weights of every network here are on their edges."""
    name, doc = network
    assert build_diagram(doc, "network", PAGE).labelled, name
    assert build_diagram(doc, "forward", PAGE).labelled, name


def test_each_hidden_layer_has_its_own_title():
    doc = walkthrough("3-4-4-2 relu softmax").document
    svg = walkthrough("3-4-4-2 relu softmax").render("html")
    titles = [t.layer.number for t in build_diagram(doc).titles]
    assert titles == [0, 1, 2, 3]
    assert "hidden layer 1" in svg and "hidden layer 2" in svg


# -- every number drawn, read back from the SVG and checked against the reference ---------

TEXT = re.compile(r"<text [^>]*>(.*?)</text>", re.S)


def svg_lines(svg: str) -> list[str]:
    """The text lines of an SVG drawing, tags stripped (``neth1 = 0.3775``), minus as "-"."""
    lines = [html.unescape(re.sub(r"<[^>]+>", "", t)) for t in TEXT.findall(svg)]
    return [line.replace("\u2212", "-") for line in lines]


def expected_values(name: str, stage: str, sample: int = 0) -> dict[str, str]:
    """Each quantity a stage draws, named as the SVG writes it, from tests/reference.py."""
    data = spec_data(name)
    ref = reference_step(data)
    passes = ref["samples"][sample]
    samples = data.get("samples") or [{"inputs": data["inputs"], "targets": data["targets"]}]
    values: dict[str, object] = {}
    for k, x in enumerate(samples[sample]["inputs"], start=1):
        values[f"i{k}"] = x
    for k, t in enumerate(samples[sample]["targets"], start=1):
        values[f"targeto{k}"] = t
    for neuron, pair in passes["forward"].items():
        plain = neuron.replace("_", ",")
        values[f"net{plain}"] = pair["net"]
        values[f"out{plain}"] = pair["out"]
    for neuron, error in passes["errors"].items():
        if neuron != "total":
            values[f"E{neuron}"] = error
    for parameter, value in ref["parameters"].items():
        values[parameter] = value
    loss = "E" if len(samples) > 1 else "Etotal"
    for parameter, value in ref["gradients"].items():
        values[f"∂{loss}/∂{parameter}"] = value
    for parameter, value in ref["updated"].items():
        values[f"{parameter}+"] = value
    return {key: num(v) for key, v in values.items()}


def drawn_number(text: str) -> tuple[Decimal, Decimal]:
    """A number as drawn (``0.3775``, ``-1.25×10-5``) and half a unit of its last digit."""
    mantissa, _, exponent = text.partition("×10")
    value = Decimal(mantissa).scaleb(int(exponent or 0))
    places = -Decimal(mantissa).as_tuple().exponent
    half = Decimal(5).scaleb(-places - 1 + int(exponent or 0))
    digits = len(Decimal(mantissa).normalize().as_tuple().digits)
    assert digits <= DIGITS, text
    return value, half


@pytest.mark.parametrize("name", NETWORKS)
@pytest.mark.parametrize("stage", ["network", "forward", "backward"])
def test_every_number_drawn_is_the_reference_value(name, stage):
    from derive.render import render_drawing

    doc = walkthrough(name).document
    svg = render_drawing(doc, stage)
    expected = expected_values(name, stage)
    lines = [line for line in svg_lines(svg) if " = " in line]
    if build_diagram(doc, stage, SCREEN).labelled:
        assert len(lines) >= len(doc.overview.weights)
    for line in lines:
        quantity, text = line.split(" = ")
        assert quantity in expected, line
        value, half = drawn_number(text)
        error = abs(num(value) - expected[quantity])
        assert error <= num(half) * (1 + 1e-9) + num("1e-40"), (line, expected[quantity])


# -- the lit path ---------------------------------------------------------------------------


def test_the_path_of_a_hidden_weight_lights_its_edge_neuron_and_everything_after():
    doc = walkthrough("mazur").document
    step = next(s for layer in doc.backward for s in layer.steps if s.parameter.name == "w1")
    d = build_diagram(doc, "path", PAGE, step)
    slots = {e.parameter.name: e.slot for e in d.edges}
    nodes = {n.symbol.name: n.slot for n in d.nodes}
    assert slots["w1"] == 3 and nodes["i1"] == 3  # ∂net_h1/∂w1 = out_i1
    assert nodes["h1"] == 2  # ∂out_h1/∂net_h1
    assert {slots[w] for w in ("w5", "w7")} == {1}  # ∂E_total/∂out_h1: through o1 and o2
    assert {slots[w] for w in ("w2", "w3", "w4", "w6", "w8")} == {0}
    assert [e.slot for e in d.legend] == [1, 2, 3]
    # the same three factors, in the same order, in the chain rule the text prints
    from derive.diagram import factor_slots

    assert factor_slots(step) == ((1, 2, 3),)


def test_the_chain_rule_is_tinted_factor_by_factor_in_every_format():
    w = walkthrough("mazur")
    tex, typ, page = w.render("tex"), w.render("typst"), w.render("html")
    assert r"\derivefactor{1}{\frac{\partial E_{\mathrm{total}}}" in tex
    assert "#tint2($std.math.display(" in typ
    assert 'class="factor3"' in page


# the dash pattern each kind of line is drawn with in TeX leaders and in a Typst stroke
TEX_RULES = {
    "solid": r"\leaders\hrule height",
    "dashed": r"\leaders\hbox to 7.5pt{\vrule width 5pt",  # 5 on, 2.5 off, as the drawing
    "dotted": r"\leaders\hbox to 3pt{\hss\vrule width 1pt",  # a dot every 3
}
TYPST_DASHES = {"solid": None, "dashed": "dash: (5pt, 2.5pt)", "dotted": "dash: (0pt, 3pt)"}


@pytest.mark.parametrize(("fmt", "fragment"), [("tex", False), ("tex", True), ("beamer", False)])
def test_a_latex_factor_is_underlined_in_its_slots_dash_pattern(fmt, fragment):
    """Black and white: each factor carries the line style of its path in the drawing."""
    from derive.diagram import STYLES

    tex = walkthrough("mazur").render(fmt, fragment=fragment)
    for st in STYLES:
        rule = re.search(rf"\\csname derive@ul{st.slot}\\endcsname{{(.*)}}\n", tex).group(1)
        assert rule.startswith(TEX_RULES[st.dash]), (st, rule)
    # the colour stays: \derivefactor colours its argument too
    assert r"\textcolor{derive-factor#1}{#3}" in tex
    # ... and every factor of a formula goes through it
    assert tex.count(r"\textcolor{derive-factor") == 1
    assert tex.count(r"\derivefactor{") > 10


@pytest.mark.parametrize("slides", [False, True])
def test_a_typst_factor_is_underlined_in_its_slots_dash_pattern(slides):
    from derive.diagram import STYLES

    typ = walkthrough("mazur").render("typst", slides=slides)
    for st in STYLES[1:]:
        body = re.search(rf"#let tint{st.slot}\(body\) = context \{{\n(.*?)\n\}}", typ, re.S)
        mark = re.search(r"line\(length: [^,]+, stroke: (\(.*\))\)\)\)", body.group(1)).group(1)
        assert f"paint: factor{st.slot}" in mark
        dash = TYPST_DASHES[st.dash]
        assert (dash in mark) if dash else ("dash" not in mark), (st, mark)
    assert "#text(fill: factor" not in typ
    assert typ.count("#tint1($") > 3


# -- the text really fits the boxes: the drawing typeset alone, read back ------------------

PT_PER_CM = 72 / 2.54


def words(pdf: Path) -> list[tuple[str, float, float, float, float]]:
    """Every word pdftotext finds, with its box in cm from the top left of the page."""
    out = subprocess.run(
        ["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    found = []
    for m in re.finditer(
        r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>', out
    ):
        x0, y0, x1, y1 = (float(v) / PT_PER_CM for v in m.groups()[:4])
        found.append((html.unescape(m.group(5)), x0, y0, x1, y1))
    return found


def regions(d: Diagram) -> list[tuple[float, float, float, float]]:
    """Where text may be: label boxes, neuron circles, column titles (generously)."""
    areas = boxes(d)
    areas += [(n.x - n.radius, n.y - n.radius, n.x + n.radius, n.y + n.radius) for n in d.nodes]
    areas += [(t.x - 1.6, t.y - 0.3, t.x + 1.6, t.y + 0.3) for t in d.titles]
    return areas


def inside(word, area, slack=0.04) -> bool:
    _, x0, y0, x1, y1 = word
    return (
        x0 >= area[0] - slack
        and x1 <= area[2] + slack
        and y0 >= area[1] - slack
        and y1 <= area[3] + slack
    )


LATEX_PAGE = r"""\documentclass[border=0pt]{standalone}
\usepackage[T1]{fontenc}
\usepackage{lmodern}
\usepackage{amsmath}
\usepackage{tikz}
((( c.colours() )))
\begin{document}
((( c.network(d) )))
\end{document}
"""

TYPST_PAGE = """((( c.setup("20pt") )))
#set page(width: ((( d.width )))cm, height: ((( d.height )))cm, margin: 0pt)
#((( c.network(d) )))
"""


def typeset(doc, d: Diagram, engine: str, tmp_path: Path) -> Path:
    from derive.diagram import SPAN, STYLES

    common = "latex/common.tex.j2" if engine == "latex" else "typst/common.typ.j2"
    source = (LATEX_PAGE if engine == "latex" else TYPST_PAGE).replace("((( c.", "((( c.")
    template = environment("bracket").from_string(
        f'((* import "{common}" as c with context *))\n' + source
    )
    syntax = LATEX if engine == "latex" else TYPST
    text = template.render(
        doc=doc, d=d, f=math_filters(doc, syntax), styles=STYLES, words=Prose(doc), span=SPAN
    )
    if engine == "latex":
        (tmp_path / "d.tex").write_text(text)
        subprocess.run(
            ["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "d.tex"],
            cwd=tmp_path,
            capture_output=True,
            check=True,
        )
        return tmp_path / "d.pdf"
    from derive.typeset import typst_pdf

    (tmp_path / "d.pdf").write_bytes(typst_pdf(text))
    return tmp_path / "d.pdf"


@pytest.mark.parametrize("engine", ["latex", "typst"])
@pytest.mark.parametrize("name", ["mazur", "russo", "3-4-4-2 relu softmax"])
def test_the_typeset_text_stays_in_its_box(name, engine, tmp_path):
    """Every word of the typeset drawing lies in the box the builder reserved for it, so
    no two labels overlap on the page either (the boxes never do)."""
    if engine == "latex" and not shutil.which("pdflatex"):
        pytest.skip("pdflatex is not installed")
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext is not installed")
    doc = walkthrough(name).document
    step = doc.backward[-1].steps[0]
    for stage, frame in (("forward", PAGE), ("path", SLIDE), ("backward", PAGE)):
        d = build_diagram(doc, stage, frame, step if stage == "path" else None)
        found = words(typeset(doc, d, engine, tmp_path))
        assert found
        areas = regions(d)
        stray = [w for w in found if not any(inside(w, a) for a in areas)]
        assert not stray, (stage, stray[:5])
