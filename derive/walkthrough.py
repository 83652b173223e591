"""The whole pipeline: spec → network → derivation → training step → document → text.

    spec = load_spec(source)              # TOML file or preset, validated
    network = build_network(spec)         # symbols and local equations
    derivation = derive(network)          # chain-rule records
    step = train_step(derivation)         # values at high precision, one update
    document = build_document(step, …)    # format-free sections and steps
    render(document, fmt)                 # Jinja2 template + math printer

`Walkthrough` keeps every stage so a program (or a notebook) can look at any of them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from derive.document import DETAILS, Document, build_document
from derive.errors import UsageError
from derive.export import result_json
from derive.files import write_atomic
from derive.model import SymbolicNetwork, build_network
from derive.numeric import TrainingStep, train_step
from derive.render import render
from derive.spec import NetworkSpec, load_spec
from derive.steps import Derivation, derive
from derive.verify import Verification, verify

FORMATS = ("md", "json")


@dataclass(frozen=True)
class Walkthrough:
    """One worked example: every stage of the pipeline, ready to render."""

    spec: NetworkSpec
    network: SymbolicNetwork
    derivation: Derivation
    step: TrainingStep
    verification: Verification | None = None
    detail: str = "full"
    digits: int | None = None

    @cached_property
    def document(self) -> Document:
        """The format-free walkthrough, laid out on first use (JSON does not need it)."""
        return build_document(
            self.step, detail=self.detail, digits=self.digits, verification=self.verification
        )

    def render(self, fmt: str = "md") -> str:
        """The walkthrough as text in format `fmt` (``md`` or ``json``)."""
        if fmt not in FORMATS:
            raise UsageError(f"unknown format {fmt!r} (known: {', '.join(FORMATS)})")
        if fmt == "json":
            return json.dumps(self.to_json(), indent=2) + "\n"
        return render(self.document, fmt)

    def to_json(self) -> dict[str, Any]:
        """The JSON result of the design notes, as Python data."""
        return result_json(self.step)

    def save(self, path: str | Path, fmt: str | None = None) -> None:
        """Write the walkthrough to `path` atomically, in `fmt` or the format its suffix names."""
        fmt = fmt or format_for_path(path)
        write_atomic(path, self.render(fmt))

    def _repr_markdown_(self) -> str:
        return self.render("md")


def format_for_path(path: str | Path) -> str:
    """The format a file name asks for: ``.md`` → md, ``.json`` → json."""
    suffix = Path(path).suffix.lower().lstrip(".")
    return {"markdown": "md"}.get(suffix, suffix) if suffix in (*FORMATS, "markdown") else "md"


def build_walkthrough(
    source: str | Path | NetworkSpec,
    *,
    digits: int | None = None,
    detail: str = "full",
    check: bool = False,
) -> Walkthrough:
    """Run the pipeline on a spec file, a preset name or a `NetworkSpec`.

    `check` also proves every factorization against the direct derivative (`derive.verify`).
    """
    if detail not in DETAILS:
        raise UsageError(f"unknown detail level {detail!r} (known: {', '.join(DETAILS)})")
    if digits is not None and not 1 <= digits <= 30:
        raise UsageError(f"--digits: expected an integer from 1 to 30, got {digits}")
    spec = source if isinstance(source, NetworkSpec) else load_spec(source)
    network = build_network(spec)
    derivation = derive(network)
    step = train_step(derivation)
    verification = verify(derivation) if check else None
    return Walkthrough(spec, network, derivation, step, verification, detail, digits)
