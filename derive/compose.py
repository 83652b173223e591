"""Training step → document: lays out the numbers of one step (and a training run) as the
records of `derive.document`, in the order of the classic worked example.

`build_document` is the entry point. Per sample, `_SampleBuilder` works through the
backward pass factor by factor, writing each factor in full the first time it is met and
by reference afterwards; `matrix_form` adds the layered notation's vector equations.
"""

from __future__ import annotations

from dataclasses import fields, is_dataclass, replace
from functools import cached_property, lru_cache
from typing import Any

import sympy as sp
from sympy import Derivative, Expr, Symbol

from derive.activations import DerivativeIdentity, derivative_identity
from derive.document import (
    E_BATCH,
    AfterUpdate,
    BackwardLayer,
    BatchRow,
    BatchStep,
    BiasRow,
    Document,
    Equation,
    ErrorStep,
    Factor,
    FinalSample,
    ForwardPass,
    HiddenSum,
    HiddenTerm,
    IdentityStep,
    JacobianSum,
    JacobianTerm,
    LayerForward,
    LayerInfo,
    NeuronForward,
    Overview,
    ParameterChange,
    ParameterStep,
    SampleInfo,
    SampleWalk,
    Saturation,
    SummaryRow,
    TrainingReport,
    TrainingSection,
    WeightRow,
)
from derive.expr import DOTS, add, mul, neg, sub, substitute
from derive.losses import LossIdentity, simplification
from derive.model import E_TOTAL, ETA, Parameter, SymbolicNetwork
from derive.notation import notation_for
from derive.numeric import PRECISION, Evaluation, TrainingStep, Value, evaluate
from derive.numeric import number as number_of
from derive.rules import explain
from derive.steps import Delta, Derivation, Gradient, LocalDerivative, Sensitivity, partial
from derive.text import visible
from derive.training import TrainingRun
from derive.version import __version__


def build_document(
    step: TrainingStep,
    *,
    detail: str = "full",
    digits: int | None = None,
    verification: object | None = None,
    training: TrainingRun | None = None,
    notation: str = "classic",
    only: tuple[str, ...] | None = None,
) -> Document:
    """Lay out one training step as a walkthrough, in the order of the classic example.

    `notation` is ``classic`` or ``layered`` (which adds the matrix form of each layer);
    `only` restricts the backward pass to the named parameters.
    """
    network = step.network
    builder = _Builder(step, notation == "layered", only, digits or network.spec.digits)
    return Document(
        title=network.spec.title,
        source=visible(network.spec.source),
        version=__version__,
        precision=PRECISION,
        digits=digits or network.spec.digits,
        detail=detail,
        notation=notation_for(notation, network),
        overview=builder.overview(),
        identities=builder.identities(rules=detail == "full"),
        samples=builder.sample_walks(detail),
        batch=builder.batch(),
        summary=builder.summary(),
        after=builder.after_update(),
        verification=verification,
        training=build_training_section(training) if training else None,
    )


def build_training_section(run: TrainingRun) -> TrainingSection:
    """The training run laid out: history rows, the final outputs against the targets."""
    network = run.network
    samples = []
    for number, evaluation in enumerate(run.final, start=1):
        values = evaluation.values
        samples.append(
            FinalSample(
                number,
                tuple(Equation(n.out, (), values[n.out]) for n in network.inputs),
                tuple(Equation(o.out, (), values[o.out]) for o in network.output_layer),
                tuple(
                    Equation(network.target(o), (), values[network.target(o)])
                    for o in network.output_layer
                ),
                Equation(E_TOTAL, (), evaluation.total),
            )
        )
    start = {p.name: number_of(p.value) for p in network.parameters}
    rows = tuple(
        ParameterChange(p.symbol, start[p.name], run.parameters[p.name], run.updates(p.name))
        for p in network.parameters
    )
    return TrainingSection(
        run.steps,
        run.every,
        Equation(ETA, (), number_of(network.spec.learning_rate)),
        run.history,
        tuple(samples),
        run.history[0][1],
        run.loss,
        rows,
    )


