"""The Markdown walkthrough: every number it prints, checked against the reference.

Each display equation ``lhs = … = value`` is read back, its left-hand side mapped to the
quantity it names, and its final value compared with the reference computation rounded
to the document's digits. Every other number on the page must be a spec value or the
rounded value of some quantity of the reference.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal

import pytest
from conftest import preset_data
from reference import mp, neuron_names, reference_step

import derive

NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?: \\times 10\^\{-?\d+\})?")


def rounded(value, digits: int) -> str:
    """The value written as the tests expect: half up, `digits` significant, no trailing zeros."""
    exact = Decimal(
        mp.nstr(mp.mpf(value), 60, strip_zeros=False, min_fixed=-mp.inf, max_fixed=mp.inf)
    )
    if exact == 0:
        return "0"
    result = exact.quantize(
        Decimal(1).scaleb(exact.adjusted() - digits + 1), rounding=ROUND_HALF_UP
    )
    result = result.normalize()
    exponent = result.adjusted()
    if -4 <= exponent < 6:
        return format(result, "f")
    return f"{format(result.scaleb(-exponent).normalize(), 'f')} \\times 10^{{{exponent}}}"


def tex_neuron(name: str) -> str:
    letter, rest = name[0], name[1:].replace("_", ",")
    return f"{letter}_{{{rest}}}"


def d(of: str, wrt: str) -> str:
    return rf"\frac{{\partial {of}}}{{\partial {wrt}}}"


def quantities(data: dict, ref: dict, after: bool) -> dict[str, object]:
    """LaTeX left-hand side → reference value, for one preset (before or after the update)."""
    sizes = data["layers"]
    names = neuron_names(sizes)
    forward = ref["after_update"]["forward"] if after else ref["forward"]
    errors = ref["after_update"]["errors"] if after else ref["errors"]
    table = {r"E_{\mathrm{total}}": errors["total"]}
    out = {n: forward[n]["out"] for layer in names[1:] for n in layer}
    out.update({n: mp.mpf(str(x)) for n, x in zip(names[0], data["inputs"], strict=False)})
    total = r"E_{\mathrm{total}}"
    for layer in names[1:]:
        for n in layer:
            t = tex_neuron(n)
            table[rf"\mathrm{{net}}_{{{t}}}"] = forward[n]["net"]
            table[rf"\mathrm{{out}}_{{{t}}}"] = forward[n]["out"]
            table[d(rf"\mathrm{{out}}_{{{t}}}", rf"\mathrm{{net}}_{{{t}}}")] = out[n] * (1 - out[n])
    for o in names[-1]:
        table[rf"E_{{{tex_neuron(o)}}}"] = errors[o]
    if after:
        return table
    weights = [w for m in data["weights"] for row in m for w in row]
    count = 0
    for l, matrix in enumerate(data["weights"]):
        for j, row in enumerate(matrix):
            for k, _ in enumerate(row):
                count += 1
                dest, src = names[l + 1][j], names[l][k]
                net = rf"\mathrm{{net}}_{{{tex_neuron(dest)}}}"
                src_tex = f"i_{{{src[1:]}}}" if l == 0 else rf"\mathrm{{out}}_{{{tex_neuron(src)}}}"
                table[d(net, f"w_{{{count}}}")] = out[src]
                table[d(net, src_tex)] = mp.mpf(str(weights[count - 1]))
    if data.get("bias", "shared") == "shared":
        # net = Σ w·out + b·1: its derivative with respect to the layer's bias is 1
        for l, layer in enumerate(names[1:], start=1):
            for n in layer:
                table[d(rf"\mathrm{{net}}_{{{tex_neuron(n)}}}", f"b_{{{l}}}")] = mp.mpf(1)
    for name, value in ref["gradients"].items():
        table[d(total, f"{name[0]}_{{{name[1:]}}}")] = value
        table[f"{name[0]}_{{{name[1:]}}}^{{+}}"] = ref["updated"][name]
    for j, o in enumerate(names[-1]):
        t = tex_neuron(o)
        table[rf"E_{{{t}}}"] = errors[o]
        grad_out = out[o] - mp.mpf(str(data["targets"][j]))
        table[d(total, rf"\mathrm{{out}}_{{{t}}}")] = grad_out
        table[d(f"E_{{{t}}}", rf"\mathrm{{out}}_{{{t}}}")] = grad_out
        table[d(f"E_{{{t}}}", rf"\mathrm{{net}}_{{{t}}}")] = ref["deltas"][o]
    for h in names[-2] if len(names) > 2 else []:
        t = tex_neuron(h)
        k = names[-2].index(h)
        contributions = []
        for j, o in enumerate(names[-1]):
            w = mp.mpf(str(data["weights"][-1][j][k]))
            table[d(f"E_{{{tex_neuron(o)}}}", rf"\mathrm{{out}}_{{{t}}}")] = ref["deltas"][o] * w
            contributions.append(ref["deltas"][o] * w)
        table[d(total, rf"\mathrm{{out}}_{{{t}}}")] = mp.fsum(contributions)
    return table


def equations(markdown: str):
    """(lhs, final number, every number) of each display equation and inline 'as found' line."""
    blocks = [_unaligned(b) for b in re.findall(r"\$\$\n\s*(.*?)\n\s*\$\$", markdown, flags=re.S)]
    blocks += re.findall(r"as found for \$[^$]*\$: \$(.*?)\$", markdown)
    for block in blocks:
        parts = block.split(" = ")
        final = parts[-1].strip()
        if NUMBER.fullmatch(final):
            yield (
                parts[0].strip(),
                final,
                NUMBER.findall(_without_subscripts(" = ".join(parts[1:]))),
            )


def _unaligned(tex: str) -> str:
    """An aligned multi-line equation as one line: lhs = form = … = value."""
    tex = tex.replace("\\begin{aligned}", "").replace("\\end{aligned}", "")
    tex = tex.replace(" \\\\", " ").replace("&=", "=")
    return " ".join(tex.split())


def _without_subscripts(tex: str) -> str:
    """Drop subscripts such as _{h_{1}}, whose digits are names, not numbers."""
    while True:
        shorter = re.sub(r"_\{[^{}]*\}", "", tex)
        if shorter == tex:
            return tex
        tex = shorter


@pytest.fixture(scope="module", params=["mazur", "russo"])
def page(request):
    data = preset_data(request.param)
    walkthrough = derive.explain(request.param)
    return data, reference_step(data), walkthrough.render("md"), data.get("digits", 9)


def test_every_equation_value_is_right(page):
    data, ref, markdown, digits = page
    before, after = markdown.split("## 6. The forward pass again")
    checked = 0
    for text, is_after in ((before, False), (after, True)):
        table = quantities(data, ref, is_after)
        for lhs, final, _ in equations(text):
            assert lhs in table, f"unrecognized quantity {lhs}"
            assert final == rounded(table[lhs], digits), (lhs, final, rounded(table[lhs], digits))
            checked += 1
    assert checked > 40


def test_every_number_on_the_page_is_a_value_of_the_example(page):
    data, ref, markdown, digits = page
    allowed = {"0", "1", "2", "-1"}
    for is_after in (False, True):
        allowed |= {rounded(v, digits) for v in quantities(data, ref, is_after).values()}
    allowed |= {rounded(v, digits) for v in ref["parameters"].values()}
    allowed |= {
        rounded(mp.mpf(str(x)), digits)
        for x in [*data["inputs"], *data["targets"], data["learning_rate"]]
    }
    for _lhs, _final, numbers in equations(markdown):
        for number in numbers:
            assert number in allowed or number.lstrip("-") in allowed, number


def test_summary_table_rows(page):
    _data, ref, markdown, digits = page
    summary = markdown.split("## 5. Summary", 1)[1].split("\n## ", 1)[0]  # not section 6's table
    rows = re.findall(
        r"^\| \$(\w)_\{(\d+)\}\$ \| (\S+) \| (\S+) \| (\S+?)(?: \(not updated\))? \|$",
        summary,
        re.M,
    )
    assert len(rows) == len(ref["gradients"])
    for letter, index, old, gradient, new in rows:
        name = f"{letter}{index}"
        plain = lambda v: rounded(v, digits).replace(" \\times 10^{", "e").rstrip("}")  # noqa: E731
        assert old == plain(ref["parameters"][name])
        assert new == plain(ref["updated"][name])
        assert Decimal(gradient) == Decimal(plain(ref["gradients"][name]).replace("e", "E"))


def test_sections_come_in_the_order_of_the_classic_example(page):
    _, _, markdown, _ = page
    headings = re.findall(r"^## (.*)$", markdown, re.M)
    assert headings == [
        "1. The network",
        "2. The forward pass",
        "3. The error",
        "4. The backward pass",
        "5. Summary",
        "6. The forward pass again",
    ]
    assert "```mermaid" in markdown
    assert markdown.count("$$") % 2 == 0
    assert all(line.count("$") % 2 == 0 for line in markdown.splitlines() if "$$" not in line)
    assert "The total error fell from" in markdown


def test_hidden_layer_uses_the_original_weights(page):
    _, _, markdown, _ = page
    hidden = markdown.split("The hidden layer\n")[2]
    assert "original weights" in hidden
    assert r"\cdot w_{5}" in hidden or r"\cdot w_{10}" in hidden


def _uniform(sizes: list[int]) -> dict:
    return {
        "title": "Uniform",
        "layers": sizes,
        "activation": "sigmoid",
        "loss": "mse",
        "learning_rate": 0.5,
        "bias": "none",
        "inputs": [0.1] * sizes[0],
        "targets": [0.5] * sizes[-1],
        "weights": [[[0.1] * sizes[k] for _ in range(sizes[k + 1])] for k in range(len(sizes) - 1)],
    }


@pytest.mark.parametrize(
    "sizes, arrows, labelled",
    [([2, 2, 1], 6, 6), ([12, 4, 1], 52, 0), ([40, 8, 1], 2, 2)],
    ids=["every weight on its edge", "every edge, no labels", "one box per layer"],
)
def test_the_mermaid_chart_shows_what_stays_readable(sizes, arrows, labelled):
    """Up to 40 edges each carries its weight; up to 300 every edge is drawn unlabelled;
    beyond, one box per layer and one arrow between two layers (labelled "all weights")."""
    import derive
    from derive.spec import spec_from_mapping

    markdown = derive.explain(spec_from_mapping(_uniform(sizes)), detail="summary").render("md")
    chart = markdown.split("```mermaid", 1)[1].split("```", 1)[0]
    assert chart.count("-->") == arrows
    assert chart.count('" -->') == labelled
    if labelled == arrows and len(sizes) * 2 < arrows:
        assert chart.count("= 0.1") == arrows
    if len(sizes) * 2 > arrows:  # the layer boxes: the output layer in the singular
        assert "output layer: one neuron" in chart and "hidden layer: 8 neurons" in chart
