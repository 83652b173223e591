"""Progress bars on standard error for the runs that take more than a moment.

The library never prints on its own: bars are off until the command line calls
`enable()`, and even then a bar is drawn only when standard error is a terminal (a log
file or a pipe gets no control characters). tqdm draws them and keeps its own pace, so
a fast run never shows one.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Protocol

_enabled = False
#: seconds before a bar appears: a run that ends sooner never shows one
DELAY = 2.0


class Bar(Protocol):
    def update(self, n: int = 1) -> object: ...


class _Silent:
    """The bar when nothing may be drawn."""

    def update(self, n: int = 1) -> None:
        return None


def enable(on: bool = True) -> None:
    """Allow bars (the command line does this; a library user may too)."""
    global _enabled
    _enabled = on


def showing() -> bool:
    """Whether a bar would be drawn now: enabled, and standard error is a terminal."""
    return _enabled and sys.stderr.isatty()


@contextmanager
def bar(total: int, description: str) -> Iterator[Bar]:
    """A bar of `total` units, drawn after a couple of seconds if `showing()`."""
    if not showing():
        yield _Silent()
        return
    from tqdm import tqdm

    with tqdm(
        total=total, desc=description, file=sys.stderr, delay=DELAY, leave=False, unit_scale=True
    ) as progress:
        yield progress