def build_training_report(run: TrainingRun, *, digits: int | None = None) -> TrainingReport:
    spec = run.network.spec
    return TrainingReport(
        spec.title,
        visible(spec.source),
        __version__,
        PRECISION,
        digits or spec.digits,
        build_training_section(run),
    )


def _float(value: Value) -> sp.Float:
    return sp.Float(value, 50)


def sample_symbol(symbol: Symbol, number: int) -> Symbol:
    """E_total of sample 2 is written E_total^(2)."""
    return Symbol(f"{symbol.name}^({number})")


class _Numbers:
    """The values of one evaluation as SymPy numbers, for writing formulas with numbers in."""

    def __init__(self, evaluation: Evaluation) -> None:
        self.evaluation = evaluation

    @cached_property
    def floats(self) -> dict[Expr, sp.Float]:
        return {k: _float(v) for k, v in self.evaluation.values.items()}

    def __getitem__(self, quantity: Expr) -> Value:
        return self.evaluation.values[quantity]

    def equation(self, lhs: Expr, *definitions: Expr) -> Equation:
        """lhs = definitions… = the definition with numbers in = value."""
        last = definitions[-1] if definitions else lhs
        value = evaluate(last, self.evaluation.values)
        forms = [d for d in definitions if not isinstance(d, sp.Number)]
        symbolic = last.free_symbols or last.atoms(Derivative)
        if symbolic and not isinstance(last, Symbol | Derivative):
            forms.append(substitute(last, self.floats))
        return Equation(lhs, tuple(forms), value)


