"""What the emulator's HTTP routes and its server share: the record of a terminate request and
the emulator as the routes see it. Its own module so `routes` and `server` do not import each
other: the server hands itself to the routes, which only need this much of it."""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import dataclass
from typing import Protocol

from plextray.emulator.household import Household, Play
from plextray.emulator.notifications import NotificationHub
from plextray.emulator.pmslog import EmulatorLog


@dataclass(frozen=True, slots=True)
class TerminateCall:
    """One request to /status/sessions/terminate, as received (status = what was answered)."""

    session_id: str
    reason: str
    received: float  # time.monotonic()
    status: int = 200


class Emulator(Protocol):
    """The parts of `server.PlexEmulator` the routes read and drive."""

    token: str
    fault: str | None
    household: Household
    notifications: NotificationHub
    log: EmulatorLog | None
    requests: deque[tuple[str, str]]
    terminate_calls: list[TerminateCall]
    _lock: threading.RLock
    _stopping: threading.Event

    @property
    def has_plex_pass(self) -> bool: ...

    def live_connections(self) -> int: ...

    def sleep_for_fault(self) -> None: ...

    def prefs(self) -> dict[str, bool]: ...

    def set_pref(self, name: str, value: bool) -> None: ...

    def play(self, machine_id: str, rating_key: str, *, position_ms: int = 0, state: str = "playing",
             transcode: bool = False, account: str | None = None) -> str: ...

    def report(self, machine_id: str, *, state: str | None = None, position_ms: int | None = None,
               ip: str | None = None, port: int | None = None) -> None: ...

    def stop_play(self, machine_id: str, *, ip: str | None = None, port: int | None = None) -> None: ...

    def end_by_terminate(self, session_id: str) -> Play | None: ...

    def client_saw_terminate(self, play: Play) -> None: ...
