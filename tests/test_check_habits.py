"""derive check on other writers' habits: each is read as the writer meant it, or not at all.

Every case pairs a right number with a wrong one (the wrong one a slip people make), so a
rule that read the habit the wrong way would pass a wrong number or raise a false alarm.
The numbers are those of the classic 2-2-2 network, from tests/reference.py.
"""

from __future__ import annotations

import pytest
from conftest import preset_data
from reference import mp, reference_step

from derive.check import check_text

REF = reference_step(preset_data("mazur"))


def verdicts(text: str) -> list[tuple[int, str | None, str]]:
    """(line, quantity, verdict) of every claim read, in order."""
    report = check_text(text, "mazur")
    return [(c["line"], c["quantity"], c["verdict"]) for c in report.to_json()["claims"]]


def value(name: str, digits: int) -> str:
    """A quantity of the reference step, rounded as a writer would write it."""
    table = {"out_h1": REF["samples"][0]["forward"]["h1"]["out"],
             "net_h1": REF["samples"][0]["forward"]["h1"]["net"],
             "E_total": REF["samples"][0]["errors"]["total"],
             "E_after": REF["after_samples"][0]["errors"]["total"],
             **{f"dE/d{p}": g for p, g in REF["gradients"].items()},
             **{f"{p}+": u for p, u in REF["updated"].items()}}  # fmt: skip
    return mp.nstr(table[name], digits)


def test_a_tuple_assignment_pairs_names_and_values_in_order():
    assert verdicts("```python\nw1, w2 = 0.15, 0.20\ntarget_o1, target_o2 = 0.01, 0.99\n```\n") == [
        (2, "w1", "ok"), (2, "w2", "ok"), (3, "target_o1", "ok"), (3, "target_o2", "ok"),
    ]  # fmt: skip
    assert verdicts("```python\nw1, w2 = 0.15, 0.25\n```\n")[1] == (2, "w2", "wrong value")


@pytest.mark.parametrize("line", ["w1..w4 = .15 .20 .25 .30", "w1…w4 = 0.15 0.2 0.25 0.3"])
def test_a_range_of_names_takes_its_values_in_order(line):
    assert [v for _, _, v in verdicts(line + "\n")] == ["ok"] * 4


def test_a_range_or_tuple_whose_counts_differ_is_not_read():
    """Before: ``w1..w8 = .15`` claimed w8 = .15, a false alarm."""
    assert verdicts("w1..w4 = .15 .20 .25\n.30\n") == []
    assert verdicts("```python\ni1, i2 = 0.05, 0.10, 0.15\n```\n") == []


def test_a_printout_under_code_is_a_claim_about_each_name_printed():
    code = "```python\nprint(net_h1, out_h1)\n```\n\n```\n{} {}\n```\n"
    right = code.format(value("net_h1", 6), value("out_h1", 16))
    assert verdicts(right) == [(6, "net_h1", "ok"), (6, "out_h1", "ok")]
    swapped = code.format(value("out_h1", 16), value("net_h1", 6))
    assert [v for _, _, v in verdicts(swapped)] == ["wrong value", "wrong value"]
    assert verdicts(code.format("net:", value("net_h1", 6))) == []  # a label: not paired


def test_a_comment_that_is_a_number_is_the_value_of_the_line():
    line = "```python\nnet_h1 = w1 * i1 + w2 * i2 + b1  # {}\nlr = 0.5  # 0.1\n```\n"
    assert verdicts(line.format(value("net_h1", 4))) == [(2, "net_h1", "ok"), (3, "eta", "ok")]
    assert verdicts(line.format("0.3785"))[0] == (2, "net_h1", "wrong value")


def test_code_names_of_derivatives_are_derivatives():
    text = f"```python\ndE_dw5 = {value('dE/dw5', 8)}\ndout_h1_dnet_h1 = 0.2413\n```\n"
    assert verdicts(text) == [(2, "dE_total/dw5", "ok"), (3, "dout_h1/dnet_h1", "ok")]


def test_prose_about_a_gradient_is_about_the_gradient():
    right = f"The gradient for w6 comes out to {value('dE/dw6', 7)}.\n"
    assert verdicts(right) == [(1, "dE_total/dw6", "ok")]
    assert verdicts("The gradient for w6 comes out to 0.45.\n")[0][2] == "wrong value"
    assert verdicts("the derivative of out_h1 is 0.2413\n") == []