class _Builder:
    """Builds the sections of a `Document` from one `TrainingStep`."""

    def __init__(
        self,
        step: TrainingStep,
        matrices: bool = False,
        only: tuple[str, ...] | None = None,
        digits: int = 9,
    ) -> None:
        self.step = step
        self.digits = digits
        self.network: SymbolicNetwork = step.network
        self.derivation = step.derivation
        self.several = len(step.before) > 1
        self.matrices = matrices
        self.only = only

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
        alpha = Symbol("alpha")
        uses_slope = "leaky_relu" in network.spec.activations
        return Overview(
            sizes=network.spec.layers,
            layers=tuple(self.layer_info(l) for l in range(len(network.layers))),
            samples=tuple(self.sample_info(i) for i in range(len(self.step.before))),
            weights=weights,
            biases=biases,
            learning_rate=Equation(ETA, (), values[ETA]),
            loss=network.loss.name,
            loss_title=network.loss.title,
            bias_mode=network.spec.bias,
            update_biases=network.spec.update_biases,
            error_total=Equation(E_TOTAL, (network.total, self.total_expanded())),
            batch=network.spec.batch,
            slope=Equation(alpha, (), values[alpha]) if uses_slope else None,
        )

    def sample_info(self, index: int) -> SampleInfo:
        values, network = self.step.before[index], self.network
        return SampleInfo(
            index + 1,
            tuple(Equation(n.out, (), values[n.out]) for n in network.inputs),
            tuple(
                Equation(network.target(o), (), values[network.target(o)])
                for o in network.output_layer
            ),
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
                    self.saturation(n.name, numbers[n.out], number),
                )
                for n in self.network.layers[number]
            )
            layers.append(LayerForward(self.layer_info(number), neurons))
        terms = tuple(numbers.equation(e, t) for e, t in self.network.error_terms.items())
        total = numbers.equation(E_TOTAL, self.network.total)
        return ForwardPass(tuple(layers), ErrorStep(terms, total))

    def saturation(self, name: str, out: Value, layer: int) -> Saturation | None:
        """A saturated neuron: its output closer to a bound of its activation than the last
        digit shown (10^−digits), where the slope is about 0 (worded by `Prose.saturation`)."""
        bounds = self.network.activation(layer).bounds
        if bounds is None:
            return None
        limit = min(bounds, key=lambda bound: abs(out - bound))
        if abs(out - limit) >= number_of(10) ** -self.digits:
            return None
        return Saturation(Symbol(name), limit, self.digits)

    def updated_symbols(self) -> dict[Symbol, Symbol]:
        return {
            p.symbol: Symbol(p.name + "+")
            for p in self.network.parameters
            if self.step.is_updated(p.name)
        }

    # -- the local derivatives, once ----------------------------------------------------
    def identities(self, *, rules: bool) -> tuple[IdentityStep, ...]:
        steps = [self.loss_identity(self.derivation.loss, rules)]
        seen = set()
        for identity in self.derivation.activations.values():
            if identity.activation.name not in seen:
                seen.add(identity.activation.name)
                steps.append(self.activation_identity(identity, rules))
        pair = self.simplification_identity()
        return (*steps, pair) if pair else tuple(steps)

    def loss_identity(self, identity: LossIdentity, rules: bool) -> IdentityStep:
        error = Symbol("E")
        return IdentityStep(
            "loss",
            identity.loss.title,
            Equation(error, (identity.term,)),
            identity.raw,
            Equation(partial(error, identity.out), (*identity.steps, identity.closed_form)),
            rules=explain(identity.term, identity.out) if rules else (),
        )

    def activation_identity(self, identity: DerivativeIdentity, rules: bool) -> IdentityStep:
        activation = identity.activation
        if not activation.elementwise:
            # written out for as many outputs as the layer has (never a net₃ that is not there)
            identity = derivative_identity(activation.name, len(self.network.output_layer))
        explained = rules and activation.elementwise
        off = None
        if identity.off_diagonal is not None:
            out_k, raw, closed = identity.off_diagonal
            off = Equation(partial(out_k, identity.net), (raw, closed))
        return IdentityStep(
            "activation",
            activation.title,
            Equation(identity.out, (identity.definition,)),
            identity.raw,
            Equation(
                partial(identity.out, identity.net),
                _distinct((identity.raw, *identity.steps, identity.closed_form)),
            ),
            convention=activation.convention,
            off_diagonal=off,
            rules=explain(identity.definition, identity.net) if explained else (),
        )

    def simplification_identity(self) -> IdentityStep | None:
        """∂E/∂net = out − target where the output activation and the loss allow it."""
        output = self.network.spec.activations[-1]
        found = simplification(output, self.network.spec.loss)
        if found is None or not self.simplification_holds(found.condition):
            return None
        target, out, net = Symbol("target"), Symbol("out"), Symbol("net")
        error = Symbol("E")
        loss = self.derivation.loss.closed_form
        act = self.derivation.activations[self.network.depth].closed_form
        lhs = partial(E_TOTAL if found.condition else error, net)
        chain = mul(loss, act) if found.condition is None else None
        if chain is not None:
            forms = (chain, found.form(target, out))
        else:
            lhs, forms = softmax_cross_entropy_shortcut()
        title = (
            f"{self.network.activation(self.network.depth).title} with {self.network.loss.title}"
        )
        return IdentityStep(
            "simplification",
            title,
            Equation(lhs),
            loss,
            Equation(lhs, forms),
            condition=found.condition,
        )

    def simplification_holds(self, condition: str | None) -> bool:
        """Check the condition of a simplification on every sample (targets adding up to 1)."""
        if condition is None:
            return True
        return all(abs(sum(s.targets) - 1) < 1e-12 for s in self.network.spec.samples)

    # -- one sample's walk --------------------------------------------------------------
    def sample_walks(self, detail: str) -> tuple[SampleWalk, ...]:
        walks = []
        for index, evaluation in enumerate(self.step.before):
            sample = _SampleBuilder(self, _Numbers(evaluation))
            number = index + 1 if self.several else 0
            walk = SampleWalk(
                number,
                self.forward_pass(sample.numbers, updated=False),
                sample.backward(detail),
            )
            if self.several:
                # sample 2's error is E_total^(2), and so are its derivatives ∂E_total^(2)/∂w:
                # the names the combining step refers to
                walk = _renamed(walk, {E_TOTAL: sample_symbol(E_TOTAL, number)})
            walks.append(walk)
        return tuple(walks)

    def batch(self) -> BatchStep | None:
        """With several samples: the batch loss, and each gradient as the samples' mean or sum."""
        if not self.several:
            return None
        totals = [sample_symbol(E_TOTAL, i + 1) for i in range(len(self.step.before))]
        values = {s: e.total for s, e in zip(totals, self.step.before, strict=True)}
        loss = self._combined(E_BATCH, totals, values)
        rows = []
        for gradient in self.derivation.gradients:
            per_sample = [sample_symbol(E_TOTAL, i + 1) for i in range(len(self.step.before))]
            labels = [partial(s, gradient.parameter.symbol) for s in per_sample]
            vals = {lab: e[gradient.label] for lab, e in zip(labels, self.step.before, strict=True)}
            combined = self._combined(partial(E_BATCH, gradient.parameter.symbol), labels, vals)
            rows.append(
                BatchRow(
                    gradient.parameter.symbol, combined, self.update(gradient.parameter, batch=True)
                )
            )
        return BatchStep(self.network.spec.batch, loss, tuple(rows))

    def _combined(self, lhs: Expr, parts: list[Expr], values: dict[Expr, Value]) -> Equation:
        # mean: (1/n)(x₁ + … + xₙ); sum: x₁ + … + xₙ
        total = add(*parts)
        numbers = add(*(_float(values[p]) for p in parts))
        if self.network.spec.batch == "mean":
            scale = sp.Rational(1, len(parts))
            total, numbers = mul(scale, total), mul(scale, numbers)
        value = evaluate(total, values)
        return Equation(lhs, (total, numbers), value)

    def update(self, parameter: Parameter, *, batch: bool = False) -> Equation | None:
        if not self.step.is_updated(parameter.name):
            return None
        # p⁺ = p − η · ∂E_total/∂p
        label = partial(E_BATCH if batch else E_TOTAL, parameter.symbol)
        rule = sub(parameter.symbol, mul(ETA, label))
        floats = {
            parameter.symbol: _float(self.step.parameters[parameter.name]),
            ETA: _float(self.step.learning_rate),
            label: _float(self.step.gradients[parameter.name]),
        }
        numbers = substitute(rule, floats)
        return Equation(
            Symbol(parameter.name + "+"), (rule, numbers), self.step.updated[parameter.name]
        )

    # -- summary and the pass after the update ----------------------------------------------
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
        renames = self.updated_symbols()
        forwards = []
        for evaluation in self.step.after:
            values = evaluation.values
            renamed = {new: values[old] for old, new in renames.items()}
            forwards.append(
                self.forward_pass(_Numbers(Evaluation({**values, **renamed})), updated=True)
            )
        loss = None
        if self.several:
            totals = [sample_symbol(E_TOTAL, i + 1) for i in range(len(self.step.after))]
            values = {s: e.total for s, e in zip(totals, self.step.after, strict=True)}
            loss = self._combined(E_BATCH, totals, values)
        before, after = self.step.loss_before, self.step.loss_after
        relative = (before - after) / before if before else before - after
        return AfterUpdate(tuple(forwards), loss, before, after, before - after, relative)


