"""Training step → the format-free document model of a walkthrough.

A document is an ordered tree of plain records (sections → steps), each step an
`Equation` ``lhs = form₁ = form₂ = … = value`` whose forms go from the symbolic definition
to the same formula with the numbers in. Forms are SymPy expressions in written order;
values are high-precision numbers. Wording and layout belong to the templates, and
rounding to the printers, so one document renders to every format.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import sympy as sp
from sympy import Derivative, Expr, Symbol

from derive.activations import DerivativeIdentity
from derive.expr import add, mul, sub, substitute
from derive.losses import LossIdentity
from derive.model import E_TOTAL, ETA, Parameter, SymbolicNetwork
from derive.numeric import PRECISION, Evaluation, TrainingStep, Value, evaluate
from derive.steps import Delta, Gradient, LocalDerivative, Sensitivity, partial
from derive.version import __version__

DETAILS = ("full", "summary")


@dataclass(frozen=True)
class Equation:
    """lhs = forms[0] = forms[1] = … = value (value None for a purely symbolic line)."""

    lhs: Expr
    forms: tuple[Expr, ...] = ()
    value: Value | None = None


@dataclass(frozen=True)
class WeightRow:
    parameter: Symbol
    source: Symbol
    destination: Symbol
    value: Value


@dataclass(frozen=True)
class BiasRow:
    parameter: Symbol
    destinations: tuple[Symbol, ...]
    value: Value


@dataclass(frozen=True)
class LayerInfo:
    """One layer: its number (0 = inputs), its neurons and its activation's name."""

    number: int
    kind: str
    neurons: tuple[Symbol, ...]
    activation: str = ""
    activation_title: str = ""


@dataclass(frozen=True)
class Overview:
    """The network as given: layers, inputs, targets, weights, biases, η."""

    sizes: tuple[int, ...]
    layers: tuple[LayerInfo, ...]
    inputs: tuple[Equation, ...]
    targets: tuple[Equation, ...]
    weights: tuple[WeightRow, ...]
    biases: tuple[BiasRow, ...]
    learning_rate: Equation
    loss: str
    loss_title: str
    bias_mode: str
    update_biases: bool
    error_total: Equation


@dataclass(frozen=True)
class NeuronForward:
    """net_j = Σ w·out + b = … and out_j = f(net_j) = …"""

    neuron: Symbol
    net: Equation
    out: Equation


@dataclass(frozen=True)
class LayerForward:
    info: LayerInfo
    neurons: tuple[NeuronForward, ...]


@dataclass(frozen=True)
class ErrorStep:
    """Each output's error term, then their sum E_total."""

    terms: tuple[Equation, ...]
    total: Equation


@dataclass(frozen=True)
class ForwardPass:
    layers: tuple[LayerForward, ...]
    errors: ErrorStep


@dataclass(frozen=True)
class IdentityStep:
    """A local derivative worked out once: the equation it comes from, SymPy's result, the
    rewriting to the closed form used from then on."""

    kind: str
    title: str
    definition: Equation
    raw: Expr
    derivation: Equation


@dataclass(frozen=True)
class HiddenTerm:
    """One output's share of ∂E_total/∂out_h: its delta, then delta · (original) weight."""

    delta: Equation
    term: Equation
    weight: Symbol


@dataclass(frozen=True)
class HiddenSum:
    """∂E_total/∂out_h = Σ_k ∂E_k/∂out_h, each term worked out."""

    total: Equation
    terms: tuple[HiddenTerm, ...]


@dataclass(frozen=True)
class Factor:
    """One factor of a chain rule: its closed form and value, and where it comes from.

    `source` is the local equation it is the derivative of; `seen_at` names the parameter
    under which the same factor was first worked out (None: it is worked out here).
    """

    kind: str
    equation: Equation
    source: Equation | None = None
    hidden: HiddenSum | None = None
    seen_at: Symbol | None = None


@dataclass(frozen=True)
class ParameterStep:
    """Everything about one parameter: chain, factors, product, update."""

    parameter: Symbol
    kind: str
    source: Symbol | None
    destinations: tuple[Symbol, ...]
    chain: Equation
    paths: tuple[tuple[Factor, ...], ...]
    product: Equation
    update: Equation | None


@dataclass(frozen=True)
class BackwardLayer:
    info: LayerInfo
    is_output: bool
    steps: tuple[ParameterStep, ...]
    omitted: tuple[Symbol, ...]
    fixed: tuple[Symbol, ...]
    downstream_weights: tuple[Symbol, ...]


