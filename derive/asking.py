"""The quantities an exercise can ask for, by the names people write, and their values.

`--ask net_h1,dE/dw5,w1+,E_total+` names quantities the way a lecturer writes them; this
module maps each to one canonical name (``net_h1``, ``dE_total/dw5``, ``w1+``,
``delta_o1``, ``E_total+``), the SymPy expression the printers display, and its value in
one training step. ``∂E/∂w₅``, ``dE_total/dw_5``, ``w5⁺``, ``w5^+``, ``δ_o1`` and ``E+``
all reach the same quantity; an unknown name is refused with the closest known one.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass

from sympy import Derivative, Expr, Symbol

from derive.errors import UsageError
from derive.model import E_TOTAL
from derive.numeric import TrainingStep, Value


@dataclass(frozen=True)
class Asked:
    """One question: canonical `name`, the `expr` printers show, and its true `value`."""

    name: str
    expr: Expr
    value: Value
    kind: str  # forward, error, gradient, delta, updated, after


def quantities(step: TrainingStep) -> dict[str, Asked]:
    """Every quantity of a one-sample step a question may ask, by canonical name."""
    network = step.network
    values = step.before[0].values
    found: dict[str, Asked] = {}
    for layer in network.layers[1:]:
        for neuron in layer:
            for symbol in (neuron.net, neuron.out):
                found[symbol.name] = Asked(symbol.name, symbol, values[symbol], "forward")
    for error in network.error_terms:
        found[error.name] = Asked(error.name, error, values[error], "error")
    found["E_total"] = Asked("E_total", E_TOTAL, values[E_TOTAL], "error")
    for layer in network.layers[1:]:
        for neuron in layer:
            key = Derivative(E_TOTAL, neuron.net)
            if key in values:
                name = f"delta_{neuron.out.name[4:]}"
                found[name] = Asked(name, Symbol(name), values[key], "delta")
    for parameter in network.parameters:
        name = parameter.name
        key = Derivative(E_TOTAL, parameter.symbol)
        found[f"dE_total/d{name}"] = Asked(f"dE_total/d{name}", key, values[key], "gradient")
        if step.is_updated(name):
            found[f"{name}+"] = Asked(f"{name}+", Symbol(f"{name}+"), step.updated[name], "updated")
    found["E_total+"] = Asked("E_total+", Symbol("E_total+"), step.after[0].total, "after")
    return found


def squash(text: str) -> str:
    """A written name reduced to what tells quantities apart: ∂E/∂w₅ → de/dw5."""
    text = unicodedata.normalize("NFKC", text)  # ₅ → 5, ⁺ → +
    text = text.replace("∂", "d").replace("δ", "delta").replace("Δ", "delta")
    text = re.sub(
        r"\\(partial|mathrm|text|operatorname)", lambda m: "d" if m[1] == "partial" else "", text
    )
    text = re.sub(r"[\\{}$\s_^]", "", text).lower()
    text = re.sub(r"(new|')$", "+", text)
    return text


def aliases(name: str) -> list[str]:
    """The squashed forms a canonical name is known by."""
    forms = [squash(name)]
    if name.startswith("dE_total/"):
        forms.append(squash("dE/" + name[len("dE_total/") :]))
    if name == "E_total":
        forms.append("e")
    if name == "E_total+":
        forms.append("e+")
    if name.startswith("delta_"):
        forms.append(squash("dE/dnet_" + name[len("delta_") :]))
        forms.append(squash("dE_total/dnet_" + name[len("delta_") :]))
    return forms


def resolve(
    written: list[str] | tuple[str, ...], known: dict[str, Asked], option: str = "--ask"
) -> tuple[str, ...]:
    """The canonical names of the written ones, in order, once each; unknown → UsageError."""
    index: dict[str, str] = {}
    for name in known:
        for form in aliases(name):
            index.setdefault(form, name)
    names = []
    for text in written:
        canonical = index.get(squash(text))
        if canonical is None:
            close = difflib.get_close_matches(text.strip(), list(known), n=1, cutoff=0.5)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise UsageError(
                f"{option}: unknown quantity {text.strip()!r}{hint} "
                "(e.g. net_h1, out_o1, E_total, dE/dw5, delta_o1, w5+, E_total+)"
            )
        names.append(canonical)
    return tuple(dict.fromkeys(names))


def split_names(text: str) -> list[str]:
    """`--ask net_h1,dE/dw5 w1+` → its names (commas or spaces between them)."""
    return [part for part in re.split(r"[,\s]+", text) if part]