def test_prose_over_a_line_break_and_the_value_it_was():
    text = (f"Running the forward pass again, the total error comes\n"
            f"out to {value('E_after', 8)} (it was {value('E_total', 8)}).\n")  # fmt: skip
    assert verdicts(text) == [(2, "E_total", "ok"), (2, "E_total", "ok")]
    swapped = (f"Running the forward pass again, the total error comes\n"
               f"out to {value('E_total', 8)} (it was {value('E_after', 8)}).\n")  # fmt: skip
    assert [v for _, _, v in verdicts(swapped)] == ["wrong value", "wrong value"]


def test_an_arrow_updates_a_parameter_and_nothing_else():
    text = f"w5 -> 0.4 - 0.5*0.0822 = {value('w5+', 4)}\nnet_h1 → out_h1 = 0.5933\n"
    assert verdicts(text) == [(1, "w5+", "ok"), (2, None, "unrecognized")]


def test_weights_indexed_by_neuron_pairs_are_not_weight_numbers():
    """w_{11} ← … in a handout that writes w_{jk}: not weight number 11 (a false alarm)."""
    text = "The weight from $j$ to $k$ is $w_{jk}$.\n\n$w_{11} = 0.15$ and $w_{12} = 0.2$\n"
    assert [v for _, _, v in verdicts(text)] == ["unrecognized", "unrecognized"]


def test_outputs_given_as_the_target_data_are_not_wrong_outputs():
    assert verdicts("输出数据 o1=0.01，o2=0.99；\n") == [
        (1, "out_o1", "unrecognized"), (1, "out_o2", "unrecognized"),
    ]  # fmt: skip


def test_a_chinese_total_and_a_quoted_reply():
    text = f"$E_{{总}} = {value('E_total', 9)}$\n"
    assert verdicts(text) == [(1, "E_total", "ok")]
    email = (f"After the update the error is {value('E_after', 4)}.\n\n"
             f"> On Thu, Dan wrote:\n> I get E = {value('E_total', 4)}\n")  # fmt: skip
    assert [v for _, _, v in verdicts(email)] == ["ok", "ok"]


def test_a_notebook_page_reads_its_code_cells_and_their_printout():
    page = (
        '<!DOCTYPE html>\n<html><body>\n<div class="jp-InputArea"><div class="highlight">'
        '<pre><span class="n">dE_dw5</span> <span class="o">=</span> <span class="mf">'
        f'{value("dE/dw5", 6)}</span>\n<span class="nb">print</span>(<span class="n">net_h1'
        '</span>, <span class="n">out_h1</span>)\n</pre></div></div>\n'
        '<div class="jp-OutputArea-output"><pre>{} {}\n</pre></div>\n</body></html>\n'
    )
    right = page.format(value("net_h1", 6), value("out_h1", 9))
    assert verdicts(right) == [(3, "dE_total/dw5", "ok"), (6, "net_h1", "ok"), (6, "out_h1", "ok")]
    wrong = page.format(value("net_h1", 6), value("net_h1", 6))
    assert verdicts(wrong)[2] == (6, "out_h1", "wrong value")


def test_a_blog_page_reads_a_bare_pre_under_code_as_its_printout():
    page = (
        '<!DOCTYPE html>\n<html><body><p>Code:</p>\n<pre><code class="language-python">'
        "print(net_h1, out_h1)\n</code></pre>\n<pre>{} {}\n</pre>\n</body></html>\n"
    )
    assert verdicts(page.format(value("net_h1", 4), value("out_h1", 5))) == [
        (5, "net_h1", "ok"), (5, "out_h1", "ok"),
    ]  # fmt: skip
    assert verdicts(page.format(value("out_h1", 5), value("net_h1", 4)))[0][2] == "wrong value"


@pytest.mark.parametrize("name", ["w5*", "new weight w5", "updated bias b2"])
def test_the_marks_of_an_updated_parameter(name):
    parameter = name.split()[-1].rstrip("*")
    text = f"{name} = {value(parameter + '+', 8)}\n"
    assert verdicts(text) == [(1, parameter + "+", "ok")]