@dataclass(frozen=True)
class SummaryRow:
    parameter: Symbol
    old: Value
    gradient: Value
    new: Value
    updated: bool


@dataclass(frozen=True)
class AfterUpdate:
    forward: ForwardPass
    before: Value
    after: Value
    change: Value
    relative: Value


@dataclass(frozen=True)
class Document:
    """A whole walkthrough, in reading order."""

    title: str
    source: str
    version: str
    precision: int
    digits: int
    detail: str
    overview: Overview
    forward: ForwardPass
    identities: tuple[IdentityStep, ...]
    backward: tuple[BackwardLayer, ...]
    summary: tuple[SummaryRow, ...]
    after: AfterUpdate
    verification: object | None = None
    notes: tuple[str, ...] = field(default=())


def build_document(
    step: TrainingStep,
    *,
    detail: str = "full",
    digits: int | None = None,
    verification: object | None = None,
) -> Document:
    """Lay out one training step as a walkthrough, in the order of the classic example."""
    builder = _Builder(step)
    network = step.network
    return Document(
        title=network.spec.title,
        source=network.spec.source,
        version=__version__,
        precision=PRECISION,
        digits=digits or network.spec.digits,
        detail=detail,
        overview=builder.overview(),
        forward=builder.forward_pass(builder.before, updated=False),
        identities=builder.identities(),
        backward=builder.backward(detail),
        summary=builder.summary(),
        after=builder.after_update(),
        verification=verification,
    )


class _Numbers:
    """The values of one evaluation as SymPy numbers, for writing formulas with numbers in."""

    def __init__(self, evaluation: Evaluation) -> None:
        self.evaluation = evaluation

    @cached_property
    def floats(self) -> dict[Expr, sp.Float]:
        return {k: _float(v) for k, v in self.evaluation.values.items()}

    def equation(self, lhs: Expr, *definitions: Expr) -> Equation:
        """lhs = definitions… = the definition with numbers in = value."""
        last = definitions[-1] if definitions else lhs
        value = evaluate(last, self.evaluation.values)
        forms = [d for d in definitions if not isinstance(d, sp.Number)]
        symbolic = last.free_symbols or last.atoms(Derivative)
        if symbolic and not isinstance(last, Symbol | Derivative):
            forms.append(substitute(last, self.floats))
        return Equation(lhs, tuple(forms), value)


def _float(value: Value) -> sp.Float:
    return sp.Float(value, 50)


