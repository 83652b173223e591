"""Hostile numbers, bounded work and progress: every input the spec accepts gets a walkthrough
or one clear line, within declared limits, with a progress bar only on a terminal.

Numbers are compared with tests/reference.py (60-digit mpmath, written independently).
"""

from __future__ import annotations

import io
import json
import math
import re
import shutil
import subprocess
from decimal import Decimal
from itertools import pairwise

import pytest
from reference import mp, reference_step

import derive
from derive import progress
from derive.cli import main
from derive.errors import SpecError, UsageError
from derive.limits import Limits, parameter_count
from derive.numeric import format_number

MAZUR = {
    "layers": [2, 2, 2],
    "learning_rate": Decimal("0.5"),
    "inputs": [Decimal("0.05"), Decimal("0.10")],
    "targets": [Decimal("0.01"), Decimal("0.99")],
    "weights": [
        [[Decimal("0.15"), Decimal("0.20")], [Decimal("0.25"), Decimal("0.30")]],
        [[Decimal("0.40"), Decimal("0.45")], [Decimal("0.50"), Decimal("0.55")]],
    ],
    "biases": [Decimal("0.35"), Decimal("0.60")],
}
SATURATED = {**MAZUR, "inputs": [Decimal("1e9"), Decimal("-1e9")]}
HUGE_RATE = {**MAZUR, "learning_rate": Decimal("1e12")}
TEXT_FORMATS = ("md", "tex", "beamer", "typst", "html")


def run(args, capsys):
    status = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return status, out, err


def strict_json(text: str) -> dict:
    """json.loads that refuses NaN and Infinity, as strict parsers do."""

    def refuse(constant):
        raise ValueError(f"not JSON: {constant}")

    return json.loads(text, parse_constant=refuse)


def nine(value) -> str:
    """A value at 9 significant digits as mpmath writes it (independent of derive's rounding)."""
    return mp.nstr(mp.mpf(value), 9)


# -- numbers far outside the usual range --------------------------------------------------


@pytest.mark.parametrize("data", [SATURATED, HUGE_RATE], ids=["inputs 1e9", "rate 1e12"])
def test_extreme_numbers_render_in_every_format_and_match_the_reference(data):
    walkthrough = derive.explain(derive.spec_from_mapping(data))
    ref = reference_step(data)
    for name, value in ref["gradients"].items():
        exact = walkthrough.step.gradients[name]
        assert abs(exact - value) <= mp.mpf("1e-40") * max(abs(value), mp.mpf("1e-999999999"))
    for neuron in walkthrough.network.neurons():
        value = ref["after_update"]["forward"][neuron.name]["out"]
        exact = walkthrough.step.after[0][neuron.out]
        assert abs(exact - value) <= mp.mpf("1e-40") * max(abs(value), mp.mpf("1e-999999999"))
    for fmt in TEXT_FORMATS:
        assert walkthrough.render(fmt)
    data_json = strict_json(walkthrough.render("json"))
    assert data_json["gradients"]["w5"] == pytest.approx(float(ref["gradients"]["w5"]), rel=1e-15)


def test_a_value_below_decimals_default_range_is_written_in_scientific_notation():
    """σ(net_h1) for inputs ±1e9 is about 10^(−21714724): the reference's value, shown."""
    walkthrough = derive.explain(derive.spec_from_mapping(SATURATED))
    out_h1 = reference_step(SATURATED)["forward"]["h1"]["out"]
    mantissa, exponent = format_number(walkthrough.step.before[0].values[_symbol("out_h1")], 9)
    expected = nine(out_h1)  # like 1.13983103e-21714724
    assert f"{mantissa}e{exponent}" == expected
    markdown = walkthrough.render("md")
    assert f"{mantissa} \\times 10^{{{exponent}}}" in markdown


def _symbol(name):
    import sympy

    return sympy.Symbol(name)