@pytest.mark.parametrize("words", ["total error E", "Cost J", "loss L", "the error E_total"])
def test_a_quantity_described_then_named_is_not_a_product(words):
    """Before: "total error E = 0.2984" was read as error·E, a false alarm."""
    assert verdicts(f"{words} = {value('E_total', 4)}\n") == [(1, "E_total", "ok")]


@pytest.mark.parametrize(
    ("sentence", "phase"),
    [
        ("The sums use the original weights, not the updated weights:", False),
        ("Les sommes utilisent les poids d'origine, et non les poids mis à jour :", False),
        ("Die Summen nehmen nicht die aktualisierten Gewichte:", False),
        ("With the updated weights the forward pass gives:", True),
        ("Le réseau avec les poids mis à jour donne :", True),
    ],
)
def test_a_negated_after_the_update_phrase_does_not_say_after(sentence, phase):
    from derive.check.claims import context_change

    assert (context_change(sentence).get("phase") == "after") is phase


# -- the conventions of textbooks and homework: the sign of δ, y_j, ŷ, an unread group ---------
def _numbered(text: str, spec=None) -> list[tuple[int, str | None, str]]:
    report = check_text(text, spec or "mazur")
    return [(c["line"], c["quantity"], c["verdict"]) for c in report.to_json()["claims"]]


def _signal(neuron: str, digits: int = 4) -> str:
    """δ_j = −∂E/∂net_j of the classic network, as Mitchell's and Haykin's δ."""
    return mp.nstr(-REF["deltas"][neuron], digits)


def test_the_sign_of_delta_is_learned_from_the_document():
    """Units 1-2 inputs, 3-4 hidden, 5-6 outputs; δ = (t − o) o (1 − o), the error signal."""
    units = ((5, "o1"), (6, "o2"), (3, "h1"), (4, "h2"))
    lines = [f"$\\delta_{u} = {_signal(n)}$" for u, n in units]
    right = "\n\n".join(lines) + "\n"
    assert [(q, v) for _, q, v in _numbered(right)] == [
        ("-dE_total/dnet_o1", "ok"), ("-dE_total/dnet_o2", "ok"),
        ("-dE_total/dnet_h1", "ok"), ("-dE_total/dnet_h2", "ok"),
    ]  # fmt: skip
    # the gradient's sign in one line of a document written with the signal's: wrong, not ok
    flipped = right.replace(_signal("h2"), mp.nstr(REF["deltas"]["h2"], 4))
    assert _numbered(flipped)[3][1:] == ("-dE_total/dnet_h2", "wrong value")
    # the gradient's sign throughout: read as the gradient, as before
    gradient = "\n\n".join(f"$\\delta_{u} = {mp.nstr(REF['deltas'][n], 4)}$" for u, n in units[:3])
    assert [q for _, q, _ in _numbered(gradient + "\n")] == [
        "dE_total/dnet_o1", "dE_total/dnet_o2", "dE_total/dnet_h1"]  # fmt: skip


def test_y_of_a_hidden_unit_is_its_output():
    """A hidden unit has no target: y_3 in unit numbering is out_h1 whatever y_5 is."""
    out = {n: mp.nstr(REF["samples"][0]["forward"][n]["out"], 4) for n in ("h1", "h2")}
    net = {n: mp.nstr(REF["samples"][0]["forward"][n]["net"], 4) for n in ("h1", "h2")}
    text = "$z_3 = {}$\n\n$y_3 = {}$\n\n$z_4 = {}$\n\n$y_4 = {}$\n"
    right = text.format(net["h1"], out["h1"], net["h2"], out["h2"])
    assert [(q, v) for _, q, v in _numbered(right)][1::2] == [("out_h1", "ok"), ("out_h2", "ok")]
    wrong = text.format(net["h1"], out["h1"], net["h2"], "0.6969")  # 0.5969: a digit slipped
    assert _numbered(wrong)[3][1:] == ("out_h2", "wrong value")


LINEAR = {"layers": [2, 2, 1], "activation": "linear", "loss": "half_sse", "learning_rate": 0.05,
          "inputs": [2, 3], "targets": [1], "bias": "none",
          "weights": [[[0.11, 0.21], [0.12, 0.08]], [[0.14, 0.15]]]}  # fmt: skip
LINEAR_REF = reference_step(LINEAR)


def _linear(text: str) -> list[tuple[int, str | None, str]]:
    from derive.spec import spec_from_mapping

    return _numbered(text, spec_from_mapping(LINEAR))


