"""derive: backpropagation worked examples, derived symbolically and exactly.

The pipeline, one stage per module::

    spec.load_spec          TOML file or preset  → NetworkSpec (validated)
    model.build_network     NetworkSpec          → SymbolicNetwork (symbols, local equations)
    steps.derive            SymbolicNetwork      → Derivation (chain-rule records)
    numeric.train_step      Derivation           → TrainingStep (values, one update)
    document.build_document TrainingStep         → Document (format-free sections)
    render.render           Document             → Markdown (Jinja2 + math printer)
    export.result_json      TrainingStep         → JSON

`explain` runs all of it::

    >>> import derive
    >>> walkthrough = derive.explain("mazur")
    >>> round(walkthrough.to_json()["errors"]["total"], 9)
    0.298371109

`train` runs many steps of gradient descent (``derive.train("mazur", 10_000).render("md")``).

`check_document` (and `check_text`) read a derivation written by hand and point at every
wrong number, and why (the `derive.check` package)::

    >>> derive.check_text("w5+ = 0.35891648", "mazur").summary["wrong"]
    0
"""

from typing import Any

from derive.errors import DeriveError, SpecError
from derive.limits import Limits
from derive.spec import NetworkSpec, load_spec, preset_names, spec_from_mapping
from derive.version import __version__

#: imported when first used, so that `derive --help` and a refused spec never load SymPy,
#: and `derive explain` does not pay for the checker
_LAZY = {
    "Walkthrough": ("derive.walkthrough", "Walkthrough"),
    "Training": ("derive.walkthrough", "Training"),
    "build_walkthrough": ("derive.walkthrough", "build_walkthrough"),
    "explain": ("derive.walkthrough", "build_walkthrough"),
    "train_network": ("derive.walkthrough", "train_network"),
    "train": ("derive.walkthrough", "train_network"),
    "CheckReport": ("derive.check", "CheckReport"),
    "check_document": ("derive.check", "check_document"),
    "check_text": ("derive.check", "check_text"),
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        from importlib import import_module

        module, attribute = _LAZY[name]
        return getattr(import_module(module), attribute)
    raise AttributeError(f"module 'derive' has no attribute {name!r}")


__all__ = [
    "CheckReport",
    "DeriveError",
    "Limits",
    "NetworkSpec",
    "SpecError",
    "Training",
    "Walkthrough",
    "__version__",
    "build_walkthrough",
    "check_document",
    "check_text",
    "explain",
    "load_spec",
    "preset_names",
    "spec_from_mapping",
    "train",
    "train_network",
]
