"""Writing output files: a reader sees the old file or the whole new one, never half.

Only a regular file (or a new one) is replaced, by renaming a finished temporary file over
it; a device, a named pipe or a terminal is written directly, since replacing it would turn
``/dev/null`` into a regular file. A symbolic link is followed and its target replaced, and
the target keeps its permissions (a new file gets those the umask allows). Several files of
one command are written all or none (`write_files`).
"""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from derive.errors import UsageError


@dataclass(frozen=True)
class _Target:
    """Where one output goes: the path as given (for messages) and the real file behind it."""

    given: str
    real: Path
    direct: bool
    mode: int

    def fail(self, error: OSError) -> UsageError:
        return UsageError(f"{self.given}: cannot write: {error.strerror or error}")


def write_atomic(path: str | Path, data: str | bytes) -> None:
    """Write `data` to `path`: atomically for a regular or new file, directly to a device."""
    write_files([(path, data)])


def write_files(outputs: Sequence[tuple[str | Path, str | bytes]]) -> None:
    """Write every output, or none: all are staged as temporary files before any is renamed.

    A failure (a full disk, a missing folder, Ctrl-C) leaves every target as it was and no
    temporary file behind.
    """
    targets = [_target(path) for path, _ in outputs]
    staged: list[str | None] = []
    try:
        for target, (_, data) in zip(targets, outputs, strict=True):
            staged.append(None if target.direct else _stage(target, _payload(data)))
        for target, temporary, (_, data) in zip(targets, staged, outputs, strict=True):
            _commit(target, temporary, _payload(data))
    except BaseException:
        for temporary in staged:
            if temporary is not None:
                Path(temporary).unlink(missing_ok=True)
        raise


def refuse_inputs(output: str | Path | None, inputs: Mapping[str, str | Path | None]) -> None:
    """Refuse an output that is one of the command's inputs (`inputs`: role → path).

    ``derive explain net.toml -o net.toml`` would replace the spec with its walkthrough;
    the same file reached by another name, a link or ``./`` counts as the same.
    """
    if not output:
        return
    for role, path in inputs.items():
        if path and os.path.exists(path) and same_file(output, path):
            raise UsageError(
                f"{output}: is the {role} of this command; writing there would destroy it "
                "(choose another output)"
            )


def same_file(first: str | Path, second: str | Path) -> bool:
    """Whether two paths name one file: by inode when both exist, else by resolved path."""
    try:
        return os.path.samefile(first, second)
    except OSError:
        return os.path.realpath(first) == os.path.realpath(second)


def _target(path: str | Path) -> _Target:
    given = str(path)
    if not given:
        raise UsageError("cannot write: the output file name is empty")
    try:
        mode = os.stat(given).st_mode  # through links: what the name leads to
    except FileNotFoundError:
        mode = None
    except OSError as error:
        raise UsageError(f"{given}: cannot write: {error.strerror}") from None
    if mode is not None and stat.S_ISDIR(mode):
        raise UsageError(f"{given}: cannot write: it is a directory")
    if mode is not None and not stat.S_ISREG(mode):
        # a device, pipe or terminal, opened by the name given (/dev/stdout → a pipe has
        # no name of its own to resolve to)
        return _Target(given, Path(given), direct=True, mode=stat.S_IMODE(mode))
    real = Path(os.path.realpath(given))
    if not real.parent.is_dir():
        raise UsageError(f"{given}: cannot write: the folder {Path(given).parent} does not exist")
    if mode is None:
        return _Target(given, real, direct=False, mode=0o666 & ~_umask())
    return _Target(given, real, direct=False, mode=stat.S_IMODE(mode))


def _umask() -> int:
    """The process's umask (reading it means setting it; it is put back at once)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _payload(data: str | bytes) -> bytes:
    return data.encode("utf-8") if isinstance(data, str) else data


def _stage(target: _Target, payload: bytes) -> str:
    """A finished temporary file beside the target, with the target's permissions.

    Its name is short whatever the target's, so a target of 255 characters still works.
    """
    try:
        handle, temporary = tempfile.mkstemp(dir=target.real.parent, prefix=".derive-")
    except OSError as error:
        raise target.fail(error) from None
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(payload)
        os.chmod(temporary, target.mode)
    except BaseException as error:
        Path(temporary).unlink(missing_ok=True)
        if isinstance(error, OSError):
            raise target.fail(error) from None
        raise
    return temporary


def _commit(target: _Target, temporary: str | None, payload: bytes) -> None:
    """Rename the temporary file into place, or write a device, pipe or terminal directly."""
    try:
        if temporary is not None:
            os.replace(temporary, target.real)
            return
        with open(target.real, "wb") as stream:
            stream.write(payload)
    except OSError as error:
        raise target.fail(error) from None
