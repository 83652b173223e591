"""Symbolic network → the chain-rule records of backpropagation.

Every record is a rewrite ``label → expression``: its `label` is a derivative such as
∂E_total/∂w5 and its `expression` is written in other records' labels and the network's
quantities, so a record's value is recomputed by evaluating its expression once the
values of what it refers to are known. Records are produced in dependency order:

    LocalDerivative    ∂a/∂b → closed form        (SymPy differentiates a's local equation)
    Sensitivity        ∂E_total/∂out_j → ∂E_j/∂out_j                          (output layer)
                       ∂E_total/∂out_j → Σ_k ∂E_total/∂net_k · ∂net_k/∂out_j  (hidden layers)
    Delta              ∂E_total/∂net_j → ∂E_total/∂out_j · ∂out_j/∂net_j
    Gradient           ∂E_total/∂p → Σ_j ∂E_total/∂out_j · ∂out_j/∂net_j · ∂net_j/∂p

Hidden layers reuse the deltas of the layer above; nothing is ever re-expanded, so the
work grows with the number of parameters.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property, lru_cache

import sympy as sp
from sympy import Derivative, Expr, Symbol

from derive.activations import DerivativeIdentity, derivative_identity
from derive.expr import add, mul, substitute
from derive.losses import LossIdentity, loss_identity
from derive.model import E_TOTAL, Neuron, Parameter, SymbolicNetwork


def partial(of: Symbol, wrt: Symbol) -> Derivative:
    """The unevaluated ∂of/∂wrt, used as the name of a quantity."""
    return Derivative(of, wrt)


@dataclass(frozen=True)
class LocalDerivative:
    """∂of/∂wrt → closed_form, obtained by differentiating the local equation of `of`.

    `kind` says which local equation: ``loss`` (E_k = ℓ(target, out)), ``activation``
    (out = f(net)), ``weight``/``bias`` (∂net/∂parameter) or ``input`` (∂net_k/∂out_j).
    """

    of: Symbol
    wrt: Symbol
    kind: str
    equation: Expr
    closed_form: Expr

    @cached_property
    def label(self) -> Derivative:
        return partial(self.of, self.wrt)

    @cached_property
    def expression(self) -> Expr:
        return self.closed_form

    def __repr__(self) -> str:
        return f"{self.label} → {self.closed_form}"


@dataclass(frozen=True)
class Delta:
    """∂E_total/∂net_j → Σ_k ∂E_total/∂out_k · ∂out_k/∂net_j (the neuron's error signal δ_j).

    For an elementwise activation only out_j depends on net_j and the sum has the one
    term ∂E_total/∂out_j · ∂out_j/∂net_j; for softmax every output of the layer does.
    `own_error` is E_j for an elementwise output neuron (only E_j depends on net_j, so
    ∂E_total/∂net_j = ∂E_j/∂net_j, as the classic example writes it), E_total otherwise.
    """

    neuron: Neuron
    terms: tuple[tuple[Sensitivity, LocalDerivative], ...]
    own_error: Symbol

    @property
    def elementwise(self) -> bool:
        return len(self.terms) == 1 and self.terms[0][0].neuron == self.neuron

    @property
    def sensitivity(self) -> Sensitivity:
        """∂E_total/∂out_j (of an elementwise neuron)."""
        return self.terms[0][0]

    @property
    def activation(self) -> LocalDerivative:
        """∂out_j/∂net_j (of an elementwise neuron)."""
        return self.terms[0][1]

    @cached_property
    def label(self) -> Derivative:
        return partial(E_TOTAL, self.neuron.net)

    @cached_property
    def own_label(self) -> Derivative:
        return partial(self.own_error, self.neuron.net)

    @cached_property
    def expression(self) -> Expr:
        return add(*(mul(s.label, a.label) for s, a in self.terms))

    def __repr__(self) -> str:
        return f"{self.label} → {self.expression}"


@dataclass(frozen=True)
class Sensitivity:
    """∂E_total/∂out_j: the loss derivative for an output, a sum over the layer above otherwise.

    Output neuron:  ∂E_total/∂out_j → ∂E_j/∂out_j
    Hidden neuron:  ∂E_total/∂out_j → Σ_k ∂E_total/∂net_k · ∂net_k/∂out_j  (original weights)
    """

    neuron: Neuron
    loss: LocalDerivative | None
    terms: tuple[tuple[Delta, LocalDerivative], ...]

    @cached_property
    def label(self) -> Derivative:
        return partial(E_TOTAL, self.neuron.out)

    @cached_property
    def expression(self) -> Expr:
        if self.loss is not None:
            return self.loss.label
        return add(*(mul(delta.label, link.label) for delta, link in self.terms))

    def term_label(self, delta: Delta) -> Derivative | None:
        """∂E_k/∂out_j for the term through output k (None for deeper layers)."""
        if delta.own_error == E_TOTAL:
            return None
        return partial(delta.own_error, self.neuron.out)

    def __repr__(self) -> str:
        return f"{self.label} → {self.expression}"


@dataclass(frozen=True)
class Gradient:
    """∂E_total/∂p → Σ_j ∂E_total/∂out_j · ∂out_j/∂net_j · ∂net_j/∂p over the neurons p feeds.

    A weight or a per-neuron bias feeds one neuron, so the sum has one term; a shared
    bias feeds its whole layer.
    """

    parameter: Parameter
    paths: tuple[tuple[Delta, LocalDerivative], ...]

    @cached_property
    def label(self) -> Derivative:
        return partial(E_TOTAL, self.parameter.symbol)

    def chain(self, delta: Delta, link: LocalDerivative) -> tuple[Derivative, ...]:
        """The factors of one path, in the order the chain rule is written.

        ∂E/∂out_j · ∂out_j/∂net_j · ∂net_j/∂p for an elementwise neuron, and
        ∂E/∂net_j · ∂net_j/∂p when net_j reaches the error through every output (softmax).
        """
        if delta.elementwise:
            return (delta.sensitivity.label, delta.activation.label, link.label)
        return (delta.label, link.label)

    @cached_property
    def expression(self) -> Expr:
        return add(*(mul(*self.chain(delta, link)) for delta, link in self.paths))

    def __repr__(self) -> str:
        return f"{self.label} → {self.expression}"


Record = LocalDerivative | Sensitivity | Delta | Gradient


@dataclass(frozen=True)
class Derivation:
    """Every chain-rule record of one network, each after the records it depends on."""

    network: SymbolicNetwork
    activations: dict[int, DerivativeIdentity]
    loss: LossIdentity
    sensitivities: dict[Neuron, Sensitivity]
    deltas: dict[Neuron, Delta]
    gradients: tuple[Gradient, ...]

    @cached_property
    def records(self) -> tuple[Record, ...]:
        ordered: list[Record] = []
        for layer in reversed(self.network.layers[1:]):
            for neuron in layer:
                sensitivity = self.sensitivities[neuron]
                if sensitivity.loss is not None:
                    ordered.append(sensitivity.loss)
                ordered.extend(link for _, link in sensitivity.terms)
                ordered.append(sensitivity)
            for neuron in layer:
                delta = self.deltas[neuron]
                ordered.extend(local for _, local in delta.terms)
                ordered.append(delta)
        for gradient in self.gradients:
            ordered.extend(link for _, link in gradient.paths)
            ordered.append(gradient)
        return tuple(ordered)

    @cached_property
    def gradient_of(self) -> dict[str, Gradient]:
        return {g.parameter.name: g for g in self.gradients}


def derive(network: SymbolicNetwork) -> Derivation:
    """Build the records of backpropagation for `network`, output layer first."""
    identities = {
        l: derivative_identity(network.spec.activations[l - 1])
        for l in range(1, len(network.layers))
    }
    loss = loss_identity(network.spec.loss, len(network.output_layer))
    sensitivities: dict[Neuron, Sensitivity] = {}
    deltas: dict[Neuron, Delta] = {}
    for layer_index in range(len(network.layers) - 1, 0, -1):
        identity = identities[layer_index]
        layer = network.layers[layer_index]
        for neuron in layer:
            sensitivities[neuron] = _sensitivity(network, neuron, loss, deltas)
        for neuron in layer:
            deltas[neuron] = _delta(network, neuron, identity, sensitivities)
    gradients = tuple(_gradient(network, p, deltas) for p in network.parameters)
    return Derivation(network, identities, loss, sensitivities, deltas, gradients)


def _sensitivity(
    network: SymbolicNetwork, neuron: Neuron, loss: LossIdentity, deltas: dict[Neuron, Delta]
) -> Sensitivity:
    if neuron.layer == network.depth:
        error = network.error(neuron)
        target = network.target(neuron)
        closed = substitute(loss.closed_form, {loss.target: target, loss.out: neuron.out})
        term = network.error_terms[error]
        return Sensitivity(neuron, LocalDerivative(error, neuron.out, "loss", term, closed), ())
    terms = []
    for downstream in network.layers[neuron.layer + 1]:
        link = _net_derivative(network, downstream, neuron.out, "input")
        terms.append((deltas[downstream], link))
    return Sensitivity(neuron, None, tuple(terms))


def _delta(
    network: SymbolicNetwork,
    neuron: Neuron,
    identity: DerivativeIdentity,
    sensitivities: dict[Neuron, Sensitivity],
) -> Delta:
    activation = identity.activation
    if activation.elementwise:
        local = _activation_derivative(network, neuron, neuron, identity)
        own = network.error(neuron) if neuron.layer == network.depth else E_TOTAL
        return Delta(neuron, ((sensitivities[neuron], local),), own)
    terms = tuple(
        (sensitivities[k], _activation_derivative(network, k, neuron, identity))
        for k in network.layers[neuron.layer]
    )
    return Delta(neuron, terms, E_TOTAL)


def _activation_derivative(
    network: SymbolicNetwork, of: Neuron, wrt: Neuron, identity: DerivativeIdentity
) -> LocalDerivative:
    # ∂out_j/∂net_j = f'(net_j), written in out_j by the proved identity;
    # softmax: ∂out_k/∂net_j = out_k (δ_kj − out_j)
    activation = identity.activation
    if activation.elementwise:
        closed = substitute(identity.closed_form, {identity.out: of.out, identity.net: of.net})
    else:
        closed = activation.jacobian(of.out, wrt.out, of == wrt)
    return LocalDerivative(of.out, wrt.net, "activation", network.outputs[of.out], closed)


def _net_derivative(
    network: SymbolicNetwork, neuron: Neuron, wrt: Symbol, kind: str
) -> LocalDerivative:
    # net_j is linear: ∂net_j/∂w_jk = out_k, ∂net_j/∂out_k = w_jk, ∂net_j/∂b = 1.
    # The derivative of a sum is the sum of the terms' derivatives; terms without `wrt`
    # contribute 0, so only the terms that contain it (looked up, not searched) are
    # differentiated.
    equation = network.net_inputs[neuron.net]
    terms = network.net_terms[neuron.net].get(wrt, ())
    closed = sp.Add(*(_term_derivative(t, wrt) for t in terms))
    return LocalDerivative(neuron.net, wrt, kind, equation, closed)


def _gradient(
    network: SymbolicNetwork, parameter: Parameter, deltas: dict[Neuron, Delta]
) -> Gradient:
    paths = tuple(
        (deltas[n], _net_derivative(network, n, parameter.symbol, parameter.kind))
        for n in parameter.destinations
    )
    return Gradient(parameter, paths)


def _term_derivative(term: Expr, wrt: Symbol) -> Expr:
    """∂term/∂wrt, derived by SymPy once per form (w·x by w, w·x by x, b by b) and then
    instantiated: a net input of a wide layer has thousands of terms of the same form."""
    symbols = sorted(term.free_symbols, key=str)
    generic = {s: _GENERIC[i] for i, s in enumerate(symbols)}
    back = {g: s for s, g in generic.items()}
    return _form_derivative(term.xreplace(generic), generic[wrt]).xreplace(back)


_GENERIC = sp.symbols("a0:8")


@lru_cache(maxsize=64)
def _form_derivative(form: Expr, wrt: Symbol) -> Expr:
    return sp.diff(form, wrt)
