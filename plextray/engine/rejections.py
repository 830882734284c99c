"""What the engine does with playback reports Plex refused: count them per day and address
(store.rejected, read by the day's report) and alert once per address per hour (core.suspicious).
They never reach the session folder or the rules: a refused report is no play."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable, Iterable
from typing import Protocol

from plextray.core.parsing import Rejected
from plextray.core.suspicious import SuspiciousRequests
from plextray.safe_text import clean, for_log
from plextray.store.rejected import RejectedStore

log = logging.getLogger(__name__)


class AlertRunner(Protocol):
    def alert(self, play: tuple[str, str], violation_id: int | None, title: str, message: str) -> None: ...


class Rejections:
    def __init__(self, conn: sqlite3.Connection, runner: AlertRunner, monotonic: Callable[[], float]) -> None:
        self._store = RejectedStore(conn)
        self._runner = runner
        self._mono = monotonic
        self._suspicious = SuspiciousRequests()
        self.total = 0

    def handle(self, rejected: Iterable[Rejected]) -> None:
        if not rejected:
            return
        now = self._mono()
        self._suspicious.prune(now)
        for report in rejected:
            self.total += 1
            self._store.add(report.time, report.ip, report.client_id)
            log.warning("Plex refused a playback report from %s (%s, claimed client %s): ignored",
                        for_log(report.ip or "?"), report.status, for_log(report.client_id or "none"))
            alert = self._suspicious.add(report.ip, now, report.client_id)
            if alert is not None:
                self._runner.alert(("", ""), None, "plextray alert", clean(alert.message, None))
