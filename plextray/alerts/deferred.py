"""The alert dispatcher, built at the first alert instead of at start.

Alert URLs live in the keyring. Reading them at start loaded keyring and its backends (a few MB
of resident memory) into every plextray process, also on a headless host whose Plex token comes
from PLEX_TOKEN, a systemd credential or a file and which never needs the keyring otherwise, and
most of which never send an alert (the dispatcher itself is loaded then too). Here the URLs are
read when the first alert is sent, on the action worker that sends it (never the engine thread),
and kept once found. Found none (none set up, or the keyring still locked after a login): asked
again at a later alert, at most once a minute, so a keyring unlocked later is not missed.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from plextray.alerts.dispatcher import AlertDispatcher

log = logging.getLogger(__name__)


RETRY_S = 60.0  # no URL found: the keyring is asked again at an alert at least this much later


class DeferredAlerter:
    """An Alerter whose URLs are read at the first `configured` / `send`, then kept."""

    def __init__(self, load_urls: Callable[[], Sequence[str]],
                 build: Callable[[Sequence[str]], Any] | None = None,
                 *, clock: Callable[[], float] = time.monotonic) -> None:
        self._load_urls = load_urls
        self._build = build
        self._clock = clock
        self._lock = threading.Lock()
        self._next_read: float | None = None  # None: never read; then when to read again
        self._closed = False
        self._dispatcher: AlertDispatcher | None = None

    @property
    def configured(self) -> bool:
        """Whether any alert URL is set up (reads them the first time)."""
        return self._get() is not None

    def send(self, title: str, body: str) -> None:
        dispatcher = self._get()
        if dispatcher is None:
            log.warning("alert not sent: no alert destination configured")
            return
        dispatcher.send(title, body)

    def close(self) -> None:
        with self._lock:
            self._closed = True
            dispatcher = self._dispatcher
        if dispatcher is not None:
            dispatcher.close()

    def _get(self) -> AlertDispatcher | None:
        with self._lock:
            now = self._clock()
            if self._dispatcher is not None or self._closed:
                return self._dispatcher
            if self._next_read is not None and now < self._next_read:
                return None
            self._next_read = now + RETRY_S
            urls = tuple(self._load_urls())
            if urls:
                if self._build is None:  # the dispatcher's module too is loaded only now
                    from plextray.alerts.dispatcher import from_config

                    self._build = from_config
                self._dispatcher = self._build(urls)
            return self._dispatcher
