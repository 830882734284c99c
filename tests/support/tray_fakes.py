"""Stand-ins the tray is driven with: an EngineControl that records calls, a callback recorder and
a notifier that records what it was asked to show; and `click`, a menu click as the icon makes it."""

from __future__ import annotations

import threading

from plextray.core.model import EngineSnapshot, EngineState


class FakeEngine:
    """An EngineControl that records calls and publishes snapshots from its own thread."""

    def __init__(self, snapshot: EngineSnapshot) -> None:
        self._snapshot = snapshot
        self._subscribers: list = []
        self.calls: list[tuple] = []
        self.stopped = threading.Event()

    def snapshot(self) -> EngineSnapshot:
        return self._snapshot

    def subscribe(self, callback):
        self._subscribers.append(callback)
        return lambda: self._subscribers.remove(callback)

    def publish(self, snapshot: EngineSnapshot) -> None:
        self._snapshot = snapshot
        worker = threading.Thread(target=lambda: [cb(snapshot) for cb in list(self._subscribers)])
        worker.start()
        worker.join()

    def pause(self) -> None:
        self.calls.append(("pause",))
        self.publish(EngineSnapshot(EngineState.PAUSED, paused=True, people=self._snapshot.people))

    def resume(self) -> None:
        self.calls.append(("resume",))
        self.publish(EngineSnapshot(EngineState.MONITORING, people=self._snapshot.people))

    def grant(self, person, *, minutes=0, lift_window_until=None) -> None:
        self.calls.append(("grant", person, minutes, lift_window_until))

    def reload_profiles(self) -> None:
        self.calls.append(("reload_profiles",))

    def stop(self) -> None:
        self.calls.append(("stop",))
        self.stopped.set()


class Recorder:
    def __init__(self) -> None:
        self.calls: list = []

    def __call__(self, *args) -> None:
        self.calls.append(args)


class RecordingNotifier:
    def __init__(self) -> None:
        self.sent: list[tuple[str, str]] = []

    def notify(self, title: str, message: str) -> bool:
        self.sent.append((title, message))
        return True


def menu_items(menu) -> dict:
    return {item.text: item for item in menu.items}


def click(app, *path: str) -> None:
    """Invoke a (sub)menu item of the app's tray icon on another thread, as pystray's loop thread does."""
    item = menu_items(app.tray.icon.menu)[path[0]]
    for name in path[1:]:
        item = menu_items(item.submenu)[name]
    worker = threading.Thread(target=item, args=(app.tray.icon,))
    worker.start()
    worker.join(5)
