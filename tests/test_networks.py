"""Every activation × loss × bias mode × batch that makes sense, on random networks.

derive's values and gradients against the independent reference of tests/reference.py
(textbook formulas in mpmath) and against central differences of the batch loss, to
1e-12 relative; softmax with cross-entropy against values worked out by hand.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from reference import Net, batch_error, finite_difference, forward, mp, reference_step
from test_random_networks import _set_parameter

import derive
from derive.errors import SpecError

HIDDEN = ["sigmoid", "tanh", "relu", "leaky_relu", "linear"]
SQUARED = ["half_sse", "sse", "mse"]
values = st.decimals(min_value=Decimal("-1.5"), max_value=Decimal("1.5"), places=3)


@st.composite
def combinations(draw) -> tuple[str, str]:
    """(output activation, loss) pairs that make sense."""
    output = draw(st.sampled_from([*HIDDEN, "softmax"]))
    if output in ("sigmoid", "softmax"):
        loss = draw(st.sampled_from([*SQUARED, "cross_entropy", "binary_cross_entropy"]))
    else:
        loss = draw(st.sampled_from(SQUARED))
    return output, loss


@st.composite
def specs(draw) -> dict:
    output, loss = draw(combinations())
    sizes = draw(st.lists(st.integers(1, 4), min_size=2, max_size=4))
    if output == "softmax":
        sizes[-1] = max(2, sizes[-1])
    hidden = [draw(st.sampled_from(HIDDEN)) for _ in sizes[1:-1]]
    mode = draw(st.sampled_from(["shared", "per_neuron", "none"]))
    count = draw(st.integers(1, 3))
    samples = [
        {
            "inputs": draw(st.lists(values, min_size=sizes[0], max_size=sizes[0])),
            "targets": draw(targets(sizes[-1], loss, output)),
        }
        for _ in range(count)
    ]
    data = {
        "layers": sizes,
        "activation": [*hidden, output],
        "loss": loss,
        "learning_rate": draw(st.sampled_from([Decimal("0.1"), Decimal("0.5")])),
        "weights": [
            [
                draw(st.lists(values, min_size=sizes[l], max_size=sizes[l]))
                for _ in range(sizes[l + 1])
            ]
            for l in range(len(sizes) - 1)
        ],
        "bias": mode,
        "update_biases": draw(st.booleans()),
        "leaky_relu_slope": Decimal("0.05") if "leaky_relu" in [*hidden, output] else None,
    }
    if data["leaky_relu_slope"] is None:
        del data["leaky_relu_slope"]
    if count == 1:
        data.update(samples[0])
    else:
        data["samples"] = samples
        data["batch"] = draw(st.sampled_from(["mean", "sum"]))
    if mode == "shared":
        data["biases"] = draw(st.lists(values, min_size=len(sizes) - 1, max_size=len(sizes) - 1))
    elif mode == "per_neuron":
        data["biases"] = [draw(st.lists(values, min_size=n, max_size=n)) for n in sizes[1:]]
    return data


def targets(n: int, loss: str, output: str):
    if loss == "cross_entropy" and output == "softmax":
        # a one-hot target, as classification examples use
        return st.integers(0, n - 1).map(lambda k: [Decimal(int(i == k)) for i in range(n)])
    unit = st.decimals(min_value=Decimal("0.05"), max_value=Decimal("0.95"), places=2)
    return st.lists(
        unit if loss in ("cross_entropy", "binary_cross_entropy") else values,
        min_size=n,
        max_size=n,
    )


def close(a, b) -> bool:
    a, b = mp.mpf(a), mp.mpf(b)
    return abs(a - b) <= mp.mpf("1e-12") * max(abs(a), abs(b)) + mp.mpf("1e-25")


def _no_kinks(data: dict) -> bool:
    """No ReLU net input exactly at 0, where the one-sided derivative is a convention."""
    net = Net.from_spec_data(data)
    samples = data.get("samples") or [{"inputs": data["inputs"]}]
    for sample in samples:
        nets, _ = forward(net, sample["inputs"])
        for layer, name in enumerate(net.activations, start=1):
            if name in ("relu", "leaky_relu") and any(
                abs(x) < mp.mpf("1e-15") for x in nets[layer]
            ):
                return False
    return True


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(specs())
def test_values_and_gradients_match_the_reference(data):
    walkthrough = derive.explain(derive.spec_from_mapping(data))
    step, ref = walkthrough.step, reference_step(data)
    assert close(step.loss_before, ref["loss"])
    assert close(step.loss_after, ref["loss_after"])
    for name, gradient in step.gradients.items():
        assert close(gradient, ref["gradients"][name]), name
        assert close(step.updated[name], ref["updated"][name]), name
    for evaluation, sample in zip(step.before, ref["samples"]):
        for neuron in walkthrough.network.neurons():
            assert close(evaluation[neuron.out], sample["forward"][neuron.name]["out"])


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@given(specs())
def test_gradients_match_central_differences_of_the_batch_loss(data):
    assume(_no_kinks(data))
    walkthrough = derive.explain(derive.spec_from_mapping(data))
    samples = data.get("samples") or [{"inputs": data["inputs"], "targets": data["targets"]}]
    batch = data.get("batch", "mean")
    for name, gradient in walkthrough.step.gradients.items():
        start = mp.mpf(str(walkthrough.step.parameters[name]))

        def loss(x, name=name):
            return batch_error(Net.from_spec_data(_set_parameter(data, name, x)), samples, batch)

        assert close(gradient, finite_difference(loss, start)), name


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(specs())
def test_every_network_is_proved_by_layers(data):
    """Whatever the architecture, the records pass the proof by induction over the layers
    (cheap: nothing is expanded); the proof's own power to refuse a wrong record is shown
    by the tampering tests of test_verify.py."""
    from derive.verify import verify

    walkthrough = derive.explain(derive.spec_from_mapping(data))
    report = verify(walkthrough.derivation, method="layers")
    assert set(report.parameters) == set(walkthrough.step.gradients)


def test_softmax_with_cross_entropy_by_hand():
    """Two outputs, no hidden layer: nets 0.2 and 0.4, target (0, 1).

    out = (e^0.2, e^0.4)/(e^0.2 + e^0.4) = (0.450166, 0.549834); E = −log 0.549834 = 0.598139;
    ∂E/∂net = out − target = (0.450166, −0.450166); ∂E/∂w_jk = δ_j · input_k.
    """
    data = {
        "layers": [1, 2],
        "activation": "softmax",
        "loss": "cross_entropy",
        "learning_rate": 1,
        "inputs": [Decimal("1")],
        "targets": [0, 1],
        "weights": [[[Decimal("0.2")], [Decimal("0.4")]]],
    }
    step = derive.explain(derive.spec_from_mapping(data)).step
    e2, e4 = mp.exp(mp.mpf("0.2")), mp.exp(mp.mpf("0.4"))
    out1 = e2 / (e2 + e4)
    assert close(step.loss_before, -mp.log(e4 / (e2 + e4)))
    assert close(step.gradients["w1"], out1)
    assert close(step.gradients["w2"], -out1)
    assert f"{float(out1):.6f}" == "0.450166"


def test_sigmoid_with_binary_cross_entropy_simplifies_to_out_minus_target():
    data = {
        "layers": [1, 1],
        "activation": "sigmoid",
        "loss": "binary_cross_entropy",
        "learning_rate": 1,
        "inputs": [Decimal("2")],
        "targets": [Decimal("0.25")],
        "weights": [[[Decimal("0.5")]]],
    }
    walkthrough = derive.explain(derive.spec_from_mapping(data))
    out = 1 / (1 + mp.exp(-1))
    assert close(walkthrough.step.gradients["w1"], (out - mp.mpf("0.25")) * 2)
    assert r"\mathrm{out}_{o_{1}} - \mathrm{target}_{o_{1}}" in walkthrough.render("md")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            {"activation": ["softmax", "sigmoid"]},
            "activation[0]: softmax is for the output layer only",
        ),
        (
            {"activation": "linear", "loss": "cross_entropy"},
            "loss: cross_entropy takes the logarithm",
        ),
        (
            {"activation": ["sigmoid", "tanh"], "loss": "binary_cross_entropy"},
            "the output layer is tanh",
        ),
        ({"activation": ["sigmoid", "relu"], "loss": "cross_entropy"}, "needs outputs above 0"),
        (
            {"loss": "cross_entropy", "targets": [0.5, 1.5]},
            "targets[1]: cross_entropy needs targets from 0 to 1",
        ),
        (
            {
                "layers": [2, 2, 1],
                "weights": [[[0.1, 0.2], [0.3, 0.4]], [[0.5, 0.6]]],
                "targets": [1],
                "activation": ["sigmoid", "softmax"],
            },
            "softmax needs at least 2 output neurons",
        ),
        ({"leaky_relu_slope": 0.1}, "leaky_relu_slope: given, but no layer uses leaky_relu"),
        ({"activation": "leaky_relu", "leaky_relu_slope": 1.5}, "expected a number from 0 up to"),
        (
            {"samples": [{"inputs": [1, 2], "targets": [0, 1]}]},
            "samples: given together with inputs/targets",
        ),
        ({"batch": "median"}, "batch: unknown name 'median'"),
    ],
)
def test_combinations_that_make_no_sense_are_refused(change, message):
    data = {
        "layers": [2, 2, 2],
        "learning_rate": 0.5,
        "inputs": [0.05, 0.1],
        "targets": [0.01, 0.99],
        "weights": [[[0.15, 0.2], [0.25, 0.3]], [[0.4, 0.45], [0.5, 0.55]]],
    }
    data.update(change)
    with pytest.raises(SpecError, match=None) as error:
        derive.spec_from_mapping(data)
    assert message in str(error.value)


def test_several_samples_in_json_and_markdown():
    data = {
        "layers": [2, 1],
        "learning_rate": 0.5,
        "weights": [[[0.3, -0.2]]],
        "batch": "sum",
        "samples": [{"inputs": [1, 0], "targets": [1]}, {"inputs": [0, 1], "targets": [0]}],
    }
    walkthrough = derive.explain(derive.spec_from_mapping(data))
    ref = reference_step(data)
    result = walkthrough.to_json()
    assert len(result["samples"]) == 2 and set(result["errors"]) == {"total"}
    assert result["errors"]["total"] == pytest.approx(float(ref["loss"]), rel=1e-15)
    assert result["after_update"]["errors"]["total"] == pytest.approx(
        float(ref["loss_after"]), rel=1e-15
    )
    markdown = walkthrough.render("md")
    assert "### Sample 2" in markdown and "Combining the samples" in markdown
