"""The emulator's side of Plex's log: what PMS writes while it serves requests and plays media.

Why here and not in the HTTP handler: the same lines come from scripted plays (`play()` in a
test) and from real HTTP requests, and both must honour the server prefs as PMS does — request
and timeline lines are DEBUG, so with `logDebug` off they are simply not written; `VERBOSE`
needs `logVerbose`; tokens in logged URLs are masked unless `logTokens` is on.
Line shapes come from `emulator.traffic` (real 1.4x captures); files from `PlexLogWriter`.
"""

from __future__ import annotations

import itertools
import re
import threading
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

from plextray.emulator import traffic
from plextray.emulator.household import Account, Device, Play
from plextray.emulator.logwriter import PlexLogWriter

PMS_TOKEN_MASK = "xxxxxxxxxxxxxxxxxxxx"  # what PMS prints instead of a token (notes A4, B5)
_TOKEN_IN_URL = re.compile(r"(?i)(x-plex-token=)[^&\s]+")
# Real 1.4x Linux thread ids are 15-digit decimals; a handful serve all requests.
_THREADS = ("136529439558456", "136529441667896", "136529437448760", "136529435339320")
_METADATA_TYPE = {"movie": 1, "episode": 4, "track": 10, "clip": 1}


class EmulatorLog:
    """Writes PMS's lines for one emulated server into `log_dir`. Thread-safe."""

    def __init__(
        self,
        log_dir: Path,
        *,
        prefs: Callable[[], dict[str, bool]],
        clock: Callable[[], datetime] = datetime.now,
        max_bytes: int | None = None,
    ) -> None:
        self.writer = PlexLogWriter(Path(log_dir), max_bytes=max_bytes)
        self._prefs = prefs
        self._clock = clock
        self._req_ids = itertools.count(0x1A0)
        self._threads = itertools.cycle(_THREADS)
        self._lock = threading.Lock()
        self._high: datetime | None = None  # latest time written so far
        self.header_dumps = False  # True: timeline Request lines carry the ` / Header => value` dump

    # -- ids ---------------------------------------------------------------------------
    def next_req_id(self) -> str:
        with self._lock:
            return f"{next(self._req_ids):x}"

    def _thread(self) -> str:
        with self._lock:
            return next(self._threads)

    def now(self) -> datetime:
        return self._clock()

    # -- writing -----------------------------------------------------------------------
    def emit(self, lines: list[tuple[datetime, str, str]]) -> None:
        """Write lines the prefs allow (DEBUG needs logDebug, VERBOSE needs logVerbose)."""
        if not lines:
            return
        prefs = self._prefs()
        thread = self._thread()
        with self._lock:  # keep the file in time order: no line is stamped before the last one written
            for when, level, message in lines:
                # (never shifted forward as a block: a slow request's lines would then carry
                # times to come, and every line after them too, until the clock caught up)
                when = max(when, self._high) if self._high else when
                self._high = when
                if level == "DEBUG" and not prefs.get("logDebug", True):
                    continue
                if level == "VERBOSE" and not prefs.get("logVerbose", False):
                    continue
                if not prefs.get("logTokens", False):
                    message = _TOKEN_IN_URL.sub(lambda m: m.group(1) + PMS_TOKEN_MASK, message)
                self.writer.write(when, message, level=level, thread=thread)

    def startup(self) -> None:
        """PMS starting: its log is rotated and begins with the banner."""
        with self._lock:
            now = self.now()
            self.writer.restart(now)
            self._high = max(self._high or now, now + timedelta(milliseconds=1))

    def request(
        self, *, ip: str, port: int, method: str, target: str, status: int, account: str | None,
        elapsed_ms: int, size: int, live: int, gzip: bool,
        middle: Callable[[datetime, str], list[tuple[datetime, str, str]]] | None = None,
    ) -> None:
        """`Request:` / `Completed:` for one served HTTP request (notes B1); `middle` adds the
        `[Req#id] …` lines PMS logs while handling it. Called once the answer is ready: the
        request came in `elapsed_ms` ago, and completes now."""
        done = self.now()
        when = done - timedelta(milliseconds=elapsed_ms)
        req_id = self.next_req_id()
        inner = middle(when, req_id) if middle else []
        self.emit([
            self._request_line(when, req_id, ip=ip, port=port, method=method, target=target, account=account,
                               live=live, gzip=gzip),
            *inner,
            (done, "DEBUG",
             f"Completed: [{ip}:{port}] {status} {method} {target} ({live} live) #{req_id}{' GZIP' if gzip else ''} "
             f"{elapsed_ms}ms {size} bytes (pipelined: 1)"),
        ])

    def long_request_started(self, *, ip: str, port: int, method: str, target: str, account: str | None,
                             live: int, gzip: bool) -> str:
        """The `Request:` line of a request that stays open (a WebSocket); returns its id."""
        req_id = self.next_req_id()
        self.emit([self._request_line(self.now(), req_id, ip=ip, port=port, method=method, target=target,
                                      account=account, live=live, gzip=gzip)])
        return req_id

    def long_request_closed(self, req_id: str, *, ip: str, port: int, method: str, target: str, live: int,
                            gzip: bool, elapsed_ms: int, size: int) -> None:
        """`Completed after connection close: … -3 GET …` (notes B4, real 1.43 line)."""
        self.emit([(self.now(), "DEBUG",
                    f"Completed after connection close: [{ip}:{port}] -3 {method} {target} ({live} live) "
                    f"#{req_id}{' GZIP' if gzip else ''} {elapsed_ms}ms {size} bytes")])

    @staticmethod
    def _request_line(when: datetime, req_id: str, *, ip: str, port: int, method: str, target: str,
                      account: str | None, live: int, gzip: bool) -> tuple[datetime, str, str]:
        # "" = a request that presented no valid token: `Token ()`, as PMS 1.43 logs it
        who = f" Signed-in Token ({account})" if account else (" Token ()" if account == "" else "")
        return (when, "DEBUG", f"Request: [{ip}:{port} ({traffic.network_tag(ip)})] {method} {target} ({live} live) "
                               f"#{req_id}{' GZIP' if gzip else ''}{who}")

    def timeline(
        self, *, device: Device, play: Play, account: Account, item_type: str, duration_ms: int,
        state: str, position_ms: int, ip: str | None = None, port: int | None = None,
    ) -> None:
        """A player's timeline report as PMS logs it (Request, Client [...], [Now], Statistics, Completed)."""
        self.emit(traffic.playback_lines(
            self.now(), client_id=device.machine_id, session_ident=play.session_ident,
            rating_key=play.rating_key, state=state, position_ms=position_ms, duration_ms=duration_ms,
            ip=ip or device.address, port=port or device.client_port, account=account.name,
            account_id=account.id, device_name=device.device_name, product=device.product,
            platform=device.platform, req_id=self.next_req_id(),
            metadata_type=_METADATA_TYPE.get(item_type, 1), header_dump=self.header_dumps,
        ))

    def playback_start(self, *, device: Device, play: Play, account: Account) -> None:
        """The app's decision request before it plays; for a transcode, the transcoder starting too."""
        transcode = play.transcode_key is not None
        self.emit(traffic.transcode_decision_lines(
            self.now(), ip=device.address, port=device.client_port, account=account.name,
            rating_key=play.rating_key, media_id=int(play.session_key) + 350000,
            session=play.session_ident, req_id=self.next_req_id(), direct_play=not transcode,
        ))
        if transcode:
            self.emit(traffic.transcode_start_lines(
                self.now(), ip=device.address, port=device.client_port, account=account.name,
                rating_key=play.rating_key, session=play.session_ident, req_id=self.next_req_id(),
            ))

    def transcode_stopped(self, *, play: Play) -> None:
        """The transcoder job killed after the app stopped (Killing job … Terminated session …)."""
        self.emit(traffic.transcode_stop_lines(
            self.now(), req_id=self.next_req_id(), session=play.session_ident,
            transcode_uuid=play.transcode_key or "", reason="Client stopped playback.",
        ))

    def terminated(self, *, play: Play, reason: str, req_id: str | None = None) -> None:
        """`Streaming Resource: Terminated session … with reason …` for a stopped stream."""
        self.emit([traffic.terminated_session_line(
            self.now(), req_id=req_id or self.next_req_id(), session=play.session_id, reason=reason,
        )])

    def rotate(self) -> None:
        self.writer.rotate()

    def close(self) -> None:
        self.writer.close()
