"""Reading documents: tokens, expressions, names, located claims and their context.

Everything here is about reading, not judging: which claims a text holds, where (the
1-based line in the document as given), about which quantity, in which context.
"""

from __future__ import annotations

import math
from decimal import Decimal

import pytest

from derive.check.claims import read_claims
from derive.check.expression import Apply, Number, evaluate, parse
from derive.check.lexer import tokenize
from derive.check.names import Atom, Naming
from derive.check.truth import truth_of


@pytest.fixture(scope="module")
def naming() -> Naming:
    return truth_of("mazur").naming


@pytest.fixture(scope="module")
def naming_russo() -> Naming:
    return truth_of("russo").naming


def claims(text: str, naming: Naming) -> list:
    return list(read_claims(text, naming))


def quantities(text: str, naming: Naming) -> list[str | None]:
    return [str(c.quantity) if c.quantity else None for c in claims(text, naming)]


def value(text: str) -> float:
    tokens = tokenize(text)
    node, end = parse(tokens, 0)
    assert end == len(tokens), text
    result = evaluate(node, lambda name: None, lambda number: 0.0)
    return result.value


# -- expressions ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0.15 * 0.05 + 0.2 * 0.1 + 0.35 * 1", 0.3775),
        (r"0.15 \cdot 0.05 + 0.2 \times 0.1 + 0.35", 0.3775),
        ("0.15 × 0.05 + 0.2 · 0.1 + 0.35", 0.3775),
        ("0.15 x 0.05 + 0.2 x 0.1 + 0.35", 0.3775),
        ("(0.15)(0.05) + (0.20)(0.10) + 0.35", 0.3775),
        (r"\frac{1}{1+e^{-0.3775}}", 0.5932699921071872),
        ("1/(1+e^(−0.3775))", 0.5932699921071872),
        (r"\frac{1}{1 + \exp(-0.3775)}", 0.5932699921071872),
        (r"\sigma(0.3775)", 0.5932699921071872),
        (r"\frac12 \left(0.01 - 0.75136507\right)^{2}", 0.5 * 0.74136507**2),
        ("½ (0.01 − 0.75136507)²", 0.5 * 0.74136507**2),
        ("0.5*(0.01-0.75136507)**2", 0.5 * 0.74136507**2),
        ("0.055399425 + -0.019049119", 0.036350306),
        (r"0.4 - 0.5 \cdot \left(-0.0226\right)", 0.4113),
        (r"3.51019 \times 10^{-5}", 3.51019e-5),
        ("3.51019e-05", 3.51019e-5),
        (r"\tanh{\left(0.3775 \right)}", 0.3605343933974386),
        (r"-1 \cdot \log{\left(0.518343 \right)}", -math.log(0.518343)),
        (r"\max(0, -0.03)", 0.0),
        (r"\sqrt{0.25}", 0.5),
        ("2.46 %", 0.0246),
    ],
)
def test_arithmetic_is_evaluated(text, expected):
    assert value(text) == pytest.approx(expected, rel=1e-9)


def test_a_number_keeps_its_precision():
    node, _ = parse(tokenize(r"3.51019 \times 10^{-5}"), 0)
    assert isinstance(node, Number) and node.value == Decimal("3.51019e-5")
    assert node.places == -10 and node.digits == 6
    node, _ = parse(tokenize("0.40"), 0)
    assert node.places == -2 and node.ulp == Decimal("0.01")
    node, _ = parse(tokenize("0.5932…"), 0)
    assert node.truncated


def test_juxtaposition_is_a_product_and_words_end_an_expression():
    node, end = parse(tokenize(r"0.75136507(1 - 0.75136507)"), 0)
    assert isinstance(node, Apply) and node.juxtaposed
    tokens = tokenize("0.3825 (including bias)", math=False)
    node, end = parse(tokens, 0)
    assert isinstance(node, Number) and end == 1


def test_parsing_is_bounded():
    assert parse(tokenize("(" * 5000 + "1" + ")" * 5000), 0) is None
    assert parse(tokenize("{" * 300), 0) is None
    assert parse(tokenize(r"\frac{" * 200), 0) is None


