"""Shared fixtures: the presets' raw data, and paths into the repository."""

from __future__ import annotations

import sys
import tomllib
from decimal import Decimal
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))


def preset_data(name: str) -> dict:
    """A preset's TOML, read by the tests themselves (exact decimals)."""
    from derive.spec import preset_text

    return tomllib.loads(preset_text(name), parse_float=Decimal)


@pytest.fixture(params=["mazur", "russo"])
def preset(request) -> str:
    return request.param
