"""Writing a folder of outputs all or none (`derive exercise -o DIR`, `derive mark -o MARKS`).

A command that writes many files must not leave a half-written folder when it fails, nor
stale files of an earlier run (variant-31 of a 31-variant run beside a new 30-variant one).
So the files are written into a temporary sibling folder first; only when every file is
there does that folder take the target's place (a rename), and the old folder, if any, is
removed after. A folder is replaced only when everything in it is something the same
command writes (`Owned`): a folder holding anything else — the lecturer's notes, another
command's output — is refused, as is a target that holds one of the command's inputs.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path

from derive.errors import UsageError
from derive.files import same_file

#: is this entry (a path relative to the folder, "/"-separated) one the command writes?
Owned = Callable[[str], bool]


def check_folder(
    folder: str | Path, owned: Owned, inputs: Mapping[str, str | Path | None], command: str
) -> Path:
    """Refuse a target that is a file, that holds what `command` did not write, or that
    holds one of its `inputs` (role → path); the folder as a `Path`."""
    root = Path(folder)
    if str(folder) == "":
        raise UsageError("-o: expected a folder name, got an empty one")
    if root.exists() and not root.is_dir():
        raise UsageError(f"{root}: exists and is not a folder")
    for role, path in inputs.items():
        if path and os.path.exists(path) and _inside(Path(path), root):
            raise UsageError(
                f"{root}: holds the {role} of this command ({path}); replacing the folder "
                "would destroy it (choose another -o)"
            )
    if root.is_dir():
        strange = [name for name in _entries(root) if not owned(name)]
        if strange:
            shown = ", ".join(strange[:3]) + (" …" if len(strange) > 3 else "")
            raise UsageError(
                f"{root}: not empty and not written by {command} (holds {shown}); "
                "choose a new or empty folder"
            )
    return root


def write_folder(root: Path, files: Mapping[str, str | bytes]) -> None:
    """Make `root` hold exactly `files` (relative path → content), all or none."""
    parent = root.absolute().parent
    if not parent.is_dir():
        raise UsageError(f"{root}: cannot write: the folder {parent} does not exist")
    try:
        staging = Path(tempfile.mkdtemp(dir=parent, prefix=".derive-"))
    except OSError as error:
        raise UsageError(f"{root}: cannot write: {error.strerror}") from None
    try:
        for name, data in files.items():
            path = staging / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
        os.chmod(staging, 0o777 & ~_umask())
        _swap(staging, root)
    except OSError as error:
        raise UsageError(f"{root}: cannot write: {error.strerror or error}") from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _swap(staging: Path, root: Path) -> None:
    """Put the finished `staging` folder where `root` is; the old one is removed after."""
    if not root.exists():
        os.rename(staging, root)
        return
    old = Path(tempfile.mkdtemp(dir=staging.parent, prefix=".derive-old-"))
    os.rmdir(old)
    os.rename(root, old)
    try:
        os.rename(staging, root)
    except BaseException:
        os.rename(old, root)  # put the old folder back
        raise
    shutil.rmtree(old, ignore_errors=True)


def _entries(root: Path) -> list[str]:
    """Every file and folder under `root`, relative, "/"-separated, in order."""
    found = []
    for path in sorted(root.rglob("*")):
        found.append(path.relative_to(root).as_posix())
    return found


def _inside(path: Path, root: Path) -> bool:
    """Whether `path` is `root` or lies inside it (links resolved)."""
    if os.path.exists(root) and same_file(path, root):
        return True
    real, base = Path(os.path.realpath(path)), Path(os.path.realpath(root))
    return base == real or base in real.parents


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask
