"""`derive init`: a commented spec to start from, that validates as it stands.

A new user edits a file more readily than they write one: `init_text` gives a preset's
TOML (or a small template) with every key explained and an `[exercise]` table for
`derive exercise`. The text is validated before it is returned, so what `derive init`
writes is always a spec `derive explain` and `derive exercise` accept.
"""

from __future__ import annotations

import tomllib
from decimal import Decimal
from pathlib import Path

from derive.errors import UsageError
from derive.files import write_atomic
from derive.spec import _did_you_mean, preset_names, preset_text, spec_from_mapping

TEMPLATE = """\
# A network spec for derive: edit the values, then run
#   derive explain THIS_FILE              the worked example
#   derive exercise THIS_FILE -o sheets   one exercise sheet per student
title = "My 2-2-2 network"
layers = [2, 2, 2]          # sizes: inputs, hidden layer(s), outputs
activation = "sigmoid"      # or tanh, relu, leaky_relu, linear; a list gives one per layer
loss = "half_sse"           # E_total = sum of 1/2 (target - out)^2; or sse, mse, cross_entropy
learning_rate = 0.5
inputs = [0.05, 0.10]
targets = [0.01, 0.99]
# weights[l][j][k]: into layer l+1, destination neuron j, source neuron k
weights = [
  [[0.15, 0.20], [0.25, 0.30]],   # w1 w2 (into h1), w3 w4 (into h2)
  [[0.40, 0.45], [0.50, 0.55]],   # w5 w6 (into o1), w7 w8 (into o2)
]
bias = "shared"             # one bias per layer; or "per_neuron", or "none"
biases = [0.35, 0.60]
update_biases = false
digits = 9                  # significant digits shown in the walkthrough
"""

EXERCISE = """
# How `derive exercise` draws the variants of an exercise (every key is optional).
[exercise]
ask = {ask}     # the questions; names as people write them
vary = {vary}   # drawn anew per variant (of weights, inputs, targets, biases)
digits = 4                  # significant digits expected in the answers
grid = 0.05                 # every drawn value is a multiple of this
weights = [-0.9, 0.9]       # the range of each kind of value drawn
biases = [0.1, 0.9]
inputs = [0.05, 0.95]
targets = [0.05, 0.95]
allow_dead_relu = false     # redraw a variant where a ReLU neuron outputs 0
"""


def init_text(preset: str | None = None) -> str:
    """The commented spec of `preset` (or the small template), with an [exercise] table."""
    if preset is None:
        body = TEMPLATE
    elif preset in preset_names():
        body = preset_text(preset)
    else:
        hint = _did_you_mean(preset, preset_names())
        raise UsageError(f"no preset {preset!r}{hint} (presets: {', '.join(preset_names())})")
    text = body.rstrip("\n") + "\n" + EXERCISE.format(ask=_default_ask(body), vary=_vary(body))
    spec_from_mapping(tomllib.loads(text, parse_float=Decimal), where=preset or "template")
    return text


def _default_ask(body: str) -> str:
    """Four questions that fit the network: a net input, two gradients and an update."""
    layers = tomllib.loads(body)["layers"]
    first = "h1" if len(layers) == 3 else "h1_1" if len(layers) > 3 else "o1"
    last = len(layers) - 1
    weights = sum(layers[i] * layers[i + 1] for i in range(last))
    into_output = weights - layers[-1] * layers[-2] + 1
    names = [f"net_{first}", f"dE/dw{into_output}", "dE/dw1", "w1+"]
    return "[" + ", ".join(f'"{n}"' for n in dict.fromkeys(names)) + "]"


def _vary(body: str) -> str:
    """Weights, inputs and targets; a one-hot target of cross-entropy stays as it is."""
    one_hot = tomllib.loads(body).get("loss") == "cross_entropy"
    kinds = ["weights", "inputs"] if one_hot else ["weights", "inputs", "targets"]
    return "[" + ", ".join(f'"{k}"' for k in kinds) + "]"


def write_init(preset: str | None, output: str | Path, *, force: bool = False) -> Path:
    """Write the commented spec to `output`, refusing to overwrite a file unless `force`."""
    path = Path(output)
    if path.exists() and not force:
        raise UsageError(f"{path}: already exists (use --force to overwrite it)")
    if path.is_dir():
        raise UsageError(f"{path}: is a directory")
    write_atomic(path, init_text(preset))
    return path
