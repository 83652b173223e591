"""Shared fixtures: the presets' raw data, and paths into the repository."""

from __future__ import annotations

import sys
import tomllib
from decimal import Decimal
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))


#: a network with one output (tanh hidden layer, linear output, shared biases): the case
#: where "each output's error, then their sum" and tables of outputs have a single column
ONE_OUTPUT_DATA = dict(
    layers=[2, 2, 1],
    activation=["tanh", "linear"],
    loss="half_sse",
    learning_rate=0.1,
    inputs=[0.3, -0.6],
    targets=[0.5],
    weights=[[[0.2, -0.4], [0.7, 0.1]], [[0.6, -0.3]]],
    bias="shared",
    biases=[0.1, -0.2],
)


def preset_data(name: str) -> dict:
    """A preset's TOML, read by the tests themselves (exact decimals)."""
    from derive.spec import preset_text

    return tomllib.loads(preset_text(name), parse_float=Decimal)


@pytest.fixture(params=["mazur", "russo"])
def preset(request) -> str:
    return request.param