def test_y_hat_alone_is_the_one_output():
    out = LINEAR_REF["samples"][0]["forward"]["o1"]["out"]
    assert _linear(f"$\\hat{{y}} = {mp.nstr(out, 3)}$\n") == [(1, "out_o1", "ok")]
    # a single wrong value is no evidence for the name: unread, never ok
    assert _linear("$\\hat{y} = 0.119$\n") == [(1, None, "unrecognized")]


def test_an_unread_group_keeps_the_name_on_the_left():
    """``w6* = w6 − a (h2 . Δ) = 0.15 − …``: the group is not read, w6* still is."""
    line = "```\nw6* = w6 - a (h2 . Δ) = 0.15 - 0.05 (0.48 * -0.809) = {}\n```\n"
    right = mp.nstr(LINEAR_REF["updated"]["w6"], 4)
    assert _linear(line.format(right)) == [(2, "w6+", "ok")]
    # the wrong weight put in (w5 = 0.14 for w6 = 0.15), the arithmetic right: a wrong value
    wrong = "```\nw4* = w4 - a (i2 . Δ w6) = 0.08 - 0.05 (3 * -0.809 * 0.14) = 0.0970\n```\n"
    assert _linear(wrong) == [(2, "w4+", "wrong value")]
    # a group followed by anything but '=' is no skipped side: the claim is not w4's
    assert _linear("```\nw4* = w4 - a (i2 . Δ w6) and 0.08 - 0.05 = 0.03\n```\n")[0][1] != "w4+"


def test_an_exponent_or_an_ascii_dot_operand_is_no_left_side():
    """Before: ``2 = 1/2 (0.191 − 1)^2 = 0.327`` (the exponent as a left side), and
    ``[0.14] = [0.191]`` (a column split over two lines) were arithmetic slips."""
    error = "```\nError = 1/2 (prediction - actual)^2 = 1/2 (0.191 - 1)^2 = {}\n```\n"
    assert [v for _, _, v in _linear(error.format("0.327"))] == ["unrecognized"]
    assert [v for _, _, v in _linear(error.format("0.372"))] == ["arithmetic slip"]
    column = "```\n[0.85 0.48] . [0.14] = [{}]\n              [0.15]\n```\n"
    for stated in ("0.191", "0.119"):  # right or wrong: not read as [0.14] = …, never ok
        assert _linear(column.format(stated)) == []


@pytest.mark.parametrize("sentence", ["Con los pesos nuevos", "Avec les nouveaux poids",
                                      "Mit den neuen Gewichten", "Com os pesos atualizados",
                                      "Con i pesi aggiornati"])  # fmt: skip
def test_the_new_weights_in_other_languages_mean_after_the_update(sentence):
    after = mp.nstr(REF["after_samples"][0]["errors"]["total"], 6)
    before = value("E_total", 6)
    assert verdicts(f"{sentence}: $E_{{total}} = {after}$\n") == [(1, "E_total", "ok")]
    assert verdicts(f"{sentence}: $E_{{total}} = {before}$\n") == [(1, "E_total", "wrong value")]


def _change(parameter: str, digits: int) -> str:
    """Δp = p⁺ − p of the classic network's update."""
    return mp.nstr(REF["updated"][parameter] - REF["parameters"][parameter], digits)


@pytest.mark.parametrize("name", ["\\Delta w_5", "\\Delta w_{5}", "Δw5", "Δw_5"])
def test_delta_of_a_parameter_is_its_change_in_the_update(name):
    assert verdicts(f"${name} = {_change('w5', 4)}$\n") == [(1, "Δw5", "ok")]
    # the gradient's sign (Δw5 = +η ∂E/∂w5): wrong, not ok
    flipped = _change("w5", 4).removeprefix("-")
    assert verdicts(f"${name} = {flipped}$\n") == [(1, "Δw5", "wrong value")]


def test_a_spaced_unicode_delta_before_a_weight_is_a_product():
    """``Δ w6`` (the delta Δ = prediction − actual, times w6) is not the change of w6."""
    assert all(q != "Δw6" for _, q, _ in verdicts("```\nx = Δ w6 = 0.0408\n```\n"))


