"""The self-check: factorizations against sympy.diff of the fully expanded total error."""

from __future__ import annotations

import random
from decimal import Decimal

import pytest
import sympy as sp

import derive
from derive.errors import VerificationError
from derive.expr import evaluated
from derive.model import E_TOTAL, build_network
from derive.steps import Derivation, Gradient
from derive.steps import derive as derive_steps
from derive.verify import expand, verify


@pytest.mark.parametrize("name", ["mazur", "russo"])
def test_presets_are_proved_symbolically(name):
    walkthrough = derive.explain(name)
    report = verify(walkthrough.derivation)
    assert report.method == "symbolic"
    assert set(report.parameters) == set(walkthrough.step.gradients)


def _deep_spec(mode: str = "per_neuron"):
    sizes = [2, 3, 2, 2]
    rng = random.Random(7)
    weights = [
        [
            [Decimal(rng.randint(-90, 90)) / 100 for _ in range(sizes[l])]
            for _ in range(sizes[l + 1])
        ]
        for l in range(3)
    ]
    biases = [[Decimal("0.1")] * n for n in sizes[1:]] if mode == "per_neuron" else [0.1, -0.2, 0.3]
    return derive.spec_from_mapping(
        {
            "layers": sizes,
            "weights": weights,
            "bias": mode,
            "biases": biases,
            "learning_rate": 0.5,
            "inputs": [Decimal("0.3"), Decimal("-0.2")],
            "targets": [Decimal("0.2"), Decimal("0.7")],
        }
    )


def test_the_numeric_check_uses_a_seeded_generator():
    derivation = derive_steps(build_network(_deep_spec()))
    report = verify(derivation, method="numeric", rng=random.Random(1))
    again = verify(derivation, method="numeric", rng=random.Random(1))
    assert report.method == "numeric" and report.points >= 1
    assert report.seed == again.seed
    assert len(report.parameters) == 6 + 6 + 4 + 7


def test_a_deeper_network_also_passes_the_symbolic_proof():
    report = verify(derive_steps(build_network(_deep_spec("shared"))), method="symbolic")
    assert report.method == "symbolic"


def test_a_wrong_factorization_is_caught():
    """Drop the activation derivative from one gradient: the check must refuse it."""
    derivation = derive_steps(build_network(derive.load_spec("mazur")))
    broken = derivation.gradients[4]
    _delta, _link = broken.paths[0]
    wrong = _WrongGradient(broken.parameter, broken.paths)
    gradients = tuple(wrong if g is broken else g for g in derivation.gradients)
    tampered = Derivation(
        derivation.network,
        derivation.activations,
        derivation.loss,
        derivation.sensitivities,
        derivation.deltas,
        gradients,
    )
    with pytest.raises(VerificationError, match="w5"):
        verify(tampered, method="symbolic")
    with pytest.raises(VerificationError, match="w5"):
        verify(tampered, method="numeric", rng=random.Random(3))


class _WrongGradient(Gradient):
    """∂E/∂out · ∂net/∂w, the sigmoid derivative forgotten (a classic slip)."""

    @property
    def expression(self):
        ((delta, link),) = self.paths
        return delta.sensitivity.label * link.label


def test_expansion_is_the_textbook_network():
    network = build_network(derive.load_spec("mazur"))
    full = expand(network)
    i1, i2, w1, w2, b1 = sp.symbols("i1 i2 w1 w2 b1")
    assert full[sp.Symbol("net_h1")] == w1 * i1 + w2 * i2 + b1
    assert sp.simplify(full[sp.Symbol("out_h1")] - 1 / (1 + sp.exp(-(w1 * i1 + w2 * i2 + b1)))) == 0
    assert E_TOTAL in full and evaluated(network.total).free_symbols == {
        sp.Symbol("E_o1"),
        sp.Symbol("E_o2"),
    }


# -- the proof by layers -----------------------------------------------------------------


