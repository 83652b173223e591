"""Training runs: 10,000 steps of the classic example against an independent loop."""

from __future__ import annotations

import itertools
import json
import math
import xml.etree.ElementTree as ET

import pytest

import derive
from derive.cli import main
from derive.training import train


def independent_loop(steps: int) -> tuple[list[float], float]:
    """The 2-2-2 example trained by hand-written textbook backpropagation in floats."""
    w = [0.15, 0.20, 0.25, 0.30, 0.40, 0.45, 0.50, 0.55]
    b1, b2, i1, i2, t1, t2, rate = 0.35, 0.60, 0.05, 0.10, 0.01, 0.99, 0.5

    def sig(x: float) -> float:
        return 1 / (1 + math.exp(-x))

    def forward():
        h1, h2 = sig(w[0] * i1 + w[1] * i2 + b1), sig(w[2] * i1 + w[3] * i2 + b1)
        o1, o2 = sig(w[4] * h1 + w[5] * h2 + b2), sig(w[6] * h1 + w[7] * h2 + b2)
        return h1, h2, o1, o2

    for _ in range(steps):
        h1, h2, o1, o2 = forward()
        d1, d2 = (o1 - t1) * o1 * (1 - o1), (o2 - t2) * o2 * (1 - o2)
        e1 = (w[4] * d1 + w[6] * d2) * h1 * (1 - h1)
        e2 = (w[5] * d1 + w[7] * d2) * h2 * (1 - h2)
        grad = [e1 * i1, e1 * i2, e2 * i1, e2 * i2, d1 * h1, d1 * h2, d2 * h1, d2 * h2]
        w = [a - rate * g for a, g in zip(w, grad)]
    *_, o1, o2 = forward()
    return [o1, o2], 0.5 * (t1 - o1) ** 2 + 0.5 * (t2 - o2) ** 2


@pytest.fixture(scope="module")
def run():
    return train(derive.explain("mazur").derivation, 10_000)


def test_ten_thousand_steps_match_an_independent_loop(run):
    outputs, total = independent_loop(10_000)
    final = run.final[0]
    got = [float(final[o.out]) for o in run.network.output_layer]
    assert got == pytest.approx(outputs, rel=1e-12)
    assert float(run.loss) == pytest.approx(total, rel=1e-10)
    # the figures of the issue, after exactly 10,000 updates
    assert f"{got[0]:.9f}" == "0.015913620" and f"{got[1]:.9f}" == "0.984064274"
    assert f"{float(run.loss):.5e}" == "3.51019e-05"


def test_float_kernel_agrees_with_the_high_precision_path(run):
    precise = train(run.derivation, 10_000, precision="mpmath")
    assert abs(precise.loss - run.loss) <= 1e-9 * precise.loss
    for name, value in precise.parameters.items():
        assert abs(value - run.parameters[name]) <= 1e-9 * abs(value)


def test_history_holds_step_zero_every_kth_and_the_last(run):
    steps = [s for s, _ in run.history]
    assert steps[0] == 0 and steps[-1] == 10_000
    assert all(b - a == run.every for a, b in itertools.pairwise(steps))
    assert float(run.history[0][1]) == pytest.approx(0.298371109, abs=1e-9)
    short = train(run.derivation, 7, every=3)
    assert [s for s, _ in short.history] == [0, 3, 6, 7]


def test_train_json_csv_and_markdown(tmp_path, capsys):
    assert main(["train", "mazur", "--steps", "100", "--every", "50", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["steps"] == 100 and [h["step"] for h in data["history"]] == [0, 50, 100]
    assert set(data["final"]) == {"parameters", "forward", "errors"}
    _, total = independent_loop(100)
    assert data["final"]["errors"]["total"] == pytest.approx(total, rel=1e-12)
    assert data["history"][-1]["total"] == pytest.approx(total, rel=1e-12)
    csv = tmp_path / "curve.csv"
    assert main(["train", "mazur", "--steps", "10", "-o", str(csv)]) == 0
    lines = csv.read_text().splitlines()
    assert lines[0] == "step,total" and lines[-1].startswith("10,")
    assert main(["train", "mazur", "--steps", "10000"]) == 0
    markdown = capsys.readouterr().out
    assert "0.0159136204" in markdown and "0.984064274" in markdown and "| 10,000 |" in markdown


def test_plots_have_labelled_axes_and_a_log_scale(tmp_path, capsys):
    svg = tmp_path / "curve.svg"
    assert main(["train", "mazur", "--steps", "1000", "--plot", str(svg)]) == 0
    root = ET.fromstring(svg.read_text())
    texts = [t.text for t in root.iter("{http://www.w3.org/2000/svg}text")]
    assert "step (number of updates)" in texts and "total error (log scale)" in texts
    # decades as powers of ten: 10 with a raised exponent (10⁻¹), never 1e-1
    powers = ["".join(t.itertext()) for t in root.iter("{http://www.w3.org/2000/svg}text")]
    assert "10\N{MINUS SIGN}1" in powers and "10\N{MINUS SIGN}3" in powers
    assert not any("1e-" in p for p in powers)
    png = tmp_path / "curve.png"
    assert main(["train", "mazur", "--steps", "100", "--plot", str(png)]) == 0
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    capsys.readouterr()
    assert main(["train", "mazur", "--steps", "10", "--plot", str(tmp_path / "x.gif")]) == 2
    assert "--plot: expected a file ending in .svg, .pdf or .png" in capsys.readouterr().err


def test_explain_appends_the_training_section(capsys):
    assert main(["explain", "mazur", "--steps", "10000", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["training"]["final"]["forward"]["o1"]["out"] == pytest.approx(
        0.0159136204, abs=1e-10
    )
    assert main(["explain", "mazur", "--steps", "50"]) == 0
    assert "## 7. Training for 50 steps" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["train", "mazur", "--steps", "-1"], "--steps: expected a whole number from 0"),
        (
            ["train", "mazur", "--steps", "10", "--every", "0"],
            "--every: expected a positive whole number",
        ),
        (["train", "mazur"], "the following arguments are required: --steps"),
    ],
)
def test_bad_training_arguments(args, message, capsys):
    try:
        status = main(args)
    except SystemExit as stop:
        status = stop.code
    assert status == 2 and message in capsys.readouterr().err
