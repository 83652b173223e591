"""Compiled templates kept between runs: Jinja2 bytecode in the user's cache folder.

Compiling the walkthrough's templates costs a quarter of a second, more than deriving the
2-2-2 network; Jinja2 can store what it compiled and check it against the template's source
next time. The cache is an optimization only: a folder that cannot be created or written,
or a damaged entry, means compiling again, never an error.
"""

from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path

import jinja2


class _TolerantCache(jinja2.FileSystemBytecodeCache):
    """Jinja2's file cache, but a read or write that fails is a cache miss, not an error."""

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        try:
            super().load_bytecode(bucket)
        except (OSError, EOFError, ValueError, TypeError):
            bucket.reset()

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        with contextlib.suppress(OSError):
            super().dump_bytecode(bucket)


def cache_folder() -> Path | None:
    """``$DERIVE_CACHE_DIR``, else ``$XDG_CACHE_HOME/derive`` or ``~/.cache/derive``.

    ``DERIVE_CACHE_DIR=""`` (empty) turns the cache off.
    """
    chosen = os.environ.get("DERIVE_CACHE_DIR")
    if chosen is not None:
        return Path(chosen) if chosen else None
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "derive"


def bytecode_cache() -> jinja2.BytecodeCache | None:
    """The cache for compiled templates, or None when no folder for it can be made."""
    folder = cache_folder()
    if folder is None:
        return None
    # one folder per Python version: the bytecode of one cannot be loaded by another
    folder = folder / f"templates-py{sys.version_info.major}{sys.version_info.minor}"
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError:
        return None
    return _TolerantCache(str(folder))
