"""A stand-in Plex Media Server on 127.0.0.1: real HTTP, real-shaped XML, real-shaped logs.

Why: no real PMS can run here (it is proprietary), yet plextray must be tested against what PMS
does, faults included. Passing against this emulator should mean working against the real
thing, so responses follow the recorded ones in ../shared/pms (see `responses`) and every
request is checked for `X-Plex-Token` (header or query) as PMS does; `/identity` needs none.

Scripted use (tests, `plextray demo`, benchmarks):

    with PlexEmulator(log_dir=tmp / "Logs") as plex:
        plex.add_account(1, "Alex"); plex.add_item(MediaInfo("1", "Movie", "movie"))
        plex.add_device("dev1", product="Plex Web", platform="Chrome", device_name="Chrome",
                        address="192.168.1.20", account="Alex")
        session_id = plex.play("dev1", "1")      # a live session + the log lines PMS writes
        PlexClient(plex.url, plex.token).stop(session_id, "Bedtime")
        assert plex.terminate_calls[0].reason == "Bedtime"
"""

from __future__ import annotations

import socket
from collections import deque
import threading
import time
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Callable

from plextray.core.model import MediaInfo
from plextray.emulator import routes
from plextray.emulator.household import Device, Household, Play
from plextray.emulator.notifications import NotificationHub
from plextray.emulator.pmslog import EmulatorLog
from plextray.emulator.records import TerminateCall

FAULTS = ("down", "restarting", "unauthorized", "server_error", "slow", "malformed", "no_plex_pass")


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], emulator: "PlexEmulator") -> None:
        self.emulator = emulator
        super().__init__(address, _Handler)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, like PMS
    server: _HTTPServer

    def setup(self) -> None:
        super().setup()
        # headers and body go out in two writes; without NODELAY the client's delayed ACK adds ~40 ms
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.server.emulator._track(self.connection, add=True)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.server.emulator._track(self.connection, add=False)

    def do_GET(self) -> None:
        routes.handle(self.server.emulator, self, "GET")

    def do_POST(self) -> None:
        routes.handle(self.server.emulator, self, "POST")

    def do_PUT(self) -> None:
        routes.handle(self.server.emulator, self, "PUT")

    def do_DELETE(self) -> None:
        routes.handle(self.server.emulator, self, "DELETE")

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib signature
        """Silence: request paths can carry tokens, and PMS's own log is written elsewhere."""


