"""Spec → symbolic network: named SymPy symbols and one local equation per quantity.

    net_j   = Σ_k w_jk · out_k + b · 1      (out_k = i_k for the input layer)
    out_j   = f(net_j)
    E_ok    = ℓ(target_ok, out_ok)
    E_total = Σ_k E_ok

Equations are kept in the written (unevaluated) order; names follow the classic notation
of the design notes: neurons i1.., h1.. (h1_1, h2_1, … with several hidden layers), o1..;
weights w1..wN layer by layer, destination neuron first, then source; biases b1..
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property

import sympy as sp
from sympy import Expr, Symbol

from derive.activations import ACTIVATIONS, Activation
from derive.expr import ONE, add, evaluated, mul
from derive.losses import LOSSES, Loss
from derive.spec import NetworkSpec

E_TOTAL = Symbol("E_total")
ETA = Symbol("eta")


@dataclass(frozen=True)
class Neuron:
    """One neuron; input neurons have no net input and their `out` is the input itself."""

    name: str
    layer: int
    index: int
    out: Symbol
    net: Symbol | None

    @property
    def is_input(self) -> bool:
        return self.net is None

    def __repr__(self) -> str:
        return f"Neuron({self.name})"


@dataclass(frozen=True)
class Parameter:
    """A weight or a bias: what gradient descent changes.

    A weight joins `source` to its single destination; a shared bias feeds every neuron
    of its layer, so `destinations` may hold several neurons.
    """

    name: str
    kind: str
    layer: int
    destinations: tuple[Neuron, ...]
    source: Neuron | None
    value: Decimal

    @cached_property
    def symbol(self) -> Symbol:
        return Symbol(self.name)

    @property
    def is_weight(self) -> bool:
        return self.kind == "weight"

    def __repr__(self) -> str:
        return f"Parameter({self.name} = {self.value})"


@dataclass(frozen=True)
class SymbolicNetwork:
    """The network as symbols and local equations, plus the spec it came from."""

    spec: NetworkSpec
    layers: tuple[tuple[Neuron, ...], ...]
    parameters: tuple[Parameter, ...]
    net_inputs: Mapping[Symbol, Expr]
    outputs: Mapping[Symbol, Expr]
    error_terms: Mapping[Symbol, Expr]
    total: Expr

    @property
    def inputs(self) -> tuple[Neuron, ...]:
        return self.layers[0]

    @property
    def output_layer(self) -> tuple[Neuron, ...]:
        return self.layers[-1]

    @property
    def depth(self) -> int:
        """Number of layers with weights into them (hidden layers + output layer)."""
        return len(self.layers) - 1

    def neurons(self) -> Iterator[Neuron]:
        """Every neuron that computes something, layer by layer from the input side."""
        for layer in self.layers[1:]:
            yield from layer

    def activation(self, layer: int) -> Activation:
        return ACTIVATIONS[self.spec.activations[layer - 1]]

    @property
    def loss(self) -> Loss:
        return LOSSES[self.spec.loss]

    def target(self, neuron: Neuron) -> Symbol:
        return Symbol(f"target_{neuron.name}")

    def error(self, neuron: Neuron) -> Symbol:
        return Symbol(f"E_{neuron.name}")

    @cached_property
    def incoming(self) -> Mapping[Neuron, tuple[Parameter, ...]]:
        """The parameters in each neuron's net input, in the order they are written."""
        table: dict[Neuron, list[Parameter]] = {n: [] for n in self.neurons()}
        for parameter in self.parameters:
            for neuron in parameter.destinations:
                table[neuron].append(parameter)
        return {n: tuple(ps) for n, ps in table.items()}

    @cached_property
    def evaluated_net_inputs(self) -> Mapping[Symbol, Expr]:
        """The net-input equations as ordinary SymPy sums, ready to differentiate."""
        return {net: evaluated(expr) for net, expr in self.net_inputs.items()}

    @cached_property
    def net_terms(self) -> Mapping[Symbol, Mapping[Symbol, tuple[Expr, ...]]]:
        """For each net input, each symbol in it → the terms of its sum that contain it.

        ∂net_j/∂x needs only the terms with x in them (w_jk · out_k for w_jk or out_k);
        finding them by scanning the whole sum for every x would cost fan-in² per neuron.
        """
        table: dict[Symbol, dict[Symbol, list[Expr]]] = {}
        for net, expr in self.evaluated_net_inputs.items():
            index: dict[Symbol, list[Expr]] = {}
            for term in sp.Add.make_args(expr):
                for symbol in term.free_symbols:
                    index.setdefault(symbol, []).append(term)
            table[net] = index
        return {net: {s: tuple(ts) for s, ts in index.items()} for net, index in table.items()}

    @cached_property
    def by_name(self) -> Mapping[str, Parameter]:
        return {p.name: p for p in self.parameters}


