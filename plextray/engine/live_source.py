"""The server as a live source, on the engine thread: the notification socket, the session list
as identity and fallback, and which of them is in use now.

Why apart from engine.py: the websocket's life (connected, lost, back) and the polling schedule
that depends on it are one concern; the engine only asks "when do I poll next?" and hands over
what the socket and the server said, getting playback events back (core.live does the folding).

The socket's thread posts into the engine's queue, which wakes the engine at once: a play start
reaches the rules in the time of one session-list fetch, not of a poll interval.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from plextray.core.live import LiveFeed
from plextray.core.model import LiveSourceName, PlaybackEvent
from plextray.engine import messages as msg

if TYPE_CHECKING:
    from plextray.plex.client import PlexClient

log = logging.getLogger(__name__)

LOG_SILENCE = 120.0  # debug logging not known: the log silent this long says it is off
RECONCILE_SECONDS = 60.0  # with the socket up: ask for the list now and then (a notice lost on the way)
WEBSOCKET: LiveSourceName = "websocket"
POLLING: LiveSourceName = "polling"
LOG_ONLY: LiveSourceName = "log only"
SOCKET_PROBLEM = "socket"


class LiveSource:
    """Owns the notification socket and the live feed; says when the session list is due."""

    def __init__(
        self,
        client: PlexClient | None,
        *,
        post: Callable[[Any], None],
        use_socket: bool,
        poll_seconds: float,
        monotonic: Callable[[], float],
        stamp: Callable[[], str] | None = None,
    ) -> None:
        self.feed = LiveFeed()
        self._client = client
        self._post = post
        self._use_socket = use_socket and client is not None
        self._poll_seconds = poll_seconds
        self._mono = monotonic
        self._stamp = stamp
        self._socket: Any = None
        self.connected = False
        self._lost_at: float | None = None
        self._lost_reason: str | None = None

    def start(self) -> None:
        if not self._use_socket or self._socket is not None or self._client is None:
            return
        post, stamp = self._post, self._stamp
        self._socket = self._client.listen(
            on_notices=lambda notices: post(msg.PlayNotices(tuple(notices), stamp() if stamp else None)),
            on_state=lambda connected, error: post(msg.SocketState(connected, error)),
        )
        self._socket.start()

    def close(self) -> None:
        if self._socket is not None:
            self._socket.close()
            self._socket = None

    def drop(self) -> None:
        """Cut the socket (it reconnects on its own): what a network blip does."""
        if self._socket is not None:
            self._socket.drop()

    @property
    def name(self) -> LiveSourceName:
        """How live plays are seen now: "websocket", "polling" or "log only"."""
        if self._client is None:
            return LOG_ONLY
        return WEBSOCKET if self.connected else POLLING

    def poll_interval(self, *, failing: bool = False) -> float:
        """Seconds to the next session list: rarely while the socket says everything; at the
        fallback pace while it is down or the server is failing (to see it come back)."""
        return max(self._poll_seconds, RECONCILE_SECONDS) if self.connected and not failing else self._poll_seconds

    def on_socket(self, state: msg.SocketState) -> str | None:
        """Record the socket's news. Returns a problem to show while it is lost, "" once it is
        back (the problem is over), None when nothing changed for the user."""
        if state.connected:
            was_lost = self._lost_at is not None
            self.connected = True
            if was_lost:
                log.info("Plex's notification socket is back after %.0f s", self._mono() - (self._lost_at or 0.0))
            elif self._lost_reason is None:
                log.info("listening to Plex's notification socket")
            self._lost_at, self._lost_reason = None, None
            return "" if was_lost else None
        first = self._lost_at is None
        self.connected = False
        if first:
            self._lost_at = self._mono()
            self._lost_reason = state.error or "closed"
            log.warning("Plex's notification socket is lost (%s); asking the server for its sessions every %.0f s "
                        "until it is back", self._lost_reason, self._poll_seconds)
            return (f"Plex's live notifications are not reaching plextray ({self._lost_reason}); "
                    f"plays are seen by asking the server every {self._poll_seconds:.0f} s")
        return None

    @staticmethod
    def makes_plays(*, log_readable: bool, debug_logging: bool | None, log_silent_for: float) -> bool:
        """Whether the server's view (websocket, session list) makes the plays. Only where the
        log cannot: no readable log folder, or Plex's debug logging off (its log then has no
        playback). Otherwise the log is the one source of history: two sources stamping the
        same play with their own times would split it."""
        if not log_readable or debug_logging is False:
            return True
        return debug_logging is None and log_silent_for > LOG_SILENCE

    def on_notices(self, notices: msg.PlayNotices, time: str) -> tuple[list[PlaybackEvent], bool]:
        """Events for the notices, and whether the session list must be fetched to name a session."""
        events: list[PlaybackEvent] = []
        fetch = False
        for notice in notices.notices:
            more, need = self.feed.notice(notice, notices.time or time)
            events.extend(more)
            fetch = fetch or need
        return events, fetch


def debug_pref(client: Any) -> bool | None:
    """The server's logDebug pref; None when it cannot be read (an older server, a managed user)."""
    try:
        return bool(client.debug_logging_enabled())
    except Exception:
        return None