def _random_spec(sizes, activation="sigmoid", loss="half_sse", seed=11):
    rng = random.Random(seed)

    def value():
        return Decimal(rng.randint(-900, 900)) / 1000

    targets = [Decimal(rng.randint(5, 95)) / 100 for _ in range(sizes[-1])]
    if loss == "cross_entropy":
        targets = [Decimal(1)] + [Decimal(0)] * (sizes[-1] - 1)
    return derive.spec_from_mapping(
        {
            "layers": list(sizes),
            "activation": activation,
            "loss": loss,
            "weights": [
                [[value() for _ in range(sizes[l])] for _ in range(sizes[l + 1])]
                for l in range(len(sizes) - 1)
            ],
            "biases": [value() for _ in sizes[1:]],
            "learning_rate": 0.5,
            "inputs": [value() for _ in range(sizes[0])],
            "targets": targets,
        }
    )


def test_deep_networks_are_proved_by_layers_without_expanding():
    """16-16-16-16 (816 parameters) is proved, not sampled: the expansion would not finish."""
    derivation = derive_steps(build_network(_random_spec((16, 16, 16, 16))))
    report = verify(derivation)
    assert report.method == "layers"
    assert len(report.parameters) == 3 * 16 * 16 + 3
    assert "induction over the layers" in str(report)


@pytest.mark.parametrize(
    ("activation", "loss"),
    [
        (["tanh", "leaky_relu", "sigmoid"], "half_sse"),
        (["relu", "relu", "softmax"], "cross_entropy"),
        (["sigmoid", "tanh", "linear"], "mse"),
    ],
)
def test_the_proof_by_layers_agrees_with_the_full_expansion(activation, loss):
    """On networks small enough to expand, both proofs accept the same records."""
    derivation = derive_steps(build_network(_random_spec((2, 3, 2, 2), activation, loss)))
    assert verify(derivation, method="layers").method == "layers"
    assert verify(derivation, method="numeric", rng=random.Random(5)).method == "numeric"


def _tampered(derivation, gradients=None, sensitivities=None):
    return Derivation(
        derivation.network,
        derivation.activations,
        derivation.loss,
        sensitivities or derivation.sensitivities,
        derivation.deltas,
        gradients or derivation.gradients,
    )


def test_the_proof_by_layers_catches_a_forgotten_activation_derivative():
    derivation = derive_steps(build_network(_random_spec((3, 4, 4, 2))))
    broken = derivation.gradients[0]
    wrong = _WrongGradient(broken.parameter, broken.paths)
    gradients = tuple(wrong if g is broken else g for g in derivation.gradients)
    with pytest.raises(VerificationError, match="w1"):
        verify(_tampered(derivation, gradients=gradients), method="layers")


def test_the_proof_by_layers_catches_a_missing_downstream_term():
    """A hidden neuron's ∂E/∂out summing over all but one neuron of the layer above."""
    from derive.steps import Sensitivity

    derivation = derive_steps(build_network(_random_spec((3, 4, 4, 2))))
    hidden = derivation.network.layers[2][1]
    whole = derivation.sensitivities[hidden]
    short = Sensitivity(hidden, None, whole.terms[:-1])
    sensitivities = {**derivation.sensitivities, hidden: short}
    with pytest.raises(VerificationError, match="out_h2_2"):
        verify(_tampered(derivation, sensitivities=sensitivities), method="layers")


def test_the_proof_by_layers_catches_a_wrong_local_derivative():
    """∂net/∂w written as the weight instead of the source's output."""
    from derive.steps import Gradient, LocalDerivative

    derivation = derive_steps(build_network(_random_spec((3, 4, 2))))
    broken = derivation.gradients[2]
    ((delta, link),) = broken.paths
    wrong_link = LocalDerivative(
        link.of, link.wrt, link.kind, link.equation, broken.parameter.symbol
    )
    wrong = Gradient(broken.parameter, ((delta, wrong_link),))
    gradients = tuple(wrong if g is broken else g for g in derivation.gradients)
    with pytest.raises(VerificationError, match="w3"):
        verify(_tampered(derivation, gradients=gradients), method="layers")
