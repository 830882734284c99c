"""A failing server is one problem, not a flood: said once, counted, and its recovery said.

Why: while Plex is down, refusing the token or too slow, every poll, look-up and stop retry
fails; logging each (79 "cannot reach" lines in a 30 s outage, 57 identical "stop failed" in
45 s) buries what happened. The first failure is logged with its reason, later ones are only
counted (a reminder with the count every REMIND_SECONDS), and the recovery says how many
failures over how long. Waiting stops are retried on a doubling schedule, not on every tick.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

log = logging.getLogger("plextray.engine.engine")

REMIND_SECONDS = 600.0
FIRST_RETRY = 2.0
MAX_RETRY = 60.0


class ServerHealth:
    """The server's failures since it last answered, for the log. Engine thread only."""

    def __init__(self, monotonic: Callable[[], float]) -> None:
        self._mono = monotonic
        self.error: str | None = None
        self._since = 0.0
        self._failures = 0
        self._reminded = 0.0

    def failed(self, error: str) -> bool:
        """Record one failure; True when it is news (the first of an outage)."""
        now = self._mono()
        self._failures += 1
        if self.error is None:
            self.error, self._since, self._reminded = error, now, now
            log.warning("Plex server: %s", error)
            return True
        self.error = error
        if now - self._reminded >= REMIND_SECONDS:
            self._reminded = now
            log.warning("Plex server still failing (%d failed requests in %.0f s): %s",
                        self._failures, now - self._since, error)
        return False

    def answered(self) -> bool:
        """The server answered; True when it had been failing (the recovery is logged once)."""
        if self.error is None:
            return False
        log.info("Plex server reachable again after %.0f s (%d failed requests)",
                 self._mono() - self._since, self._failures)
        self.error, self._failures = None, 0
        return True


def retry_delay(failures: int) -> float:
    """Seconds before the next try after `failures` failed tries in a row: 2, 4, 8 … 60."""
    return float(min(MAX_RETRY, FIRST_RETRY * 2 ** max(0, failures - 1)))
