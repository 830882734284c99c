"""Plex's notification websocket (`/:/websockets/notifications`): the live source without debug logging.

Why: Plex logs playback only with debug logging on; its websocket tells every state change of
every session as it happens, whatever the log level (notes C10). websocket-client directly
rather than plexapi's AlertListener: plextray needs to know when the socket is lost (a visible
problem, and the cue to poll instead), to reconnect with backoff, and to send the token as a
header so it never sits in a URL that could be logged.

One daemon thread per socket; what it hears goes to callbacks (the engine posts them to its
queue, which wakes it). Nothing here decides anything about plays.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from typing import Any

from plextray.core.live import PlayNotice
from plextray.secrets import redact

log = logging.getLogger(__name__)

PATH = "/:/websockets/notifications"
PING_SECONDS = 30.0  # silence this long: ping; as long again without an answer: the socket is dead
FIRST_BACKOFF = 1.0
MAX_BACKOFF = 60.0


def parse_notices(text: str | bytes) -> tuple[str | None, list[PlayNotice]]:
    """(notification type, the play notices it carries) of one text frame; (None, []) if not JSON.

    Both shapes: PMS 1.3+ names the array `PlaySessionStateNotification`; older ones `_children`."""
    try:
        data = json.loads(text)
    except (ValueError, UnicodeDecodeError):
        return None, []
    container = data.get("NotificationContainer") if isinstance(data, dict) else None
    if not isinstance(container, dict):
        return None, []
    kind = container.get("type") if isinstance(container.get("type"), str) else None
    if kind != "playing":
        return kind, []
    items = container.get("PlaySessionStateNotification")
    if items is None:
        items = container.get("_children")
    notices: list[PlayNotice] = []
    for item in items if isinstance(items, list) else []:
        if not isinstance(item, dict):
            continue
        key, client = item.get("sessionKey"), item.get("clientIdentifier")
        if key in (None, "") or not client or not isinstance(client, str):
            continue
        rating = item.get("ratingKey")
        offset = item.get("viewOffset")
        state = item.get("state")
        notices.append(PlayNotice(
            session_key=str(key),
            client_id=client,
            rating_key=str(rating) if rating not in (None, "") else None,
            view_offset_ms=int(offset) if isinstance(offset, (int, float)) and not isinstance(offset, bool) else None,
            state=state if isinstance(state, str) else "playing",
        ))
    return kind, notices


def socket_url(base_url: str) -> str:
    base = base_url.rstrip("/")
    if base.startswith("https://"):
        return "wss://" + base[len("https://"):] + PATH
    if base.startswith("http://"):
        return "ws://" + base[len("http://"):] + PATH
    return base + PATH


class NotificationSocket:
    """Keeps one notification websocket open, reconnecting with backoff (1 s doubling to 60 s)."""

    def __init__(
        self,
        url: str,
        token: str,
        *,
        on_notices: Callable[[list[PlayNotice]], None],
        on_state: Callable[[bool, str | None], None],
        ping_seconds: float = PING_SECONDS,
        connect_timeout: float = 10.0,
    ) -> None:
        self.url = socket_url(url)
        self._token = token
        self._on_notices = on_notices
        self._on_state = on_state
        self._ping_seconds = ping_seconds
        self._connect_timeout = connect_timeout
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._ws: Any = None
        self._lock = threading.Lock()

    def start(self) -> "NotificationSocket":
        self._thread = threading.Thread(target=self._run, name="plextray-notifications", daemon=True)
        self._thread.start()
        return self

    def close(self, timeout: float = 5.0) -> None:
        self._stopping.set()
        with self._lock:
            ws = self._ws
        if ws is not None:
            try:
                ws.abort()  # wakes the blocked recv
            except Exception:
                pass
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout)

    def drop(self) -> None:
        """Cut the current connection (tests, and a server that stopped answering pings)."""
        with self._lock:
            ws = self._ws
        if ws is not None:
            try:
                ws.abort()
            except Exception:
                pass

    # ---------------------------------------------------------------- the thread
    def _run(self) -> None:
        backoff = FIRST_BACKOFF
        while not self._stopping.is_set():
            error = self._session()
            if self._stopping.is_set():
                break
            if error is None:  # was connected, then lost: try again soon
                backoff = FIRST_BACKOFF
                error = "the connection was closed"
            self._on_state(False, error)
            if self._stopping.wait(backoff):
                break
            backoff = min(backoff * 2, MAX_BACKOFF)

    def _session(self) -> str | None:
        """One connection, until it ends. Returns why it could not connect, or None once connected."""
        import websocket

        try:
            ws = websocket.create_connection(
                self.url, timeout=self._connect_timeout, header=[f"X-Plex-Token: {self._token}"],
                enable_multithread=True,
            )
        except Exception as exc:
            return self._reason(exc)
        with self._lock:
            self._ws = ws
        if self._stopping.is_set():
            ws.abort()
        self._on_state(True, None)
        ws.settimeout(self._ping_seconds)
        pinged = False
        try:
            while not self._stopping.is_set():
                try:
                    opcode, data = ws.recv_data(control_frame=True)
                except websocket.WebSocketTimeoutException:
                    if pinged:
                        log.info("Plex's notification socket stopped answering")
                        return None
                    ws.ping()
                    pinged = True
                    continue
                pinged = False
                if opcode == websocket.ABNF.OPCODE_CLOSE:
                    return None
                if opcode == websocket.ABNF.OPCODE_TEXT:
                    _kind, notices = parse_notices(data)
                    if notices:
                        self._on_notices(notices)
        except Exception as exc:  # connection reset, the server going down, abort()
            if not self._stopping.is_set():
                log.debug("notification socket ended: %s", self._reason(exc))
            return None
        finally:
            with self._lock:
                self._ws = None
            try:
                ws.abort()
                ws.close(timeout=0.5)
            except Exception:
                pass
        return None

    def _reason(self, exc: Exception) -> str:
        status = getattr(exc, "status_code", None)
        if status in (401, 403):
            return "the server refused the token on its notification socket"
        if status is not None:
            return f"the server answered {status} to the notification socket"
        text = str(exc) or type(exc).__name__
        return redact(text.replace(self._token, "[REDACTED]") if self._token else text)
