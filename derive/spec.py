"""Network specs: a TOML file or a preset name → a frozen, validated `NetworkSpec`.

Everything a later stage relies on is checked here, once, with a message that names the
file, the key and what was expected, so that the symbolic model can assume a
well-formed network. Numbers are read as `Decimal`, never as binary floats, so that
``0.15`` in a spec means exactly 0.15 in the high-precision arithmetic downstream.
"""

from __future__ import annotations

import difflib
import re
import stat
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import Any

from derive.errors import SpecError
from derive.exercise_settings import ExerciseSettings, exercise_settings
from derive.registry import (
    ACTIVATION_ALIASES,
    ACTIVATIONS,
    LOSS_ALIASES,
    LOSSES,
    alias_of,
    combination_problem,
)
from derive.text import is_control

BIAS_MODES = ("shared", "per_neuron", "none")
DETAIL_DIGITS_MAX = 30
MAX_TITLE = 300
#: the accepted numbers: 0, or a magnitude from SMALLEST to LARGEST, with at most
#: MAX_SIGNIFICANT significant digits. Larger values make no sense in a worked example and
#: would overflow JSON's doubles; smaller ones (1e-999999999) or longer ones would cost
#: gigabytes to write out exactly and still print as 0 or as the same rounded digits.
LARGEST = Decimal("1e15")
SMALLEST = Decimal("1e-15")
MAX_SIGNIFICANT = 50
#: no layer of a worked example comes near this; it keeps every count printable and finite
MAX_LAYER_SIZE = 100_000
#: a spec is a few lines; anything near this size is not one (and /dev/zero never ends)
MAX_SPEC_BYTES = 10_000_000
#: at most this many problems are listed at once; the rest are counted
MAX_PROBLEMS = 12

KNOWN_KEYS = (
    "title", "layers", "activation", "loss", "learning_rate", "inputs", "targets",
    "samples", "batch", "weights", "bias", "biases", "update_biases", "digits",
    "leaky_relu_slope", "exercise",
)  # fmt: skip
BATCH_MODES = ("mean", "sum")
KEYS_OF_SAMPLE = ("inputs", "targets")

#: names people write for a key (other libraries, textbooks) → derive's key
KEY_ALIASES = {
    **dict.fromkeys(
        ("eta", "lr", "alpha", "learningrate", "rate", "step_size", "stepsize"), "learning_rate"
    ),
    **dict.fromkeys(("input", "x", "x0"), "inputs"),
    **dict.fromkeys(("target", "y", "outputs", "expected", "labels"), "targets"),
    **dict.fromkeys(("weight", "w", "w0", "weight_matrices"), "weights"),
    **dict.fromkeys(("b", "bias_values"), "biases"),
    **dict.fromkeys(("bias_mode", "biases_mode"), "bias"),
    **dict.fromkeys(("activations", "act", "activation_function", "nonlinearity"), "activation"),
    **dict.fromkeys(("sizes", "layer_sizes", "shape", "architecture", "topology"), "layers"),
    **dict.fromkeys(("loss_function", "cost", "cost_function", "criterion", "objective"), "loss"),
    **dict.fromkeys(("precision", "decimals", "significant_digits", "places"), "digits"),
    **dict.fromkeys(("name", "label", "caption"), "title"),
    **dict.fromkeys(("slope", "negative_slope", "leak", "leaky_slope"), "leaky_relu_slope"),
    **dict.fromkeys(("data", "examples", "dataset", "batch_samples"), "samples"),
}

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
    """Read a spec from a TOML file path or a preset name, validated.

    Every problem of the spec is reported at once (up to `MAX_PROBLEMS`), each with its line.
    """
    if not isinstance(source, str | Path):
        raise SpecError(
            f"expected a spec file, a preset name, a table of keys or a NetworkSpec, "
            f"got {_describe(source)}"
        )
    text, where = _read_source(source)
    data = _parse(text, where)
    return _Validator(data, where, _KeyLines(text)).spec()


