"""status.json: what a running tray or service is doing, for `plextray status` and scripts.

The running app rewrites it atomically on every change of the engine's snapshot and every
HEARTBEAT seconds (so a reader can tell a live file from one left by a process killed with -9),
and removes it on a clean stop. A file whose process is gone, or that has not been rewritten
for STALE_AFTER seconds, is stale: the reader says so and works the state out itself.
"""

from __future__ import annotations

import json
import os
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from plextray.core.model import EngineSnapshot

STATUS_FILE = "status.json"
HEARTBEAT = 30.0
STALE_AFTER = 3 * HEARTBEAT


def snapshot_dict(snapshot: EngineSnapshot) -> dict[str, Any]:
    """The snapshot in the JSON shape `plextray status --json` prints."""
    return {
        "state": snapshot.state.value,
        "detail": snapshot.detail,
        "problems": list(snapshot.problems),
        "paused": snapshot.paused,
        "people": list(snapshot.people),
        "now_playing": [
            {"person": p.person, "device": p.device, "title": p.title, "state": p.state} for p in snapshot.now_playing
        ],
        "live_source": snapshot.live_source,
        "debug_logging": snapshot.debug_logging,
    }


class StatusFile:
    """A job of the running app (start/stop like the mail scheduler): publishes the engine's
    snapshot under PLEXTRAY_HOME. `server` and `log_dir` are what the engine was built with."""

    def __init__(self, home: Path, engine: Any, *, server: str | None, log_dir: str | None) -> None:
        self.path = home / STATUS_FILE
        self._engine = engine
        self._fixed = {"server": server, "log_dir": log_dir, "pid": os.getpid(), "started": time.time()}
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._latest: EngineSnapshot | None = None
        self._thread: threading.Thread | None = None
        self._unsubscribe: Any = None

    def start(self) -> None:
        self._latest = self._engine.snapshot()
        self._wake.set()
        self._unsubscribe = self._engine.subscribe(self._changed)
        self._thread = threading.Thread(target=self._run, name="plextray-status", daemon=True)
        self._thread.start()

    def _changed(self, snapshot: EngineSnapshot) -> None:
        """Engine thread: only note it. The file is written by our own thread (an fsync must not
        delay a stop the engine is about to send)."""
        self._latest = snapshot
        self._wake.set()

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.wait(HEARTBEAT)
            self._wake.clear()
            if self._stop.is_set():
                break
            if self._latest is not None:
                self.write(self._latest)

    def write(self, snapshot: EngineSnapshot) -> None:
        from plextray.config import atomic_write_text

        data = {**snapshot_dict(snapshot), **self._fixed, "updated": time.time()}
        with self._lock:
            if self._stop.is_set():
                return
            try:
                atomic_write_text(self.path, json.dumps(data, indent=2) + "\n")
            except OSError:
                pass  # a full disk must not stop the engine; the reader then sees a stale file

    def stop(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
        with self._lock:
            self._stop.set()
            self._wake.set()
            try:
                self.path.unlink()
            except OSError:
                pass
        if self._thread is not None:
            self._thread.join(5)


@dataclass(frozen=True, slots=True)
class Published:
    data: dict[str, Any]
    stale: str | None  # why it cannot be believed, or None when a live process wrote it


def read_status(home: Path, *, now: float | None = None) -> Published | None:
    """The published status, or None when no file (nothing running, or it stopped cleanly)."""
    path = home / STATUS_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        return Published({}, f"{path} cannot be read ({exc})")
    if not isinstance(data, dict):
        return Published({}, f"{path} is not a JSON object")
    now = time.time() if now is None else now
    pid = data.get("pid")
    if isinstance(pid, int) and not _alive(pid):
        return Published(data, f"the process that wrote it ({pid}) has ended")
    updated = data.get("updated")
    if not isinstance(updated, (int, float)) or now - updated > STALE_AFTER:
        return Published(data, "it has not been updated for over %d s" % STALE_AFTER)
    return Published(data, None)


def _alive(pid: int) -> bool:
    if os.name == "nt":  # os.kill(pid, 0) would terminate on Windows: rely on the heartbeat there
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process with that id: not ours, but alive
        return True
    except OSError:
        return True
    return True
