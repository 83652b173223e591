"""Verdicts → diagnoses: when a wrong number equals something else we know, say what.

The auditor decides that a number is wrong; this module explains it, the way
`doctest.OutputChecker.output_difference` explains what `check_output` rejected. A
wrong value is compared, at the writer's precision, with what typical slips produce:

* the writer's own earlier wrong number carried forward;
* the value before or after the update (a gradient taken with the updated weights, or
  a hidden sum that used them);
* the backward pass without the activation derivative; with target and output swapped;
  the sign flipped; the update without the learning rate, or adding instead of
  subtracting; a gradient multiplied by η; the biases updated (or not) against the spec;
* another quantity's value ("this is the value of dE_total/dw1");
* typing slips: "0." dropped (``-21707153`` for −0.21707153), the decimal point moved,
  two digits swapped, a digit dropped, ``+`` typed where ``×`` gives the result.

A formula is compared with the true one after swapping one of its names for another of
the same kind (``i_1`` where ``i_2`` belongs), and with a missing factor or term.
"""

from __future__ import annotations

import dataclasses
import re
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from functools import partial

from sympy import Derivative as SymDerivative
from sympy import Symbol

from derive.activations import ACTIVATIONS
from derive.check.audit import Evidence, Precision, Verdict, name_value, quantities_in
from derive.check.claims import Context, Link
from derive.check.expression import (
    Apply,
    Derivative,
    Name,
    Node,
    Number,
    Value,
    evaluate,
    names_in,
    numbers_in,
    parse,
)
from derive.check.names import Quantity
from derive.check.truth import Truth, per_sample
from derive.model import E_TOTAL
from derive.numeric import ctx

#: numbers with fewer significant digits match too much by chance to name another quantity
MIN_DIGITS_FOR_MATCH = 3


# -- slips as declared counterfactuals ----------------------------------------------------------
@dataclass(frozen=True)
class Slip:
    """One kind of slip, declared: what the writer computes instead, and how it is said.

    `counterfactuals(truth, quantity, sample)` yields ``(value, words)`` pairs: the value
    the slip produces for `quantity`, and the fields of `wording` that name it. The same
    record explains a bare wrong number and a wrong formula (``w6+ = w6 + η·∂E/∂w6``
    is the slip whether or not the formula is written), so each is looped over in one
    place (`RULES` and `FORMULA_RULES` each wrap every slip).
    """

    name: str
    wording: str
    counterfactuals: Callable[[Truth, Quantity, int], Iterator[tuple[object, dict]]]


def _added_update(truth: Truth, quantity: Quantity, sample: int):
    """p⁺ = p + η·∂E/∂p: the step taken uphill."""
    if quantity.kind != "updated":
        return
    step, name = truth.step, quantity.name[:-1]
    if step.is_updated(name):
        rate, gradient = step.learning_rate, step.gradients[name]
        yield step.parameters[name] + rate * gradient, {"parameter": name}


def _other_gradient(truth: Truth, quantity: Quantity, sample: int):
    """p⁺ = p − η·∂E/∂q: the update of p made with another parameter's gradient."""
    if quantity.kind != "updated":
        return
    step, name = truth.step, quantity.name[:-1]
    if not step.is_updated(name):
        return
    own = abs(step.gradients[name])
    for other, gradient in step.gradients.items():
        # a gradient much smaller than the parameter's own would only say "not updated"
        if other != name and gradient != step.gradients[name] and abs(gradient) >= own / 2:
            yield step.parameters[name] - step.learning_rate * gradient, {"other": other}


def _missing_path(truth: Truth, quantity: Quantity, sample: int):
    """A hidden neuron's sum Σ_k δ_k·w_kj with the term through neuron k left out
    (∂E/∂out_j, or ∂E/∂net_j = σ'(net_j)·Σ …)."""
    if quantity.kind != "derivative" or quantity.key is None:
        return
    key = quantity.key
    if not isinstance(key, SymDerivative):
        return
    of, wrt = key.expr, key.variables[0]
    if of != E_TOTAL or not isinstance(wrt, Symbol):
        return
    kind, _, neuron = wrt.name.partition("_")
    values = truth.step.before[sample].values
    for candidate, sensitivity in truth.derivation.sensitivities.items():
        if candidate.name != neuron or len(sensitivity.terms) < 2:
            continue
        factor = ctx.mpf(1)
        if kind == "net":
            factor = values.get(SymDerivative(candidate.out, candidate.net))
            if factor is None:
                return
        elif kind != "out":
            return
        true = values.get(key)
        if true is None:
            return
        for delta, link in sensitivity.terms:
            term = values[delta.label] * values[link.label] * factor
            yield true - term, {"through": delta.neuron.name}


SLIPS: tuple[Slip, ...] = (
    Slip("added update", "η·∂E/∂{parameter} was added instead of subtracted", _added_update),
    Slip("missing path", "the term through {through} is missing", _missing_path),
    Slip("other gradient", "the update used the gradient of {other}", _other_gradient),
)


def diagnose(verdict: Verdict, truth: Truth, precision: Precision) -> str:
    """One sentence saying why the number is wrong, or what it is instead ("" if unknown)."""
    if verdict.verdict == "unrecognized":
        return verdict.reason
    evidence = verdict.evidence
    if evidence is None:
        return ""
    explainer = _Explainer(verdict, evidence, truth, precision)
    return getattr(explainer, f"explain_{evidence.kind}")()


