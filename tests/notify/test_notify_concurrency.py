"""One slow `notify-send` (a notification daemon that hangs) must not hold up every other notification.

A fake `notify-send` first on PATH records each title; for the title "slow" it sleeps until the
test releases it (at most a few seconds), so the test can see a second notification, sent from
another thread meanwhile, go through while the first is still running.
"""

from __future__ import annotations

import os
import threading
import time

import pytest

from plextray.notify import DesktopNotifier

FAKE_NOTIFY_SEND = """#!/bin/sh
# notify-send --app-name NAME --expire-time MS -- TITLE MESSAGE
title="$6"
if [ "$title" = "slow" ]; then
    : > "$FAKE_NOTIFY_STARTED"
    i=0
    while [ ! -e "$FAKE_NOTIFY_RELEASE" ] && [ "$i" -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
fi
echo "$title" >> "$FAKE_NOTIFY_LOG"
exit 0
"""


@pytest.fixture
def slow_notify_send(tmp_path, monkeypatch):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake = bin_dir / "notify-send"
    fake.write_text(FAKE_NOTIFY_SEND)
    fake.chmod(0o755)
    files = {name: tmp_path / name for name in ("started", "release", "log")}
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", f"unix:path={tmp_path / 'bus'}")  # "a bus is there"
    monkeypatch.setenv("FAKE_NOTIFY_STARTED", str(files["started"]))
    monkeypatch.setenv("FAKE_NOTIFY_RELEASE", str(files["release"]))
    monkeypatch.setenv("FAKE_NOTIFY_LOG", str(files["log"]))
    yield files
    files["release"].touch()  # never leave the fake sleeping


def wait_for(condition, timeout: float = 10.0) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if condition():
            return True
        time.sleep(0.01)
    return condition()


def test_a_slow_notify_send_does_not_hold_up_another_thread(slow_notify_send):
    notifier = DesktopNotifier(platform="linux")
    results: dict[str, bool] = {}
    slow = threading.Thread(target=lambda: results.__setitem__("slow", notifier.notify("slow", "hangs")))
    slow.start()
    assert wait_for(slow_notify_send["started"].exists), "the fake notify-send never started"

    fast = threading.Thread(target=lambda: results.__setitem__("fast", notifier.notify("fast", "goes")))
    fast.start()
    fast.join(timeout=8)  # the slow one waits up to 10 s for its release: a held lock shows here
    fast_done_while_slow_ran = not fast.is_alive() and slow.is_alive()

    slow_notify_send["release"].touch()
    slow.join(timeout=15)
    fast.join(timeout=15)
    assert fast_done_while_slow_ran, "the second notification waited for the slow notify-send"
    assert results == {"fast": True, "slow": True}
    assert slow_notify_send["log"].read_text().splitlines() == ["fast", "slow"]
    assert notifier.last_backend == "notify-send"


def test_the_tray_icon_is_still_called_one_at_a_time(monkeypatch):
    """The in-process backends (tray icon, plyer) are not known to be re-entrant: still serialized."""
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", "disabled:")  # no notify-send: the tray takes it
    inside = threading.Semaphore(0)
    go_on = threading.Event()
    overlapping: list[bool] = []
    busy = threading.Lock()

    def tray(title: str, message: str) -> None:
        overlapping.append(not busy.acquire(blocking=False))
        try:
            if title == "first":
                inside.release()
                go_on.wait(10)
        finally:
            if not overlapping[-1]:
                busy.release()

    notifier = DesktopNotifier(tray_notify=tray, platform="linux")
    first = threading.Thread(target=notifier.notify, args=("first", "m"))
    first.start()
    assert inside.acquire(timeout=10)
    second = threading.Thread(target=notifier.notify, args=("second", "m"))
    second.start()
    second.join(timeout=0.3)
    assert second.is_alive()  # waiting for the tray icon, not calling it at the same time
    go_on.set()
    first.join(10)
    second.join(10)
    assert overlapping == [False, False] and notifier.last_backend == "tray"
