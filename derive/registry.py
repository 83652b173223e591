"""The names a spec may choose, and what each choice promises: no SymPy here.

`spec` validates against these facts so that reading (and refusing) a spec stays fast and
free of the symbolic machinery; `activations` and `losses` attach the SymPy builders to the
same names. One place says which names exist, which outputs a function produces, what a
loss needs of them, and which everyday names people write for them.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class ActivationFacts:
    """An activation's name, its title in prose, and what every output value satisfies.

    `properties` (``positive``, ``below_one``) are what losses rely on; `elementwise` is
    false for softmax, whose outputs depend on the whole layer (output layer only).
    """

    name: str
    title: str
    properties: frozenset[str] = frozenset()
    elementwise: bool = True


@dataclass(frozen=True)
class LossFacts:
    """A loss's name, its title, what it needs of the outputs, and the targets it allows."""

    name: str
    title: str
    needs: frozenset[str] = frozenset()
    target_range: tuple[Decimal, Decimal] | None = None


_PROBABILITY_OUTPUT = frozenset({"positive", "below_one"})
PROBABILITY = (Decimal(0), Decimal(1))

ACTIVATIONS: dict[str, ActivationFacts] = {
    "sigmoid": ActivationFacts("sigmoid", "the logistic sigmoid", _PROBABILITY_OUTPUT),
    "tanh": ActivationFacts("tanh", "the hyperbolic tangent"),
    "relu": ActivationFacts("relu", "the rectified linear unit (ReLU)"),
    "leaky_relu": ActivationFacts("leaky_relu", "the leaky rectified linear unit"),
    "linear": ActivationFacts("linear", "the identity (a linear unit)"),
    "softmax": ActivationFacts("softmax", "the softmax", _PROBABILITY_OUTPUT, elementwise=False),
}

LOSSES: dict[str, LossFacts] = {
    "half_sse": LossFacts("half_sse", "half the sum of squared errors"),
    "sse": LossFacts("sse", "the sum of squared errors"),
    "mse": LossFacts("mse", "the mean squared error"),
    "cross_entropy": LossFacts(
        "cross_entropy", "the cross-entropy", frozenset({"positive"}), PROBABILITY
    ),
    "binary_cross_entropy": LossFacts(
        "binary_cross_entropy", "the binary cross-entropy", _PROBABILITY_OUTPUT, PROBABILITY
    ),
}

#: names other libraries and textbooks use → derive's name (matched ignoring case and -/_)
ACTIVATION_ALIASES = {
    "logistic": "sigmoid",
    "sigma": "sigmoid",
    "hyperbolic_tangent": "tanh",
    "rectifier": "relu",
    "leakyrelu": "leaky_relu",
    "lrelu": "leaky_relu",
    "identity": "linear",
    "none": "linear",
    "softargmax": "softmax",
}
LOSS_ALIASES = {
    "bce": "binary_cross_entropy",
    "binary_crossentropy": "binary_cross_entropy",
    "bce_loss": "binary_cross_entropy",
    "log_loss": "binary_cross_entropy",
    "ce": "cross_entropy",
    "crossentropy": "cross_entropy",
    "categorical_crossentropy": "cross_entropy",
    "categorical_cross_entropy": "cross_entropy",
    "nll": "cross_entropy",
    "mse_loss": "mse",
    "mean_squared_error": "mse",
    "l2": "half_sse",
    "squared_error": "half_sse",
    "sum_squared_error": "sse",
}


def alias_of(name: str, aliases: dict[str, str]) -> str | None:
    """derive's name for a name people use (``BCE`` → ``binary_cross_entropy``), if any."""
    plain = name.strip().lower().replace("-", "_").replace(" ", "_")
    return aliases.get(plain)


def combination_problem(
    activations: tuple[str, ...], loss: str, outputs: int
) -> tuple[str, str] | None:
    """(key, message) when the activations and the loss make no mathematical sense together."""
    for index, name in enumerate(activations[:-1]):
        if not ACTIVATIONS[name].elementwise:
            key = f"activation[{index}]" if len(set(activations)) > 1 else "activation"
            return key, f"{name} is for the output layer only (layer {index + 1} is a hidden layer)"
    output = ACTIVATIONS[activations[-1]]
    if not output.elementwise and outputs < 2:
        return "layers", f"{output.name} needs at least 2 output neurons (with one it is always 1)"
    missing = LOSSES[loss].needs - output.properties
    if missing:
        why = "outputs above 0" if "positive" in missing else "outputs below 1"
        return "loss", (
            f"{loss} takes the logarithm of the outputs, which needs {why}, but the output "
            f"layer is {output.name}; use a sigmoid or softmax output, or a squared-error loss"
        )
    return None
