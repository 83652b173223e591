"""Network specs: a TOML file or a preset name → a frozen, validated `NetworkSpec`.

Everything a later stage relies on is checked here, once, with a message that names the
file, the key and what was expected, so that the symbolic model can assume a
well-formed network. Numbers are read as `Decimal`, never as binary floats, so that
``0.15`` in a spec means exactly 0.15 in the high-precision arithmetic downstream.
"""

from __future__ import annotations

import difflib
import tomllib
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import Any

from derive.activations import ACTIVATIONS
from derive.errors import SpecError
from derive.exercise_settings import ExerciseSettings, exercise_settings
from derive.losses import LOSSES, combination_problem

BIAS_MODES = ("shared", "per_neuron", "none")
DETAIL_DIGITS_MAX = 30
MAX_TITLE = 300
#: larger values make no sense in a worked example and would overflow JSON's doubles
LARGEST = Decimal("1e15")

KNOWN_KEYS = (
    "title", "layers", "activation", "loss", "learning_rate", "inputs", "targets",
    "samples", "batch", "weights", "bias", "biases", "update_biases", "digits",
    "leaky_relu_slope", "exercise",
)  # fmt: skip
BATCH_MODES = ("mean", "sum")

Vector = tuple[Decimal, ...]
Matrix = tuple[Vector, ...]


@dataclass(frozen=True)
class Sample:
    """One training example: the input values and the target output values."""

    inputs: Vector
    targets: Vector


@dataclass(frozen=True)
class NetworkSpec:
    """A validated network: sizes, choices, and every value the walkthrough starts from.

    `weights[l][j][k]` is the weight from neuron k of layer l to neuron j of layer l + 1.
    `biases[l]` holds the bias values of layer l + 1: one value when `bias` is ``shared``,
    one per neuron when it is ``per_neuron``; `biases` is empty when `bias` is ``none``.
    """

    title: str
    layers: tuple[int, ...]
    activations: tuple[str, ...]
    loss: str
    learning_rate: Decimal
    samples: tuple[Sample, ...]
    batch: str
    weights: tuple[Matrix, ...]
    bias: str
    biases: tuple[Vector, ...]
    update_biases: bool
    digits: int
    leaky_relu_slope: Decimal = Decimal("0.01")
    source: str = "<spec>"
    #: how `derive exercise` draws variants (the optional [exercise] table)
    exercise: ExerciseSettings = field(default_factory=ExerciseSettings)

    def to_json(self) -> dict[str, Any]:
        """The normalized spec with plain JSON numbers (the ``network`` key of the result)."""
        data: dict[str, Any] = {
            "title": self.title,
            "layers": list(self.layers),
            "activation": list(self.activations),
            "loss": self.loss,
            "learning_rate": float(self.learning_rate),
            "weights": [[_floats(row) for row in matrix] for matrix in self.weights],
            "bias": self.bias,
            "update_biases": self.update_biases,
            "digits": self.digits,
        }
        if self.bias == "shared":
            data["biases"] = [float(layer[0]) for layer in self.biases]
        elif self.bias == "per_neuron":
            data["biases"] = [_floats(layer) for layer in self.biases]
        if len(self.samples) == 1:
            data["inputs"] = _floats(self.samples[0].inputs)
            data["targets"] = _floats(self.samples[0].targets)
        else:
            data["samples"] = [
                {"inputs": _floats(s.inputs), "targets": _floats(s.targets)} for s in self.samples
            ]
            data["batch"] = self.batch
        if "leaky_relu" in self.activations:
            data["leaky_relu_slope"] = float(self.leaky_relu_slope)
        return data


def _floats(values: Vector) -> list[float]:
    return [float(v) for v in values]


def preset_names() -> list[str]:
    """Names of the presets shipped inside the package, sorted."""
    folder = resources.files("derive") / "presets"
    return sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".toml"))


def preset_text(name: str) -> str:
    """The TOML text of a shipped preset."""
    return (resources.files("derive") / "presets" / f"{name}.toml").read_text("utf-8")