class _SampleBuilder:
    """The backward pass of one sample, factor by factor."""

    def __init__(self, builder: _Builder, numbers: _Numbers) -> None:
        self.builder = builder
        self.network = builder.network
        self.derivation = builder.derivation
        self.numbers = numbers

    def backward(self, detail: str) -> tuple[BackwardLayer, ...]:
        layers = []
        worked: dict[Expr, Symbol] = {}
        step = self.builder.step
        only = self.builder.only
        for number in range(self.network.depth, 0, -1):
            params = [g for g in self.derivation.gradients if g.parameter.layer == number]
            updated = [g for g in params if step.is_updated(g.parameter.name)]
            if only is not None:
                updated = [g for g in params if g.parameter.name in only]
            shown = updated[:1] if detail == "summary" else updated
            steps = tuple(self.parameter_step(g, worked) for g in shown)
            # by name: a list's `in` compares records field by field, n² for a wide layer
            shown_names = {g.parameter.name for g in shown}
            updated_names = {g.parameter.name for g in updated}
            omitted = tuple(
                g.parameter.symbol for g in updated if g.parameter.name not in shown_names
            )
            fixed = tuple(
                g.parameter.symbol for g in params if g.parameter.name not in updated_names
            )
            if detail == "full" and only is None and number == self.network.depth:
                steps += self.fixed_bias_once(params, updated_names, worked)
            downstream = (
                ()
                if number == self.network.depth
                else tuple(
                    p.symbol
                    for p in self.network.parameters
                    if p.is_weight and p.layer == number + 1
                )
            )
            info = self.builder.layer_info(number)
            matrix = (
                matrix_form(self.derivation, self.numbers, number) if self.builder.matrices else ()
            )
            layers.append(
                BackwardLayer(
                    info, number == self.network.depth, steps, omitted, fixed, downstream, matrix
                )
            )
        return tuple(layers)

    def fixed_bias_once(
        self, params: list[Gradient], updated: set[str], worked: dict[Expr, Symbol]
    ) -> tuple[ParameterStep, ...]:
        """The gradient of a bias that is not updated, derived once (in the output layer) so
        the reader sees how a bias's chain ends (∂net/∂b = 1); no update follows."""
        fixed = [g for g in params if g.parameter.name not in updated and not g.parameter.is_weight]
        if not fixed:
            return ()
        return (replace(self.parameter_step(fixed[0], worked), update=None, updated=False),)

    def parameter_step(self, gradient: Gradient, worked: dict[Expr, Symbol]) -> ParameterStep:
        parameter = gradient.parameter
        numbers = self.numbers
        paths = tuple(self.path(parameter, delta, link, worked) for delta, link in gradient.paths)
        values = add(
            *(mul(*(numbers.floats[f] for f in gradient.chain(d, l))) for d, l in gradient.paths)
        )
        product = Equation(gradient.label, (values,), numbers[gradient.label])
        return ParameterStep(
            parameter.symbol,
            parameter.kind,
            Symbol(parameter.source.name) if parameter.source else None,
            tuple(Symbol(n.name) for n in parameter.destinations),
            Equation(gradient.label, (gradient.expression,)),
            paths,
            product,
            None if self.builder.several else self.builder.update(parameter),
            tuple(self.simplified(delta) for delta, _ in gradient.paths),
        )

    def path(
        self, parameter: Parameter, delta: Delta, link: LocalDerivative, worked: dict[Expr, Symbol]
    ) -> tuple[Factor, ...]:
        if not delta.elementwise:
            return (
                self.jacobian_factor(delta, parameter, worked),
                self.local_factor(link, parameter, worked),
            )
        return (
            self.sensitivity_factor(delta.sensitivity, parameter, worked),
            self.local_factor(delta.activation, parameter, worked),
            self.local_factor(link, parameter, worked),
        )

    def simplified(self, delta: Delta) -> Equation | None:
        """∂E/∂out · ∂out/∂net collapsed (sigmoid with cross-entropy losses), for outputs."""
        if not delta.elementwise or delta.neuron.layer != self.network.depth:
            return None
        found = simplification(self.network.spec.activations[-1], self.network.spec.loss)
        if found is None:
            return None
        neuron = delta.neuron
        form = found.form(self.network.target(neuron), neuron.out)
        lhs = mul(delta.sensitivity.label, delta.activation.label)
        return self.numbers.equation(lhs, form)

    def _first(
        self, label: Expr, parameter: Parameter, worked: dict[Expr, Symbol]
    ) -> Symbol | None:
        """None the first time a factor is met (worked out in full), else where it was."""
        if label in worked:
            return worked[label]
        worked[label] = parameter.symbol
        return None

    def seen_factor(self, kind: str, label: Expr, seen: Symbol) -> Factor:
        """A factor already worked out under parameter `seen`: its value, by reference."""
        return Factor(kind, Equation(label, (), self.numbers[label]), seen_at=seen)

    def local_factor(
        self, local: LocalDerivative, parameter: Parameter, worked: dict[Expr, Symbol]
    ) -> Factor:
        seen = self._first(local.label, parameter, worked)
        if seen is not None:
            return self.seen_factor(local.kind, local.label, seen)
        equation = self.numbers.equation(local.label, local.closed_form)
        return Factor(local.kind, equation, Equation(local.of, (_excerpt(local),)))

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
        equation = self.numbers.equation(sensitivity.label, loss.label, loss.closed_form)
        return Factor(kind, equation, Equation(E_TOTAL, (self.builder.total_expanded(),)))

    def jacobian_factor(
        self, delta: Delta, parameter: Parameter, worked: dict[Expr, Symbol]
    ) -> Factor:
        """∂E_total/∂net_j of a softmax output: a sum over every output of the layer."""
        seen = self._first(delta.label, parameter, worked)
        if seen is not None:
            return self.seen_factor("softmax", delta.label, seen)
        numbers = self.numbers
        terms = []
        for sensitivity, local in delta.terms:
            loss = sensitivity.loss
            sens_eq = numbers.equation(sensitivity.label, loss.label, loss.closed_form)
            jac_eq = numbers.equation(local.label, local.closed_form)
            product = numbers.equation(
                mul(sensitivity.label, local.label), mul(sensitivity.label, local.label)
            )
            terms.append(JacobianTerm(sens_eq, jac_eq, product))
        labels = [mul(s.label, a.label) for s, a in delta.terms]
        values = [_float(numbers[s.label] * numbers[a.label]) for s, a in delta.terms]
        total = _sum_equation(delta.label, labels, values, numbers[delta.label])
        simplified, condition = self.softmax_simplified(delta)
        return Factor(
            "softmax", total, jacobian=JacobianSum(total, tuple(terms), simplified, condition)
        )

    def softmax_simplified(self, delta: Delta) -> tuple[Equation | None, str | None]:
        found = simplification(self.network.spec.activations[-1], self.network.spec.loss)
        if found is None or not self.builder.simplification_holds(found.condition):
            return None, None
        neuron = delta.neuron
        form = found.form(self.network.target(neuron), neuron.out)
        return self.numbers.equation(delta.label, form), found.condition

    def hidden_total(self, sensitivity: Sensitivity) -> Equation:
        # ∂E_total/∂out_h = Σ_k ∂E_k/∂out_h
        v = self.numbers
        labels = [_term_lhs(sensitivity, d, link) for d, link in sensitivity.terms]
        values = [_float(v[d.label] * v[link.label]) for d, link in sensitivity.terms]
        return _sum_equation(sensitivity.label, labels, values, v[sensitivity.label])

    def hidden_sum(self, sensitivity: Sensitivity) -> HiddenSum:
        f, v = self.numbers.floats, self.numbers
        terms = []
        for delta, link in sensitivity.terms:
            head = delta.own_label
            delta_eq = Equation(head, (), v[head])
            if delta.elementwise:
                # ∂E_k/∂net_k = ∂E_k/∂out_k · ∂out_k/∂net_k
                parts = (_own(delta.sensitivity), delta.activation.label)
                delta_eq = Equation(head, (mul(*parts), mul(*(f[p] for p in parts))), v[head])
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


