"""The code stays `ruff check` clean (ruff comes with the test extra)."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest
from conftest import ROOT


def test_ruff_check_is_clean():
    ruff = shutil.which("ruff") or shutil.which("ruff", path=str(ROOT / ".venv" / "bin"))
    command = [ruff] if ruff else [sys.executable, "-m", "ruff"]
    try:
        result = subprocess.run(
            [*command, "check", "derive", "tests", "bench"],
            cwd=ROOT,
            capture_output=True,
            text=True,
        )
    except FileNotFoundError:
        pytest.fail("ruff is not installed; install the test extra: pip install -e '.[test]'")
    assert result.returncode == 0, result.stdout + result.stderr
