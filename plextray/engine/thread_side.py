"""The engine's public side: what any thread may call (plextray.control.EngineControl).

Why a module: every one of these only posts a message to the engine thread's queue, starts or
joins that thread, or reads the immutable snapshot — none touches engine state. Keeping them
apart from the loop makes that rule visible: nothing here may read or write engine-thread state.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from typing import Any, Self

from plextray.core.model import EngineSnapshot
from plextray.engine import messages as msg
from plextray.engine.actions import ActionRunner
from plextray.engine.publisher import SnapshotPublisher


class EngineThreadSide:
    """Base of Engine: the control calls, through the queue only."""

    _queue: queue.Queue[Any]
    _runner: ActionRunner
    _snapshots: SnapshotPublisher
    _thread: threading.Thread | None

    def _run(self) -> None:  # the engine thread's loop (Engine)
        raise NotImplementedError

    def start(self) -> Self:
        self._thread = threading.Thread(target=self._run, name="plextray-engine", daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout: float = 10.0) -> None:
        self._queue.put(msg.Stop())
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout)
        self._runner.close()

    def join(self, timeout: float | None = None) -> None:
        if self._thread is not None:
            self._thread.join(timeout)

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def snapshot(self) -> EngineSnapshot:
        return self._snapshots.current

    def subscribe(self, callback: Callable[[EngineSnapshot], None]) -> Callable[[], None]:
        return self._snapshots.subscribe(callback)

    def pause(self) -> None:
        self._queue.put(msg.Pause())

    def resume(self) -> None:
        self._queue.put(msg.Resume())

    def grant(self, person: str, *, minutes: int = 0, lift_window_until: str | None = None) -> None:
        self._queue.put(msg.Grant(person, minutes, lift_window_until))

    def reload_profiles(self) -> None:
        self._queue.put(msg.ReloadProfiles())

    def report_problem(self, key: str, text: str) -> None:
        """A lasting problem found outside the engine (no tray on this desktop): into the snapshot."""
        self._queue.put(msg.Problem(key, text))
