"""The `[exercise]` table of a spec: how the variants of an exercise are drawn (no SymPy).

A lecturer writes, beside the network it starts from::

    [exercise]
    ask = ["net_h1", "dE/dw5", "dE/dw1", "w1+"]   # the questions
    vary = ["weights", "inputs", "targets"]        # what each variant draws anew
    digits = 4                                     # significant digits asked in answers
    grid = 0.05                                    # every drawn value is a multiple of it
    weights = [-0.9, 0.9]                          # the range of each kind of value
    biases = [0.1, 0.9]
    inputs = [0.05, 0.95]
    targets = [0.01, 0.99]
    allow_dead_relu = false

Every key is optional. Values are validated here, once, with located messages, so the
variant generator can assume sensible ranges (low < high, a grid that fits in them).
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from derive.errors import SpecError

#: what `derive exercise --format` writes: sheets and keys, or a quiz (with Markdown sheets)
SHEET_FORMATS = ("md", "html", "tex", "pdf")
QUIZ_FORMATS = ("moodle-xml", "qti")
EXERCISE_FORMATS = (*SHEET_FORMATS, *QUIZ_FORMATS)
#: the kinds of value a variant may draw anew
VARY_KINDS = ("weights", "inputs", "targets", "biases")
SETTINGS_KEYS = ("ask", "vary", "digits", "grid", *VARY_KINDS, "allow_dead_relu")
DEFAULT_RANGES = {
    "weights": (Decimal("-0.9"), Decimal("0.9")),
    "biases": (Decimal("0.1"), Decimal("0.9")),
    "inputs": (Decimal("0.05"), Decimal("0.95")),
    "targets": (Decimal("0.05"), Decimal("0.95")),
}
#: fewer grid points than this in a range cannot give 30 different variants
MIN_GRID_POINTS = 4


@dataclass(frozen=True)
class ExerciseSettings:
    """How to draw the variants of one exercise; see the module docstring."""

    ask: tuple[str, ...] = ()
    vary: tuple[str, ...] = ("weights", "inputs", "targets")
    digits: int = 4
    grid: Decimal = Decimal("0.05")
    ranges: tuple[tuple[str, Decimal, Decimal], ...] = tuple(
        (kind, low, high) for kind, (low, high) in DEFAULT_RANGES.items()
    )
    allow_dead_relu: bool = False

    def range_of(self, kind: str) -> tuple[Decimal, Decimal]:
        for name, low, high in self.ranges:
            if name == kind:
                return low, high
        raise KeyError(kind)


Fail = Callable[[str, str], SpecError]


def exercise_settings(value: Any, fail: Fail) -> ExerciseSettings:
    """Validate the `[exercise]` table; `fail(key, message)` makes the located error."""
    if value is None:
        return ExerciseSettings()
    if not isinstance(value, Mapping):
        raise fail("exercise", "expected a table [exercise] of settings")
    for key in value:
        if key not in SETTINGS_KEYS:
            close = difflib.get_close_matches(key, SETTINGS_KEYS, n=1, cutoff=0.6)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise fail(f"exercise.{key}", f"unknown key{hint} (known: {', '.join(SETTINGS_KEYS)})")
    grid = _positive(value.get("grid", Decimal("0.05")), "exercise.grid", fail)
    ranges = tuple(
        (kind, *_range(value.get(kind, DEFAULT_RANGES[kind]), kind, grid, fail))
        for kind in VARY_KINDS
    )
    return ExerciseSettings(
        ask=_names(value.get("ask", []), "exercise.ask", fail),
        vary=vary_kinds(value.get("vary", list(ExerciseSettings.vary)), "exercise.vary", fail),
        digits=_digits(value.get("digits", 4), fail),
        grid=grid,
        ranges=ranges,
        allow_dead_relu=_flag(value.get("allow_dead_relu", False), fail),
    )


def vary_kinds(value: Any, key: str, fail: Fail) -> tuple[str, ...]:
    """A list of kinds of value to draw anew (also `--vary weights,inputs`)."""
    names = _names(value, key, fail)
    for name in names:
        if name not in VARY_KINDS:
            close = difflib.get_close_matches(name, VARY_KINDS, n=1, cutoff=0.6)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise fail(key, f"unknown kind {name!r}{hint} (known: {', '.join(VARY_KINDS)})")
    if not names:
        raise fail(key, f"expected at least one of {', '.join(VARY_KINDS)}")
    return tuple(dict.fromkeys(names))


def _names(value: Any, key: str, fail: Fail) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise fail(key, 'expected a list of names, e.g. ["net_h1", "dE/dw5"]')
    return tuple(v.strip() for v in value)


def _decimal(value: Any, key: str, fail: Fail) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise fail(key, f"expected a number, got {value!r}")
    number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    if not number.is_finite() or abs(number) > 1000:
        raise fail(key, f"expected a number of magnitude at most 1000, got {value}")
    return number


def _positive(value: Any, key: str, fail: Fail) -> Decimal:
    number = _decimal(value, key, fail)
    if number <= 0:
        raise fail(key, f"expected a number greater than 0, got {number}")
    return number


def _range(value: Any, kind: str, grid: Decimal, fail: Fail) -> tuple[Decimal, Decimal]:
    key = f"exercise.{kind}"
    if not isinstance(value, list | tuple) or len(value) != 2:
        raise fail(key, "expected a range [low, high], e.g. [-0.9, 0.9]")
    low, high = (_decimal(v, f"{key}[{i}]", fail) for i, v in enumerate(value))
    if low >= high:
        raise fail(key, f"expected low < high, got [{low}, {high}]")
    if len(grid_points(low, high, grid)) < MIN_GRID_POINTS:
        raise fail(
            key,
            f"the range [{low}, {high}] holds fewer than {MIN_GRID_POINTS} nonzero "
            f"multiples of the grid {grid}",
        )
    return low, high


def grid_points(low: Decimal, high: Decimal, grid: Decimal) -> list[int]:
    """The k with k·grid in [low, high] and k ≠ 0 (a drawn value is never exactly 0)."""
    first = int((low / grid).to_integral_value(rounding="ROUND_CEILING"))
    last = int((high / grid).to_integral_value(rounding="ROUND_FLOOR"))
    return [k for k in range(first, last + 1) if k != 0]


def _digits(value: Any, fail: Fail) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 12:
        raise fail("exercise.digits", f"expected an integer from 1 to 12, got {value!r}")
    return value


def _flag(value: Any, fail: Fail) -> bool:
    if not isinstance(value, bool):
        raise fail("exercise.allow_dead_relu", f"expected true or false, got {value!r}")
    return value