class _Builder:
    """Builds the sections of a `Document` from one `TrainingStep`."""

    def __init__(self, step: TrainingStep) -> None:
        self.step = step
        self.network: SymbolicNetwork = step.network
        self.derivation = step.derivation
        self.before = _Numbers(step.before[0])
        after = step.after[0].values
        renamed = {new: after[old] for old, new in self.updated_symbols().items()}
        self.after = _Numbers(Evaluation({**after, **renamed}))

    # -- the network --------------------------------------------------------------------
    def layer_info(self, number: int) -> LayerInfo:
        neurons = tuple(Symbol(n.name) for n in self.network.layers[number])
        if number == 0:
            return LayerInfo(0, "input", neurons)
        kind = "output" if number == self.network.depth else "hidden"
        activation = self.network.activation(number)
        return LayerInfo(number, kind, neurons, activation.name, activation.title)

    def overview(self) -> Overview:
        network, values = self.network, self.step.before[0]
        weights = tuple(
            WeightRow(
                p.symbol, Symbol(p.source.name), Symbol(p.destinations[0].name), values[p.symbol]
            )
            for p in network.parameters
            if p.is_weight
        )
        biases = tuple(
            BiasRow(p.symbol, tuple(Symbol(n.name) for n in p.destinations), values[p.symbol])
            for p in network.parameters
            if not p.is_weight
        )
        return Overview(
            sizes=network.spec.layers,
            layers=tuple(self.layer_info(l) for l in range(len(network.layers))),
            inputs=tuple(Equation(n.out, (), values[n.out]) for n in network.inputs),
            targets=tuple(
                Equation(network.target(o), (), values[network.target(o)])
                for o in network.output_layer
            ),
            weights=weights,
            biases=biases,
            learning_rate=Equation(ETA, (), values[ETA]),
            loss=network.loss.name,
            loss_title=network.loss.title,
            bias_mode=network.spec.bias,
            update_biases=network.spec.update_biases,
            error_total=Equation(E_TOTAL, (network.total, self.total_expanded())),
        )

    def total_expanded(self) -> Expr:
        """E_total with each output's term written out."""
        return add(*self.network.error_terms.values())

    # -- forward pass -------------------------------------------------------------------
    def forward_pass(self, numbers: _Numbers, *, updated: bool) -> ForwardPass:
        renames = self.updated_symbols() if updated else {}
        layers = []
        for number in range(1, len(self.network.layers)):
            neurons = tuple(
                NeuronForward(
                    Symbol(n.name),
                    numbers.equation(n.net, substitute(self.network.net_inputs[n.net], renames)),
                    numbers.equation(n.out, self.network.outputs[n.out]),
                )
                for n in self.network.layers[number]
            )
            layers.append(LayerForward(self.layer_info(number), neurons))
        terms = tuple(numbers.equation(e, t) for e, t in self.network.error_terms.items())
        total = numbers.equation(E_TOTAL, self.network.total)
        return ForwardPass(tuple(layers), ErrorStep(terms, total))

    def updated_symbols(self) -> dict[Symbol, Symbol]:
        return {
            p.symbol: Symbol(p.name + "+")
            for p in self.network.parameters
            if self.step.is_updated(p.name)
        }

    # -- the local derivatives, once ------------------------------------------------------------
    def identities(self) -> tuple[IdentityStep, ...]:
        loss = self.derivation.loss
        steps = [self.loss_identity(loss)]
        seen = set()
        for identity in self.derivation.activations.values():
            if identity.activation.name not in seen:
                seen.add(identity.activation.name)
                steps.append(self.activation_identity(identity))
        return tuple(steps)

    def loss_identity(self, identity: LossIdentity) -> IdentityStep:
        error = Symbol("E")
        return IdentityStep(
            "loss",
            identity.loss.title,
            Equation(error, (identity.term,)),
            identity.raw,
            Equation(partial(error, identity.out), (*identity.steps, identity.closed_form)),
        )

    def activation_identity(self, identity: DerivativeIdentity) -> IdentityStep:
        return IdentityStep(
            "activation",
            identity.activation.title,
            Equation(identity.out, (identity.definition,)),
            identity.raw,
            Equation(
                partial(identity.out, identity.net),
                (identity.raw, *identity.steps, identity.closed_form),
            ),
        )

    # -- backward pass ------------------------------------------------------------------
    def backward(self, detail: str) -> tuple[BackwardLayer, ...]:
        layers = []
        worked: dict[Expr, Symbol] = {}
        for number in range(self.network.depth, 0, -1):
            params = [g for g in self.derivation.gradients if g.parameter.layer == number]
            updated = [g for g in params if self.step.is_updated(g.parameter.name)]
            shown = updated[:1] if detail == "summary" else updated
            steps = tuple(self.parameter_step(g, worked) for g in shown)
            omitted = tuple(g.parameter.symbol for g in updated if g not in shown)
            fixed = tuple(g.parameter.symbol for g in params if g not in updated)
            downstream = (
                ()
                if number == self.network.depth
                else tuple(
                    p.symbol
                    for p in self.network.parameters
                    if p.is_weight and p.layer == number + 1
                )
            )
            layers.append(
                BackwardLayer(
                    self.layer_info(number),
                    number == self.network.depth,
                    steps,
                    omitted,
                    fixed,
                    downstream,
                )
            )
        return tuple(layers)

    def parameter_step(self, gradient: Gradient, worked: dict[Expr, Symbol]) -> ParameterStep:
        parameter = gradient.parameter
        numbers = self.before
        paths = tuple(self.path(parameter, delta, link, worked) for delta, link in gradient.paths)
        values = add(
            *(mul(*(numbers.floats[f] for f in gradient.chain(d, l))) for d, l in gradient.paths)
        )
        product = Equation(gradient.label, (values,), numbers.evaluation[gradient.label])
        return ParameterStep(
            parameter.symbol,
            parameter.kind,
            Symbol(parameter.source.name) if parameter.source else None,
            tuple(Symbol(n.name) for n in parameter.destinations),
            Equation(gradient.label, (gradient.expression,)),
            paths,
            product,
            self.update(parameter, gradient),
        )

    def update(self, parameter: Parameter, gradient: Gradient) -> Equation | None:
        if not self.step.is_updated(parameter.name):
            return None
        # p⁺ = p − η · ∂E_total/∂p
        rule = sub(parameter.symbol, mul(ETA, gradient.label))
        numbers = substitute(rule, self.before.floats)
        return Equation(
            Symbol(parameter.name + "+"), (rule, numbers), self.step.updated[parameter.name]
        )

    def path(
        self, parameter: Parameter, delta: Delta, link: LocalDerivative, worked: dict[Expr, Symbol]
    ) -> tuple[Factor, ...]:
        return (
            self.sensitivity_factor(delta.sensitivity, parameter, worked),
            self.local_factor(delta.activation, parameter, worked),
            self.local_factor(link, parameter, worked),
        )

    def _first(
        self, label: Expr, parameter: Parameter, worked: dict[Expr, Symbol]
    ) -> Symbol | None:
        """None the first time a factor is met (worked out in full), else where it was."""
        if label in worked:
            return worked[label]
        worked[label] = parameter.symbol
        return None

    def local_factor(
        self, local: LocalDerivative, parameter: Parameter, worked: dict[Expr, Symbol]
    ) -> Factor:
        seen = self._first(local.label, parameter, worked)
        if seen is not None:
            return self.seen_factor(local.kind, local.label, seen)
        equation = self.before.equation(local.label, local.closed_form)
        return Factor(local.kind, equation, Equation(local.of, (local.equation,)))

    def seen_factor(self, kind: str, label: Expr, seen: Symbol) -> Factor:
        """A factor already worked out under parameter `seen`: its value, by reference."""
        return Factor(kind, Equation(label, (), self.before.evaluation[label]), seen_at=seen)

    def sensitivity_factor(
        self, sensitivity: Sensitivity, parameter: Parameter, worked: dict[Expr, Symbol]
    ) -> Factor:
        kind = "loss" if sensitivity.loss is not None else "hidden"
        seen = self._first(sensitivity.label, parameter, worked)
        if seen is not None:
            return self.seen_factor(kind, sensitivity.label, seen)
        if sensitivity.loss is None:
            return Factor(kind, self.hidden_total(sensitivity), hidden=self.hidden_sum(sensitivity))
        loss = sensitivity.loss
        equation = self.before.equation(sensitivity.label, loss.label, loss.closed_form)
        return Factor(kind, equation, Equation(E_TOTAL, (self.total_expanded(),)))

    def hidden_total(self, sensitivity: Sensitivity) -> Equation:
        # ∂E_total/∂out_h = Σ_k ∂E_k/∂out_h
        v = self.before.evaluation
        labels = [_term_lhs(sensitivity, d, link) for d, link in sensitivity.terms]
        values = [_float(v[d.label] * v[link.label]) for d, link in sensitivity.terms]
        return Equation(sensitivity.label, (add(*labels), add(*values)), v[sensitivity.label])

    def hidden_sum(self, sensitivity: Sensitivity) -> HiddenSum:
        f, v = self.before.floats, self.before.evaluation
        terms = []
        for delta, link in sensitivity.terms:
            # ∂E_k/∂net_k = ∂E_k/∂out_k · ∂out_k/∂net_k
            head, own = delta.own_label, _own(delta.sensitivity)
            delta_eq = Equation(
                head,
                (mul(own, delta.activation.label), mul(f[own], f[delta.activation.label])),
                v[head],
            )
            # ∂E_k/∂out_h = ∂E_k/∂net_k · ∂net_k/∂out_h = ∂E_k/∂net_k · w
            forms = (
                mul(head, link.label),
                mul(head, link.closed_form),
                mul(f[head], f[link.label]),
            )
            lhs = _term_lhs(sensitivity, delta, link)
            term = Equation(lhs, forms if lhs != forms[0] else forms[1:], v[head] * v[link.label])
            terms.append(HiddenTerm(delta_eq, term, link.closed_form))
        return HiddenSum(self.hidden_total(sensitivity), tuple(terms))

    # -- summary and the pass after the update ---------------------------------------------
    def summary(self) -> tuple[SummaryRow, ...]:
        step = self.step
        return tuple(
            SummaryRow(
                p.symbol,
                step.parameters[p.name],
                step.gradients[p.name],
                step.updated[p.name],
                step.is_updated(p.name),
            )
            for p in self.network.parameters
        )

    def after_update(self) -> AfterUpdate:
        before, after = self.step.before[0].total, self.step.after[0].total
        return AfterUpdate(
            self.forward_pass(self.after, updated=True),
            before,
            after,
            before - after,
            (before - after) / before,
        )


def _term_lhs(sensitivity: Sensitivity, delta: Delta, link: LocalDerivative) -> Expr:
    """∂E_k/∂out_h where the term has that name, else ∂E_total/∂net_k · ∂net_k/∂out_h."""
    return sensitivity.term_label(delta) or mul(delta.own_label, link.label)


def _own(sensitivity: Sensitivity) -> Expr:
    """∂E_k/∂out_k: an output's error term is the only part of E_total that depends on out_k."""
    return sensitivity.loss.label if sensitivity.loss is not None else sensitivity.label
