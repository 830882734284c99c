"""A step that fails the same way again and again is logged once, then counted.

Why: the engine steps four times a second and ticks once a second; a failure that repeats (a
rule that cannot be evaluated, a locked database) wrote a 150 kB traceback every second and
buried everything else in the log. The first failure of a kind is logged with its traceback;
repeats of the same kind only count (steps in between may succeed: a failing tick runs once a
second among four steps), and the count is logged when the failure changes, when it has not
come back for `quiet` seconds, and every `every` seconds while it goes on.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable


class RepeatedFailures:
    def __init__(self, log: logging.Logger, what: str, *, every: float = 600.0, quiet: float = 30.0,
                 clock: Callable[[], float] = time.monotonic) -> None:  # fmt: skip
        self._log = log
        self._what = what
        self._every = every
        self._quiet = quiet
        self._clock = clock
        self._kind: tuple[str, str] | None = None
        self._repeats = 0
        self._since = 0.0  # when the count was last logged
        self._last = 0.0  # when it last failed

    def failed(self, exc: BaseException) -> None:
        """Call from an `except` block (the traceback is the one being handled)."""
        kind = (type(exc).__name__, str(exc)[:200])
        self._last = self._clock()
        if kind == self._kind:
            self._repeats += 1
            if self._clock() - self._since >= self._every:
                self._report()
            return
        self._report()
        self._kind, self._repeats, self._since = kind, 0, self._clock()
        self._log.exception("%s; going on (repeats of this error are counted, not logged)", self._what)

    def succeeded(self) -> None:
        if self._kind is not None and self._clock() - self._last >= self._quiet:
            self._report()
            self._log.info("%s: no longer failing", self._what)
            self._kind = None

    def close(self) -> None:
        """Log the repeats not reported yet (the loop is ending)."""
        self._report()

    def _report(self) -> None:
        if self._kind is not None and self._repeats:
            self._log.error("%s %d more time%s: %s: %s", self._what, self._repeats,
                            "" if self._repeats == 1 else "s", *self._kind)  # fmt: skip
        self._repeats, self._since = 0, self._clock()
