"""Handing memory that was freed back to the system, so a process that runs for months stays flat.

A burst (a slow server answering many requests at once, a worker thread started while it was slow)
leaves glibc's heaps holding freed memory for reuse. glibc returns it on its own only when it
sits at the very top of a heap, so the process's RSS keeps each burst's peak for good: the soak
saw it rise in steps during faults and never come down. `malloc_trim(0)` gives every wholly
free page of every heap back; it takes well under a millisecond. Where the C library is not
glibc (macOS, Windows, musl) there is nothing to call, and nothing happens.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from functools import cache

TRIM_SECONDS = 300.0  # how often freed memory is handed back: a burst's peak lasts minutes, not for good


def give_back_freed_memory() -> bool:
    """Hand freed heap pages back to the system. False where the C library cannot (not glibc)."""
    trim = _malloc_trim()
    if trim is None:
        return False
    trim(0)  # 1 if pages went back, 0 if none were free: either way, done
    return True


@cache
def _malloc_trim() -> Callable[[int], int] | None:
    if not sys.platform.startswith("linux"):
        return None
    import ctypes  # on Linux, loaded already for inotify (plextray.logs.inotify)

    try:
        return ctypes.CDLL(None).malloc_trim  # the process's own C library
    except (OSError, AttributeError):  # musl and other C libraries have no malloc_trim
        return None


class HeapTrim:
    """Gives freed memory back every `every` seconds of the engine's clock."""

    def __init__(
        self,
        monotonic: Callable[[], float],
        *,
        every: float = TRIM_SECONDS,
        give_back: Callable[[], bool] = give_back_freed_memory,
    ) -> None:
        self._mono = monotonic
        self._every = every
        self._give_back = give_back
        self._next = monotonic() + every

    def tick(self) -> None:
        now = self._mono()
        if now >= self._next:
            self._next = now + self._every
            self._give_back()