class _Explainer:
    def __init__(
        self, verdict: Verdict, evidence: Evidence, truth: Truth, precision: Precision
    ) -> None:
        self.verdict = verdict
        self.evidence = evidence
        self.truth = truth
        self.precision = precision

    def matches(self, number: Number | None, value) -> bool:
        """`number` is `value` at the writer's precision, allowing the drift of one
        unseen rounding (a number already found wrong is explained, not judged)."""
        if number is None or value is None:
            return False
        drift = float(self.precision.half_unit(number)) if number.digits >= 3 else 0.0
        return self.precision.agrees(number, [value], drift)

    def written(self, number: Number, value) -> str:
        """`value` written to the same last place as `number`."""
        expected = self.precision.expected(number, value)
        return _plain(expected)

    # -- the final number ------------------------------------------------------------------
    def explain_final(self) -> str:
        evidence = self.evidence
        stated, quantity = evidence.stated, evidence.quantity
        if evidence.name is not None and evidence.substituted is not None:
            return self.substituted_input()
        return self.what_it_is(stated, quantity)

    def what_it_is(self, stated: Number, quantity: Quantity | None) -> str:
        """The first declared rule (`RULES`) that explains the stated number, in words."""
        for rule in RULES:
            words = rule.find(self, stated, quantity)
            if words is not None:
                return rule.wording.format(**words)
        return ""

    def substituted_input(self) -> str:
        evidence = self.evidence
        number, name = evidence.substituted, evidence.name
        if evidence.kind == "substitution":
            value = evidence.true
        else:
            value = evidence.previous.value if evidence.previous else None
        label = _label(self.truth, name)
        if evidence.earlier is not None:
            what, line = evidence.earlier
            return f"it carries the wrong value of {what} from line {line}"
        text = f"{label} is {self.written(number, value)}, not {number.text}"
        reason = self.number_is(number, value, exclude=label)
        return f"{text} ({reason})" if reason else text

    # -- the rules' counterfactuals: each returns the fields of its wording, or None --------
    def carried(self, stated: Number, quantity: Quantity | None) -> dict | None:
        """The value computed from the writer's own earlier wrong numbers."""
        evidence = self.evidence
        if evidence.carried is None or not self.matches(stated, evidence.carried):
            return None
        wrong = [(label, line) for label, line, ok in evidence.carried_from if not ok]
        if not wrong:
            return None
        return {"named": ", ".join(f"{label} from line {line}" for label, line in wrong)}

    def declared_slip(self, stated: Number, quantity: Quantity | None, slip: Slip) -> dict | None:
        """The value `slip` produces for this quantity (see `SLIPS`)."""
        if quantity is None:
            return None
        for value, words in slip.counterfactuals(self.truth, quantity, self.evidence.sample):
            if value is not None and self.matches(stated, value):
                return words
        return None

    def misplaced_input(self, stated: Number, quantity: Quantity | None) -> dict | None:
        """``0.15 * 0.05 + 0.25 * 0.1 + 0.35``: one number is not what it stands for.

        The numbers of the last numeric link are matched with the values of the inputs of
        the quantity's local equation; one number and one input left over name the slip.
        """
        inputs = self.equation_inputs(quantity)
        link = self._numeric_link()
        if not inputs or link is None:
            return None
        numbers = [n for n in numbers_in(link.node) if n.value not in (1, 2)]
        unmatched = []
        for number in numbers:
            value = ctx.mpf(str(number.value))
            agreeing = [
                (abs(abs(v) - abs(value)), k)
                for k, v in inputs.items()
                if self.close_enough(number, v) or self.close_enough(number, -v)
            ]
            match = min(agreeing, key=lambda pair: pair[0])[1] if agreeing else None
            if match is None:
                unmatched.append(number)
            else:
                inputs.pop(match)
        if len(unmatched) != 1 or len(inputs) != 1:
            return None
        (key, value), number = next(iter(inputs.items())), unmatched[0]
        if not self.fixes(link.node, number, value):
            return None
        label = _key_label(key)
        reason = self.number_is(number, value, exclude=label)
        return {
            "label": label,
            "right": self.written(number, value),
            "written": number.text,
            "reason": f" ({reason})" if reason else "",
        }

    def fixes(self, node: Node, wrong: Number, value) -> bool:
        """Putting `value` in place of the `wrong` number gives the true result."""
        sign = -1 if wrong.value < 0 else 1
        right = Number(wrong.text, Decimal(str(float(value))) * sign, wrong.places, 0, 0)
        fixed = evaluate(_replace(node, wrong, right), _no_names, self.precision.uncertainty)
        true = self.evidence.true
        if fixed is None or true is None:
            return False
        slack = fixed.error + float(self.precision.half_unit(self.evidence.stated))
        return abs(fixed.value - float(true)) <= 2 * slack + 1e-12 * abs(float(true))

    def close_enough(self, number: Number, value) -> bool:
        drift = float(self.precision.half_unit(number)) if number.digits >= 3 else 0.0
        return self.precision.agrees(number, [value], drift)

    def equation_inputs(self, quantity: Quantity | None) -> dict:
        """The quantities the local equation of `quantity` is written in, with their values."""
        if quantity is None or quantity.key is None:
            return {}
        truth = self.truth
        if quantity.kind == "updated":
            equation = truth.update_equation(quantity.name[:-1])
            context = dataclasses.replace(self._context(), phase="before")
        else:
            equation = truth.equations.get(quantity.key)
            context = self._context()
        if equation is None:
            return {}
        index = self.evidence.sample
        step = truth.training_step(context)
        values = step.before[index].values
        for _ in range(3):  # ∂E_total/∂out_o1 → ∂E_o1/∂out_o1 → −(target_o1 − out_o1)
            if equation in truth.equations and equation != truth.equations[equation]:
                equation = truth.equations[equation]
        found = {}
        for key in quantities_in(equation):
            value = truth.value_in(key, values, step, index)
            if value is not None:
                found[key] = value
        return found

    def _numeric_link(self) -> Link | None:
        links = self.verdict.claim.links[1:-1]
        numeric = [k for k in links if k.node is not None and not names_in(k.node)]
        return numeric[-1] if numeric and numbers_in(numeric[-1].node) else None

    def sigmoid_sign(self, stated: Number, quantity: Quantity | None) -> dict | None:
        """out = 1/(1 + e^net) for 1/(1 + e^−net): the minus of the exponent lost, which
        gives σ(−net) = 1 − σ(net)."""
        neuron = self.neuron_of(quantity, "out")
        network = self.truth.network
        if neuron is None or network.activation(neuron.layer).name != "sigmoid":
            return None
        values = self.truth.values(quantity, self._context(), stated.digits)
        return {} if any(self.matches(stated, 1 - v) for v in values) else None

    def transposed_weights(self, stated: Number, quantity: Quantity | None) -> dict | None:
        """net_j = Σ_k W[k][j]·out_k + b_j for Σ_k W[j][k]·out_k + b_j: a square weight
        matrix read transposed, so the weights out of source j stand for those into j."""
        neuron = self.neuron_of(quantity, "net")
        if neuron is None:
            return None
        network, layer = self.truth.network, neuron.layer
        destinations, sources = network.layers[layer], network.layers[layer - 1]
        if len(destinations) != len(sources):
            return None
        weights = {
            (p.destinations[0], p.source): p.symbol
            for p in network.parameters
            if p.is_weight and p.layer == layer
        }
        source = sources[destinations.index(neuron)]
        values = self.truth.lookup(self._context(), self.evidence.sample, stated.digits)
        # the weights leaving `source` (one to each destination k) times out_k
        total = ctx.fsum(
            values[weights[(k, source)]] * values[s.out]
            for k, s in zip(destinations, sources, strict=True)
        )
        biases = (p for p in network.incoming[neuron] if not p.is_weight)
        total += ctx.fsum(values[p.symbol] for p in biases)
        if total == values[neuron.net] or not self.matches(stated, total):
            return None
        return {"source": source.name, "neuron": neuron.name}

    def neuron_of(self, quantity: Quantity | None, kind: str):
        """The (non-input) neuron whose `kind` ("net" or "out") the quantity is, or None."""
        if quantity is None or quantity.kind != kind or quantity.key is None:
            return None
        for neuron in self.truth.network.neurons():
            if not neuron.is_input and getattr(neuron, kind) == quantity.key:
                return neuron
        return None

    def other_step_count(self, stated: Number, quantity: Quantity | None) -> dict | None:
        """The value after one update more or less than the document says (off by one)."""
        steps = self.evidence.context.steps
        if quantity is None or steps is None or self.evidence.context.phase != "trained":
            return None
        if not (quantity.is_forward or quantity.is_parameter):
            return None
        for other in (steps - 1, steps + 1):
            context = dataclasses.replace(self._context(), steps=other)
            if other >= 0 and any(
                self.matches(stated, v) for v in self.truth.values(quantity, context, stated.digits)
            ):
                return {"other": f"{other:,}", "steps": f"{steps:,}"}
        return None

    def other_phase(self, stated: Number, quantity: Quantity | None, other: str) -> dict | None:
        """A forward value or parameter of the `other` pass ("before" or "after" the update)
        where the document's own pass is meant."""
        if quantity is None or not (quantity.is_forward or quantity.is_parameter):
            return None
        own = self.evidence.context.phase
        if (other == "before") != (own in ("after", "trained")):
            return None
        values = self.truth.values(
            dataclasses.replace(quantity, phase=other), self._context(), stated.digits
        )
        return {} if any(self.matches(stated, v) for v in values) else None

    def gradient_after(self, stated: Number, quantity: Quantity | None) -> dict | None:
        """A gradient evaluated with every weight already updated."""
        if quantity is None or quantity.kind != "derivative" or quantity.key is None:
            return None
        after = self.truth.after_step
        value = self.truth.value_in(quantity.key, after.before[0].values, after, 0)
        return {} if self.matches(stated, value) else None

    def in_variant(
        self, stated: Number, quantity: Quantity | None, variant: str, kind: str
    ) -> dict | None:
        """The value of a quantity of `kind` in the backward pass `variant` of `Truth`."""
        if quantity is None or quantity.kind != kind:
            return None
        key = Symbol(quantity.name) if kind == "updated" else quantity.key
        if key is None:
            return None
        return {} if self.matches(stated, self.variant(variant).get(key)) else None

    def other_sample(self, stated: Number, quantity: Quantity | None, batch: bool) -> dict | None:
        """Another sample's value (`batch` False), or one sample's where the batch's is meant."""
        truth = self.truth
        if quantity is None or truth.samples == 1 or quantity.kind == "updated":
            return None
        if quantity.is_batch != batch:
            return None
        for index in range(truth.samples):
            if not batch and index == self.evidence.sample:
                continue
            own = per_sample(quantity) if batch else quantity
            context = dataclasses.replace(self._context(), sample=index + 1)
            if any(self.matches(stated, v) for v in truth.values(own, context, stated.digits)):
                return {"sample": index + 1}
        return None

    def batch_mode(self, stated: Number, quantity: Quantity | None, written: str) -> dict | None:
        """The batch's loss or gradient taken as the `written` mode ("sum" or "mean") where
        the spec takes the other."""
        truth = self.truth
        if quantity is None or truth.samples == 1 or quantity.kind == "updated":
            return None
        if not quantity.is_batch or truth.spec.batch == written:
            return None
        own = per_sample(quantity)
        values = [
            truth.values(own, dataclasses.replace(self._context(), sample=k + 1))[0]
            for k in range(truth.samples)
        ]
        total = ctx.fsum(values)
        return (
            {} if self.matches(stated, total if written == "sum" else total / len(values)) else None
        )

    def without_layer_derivative(self, stated: Number, quantity: Quantity | None) -> dict | None:
        """A gradient with a ReLU layer's ∂out/∂net taken as 1 everywhere: the mask (0, or
        leaky ReLU's α, where net ≤ 0) left out, so the gradient passes a unit that is off."""
        if quantity is None or quantity.kind not in ("derivative", "updated"):
            return None
        key = Symbol(quantity.name) if quantity.kind == "updated" else quantity.key
        truth, sample = self.truth, self.evidence.sample
        if key is None or (truth.samples > 1 and (quantity.kind == "updated" or quantity.is_batch)):
            return None
        values = truth.step.before[sample].values
        for layer in range(1, len(truth.network.layers)):
            actual = truth.network.activation(layer)
            if actual.name not in ("relu", "leaky_relu"):
                continue
            if all(values[neuron.net] > 0 for neuron in truth.network.layers[layer]):
                continue  # every unit on: the mask changes nothing
            variant = truth.with_activation(layer, "linear", sample)
            if self.matches(stated, variant.get(key)):
                slope = "0" if actual.name == "relu" else "α"
                return {"title": actual.title, "layer": layer, "slope": slope}
        return None

    def other_activation(self, stated: Number, quantity: Quantity | None) -> dict | None:
        """A gradient worked out with another activation's derivative (σ' for tanh, …)."""
        if quantity is None or quantity.key is None or quantity.kind != "derivative":
            return None
        key = quantity.key
        return self.activation_mixup(lambda values: self.matches(stated, values.get(key)))

    def activation_mixup(self, holds: Callable[[dict], bool]) -> dict | None:
        truth = self.truth
        for layer in range(1, len(truth.network.layers)):
            actual = truth.network.activation(layer)
            if not actual.elementwise:
                continue
            for name, other in ACTIVATIONS.items():
                # a derivative of 1 (ReLU, linear) is better told as "the derivative is missing"
                if name in (actual.name, "relu", "leaky_relu", "linear") or not other.elementwise:
                    continue
                if holds(truth.with_activation(layer, name, self.evidence.sample)):
                    return {"other": other.title, "layer": layer, "actual": actual.title}
        return None

    def bias_variant(self, stated: Number, quantity: Quantity | None, updated: bool) -> dict | None:
        """The values of the spec with its biases `updated` (or kept fixed) the other way."""
        other = self.truth.other_biases
        if other is None or quantity is None or other.spec.update_biases != updated:
            return None
        if quantity.kind == "updated":
            value = other.step.updated[quantity.name[:-1]]
            own = self.truth.step.updated[quantity.name[:-1]]
            return {} if value != own and self.matches(stated, value) else None
        if quantity.is_forward and self.evidence.context.phase == "after":
            for index, evaluation in enumerate(other.step.after):
                if quantity.key in evaluation.values and self.matches(
                    stated, evaluation.values[quantity.key]
                ):
                    own = self.truth.step.after[index].values[quantity.key]
                    if own != evaluation.values[quantity.key]:
                        return {}
        return None

    def update_value(
        self, stated: Number, quantity: Quantity | None, rate: bool, gradient: bool
    ) -> dict | None:
        """p − g (η left out, `rate` False) or p (no step, `gradient` False) for p⁺."""
        if quantity is None or quantity.kind != "updated":
            return None
        step = self.truth.step
        name = quantity.name[:-1]
        p, g = step.parameters[name], step.gradients[name]
        value = p - (step.learning_rate if rate else 1) * g if gradient else p
        return {} if self.matches(stated, value) else None

    def swapped_in_gradient(self, stated: Number, quantity: Quantity | None) -> dict | None:
        """A gradient with target and output swapped in each ∂E_k/∂out_k."""
        if quantity is None or quantity.kind != "derivative" or quantity.key is None:
            return None
        if not self.matches(stated, self.variant("swapped_target").get(quantity.key)):
            return None
        sign = self.matches(stated, -ctx.mpf(self.evidence.true))
        return {"flip": " (so the sign is flipped)" if sign else ""}

    def times_rate(self, stated: Number, quantity: Quantity | None) -> dict | None:
        """η·∂E/∂p written for ∂E/∂p."""
        if quantity is None or quantity.kind != "derivative" or quantity.key is None:
            return None
        value = self.truth.step.learning_rate * ctx.mpf(self.evidence.true)
        return {} if self.matches(stated, value) else None

    def sign(self, stated: Number, quantity: Quantity | None) -> dict | None:
        """−x for x."""
        true = self.evidence.true
        return {} if true is not None and self.matches(stated, -ctx.mpf(true)) else None

    def other_quantity(self, stated: Number, quantity: Quantity | None) -> dict | None:
        """Another quantity's value (the nearest of the same pass and family)."""
        return self.named_words(stated, str(quantity) if quantity else "")

    def typo_of_true(self, stated: Number, quantity: Quantity | None, rule: Typo) -> dict | None:
        """A typing slip of the true value."""
        true = self.evidence.true
        return None if true is None else rule.find(stated, ctx.mpf(true), self.precision)

    def number_is(self, number: Number, true, exclude: str = "") -> str:
        """What else a wrong number is: another quantity's value, or a typo of the right one."""
        named = self.named_value(number, exclude)
        if named:
            return named
        return typo(number, true, self.precision) if true is not None else ""

    def named_value(self, number: Number, exclude: str) -> str:
        """ "this is the value of …" for the quantity whose value the number is (or "")."""
        words = self.named_words(number, exclude)
        return OTHER_VALUE.format(**words) if words else ""

    def named_words(self, number: Number, exclude: str) -> dict | None:
        if number.digits < MIN_DIGITS_FOR_MATCH and number.value.normalize() not in (
            self.precision.exact
        ):
            return None
        half = float(self.precision.half_unit(number)) * (1 + 1e-9)
        index = self.truth.index
        value = float(number.value)
        keys = [entry[0] for entry in index]
        low, high = bisect_left(keys, value - half), bisect_right(keys, value + half)
        phase = self.evidence.context.phase
        names = [(abs(v - value), name, p) for v, name, p in index[low:high] if name != exclude]
        if not names:
            return None
        names.sort(key=lambda e: (e[2] != phase, _kind(e[1]) != _kind(exclude), e[0]))
        _, name, found_phase = names[0]
        where = (
            ""
            if found_phase == phase or _constant(name)
            else (" after the update" if found_phase == "after" else " before the update")
        )
        return {"name": name, "where": where}

    def variant(self, name: str) -> dict:
        """A slip's backward pass for this claim's sample (nothing for the batch's values)."""
        quantity = self.evidence.quantity
        batch = self.truth.samples > 1 and quantity is not None and quantity.kind == "updated"
        if batch or (quantity is not None and quantity.is_batch):
            return {}
        return self.truth.variant(name, self.evidence.sample)

    def _context(self) -> Context:
        return dataclasses.replace(self.evidence.context, sample=self.evidence.sample + 1)

    # -- a number put into a formula ------------------------------------------------------
    def explain_substitution(self) -> str:
        evidence = self.evidence
        text = self.substituted_input()
        if evidence.result_ok:
            text += "; the result is right"
        return text

    # -- arithmetic -------------------------------------------------------------------------
    def explain_arithmetic(self) -> str:
        evidence = self.evidence
        stated, source, previous = evidence.stated, evidence.source, evidence.previous
        if stated is None or source is None or previous is None:
            return ""
        written_result = self.written(stated, previous.value)
        operator = self.operator_typo(source, evidence.link)
        suffix = " (the result is right)" if evidence.result_ok else ""
        if operator:
            return operator + suffix
        if not evidence.result_ok and evidence.quantity is not None:
            found = self.what_it_is(stated, evidence.quantity)
            if found:
                return found
        slip = typo(stated, ctx.mpf(previous.value), self.precision)
        if slip:
            return slip
        if self.matches(stated, -ctx.mpf(previous.value)):
            return "the sign is flipped"
        shown = " ".join(source.text.split())
        if len(shown) > 60:
            shown = "the previous step"
        return f"{shown} gives {written_result}, not {stated.text}{suffix}"

    def operator_typo(self, source: Link, target: Link | None) -> str:
        """``+`` typed where ``×`` (or another operator) gives the next link's value."""
        if target is None or target.node is None:
            return ""
        goal = evaluate(target.node, _no_names, self.precision.uncertainty)
        if goal is None:
            return ""
        tokens = list(source.tokens)
        for index, token in enumerate(tokens):
            if token.kind != "op" or token.text not in "+-*/" or not _binary(tokens, index):
                continue
            for other in "+-*/":
                if other == token.text:
                    continue
                changed = [*tokens[:index], token._replace(text=other), *tokens[index + 1 :]]
                parsed = parse(changed, 0)
                if parsed is None or parsed[1] != len(changed):
                    continue
                value = evaluate(parsed[0], _no_names, self.precision.uncertainty)
                if value is not None and _consistent(value, goal):
                    return (
                        f"'{_symbol(token.text)}' was typed where "
                        f"'{_symbol(other)}' gives the value written next"
                    )
        return ""

    # -- formulas ---------------------------------------------------------------------------
    def explain_formula(self) -> str:
        evidence = self.evidence
        link, written, true = evidence.link, evidence.previous, evidence.true
        if link is None or link.node is None or written is None or true is None:
            return ""
        for rule in FORMULA_RULES:
            words = rule.find(self, link.node, written.value, float(true))
            if words is not None:
                return rule.wording.format(**words)
        return ""

    def formula_slip(self, node: Node, written: float, true: float, slip: Slip) -> dict | None:
        """The formula's value is what the declared `slip` produces (see `SLIPS`)."""
        quantity = self.evidence.quantity
        if quantity is None:
            return None
        for value, words in slip.counterfactuals(self.truth, quantity, self.evidence.sample):
            if value is not None and _close(written, float(value)):
                return words
        return None

    def lookup(self, replaced: dict[int, object] | None = None) -> Callable:
        context, sample = self.evidence.context, self.evidence.sample

        def value_of(node: Name | Derivative) -> Value | None:
            if replaced and node.start in replaced:
                value = replaced[node.start]
            else:
                value = name_value(self.truth, node, context, sample)
            return None if value is None else Value(float(value), 0.0)

        return value_of

    def swapped_target(self, node: Node, written: float, true: float) -> dict | None:
        """``-(out_{o1} - target_{o1})`` for ``-(target_{o1} - out_{o1})``."""
        naming, replaced = self.truth.naming, {}
        for name in names_in(node):
            quantity = naming.quantity(name.atom) if isinstance(name, Name) else None
            if quantity is None or quantity.kind not in ("target", "out"):
                continue
            neuron = quantity.name.split("_", 1)[1]
            swap = "out" if quantity.kind == "target" else "target"
            other = Quantity(swap, f"{swap}_{neuron}", Symbol(f"{swap}_{neuron}"))
            values = self.truth.values(other, self._context())
            if neuron.startswith("o") and len(values) == 1:
                replaced[name.start] = values[0]
        if not replaced:
            return None
        changed = evaluate(node, self.lookup(replaced), self.precision.uncertainty)
        return {} if changed is not None and _close(changed.value, true) else None

    def swapped_name(self, node: Node, written: float, true: float) -> dict | None:
        """One name written where another of the same kind belongs."""
        naming = self.truth.naming
        for name in names_in(node):
            if not isinstance(name, Name):
                continue
            quantity = naming.quantity(name.atom)
            if quantity is None:
                continue
            for other, value in self.alternatives(quantity):
                lookup = self.lookup({name.start: value})
                changed = evaluate(node, lookup, self.precision.uncertainty)
                if changed is None or not _close(changed.value, true):
                    continue
                if not self.holds_when_swapped(node, name, other):
                    continue
                return {"which": _occurrence(node, name), "name": quantity, "other": other}
        return None

    def holds_when_swapped(self, node: Node, name: Name, other: str) -> bool:
        """The corrected formula also holds in the perturbed copy of the network."""
        perturbed = self.truth.perturbed_truth
        quantity = self.evidence.quantity
        if perturbed is None or quantity is None:
            return True
        context, sample = self.evidence.context, self.evidence.sample
        replacement = perturbed.naming.quantity(_atom_of(other))
        if replacement is None:
            return True
        values = perturbed.values(replacement, self._context())
        goal = perturbed.values(quantity, self._context())
        if len(values) != 1 or not goal:
            return True

        def value_of(node_: Name | Derivative) -> Value | None:
            if node_.start == name.start:
                return Value(float(values[0]), 0.0)
            value = name_value(perturbed, node_, context, sample)
            return None if value is None else Value(float(value), 0.0)

        changed = evaluate(node, value_of, self.precision.uncertainty)
        return changed is not None and any(_close(changed.value, float(g)) for g in goal)

    def alternatives(self, quantity: Quantity) -> Iterator[tuple[str, object]]:
        """Other quantities of the same kind, with their values in this context."""
        network = self.truth.network
        candidates: list[Quantity] = []
        if quantity.is_parameter:
            candidates = [
                Quantity("weight" if p.is_weight else "bias", p.name, p.symbol)
                for p in network.parameters
            ]
        elif quantity.kind in ("input", "out", "net"):
            kind = quantity.kind
            for layer in network.layers:
                for neuron in layer:
                    if neuron.is_input:
                        candidates.append(Quantity("input", neuron.name, neuron.out))
                    elif kind in ("out", "input"):
                        candidates.append(Quantity("out", f"out_{neuron.name}", neuron.out))
                    else:
                        candidates.append(Quantity("net", f"net_{neuron.name}", neuron.net))
        elif quantity.kind == "target":
            candidates = [
                Quantity("target", f"target_{o.name}", network.target(o))
                for o in network.output_layer
            ]

        for candidate in candidates:
            if candidate.name == quantity.name:
                continue
            values = self.truth.values(candidate, self._context())
            if len(values) == 1:
                yield candidate.name, values[0]

    def rate_missing(self, node: Node, written: float, true: float) -> dict | None:
        """p − ∂E/∂p for p⁺ = p − η·∂E/∂p."""
        quantity, step = self.evidence.quantity, self.truth.step
        if quantity is None or quantity.kind != "updated":
            return None
        name = quantity.name[:-1]
        return {} if _close(written, float(step.parameters[name] - step.gradients[name])) else None

    def factor_missing(self, node: Node, written: float, true: float) -> dict | None:
        """The true value divided by one activation derivative ∂out/∂net (σ' left out)."""
        if self.evidence.quantity is None:
            return None
        values = self.truth.step.before[self.evidence.sample].values
        for record in self.truth.locals_of_kind("activation"):
            factor = values.get(record.label)
            if factor is not None and _close(written * float(factor), true):
                return {"label": _key_label(record.label)}
        return None

    def formula_activation(self, node: Node, written: float, true: float) -> dict | None:
        """A gradient's formula worked out with another activation's derivative."""
        quantity = self.evidence.quantity
        if quantity is None or quantity.key is None or quantity.kind != "derivative":
            return None
        key = quantity.key
        return self.activation_mixup(
            lambda values: values.get(key) is not None and _close(written, float(values[key]))
        )

    def bias_missing(self, node: Node, written: float, true: float) -> dict | None:
        """A net input's sum without its bias term."""
        quantity, truth = self.evidence.quantity, self.truth
        if quantity is None or quantity.kind != "net":
            return None
        for p in truth.network.parameters:
            if not p.is_weight and _close(written + float(truth.step.parameters[p.name]), true):
                return {"bias": p.name}
        return None

    def formula_sign(self, node: Node, written: float, true: float) -> dict | None:
        """−x for x."""
        return {} if _close(written, -true) else None

    def formula_value(self, node: Node, written: float, true: float) -> dict | None:
        """No known slip: the formula's value with the network's numbers, said as it is."""
        return {"written": f"{written:.9g}", "true": f"{true:.9g}"}

    def formula_of_other(self, node: Node, written: float, true: float) -> dict | None:
        """Another quantity's value (of the same pass) is what the formula gives."""
        index = self.truth.index
        keys = [entry[0] for entry in index]
        tolerance = 1e-9 * max(1.0, abs(written))
        low, high = bisect_left(keys, written - tolerance), bisect_right(keys, written + tolerance)
        phase = self.evidence.context.phase
        exclude = str(self.evidence.quantity) if self.evidence.quantity else ""
        for _, name, found_phase in index[low:high]:
            if name != exclude and found_phase == phase and not _constant(name):
                return {"name": name}
        return None