def _parse(text: str, where: str) -> dict[str, Any]:
    """TOML → a table, every number a `Decimal`; what TOML or Python refuses, said plainly."""
    try:
        return tomllib.loads(text, parse_float=Decimal)
    except tomllib.TOMLDecodeError as error:
        raise SpecError(f"not valid TOML: {error}", where=where) from None
    except RecursionError:
        raise SpecError("not valid TOML here: nested too deeply", where=where) from None
    except ValueError:
        # Python refuses integers of more than 4300 digits (int_max_str_digits)
        line = _long_number_line(text)
        key = _KeyLines(text).key_at(line) if line else ""
        raise SpecError(
            "a number too long to read; numbers are 0 or of magnitude 1e-15 to 1e15",
            where=where,
            key=key,
            line=line,
        ) from None


def _long_number_line(text: str) -> int | None:
    match = re.search(r"[0-9][0-9_]{1000,}", text)
    return text.count("\n", 0, match.start()) + 1 if match else None


def _read_source(source: str | Path) -> tuple[str, str]:
    """Return the spec text and the name messages should use for it."""
    path = Path(source)
    name = str(source)
    try:
        mode = path.stat().st_mode
    except (OSError, ValueError):
        mode = None
    if mode is not None and stat.S_ISDIR(mode):
        raise SpecError("is a directory, not a spec file", where=name)
    if mode is not None:
        return _decode(_read_bounded(path, name), name), name
    if name in preset_names():
        return preset_text(name), f"{name} (preset)"
    if path.suffix or "/" in name or "\\" in name:
        raise SpecError("no such file", where=name)
    if Path(f"{name}.toml").is_file():
        raise SpecError(f"no such file or preset; did you mean '{name}.toml'?", where=name)
    hint = _did_you_mean(name, preset_names())
    presets = ", ".join(preset_names())
    raise SpecError(f"no such file or preset{hint} (presets: {presets})", where=name)


def _read_bounded(path: Path, name: str) -> bytes:
    """The bytes of a file, a pipe or a device, refusing what cannot be a spec (too big)."""
    try:
        with path.open("rb") as stream:
            data = stream.read(MAX_SPEC_BYTES + 1)
    except OSError as error:
        raise SpecError(f"cannot read the file: {error.strerror}", where=name) from None
    if len(data) > MAX_SPEC_BYTES:
        raise SpecError(
            f"cannot read the file: more than {MAX_SPEC_BYTES:,} bytes, too large for a spec",
            where=name,
        )
    if not data.strip():
        kind = "" if path.is_file() else " (not a regular file)"
        raise SpecError(f"is empty{kind}: a spec needs layers, weights, inputs, …", where=name)
    return data


