"""Reading the derivations people really write: matrices and vectors, everyday writing.

Each construct is read on a short text in the notation someone would use, and what is read
(the claims, their lines, the names as written, the element positions) is checked here;
every value a verdict is compared with comes from tests/reference.py, never from derive.
"""

from __future__ import annotations

import math
from decimal import Decimal

import pytest
from conftest import preset_data
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from reference import reference_step

import derive
from derive.check import check_text
from derive.check.claims import matrix_layout, read_claims
from derive.check.expression import Matrix, Number, Opaque, evaluate, parse
from derive.check.lexer import tokenize
from derive.check.names import Atom
from derive.check.reader import decimal_comma, with_decimal_points
from derive.check.truth import truth_of

MAZUR = reference_step(preset_data("mazur"))
RUSSO = reference_step(preset_data("russo"))


@pytest.fixture(scope="module")
def mazur():
    return truth_of("mazur")


@pytest.fixture(scope="module")
def russo():
    return truth_of("russo")


def read(text: str, truth) -> list:
    return list(read_claims(text, truth.naming))


def verdicts(text: str, spec) -> list[tuple[int, str, str | None]]:
    return [(f.line, f.verdict, f.quantity) for f in check_text(text, spec).results]


def value(text: str) -> float:
    tokens = tokenize(text)
    node, end = parse(tokens, 0)
    assert end == len(tokens), text
    return evaluate(node, lambda name: None, lambda number: 0.0).value


# -- everyday writing: expressions -----------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("frac{1}{1+e^{-0.7}}", 1 / (1 + math.exp(-0.7))),
        ("dfrac{0.3}{0.6}", 0.5),
        ("sqrt{0.25}", 0.5),
        ("1/(1+e0.7)", 1 / (1 + math.exp(0.7))),
        ("1/(1+e-0.7)", 1 / (1 + math.exp(-0.7))),
        ("1/(1+e−0.7)", 1 / (1 + math.exp(-0.7))),
        ("1/(1+e^-0.7)", 1 / (1 + math.exp(-0.7))),
        ("1/(1+exp(-0.7))", 1 / (1 + math.exp(-0.7))),
        ("ln(0.5)", math.log(0.5)),
        ("ln 0.5", math.log(0.5)),
        ("log(0.5)", math.log(0.5)),
        ("−0.3 · 0.332", -0.3 * 0.332),
        ("½(0.01 − 0.75)²", 0.5 * 0.74**2),
        ("0.2 ⊙ 0.5", 0.1),
    ],
)
def test_everyday_expressions_are_read(text, expected):
    assert value(text) == pytest.approx(expected, rel=1e-12)


def test_unicode_scripts_name_the_quantities(mazur):
    text = (
        "out_h₁ = 0.593270\nw₅⁺ = 0.358916\n"
        "E_total = ½(0.01 − 0.751365)² + ½(0.99 − 0.772928)² = 0.298371\n"
    )
    assert [str(c.quantity) for c in read(text, mazur)] == ["out_h1", "w5+", "E_total"]


# -- decimal commas -------------------------------------------------------------------------------
def test_a_document_that_writes_decimal_commas_is_read_with_them(mazur):
    text = "net_h₁ = 0,15·0,05 + 0,20·0,10 + 0,35 = 0,3775\nout_h₁ = 0,5933\n"
    assert decimal_comma(text)
    claims = read(text, mazur)
    assert [c.stated.value for c in claims] == [Decimal("0.3775"), Decimal("0.5933")]
    assert claims[0].text.endswith("= 0,3775")  # quoted as written


def test_a_comma_in_an_index_is_no_decimal_comma():
    text = "w_{1,2} = 0,15 and w_{2,1} = 0,25, then 0,35"
    assert with_decimal_points(text) == "w_{1,2} = 0.15 and w_{2,1} = 0.25, then 0.35"
    assert len(with_decimal_points(text)) == len(text)


@pytest.mark.parametrize("text", ["out_h1 = 0,5999\n", "$out_{h1} = 0,5999$\n"])
def test_a_comma_that_may_be_a_decimal_separator_is_never_ok(text):
    """The probe: in a document that writes decimal points, 0,5999 is not read as 0."""
    document = "net_h1 = 0.3775\n" + text
    assert not decimal_comma(document)
    (_, finding) = check_text(document, "mazur").results
    assert finding.verdict == "unrecognized"
    assert "decimal comma" in finding.diagnosis


