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


def activate(name: str, nets: list, slope) -> list:
    """The outputs of one layer for its net inputs (textbook definitions)."""
    if name == "sigmoid":
        return [sigmoid(x) for x in nets]
    if name == "tanh":
        return [mp.tanh(x) for x in nets]
    if name == "relu":
        return [x if x > 0 else mp.mpf(0) for x in nets]
    if name == "leaky_relu":
        return [x if x > 0 else slope * x for x in nets]
    if name == "linear":
        return list(nets)
    if name == "softmax":
        top = max(nets)
        exps = [mp.exp(x - top) for x in nets]
        return [e / mp.fsum(exps) for e in exps]
    raise ValueError(name)


def activation_jacobian(name: str, nets: list, outs: list, slope) -> list[list]:
    """J[k][j] = ∂out_k/∂net_j (diagonal for the elementwise activations)."""
    n = len(nets)
    if name == "softmax":
        return [[outs[k] * ((1 if k == j else 0) - outs[j]) for j in range(n)] for k in range(n)]
    derivative = {
        "sigmoid": lambda x, o: o * (1 - o),
        "tanh": lambda x, o: 1 - o * o,
        "relu": lambda x, o: mp.mpf(1) if x > 0 else mp.mpf(0),
        "leaky_relu": lambda x, o: mp.mpf(1) if x > 0 else slope,
        "linear": lambda x, o: mp.mpf(1),
    }[name]
    return [
        [derivative(nets[k], outs[k]) if k == j else mp.mpf(0) for j in range(n)] for k in range(n)
    ]


def loss_terms(name: str, outs: list, targets: list) -> list:
    """Each output's own term of the loss."""
    n = len(outs)
    ts = [num(t) for t in targets]
    if name == "half_sse":
        return [(t - o) ** 2 / 2 for t, o in zip(ts, outs)]
    if name == "sse":
        return [(t - o) ** 2 for t, o in zip(ts, outs)]
    if name == "mse":
        return [(t - o) ** 2 / n for t, o in zip(ts, outs)]
    if name == "cross_entropy":
        return [-t * mp.log(o) for t, o in zip(ts, outs)]
    if name == "binary_cross_entropy":
        return [-(t * mp.log(o) + (1 - t) * mp.log(1 - o)) for t, o in zip(ts, outs)]
    raise ValueError(name)


def loss_gradient(name: str, outs: list, targets: list) -> list:
    """∂E_total/∂out_k."""
    n = len(outs)
    ts = [num(t) for t in targets]
    if name == "half_sse":
        return [o - t for t, o in zip(ts, outs)]
    if name == "sse":
        return [2 * (o - t) for t, o in zip(ts, outs)]
    if name == "mse":
        return [2 * (o - t) / n for t, o in zip(ts, outs)]
    if name == "cross_entropy":
        return [-t / o for t, o in zip(ts, outs)]
    if name == "binary_cross_entropy":
        return [-t / o + (1 - t) / (1 - o) for t, o in zip(ts, outs)]
    raise ValueError(name)


@dataclass
class Net:
    """sizes, weights[l][j][k], biases[l][j] (one value per neuron, zero when absent)."""

    sizes: list[int]
    weights: list[list[list]]
    biases: list[list]
    activations: tuple = ()
    loss: str = "half_sse"
    slope: object = None

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
        activation = data.get("activation", "sigmoid")
        activations = (
            (activation,) * (len(sizes) - 1) if isinstance(activation, str) else tuple(activation)
        )
        slope = num(data.get("leaky_relu_slope", "0.01"))
        return cls(sizes, weights, biases, activations, data.get("loss", "half_sse"), slope)


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
        outs.append(
            activate(net.activations[l] if net.activations else "sigmoid", layer_net, net.slope)
        )
    return nets, outs


def errors(outs_last, targets, loss: str = "half_sse") -> list:
    return loss_terms(loss, outs_last, targets)


def total_error(net: Net, inputs, targets):
    _, outs = forward(net, inputs)
    return mp.fsum(errors(outs[-1], targets, net.loss))


def batch_error(net: Net, samples: list, batch: str):
    """The loss of a batch: the mean or the sum of the samples' total errors."""
    total = mp.fsum(total_error(net, s["inputs"], s["targets"]) for s in samples)
    return total / len(samples) if batch == "mean" else total