# -- typing slips --------------------------------------------------------------------------------
@dataclass(frozen=True)
class Typo:
    """One typing slip, declared: `find(stated, true, precision)` returns the fields of
    `wording` when the slip turns the true value into the stated number, else None."""

    code: str
    name: str
    wording: str
    find: Callable[[Number, object, Precision], dict | None]


def _point_moved(stated: Number, true, precision: Precision) -> tuple[int, Number] | None:
    """The nearest shift of the decimal point (direction, shifted number) giving the true value."""
    for shift in range(1, 13):
        for direction in (1, -1):
            moved = _shifted(stated, direction * shift)
            if precision.agrees(moved, [true]):
                return direction, moved
    return None


def _zero_point_lost(stated: Number, true, precision: Precision) -> dict | None:
    """-21707153 for −0.21707153: "0." not typed."""
    found = _point_moved(stated, true, precision)
    if found is None or found[0] != 1 or "." in stated.text or abs(true) >= 1:
        return None
    return {"written": stated.text, "meant": found[1].text}


def _point_misplaced(stated: Number, true, precision: Precision) -> dict | None:
    """0.5933 written 5.933: the decimal point moved."""
    found = _point_moved(stated, true, precision)
    if found is None or _zero_point_lost(stated, true, precision) is not None:
        return None
    return {"written": stated.text, "meant": found[1].text}