def test_the_same_probe_in_a_decimal_comma_document_is_a_wrong_value():
    true = MAZUR["forward"]["h1"]["out"]
    document = "net_h1 = 0,3775\nout_h1 = 0,5999\n"
    finding = check_text(document, "mazur").results[1]
    assert finding.verdict == "wrong value"
    assert finding.expected == Decimal(f"{float(true):.4f}")


def test_latex_braced_decimal_commas(mazur):
    text = "$net_{h1} = 0{,}15 \\cdot 0{,}05 + 0{,}2 \\cdot 0{,}1 + 0{,}35 = 0{,}3775$\n"
    (claim,) = read(text, mazur)
    assert claim.stated.value == Decimal("0.3775")
    assert claim.text.endswith("0{,}3775")


def test_thousands_and_lists_do_not_make_a_document_decimal_comma():
    assert not decimal_comma("after 10,000 steps and 1,250 epochs, E = 0.0123 and 0.5")
    assert not decimal_comma("layers 2,2,2 and w = 0.15")


# -- row labels, counters, prose ------------------------------------------------------------------
def test_a_row_label_fused_to_its_formula_is_no_factor(mazur):
    text = "unit   delta\n5      (0.751365 - 0.01)(0.751365)(1 - 0.751365) = 0.138499\n"
    (claim,) = read(text, mazur)
    assert claim.label == "5"
    assert claim.line == 2
    (finding,) = check_text(text, "mazur").results
    assert finding.verdict == "unrecognized"  # the arithmetic is right; the name is the label's


def test_a_row_label_does_not_hide_an_arithmetic_slip():
    text = "6  (0.772928 - 0.99)(0.772928)(1 - 0.772928) = -0.038908\n"
    (finding,) = check_text(text, "mazur").results
    assert finding.verdict == "arithmetic slip"


@pytest.mark.parametrize("text", ["l = 1", "$i = 1$", "for k = 2 to 3", "Let j = 0."])
def test_loop_counters_are_no_claims(text, mazur):
    assert read(text + "\n", mazur) == []


def test_claims_in_prose_before_and_after_the_change(mazur):
    before = MAZUR["errors"]["total"]
    after = MAZUR["after_update"]["errors"]["total"]
    text = f"The error was {float(before):.7f} and is now {float(after):.7f}.\n"
    claims = read(text, mazur)
    assert [(str(c.quantity), c.context.phase) for c in claims] == [
        ("E_total", "before"),
        ("E_total", "after"),
    ]
    assert all(f.verdict == "ok" for f in check_text(text, "mazur").results)


def test_prose_names_a_neuron(mazur):
    out = MAZUR["forward"]["o1"]["out"]
    (claim,) = read(f"The output of o1 is {float(out):.8f}, a bit high.\n", mazur)
    assert str(claim.quantity) == "out_o1"


def test_prose_without_a_value_is_no_claim(mazur):
    assert read("The error was 10 times smaller after training.\n", mazur) == []


# -- matrices and vectors -------------------------------------------------------------------------
def test_a_bmatrix_is_read_cell_by_cell():
    tokens = tokenize(r"\begin{bmatrix} 0.1 & 0.2 \\ 0.3 & 0.4 \end{bmatrix}")
    node, _ = parse(tokens, 0)
    assert isinstance(node, Matrix) and node.shape == (2, 2)
    assert [(p, c.value) for p, c in node.cells()] == [
        ((1, 1), Decimal("0.1")), ((1, 2), Decimal("0.2")),
        ((2, 1), Decimal("0.3")), ((2, 2), Decimal("0.4")),
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("text", "shape"),
    [
        (r"\begin{pmatrix} 0.1 \\ 0.2 \\ 0.3 \end{pmatrix}", (3, 1)),
        (r"\left[\begin{array}{cc} 0.1 & 0.2 \end{array}\right]", (1, 2)),
        ("[0.1, 0.2, 0.3]", (3,)),
        ("[[0.1, 0.2], [0.3, 0.4], [0.5, 0.6]]", (3, 2)),
        ("[[ 0.1 -0.2  0.3]]", (1, 3)),
        ("[[0.1 0.2]\n [0.3 0.]]", (2, 2)),
        ("np.array([[0.1, 0.2]])", (1, 2)),
        ("[0,5; 0,6]", (2,)),
    ],
)
def test_every_way_of_writing_an_array(text, shape):
    node, _ = parse(tokenize(text), 0)
    assert isinstance(node, Matrix) and node.shape == shape