def test_saturated_neurons_are_said_to_be_in_every_format():
    walkthrough = derive.explain(derive.spec_from_mapping(SATURATED))
    first = walkthrough.document.samples[0].forward
    noted = [
        n.saturated.neuron.name for layer in first.layers for n in layer.neurons if n.saturated
    ]
    assert noted == ["h1", "h2"]  # o1 is not
    for fmt in TEXT_FORMATS:
        text = walkthrough.render(fmt)
        # the note, with the neuron's name printed as math (h_{1}, h_(1), <msub>…)
        assert text.count("is saturated") >= 2 and text.count("its output is within") >= 2, fmt
    markdown = walkthrough.render("md")
    assert "$h_{1}$ is saturated" in markdown and "$h_{2}$ is saturated" in markdown
    assert "$o_{1}$ is saturated" not in markdown
    # the reference agrees that the slope is below the last digit shown
    out = reference_step(SATURATED)["forward"]["h1"]["out"]
    assert out * (1 - out) < mp.mpf("1e-9")


def test_an_ordinary_network_has_no_saturation_note():
    assert "saturated" not in derive.explain("mazur").render("md")


def test_tanh_saturates_toward_minus_one():
    data = {**SATURATED, "activation": "tanh", "inputs": [Decimal("50"), Decimal("-50")]}
    text = derive.explain(derive.spec_from_mapping(data)).render("md")
    assert "is saturated: its output is within $10^{-9}$ of the limit" in text


def test_json_refuses_a_value_beyond_the_doubles_by_name(capsys):
    data = {
        "layers": [1, 1, 1],
        "activation": "linear",
        "learning_rate": Decimal("1e15"),
        "inputs": [Decimal("1e15")],
        "targets": [Decimal("0.5")],
        "weights": [[[Decimal("1e15")]], [[Decimal("1e15")]]],
        "bias": "none",
    }
    walkthrough = derive.explain(derive.spec_from_mapping(data))
    # the reference: E_o1 = ½ (0.5 − 1e45)² ≈ 5e89 before; far beyond 1.8e308 after
    assert reference_step(data)["after_update"]["errors"]["total"] > mp.mpf("1.8e308")
    with pytest.raises(UsageError, match=r"beyond the range of a JSON number") as caught:
        walkthrough.render("json")
    assert "e+" in str(caught.value) and "E_o1" in str(caught.value)
    assert "NaN" not in walkthrough.render("md") and "inf" not in walkthrough.render("md")


# -- diverging training ---------------------------------------------------------------------

DIVERGING = {**MAZUR, "activation": "linear", "learning_rate": Decimal("50")}


def _first_overflow(data: dict, steps: int) -> int:
    """The first step whose loss or gradient leaves the doubles, by the 60-digit reference."""
    limit = mp.mpf(2) ** 1024
    current = dict(data)
    for step in range(steps + 1):
        ref = reference_step(current)
        values = [ref["loss"], *ref["gradients"].values()]
        if any(abs(v) >= limit for v in values):
            return step
        weights, names = [], iter(sorted(ref["updated"], key=lambda n: int(n[1:])))
        flat = {n: ref["updated"][n] for n in names}
        count = 0
        for matrix in data["weights"]:
            rows = []
            for row in matrix:
                rows.append([str(flat[f"w{count + k + 1}"]) for k in range(len(row))])
                count += len(row)
            weights.append(rows)
        current = {**current, "weights": weights}
    raise AssertionError("no overflow")


def test_diverging_training_stops_at_the_step_it_overflowed():
    expected = _first_overflow(DIVERGING, 40)
    with pytest.raises(SpecError) as caught:
        derive.train(derive.spec_from_mapping(DIVERGING), 1000)
    message = str(caught.value)
    assert message.startswith("learning_rate: training diverged")
    assert f"at step {expected} " in message