def matrix_form(derivation: Derivation, numbers: _Numbers, layer: int) -> tuple[Equation, ...]:
    """The layer's deltas and weight gradients as vectors and matrices (layered notation).

    Output layer:  δ^{(L)} = ∇_{a^{(L)}} E ⊙ f'(z^{(L)})   (softmax: δ^{(L)} = (J^{(L)})^T ∇_a E)
    Hidden layer:  δ^{(l)} = (W^{(l+1)})^T δ^{(l+1)} ⊙ f'(z^{(l)})
    Weights:       ∂E/∂W^{(l)} = δ^{(l)} (a^{(l−1)})^T
    """
    network = derivation.network
    neurons = network.layers[layer]
    rows, below = len(neurons), len(network.layers[layer - 1])
    value = numbers.floats

    def column(labels: list[Expr]) -> sp.ImmutableMatrix:
        return sp.ImmutableMatrix([[value[label]] for label in labels])

    delta = sp.MatrixSymbol(f"delta^({layer})", rows, 1)
    deltas = [derivation.deltas[n] for n in neurons]
    delta_values = column([d.label for d in deltas])
    if not deltas[0].elementwise:
        # δ_j = Σ_k ∂E/∂a_k · ∂a_k/∂z_j, i.e. δ = Jᵀ ∇_a E with J_kj = ∂a_k/∂z_j
        jacobian = sp.MatrixSymbol(f"J^({layer})", rows, rows)
        gradient = sp.MatrixSymbol(f"nabla^({layer})", rows, 1)
        entries = sp.ImmutableMatrix(
            [[value[local.label] for _, local in derivation.deltas[j].terms] for j in neurons]
        ).T
        sensitivities = column([s.label for s, _ in deltas[0].terms])
        symbolic = sp.MatMul(sp.Transpose(jacobian), gradient)
        numeric = sp.MatMul(sp.Transpose(entries), sensitivities, evaluate=False)
    else:
        slopes = sp.MatrixSymbol(f"fprime^({layer})", rows, 1)
        slope_values = column([d.activation.label for d in deltas])
        if layer == network.depth:
            upstream = sp.MatrixSymbol(f"nabla^({layer})", rows, 1)
            upstream_values = column([d.sensitivity.label for d in deltas])
        else:
            above = network.layers[layer + 1]
            weights = sp.MatrixSymbol(f"W^({layer + 1})", len(above), rows)
            upstream = sp.MatMul(
                sp.Transpose(weights), sp.MatrixSymbol(f"delta^({layer + 1})", len(above), 1)
            )
            matrix = sp.ImmutableMatrix(_weight_matrix(network, layer + 1, numbers))
            upstream_values = sp.MatMul(
                sp.Transpose(matrix),
                column([derivation.deltas[n].label for n in above]),
                evaluate=False,
            )
        symbolic = sp.HadamardProduct(upstream, slopes)
        numeric = sp.HadamardProduct(upstream_values, slope_values, evaluate=False)
    # ∂E/∂W^{(l)} = δ^{(l)} (a^{(l−1)})^T
    outs = sp.MatrixSymbol(f"out^({layer - 1})", below, 1)
    out_values = column([n.out for n in network.layers[layer - 1]])
    gradients = sp.ImmutableMatrix(
        [
            [value[derivation.gradient_of[p.name].label] for p in _row(network, layer, j)]
            for j in range(rows)
        ]
    )
    weight_gradient = Equation(
        partial(E_TOTAL, sp.MatrixSymbol(f"W^({layer})", rows, below)),
        (
            sp.MatMul(delta, sp.Transpose(outs)),
            sp.MatMul(delta_values, sp.Transpose(out_values), evaluate=False),
            gradients,
        ),
    )
    return (Equation(delta, (symbolic, numeric, delta_values)), weight_gradient)


