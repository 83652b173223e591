"""The Python API: the package docstring's examples run, and each public name is there."""

from __future__ import annotations

import doctest

import derive


def test_package_docstring_examples_run():
    result = doctest.testmod(derive)
    assert result.attempted >= 3 and result.failed == 0


def test_public_names_resolve():
    for name in derive.__all__:
        assert getattr(derive, name) is not None, name


def test_train_from_python_matches_the_command_line_shape():
    run = derive.train("mazur", 10)
    data = run.to_json()
    assert data["steps"] == 10 and data["history"][0]["step"] == 0
    assert data["final"]["errors"]["total"] < data["history"][0]["total"]
