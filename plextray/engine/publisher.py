"""Handing the engine's snapshot to whoever listens (tray, Home Assistant, the control API).

Why a module: listeners live on other threads and come and go while the engine runs, so the
list is guarded by a lock, a snapshot equal to the last is not sent again, and a listener that
raises must never take the engine down. The engine builds snapshots; this only delivers them.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from plextray.core.model import EngineSnapshot, EngineState

log = logging.getLogger("plextray.engine.engine")  # (the engine's log, as before the split)

Listener = Callable[[EngineSnapshot], None]


class SnapshotPublisher:
    """The latest snapshot (readable from any thread: it is immutable) and its listeners."""

    def __init__(self, first: EngineSnapshot, needs_setup: Callable[[EngineSnapshot], None]) -> None:
        self.current = first
        self._needs_setup = needs_setup  # told once per run, the first time setup is missing
        self._told_setup = False
        self._listeners: list[Listener] = []
        self._lock = threading.Lock()

    def subscribe(self, callback: Listener) -> Callable[[], None]:
        with self._lock:
            self._listeners.append(callback)

        def unsubscribe() -> None:
            with self._lock:
                if callback in self._listeners:
                    self._listeners.remove(callback)

        return unsubscribe

    def publish(self, snapshot: EngineSnapshot) -> None:
        if snapshot == self.current:
            return
        self.current = snapshot
        if snapshot.state is EngineState.NEEDS_SETUP and not self._told_setup:
            self._told_setup = True
            self._needs_setup(snapshot)
        with self._lock:
            listeners = list(self._listeners)
        for callback in listeners:
            try:
                callback(snapshot)
            except Exception:  # a broken listener must not break the engine
                log.exception("snapshot subscriber failed")