def _row(network: SymbolicNetwork, layer: int, j: int) -> list[Parameter]:
    """The weights into neuron j (0-based) of `layer`, in source order."""
    neuron = network.layers[layer][j]
    return [p for p in network.incoming[neuron] if p.is_weight]


def _weight_matrix(network: SymbolicNetwork, layer: int, numbers: _Numbers) -> list[list[sp.Float]]:
    return [
        [numbers.floats[p.symbol] for p in _row(network, layer, j)]
        for j in range(len(network.layers[layer]))
    ]


def _term_lhs(sensitivity: Sensitivity, delta: Delta, link: LocalDerivative) -> Expr:
    """∂E_k/∂out_h where the term has that name, else ∂E_total/∂net_k · ∂net_k/∂out_h."""
    return sensitivity.term_label(delta) or mul(delta.own_label, link.label)


def softmax_cross_entropy_shortcut() -> tuple[Expr, tuple[Expr, ...]]:
    """∂E_total/∂net_j of a softmax layer under the cross-entropy, derived in four steps:

    Σ_k ∂E/∂out_k · ∂out_k/∂net_j                 (every output depends on net_j)
    = Σ_k (−target_k/out_k) · out_k(δ_kj − out_j)  (the loss's and the softmax's derivatives)
    = Σ_k −target_k · (δ_kj − out_j)
    = −target_j + out_j · Σ_k target_k             (δ_kj keeps the term k = j)
    = out_j − target_j                             (the targets add up to 1)
    """
    k, j, n = Symbol("k"), Symbol("j"), Symbol("n")
    out_k, out_j = Symbol("out_k"), Symbol("out_j")
    target_k, target_j = Symbol("target_k"), Symbol("target_j")
    delta = sp.KroneckerDelta(k, j, evaluate=False)
    error, net_j = Symbol("E"), Symbol("net_j")

    def total(term: Expr) -> Expr:
        return sp.Sum(term, (k, 1, n))

    return partial(E_TOTAL, net_j), (
        total(mul(partial(error, out_k), partial(out_k, net_j))),
        total(
            mul(
                neg(sp.Mul(target_k, sp.Pow(out_k, -1, evaluate=False), evaluate=False)),
                mul(out_k, sub(delta, out_j)),
            )
        ),
        total(neg(mul(target_k, sub(delta, out_j)))),
        add(neg(target_j), mul(out_j, total(target_k))),
        sub(out_j, target_j),
    )