#: byte-order marks that name an encoding (UTF-32 before UTF-16: its LE mark begins alike)
_BOMS = (
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xef\xbb\xbf", "utf-8"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)


def _decode(data: bytes, name: str) -> str:
    """UTF-8 (with or without a byte-order mark), or UTF-16/32 announced by their mark."""
    encoding = next((enc for bom, enc in _BOMS if data.startswith(bom)), None)
    if encoding is not None:
        data = data[len(next(bom for bom, enc in _BOMS if enc == encoding)) :]
    elif b"\x00" in data:
        raise SpecError(
            "cannot read the file: it holds NUL bytes (UTF-16 without a byte-order mark, or "
            "not text); save it as UTF-8",
            where=name,
        )
    try:
        return data.decode(encoding or "utf-8")
    except UnicodeDecodeError as error:
        position = f"byte {error.start}"
        raise SpecError(
            f"cannot read the file: not {encoding or 'UTF-8'} text ({position}); save it as UTF-8",
            where=name,
        ) from None


def _did_you_mean(word: str, choices: list[str] | tuple[str, ...]) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else ""


def spec_from_mapping(data: Mapping[str, Any], *, where: str = "<spec>") -> NetworkSpec:
    """Validate an already parsed spec (a TOML table or a plain dict) into a `NetworkSpec`.

    Anything else than a mapping with text keys is refused with a `SpecError`, like a bad file.
    """
    return _Validator(data, where).spec()


class _KeyLines:
    """Where each top-level key (and each ``[[samples]]`` table) of a TOML text starts.

    TOML parsers forget lines; a message that says ``net.toml:12`` saves the reader a search.
    """

    _KEY = re.compile(r"""^[ \t]*["']?([A-Za-z0-9_-]+)["']?[ \t]*=""")
    _TABLE = re.compile(r"""^[ \t]*\[\[?[ \t]*["']?([A-Za-z0-9_-]+)""")

    def __init__(self, text: str = "") -> None:
        self.keys: dict[str, int] = {}
        self.tables: dict[str, list[int]] = {}
        self.starts: list[tuple[int, str]] = []
        table = None
        for number, line in enumerate(text.splitlines(), start=1):
            header = self._TABLE.match(line)
            if header:
                table = header.group(1)
                self.tables.setdefault(table, []).append(number)
                self.keys.setdefault(table, number)
                self.starts.append((number, table))
                continue
            key = self._KEY.match(line)
            if key and table is None:
                self.keys.setdefault(key.group(1), number)
                self.starts.append((number, key.group(1)))

    def line_of(self, key: str) -> int | None:
        """The line of ``weights[1][0]`` (that of ``weights``), of ``samples[2].inputs``, …"""
        root = re.split(r"[\[.]", key, maxsplit=1)[0]
        index = re.match(rf"{re.escape(root)}\[(\d+)\]", key)
        if root in self.tables and index and int(index.group(1)) < len(self.tables[root]):
            return self.tables[root][int(index.group(1))]
        return self.keys.get(root)

    def key_at(self, line: int) -> str:
        """The key whose value spans `line`: the last one that starts at or before it."""
        started = [key for number, key in self.starts if number <= line]
        return started[-1] if started else ""


class _Validator:
    """Checks one spec table section by section, gathering every problem it finds.

    Each section (layers, weights, …) stops at its first problem; a section that needs
    another one (weights need layers) is skipped when that one failed, so that one mistake
    is reported once, not echoed by every section that depends on it.
    """

    def __init__(self, data: Mapping[str, Any], where: str, lines: _KeyLines | None = None):
        if not isinstance(data, Mapping):
            raise SpecError(f"expected a table of keys, got {_describe(data)}", where=where)
        self.data = data
        self.where = where
        self.lines = lines or _KeyLines()
        self.problems: list[SpecError] = []

    def fail(self, key: str, message: str) -> SpecError:
        return SpecError(message, where=self.where, key=key, line=self.lines.line_of(key))

    def attempt(self, check: Callable[..., Any], *args: Any) -> Any:
        """The result of one section's check, or None with its problem noted."""
        try:
            return check(*args)
        except SpecError as problem:
            self.problems.append(problem)
            return None

    def spec(self) -> NetworkSpec:
        self._reject_unknown_keys()
        layers = self.attempt(self._layers)
        bias = self.attempt(self._bias_mode)
        loss = self.attempt(self._choice, "loss", tuple(LOSSES), "half_sse", LOSS_ALIASES)
        activations = self.attempt(self._activations, len(layers) - 1) if layers else None
        samples = self.attempt(self._samples, layers) if layers else None
        if activations and loss and samples:
            self.attempt(self._check_combination, activations, loss, layers, samples)
        values = {
            "title": self.attempt(self._title, layers),
            "learning_rate": self.attempt(self._learning_rate),
            "batch": self.attempt(self._choice, "batch", BATCH_MODES, "mean"),
            "weights": self.attempt(self._weights, layers) if layers else None,
            "biases": self.attempt(self._biases, layers, bias) if layers and bias else None,
            "update_biases": self.attempt(self._flag, "update_biases", False),
            "digits": self.attempt(self._digits),
            "leaky_relu_slope": self.attempt(self._slope, activations) if activations else None,
            "exercise": self.attempt(exercise_settings, self.data.get("exercise"), self.fail),
        }
        self._raise_problems()
        return NetworkSpec(
            layers=layers,
            activations=activations,
            loss=loss,
            samples=samples,
            bias=bias,
            source=self.where,
            **values,
        )

    def _raise_problems(self) -> None:
        if not self.problems:
            return
        if len(self.problems) == 1:
            raise self.problems[0]
        ordered = sorted(self.problems, key=lambda p: p.line or 0)
        shown = ordered[:MAX_PROBLEMS]
        if len(ordered) > MAX_PROBLEMS:
            rest = len(ordered) - MAX_PROBLEMS
            shown.append(SpecError(f"and {_count(rest, 'more problem')}", where=self.where))
        raise SpecError(where=self.where, problems=tuple(shown))

    def _reject_unknown_keys(self) -> None:
        for key in self.data:
            if not isinstance(key, str):
                self.problems.append(self.fail(str(key), "a key must be text"))
            elif key not in KNOWN_KEYS:
                self.problems.append(self.fail(key, f"unknown key{_key_hint(key, KNOWN_KEYS)}"))

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
                raise self.fail(
                    f"layers[{index}]", f"expected a positive integer, got {_describe(size)}"
                )
            if size > MAX_LAYER_SIZE:
                raise self.fail(
                    f"layers[{index}]",
                    f"expected at most {MAX_LAYER_SIZE:,} neurons, got {_describe(size)}",
                )
        return tuple(value)

    def _title(self, layers: tuple[int, ...] | None) -> str:
        if "title" not in self.data:
            return _default_title(layers or ())
        title = self.data["title"]
        if not isinstance(title, str) or not title.strip():
            raise self.fail("title", f"expected a non-empty string, got {_describe(title)}")
        if len(title) > MAX_TITLE:
            raise self.fail("title", f"expected at most {MAX_TITLE} characters, got {len(title)}")
        bad = next((c for c in title if _is_control(c)), None)
        if bad is not None:
            raise self.fail("title", f"contains the control character U+{ord(bad):04X}")
        return " ".join(title.split())

    def _bias_mode(self) -> str:
        return self._choice("bias", BIAS_MODES, "shared" if "biases" in self.data else "none")

    def _choice(
        self, key: str, choices: tuple[str, ...], default: str, aliases: Mapping[str, str] = {}
    ) -> str:
        value = self.data.get(key, default)
        if not isinstance(value, str):
            raise self.fail(key, f"expected one of {', '.join(choices)}, got {_describe(value)}")
        self._known(key, value, choices, aliases)
        return value

    def _activations(self, count: int) -> tuple[str, ...]:
        value = self.data.get("activation", "sigmoid")
        names = tuple(ACTIVATIONS)
        if isinstance(value, str):
            self._known("activation", value, names, ACTIVATION_ALIASES)
            return (value,) * count
        if not isinstance(value, list) or len(value) != count:
            raise self.fail(
                "activation",
                f"expected one name or a list of {_count(count, 'name')} "
                f"(one per non-input layer), got {_describe(value)}",
            )
        for index, name in enumerate(value):
            self._known(f"activation[{index}]", name, names, ACTIVATION_ALIASES)
        return tuple(value)

    def _known(
        self, key: str, name: Any, names: tuple[str, ...], aliases: Mapping[str, str] = {}
    ) -> None:
        if not isinstance(name, str):
            raise self.fail(key, f"expected a name, got {_describe(name)}")
        if name not in names:
            alias = name.lower() if name.lower() in names else alias_of(name, dict(aliases))
            hint = f"; did you mean {alias!r}?" if alias else _did_you_mean(name, names)
            raise self.fail(key, f"unknown name {_quote(name)}{hint} (known: {', '.join(names)})")

    def _number(self, key: str, value: Any) -> Decimal:
        if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
            raise self.fail(key, f"expected a number, got {_describe(value)}")
        # a Python float means the decimal it is written as (0.1, not 0.10000000000000000555)
        number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
        if not number.is_finite():
            raise self.fail(key, f"expected a finite number, got {str(number).lower()}")
        if number.copy_abs() > LARGEST:
            raise self.fail(
                key, f"expected a number of magnitude at most 1e15, got {_short(number)}"
            )
        if number and number.copy_abs() < SMALLEST:
            raise self.fail(
                key, f"expected 0 or a number of magnitude at least 1e-15, got {_short(number)}"
            )
        if _significant_digits(number) > MAX_SIGNIFICANT:
            raise self.fail(
                key, f"expected at most {MAX_SIGNIFICANT} significant digits, got {_short(number)}"
            )
        return number

    def _vector(self, key: str, value: Any, size: int, what: str) -> Vector:
        if not isinstance(value, list):
            raise self.fail(
                key, f"expected a list of {_count(size, 'number')} ({what}), got {_describe(value)}"
            )
        if len(value) != size:
            raise self.fail(key, f"expected {_count(size, 'number')} ({what}), got {len(value)}")
        return tuple(self._number(f"{key}[{i}]", v) for i, v in enumerate(value))

    def _learning_rate(self) -> Decimal:
        rate = self._number("learning_rate", self._require("learning_rate"))
        if rate <= 0:
            raise self.fail("learning_rate", f"expected a number greater than 0, got {rate}")
        return rate

    def _samples(self, layers: tuple[int, ...]) -> tuple[Sample, ...]:
        """`inputs`/`targets` for one sample, or `samples = [{inputs, targets}, …]`."""
        if "samples" not in self.data:
            missing = [self.fail(k, "missing (this key is required)") for k in KEYS_OF_SAMPLE]
            missing = [
                m for m, k in zip(missing, KEYS_OF_SAMPLE, strict=True) if k not in self.data
            ]
            self.problems.extend(missing[:-1])
            if missing:
                raise missing[-1]
            return (self._sample(self.data["inputs"], self.data["targets"], "", layers),)
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
            if not isinstance(name, str) or name not in ("inputs", "targets"):
                hint = _key_hint(name, ("inputs", "targets")) if isinstance(name, str) else ""
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
            got = len(value) if isinstance(value, list) else _describe(value)
            raise self.fail(
                "weights",
                f"expected {_count(count, 'weight matrix', 'weight matrices')} "
                f"(one per pair of adjacent layers), got {got}",
            )
        return tuple(self._matrix(l, value[l], layers[l], layers[l + 1]) for l in range(count))

    def _matrix(self, layer: int, value: Any, sources: int, targets: int) -> Matrix:
        key = f"weights[{layer}]"
        rows = _count(targets, "row")
        shape = f"{rows} of {sources}: layer {layer + 1} has {_count(targets, 'neuron')}"
        if not isinstance(value, list) or len(value) != targets:
            got = _count(len(value), "row") if isinstance(value, list) else _describe(value)
            raise self.fail(key, f"expected {shape}, got {got}")
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
            if isinstance(value, list) and any(isinstance(v, list) for v in value):
                said = 'bias = "shared"' if "bias" in self.data else "without a bias key, biases"
                raise self.fail(
                    "biases",
                    f'a list per layer is one bias per neuron: add bias = "per_neuron" '
                    f"({said} holds one number per layer)",
                )
            vector = self._vector("biases", value, count, "one per non-input layer")
            return tuple((b,) for b in vector)
        if not isinstance(value, list) or len(value) != count:
            raise self.fail(
                "biases",
                f"expected {_count(count, 'list')} (one per non-input layer), "
                f"got {_describe(value)}",
            )
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
                "digits",
                f"expected an integer from 1 to {DETAIL_DIGITS_MAX}, got {_describe(value)}",
            )
        return value


