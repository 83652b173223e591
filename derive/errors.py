"""The small family of exceptions derive raises.

The library never prints or exits: it raises one of these, and the command line
(`derive.cli`) is the one place that turns them into a message and an exit status.
Every message is a single line that names what is wrong and where.
"""

from __future__ import annotations


class DeriveError(Exception):
    """Base class: anything the user can fix by changing their input."""

    exit_status = 2


class SpecError(DeriveError):
    """A network spec is missing, unreadable, malformed or inconsistent.

    `where` names the file and `key` the place inside it (``weights[1][0]``), so the
    message reads ``mazur.toml: weights[1][0]: expected 2 numbers, got 3``.
    """

    def __init__(self, message: str, *, where: str = "", key: str = "") -> None:
        self.where = where
        self.key = key
        self.detail = message
        prefix = ": ".join(part for part in (where, key) if part)
        super().__init__(f"{prefix}: {message}" if prefix else message)


class UsageError(DeriveError):
    """An option or combination of options that cannot be honoured."""


class EngineError(DeriveError):
    """A PDF could not be typeset: the engine is missing, or it failed (with its log)."""


class VerificationError(DeriveError):
    """The chain-rule factorization disagreed with the direct derivative (a bug in derive)."""

    exit_status = 3