# -- names ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("written", "quantity"),
    [
        ("net_{h1}", "net_h1"),
        ("net_{h_1}", "net_h1"),
        (r"\text{net}_{h1}", "net_h1"),
        (r"\mathrm{net}_{h_{1}}", "net_h1"),
        ("neth1", "net_h1"),
        ("out_{o1}", "out_o1"),
        ("out_{o_1}", "out_o1"),
        ("output_{o1}", "out_o1"),
        ("o_1", "out_o1"),
        ("E_{total}", "E_total"),
        (r"E_{\mathrm{total}}", "E_total"),
        ("Etotal", "E_total"),
        ("E", "E_total"),
        ("E_{o1}", "E_o1"),
        ("E_1", "E_o1"),
        ("target_{o2}", "target_o2"),
        ("t_2", "target_o2"),
        ("i_1", "i1"),
        ("x_2", "i2"),
        ("w_5", "w5"),
        ("w5", "w5"),
        ("b_1", "b1"),
        (r"\eta", "eta"),
        ("η", "eta"),
        ("w_5^+", "w5+"),
        ("w_5^{+}", "w5+"),
        ("w_{5}^{+}", "w5+"),
        ("w_5^{new}", "w5+"),
        ("w5⁺", "w5+"),
        ("w₅⁺", "w5+"),
        ("w5'", "w5+"),
        ("new w6", "w6+"),
        ("w6(new)", "w6+"),
        (r"\frac{\partial E_{total}}{\partial w_5}", "dE_total/dw5"),
        (r"\frac{\partial E_{\mathrm{total}}}{\partial w_{5}}", "dE_total/dw5"),
        (r"\partial E/\partial w5", "dE_total/dw5"),
        ("∂Etotal/∂w5", "dE_total/dw5"),
        ("dE/dw5", "dE_total/dw5"),
        (r"\frac{dE}{dw_5}", "dE_total/dw5"),
        (r"\frac{\partial out_{o1}}{\partial net_{o1}}", "dout_o1/dnet_o1"),
        (r"\frac{\partial E_{o2}}{\partial out_{h1}}", "dE_o2/dout_h1"),
        (r"\delta_{o1}", "dE_total/dnet_o1"),
        ("δo1", "dE_total/dnet_o1"),
    ],
)
def test_names_people_write(written, quantity, naming):
    assert quantities(f"${written} = 0.5$", naming)[0] == quantity


def test_new_w10_with_superscript_n(naming_russo):
    assert quantities("$w_{10}^n = 0.62368$", naming_russo) == ["w10+"]


@pytest.mark.parametrize(
    ("written", "quantity"),
    [
        ("z^{(1)}_1", "net_h1"),
        ("a^{(1)}_2", "out_h2"),
        ("a^{(0)}_3", "i3"),
        ("a^{(2)}_1", "out_o1"),
        ("w^{(2)}_{12}", "w11"),
        ("w_{1,2}^{(2)}", "w11"),
        ("w^{(1)}_{23}", "w6"),
        ("b^{(1)}", "b1"),
        (r"\delta^{(2)}_1", "dE_total/dnet_o1"),
        ("w_{1,1}^{(1)+}", "w1+"),
    ],
)
def test_the_layered_notation(written, quantity, naming_russo):
    assert quantities(f"${written} = 0.5$", naming_russo)[0] == quantity


def test_layered_names_follow_the_network(naming):
    # in the 2-2-2 network w^{(2)}_{12} is w6 (from h2 to o1)
    assert naming.quantity(Atom("w", "12", "(2)")).name == "w6"
    assert naming.quantity(Atom("a", "1", "(2)")).name == "out_o1"


def test_words_of_prose_are_not_names(naming):
    text = "The output is then squashed: we get out h1 = 0.5933 and so on, a = 3."
    found = claims(text, naming)
    # "a = 3" is a claim about a word that names nothing here: read, not recognized
    assert [c.quantity and str(c.quantity) for c in found] == ["out_h1", None]
    assert found[0].text == "out h1 = 0.5933"