def _default_title(layers: tuple[int, ...]) -> str:
    """derive's own title: the sizes when they are few, else their count."""
    sizes = "-".join(map(str, layers))
    if len(layers) <= 8:
        return f"Backpropagation step by step: a {sizes} network"
    return f"Backpropagation step by step: a network of {len(layers)} layers"


def _is_control(char: str) -> bool:
    """A character with no place on a handout (NUL, a bidi override, …); tabs and newlines
    are only spacing, and U+200D (zero-width joiner, in Persian or emoji) shapes text."""
    return char not in "\t\n" and is_control(char)


def _key_hint(key: str, known: tuple[str, ...]) -> str:
    """`; did you mean …?` for a key, from the names people use or from its spelling."""
    alias = KEY_ALIASES.get(key.lower().replace("-", "_"))
    if alias in known:
        return f"; did you mean {alias!r}?"
    return _did_you_mean(key, known)


def _count(n: int, noun: str, plural: str = "") -> str:
    """``1 number``, ``2 numbers``: a count with its noun in the right number."""
    return f"{n} {noun if n == 1 else plural or noun + 's'}"


def _significant_digits(number: Decimal) -> int:
    """How many significant digits a number is written with (``0.0500`` has 1)."""
    digits = "".join(map(str, number.as_tuple().digits)).strip("0")
    return len(digits)


def _short(number: Decimal) -> str:
    """A number as a message shows it: plain, and never thousands of digits long."""
    text = str(number).replace("E", "e")
    return text if len(text) <= 24 else f"{number:.6e}"


def _quote(text: str) -> str:
    """Text from the spec, quoted, cut short if it is long."""
    return repr(text if len(text) <= 60 else text[:57] + "...")


def _describe(value: Any) -> str:
    """A short description of a wrong value for a message: never a Python repr."""
    if isinstance(value, str):
        return f"the text {_quote(value)}"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, list):
        return f"a list of {_count(len(value), 'item')}"
    if isinstance(value, Mapping):
        return "a table"
    if isinstance(value, Decimal | int | float):
        return _short(Decimal(repr(value)) if isinstance(value, float) else Decimal(value))
    return f"a value of type {type(value).__name__}"