def backprop(net: Net, inputs, targets) -> dict:
    """Textbook backpropagation: deltas from the output layer down, then gradients."""
    nets, outs = forward(net, inputs)
    depth = len(net.weights)
    deltas = [None] * (depth + 1)
    activations = net.activations or ("sigmoid",) * depth
    # δ_L = Jᵀ · ∂E/∂out ;  δ_l = Jᵀ · (W_{l+1}ᵀ δ_{l+1})
    upstream = loss_gradient(net.loss, outs[depth], targets)
    for l in range(depth, 0, -1):
        jac = activation_jacobian(activations[l - 1], nets[l], outs[l], net.slope)
        n = net.sizes[l]
        deltas[l] = [mp.fsum(jac[k][j] * upstream[k] for k in range(n)) for j in range(n)]
        if l > 1:
            upstream = [
                mp.fsum(net.weights[l - 1][k][j] * deltas[l][k] for k in range(net.sizes[l]))
                for j in range(net.sizes[l - 1])
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


#: what Matt Mazur's post prints for the error after the first update, carried through
#: its rounded intermediate values; the exact figure differs from the 7th digit on
PUBLISHED_E_TOTAL_AFTER = Decimal("0.291027924")


def classic_figures() -> dict[str, Decimal]:
    """The figures of the classic 2-2-2 example at 9 digits (Matt Mazur's post).

    The first four are as the post prints them. The fifth is not: the post prints
    `PUBLISHED_E_TOTAL_AFTER`, and 0.291027774 is the exact error after the update, as
    this module's 60-digit `reference_step` computes it (test_presets checks that it does).
    """
    return {
        "E_total": Decimal("0.298371109"),
        "dE/dw5": Decimal("0.082167041"),
        "w5+": Decimal("0.35891648"),
        "w1+": Decimal("0.149780716"),
        "E_total after (exact)": Decimal("0.291027774"),
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


def _samples(data: dict) -> list[dict]:
    if "samples" in data:
        return list(data["samples"])
    return [{"inputs": data["inputs"], "targets": data["targets"]}]


def _sample_gradients(net: Net, sample: dict, mode: str) -> tuple[dict, list]:
    """Every parameter's gradient for one sample (derive's names), and the deltas."""
    result = backprop(net, sample["inputs"], sample["targets"])
    gradients = {f"w{i + 1}": g for i, g in enumerate(flat_weights(result["weights"]))}
    deltas = result["deltas"]
    if mode == "shared":
        for l in range(1, len(net.sizes)):
            gradients[f"b{l}"] = mp.fsum(deltas[l])
    elif mode == "per_neuron":
        count = 0
        for l in range(1, len(net.sizes)):
            for j in range(net.sizes[l]):
                count += 1
                gradients[f"b{count}"] = deltas[l][j]
    return gradients, result


def _parameters(net: Net, mode: str) -> dict:
    params = {f"w{i + 1}": w for i, w in enumerate(flat_weights(net.weights))}
    if mode == "shared":
        for l in range(1, len(net.sizes)):
            params[f"b{l}"] = net.biases[l - 1][0]
    elif mode == "per_neuron":
        count = 0
        for l in range(1, len(net.sizes)):
            for j in range(net.sizes[l]):
                count += 1
                params[f"b{count}"] = net.biases[l - 1][j]
    return params


def reference_step(data: dict) -> dict:
    """Everything one training step produces, keyed by derive's names, computed independently.

    With several samples the gradients are the mean (or sum) of the samples' gradients,
    and ``samples``/``after_samples`` hold each sample's forward pass and errors.
    """
    net = Net.from_spec_data(data)
    rate = num(data["learning_rate"])
    mode = data.get("bias", "shared" if "biases" in data else "none")
    batch = data.get("batch", "mean")
    samples = _samples(data)
    names = neuron_names(net.sizes)

    def layer_values(nets, outs):
        return {
            names[l][j]: {"net": nets[l][j], "out": outs[l][j]}
            for l in range(1, len(net.sizes))
            for j in range(net.sizes[l])
        }

    def error_values(outs, targets):
        terms = errors(outs[-1], targets, net.loss)
        values = {names[-1][j]: e for j, e in enumerate(terms)}
        values["total"] = mp.fsum(terms)
        return values

    per_sample = [_sample_gradients(net, s, mode) for s in samples]
    scale = mp.mpf(1) / len(samples) if batch == "mean" else mp.mpf(1)
    gradients = {name: scale * mp.fsum(g[name] for g, _ in per_sample) for name in per_sample[0][0]}
    params = _parameters(net, mode)
    update_biases = data.get("update_biases", False)
    updated = {
        name: value - rate * gradients[name] if name.startswith("w") or update_biases else value
        for name, value in params.items()
    }
    after_net = _with_parameters(net, updated, mode)
    passes, after_passes = [], []
    for sample, (_, result) in zip(samples, per_sample):
        passes.append(
            {
                "forward": layer_values(result["nets"], result["outs"]),
                "errors": error_values(result["outs"], sample["targets"]),
            }
        )
        after_nets, after_outs = forward(after_net, sample["inputs"])
        after_passes.append(
            {
                "forward": layer_values(after_nets, after_outs),
                "errors": error_values(after_outs, sample["targets"]),
            }
        )
    first = per_sample[0][1]
    return {
        "forward": passes[0]["forward"],
        "errors": passes[0]["errors"],
        "samples": passes,
        "loss": scale * mp.fsum(p["errors"]["total"] for p in passes),
        "gradients": gradients,
        "parameters": params,
        "updated": updated,
        "after_update": after_passes[0],
        "after_samples": after_passes,
        "loss_after": scale * mp.fsum(p["errors"]["total"] for p in after_passes),
        "deltas": {
            names[l][j]: first["deltas"][l][j]
            for l in range(1, len(net.sizes))
            for j in range(net.sizes[l])
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
    return Net(net.sizes, weights, biases, net.activations, net.loss, net.slope)