@pytest.mark.parametrize("command", [["train", "--steps", "1000"], ["explain", "--steps", "1000"]])
def test_diverging_training_is_one_line_and_status_2(command, tmp_path, capsys):
    spec = tmp_path / "diverging.toml"
    spec.write_text(
        "layers = [2, 2, 2]\nactivation = 'linear'\nlearning_rate = 50\n"
        "inputs = [0.05, 0.10]\ntargets = [0.01, 0.99]\n"
        "weights = [[[0.15, 0.20], [0.25, 0.30]], [[0.40, 0.45], [0.50, 0.55]]]\n"
        "biases = [0.35, 0.60]\n"
    )
    out = tmp_path / "out.json"
    status, _, err = run([command[0], spec, *command[1:], "-o", out, "-f", "json"], capsys)
    assert status == 2 and not out.exists()
    assert err.count("\n") == 1 and "training diverged" in err and "Traceback" not in err


def test_training_a_saturated_network_runs_in_floats():
    """σ(−5·10⁷) in floats: e^(5·10⁷) overflows, and IEEE makes it +inf and σ = 0."""
    run = derive.train(derive.spec_from_mapping(SATURATED), 10).run
    assert all(math.isfinite(float(loss)) for _, loss in run.history)
    ref = reference_step(SATURATED)
    assert float(run.history[0][1]) == pytest.approx(float(ref["loss"]), rel=1e-12)


# -- limits ---------------------------------------------------------------------------------


def test_parameter_count_matches_the_built_network():
    for sizes, bias in [((2, 2, 2), "shared"), ((3, 4, 5, 2), "per_neuron"), ((4, 3), "none")]:
        data = {
            "layers": list(sizes),
            "learning_rate": 1,
            "inputs": [Decimal("0.1")] * sizes[0],
            "targets": [Decimal("0.5")] * sizes[-1],
            "weights": [[[Decimal("0.1")] * a for _ in range(b)] for a, b in pairwise(sizes)],
            "bias": bias,
        }
        if bias == "shared":
            data["biases"] = [Decimal("0.1")] * (len(sizes) - 1)
        elif bias == "per_neuron":
            data["biases"] = [[Decimal("0.1")] * n for n in sizes[1:]]
        walkthrough = derive.explain(derive.spec_from_mapping(data))
        assert parameter_count(sizes, bias) == len(walkthrough.network.parameters)


def _no_work(monkeypatch):
    """Make any derivation fail loudly: a refusal must come before the work starts."""
    import derive.walkthrough as pipeline

    def forbidden(*args, **kwargs):
        raise AssertionError("work started before the limits were checked")

    monkeypatch.setattr(pipeline, "build_network", forbidden)


def test_a_network_above_the_parameter_limit_is_refused_before_any_work(monkeypatch, capsys):
    _no_work(monkeypatch)
    status, out, err = run(["explain", "mazur", "--max-parameters", "9"], capsys)
    assert status == 2 and out == ""
    assert err == (
        "derive: error: the 2-2-2 network's count of weights and biases is 10, above the "
        "limit of 9: --max-parameters 10 raises it (Limits(parameters=…) from Python)\n"
    )


def test_the_python_api_takes_the_same_limits(monkeypatch):
    _no_work(monkeypatch)
    with pytest.raises(UsageError, match="--max-parameters"):
        derive.explain("russo", limits=Limits(parameters=19))
    with pytest.raises(UsageError, match="--max-steps"):
        derive.train("mazur", 101, limits=Limits(steps=100))


def test_steps_times_samples_is_bounded(monkeypatch, capsys):
    _no_work(monkeypatch)
    data = {**MAZUR}
    del data["inputs"], data["targets"]
    data["samples"] = [{"inputs": MAZUR["inputs"], "targets": MAZUR["targets"]}] * 3
    with pytest.raises(UsageError) as caught:
        derive.train(derive.spec_from_mapping(data), 400, limits=Limits(steps=1000))
    assert "--steps × 3 samples is 1,200, above the limit of 1,000" in str(caught.value)
    status, _, err = run(["train", "mazur", "--steps", "10000001"], capsys)
    assert status == 2 and "--max-steps 10000001 raises it" in err


def test_the_history_is_bounded(monkeypatch, capsys):
    _no_work(monkeypatch)
    status, _, err = run(["train", "mazur", "--steps", "10000000", "--every", "1"], capsys)
    assert status == 2
    assert "history's length (--steps / --every + 1) is 10,000,001" in err
    assert "--max-history 10000001 raises it" in err


