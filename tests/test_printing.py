"""The math printers: every syntax keeps the written order, the names and the rounding."""

from __future__ import annotations

from xml.dom.minidom import parseString

import sympy as sp

import derive
from derive.expr import add, frac, mul, neg, power, sub
from derive.printing import PRINTERS, math_printer

w5, out_h1, eta, target, out = sp.symbols("w5 out_h1 eta target_o1 out_o1")
E_total = sp.Symbol("E_total")


def printed(syntax: str, expr, digits: int = 9):
    return math_printer(syntax, digits)(expr)


def test_the_written_order_is_kept_in_every_syntax():
    # b · 1 + w5 · out_h1 would be SymPy's order; the teacher writes w5 · out_h1 + b · 1
    expr = add(mul(w5, out_h1), mul(sp.Symbol("b2"), 1))
    assert printed("latex", expr) == r"w_{5} \cdot \mathrm{out}_{h_{1}} + b_{2} \cdot 1"
    assert printed("typst", expr) == 'w_(5) dot "out"_(h_(1)) + b_(2) dot 1'
    assert tokens(printed("mathml", expr)) == "w 5 · out h 1 + b 2 · 1"


def tokens(mathml: str) -> str:
    """The text of each MathML token element, in order, separated by spaces."""
    root = parseString(f"<math>{mathml}</math>")
    leaves = [n for n in root.getElementsByTagName("*") if n.tagName in ("mi", "mn", "mo")]
    return " ".join(n.firstChild.data for n in leaves)


def test_partial_derivatives_updates_and_greek_names():
    expr = sub(w5, mul(eta, sp.Derivative(E_total, w5)))
    assert printed("typst", expr) == 'w_(5) - eta dot frac(partial E_("total"), partial w_(5))'
    mathml = printed("mathml", expr)
    assert (
        "\N{PARTIAL DIFFERENTIAL}" in parseString(mathml).toxml()
        and "η" in parseString(mathml).toxml()
    )
    assert printed("typst", sp.Symbol("w5+")) == "w_(5)^(+)"
    assert printed("latex", sp.Symbol("w5+")) == "w_{5}^{+}"


def test_numbers_are_rounded_by_the_one_policy():
    value = sp.Float("0.000035101928374", 50)
    assert printed("latex", value, 6) == r"3.51019 \times 10^{-5}"
    assert printed("typst", value, 6) == "3.51019 times 10^(-5)"
    negative = mul(sp.Float("0.5", 50), sp.Float("-0.0226025405", 50))
    assert printed("typst", negative) == "0.5 dot (-0.0226025405)"
    assert printed("latex", negative) == r"0.5 \cdot \left(-0.0226025405\right)"


def test_fractions_powers_and_negations():
    sigmoid = frac(1, add(1, sp.exp(neg(sp.Symbol("net_h1")), evaluate=False)))
    assert printed("typst", sigmoid) == 'frac(1, 1 + e^(-"net"_(h_(1))))'
    loss = mul(sp.Rational(1, 2), power(sub(target, out), 2))
    assert printed("typst", loss) == 'frac(1, 2) dot ("target"_(o_(1)) - "out"_(o_(1)))^(2)'
    assert printed("latex", loss) == (
        r"\frac{1}{2} \cdot \left(\mathrm{target}_{o_{1}} - \mathrm{out}_{o_{1}}\right)^{2}"
    )


def test_mathml_of_a_whole_document_is_well_formed():
    document = derive.explain("russo").document
    show = math_printer("mathml", document.digits)
    for layer in document.forward.layers:
        for neuron in layer.neurons:
            for expr in (neuron.net.lhs, *neuron.net.forms, *neuron.out.forms):
                parseString(f"<math>{show(expr)}</math>")


def test_widths_measure_the_page_not_the_source():
    width = math_printer("width", 9)
    name = sp.Symbol("net_h1")
    assert width(name) < 6 < len(printed("latex", name))
    assert width(frac(1, add(1, sp.Symbol("x")))) < width(add(1, sp.Symbol("x"), sp.Symbol("y")))


def test_every_printer_is_registered():
    assert set(PRINTERS) == {"latex", "typst", "mathml", "width", "svg"}


def test_functions_other_activations_and_losses_use_print_in_every_syntax():
    """tanh, log, max, step functions: what new activations and losses will bring along."""
    from derive.typeset import typst_pdf

    net, out, target = sp.symbols("net_h1 out_o1 target_o1")
    expressions = [
        sp.tanh(net),
        sub(1, power(sp.tanh(net), 2)),
        sp.Max(0, net),
        sp.Heaviside(net),
        sp.Piecewise((1, net > 0), (sp.Rational(1, 100), True)),
        mul(neg(target), sp.log(out)),
        frac(sp.exp(net), add(sp.exp(net), sp.exp(out))),
        sp.Abs(net),
    ]
    typst = math_printer("typst", 9)
    for expr in expressions:
        parseString(f"<math>{printed('mathml', expr)}</math>")
        assert '"Max' not in typst(expr) and "heaviside" not in typst(expr)
    source = "\n".join(f"$ {typst(expr)} $" for expr in expressions)
    assert typst_pdf(source).startswith(b"%PDF-")