def test_arithmetic_in_brackets_is_no_array():
    node, _ = parse(tokenize("[0.3 - 0.2]"), 0)
    assert not isinstance(node, Matrix)


def test_names_keep_their_indices_as_written():
    node, _ = parse(tokenize("dW[3][2][1]"), 0)
    assert node.atom == Atom("dW", index=("3", "2", "1"))
    assert str(node.atom) == "dW[3][2][1]"
    node, _ = parse(tokenize("W^T"), 0)
    assert node.atom == Atom("W", sup="T")


@pytest.mark.parametrize(
    ("text", "layout"),
    [
        (r"Z^{[1]} = W^{[1]} A^{[0]} + b^{[1]}", "column"),
        (r"\mathbf{h} = \mathbf{W} \mathbf{x}", "column"),
        ("z1 = X @ W1 + b1", "row"),
        ("a2 = np.dot(a1, W2)", "row"),
        ("dW2 = a1.T @ delta2; delta1 = delta2 @ W2.T", "row"),
        (r"\delta^{(1)} = \left(W^{(2)}\right)^{T} \delta^{(2)}", "column"),
        ("the weights are 0.15 and 0.20", ""),
    ],
)
def test_the_layout_of_a_document(text, layout):
    assert matrix_layout(text) == layout


def russo_matrix(layer: int, rows_are_sources: bool) -> str:
    weights = preset_data("russo")["weights"][layer]
    grid = [list(col) for col in zip(*weights, strict=True)] if rows_are_sources else weights
    body = r" \\ ".join(" & ".join(f"{w:.2f}" for w in row) for row in grid)
    return rf"\begin{{bmatrix}} {body} \end{{bmatrix}}"


def test_a_square_matrix_is_oriented_by_the_documents_layout(russo):
    """W^{[2]} of the 3-3-3 network is 3×3: only the document's W a (or a W) says which index
    is the destination; read either way, every element is the right weight."""
    column = f"$$Z^{{[2]}} = W^{{[2]}} A^{{[1]}}$$\n$$W^{{[2]}} = {russo_matrix(1, False)}$$\n"
    row = f"$$Z_2 = A_1 W_2$$\n$$W_2 = {russo_matrix(1, True)}$$\n"
    for text in (column, row):
        findings = check_text(text, "russo").results
        assert len(findings) == 9 and all(f.verdict == "ok" for f in findings), text
        assert findings[1].quantity in ("w11", "w13")
    assert check_text(column, "russo").results[1].quantity == "w11"
    assert check_text(row, "russo").results[1].quantity == "w13"


def test_a_square_matrix_with_no_layout_stays_unrecognized():
    text = f"$$W^{{[2]}} = {russo_matrix(1, False)}$$\n"
    assert {f.verdict for f in check_text(text, "russo").results} == {"unrecognized"}


def test_a_transposed_matrix_is_read_transposed():
    text = f"$$Z^{{[2]}} = W^{{[2]}} A^{{[1]}}$$\n$$W^{{[2]T}} = {russo_matrix(1, True)}$$\n"
    findings = check_text(text, "russo").results
    assert len(findings) == 9 and all(f.verdict == "ok" for f in findings)


