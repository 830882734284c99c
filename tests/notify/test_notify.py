"""Desktop notifications captured on a real (private) D-Bus by a fake notification server.

Each test gets its own dbus-daemon with no activatable services, so "no notification daemon"
is real too: nothing answers org.freedesktop.Notifications unless the fake server is started.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

from support.notify_bus import notifyd, private_bus  # noqa: F401  (fixtures)

from plextray.notify import DesktopNotifier, limits_for, truncate

def test_notification_reaches_the_desktop_bus(notifyd):
    notifier = DesktopNotifier()
    assert notifier.notify("Emma's bedtime", "Stopped Bluey on Emma's iPad at 20:31") is True
    (note,) = notifyd(1)
    assert note["app_name"] == "plextray"
    assert note["summary"] == "Emma's bedtime"
    assert note["body"] == "Stopped Bluey on Emma's iPad at 20:31"
    assert note["expire_timeout"] == 10_000  # not 0 (= never expire), plyer's notify-send bug
    assert notifier.last_backend in ("notify-send", "plyer-dbus")


def test_quotes_and_long_text_survive_and_are_truncated(notifyd):
    notifier = DesktopNotifier()
    title = "It's \"Leo's\" time — ünïcode ✓ " + "x" * 400
    assert notifier.notify(title, "body $(not a shell) `nor this` " + "y" * 2000)
    (note,) = notifyd(1)
    title_limit, body_limit = limits_for("linux")
    assert note["summary"].startswith("It's \"Leo's\" time — ünïcode ✓ ")
    assert len(note["summary"]) == title_limit and note["summary"].endswith("…")
    assert note["body"].startswith("body $(not a shell) `nor this` ") and len(note["body"]) == body_limit


def test_no_notification_daemon_never_raises(private_bus, caplog):
    notifier = DesktopNotifier()
    with caplog.at_level(logging.WARNING, logger="plextray.notify"):
        assert notifier.notify("Leo", "quota reached") is False
    assert notifier.last_backend == "log"
    assert "Leo: quota reached" in caplog.text


def test_no_daemon_falls_back_to_the_tray_icon(private_bus):
    shown = []
    notifier = DesktopNotifier(tray_notify=lambda title, message: shown.append((title, message)))
    assert notifier.notify("Leo", "quota reached") is True
    assert shown == [("Leo", "quota reached")] and notifier.last_backend == "tray"


def test_every_backend_failing_still_never_raises(monkeypatch, caplog):
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", "disabled:")

    def broken_tray(title, message):
        raise NotImplementedError("xorg has no notifications")

    notifier = DesktopNotifier(tray_notify=broken_tray)
    with caplog.at_level(logging.WARNING, logger="plextray.notify"):
        assert notifier.notify("t", "m") is False
    assert "t: m" in caplog.text


def test_without_any_bus_in_a_fresh_process():
    """No bus and no display at all (a bare server): no traceback, exit 0, result False."""
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "DBUS_SESSION_BUS_ADDRESS", "XDG_RUNTIME_DIR")}
    code = "from plextray.notify import DesktopNotifier; print(DesktopNotifier().notify('a', 'b'))"
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=30,
                            cwd=Path(__file__).resolve().parents[2])
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"
    assert "Traceback" not in result.stderr


def test_windows_limits_apply_to_the_tray_balloon():
    shown = []
    notifier = DesktopNotifier(platform="win32", tray_notify=lambda t, m: shown.append((t, m)))
    assert notifier.notify("T" * 100, "M" * 400)
    ((title, message),) = shown
    assert len(title) == 63 and len(message) == 255  # NOTIFYICONDATAW: 64 / 256 WCHARs with the NUL


def test_truncate_keeps_short_text_and_strips_control_characters():
    assert truncate("short", 10) == "short"
    assert truncate("a\x00b\tc\nd", 20) == "a b c\nd"
    assert truncate("abcdefghij", 5) == "abcd…"


def test_windows_limits_count_utf16_units_not_characters():
    """NOTIFYICONDATAW's szInfoTitle[64]/szInfo[256] hold UTF-16 units: 255 emoji are 510 units, and
    pystray's balloon raises ValueError on them (then plyer's does too: the notification is lost)."""
    shown: list[tuple[str, str]] = []
    notifier = DesktopNotifier(platform="win32", tray_notify=lambda title, message: shown.append((title, message)))
    assert notifier.notify("🎬" * 80, "Emma: 🦕 " * 100) is True
    title, message = shown[-1]
    assert len(title.encode("utf-16-le")) // 2 <= 63
    assert len(message.encode("utf-16-le")) // 2 <= 255
    assert message.startswith("Emma: 🦕") and message.endswith("…")
    assert not any(0xD800 <= ord(ch) <= 0xDFFF for ch in title + message)  # no half of a surrogate pair


def test_other_platforms_keep_their_character_limits():
    shown: list[tuple[str, str]] = []
    notifier = DesktopNotifier(platform="darwin", tray_notify=lambda title, message: shown.append((title, message)))
    notifier.notify("t", "x" * 2000)
    assert len(shown[-1][1]) == 1000