def test_mitchells_delta_with_derives_own_names():
    """δ_k = o_k (1 − o_k)(t_k − o_k) written δ_{o_1}: the document's sign, learned from
    its own claims; a hidden δ's formula holds in the perturbed network as it is read."""
    text = (
        f"$\\delta_{{o_1}} = o_1(1-o_1)(t_1-o_1) = {_signal('o1')}$\n\n"
        f"$\\delta_{{o_2}} = {_signal('o2')}$\n\n"
        f"$\\delta_{{h_1}} = h_1(1-h_1)(w_5 \\delta_{{o_1}} + w_7 \\delta_{{o_2}})"
        f" = {_signal('h1')}$\n"
    )
    assert [(q, v) for _, q, v in _numbered(text)] == [
        ("-dE_total/dnet_o1", "ok"), ("-dE_total/dnet_o2", "ok"), ("-dE_total/dnet_h1", "ok"),
    ]  # fmt: skip
    dropped = text.replace(" + w_7 \\delta_{o_2}", "")  # the term through o2 left out
    assert _numbered(dropped)[2][1:] == ("-dE_total/dnet_h1", "wrong formula")


def test_one_flipped_delta_is_a_slip_not_a_convention():
    """A single δ with the other sign is too thin to read δ as −∂E/∂net: it stays wrong."""
    assert verdicts(f"$\\delta_{{o_1}} = {_signal('o1')}$\n") == [
        (1, "dE_total/dnet_o1", "wrong value")]  # fmt: skip
    assert verdicts(f"$\\delta_{{o_1}} = {mp.nstr(REF['deltas']['o1'], 4)}$\n") == [
        (1, "dE_total/dnet_o1", "ok")]  # fmt: skip


@pytest.mark.parametrize("given", ["0.05", "0.5"])
def test_a_run_in_paragraph_heading_keeps_its_line(given):
    """``\\paragraph{Data.} $i_1 = 0.05$``: LaTeX's run-in heading; the rest is text."""
    report = verdicts(f"\\section{{A}}\n\\paragraph{{Data.}} $i_1 = {given}$, $w_5 = 0.40$\n")
    assert report == [(2, "i1", "ok" if given == "0.05" else "wrong value"), (2, "w5", "ok")]


@pytest.mark.parametrize("name", ["grad_w5", "gradient_w5"])
def test_a_code_name_for_the_gradient(name):
    """``grad_w5 = 0.0822`` used to be read as ``w5 = 0.0822`` ("w5 is 0.4"): a false alarm
    on a right number. It is the gradient."""
    right = value("dE/dw5", 9)
    assert verdicts(f"{name} = {right}\n") == [(1, "dE_total/dw5", "ok")]
    assert verdicts(f"{name} = {value('dE/dw6', 9)}\n") == [(1, "dE_total/dw5", "wrong value")]


def test_code_names_for_the_new_and_the_old_value():
    new = value("w5+", 8)
    assert verdicts(f"new_w5 = {new}\nold_w5 = 0.4\n") == [(1, "w5+", "ok"), (2, "w5", "ok")]
    assert verdicts("new_w5 = 0.4000\n") == [(1, "w5+", "wrong value")]  # the old value


@pytest.mark.parametrize("name", ["delta_w5", "x_w5", "dW_w5", "step^w5"])
def test_a_name_written_as_a_subscript_of_a_word_is_not_that_name(name):
    """``delta_w5 = 0.04`` is some quantity of w5 we do not know, not w5 itself (it was
    read as w5 and reported wrong): unrecognized."""
    assert verdicts(f"{name} = 0.0410835\n") == [(1, None, "unrecognized")]


@pytest.mark.parametrize(
    "after, before",
    [("(after)", "(before)"), ("(nachher)", "(vorher)"), ("(dopo)", "(prima)")],
)
def test_a_phase_word_in_brackets_after_the_name(after, before):
    """``E_total (after) = 0.2910`` and ``out_o1 (before) = …`` say which forward pass
    (before, unread); the other pass's value written there is wrong."""
    e_after, e_before = value("E_after", 9), value("E_total", 9)
    text = f"E_total {after} = {e_after}\n\nE_total {before} = {e_before}\n"
    assert verdicts(text) == [(1, "E_total", "ok"), (3, "E_total", "ok")]
    swapped = f"E_total {after} = {e_before}\n\nE_total {before} = {e_after}\n"
    assert verdicts(swapped) == [(1, "E_total", "wrong value"), (3, "E_total", "wrong value")]
