"""Values at high precision, one training step's numbers, and the rounding policy.

Every quantity is computed with mpmath at `PRECISION` significant digits from the exact
decimal values of the spec, by evaluating the local equations and the chain-rule records
in order. Numbers are rounded only when shown, by `rounded`/`format_number`, the one
place that decides how a value is written.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import MAX_EMAX, MIN_EMIN, ROUND_HALF_UP, Context, Decimal
from functools import reduce

import mpmath
import sympy as sp
from sympy import Expr

from derive.activations import ALPHA
from derive.model import E_TOTAL, ETA, SymbolicNetwork
from derive.spec import Sample
from derive.steps import Derivation

PRECISION = 50
ctx = mpmath.MPContext()
ctx.dps = PRECISION
Value = mpmath.mpf


def number(value: Decimal | int | str) -> Value:
    """An exact decimal from a spec as a high-precision number."""
    return ctx.mpf(str(value))


def _function(name: str) -> Callable[..., Value]:
    return getattr(ctx, name)


def _heaviside(x: Value, at_zero: Value | None = None) -> Value:
    """H(x): 1 above 0, 0 below; at 0 the value SymPy gives it (½ unless stated)."""
    if x == 0:
        return ctx.mpf("0.5") if at_zero is None else at_zero
    return ctx.mpf(1) if x > 0 else ctx.mpf(0)


_FUNCTIONS: dict[str, Callable[..., Value]] = {
    "exp": _function("exp"),
    "log": _function("ln"),
    "tanh": _function("tanh"),
    "Max": max,
    "Min": min,
    "Heaviside": _heaviside,
}


def evaluate(
    expr: Expr, values: Mapping[Expr, Value], memo: dict[Expr, Value] | None = None
) -> Value:
    """The value of `expr` at high precision, with `values` for its quantities.

    Works on display forms and ordinary SymPy alike, and treats any key of `values`
    (a symbol, or a derivative such as ∂E_total/∂out_o1) as a quantity. Pass a `memo`
    for large expressions that share subexpressions (each is then evaluated once).
    """
    if expr in values:
        return values[expr]
    if memo is not None and expr in memo:
        return memo[expr]
    if isinstance(expr, sp.Float):
        return ctx.make_mpf(expr._mpf_)
    if isinstance(expr, sp.Rational):
        return ctx.mpf(expr.p) / expr.q
    if isinstance(expr, sp.Piecewise):
        return _piecewise(expr, values, memo)
    args = [evaluate(arg, values, memo) for arg in expr.args]
    if isinstance(expr, sp.Add):
        result = ctx.fsum(args)
    elif isinstance(expr, sp.Mul):
        result = reduce(operator.mul, args)
    elif isinstance(expr, sp.Pow):
        result = ctx.power(args[0], args[1])
    elif type(expr).__name__ in _FUNCTIONS:
        result = _FUNCTIONS[type(expr).__name__](*args)
    else:
        raise ValueError(f"cannot evaluate {expr!r} (unknown quantity or function)")
    if memo is not None:
        memo[expr] = result
    return result


def _piecewise(expr: sp.Piecewise, values: Mapping[Expr, Value], memo: dict | None) -> Value:
    """The first branch whose condition holds (conditions are comparisons or True)."""
    for branch, condition in expr.args:
        if condition == sp.true or _holds(condition, values, memo):
            return evaluate(branch, values, memo)
    raise ValueError(f"no branch of {expr} applies")


_COMPARISONS: dict[str, Callable[[Value, Value], bool]] = {
    "StrictGreaterThan": operator.gt,
    "GreaterThan": operator.ge,
    "StrictLessThan": operator.lt,
    "LessThan": operator.le,
}


def _holds(condition: Expr, values: Mapping[Expr, Value], memo: dict | None) -> bool:
    """Whether a condition holds: a comparison, or (after SymPy nests piecewise functions)
    And, Or, Not and ITE (if-then-else) of comparisons."""
    kind = type(condition).__name__
    if kind in _COMPARISONS:
        return _COMPARISONS[kind](*(evaluate(side, values, memo) for side in condition.args))
    if condition in (sp.true, sp.false):
        return condition == sp.true
    parts = condition.args
    if kind == "And":
        return all(_holds(p, values, memo) for p in parts)
    if kind == "Or":
        return any(_holds(p, values, memo) for p in parts)
    if kind == "Not":
        return not _holds(parts[0], values, memo)
    if kind == "ITE":
        chosen = parts[1] if _holds(parts[0], values, memo) else parts[2]
        return _holds(chosen, values, memo)
    raise ValueError(f"cannot decide the condition {condition}")


@dataclass(frozen=True)
class Evaluation:
    """The value of every quantity for one sample and one set of parameter values."""

    values: Mapping[Expr, Value]

    def __getitem__(self, quantity: Expr) -> Value:
        return self.values[quantity]

    @property
    def total(self) -> Value:
        return self.values[E_TOTAL]


@dataclass(frozen=True)
class TrainingStep:
    """One step of gradient descent: before, gradients, updated values, and after."""

    derivation: Derivation
    parameters: Mapping[str, Value]
    learning_rate: Value
    before: tuple[Evaluation, ...]
    gradients: Mapping[str, Value]
    updated: Mapping[str, Value]
    after: tuple[Evaluation, ...]

    @property
    def network(self) -> SymbolicNetwork:
        return self.derivation.network

    @property
    def loss_before(self) -> Value:
        """The loss the gradients are taken of: E_total, or its batch mean/sum."""
        return batch_combine(self.network.spec.batch, [e.total for e in self.before])

    @property
    def loss_after(self) -> Value:
        return batch_combine(self.network.spec.batch, [e.total for e in self.after])

    def is_updated(self, name: str) -> bool:
        """Whether gradient descent changes this parameter (biases only when asked)."""
        return self.network.by_name[name].is_weight or self.network.spec.update_biases


def forward(
    network: SymbolicNetwork, parameters: Mapping[str, Value], sample: Sample
) -> dict[Expr, Value]:
    """Evaluate net input, output, error terms and E_total, layer by layer."""
    values: dict[Expr, Value] = {
        ETA: number(network.spec.learning_rate),
        ALPHA: number(network.spec.leaky_relu_slope),
    }
    values.update({p.symbol: parameters[p.name] for p in network.parameters})
    values.update({n.out: number(x) for n, x in zip(network.inputs, sample.inputs, strict=True)})
    for o, t in zip(network.output_layer, sample.targets, strict=True):
        values[network.target(o)] = number(t)
    for layer in network.layers[1:]:
        # every net input of the layer first: a softmax output needs all of them
        for neuron in layer:
            values[neuron.net] = evaluate(network.net_inputs[neuron.net], values)
        for neuron in layer:
            values[neuron.out] = evaluate(network.outputs[neuron.out], values)
    for error, term in network.error_terms.items():
        values[error] = evaluate(term, values)
    values[E_TOTAL] = evaluate(network.total, values)
    return values


def backward(derivation: Derivation, values: dict[Expr, Value]) -> None:
    """Evaluate every chain-rule record in order, adding its label's value to `values`.

    The classic names of the same numbers are added too: ∂E_k/∂net_k for an output's
    delta, and each named term ∂E_k/∂out_j = ∂E_k/∂net_k · ∂net_k/∂out_j of a hidden sum.
    """
    for record in derivation.records:
        values[record.label] = evaluate(record.expression, values)
    for delta in derivation.deltas.values():
        values[delta.own_label] = values[delta.label]
    for sensitivity in derivation.sensitivities.values():
        for delta, link in sensitivity.terms:
            label = sensitivity.term_label(delta)
            if label is not None:
                values[label] = values[delta.label] * values[link.label]


def initial_parameters(network: SymbolicNetwork) -> dict[str, Value]:
    return {p.name: number(p.value) for p in network.parameters}


def train_step(
    derivation: Derivation, parameters: Mapping[str, Value] | None = None
) -> TrainingStep:
    """Forward pass, backward pass and one gradient-descent update, at high precision."""
    network = derivation.network
    parameters = dict(parameters or initial_parameters(network))
    rate = number(network.spec.learning_rate)
    before = []
    for sample in network.spec.samples:
        values = forward(network, parameters, sample)
        backward(derivation, values)
        before.append(Evaluation(values))
    gradients = _batch_gradients(derivation, before)
    step = TrainingStep(derivation, parameters, rate, tuple(before), gradients, {}, ())
    # p⁺ = p − η · ∂E_total/∂p
    updated = {
        name: value - rate * gradients[name] if step.is_updated(name) else value
        for name, value in parameters.items()
    }
    after = tuple(Evaluation(forward(network, updated, s)) for s in network.spec.samples)
    return TrainingStep(derivation, parameters, rate, tuple(before), gradients, updated, after)


def batch_combine(spec_batch: str, values: list[Value]) -> Value:
    """The batch value of per-sample values: their mean (``mean``) or their sum (``sum``)."""
    total = ctx.fsum(values)
    return total / len(values) if spec_batch == "mean" else total


def _batch_gradients(derivation: Derivation, evaluations: list[Evaluation]) -> dict[str, Value]:
    """The gradient of the batch loss: the mean (or sum) of the per-sample gradients."""
    batch = derivation.network.spec.batch
    return {
        g.parameter.name: batch_combine(batch, [e[g.label] for e in evaluations])
        for g in derivation.gradients
    }


#: Decimal arithmetic for showing values: mpmath's exponents are unbounded, so a
#: saturated sigmoid (e^(−10⁹) ≈ 10^(−434294482)) must not leave Decimal's default range
_SHOWING = Context(prec=PRECISION + 10, Emax=MAX_EMAX, Emin=MIN_EMIN, rounding=ROUND_HALF_UP)


def rounded(value: Value, digits: int) -> Decimal:
    """`value` rounded half up to `digits` significant digits, trailing zeros dropped."""
    if not ctx.isfinite(value):
        raise ValueError(f"cannot show the non-finite value {value}")
    exact = Decimal(ctx.nstr(value, PRECISION, strip_zeros=False, min_fixed=1, max_fixed=0))
    if exact == 0:
        return Decimal(0)
    quantum = _SHOWING.scaleb(Decimal(1), exact.adjusted() - digits + 1)
    result = exact.quantize(quantum, rounding=ROUND_HALF_UP, context=_SHOWING)
    return _SHOWING.normalize(result) if result != 0 else Decimal(0)


def format_number(value: Value, digits: int) -> tuple[str, int | None]:
    """How a value is written: (digits, None) in fixed notation, or (mantissa, exponent).

    Fixed notation from 0.0001 up to a million, as worked examples write them
    (0.000438568); scientific notation outside that range (3.51019 × 10⁻⁵).
    """
    result = rounded(value, digits)
    if result == 0:
        return "0", None
    exponent = result.adjusted()
    if -4 <= exponent < 6:
        return format(result, "f"), None
    mantissa = _SHOWING.normalize(_SHOWING.scaleb(result, -exponent))
    return format(mantissa, "f"), exponent


def plain(value: Value, digits: int) -> str:
    """A value as plain text (``3.51019e-05`` style outside the fixed range)."""
    text, exponent = format_number(value, digits)
    return text if exponent is None else f"{text}e{exponent:+03d}"
