"""Review findings in plextray.notify."""

from __future__ import annotations

from plextray.notify import DesktopNotifier


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