def load_spec(source: str | Path) -> NetworkSpec:
    """Read a spec from a TOML file path or a preset name, validated."""
    text, where = _read_source(source)
    try:
        data = tomllib.loads(text, parse_float=Decimal)
    except tomllib.TOMLDecodeError as error:
        raise SpecError(f"not valid TOML: {error}", where=where) from None
    return spec_from_mapping(data, where=where)


def _read_source(source: str | Path) -> tuple[str, str]:
    """Return the spec text and the name messages should use for it."""
    path = Path(source)
    if path.is_file():
        try:
            return path.read_bytes().decode("utf-8"), str(source)
        except (OSError, UnicodeDecodeError) as error:
            raise SpecError(f"cannot read the file: {error}", where=str(source)) from None
    name = str(source)
    if name in preset_names():
        return preset_text(name), f"{name} (preset)"
    if path.is_dir():
        raise SpecError("is a directory, not a spec file", where=name)
    if path.suffix or "/" in name or "\\" in name:
        raise SpecError("no such file", where=name)
    hint = _did_you_mean(name, preset_names())
    presets = ", ".join(preset_names())
    raise SpecError(f"no such file or preset{hint} (presets: {presets})", where=name)


def _did_you_mean(word: str, choices: list[str] | tuple[str, ...]) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else ""


def spec_from_mapping(data: Mapping[str, Any], *, where: str = "<spec>") -> NetworkSpec:
    """Validate an already parsed spec (a TOML table or a plain dict) into a `NetworkSpec`."""
    return _Validator(data, where).spec()


