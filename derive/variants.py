"""Variants of an exercise: the same network with values drawn anew, reproducibly.

Each variant replaces the kinds of value named in `vary` (weights, inputs, targets,
biases) by multiples of the spec's grid inside the spec's ranges, drawn from the
`random.Random` passed in, so that a seed printed on the cover reproduces every sheet.
A draw a student could not sensibly work by hand is rejected and drawn again, and the
rejections are counted per rule (`REJECTION_RULES`):

* ``saturated``  a sigmoid or tanh neuron so far out that σ'(net) is almost 0;
* ``vanishing``  an asked gradient below one unit of the precision asked, or an asked
                 update that leaves the parameter unchanged at that precision;
* ``tie``        two questions with the same answer at the precision asked (their sign
                 aside), so a copied answer or a swapped pair would pass;
* ``dead_relu``  a ReLU neuron whose net input is ≤ 0 (unless the spec allows it);
* ``invalid``    values the spec rules refuse (e.g. targets outside a loss's range);
* ``repeated``   the same values as an earlier variant.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from derive.asking import Asked, quantities, resolve
from derive.errors import SpecError, UsageError
from derive.exercise_settings import ExerciseSettings, grid_points
from derive.numeric import TrainingStep, ctx, rounded
from derive.spec import NetworkSpec, spec_from_mapping
from derive.walkthrough import build_walkthrough

REJECTION_RULES = ("saturated", "vanishing", "tie", "dead_relu", "invalid", "repeated")
#: σ'(net) = out·(1 − out) below this (|net| ≳ 4.6) is a saturated sigmoid
SATURATED_SLOPE = 0.01
MAX_DRAWS = 2000


@dataclass(frozen=True)
class Variant:
    """One variant: its number, its spec (as TOML data and validated), its answers."""

    number: int
    data: dict[str, Any]
    spec: NetworkSpec
    answers: tuple[Asked, ...]


@dataclass(frozen=True)
class Draw:
    """The variants of an exercise and how many draws each rule rejected."""

    variants: tuple[Variant, ...]
    rejected: dict[str, int]
    asked: tuple[str, ...]
    digits: int


def draw_variants(
    spec: NetworkSpec,
    count: int,
    rng: random.Random,
    *,
    ask: tuple[str, ...] | list[str] = (),
    vary: tuple[str, ...] | None = None,
    digits: int | None = None,
) -> Draw:
    """`count` variants of `spec`, drawn with `rng`; see the module docstring."""
    settings = spec.exercise
    if len(spec.samples) != 1:
        raise UsageError("an exercise needs a spec with one sample (inputs and targets)")
    if not 1 <= count <= 1000:
        raise UsageError(f"--variants: expected 1 to 1000, got {count}")
    vary = tuple(vary or settings.vary)
    digits = digits or settings.digits
    known = quantities(build_walkthrough(spec).step)
    asked = resolve(list(ask or settings.ask), known)
    if not asked:
        raise UsageError("nothing to ask: give --ask NAMES or ask = [...] in [exercise]")
    rejected: Counter[str] = Counter({rule: 0 for rule in REJECTION_RULES})
    seen: set[str] = set()
    variants: list[Variant] = []
    while len(variants) < count:
        for _ in range(MAX_DRAWS):
            data = _drawn_data(spec, settings, vary, rng)
            variant, rule = _judge(data, spec, settings, asked, digits, seen, len(variants) + 1)
            if variant is not None:
                variants.append(variant)
                break
            rejected[rule] += 1
        else:
            worst = rejected.most_common(1)[0][0]
            raise UsageError(
                f"no acceptable variant in {MAX_DRAWS} draws (most rejected as {worst}): "
                "widen the ranges in [exercise], vary more kinds, or ask other quantities"
            )
    return Draw(tuple(variants), dict(rejected), asked, digits)


def _judge(data, spec, settings, asked, digits, seen, number):
    """The variant of `data`, or None and the name of the rule that rejects it."""
    key = repr(data)
    if key in seen:
        return None, "repeated"
    try:
        variant_spec = spec_from_mapping(data, where=f"variant {number}")
    except SpecError:
        return None, "invalid"
    step = build_walkthrough(variant_spec).step
    known = quantities(step)
    answers = tuple(known[name] for name in asked)
    rule = rejection(step, answers, digits, settings)
    if rule:
        return None, rule
    seen.add(key)
    return Variant(number, data, variant_spec, answers), ""


def rejection(
    step: TrainingStep, answers: tuple[Asked, ...], digits: int, settings: ExerciseSettings
) -> str:
    """The first rule a variant breaks (see `REJECTION_RULES`), or "" if none."""
    if saturated(step):
        return "saturated"
    if vanishing(step, answers, digits):
        return "vanishing"
    if tie(answers, digits):
        return "tie"
    if not settings.allow_dead_relu and dead_relu(step):
        return "dead_relu"
    return ""


def saturated(step: TrainingStep) -> bool:
    """Some sigmoid or tanh neuron has a derivative below `SATURATED_SLOPE`."""
    network, values = step.network, step.before[0].values
    for number, layer in enumerate(network.layers[1:], start=1):
        name = network.spec.activations[number - 1]
        for neuron in layer:
            out = values[neuron.out]
            # σ' = out(1 − out), tanh' = 1 − out²
            slope = out * (1 - out) if name == "sigmoid" else 1 - out * out
            if name in ("sigmoid", "tanh") and slope < SATURATED_SLOPE:
                return True
    return False


def vanishing(step: TrainingStep, answers: tuple[Asked, ...], digits: int) -> bool:
    """An asked gradient is below 10^−digits, or an asked update does not show."""
    unit = ctx.mpf(10) ** -digits
    for answer in answers:
        if answer.kind in ("gradient", "delta") and abs(answer.value) < unit:
            return True
        if answer.kind == "updated":
            before = step.parameters[answer.name[:-1]]
            if rounded(answer.value, digits) == rounded(before, digits):
                return True
    return False


def tie(answers: tuple[Asked, ...], digits: int) -> bool:
    """Two asked quantities share an answer (up to sign) at the precision asked."""
    seen = set()
    for answer in answers:
        value = abs(rounded(answer.value, digits))
        if value in seen:
            return True
        seen.add(value)
    return False


def dead_relu(step: TrainingStep) -> bool:
    """A ReLU neuron's net input is ≤ 0: it passes nothing forward and nothing back."""
    network, values = step.network, step.before[0].values
    for number, layer in enumerate(network.layers[1:], start=1):
        relu = network.spec.activations[number - 1] == "relu"
        if relu and any(values[neuron.net] <= 0 for neuron in layer):
            return True
    return False