def _renamed(record: Any, names: dict[Expr, Expr]) -> Any:
    """`record` with every expression in it renamed by `names` (values untouched)."""
    if isinstance(record, Expr):
        with sp.evaluate(False):  # keep the written order of every product and sum
            return record.xreplace(names)
    if isinstance(record, tuple):
        return tuple(_renamed(item, names) for item in record)
    if is_dataclass(record) and not isinstance(record, type):
        changes = {
            f.name: _renamed(getattr(record, f.name), names)
            for f in fields(record)
            if isinstance(getattr(record, f.name), Expr | tuple)
            or is_dataclass(getattr(record, f.name))
        }
        return replace(record, **changes)
    return record


def _sum_equation(lhs: Expr, labels: list[Expr], values: list[Expr], value: Value) -> Equation:
    """lhs = Σ labels = Σ values = value; a sum of one term has no sum of numbers to show
    (it would read "= −0.198599082 = −0.198599082")."""
    forms = (add(*labels), add(*values)) if len(values) > 1 else (labels[0],)
    return Equation(lhs, tuple(f for f in forms if f != lhs), value)


def _distinct(forms: tuple[Expr, ...]) -> tuple[Expr, ...]:
    """The forms of a chain without a form equal to the one before it ("= 1 = 1")."""
    kept: list[Expr] = []
    for form in forms:
        if not kept or form != kept[-1]:
            kept.append(form)
    return tuple(kept)