class _Validator:
    """Checks one spec table key by key; every failure raises a located `SpecError`."""

    def __init__(self, data: Mapping[str, Any], where: str) -> None:
        if not isinstance(data, Mapping):
            raise SpecError("expected a table of keys", where=where)
        self.data = data
        self.where = where

    def fail(self, key: str, message: str) -> SpecError:
        return SpecError(message, where=self.where, key=key)

    def spec(self) -> NetworkSpec:
        self._reject_unknown_keys()
        layers = self._layers()
        bias = self._choice("bias", BIAS_MODES, "shared" if "biases" in self.data else "none")
        activations = self._activations(len(layers) - 1)
        loss = self._choice("loss", tuple(LOSSES), "half_sse")
        samples = self._samples(layers)
        self._check_combination(activations, loss, layers, samples)
        return NetworkSpec(
            title=self._title(layers),
            layers=layers,
            activations=activations,
            loss=loss,
            learning_rate=self._learning_rate(),
            samples=samples,
            batch=self._choice("batch", BATCH_MODES, "mean"),
            weights=self._weights(layers),
            bias=bias,
            biases=self._biases(layers, bias),
            update_biases=self._flag("update_biases", False),
            digits=self._digits(),
            leaky_relu_slope=self._slope(activations),
            source=self.where,
            exercise=exercise_settings(self.data.get("exercise"), self.fail),
        )

    def _reject_unknown_keys(self) -> None:
        for key in self.data:
            if key not in KNOWN_KEYS:
                hint = _did_you_mean(key, KNOWN_KEYS)
                raise self.fail(key, f"unknown key{hint}")

    def _require(self, key: str) -> Any:
        if key not in self.data:
            raise self.fail(key, "missing (this key is required)")
        return self.data[key]

    def _layers(self) -> tuple[int, ...]:
        value = self._require("layers")
        if not isinstance(value, list) or len(value) < 2:
            raise self.fail("layers", "expected a list of at least 2 layer sizes, e.g. [2, 2, 2]")
        for index, size in enumerate(value):
            if isinstance(size, bool) or not isinstance(size, int) or size < 1:
                raise self.fail(f"layers[{index}]", f"expected a positive integer, got {size!r}")
        return tuple(value)

    def _title(self, layers: tuple[int, ...]) -> str:
        default = f"Backpropagation step by step: a {'-'.join(map(str, layers))} network"
        title = self.data.get("title", default)
        if not isinstance(title, str) or not title.strip():
            raise self.fail("title", "expected a non-empty string")
        if len(title) > MAX_TITLE:
            raise self.fail("title", f"expected at most {MAX_TITLE} characters, got {len(title)}")
        # control characters (NUL, bidirectional overrides, …) have no place on a handout
        bad = next(
            (c for c in title if unicodedata.category(c) in ("Cc", "Cf") and c not in "\t\n"), None
        )
        if bad is not None:
            raise self.fail("title", f"contains the control character U+{ord(bad):04X}")
        return " ".join(title.split())

    def _choice(self, key: str, choices: tuple[str, ...], default: str) -> str:
        value = self.data.get(key, default)
        if not isinstance(value, str):
            raise self.fail(key, f"expected one of {', '.join(choices)}, got {value!r}")
        if value not in choices:
            hint = _did_you_mean(value, choices)
            raise self.fail(key, f"unknown name {value!r}{hint} (known: {', '.join(choices)})")
        return value

    def _activations(self, count: int) -> tuple[str, ...]:
        value = self.data.get("activation", "sigmoid")
        names = tuple(ACTIVATIONS)
        if isinstance(value, str):
            self._known("activation", value, names)
            return (value,) * count
        if not isinstance(value, list) or len(value) != count:
            raise self.fail(
                "activation",
                f"expected one name or a list of {count} names (one per non-input layer)",
            )
        for index, name in enumerate(value):
            self._known(f"activation[{index}]", name, names)
        return tuple(value)

    def _known(self, key: str, name: Any, names: tuple[str, ...]) -> None:
        if not isinstance(name, str):
            raise self.fail(key, f"expected a name, got {name!r}")
        if name not in names:
            hint = _did_you_mean(name, names)
            raise self.fail(key, f"unknown name {name!r}{hint} (known: {', '.join(names)})")

    def _number(self, key: str, value: Any) -> Decimal:
        if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
            raise self.fail(key, f"expected a number, got {_describe(value)}")
        # a Python float means the decimal it is written as (0.1, not 0.10000000000000000555)
        number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
        if not number.is_finite():
            raise self.fail(key, f"expected a finite number, got {str(number).lower()}")
        if abs(number) > LARGEST:
            raise self.fail(key, f"expected a number of magnitude at most 1e15, got {value}")
        return number

    def _vector(self, key: str, value: Any, size: int, what: str) -> Vector:
        if not isinstance(value, list):
            raise self.fail(
                key, f"expected a list of {size} numbers ({what}), got {_describe(value)}"
            )
        if len(value) != size:
            raise self.fail(key, f"expected {size} numbers ({what}), got {len(value)}")
        return tuple(self._number(f"{key}[{i}]", v) for i, v in enumerate(value))

    def _learning_rate(self) -> Decimal:
        rate = self._number("learning_rate", self._require("learning_rate"))
        if rate <= 0:
            raise self.fail("learning_rate", f"expected a number greater than 0, got {rate}")
        return rate

    def _samples(self, layers: tuple[int, ...]) -> tuple[Sample, ...]:
        """`inputs`/`targets` for one sample, or `samples = [{inputs, targets}, …]`."""
        if "samples" not in self.data:
            return (self._sample(self._require("inputs"), self._require("targets"), "", layers),)
        if "inputs" in self.data or "targets" in self.data:
            raise self.fail("samples", "given together with inputs/targets; use one or the other")
        value = self.data["samples"]
        if not isinstance(value, list) or not value:
            raise self.fail(
                "samples", "expected a non-empty list of {inputs = [...], targets = [...]}"
            )
        return tuple(
            self._sample_table(item, f"samples[{i}]", layers) for i, item in enumerate(value)
        )

    def _sample_table(self, table: Any, key: str, layers: tuple[int, ...]) -> Sample:
        if not isinstance(table, Mapping):
            raise self.fail(key, "expected a table {inputs = [...], targets = [...]}")
        for name in table:
            if name not in ("inputs", "targets"):
                hint = _did_you_mean(name, ("inputs", "targets"))
                raise self.fail(f"{key}.{name}", f"unknown key{hint}")
        for name in ("inputs", "targets"):
            if name not in table:
                raise self.fail(f"{key}.{name}", "missing (this key is required)")
        return self._sample(table["inputs"], table["targets"], f"{key}.", layers)

    def _sample(self, inputs: Any, targets: Any, prefix: str, layers: tuple[int, ...]) -> Sample:
        return Sample(
            self._vector(f"{prefix}inputs", inputs, layers[0], f"the input layer has {layers[0]}"),
            self._vector(
                f"{prefix}targets", targets, layers[-1], f"the output layer has {layers[-1]}"
            ),
        )

    def _check_combination(
        self,
        activations: tuple[str, ...],
        loss: str,
        layers: tuple[int, ...],
        samples: tuple[Sample, ...],
    ) -> None:
        """Refuse what makes no sense: softmax in a hidden layer, the log of a linear output."""
        problem = combination_problem(activations, loss, layers[-1])
        if problem:
            key, message = problem
            raise self.fail(key, message)
        needs = LOSSES[loss].target_range
        if needs is None:
            return
        low, high = needs
        for i, sample in enumerate(samples):
            for j, target in enumerate(sample.targets):
                if not low <= target <= high:
                    where = f"samples[{i}].targets[{j}]" if len(samples) > 1 else f"targets[{j}]"
                    raise self.fail(
                        where, f"{loss} needs targets from {low} to {high}, got {target}"
                    )

    def _slope(self, activations: tuple[str, ...]) -> Decimal:
        if "leaky_relu_slope" not in self.data:
            return Decimal("0.01")
        if "leaky_relu" not in activations:
            raise self.fail("leaky_relu_slope", "given, but no layer uses leaky_relu")
        slope = self._number("leaky_relu_slope", self.data["leaky_relu_slope"])
        if not 0 <= slope < 1:
            raise self.fail(
                "leaky_relu_slope", f"expected a number from 0 up to (not including) 1, got {slope}"
            )
        return slope

    def _weights(self, layers: tuple[int, ...]) -> tuple[Matrix, ...]:
        value = self._require("weights")
        count = len(layers) - 1
        if not isinstance(value, list) or len(value) != count:
            raise self.fail(
                "weights",
                f"expected {count} weight matrices (one per pair of adjacent layers), "
                f"got {len(value) if isinstance(value, list) else _describe(value)}",
            )
        return tuple(self._matrix(l, value[l], layers[l], layers[l + 1]) for l in range(count))

    def _matrix(self, layer: int, value: Any, sources: int, targets: int) -> Matrix:
        key = f"weights[{layer}]"
        shape = f"{targets} rows of {sources}: layer {layer + 1} has {targets} neurons"
        if not isinstance(value, list) or len(value) != targets:
            got = len(value) if isinstance(value, list) else _describe(value)
            raise self.fail(key, f"expected {shape}, got {got} rows")
        what = f"one per neuron of layer {layer}, which has {sources}"
        return tuple(self._vector(f"{key}[{j}]", row, sources, what) for j, row in enumerate(value))

    def _biases(self, layers: tuple[int, ...], mode: str) -> tuple[Vector, ...]:
        count = len(layers) - 1
        if mode == "none":
            if self.data.get("biases") not in (None, []):
                raise self.fail("biases", 'given, but bias = "none"; remove one of the two')
            return ()
        value = self._require("biases")
        if mode == "shared":
            vector = self._vector("biases", value, count, "one per non-input layer")
            return tuple((b,) for b in vector)
        if not isinstance(value, list) or len(value) != count:
            raise self.fail("biases", f"expected {count} lists (one per non-input layer)")
        return tuple(
            self._vector(
                f"biases[{l}]", value[l], layers[l + 1], f"layer {l + 1} has {layers[l + 1]}"
            )
            for l in range(count)
        )

    def _flag(self, key: str, default: bool) -> bool:
        value = self.data.get(key, default)
        if not isinstance(value, bool):
            raise self.fail(key, f"expected true or false, got {_describe(value)}")
        return value

    def _digits(self) -> int:
        value = self.data.get("digits", 9)
        if (
            isinstance(value, bool)
            or not isinstance(value, int)
            or not 1 <= value <= DETAIL_DIGITS_MAX
        ):
            raise self.fail(
                "digits", f"expected an integer from 1 to {DETAIL_DIGITS_MAX}, got {value!r}"
            )
        return value


def _describe(value: Any) -> str:
    """A short description of a wrong value for a message."""
    if isinstance(value, str):
        return f"the text {value!r}"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, list):
        return f"a list of {len(value)}"
    if isinstance(value, dict):
        return "a table"
    return repr(value) if not isinstance(value, Decimal) else str(value)