def _digits_swapped(stated: Number, true, precision: Precision) -> dict | None:
    """0.056234 for 0.056324: two neighbouring digits exchanged."""
    if _point_moved(stated, true, precision) is not None:
        return None
    expected = _plain(precision.expected(stated, true))
    if not _swapped(stated.text, expected):
        return None
    return {"written": stated.text, "meant": expected}


def _digit_dropped(stated: Number, true, precision: Precision) -> dict | None:
    """0.59327 for 0.593269: one digit of the next longer rounding left out."""
    if _point_moved(stated, true, precision) is not None:
        return None
    longer = precision.expected(_shifted_places(stated, -1), true)
    if longer is None or not _dropped(stated.text, _plain(longer)):
        return None
    return {"written": stated.text, "meant": _plain(longer)}


TYPOS: tuple[Typo, ...] = (
    Typo("T1", "0. missing", "a typo: '0.' is missing, {written} for {meant}", _zero_point_lost),
    Typo(
        "T2",
        "decimal point",
        "a typo: the decimal point is misplaced, {written} for {meant}",
        _point_misplaced,
    ),
    Typo(
        "T3", "digits swapped", "a typo: two digits swapped, {written} for {meant}", _digits_swapped
    ),
    Typo("T4", "digit dropped", "a typo: a digit dropped, {written} for {meant}", _digit_dropped),
)