class PlexEmulator:
    """One emulated PMS: household state, HTTP server, fault switches and (optionally) its log."""

    def __init__(
        self,
        *,
        token: str = "emulator-token",
        log_dir: Path | None = None,
        plex_pass: bool = True,
        host: str = "127.0.0.1",
        port: int = 0,
        clock: Callable[[], datetime] = datetime.now,
        log_max_bytes: int | None = None,
    ) -> None:
        self.token = token
        self.plex_pass = plex_pass
        self.host = host
        self._port = port
        self.household = Household()
        self.notifications = NotificationHub()  # /:/websockets/notifications listeners
        self.terminate_calls: list[TerminateCall] = []
        # (method, path without query) of the latest requests received; bounded for long demo runs
        self.requests: deque[tuple[str, str]] = deque(maxlen=100_000)
        self.fault: str | None = None
        self.fault_seconds = 0.0
        self.log = EmulatorLog(log_dir, prefs=self.prefs, clock=clock, max_bytes=log_max_bytes) if log_dir else None
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._connections: set[socket.socket] = set()
        self._lock = threading.RLock()
        self._stopping = threading.Event()

    # -- lifecycle ---------------------------------------------------------------------
    @property
    def url(self) -> str:
        return f"http://{self.host}:{self._port}"

    @property
    def port(self) -> int:
        return self._port

    def start(self) -> "PlexEmulator":
        self._stopping.clear()
        self._open()
        if self.log:
            self.log.startup()
        return self

    def stop(self) -> None:
        self._stopping.set()
        self._close()
        if self.log:
            self.log.close()

    def __enter__(self) -> "PlexEmulator":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _open(self) -> None:
        with self._lock:
            if self._httpd is not None:
                return
            httpd = _HTTPServer((self.host, self._port), self)
            self._port = httpd.server_address[1]
            self._httpd = httpd
            self._thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                            name=f"plex-emulator:{self._port}", daemon=True)
            self._thread.start()

    def _close(self) -> None:
        """Stop listening (new connections are refused) and cut the open ones."""
        with self._lock:
            httpd, self._httpd = self._httpd, None
            thread, self._thread = self._thread, None
            connections = list(self._connections)
        if httpd is not None:
            httpd.shutdown()
            httpd.server_close()
        if thread is not None:
            thread.join(5)
        for conn in connections:
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def _track(self, conn: socket.socket, *, add: bool) -> None:
        with self._lock:
            (self._connections.add if add else self._connections.discard)(conn)

    def live_connections(self) -> int:
        with self._lock:
            return len(self._connections)

    # -- faults ------------------------------------------------------------------------
    def set_fault(self, kind: str | None, *, seconds: float = 0) -> None:
        """Switch a fault on (`FAULTS`) or clear it (None). Clearing down/restarting restarts PMS's log."""
        if kind is not None and kind not in FAULTS:
            raise ValueError(f"unknown fault {kind!r}; expected one of {', '.join(FAULTS)} or None")
        with self._lock:
            previous = self.fault
            self.fault, self.fault_seconds = kind, float(seconds)
        if kind == "down":
            self._close()
        elif previous == "down":
            self._open()
        if self.log and previous in ("down", "restarting") and kind not in ("down", "restarting"):
            self.log.startup()

    def sleep_for_fault(self) -> None:
        """The `slow` fault: hold the answer (returns early when the emulator stops)."""
        self._stopping.wait(self.fault_seconds)

    @property
    def has_plex_pass(self) -> bool:
        return self.plex_pass and self.fault != "no_plex_pass"

    # -- household ---------------------------------------------------------------------
    def add_item(self, info: MediaInfo) -> MediaInfo:
        return self.household.add_item(info)

    def add_account(self, account_id: int, name: str) -> None:
        self.household.add_account(account_id, name)

    def add_device(
        self, machine_id: str, *, product: str, platform: str, device_name: str, address: str, account: str,
        **extra: object,
    ) -> Device:
        """Register a player app; extra: device, platform_version, version, model, advertise, port."""
        return self.household.add_device(Device(machine_id, product, platform, device_name, address, account, **extra))  # type: ignore[arg-type]

    def prefs(self) -> dict[str, bool]:
        return dict(self.household.prefs)

    def set_pref(self, name: str, value: bool) -> None:
        self.household.prefs[name] = bool(value)

    def live_session(self, machine_id: str) -> Play | None:
        return self.household.play_for(machine_id)

    # -- scripted playback ---------------------------------------------------------------
    def play(self, machine_id: str, rating_key: str, *, position_ms: int = 0, state: str = "playing",
             transcode: bool = False, account: str | None = None) -> str:
        """A device starts playing: a live session appears and PMS's lines are logged. Returns its session id.

        `transcode=True`: the server transcodes (TranscodeSession in /status/sessions, transcoder lines
        in the log); otherwise a direct play, the common case on a home network. `account`: the
        Plex user signed in for this play, when not the device's usual one."""
        self.stop_play(machine_id)  # one playback per app at a time
        play = self.household.start_play(machine_id, rating_key, position_ms=position_ms, state=state,
                                         now_utc=time.time(), transcode=transcode, account=account)
        if self.log:
            device, account = self._who(play)
            self.log.playback_start(device=device, play=play, account=account)
        self._log_timeline(play, state, position_ms)
        return play.session_id

    def report(self, machine_id: str, *, state: str | None = None, position_ms: int | None = None,
               ip: str | None = None, port: int | None = None) -> None:
        """A timeline update from the device (state change or heartbeat)."""
        play = self.household.update_play(machine_id, state=state, position_ms=position_ms)
        self._log_timeline(play, play.state, play.position_ms, ip=ip, port=port)

    def stop_play(self, machine_id: str, *, ip: str | None = None, port: int | None = None) -> None:
        """The device stops: a `stopped` timeline is logged and the session disappears."""
        play = self.household.end_play(machine_id, now_utc=time.time())
        if play is not None:
            self._log_timeline(play, "stopped", play.position_ms, ip=ip, port=port)
            if self.log and play.transcode_key:
                self.log.transcode_stopped(play=play)

    def end_by_terminate(self, session_id: str) -> Play | None:
        """PMS ending a stream on terminate (the HTTP route logs the lines around it)."""
        play = self.household.play_by_session_id(session_id)
        if play is not None:
            self.household.end_play(play.machine_id, now_utc=time.time())
        return play

    def client_saw_terminate(self, play: Play) -> None:
        """The kicked app shows the reason and reports `stopped`, as players do."""
        self._log_timeline(play, "stopped", play.position_ms)

    def rotate_logs(self) -> None:
        if self.log is None:
            raise RuntimeError("this emulator writes no log (give it log_dir=...)")
        self.log.rotate()

    def _who(self, play: Play):  # noqa: ANN202
        device = self.household.device(play.machine_id)
        account = self.household.account(play.account_id)
        assert device is not None and account is not None
        return device, account

    def _log_timeline(self, play: Play, state: str, position_ms: int, *, ip: str | None = None,
                      port: int | None = None) -> None:
        """A timeline report happened: tell the WebSocket listeners and write PMS's log lines."""
        self.notifications.playing(session_key=play.session_key, client_id=play.machine_id,
                                   rating_key=play.rating_key, view_offset=position_ms, state=state)
        if not self.log:
            return
        device, account = self._who(play)
        item = self.household.item(play.rating_key)
        self.log.timeline(device=device, play=play, account=account, item_type=item.type if item else "movie",
                          duration_ms=(item.duration_ms or 0) if item else 0, state=state,
                          position_ms=position_ms, ip=ip, port=port)
