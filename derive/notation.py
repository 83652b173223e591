"""How quantities are named on the page: a plain symbol name → a structured `Name`.

Symbols inside derive have plain names (``net_h1``, ``E_total``, ``w5``); each printer turns
a `Name` into its own syntax (LaTeX ``\\mathrm{net}_{h_{1}}``, …). Keeping the names
structured here means every output format writes the same quantity the same way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

GREEK = ("eta", "delta", "sigma", "alpha")
_NEURON = re.compile(r"^([a-z])(\d+)(?:_(\d+))?$")


@dataclass(frozen=True)
class Index:
    """A neuron or parameter index: letter ``h`` with numbers (1,) or (1, 2), or a word."""

    letter: str
    numbers: tuple[str, ...] = ()


@dataclass(frozen=True)
class Name:
    """A written name: `base` (a letter, a word set upright, or a Greek letter's name),
    an optional subscript index and an optional superscript (``+`` for updated values)."""

    base: str
    sub: Index | None = None
    sup: str = ""

    @property
    def is_word(self) -> bool:
        return len(self.base) > 1 and self.base not in GREEK

    @property
    def is_greek(self) -> bool:
        return self.base in GREEK


def parse_index(text: str) -> Index:
    """``h1`` → h with (1,); ``h1_2`` → h with (1, 2); ``5`` → no letter, (5,); ``total`` → word."""
    if text.isdigit():
        return Index("", (text,))
    match = _NEURON.match(text)
    if match:
        return Index(match[1], tuple(n for n in match.groups()[1:] if n))
    return Index(text)


@cache
def classic_name(symbol: str) -> Name:
    """The classic notation: net_h1, out_o1, E_total, E_o1, target_o1, w5, b1, i1, η; w5+ → w5⁺."""
    sup = ""
    if symbol.endswith("+"):
        symbol, sup = symbol[:-1], "+"
    elif symbol.endswith(")") and "^(" in symbol:
        # a quantity of one sample: E_total^(2)
        symbol, sample = symbol[:-1].split("^(")
        sup = f"({sample})"
    if symbol in GREEK:
        return Name(symbol, None, sup)
    match = _NEURON.match(symbol)
    if match:
        numbers = tuple(n for n in match.groups()[1:] if n)
        return Name(match[1], Index("", numbers), sup)
    if "_" in symbol:
        base, index = symbol.split("_", 1)
        return Name(base, parse_index(index), sup)
    return Name(symbol, None, sup)