def typo(stated: Number, true, precision: Precision) -> str:
    """The first declared typing slip (`TYPOS`) that turns the true value into the stated
    one, in words (or "")."""
    if true is None:
        return ""
    true = ctx.mpf(true)
    for slip in TYPOS:
        words = slip.find(stated, true, precision)
        if words is not None:
            return slip.wording.format(**words)
    return ""


# -- the explanations of a wrong number, declared --------------------------------------------
@dataclass(frozen=True)
class Rule:
    """One explanation of a wrong number or formula, declared the way ruff declares a rule:
    a code, a name, the counterfactual it computes (`find`, whose docstring says which), and
    its wording. `find` returns the fields of `wording` when what the writer wrote is what
    the slip produces, else None: ``find(explainer, stated, quantity)`` for a number
    (`RULES`), ``find(explainer, node, written, true)`` for a formula (`FORMULA_RULES`).
    Each tuple is looped over in one place (`_Explainer.what_it_is`,
    `_Explainer.explain_formula`); the first that finds wins, so the order is specific first.
    """

    code: str
    name: str
    wording: str
    find: Callable[..., dict | None]


OTHER_VALUE = "this is the value of {name}{where}"
OTHER_ACTIVATION = "this uses the derivative of {other}; layer {layer} uses {actual}"


