"""What is true of the network being checked: every value a claim may be compared with.

`Truth` wraps one walkthrough and answers, at 50 significant digits:

* the value of a quantity in a context — before the update, after it, or after N steps
  of training (through `derive.training.train`), for one sample or for each;
* derivatives that are no chain-rule record of derive (∂E_o1/∂w1, ∂E_total/∂i1), by a
  central difference at high precision with the forward pass re-run from the quantity
  differentiated with respect to;
* each quantity's local equation (net = Σ w·out + b, out = f(net), the chain-rule
  records, p⁺ = p − η·∂E/∂p), so a value can be recomputed from the writer's own
  earlier numbers instead of the true ones;
* the alternative computations a diagnosis tries: the backward pass without the
  activation derivative, with the updated weights in the hidden sums, with target and
  output swapped; the update with the biases updated too (or not); and a perturbed
  copy of the network, to tell a right formula from one that is right by accident.

Nothing is computed before it is asked for; each answer is computed once.
"""

from __future__ import annotations

import dataclasses
import random
from collections.abc import Mapping
from decimal import Decimal
from functools import cached_property

from sympy import Derivative, Expr, Symbol

from derive.activations import derivative_identity
from derive.check.claims import Context
from derive.check.names import Naming, Quantity
from derive.expr import mul, sub, substitute
from derive.model import E_TOTAL, ETA
from derive.numeric import TrainingStep, ctx, evaluate, number, train_step
from derive.spec import NetworkSpec, Sample
from derive.walkthrough import Walkthrough, build_walkthrough

Values = Mapping[Expr, object]
#: step of the central difference; its error (~h²) and rounding (~10⁻⁵⁰/h) are both ~10⁻³⁰
STEP = ctx.mpf(10) ** -20
#: float training agrees with the 50-digit path to ~1e-9: enough for 8 significant digits
FLOAT_TRAINING_DIGITS = 8
SMOOTH = frozenset(("sigmoid", "tanh", "linear", "softmax"))


