"""Derivation → one compiled Python function for a forward and backward pass.

Training for thousands of steps cannot afford to walk SymPy trees at every step. The
local equations and chain-rule records are already a straight-line program (each refers
only to earlier ones), so they are printed once, in order, as Python assignments by
SymPy's code printers and compiled with `compile`. The same program runs on floats
(`math`) for speed or on mpmath numbers for the high-precision check.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from types import SimpleNamespace

import mpmath
import sympy as sp
from sympy import Expr
from sympy.printing.pycode import MpmathPrinter, PythonCodePrinter

from derive.activations import ALPHA
from derive.expr import evaluated
from derive.model import E_TOTAL
from derive.steps import Derivation

Pass = Callable[[Sequence, Sequence, Sequence], tuple[object, list]]


@dataclass(frozen=True)
class Kernel:
    """``run(parameters, inputs, targets) -> (E_total, gradients)``, parameters in `names` order."""

    names: tuple[str, ...]
    run: Pass
    source: str


def compile_kernel(derivation: Derivation, precision: str = "float") -> Kernel:
    """Print the whole pass as Python source once and compile it (``float`` or ``mpmath``)."""
    network = derivation.network
    variables: dict[Expr, sp.Symbol] = {}

    def name(quantity: Expr) -> sp.Symbol:
        return variables.setdefault(quantity, sp.Symbol(f"v{len(variables)}"))

    lines = ["def run(p, x, t):"]
    names = tuple(p.name for p in network.parameters)
    lines += [f"    {name(p.symbol)} = p[{i}]" for i, p in enumerate(network.parameters)]
    lines += [f"    {name(n.out)} = x[{i}]" for i, n in enumerate(network.inputs)]
    lines += [f"    {name(network.target(o))} = t[{i}]" for i, o in enumerate(network.output_layer)]
    constants = {ALPHA: network.spec.leaky_relu_slope}
    printer = (
        MpmathPrinter({"fully_qualified_modules": False})
        if precision == "mpmath"
        else PythonCodePrinter()
    )
    lines += [f"    {name(k)} = {_literal(v, precision)}" for k, v in constants.items()]

    def assign(quantity: Expr, expression: Expr) -> None:
        written = evaluated(expression).xreplace(variables)
        lines.append(f"    {name(quantity)} = {printer.doprint(written)}")

    for layer in network.layers[1:]:
        for neuron in layer:
            assign(neuron.net, network.net_inputs[neuron.net])
        for neuron in layer:
            assign(neuron.out, network.outputs[neuron.out])
    for error, term in network.error_terms.items():
        assign(error, term)
    assign(E_TOTAL, network.total)
    for record in derivation.records:
        assign(record.label, record.expression)
    gradients = ", ".join(str(variables[g.label]) for g in derivation.gradients)
    lines.append(f"    return {variables[E_TOTAL]}, [{gradients}]")
    source = "\n".join(lines) + "\n"
    scope = {"math": _FloatMath} if precision == "float" else _mpmath_scope()
    exec(compile(source, "<derive kernel>", "exec"), scope)
    return Kernel(names, scope["run"], source)


def _exp(x: float) -> float:
    try:
        return math.exp(x)
    except OverflowError:
        return math.inf


def _log(x: float) -> float:
    if x > 0:
        return math.log(x)
    return -math.inf if x == 0 else math.nan


#: `math` as IEEE arithmetic has it: e^x beyond the largest double is +inf (so a saturated
#: σ = 1/(1 + e^(10⁹)) is 0, as it should be) and log 0 is −inf, where Python's `math`
#: raises. A loss that becomes infinite or NaN is then caught by the trainer.
_FloatMath = SimpleNamespace(**{**vars(math), "exp": _exp, "log": _log})


def _literal(value: object, precision: str) -> str:
    return f"mpf('{value}')" if precision == "mpmath" else repr(float(value))


def _mpmath_scope() -> dict[str, object]:
    """The names the mpmath printer uses, bound to mpmath's functions."""
    return {name: getattr(mpmath, name) for name in ("mpf", "exp", "log", "tanh", "e")}