def test_a_wrong_element_is_found_at_its_own_line_and_named():
    grads = RUSSO["gradients"]
    rows = [[grads[f"w{10 + 3 * j + k}"] for k in range(3)] for j in range(3)]
    cells = [[f"{float(g):.5f}" for g in row] for row in rows]
    cells[1][0] = "0.02240"  # dW[2][2][1]: two digits swapped
    body = " \\\\\n".join(" & ".join(row) for row in cells)
    text = (
        "$$Z^{[2]} = W^{[2]} A^{[1]}$$\n\n"
        "$$\ndW^{[2]} = dZ^{[2]} A^{[1]T} = \\begin{bmatrix}\n" + body + "\n\\end{bmatrix}\n$$\n"
    )
    claims = [c for c in read(text, truth_of("russo")) if c.links[0].node is not None]
    assert [c.links[0].text for c in claims][3] == "dW^{[2]}[2][1]"
    (wrong,) = check_text(text, "russo").wrong
    assert (wrong.line, wrong.quantity) == (6, "dE_total/dw13")
    assert wrong.expected == Decimal(f"{float(grads['w13']):.5f}")


def test_an_element_carries_its_position_shape_and_layout(mazur):
    text = "z1 = X @ W1 + b1\n\n```\nZ1 = [[0.3775 0.3925]]\n```\n"
    atoms = [c.links[0].node.atom for c in read(text, mazur)]
    assert atoms == [
        Atom("Z1", element=(1, 1), shape=(1, 2), layout="row"),
        Atom("Z1", element=(1, 2), shape=(1, 2), layout="row"),
    ]


def test_elements_worked_one_by_one_under_a_heading_that_names_the_vector():
    nets = [RUSSO["forward"][f"o{k}"]["net"] for k in (1, 2, 3)]
    text = (
        "### Z[2], element by element\n\n"
        "Calculating each element:\n\n"
        f"1. 0.65 · 0.59387 + 0.70 · 0.60468 + 0.75 · 0.61538 + 0.6 = {float(nets[0]):.5f}\n"
        f"2. 0.80 · 0.59387 + 0.85 · 0.60468 + 0.90 · 0.61538 + 0.6 = {float(nets[1]):.5f}\n"
        "3. 0.10 · 0.59387 + 0.20 · 0.60468 + 0.30 · 0.61538 + 0.6 = 1.96494\n"
    )
    findings = check_text(text, "russo").results
    assert [(f.line, f.quantity, f.verdict) for f in findings] == [
        (5, "net_o1", "ok"),
        (6, "net_o2", "ok"),
        (7, "net_o3", "arithmetic slip"),
    ]


def test_a_markdown_table_of_a_matrix():
    grads = MAZUR["gradients"]
    text = (
        "### dW[2]\n\n|   | h1 | h2 |\n|---|----|----|\n"
        f"| o1 | {float(grads['w5']):.6f} | {float(grads['w6']):.6f} |\n"
        f"| o2 | {float(grads['w7']):.6f} | 0.022740 |\n"
    )
    findings = check_text(text, "mazur").results
    assert [f.quantity for f in findings] == [
        "dE_total/dw5", "dE_total/dw6", "dE_total/dw7", "dE_total/dw8"
    ]  # fmt: skip
    assert [f.verdict for f in findings] == ["ok", "ok", "ok", "wrong value"]


def test_an_ambiguous_number_is_opaque():
    node, _ = parse(tokenize("0,5999"), 0)
    assert isinstance(node, Opaque) and node.text == "ambiguous"
    node, _ = parse(tokenize("0.5999"), 0)
    assert isinstance(node, Number)


# -- whatever the arrays and commas, reading never fails -------------------------------------------
ARRAY_PIECES = [
    "\\begin{bmatrix}", "\\end{bmatrix}", "\\begin{pmatrix}", "\\end{pmatrix}",
    "\\begin{array}{cc}", "\\end{array}", "&", "\\\\", "[", "]", "[[", "]]", ",", ";", " ",
    "\n", "$$", "Z[1]", "dW[2][1][2]", "W^{[2]T}", "A^{[1]}", "W1", "dZ2", "X @ W1", "W x",
    "0,5999", "0.3775", "-0.2", "0.", "1. ", "6  (", ")", "(", "=", "e-0.7", "frac{", "}{",
    "the error was 0.29 and is now 0.28", "l = 1", "| W[1] | a |\n|---|---|\n| 1 | 0.15 |\n",
    "### Z[2]\nCalculating each element:\n", "np.array(", "⊙", "ᵀ", "₁", "−",
]  # fmt: skip
array_documents = st.lists(
    st.one_of(st.sampled_from(ARRAY_PIECES), st.text(max_size=3)), max_size=60
).map("".join)