def _slip_rule(code: str, slip: Slip) -> Rule:
    return Rule(code, slip.name, slip.wording, partial(_Explainer.declared_slip, slip=slip))


def _typo_rule(code: str, slip: Typo) -> Rule:
    return Rule(code, slip.name, slip.wording, partial(_Explainer.typo_of_true, rule=slip))


_E = _Explainer
RULES: tuple[Rule, ...] = (
    Rule("D01", "carried", "it carries the wrong value of {named}", _E.carried),
    *(_slip_rule(f"D0{2 + k}", slip) for k, slip in enumerate(SLIPS)),
    Rule("D05", "biases updated", "the biases were updated too (this spec keeps them fixed)",
         partial(_E.bias_variant, updated=True)),
    Rule("D06", "biases fixed", "the biases were kept fixed (this spec updates them)",
         partial(_E.bias_variant, updated=False)),
    Rule("D07", "misplaced input", "{label} is {right}, not {written}{reason}", _E.misplaced_input),
    Rule("D08", "sigmoid exponent sign", "the minus sign in the exponent is lost: "
         "1/(1 + e^net) is 1 − σ(net), not σ(net) = 1/(1 + e^−net)", _E.sigmoid_sign),
    Rule("D09", "weight matrix transposed", "the weights leaving {source} were used instead "
         "of those entering {neuron} (the weight matrix transposed)", _E.transposed_weights),
    Rule("D10", "off by one update", "this is the value after {other} updates, not {steps}",
         _E.other_step_count),
    Rule("D11", "after the update",
         "this is the value after the update (with the updated weights)",
         partial(_E.other_phase, other="after")),
    Rule("D12", "before the update",
         "this is the value before the update (with the original weights)",
         partial(_E.other_phase, other="before")),
    Rule("D13", "gradient with updated weights",
         "this is the value with the updated weights (take every gradient first)",
         _E.gradient_after),
    Rule("D14", "hidden sum with updated weights",
         "the hidden sum used the updated weights; it takes the original ones "
         "(every gradient is taken before any update)",
         partial(_E.in_variant, variant="updated_weights", kind="derivative")),
    Rule("D15", "update with updated weights",
         "its gradient was computed with the updated weights in the hidden sum",
         partial(_E.in_variant, variant="updated_weights", kind="updated")),
    Rule("D16", "one sample for the batch", "this is the value of sample {sample} alone, "
         "not of the batch", partial(_E.other_sample, batch=True)),
    Rule("D17", "another sample", "this is the value for sample {sample}",
         partial(_E.other_sample, batch=False)),
    Rule("D18", "sum for mean", "this is the sum over the samples; the batch takes their mean",
         partial(_E.batch_mode, written="sum")),
    Rule("D19", "mean for sum", "this is the mean over the samples; the batch takes their sum",
         partial(_E.batch_mode, written="mean")),
    Rule("D20", "ReLU mask left out",
         "the mask of {title} is left out: where net ≤ 0 its derivative is {slope}, "
         "not 1 (layer {layer})",
         _E.without_layer_derivative),
    Rule("D21", "another activation", OTHER_ACTIVATION, _E.other_activation),
    Rule("D22", "update without η", "the learning rate η is missing from the update",
         partial(_E.update_value, rate=False, gradient=True)),
    Rule("D23", "update not made", "this is the value before the update",
         partial(_E.update_value, rate=True, gradient=False)),
    Rule("D24", "update without σ'", "its gradient lacks the activation derivative ∂out/∂net",
         partial(_E.in_variant, variant="without_activation", kind="updated")),
    Rule("D25", "σ' missing", "the activation derivative ∂out/∂net is missing",
         partial(_E.in_variant, variant="without_activation", kind="derivative")),
    Rule("D26", "target and output swapped", "target and output are swapped in ∂E/∂out{flip}",
         _E.swapped_in_gradient),
    Rule("D27", "gradient times η", "this is the gradient multiplied by the learning rate η",
         _E.times_rate),
    Rule("D28", "sign", "the sign is flipped", _E.sign),
    Rule("D29", "another quantity's value", OTHER_VALUE, _E.other_quantity),
    *(_typo_rule(f"D{30 + k}", slip) for k, slip in enumerate(TYPOS)),
)  # fmt: skip