# -- claims -----------------------------------------------------------------------------------
def test_a_chain_is_located_with_its_links(naming):
    text = (
        "intro\n\n$$\\text{net}_{h1} = w_1 i_1 + w_2 i_2 + b_1"
        " = 0.15 \\cdot 0.05 + 0.2 \\cdot 0.1 + 0.35 = 0.3775$$\n"
    )
    (claim,) = claims(text, naming)
    assert claim.line == 3 and claim.kind == "chain"
    assert [link.relation for link in claim.links] == ["", "=", "=", "="]
    assert claim.stated.value == Decimal("0.3775")
    assert claim.text.startswith(r"\text{net}_{h1} = w_1 i_1")


def test_align_rows_continue_a_chain_and_the_line_is_the_rows(naming):
    text = (
        "\\begin{align}\n"
        "net_{o1} &= w_5 out_{h1} + w_6 out_{h2} + b_2 \\\\\n"
        "&= 0.4 \\cdot 0.593269992 + 0.45 \\cdot 0.596884378 + 0.6 \\\\\n"
        "&= 1.105905967\n"
        "\\end{align}\n"
    )
    (claim,) = claims(text, naming)
    assert claim.line == 2 and claim.links[-1].line == 4
    assert str(claim.quantity) == "net_o1"


def test_bare_lines_and_broken_lines(naming):
    text = (
        "w5+ = 0.35891648\n"
        "net o1 = 0.4 × 0.59326999 + 0.45 × 0.59688438 +\n"
        "   0.6 × 1 = 1.10590597\n"
    )
    found = claims(text, naming)
    assert [str(c.quantity) for c in found] == ["w5+", "net_o1"]
    assert found[1].line == 2 and found[1].links[-1].line == 3


def test_several_claims_on_a_line(naming):
    found = claims("  w1 = 0.15  w2 = 0.20  w3 = 0.25\n$w_5 = 0.40$, $w_6 = 0.45$", naming)
    assert [str(c.quantity) for c in found] == ["w1", "w2", "w3", "w5", "w6"]


def test_a_parameter_worked_out_is_its_update(naming):
    (claim,) = claims("w_5 = 0.4 - 0.5 * 0.0821670406 = 0.35891648", naming)
    assert str(claim.quantity) == "w5+"


def test_a_formula_without_a_number_is_a_claim_when_it_names_a_quantity(naming):
    (claim,) = claims("$$E_{total} = E_{o1} + E_{o2}$$", naming)
    assert claim.kind == "formula"
    assert claims("$$E = \\frac{1}{2}(target - out)^2$$", naming) == []


def test_tables(naming):
    text = (
        "| Parameter | Before | $\\partial E_{total} / \\partial p$ | After |\n"
        "|---|---:|---:|---:|\n"
        "| $w_{5}$ | 0.4 | 0.0821670406 | 0.35891648 |\n"
    )
    found = claims(text, naming)
    assert [str(c.quantity) for c in found] == ["w5", "dE_total/dw5", "w5+"]
    assert {c.line for c in found} == {3}


# -- context ----------------------------------------------------------------------------------
def phases(text: str, naming: Naming) -> list[tuple[str, str]]:
    return [(str(c.quantity), c.context.phase) for c in claims(text, naming)]


def test_headings_and_sentences_set_the_pass(naming):
    text = (
        "# Example\n## The forward pass\n$out_{o1} = 0.75136507$\n"
        "## The forward pass again\n### The hidden layer\n$out_{h1} = 0.593256764$\n"
        "## Backward pass\n$out_{o1} = 0.75136507$\n"
        "After this round of backpropagation the error is $E_{total} = 0.291027774$.\n"
    )
    assert phases(text, naming) == [
        ("out_o1", "before"),
        ("out_h1", "after"),
        ("out_o1", "before"),
        ("E_total", "after"),
    ]


def test_a_remark_after_a_claim_holds_for_it(naming):
    text = "from $E = 0.298371109$ to\n$E = 0.291027774$ (the forward pass after the update).\n"
    assert phases(text, naming) == [("E_total", "before"), ("E_total", "after")]


