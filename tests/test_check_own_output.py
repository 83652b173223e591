"""Every walkthrough derive writes must pass derive check: no false alarm on our own output.

The networks cover what the walkthroughs can show: both presets, a softmax/cross-entropy
batch of two samples, ReLU with per-neuron biases that are updated, leaky ReLU into a
linear output without biases, binary cross-entropy over three samples summed, and a
network with two hidden layers; each in both notations, with the rule-by-rule detail, at
few and at many digits, and with a training run appended; and in every text format
``derive explain`` writes (Markdown, the LaTeX article, Beamer slides, Typst, HTML with
MathML).
"""

from __future__ import annotations

import pytest

import derive
from derive.check import check_text
from derive.formats import FORMATS

NETWORKS: dict[str, str | dict] = {
    **{name: name for name in derive.preset_names()},
    "softmax-batch": {
        "layers": [2, 2, 2],
        "activation": ["tanh", "softmax"],
        "loss": "cross_entropy",
        "learning_rate": 0.5,
        "samples": [
            {"inputs": [0.05, 0.10], "targets": [0.0, 1.0]},
            {"inputs": [0.2, 0.4], "targets": [1.0, 0.0]},
        ],
        "weights": [[[0.15, 0.2], [0.25, 0.3]], [[0.4, 0.45], [0.5, 0.55]]],
        "bias": "shared",
        "biases": [0.35, 0.6],
        "digits": 6,
    },
    "relu-per-neuron": {
        "layers": [2, 3, 2],
        "activation": ["relu", "sigmoid"],
        "loss": "mse",
        "learning_rate": 0.1,
        "inputs": [0.5, -0.2],
        "targets": [0.3, 0.8],
        "weights": [[[0.1, 0.2], [-0.3, 0.4], [0.5, 0.6]], [[0.7, -0.8, 0.9], [0.1, 0.2, 0.3]]],
        "bias": "per_neuron",
        "biases": [[0.1, 0.2, 0.3], [0.4, 0.5]],
        "update_biases": True,
        "digits": 6,
    },
    "leaky-linear": {
        "layers": [2, 2, 1],
        "activation": ["leaky_relu", "linear"],
        "loss": "sse",
        "learning_rate": 0.05,
        "inputs": [1.0, -2.0],
        "targets": [0.5],
        "weights": [[[0.1, 0.2], [-0.3, 0.4]], [[0.7, -0.8]]],
        "leaky_relu_slope": 0.1,
        "digits": 7,
    },
    "bce-sum-deep": {
        "layers": [3, 2, 2, 1],
        "activation": ["tanh", "sigmoid", "sigmoid"],
        "loss": "binary_cross_entropy",
        "learning_rate": 0.3,
        "samples": [
            {"inputs": [0.1, 0.2, 0.3], "targets": [1.0]},
            {"inputs": [0.4, 0.5, 0.6], "targets": [0.0]},
            {"inputs": [0.7, 0.8, 0.9], "targets": [1.0]},
        ],
        "batch": "sum",
        "weights": [[[0.1, 0.2, 0.3], [0.4, 0.5, 0.6]], [[0.7, 0.8], [0.9, 0.1]], [[0.2, 0.3]]],
        "bias": "shared",
        "biases": [0.1, 0.2, 0.3],
        "digits": 8,
    },
    "two-hidden-layers": {
        "layers": [2, 3, 3, 2],
        "activation": "sigmoid",
        "loss": "half_sse",
        "learning_rate": 0.5,
        "inputs": [0.05, 0.1],
        "targets": [0.01, 0.99],
        "weights": [
            [[0.15, 0.2], [0.25, 0.3], [0.1, 0.2]],
            [[0.4, 0.45, 0.1], [0.5, 0.55, 0.2], [0.3, 0.1, 0.2]],
            [[0.4, 0.45, 0.3], [0.5, 0.55, 0.1]],
        ],
        "digits": 9,
    },
}

VARIANTS = {
    "classic": {},
    "layered": {"notation": "layered"},
    "summary": {"detail": "summary"},
    "4-digits": {"digits": 4},
    "12-digits-layered": {"digits": 12, "notation": "layered"},
}
TEXT_FORMATS = [f for f in FORMATS if f not in ("json", "csv", "pdf")]


def spec_of(name: str):
    source = NETWORKS[name]
    return source if isinstance(source, str) else derive.spec_from_mapping(source)


def assert_clean(text: str, spec) -> None:
    report = check_text(text, spec)
    assert not report.wrong, report.to_text()
    assert not any("a bug" in f.diagnosis for f in report.findings), report.to_text()
    summary = report.summary
    assert summary["claims"] > 20
    # what stays unrecognized is the generic algebra (∂out/∂out = 1, net = 0)
    assert summary["recognized"] >= 0.9 * summary["claims"], report.to_text()


@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("network", NETWORKS)
def test_every_walkthrough_checks_clean(network, variant):
    spec = spec_of(network)
    walkthrough = derive.explain(spec, **VARIANTS[variant])
    assert_clean(walkthrough.render("md"), spec)


@pytest.mark.parametrize("fmt", TEXT_FORMATS)
@pytest.mark.parametrize("network", NETWORKS)
def test_every_text_format_checks_clean(network, fmt):
    spec = spec_of(network)
    assert_clean(derive.explain(spec).render(fmt), spec)


@pytest.mark.parametrize(
    ("fmt", "options"),
    [("beamer", {}), ("typst", {"slides": True}), ("tex", {"fragment": True}), ("html", {})],
)
@pytest.mark.parametrize("network", ["mazur", "softmax-batch", "two-hidden-layers"])
def test_slides_fragments_and_the_layered_notation_check_clean(network, fmt, options):
    spec = spec_of(network)
    walkthrough = derive.explain(spec, notation="layered")
    assert_clean(walkthrough.render(fmt, **options), spec)


@pytest.mark.parametrize("network", ["mazur", "softmax-batch"])
def test_a_training_run_checks_clean(network):
    """The appended training: the error every k steps, the outputs and parameters after N."""
    spec = spec_of(network)
    text = derive.explain(spec, steps=2000).render("md")
    report = check_text(text, spec)
    assert not report.wrong, report.to_text()
    heading = next(i for i, line in enumerate(text.splitlines(), 1) if "Training for" in line)
    trained = [r for r in report.results if r.line > heading and r.verdict == "ok"]
    assert len(trained) >= 10, report.to_text()