# -- drawing ------------------------------------------------------------------------------
def _drawn_data(
    spec: NetworkSpec, settings: ExerciseSettings, vary: tuple[str, ...], rng: random.Random
) -> dict[str, Any]:
    """The TOML data of a variant: the spec's values, with the `vary` kinds drawn anew."""
    data = spec_data(spec)

    def value(kind: str, old: Decimal) -> Decimal:
        return _on_grid(rng, settings, kind) if kind in vary else old

    data["inputs"] = [value("inputs", x) for x in spec.samples[0].inputs]
    data["targets"] = [value("targets", t) for t in spec.samples[0].targets]
    data["weights"] = [
        [[value("weights", w) for w in row] for row in matrix] for matrix in spec.weights
    ]
    if spec.bias == "shared":
        data["biases"] = [value("biases", layer[0]) for layer in spec.biases]
    elif spec.bias == "per_neuron":
        data["biases"] = [[value("biases", b) for b in layer] for layer in spec.biases]
    return data


def _on_grid(rng: random.Random, settings: ExerciseSettings, kind: str) -> Decimal:
    """A nonzero multiple of the grid inside the range of `kind`, uniformly."""
    low, high = settings.range_of(kind)
    k = rng.choice(grid_points(low, high, settings.grid))
    return (k * settings.grid).normalize()


def spec_data(spec: NetworkSpec) -> dict[str, Any]:
    """A spec as TOML data with exact decimals (its [exercise] table left out)."""
    data: dict[str, Any] = {
        "title": spec.title,
        "layers": list(spec.layers),
        "activation": list(spec.activations),
        "loss": spec.loss,
        "learning_rate": spec.learning_rate,
        "inputs": list(spec.samples[0].inputs),
        "targets": list(spec.samples[0].targets),
        "weights": [[list(row) for row in matrix] for matrix in spec.weights],
        "bias": spec.bias,
    }
    if spec.bias == "shared":
        data["biases"] = [layer[0] for layer in spec.biases]
    elif spec.bias == "per_neuron":
        data["biases"] = [list(layer) for layer in spec.biases]
    data["update_biases"] = spec.update_biases
    data["digits"] = spec.digits
    if "leaky_relu" in spec.activations:
        data["leaky_relu_slope"] = spec.leaky_relu_slope
    return data


def toml_text(data: dict[str, Any], comment: str = "") -> str:
    """Spec data as TOML (strings, numbers, booleans and nested lists are all a spec holds)."""
    lines = [f"# {line}" for line in comment.splitlines()]
    lines += [f"{key} = {_toml_value(value)}" for key, value in data.items()]
    return "\n".join(lines) + "\n"


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, Decimal):
        text = format(value.normalize(), "f")
        return text if "." in text else text + ".0"
    return str(value)
