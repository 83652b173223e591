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

    `where` names the file, `line` the line in it and `key` the place inside it
    (``weights[1][0]``), so the message reads ``net.toml:12: weights[1][0]: expected 2
    numbers, got 3``. A spec with several problems raises one `SpecError` whose
    `problems` are all of them, one per line of the message, so a user fixes them in one go.
    """

    def __init__(
        self,
        message: str = "",
        *,
        where: str = "",
        key: str = "",
        line: int | None = None,
        problems: tuple[SpecError, ...] = (),
    ) -> None:
        self.where = where
        self.key = key
        self.line = line
        self.detail = message
        self.problems = problems or (self,)
        if problems:
            super().__init__("\n".join(str(p) for p in problems))
            return
        place = f"{where}:{line}" if where and line else where
        prefix = ": ".join(part for part in (place, key) if part)
        super().__init__(f"{prefix}: {message}" if prefix else message)


class UsageError(DeriveError):
    """An option or combination of options that cannot be honoured."""


class EngineError(DeriveError):
    """A PDF could not be typeset: the engine is missing, or it failed (with its log)."""


class VerificationError(DeriveError):
    """The chain-rule factorization disagreed with the direct derivative (a bug in derive)."""

    exit_status = 3