@settings(max_examples=150, deadline=5000, suppress_health_check=[HealthCheck.too_slow])
@given(array_documents)
def test_arrays_and_commas_never_break_the_reader(text):
    lines = text.count("\n") + text.count("\r") + 1
    mazur_truth = truth_of("mazur")
    for claim in read_claims(text, mazur_truth.naming):
        assert 1 <= claim.line <= lines
        assert claim.links and claim.text
    for finding in check_text(text, mazur_truth).results:
        assert "a bug, please report it" not in finding.diagnosis
        assert not (finding.verdict == "ok" and finding.stated is None)


def test_a_matrix_written_transposed():
    outs = [RUSSO["forward"][f"h{k}"]["out"] for k in (1, 2, 3)]
    row = " & ".join(f"{float(o):.5f}" for o in outs)
    text = (
        "$$Z^{[2]} = W^{[2]} A^{[1]}$$\n"
        f"$$A^{{[1]}} = \\begin{{bmatrix}} {row} \\end{{bmatrix}}^T$$\n"
        f"$$W^{{[2]}} = {russo_matrix(1, True)}^{{\\top}}$$\n"
    )
    findings = check_text(text, "russo").results
    assert [f.quantity for f in findings[:3]] == ["out_h1", "out_h2", "out_h3"]
    assert len(findings) == 12 and all(f.verdict == "ok" for f in findings)


@pytest.mark.parametrize(
    ("text", "quantity"),
    [
        ("dW[2][2][1] = 0.02204", "dE_total/dw13"),  # layer 2, row 2, column 1 (from 1)
        ("dW2[1, 0] = 0.02204", "dE_total/dw13"),  # from 0, as in code
        ("Z[1][3] = 0.47", "net_h3"),
        ("A[0][2] = 0.10", "i2"),
    ],
)
def test_elements_named_by_their_indices(text, quantity, russo):
    (claim,) = read(text + "\n", russo)
    assert str(claim.quantity) == quantity


def test_a_matrix_table_announced_by_a_sentence_and_oriented_by_its_labels():
    text = (
        "|  | value |\n|--|-------|\n| w1 | 0.15 |\n| w5 | 0.40 |\n\n"
        "The weights into the hidden layer, W1 (rows: inputs, columns: hidden units):\n\n"
        "|  | h1 | h2 |\n|--|----|----|\n| i1 | 0.15 | 0.25 |\n| i2 | 0.20 | 0.35 |\n"
    )
    findings = check_text(text, "mazur").results
    assert [(f.quantity, f.verdict) for f in findings] == [
        ("w1", "ok"), ("w5", "ok"),
        ("w1", "ok"), ("w3", "ok"), ("w2", "ok"), ("w4", "wrong value"),
    ]  # fmt: skip


SOFTMAX = {
    "layers": [2, 3, 3],
    "activation": ["relu", "softmax"],
    "loss": "cross_entropy",
    "learning_rate": 0.1,
    "inputs": [1.0, 2.0],
    "targets": [0.0, 1.0, 0.0],
    "weights": [
        [[0.1, 0.2], [-0.3, 0.4], [0.5, -0.6]],
        [[0.7, -0.8, 0.9], [0.1, 0.2, 0.3], [-0.4, 0.5, 0.6]],
    ],
    "bias": "per_neuron",
    "biases": [[0.1, 0.2, 0.3], [0.0, 0.1, -0.1]],
}


def test_a_softmax_notebook_in_lowercase_row_vectors():
    """Code names its variables with single letters (a2 - y): a fence is read as mathematics,
    its comments are not."""
    ref = reference_step(SOFTMAX)
    outs = [ref["forward"][f"o{k}"]["out"] for k in (1, 2, 3)]
    deltas = [ref["deltas"][f"o{k}"] for k in (1, 2, 3)]
    printed = " ".join(f"{float(o):.6f}" for o in outs)
    text = (
        "```python\n# forward: z1 = x @ W1 + b1, relu, z2 = a1 @ W2 + b2, softmax\n"
        f"a2 = [[{printed}]]  # = 0.5 is no claim\n"
        f"loss = -ln({float(outs[1]):.6f}) = {float(ref['errors']['total']):.6f}\n"
        f"dz2 = a2 - y = [[{float(deltas[0]):.6f} {float(deltas[1]):.6f} 0.312870]]\n```\n"
    )
    findings = check_text(text, derive.spec_from_mapping(SOFTMAX)).results
    assert [(f.line, f.quantity, f.verdict) for f in findings] == [
        (3, "out_o1", "ok"), (3, "out_o2", "ok"), (3, "out_o3", "ok"),
        (4, "E_total", "ok"),
        (5, "dE_total/dnet_o1", "ok"), (5, "dE_total/dnet_o2", "ok"),
        (5, "dE_total/dnet_o3", "wrong value"),
    ]  # fmt: skip