def build_network(spec: NetworkSpec) -> SymbolicNetwork:
    """Name every neuron and parameter of `spec` and write its local equations."""
    layers = _neurons(spec.layers)
    parameters = (*_weights(spec, layers), *_biases(spec, layers))
    network = SymbolicNetwork(spec, layers, parameters, {}, {}, {}, sp.S.Zero)
    net_inputs = {n.net: _net_input(network, n) for n in network.neurons()}
    outputs = {}
    for layer in layers[1:]:
        nets = tuple(n.net for n in layer)
        for n in layer:
            outputs[n.out] = network.activation(n.layer).definition(n.net, nets)
    n_out = len(network.output_layer)
    loss = network.loss
    error_terms = {
        network.error(o): loss.term(network.target(o), o.out, n_out) for o in network.output_layer
    }
    total = add(*error_terms)
    return SymbolicNetwork(spec, layers, parameters, net_inputs, outputs, error_terms, total)


def neuron_name(layer: int, index: int, sizes: tuple[int, ...]) -> str:
    """i1.. for inputs, o1.. for outputs, h1.. (or h1_1, h2_1, … with ≥ 2 hidden layers)."""
    if layer == 0:
        return f"i{index}"
    if layer == len(sizes) - 1:
        return f"o{index}"
    return f"h{index}" if len(sizes) == 3 else f"h{layer}_{index}"


def _neurons(sizes: tuple[int, ...]) -> tuple[tuple[Neuron, ...], ...]:
    layers = []
    for layer, size in enumerate(sizes):
        row = []
        for index in range(1, size + 1):
            name = neuron_name(layer, index, sizes)
            if layer == 0:
                row.append(Neuron(name, 0, index, Symbol(name), None))
            else:
                row.append(Neuron(name, layer, index, Symbol(f"out_{name}"), Symbol(f"net_{name}")))
        layers.append(tuple(row))
    return tuple(layers)


def _weights(spec: NetworkSpec, layers: tuple[tuple[Neuron, ...], ...]) -> list[Parameter]:
    """w1..wN: layer by layer from the input side, destination neuron first, then source."""
    weights = []
    for l, matrix in enumerate(spec.weights):
        for j, row in enumerate(matrix):
            for k, value in enumerate(row):
                name = f"w{len(weights) + 1}"
                weights.append(
                    Parameter(name, "weight", l + 1, (layers[l + 1][j],), layers[l][k], value)
                )
    return weights


def _biases(spec: NetworkSpec, layers: tuple[tuple[Neuron, ...], ...]) -> list[Parameter]:
    """b1..bL (one per layer) when shared, b1..bM in neuron order when per neuron."""
    biases = []
    for l, values in enumerate(spec.biases):
        layer = layers[l + 1]
        groups = [layer] if spec.bias == "shared" else [(n,) for n in layer]
        for neurons, value in zip(groups, values, strict=True):
            biases.append(
                Parameter(f"b{len(biases) + 1}", "bias", l + 1, tuple(neurons), None, value)
            )
    return biases


def _net_input(network: SymbolicNetwork, neuron: Neuron) -> Expr:
    # net_j = w_j1 · out_1 + … + w_jn · out_n + b · 1
    terms = []
    for p in network.incoming[neuron]:
        terms.append(mul(p.symbol, p.source.out) if p.is_weight else mul(p.symbol, ONE))
    return add(*terms)