def test_iterations_and_samples(naming):
    found = claims("After 10,000 iterations $out_{o1} = 0.0159136$.", naming)
    assert found[0].context.phase == "trained" and found[0].context.steps == 10_000
    found = claims("For sample 1, $a = 1$ and $x_1 = 0.05$; for sample 2, $x_1 = 0.2$.", naming)
    assert [c.context.sample for c in found if c.quantity] == [1, 2]


def test_negated_words_do_not_switch_the_pass(naming):
    text = "The sums use the original weights, not the updated ones: $out_{h1} = 0.593269992$"
    assert phases(text, naming) == [("out_h1", "before")]


def test_latex_comments_and_lines(naming):
    text = "\\documentclass{article}\n% $w_5 = 0.9$\n\\section{Forward pass}\n$w_5 = 0.4$ % 0.4\n"
    (claim,) = claims(text, naming)
    assert claim.line == 4 and str(claim.quantity) == "w5"


def test_line_numbers_follow_the_document_as_given(naming):
    for newline in ("\n", "\r\n", "\r"):
        text = newline.join(["a", "", "$w_5 = 0.4$", "b", "w6 = 0.45"])
        assert [c.line for c in claims(text, naming)] == [3, 5]


# -- other languages: HTML with MathML, Typst ------------------------------------------------
def test_mathml_is_read_line_for_line(naming):
    html = (
        "<!DOCTYPE html>\n<html><body>\n<h2>The forward pass again</h2>\n"
        "<p>so <math><msub><mi>w</mi><mn>5</mn></msub></math>"
        "<math><mo>=</mo><mn>0.4</mn></math></p>\n"
        '<div><math display="block"><mtable><mtr><mtd><msub><mi>out</mi><msub><mi>h</mi><mn>1</mn>'
        "</msub></msub></mtd><mtd><mo>=</mo><mfrac><mn>1</mn><mrow><mn>1</mn><mo>+</mo><msup>"
        "<mi>e</mi><mrow><mo>&#8722;</mo><mn>0.377445179</mn></mrow></msup></mrow></mfrac></mtd>"
        "</mtr><mtr><mtd></mtd><mtd><mo>=</mo><mn>0.593256764</mn></mtd></mtr></mtable></math></div>\n"
        "<script>var x = 3;</script>\n</body></html>\n"
    )
    found = claims(html, naming)
    assert [(c.line, str(c.quantity), c.context.phase) for c in found] == [
        (4, "w5", "after"),
        (5, "out_h1", "after"),
    ]


def test_typst_is_read_line_for_line(naming):
    typst = (
        '#set document(title: "x")\n= The forward pass\n\n'
        '#display($ "net"_(h_(1)) = w_(1) dot i_(1) + w_(2) dot i_(2) + b_(1) dot 1 \\\n'
        "&= 0.15 dot 0.05 + 0.2 dot 0.1 + 0.35 dot 1 = 0.3775 $)\n\n"
        '$frac(partial E_("total"), partial w_(5)) = 0.0821670406$\n'
    )
    found = claims(typst, naming)
    assert [(c.line, str(c.quantity)) for c in found] == [(4, "net_h1"), (7, "dE_total/dw5")]
    assert found[0].links[-1].line == 5


def test_annotations_speak_each_language():
    from derive.check import check_text

    for text, marker in [
        ("$w_5 = 0.5$\n", "> **derive check**"),
        ("\\documentclass{article}\n\\begin{document}\n$w_5 = 0.5$\n", "% derive check"),
        ("#set page(width: auto)\n$w_(5) = 0.5$\n", "// derive check"),
        ("<html>\n<math><msub><mi>w</mi><mn>5</mn></msub><mo>=</mo><mn>0.5</mn></math>\n", "<!--"),
    ]:
        annotated = check_text(text, "mazur").annotate(text)
        assert marker in annotated, annotated
        assert annotated.splitlines()[: text.count("\n")] == text.splitlines()