def test_arrays_written_out_are_multiplied_out():
    """W x + b with both written out: each element is the sum it stands for."""
    text = (
        "$$Z^{[1]} = W^{[1]}A^{[0]} + b^{[1]} = \\begin{bmatrix}0.15 & 0.20 \\\\ 0.25 & 0.30"
        "\\end{bmatrix}\\begin{bmatrix}0.05 \\\\ 0.10\\end{bmatrix} + 0.35"
        " = \\begin{bmatrix}0.3775 \\\\ 0.3952\\end{bmatrix}$$\n"
    )
    findings = check_text(text, "mazur").results
    assert [(f.quantity, f.verdict) for f in findings] == [
        ("net_h1", "ok"),
        ("net_h2", "arithmetic slip"),
    ]
    assert findings[1].text == "Z^{[1]}[2][1] = 0.25·0.05 + 0.30·0.10 + 0.35 = 0.3952"


@pytest.mark.parametrize(
    ("text", "values"),
    [
        ("[0.1, 0.2] ⊙ [0.3, 0.4]", [0.1 * 0.3, 0.2 * 0.4]),
        (r"\begin{bmatrix}1 & 2\end{bmatrix} \odot \begin{bmatrix}3 & 4\end{bmatrix}", [3, 8]),
        (r"\sigma(\begin{bmatrix}0.5 \\ -0.5\end{bmatrix})", [1 / (1 + math.exp(-0.5)),
                                                           1 / (1 + math.exp(0.5))]),
        ("2 * [0.1, 0.2] - [0.05, 0.05]", [0.15, 0.35]),
        (r"\begin{bmatrix}1 & 2 \\ 3 & 4\end{bmatrix}\begin{bmatrix}5 \\ 6\end{bmatrix}", [17, 39]),
    ],
)  # fmt: skip
def test_entrywise_and_matrix_products(text, values):
    node, _ = parse(tokenize(text), 0)
    assert isinstance(node, Matrix)
    computed = [evaluate(c, lambda n: None, lambda n: 0.0).value for _, c in node.cells()]
    assert computed == pytest.approx(values, rel=1e-12)


def test_a_row_times_a_column_is_one_number_and_mismatched_shapes_have_no_value():
    node, _ = parse(tokenize(r"\begin{bmatrix}0.15 & 0.2\end{bmatrix}[0.05, 0.1]"), 0)
    assert evaluate(node, lambda n: None, lambda n: 0.0).value == pytest.approx(0.0275)
    node, _ = parse(tokenize("[0.1, 0.2] + [0.1, 0.2, 0.3]"), 0)
    assert isinstance(node, Opaque)


def test_a_tuple_and_a_learning_rate_in_words(mazur):
    text = "The sample is X = (0.05, 0.10), and the learning rate is 0.5.\n"
    # the words on a line with a formula are read too, in the order written
    assert [str(c.quantity) for c in read(text, mazur)] == ["i1", "i2", "eta"]
    assert [str(c.quantity) for c in read("The learning rate is 0.5.\n", mazur)] == ["eta"]


def test_a_value_that_goes_from_one_number_to_another(mazur):
    before = MAZUR["errors"]["total"]
    after = MAZUR["after_update"]["errors"]["total"]
    text = f"After the step the total error drops from {float(before):.9f} to {float(after):.9f}.\n"
    claims = read(text, mazur)
    assert [(str(c.quantity), c.context.phase) for c in claims] == [
        ("E_total", "before"),
        ("E_total", "after"),
    ]
    assert all(f.verdict == "ok" for f in check_text(text, "mazur").results)
