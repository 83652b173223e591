"""How quantities are named on the page: a plain symbol name → a structured `Name`.

Symbols inside derive have plain names (``net_h1``, ``E_total``, ``w5``); each printer turns
a `Name` into its own syntax (LaTeX ``\\mathrm{net}_{h_{1}}``, …). Keeping the names
structured here means every output format writes the same quantity the same way.

Two notations name the same derivation: the classic one of the worked examples
(net_h1, out_o1, w5, E_total, η) and the layered one of the textbooks (z^{(l)}_j,
a^{(l)}_j, w^{(l)}_{jk}, b^{(l)}_j, δ^{(l)}_j = ∂E/∂z^{(l)}_j). A notation is a callable
from a symbol name to a `Name`, with `derivative` naming whole derivatives (δ).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

import sympy as sp

if TYPE_CHECKING:
    from derive.model import SymbolicNetwork

GREEK = ("eta", "delta", "sigma", "alpha")
NOTATIONS = ("classic", "layered")
_NEURON = re.compile(r"^([a-z])(\d+)(?:_(\d+))?$")


@dataclass(frozen=True)
class Index:
    """A neuron or parameter index: letter ``h`` with numbers (1,) or (1, 2), or a word."""

    letter: str
    numbers: tuple[str, ...] = ()


@dataclass(frozen=True)
class Name:
    """A written name: `base` (a letter, a word set upright, or a Greek letter's name),
    an optional subscript index and superscript (``+`` for updated values, ``(2)`` for a
    layer or a sample), and an optional `argument` written after it: f'(z^{(2)})."""

    base: str
    sub: Index | None = None
    sup: str = ""
    argument: Name | None = None

    @property
    def is_word(self) -> bool:
        return len(self.base) > 1 and self.base.isalpha() and self.base not in GREEK

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


def _split_sup(symbol: str) -> tuple[str, str]:
    """w5+ → (w5, +); E_total^(2) → (E_total, (2))."""
    if symbol.endswith("+"):
        return symbol[:-1], "+"
    if symbol.endswith(")") and "^(" in symbol:
        symbol, sample = symbol[:-1].split("^(", 1)
        return symbol, f"({sample})"
    return symbol, ""


@cache
def classic_name(symbol: str) -> Name:
    """The classic notation: net_h1, out_o1, E_total, E_o1, target_o1, w5, b1, i1, η; w5+ → w5⁺."""
    symbol, sup = _split_sup(symbol)
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


class ClassicNotation:
    """net/out, i/h/o, w1..wN, E_total, η — the notation of the classic worked examples."""

    name = "classic"

    def __call__(self, symbol: str) -> Name:
        return classic_name(symbol)

    def derivative(self, expr: sp.Derivative) -> Name | None:
        return None


class LayeredNotation:
    """z^{(l)}_j, a^{(l)}_j, w^{(l)}_{jk}, b^{(l)}_j, y_j, E, δ^{(l)}_j = ∂E/∂z^{(l)}_j.

    Layers are numbered from 1 (the first hidden layer) to L (the output layer); the
    inputs are a^{(0)}_k. The weight w^{(l)}_{jk} runs from neuron k of layer l − 1 to
    neuron j of layer l, so the classic w5 of the 2-2-2 network is w^{(2)}_{11}.
    """

    name = "layered"

    def __init__(self, network: SymbolicNetwork) -> None:
        self.names: dict[str, Name] = {"E_total": Name("E"), "E": Name("E")}
        for layer in network.layers:
            for neuron in layer:
                self._neuron(network, neuron)
        for parameter in network.parameters:
            self._parameter(network, parameter)

    def _neuron(self, network: SymbolicNetwork, neuron) -> None:
        l, j = str(neuron.layer), (str(neuron.index),)
        self.names[neuron.out.name] = Name("a", Index("", j), f"({l})")
        self.names[neuron.name] = Name("a", Index("", j), f"({l})")
        if neuron.net is not None:
            self.names[neuron.net.name] = Name("z", Index("", j), f"({l})")
        if neuron.layer == network.depth:
            self.names[network.target(neuron).name] = Name("y", Index("", j))
            self.names[network.error(neuron).name] = Name("E", Index("", j))

    def _parameter(self, network: SymbolicNetwork, parameter) -> None:
        l = f"({parameter.layer})"
        if parameter.is_weight:
            index = Index("", (str(parameter.destinations[0].index), str(parameter.source.index)))
        elif len(parameter.destinations) == 1:
            index = Index("", (str(parameter.destinations[0].index),))
        else:
            index = None
        self.names[parameter.name] = Name(parameter.name[0], index, l)
        self.names[parameter.name + "+"] = Name(parameter.name[0], index, l + "+")

    def __call__(self, symbol: str) -> Name:
        if symbol in self.names:
            return self.names[symbol]
        base, sup = _split_sup(symbol)
        if base in _VECTORS:
            # whole layers in matrix form: a^{(l)}, f'(z^{(l)}), ∇_{a^{(l)}} E
            return _VECTORS[base](sup)
        if base in self.names and sup.startswith("("):
            # a quantity of one sample: E^{[2]}
            found = self.names[base]
            return Name(found.base, found.sub, f"[{sup[1:-1]}]")
        return classic_name(symbol)

    def derivative(self, expr: sp.Derivative) -> Name | None:
        """∂E/∂z^{(l)}_j is written δ^{(l)}_j."""
        ((variable, _),) = expr.variable_count
        if getattr(expr.expr, "name", None) != "E_total":
            return None
        if not getattr(variable, "name", "").startswith("net_"):
            return None
        z = self.names.get(variable.name)
        # a generic net_j (a derivation written for any output) keeps its classic name
        return None if z is None else Name("delta", z.sub, z.sup)


_VECTORS = {
    "out": lambda sup: Name("a", None, sup),
    "fprime": lambda sup: Name("f'", argument=Name("z", None, sup)),
    "nabla": lambda sup: Name("nabla", argument=Name("a", None, sup)),
}


def notation_for(name: str, network: SymbolicNetwork) -> ClassicNotation | LayeredNotation:
    """The notation called `name` for this network."""
    return LayeredNotation(network) if name == "layered" else ClassicNotation()