class Truth:
    """The true values of one network, and of the variants a diagnosis compares with."""

    def __init__(self, walkthrough: Walkthrough) -> None:
        self.walkthrough = walkthrough
        self.step = walkthrough.step
        self.network = walkthrough.network
        self.derivation = walkthrough.derivation
        self.naming = Naming(self.network)
        self._trained: dict[tuple[int, str], object] = {}
        self._parameters: dict[tuple[int, str], dict] = {}
        self._variants: dict[tuple, dict] = {}
        self._values: dict[tuple, list] = {}

    @property
    def spec(self) -> NetworkSpec:
        return self.network.spec

    @property
    def samples(self) -> int:
        return len(self.spec.samples)

    # -- the passes ---------------------------------------------------------------------
    @cached_property
    def after_step(self) -> TrainingStep:
        """The training step taken from the updated parameters: the pass after the update."""
        return train_step(self.derivation, self.step.updated)

    def trained_step(self, steps: int, digits: int) -> TrainingStep:
        """The step taken from the parameters after `steps` updates of training.

        Training goes on from the nearest step count already reached, so a table of the
        error every 500 steps costs one run, not one per row.
        """
        from derive.training import train

        precision = "float" if digits <= FLOAT_TRAINING_DIGITS else "mpmath"
        key = (steps, precision)
        if key not in self._trained:
            reached = [n for n, p in self._parameters if p == precision and n <= steps]
            start = max(reached, default=0)
            parameters = self._parameters.get((start, precision))
            run = train(self.derivation, steps - start, precision=precision, start=parameters)
            self._parameters[(steps, precision)] = run.parameters
            self._trained[key] = train_step(self.derivation, run.parameters)
        return self._trained[key]

    def training_step(self, context: Context, digits: int = 6) -> TrainingStep:
        """The `TrainingStep` whose ``before`` is the network the context is about."""
        if context.phase == "after":
            return self.after_step
        if context.phase == "trained" and context.steps is not None:
            return self.trained_step(context.steps, digits)
        return self.step

    # -- values ---------------------------------------------------------------------------
    def values(self, quantity: Quantity, context: Context, digits: int = 6) -> list:
        """The value(s) `quantity` may mean in `context`: one per sample it could be about."""
        key = (quantity, context, digits > FLOAT_TRAINING_DIGITS)
        if key not in self._values:
            self._values[key] = self._values_of(quantity, context, digits)
        return self._values[key]

    def _values_of(self, quantity: Quantity, context: Context, digits: int) -> list:
        if quantity.kind == "updated":
            return [self.step.updated[quantity.name[:-1]]]
        if quantity.kind == "change":  # Δw = w⁺ − w
            name = quantity.name[1:]
            return [self.step.updated[name] - self.step.parameters[name]]
        phase = self.phase(quantity, context)
        step = self.training_step(dataclasses.replace(context, phase=phase), digits)
        if quantity.is_batch:
            if context.sample is not None and 1 <= context.sample <= self.samples:
                # inside a sample's own section, E is that sample's error
                quantity = per_sample(quantity)
            elif quantity.kind == "loss":
                return [step.loss_before]
            else:
                wrt = quantity.key.variables[0].name
                return [step.gradients[wrt]] if wrt in step.gradients else []
        found = []
        for index in self.sample_indices(quantity, context):
            value = self.value_in(quantity.key, step.before[index].values, step, index)
            if value is not None:
                found.append(value)
        return found

    def phase(self, quantity: Quantity, context: Context) -> str:
        """Which pass a quantity is about: its own mark, else the context for the forward
        pass and the parameters, and always the first pass for gradients and updates."""
        if quantity.phase is not None:
            return quantity.phase
        if quantity.is_forward or quantity.is_parameter:
            return context.phase
        if context.phase == "trained":
            return "trained"
        return "before"

    def sample_indices(self, quantity: Quantity, context: Context) -> range | list[int]:
        sample = quantity.sample or context.sample
        if sample is not None and 1 <= sample <= self.samples:
            return [sample - 1]
        return range(self.samples)

    def value_in(
        self, key: Expr | None, values: Values, step: TrainingStep, index: int
    ) -> object | None:
        if key is None:
            return None
        if key in values:
            return values[key]
        if isinstance(key, Derivative):
            return self.derivative(key, step, index)
        negated = -key
        if isinstance(negated, Derivative):  # −∂E/∂net_j: the "error" Err_j of textbooks
            value = self.value_in(negated, values, step, index)
            return None if value is None else -value
        return None

    def derivative(self, key: Derivative, step: TrainingStep, index: int) -> object | None:
        """∂of/∂wrt by a central difference, the forward pass re-run from `wrt`."""
        of, wrt = key.expr, key.variables[0]
        values = step.before[index].values
        if of not in values or wrt not in values:
            return None
        point = values[wrt]
        plus = self.forward_from(step.parameters, index, wrt, point + STEP)
        minus = self.forward_from(step.parameters, index, wrt, point - STEP)
        return (plus[of] - minus[of]) / (2 * STEP)

    def forward_from(self, parameters: Mapping, index: int, fixed: Symbol, value) -> dict:
        """The forward pass with one quantity (a parameter, an input, a net or an out) fixed."""
        network = self.network
        sample = self.spec.samples[index]
        values: dict = {
            ETA: number(self.spec.learning_rate),
            Symbol("alpha"): number(self.spec.leaky_relu_slope),
        }
        values.update({p.symbol: parameters[p.name] for p in network.parameters})
        inputs = zip(network.inputs, sample.inputs, strict=True)
        values.update({n.out: number(x) for n, x in inputs})
        for o, t in zip(network.output_layer, sample.targets, strict=True):
            values[network.target(o)] = number(t)
        values[fixed] = value
        for layer in network.layers[1:]:
            for neuron in layer:
                if neuron.net != fixed:
                    values[neuron.net] = evaluate(network.net_inputs[neuron.net], values)
            for neuron in layer:
                if neuron.out != fixed:
                    values[neuron.out] = evaluate(network.outputs[neuron.out], values)
        for error, term in network.error_terms.items():
            values[error] = evaluate(term, values)
        values[E_TOTAL] = evaluate(network.total, values)
        return values

    def lookup(self, context: Context, index: int = 0, digits: int = 6) -> Values:
        """Every value of one pass and sample, keyed by SymPy symbol or derivative."""
        step = self.training_step(context, digits)
        return step.before[index].values

    # -- local equations ------------------------------------------------------------------
    @cached_property
    def equations(self) -> dict[Expr, Expr]:
        """quantity → its local equation in other quantities (one step of the computation)."""
        network, derivation = self.network, self.derivation
        table: dict[Expr, Expr] = {}
        table.update(network.net_inputs)
        table.update(network.outputs)
        table.update(network.error_terms)
        table[E_TOTAL] = network.total
        for record in derivation.records:
            table[record.label] = record.expression
        for delta in derivation.deltas.values():
            table.setdefault(delta.own_label, delta.expression)
            table.setdefault(-delta.label, -delta.expression)  # Err_j = −δ_j
        for sensitivity in derivation.sensitivities.values():
            for delta, link in sensitivity.terms:
                label = sensitivity.term_label(delta)
                if label is not None:
                    table[label] = mul(delta.label, link.label)
        return table

    def update_equation(self, name: str) -> Expr:
        """p⁺ = p − η·∂E_total/∂p."""
        p = self.network.by_name[name].symbol
        return sub(p, mul(ETA, Derivative(E_TOTAL, p)))

    # -- variants for the diagnosis -----------------------------------------------------------
    def backward_with(self, overrides: Mapping[Expr, object], index: int = 0) -> dict:
        """The first pass's records re-evaluated with some local derivatives replaced."""
        before = self.step.before[index].values
        values = {k: v for k, v in before.items() if not isinstance(k, Derivative)}
        derivation = self.derivation
        for record in derivation.records:
            label = record.label
            values[label] = (
                overrides[label] if label in overrides else evaluate(record.expression, values)
            )
        for delta in derivation.deltas.values():
            values.setdefault(delta.own_label, values[delta.label])
        for sensitivity in derivation.sensitivities.values():
            for delta, link in sensitivity.terms:
                label = sensitivity.term_label(delta)
                if label is not None:
                    values[label] = values[delta.label] * values[link.label]
        rate = self.step.learning_rate
        for p in self.network.parameters:
            gradient = values[Derivative(E_TOTAL, p.symbol)]
            values[Symbol(p.name + "+")] = (
                values[p.symbol] - rate * gradient if self.step.is_updated(p.name) else None
            )
        return values

    def locals_of_kind(self, kind: str) -> list:
        """The local-derivative records of one kind (``activation``, ``input``, ``loss``, …)."""
        seen, found = set(), []
        for record in self.derivation.records:
            if getattr(record, "kind", None) == kind and record.label not in seen:
                seen.add(record.label)
                found.append(record)
        return found

    def variant(self, name: str, index: int = 0) -> dict:
        """One of the backward passes a slip produces, for sample `index` (computed once):

        ``without_activation``: every ∂out/∂net taken as 1 (the activation forgotten);
        ``updated_weights``: the hidden sums with the updated weights (w⁺ for w);
        ``swapped_target``: target and output swapped in each ∂E_k/∂out_k.
        """
        key = (name, index)
        if key not in self._variants:
            overrides = getattr(self, f"_overrides_{name}")(index)
            self._variants[key] = self.backward_with(overrides, index)
        return self._variants[key]

    def _overrides_without_activation(self, index: int) -> dict:
        return {r.label: ctx.mpf(1) for r in self.locals_of_kind("activation")}

    def _overrides_updated_weights(self, index: int) -> dict:
        updated, overrides = self.step.updated, {}
        for record in self.locals_of_kind("input"):
            weight = _weight_of(self.network, record)
            if weight is not None:
                overrides[record.label] = updated[weight]
        return overrides

    def _overrides_swapped_target(self, index: int) -> dict:
        before, overrides = self.step.before[index].values, {}
        for record in self.locals_of_kind("loss"):
            out = record.wrt
            target = Symbol(f"target_{out.name[4:]}")
            swapped = {**before, out: before[target], target: before[out]}
            try:
                overrides[record.label] = evaluate(record.closed_form, swapped)
            except (ValueError, ZeroDivisionError):
                continue
        return overrides

    def with_activation(self, layer: int, name: str, index: int = 0) -> dict:
        """The backward pass with layer `layer`'s ∂out/∂net taken from activation `name`
        (σ' = out·(1 − out) where the layer is tanh, say), for sample `index`."""
        key = (layer, name, index)
        if key not in self._variants:
            identity = derivative_identity(name)
            values = self.step.before[index].values
            overrides = {}
            for neuron in self.network.layers[layer]:
                closed = substitute(
                    identity.closed_form, {identity.out: neuron.out, identity.net: neuron.net}
                )
                overrides[Derivative(neuron.out, neuron.net)] = evaluate(closed, values)
            self._variants[key] = self.backward_with(overrides, index)
        return self._variants[key]

    @cached_property
    def other_biases(self) -> Walkthrough | None:
        """The same network with the biases updated (or not) the other way round."""
        if self.spec.bias == "none":
            return None
        spec = dataclasses.replace(self.spec, update_biases=not self.spec.update_biases)
        return build_walkthrough(spec)

    @cached_property
    def perturbed(self) -> Walkthrough | None:
        """A copy of the network with other weights, biases and inputs (seeded), so that a
        formula that holds at both points is not right by accident. None for piecewise
        activations, whose formulas may hold on one side of a kink only."""
        if not set(self.spec.activations) <= SMOOTH:
            return None
        rng = random.Random(6)

        def jiggle(value: Decimal) -> Decimal:
            return (value * Decimal(1 + rng.uniform(-0.3, 0.3))).quantize(Decimal("1e-6"))

        spec = dataclasses.replace(
            self.spec,
            weights=tuple(
                tuple(tuple(jiggle(w) for w in row) for row in matrix)
                for matrix in self.spec.weights
            ),
            biases=tuple(
                tuple(jiggle(b) + Decimal("0.01") for b in layer) for layer in self.spec.biases
            ),
            samples=tuple(
                Sample(tuple(jiggle(x) + Decimal("0.01") for x in s.inputs), s.targets)
                for s in self.spec.samples
            ),
        )
        return build_walkthrough(spec)

    @cached_property
    def perturbed_truth(self) -> Truth | None:
        return Truth(self.perturbed) if self.perturbed is not None else None

    @cached_property
    def index(self) -> list[tuple[float, str, str]]:
        """Every known value, sorted: (value, quantity name, which pass), for "this is X"."""
        entries: list[tuple[float, str, str]] = []
        passes = (("before", self.step), ("after", self.after_step))
        for phase, step in passes:
            for key, value in step.before[0].values.items():
                name = _name_of(key)
                if name is not None and value is not None:
                    entries.append((float(value), name, phase))
        for name, value in self.step.updated.items():
            if self.step.is_updated(name):
                entries.append((float(value), f"{name}+", "before"))
        if self.samples > 1:
            entries.append((float(self.step.loss_before), "E", "before"))
            entries.append((float(self.step.loss_after), "E", "after"))
            for name, value in self.step.gradients.items():
                entries.append((float(value), f"dE/d{name}", "before"))
        entries.sort()
        return entries


def per_sample(quantity: Quantity) -> Quantity:
    """The per-sample quantity behind a batch one: E → E_total, dE/dw5 → dE_total/dw5."""
    if quantity.kind == "loss":
        return Quantity("total", "E_total", E_TOTAL)
    return Quantity("derivative", quantity.name.replace("dE/", "dE_total/"), quantity.key)


def _weight_of(network, record) -> str | None:
    """The weight w in ∂net_k/∂out_j = w."""
    for p in network.parameters:
        source = p.source
        if p.is_weight and source.out == record.wrt and p.destinations[0].net == record.of:
            return p.name
    return None


def _name_of(key: Expr) -> str | None:
    """A SymPy key as a classic name: net_h1, dE_total/dw5."""
    if isinstance(key, Symbol):
        return key.name
    if isinstance(key, Derivative):
        return f"d{key.expr}/d{key.variables[0]}"
    return None


def truth_of(source: str | NetworkSpec | Walkthrough) -> Truth:
    """The truth of a spec file, a preset name, a spec or an already built walkthrough."""
    walkthrough = source if isinstance(source, Walkthrough) else build_walkthrough(source)
    return Truth(walkthrough)