def test_raised_limits_let_the_work_through(capsys):
    status, out, _ = run(
        ["train", "mazur", "--steps", "30", "--every", "1", "--max-history", "31", "-f", "csv"],
        capsys,
    )
    assert status == 0 and out.count("\n") == 32


def test_every_limit_is_an_option_of_the_commands_it_bounds(capsys):
    for command, names in [
        ("explain", ["parameters", "steps", "pages"]),
        ("train", ["parameters", "steps", "history"]),
    ]:
        with pytest.raises(SystemExit):
            main([command, "--help"])
        text = capsys.readouterr().out
        for name in names:
            assert f"--max-{name}" in text, (command, name)


# -- progress -------------------------------------------------------------------------------


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_is_drawn_only_on_a_terminal_and_only_when_enabled(monkeypatch):
    monkeypatch.setattr(progress, "DELAY", 0)
    terminal = _Terminal()
    monkeypatch.setattr("sys.stderr", terminal)
    progress.enable(False)
    with progress.bar(10, "training") as bar:
        bar.update(10)
    assert terminal.getvalue() == ""
    progress.enable()
    try:
        with progress.bar(10, "training") as bar:
            bar.update(10)
        assert "training" in terminal.getvalue()
        piped = io.StringIO()
        monkeypatch.setattr("sys.stderr", piped)
        with progress.bar(10, "training") as bar:
            bar.update(10)
        assert piped.getvalue() == ""
    finally:
        progress.enable(False)


def test_training_shows_progress_on_a_terminal(monkeypatch):
    monkeypatch.setattr(progress, "DELAY", 0)
    terminal = _Terminal()
    monkeypatch.setattr("sys.stderr", terminal)
    progress.enable()
    try:
        derive.train("mazur", 5000)
    finally:
        progress.enable(False)
    assert "training" in terminal.getvalue()


def test_the_command_line_writes_no_progress_to_a_pipe(capsys):
    status, _, err = run(["train", "mazur", "--steps", "5000"], capsys)
    assert status == 0 and err == ""


def test_a_long_typst_pdf_is_refused_with_its_page_count_before_typesetting(monkeypatch):
    import derive.walkthrough as pipeline

    def forbidden(source):
        raise AssertionError("typesetting started")

    monkeypatch.setattr(pipeline, "typst_pdf", forbidden)
    walkthrough = derive.explain("russo", limits=Limits(pages=20))
    with pytest.raises(UsageError) as caught:
        walkthrough.pdf(slides=True)
    message = str(caught.value)
    assert message.startswith("the estimated page count of the PDF slides is ")
    assert "above the limit of 20: --max-pages" in message


@pytest.mark.skipif(shutil.which("pdfinfo") is None, reason="needs poppler's pdfinfo")
def test_the_page_estimate_is_close_to_the_typeset_count(tmp_path):
    """The estimate against the pages Typst really makes, as poppler counts them."""
    from derive.limits import estimated_pages
    from derive.render import render

    walkthrough = derive.explain("russo")
    for slides in (False, True):
        target = tmp_path / "out.pdf"
        target.write_bytes(walkthrough.pdf(slides=slides))
        info = subprocess.run(["pdfinfo", str(target)], capture_output=True, text=True).stdout
        pages = int(re.search(r"^Pages:\s+(\d+)", info, re.M)[1])
        source = render(walkthrough.document, "typst-slides" if slides else "typst")
        assert pages > 10
        assert 0.8 * pages <= estimated_pages(source, slides) <= 1.2 * pages


def test_verify_shows_progress_on_a_terminal(monkeypatch):
    from derive.verify import verify

    monkeypatch.setattr(progress, "DELAY", 0)
    terminal = _Terminal()
    monkeypatch.setattr("sys.stderr", terminal)
    progress.enable()
    try:
        verify(derive.explain("russo").derivation, method="layers")
    finally:
        progress.enable(False)
    assert "verifying" in terminal.getvalue()