def _formula_slip_rule(code: str, slip: Slip) -> Rule:
    return Rule(code, slip.name, slip.wording, partial(_Explainer.formula_slip, slip=slip))


#: the explanations of a wrong formula: `find(explainer, node, written, true)` with the
#: formula's value at the network's numbers (`written`) and the true value
FORMULA_RULES: tuple[Rule, ...] = (
    *(_formula_slip_rule(f"F0{1 + k}", slip) for k, slip in enumerate(SLIPS)),
    Rule("F04", "target and output swapped", "target and output are swapped", _E.swapped_target),
    Rule("F05", "a name for another", "{which}{name} is written where {other} belongs",
         _E.swapped_name),
    Rule("F06", "η missing", "the learning rate η is missing", _E.rate_missing),
    Rule("F07", "σ' missing", "the activation derivative {label} is missing", _E.factor_missing),
    Rule("F08", "another activation", OTHER_ACTIVATION, _E.formula_activation),
    Rule("F09", "bias missing", "the bias {bias} is missing", _E.bias_missing),
    Rule("F10", "sign", "the sign is flipped", _E.formula_sign),
    Rule("F11", "formula of another quantity", "it gives the value of {name} instead",
         _E.formula_of_other),
    Rule("F12", "formula value", "with the network's values it gives {written}, not {true}",
         _E.formula_value),
)  # fmt: skip


