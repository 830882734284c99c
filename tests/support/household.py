"""A running household for engine tests: the emulator writing Plex logs, profiles, and a wired engine."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Callable


class FakeClock:
    """Local wall clock shared by the emulator (log times) and the engine (rule checks)."""

    def __init__(self, start: datetime) -> None:
        self._now = start
        self._started = time.monotonic()
        self._lock = threading.Lock()

    def __call__(self) -> datetime:
        with self._lock:
            return self._now + timedelta(seconds=time.monotonic() - self._started)

    def set(self, moment: datetime) -> None:
        with self._lock:
            self._now = moment
            self._started = time.monotonic()

    def advance(self, **delta: float) -> None:
        with self._lock:
            self._now += timedelta(**delta)


@dataclass
class RecordingNotifier:
    shown: list[tuple[str, str]] = field(default_factory=list)

    def notify(self, title: str, message: str) -> bool:
        self.shown.append((title, message))
        return True

    def texts(self) -> list[str]:
        return [message for _, message in self.shown]


@dataclass
class RecordingAlerter:
    sent: list[tuple[str, str]] = field(default_factory=list)

    def send(self, title: str, body: str) -> None:
        self.sent.append((title, body))

    def close(self, timeout: float = 0) -> None:
        pass


def emma_profiles(restrictions: list[dict[str, Any]], *, kid_device: str, grace: int = 0,
                  unknown_actions: list[str] | None = None) -> dict[str, Any]:
    return {
        "version": 1,
        "people": [
            {"name": "Emma", "devices": [kid_device], "accounts": ["Emma"], "restrictions": restrictions},
            {"name": "Parents", "devices": [], "accounts": ["Alex"], "restrictions": []},
        ],
        "unknown_devices": {"actions": unknown_actions or []},
        "settings": {"stop_message": "Time's up! Ask a parent.", "grace_seconds": grace},
    }


def write_profiles(home: Path, doc: dict[str, Any]) -> None:
    home.mkdir(parents=True, exist_ok=True)
    (home / "profiles.json").write_text(json.dumps(doc, indent=2))


def wait_for(condition: Callable[[], Any], timeout: float = 10.0, interval: float = 0.02) -> Any:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        value = condition()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout} s waiting for {condition}")
