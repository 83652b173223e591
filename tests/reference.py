"""An independent reference implementation of one backpropagation step, in mpmath.

Written from the textbook formulas with plain lists and loops; it shares no code with
derive, so the tests compare derive's numbers with a second computation, never with
derive's own output. It covers the networks of the core: sigmoid units, half squared
error, biases shared, per neuron or none.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import mpmath

mp = mpmath.MPContext()
mp.dps = 60


def num(x) -> mpmath.mpf:
    return mp.mpf(str(x))


def sigmoid(x):
    return 1 / (1 + mp.exp(-x))


@dataclass
class Net:
    """sizes, weights[l][j][k], biases[l][j] (one value per neuron, zero when absent)."""

    sizes: list[int]
    weights: list[list[list]]
    biases: list[list]

    @classmethod
    def from_spec_data(cls, data: dict) -> Net:
        sizes = list(data["layers"])
        weights = [[[num(w) for w in row] for row in m] for m in data["weights"]]
        mode = data.get("bias", "shared" if "biases" in data else "none")
        if mode == "none":
            biases = [[mp.mpf(0)] * sizes[l + 1] for l in range(len(sizes) - 1)]
        elif mode == "shared":
            biases = [[num(b)] * sizes[l + 1] for l, b in enumerate(data["biases"])]
        else:
            biases = [[num(b) for b in layer] for layer in data["biases"]]
        return cls(sizes, weights, biases)


def forward(net: Net, inputs) -> tuple[list[list], list[list]]:
    """nets[l][j] and outs[l][j]; layer 0 holds the inputs in outs (nets[0] empty)."""
    outs = [[num(x) for x in inputs]]
    nets = [[]]
    for l, matrix in enumerate(net.weights):
        layer_net = [
            mp.fsum(w * o for w, o in zip(row, outs[-1], strict=False)) + net.biases[l][j]
            for j, row in enumerate(matrix)
        ]
        nets.append(layer_net)
        outs.append([sigmoid(x) for x in layer_net])
    return nets, outs


def errors(outs_last, targets) -> list:
    return [(num(t) - o) ** 2 / 2 for t, o in zip(targets, outs_last, strict=False)]


def total_error(net: Net, inputs, targets):
    _, outs = forward(net, inputs)
    return mp.fsum(errors(outs[-1], targets))


def backprop(net: Net, inputs, targets) -> dict:
    """Textbook backpropagation: deltas from the output layer down, then gradients."""
    nets, outs = forward(net, inputs)
    depth = len(net.weights)
    deltas = [None] * (depth + 1)
    deltas[depth] = [(o - num(t)) * o * (1 - o) for o, t in zip(outs[depth], targets, strict=False)]
    for l in range(depth - 1, 0, -1):
        deltas[l] = [
            mp.fsum(net.weights[l][k][j] * deltas[l + 1][k] for k in range(net.sizes[l + 1]))
            * outs[l][j]
            * (1 - outs[l][j])
            for j in range(net.sizes[l])
        ]
    weight_grads = [
        [
            [deltas[l + 1][j] * outs[l][k] for k in range(net.sizes[l])]
            for j in range(net.sizes[l + 1])
        ]
        for l in range(depth)
    ]
    return {"nets": nets, "outs": outs, "deltas": deltas, "weights": weight_grads}


def flat_weights(matrices) -> list:
    """w1..wN in derive's numbering: layer by layer, destination first, then source."""
    return [w for m in matrices for row in m for w in row]


def finite_difference(f, x, h=None):
    """Central difference (f(x+h) − f(x−h)) / 2h at high precision."""
    h = h or mp.mpf(10) ** -20
    return (f(x + h) - f(x - h)) / (2 * h)


def classic_figures() -> dict[str, Decimal]:
    """The published figures of the 2-2-2 example, at 9 digits."""
    return {
        "E_total": Decimal("0.298371109"),
        "dE/dw5": Decimal("0.082167041"),
        "w5+": Decimal("0.35891648"),
        "w1+": Decimal("0.149780716"),
        "E_total after": Decimal("0.291027774"),
    }


def neuron_names(sizes: list[int]) -> list[list[str]]:
    """i1.., h1.. (h1_1, h2_1, … with several hidden layers), o1.."""
    names = []
    for l, size in enumerate(sizes):
        if l == 0:
            prefix = "i"
        elif l == len(sizes) - 1:
            prefix = "o"
        else:
            prefix = "h" if len(sizes) == 3 else f"h{l}_"
        names.append([f"{prefix}{j + 1}" for j in range(size)])
    return names


def reference_step(data: dict) -> dict:
    """Everything one training step produces, keyed by derive's names, computed independently."""
    net = Net.from_spec_data(data)
    inputs, targets = data["inputs"], data["targets"]
    rate = num(data["learning_rate"])
    mode = data.get("bias", "shared" if "biases" in data else "none")
    result = backprop(net, inputs, targets)
    names = neuron_names(net.sizes)

    def layer_values(nets, outs):
        return {
            names[l][j]: {"net": nets[l][j], "out": outs[l][j]}
            for l in range(1, len(net.sizes))
            for j in range(net.sizes[l])
        }

    def error_values(outs):
        terms = errors(outs[-1], targets)
        values = {names[-1][j]: e for j, e in enumerate(terms)}
        values["total"] = mp.fsum(terms)
        return values

    gradients = {f"w{i + 1}": g for i, g in enumerate(flat_weights(result["weights"]))}
    params = {f"w{i + 1}": w for i, w in enumerate(flat_weights(net.weights))}
    deltas = result["deltas"]
    if mode == "shared":
        for l in range(1, len(net.sizes)):
            gradients[f"b{l}"] = mp.fsum(deltas[l])
            params[f"b{l}"] = net.biases[l - 1][0]
    elif mode == "per_neuron":
        count = 0
        for l in range(1, len(net.sizes)):
            for j in range(net.sizes[l]):
                count += 1
                gradients[f"b{count}"] = deltas[l][j]
                params[f"b{count}"] = net.biases[l - 1][j]
    update_biases = data.get("update_biases", False)
    updated = {
        name: value - rate * gradients[name] if name.startswith("w") or update_biases else value
        for name, value in params.items()
    }
    after_net = _with_parameters(net, updated, mode)
    after_nets, after_outs = forward(after_net, inputs)
    return {
        "forward": layer_values(result["nets"], result["outs"]),
        "errors": error_values(result["outs"]),
        "gradients": gradients,
        "parameters": params,
        "updated": updated,
        "after_update": {
            "forward": layer_values(after_nets, after_outs),
            "errors": error_values(after_outs),
        },
        "deltas": {
            names[l][j]: deltas[l][j] for l in range(1, len(net.sizes)) for j in range(net.sizes[l])
        },
    }


def _with_parameters(net: Net, params: dict, mode: str) -> Net:
    """A copy of `net` with the named parameter values."""
    weights, count = [], 0
    for matrix in net.weights:
        rows = []
        for row in matrix:
            new_row = []
            for _ in row:
                count += 1
                new_row.append(params[f"w{count}"])
            rows.append(new_row)
        weights.append(rows)
    if mode == "shared":
        biases = [[params[f"b{l + 1}"]] * len(layer) for l, layer in enumerate(net.biases)]
    elif mode == "per_neuron":
        flat = iter(sorted((k for k in params if k.startswith("b")), key=lambda k: int(k[1:])))
        biases = [[params[next(flat)] for _ in layer] for layer in net.biases]
    else:
        biases = net.biases
    return Net(net.sizes, weights, biases)