def _shifted(number: Number, shift: int) -> Number:
    """The number with its decimal point moved `shift` places to the left."""
    value = number.value.scaleb(-shift)
    text = _plain(value.quantize(Decimal(1).scaleb(number.places - shift)))
    return Number(text, value, number.places - shift, number.start, number.end)


def _shifted_places(number: Number, change: int) -> Number:
    return Number(number.text, number.value, number.places + change, number.start, number.end)


def _swapped(written: str, expected: str) -> bool:
    if len(written) != len(expected) or written == expected:
        return False
    differences = [i for i, (a, b) in enumerate(zip(written, expected, strict=True)) if a != b]
    if len(differences) != 2 or differences[1] != differences[0] + 1:
        return False
    i = differences[0]
    return written[i] == expected[i + 1] and written[i + 1] == expected[i]


def _dropped(written: str, expected: str) -> bool:
    if len(expected) != len(written) + 1:
        return False
    return any(
        expected[:i] + expected[i + 1 :] == written and expected[i].isdigit()
        for i in range(len(expected))
    )


def _plain(value: Decimal | None) -> str:
    if value is None:
        return "?"
    text = format(value, "f")
    return text


def _replace(node: Node, old: Number, new: Number) -> Node:
    """`node` with the number `old` (by position) replaced by `new`."""
    if isinstance(node, Number):
        return new if node.start == old.start and node.end == old.end else node
    if isinstance(node, Apply):
        args = tuple(_replace(arg, old, new) for arg in node.args)
        return dataclasses.replace(node, args=args)
    return node


def _binary(tokens: list, index: int) -> bool:
    """An operator between two operands (not the sign of what follows it)."""
    if index == 0:
        return False
    before = tokens[index - 1]
    return before.kind in ("num", "ident", "greek", "rparen", "rbrace", "sup", "sub", "percent")


def _no_names(node) -> None:
    return None


def _consistent(a: Value, b: Value) -> bool:
    scale = max(abs(a.value), abs(b.value), 1e-300)
    return abs(a.value - b.value) <= (a.error + b.error) * (1 + 1e-9) + 1e-12 * scale


def _close(a: float, b: float) -> bool:
    return abs(a - b) <= 1e-9 * max(1.0, abs(a), abs(b))


def _symbol(op: str) -> str:
    return {"*": "×", "/": "÷", "-": "−"}.get(op, op)


def _constant(name: str) -> bool:
    """Spec values (weights, biases, inputs, targets, η) match other numbers by chance."""
    return name in ("eta", "alpha") or name.startswith(("i", "target_"))


def _kind(name: str) -> str:
    """The family of a quantity's name, to prefer a match of the same family."""
    if "/" in name:
        return "derivative"
    if name.endswith("+"):
        return "updated"
    if re.fullmatch(r"[wb]\d+", name):
        return "parameter"
    if name.startswith(("net_", "out_", "E")):
        return "forward"
    return "given"


def _occurrence(node: Node, name: Name) -> str:
    """ "the second " when the same name is written more than once in the formula."""
    same = [n for n in names_in(node) if isinstance(n, Name) and n.atom == name.atom]
    if len(same) < 2:
        return ""
    place = [n.start for n in same].index(name.start)
    return ("the first ", "the second ", "the third ", "the fourth ")[min(place, 3)]


def _atom_of(name: str):
    from derive.check.names import Atom

    return Atom(name)


def _key_label(key) -> str:
    if isinstance(key, SymDerivative):
        return f"d{key.expr}/d{key.variables[0]}"
    return str(key)


def _label(truth: Truth, node: Name | Derivative | None) -> str:
    if node is None:
        return "?"
    if isinstance(node, Name):
        quantity = truth.naming.quantity(node.atom)
    else:
        quantity = truth.naming.derivative(node.of, node.wrt)
    return str(quantity) if quantity else str(node)