def _own(sensitivity: Sensitivity) -> Expr:
    """∂E_k/∂out_k: an output's error term is the only part of E_total that depends on out_k."""
    return sensitivity.loss.label if sensitivity.loss is not None else sensitivity.label


#: a net input of more terms than this is quoted in part where one term of it matters
EXCERPT_TERMS = 6


@lru_cache(maxsize=1024)
def _positions(total: sp.Add) -> dict[Symbol, list[int]]:
    """Symbol → the positions of the terms of a sum that contain it (found once per sum)."""
    table: dict[Symbol, list[int]] = {}
    for i, term in enumerate(total.args):
        for symbol in term.free_symbols:
            table.setdefault(symbol, []).append(i)
    return table


def _excerpt(local: LocalDerivative) -> Expr:
    """The local equation ∂of/∂wrt comes from: a wide net input shortened to
    ``⋯ + w_jk · out_k + ⋯``, the terms with `wrt` in them (the others differentiate to
    0). Quoting all n terms for each of its n weights would make the walkthrough n² long;
    the forward pass shows the whole sum once."""
    terms = local.equation.args if isinstance(local.equation, sp.Add) else ()
    if local.kind == "activation" or len(terms) <= EXCERPT_TERMS:
        return local.equation
    kept = _positions(local.equation).get(local.wrt)
    if not kept:
        return local.equation
    shown = [terms[i] for i in kept]
    if kept[0] > 0:
        shown.insert(0, DOTS)
    if kept[-1] < len(terms) - 1:
        shown.append(DOTS)
    return add(*shown)
