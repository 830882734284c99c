"""Which platform gets buttons, and how Windows/macOS fall back to words: with a fake
desktop-notifier (the real WinRT and macOS backends cannot run here; the real library runs in
tests/notify/test_notify_toasts.py on its Linux backend)."""

from __future__ import annotations

import asyncio
import enum
import threading
import uuid
from dataclasses import dataclass, field
from typing import Any, Callable

import pytest
from support.household import wait_for

from plextray import notify_toasts
from plextray.core.offers import allow_tonight, link_device, more_time
from plextray.notify import DesktopNotifier, buttons_path
from plextray.notify_actions import OfferRunner
from plextray.notify_toasts import PENDING, ToastActions


class FakeLibrary:
    """The part of the `desktop_notifier` module plextray uses, with the platform's answers chosen."""

    class Capability(enum.Enum):
        TITLE = 1
        BUTTONS = 2

    @dataclass(frozen=True)
    class Button:
        title: str
        on_pressed: Callable[[], Any] | None = None
        identifier: str = field(default_factory=lambda: str(uuid.uuid4()))

    @dataclass(frozen=True)
    class Icon:
        path: Any = None

    def __init__(self, *, buttons: bool = True, allowed: bool = True, dispatched: bool = True,
                 prompt: threading.Event | None = None, broken: Exception | None = None) -> None:
        self.buttons, self.allowed, self.dispatched, self.prompt, self.broken = buttons, allowed, dispatched, prompt, broken
        self.sent: list[dict] = []
        self.asked: list[str] = []
        self.made = 0  # DesktopNotifier instances tried
        library = self

        class Notifier:
            def __init__(self, app_name: str, app_icon: Any = None) -> None:
                library.made += 1
                if library.broken is not None:
                    raise library.broken
                self.app_name = app_name

            async def get_capabilities(self):
                return frozenset({library.Capability.TITLE} | ({library.Capability.BUTTONS} if library.buttons else set()))

            async def request_authorisation(self) -> bool:
                library.asked.append("request")
                if library.prompt is not None:  # macOS: the user has not answered yet
                    await asyncio.get_running_loop().run_in_executor(None, library.prompt.wait)
                return library.allowed

            async def has_authorisation(self) -> bool:
                library.asked.append("has")
                return library.allowed

            async def send(self, *, title, message, buttons, on_dispatched, timeout):
                library.sent.append({"title": title, "message": message, "buttons": buttons,
                                     "thread": threading.current_thread().name})
                if library.dispatched:  # the real library logs a failed send and skips this
                    on_dispatched()
                return "id"

        self.DesktopNotifier = Notifier

    def press(self, index: int, label: str) -> None:
        """A click, delivered on this (the caller's) thread as macOS' delegate delivers it."""
        button = next(b for b in self.sent[index]["buttons"] if b.title == label)
        button.on_pressed()


class RecordingEngine:
    def __init__(self, fail_first: bool = False) -> None:
        self.grants: list[tuple] = []
        self.threads: list[str] = []
        self._fail = fail_first

    def grant(self, person, *, minutes=0, lift_window_until=None):
        self.threads.append(threading.current_thread().name)
        if self._fail:
            self._fail = False
            raise RuntimeError("engine busy")
        self.grants.append((person, minutes, lift_window_until))


def _notifier(monkeypatch, library, platform="win32", tray=True):
    monkeypatch.setattr(notify_toasts, "load_library", lambda: library() if callable(library) else library)
    balloons: list[tuple[str, str]] = []
    notifier = DesktopNotifier(platform=platform, tray_notify=(lambda t, m: balloons.append((t, m))) if tray else None)
    return notifier, balloons


def _toast_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "plextray-toasts"]


# ---- which path --------------------------------------------------------------------------------

@pytest.mark.parametrize(("platform", "flatpak", "tray", "expected"), [
    ("linux", False, False, "dbus"),
    ("linux", False, True, "dbus"),  # Linux keeps its freedesktop path, tray or not
    ("linux", True, True, None),  # Flatpak: the portal, no actions
    ("freebsd13", False, False, "dbus"),
    ("win32", False, False, "toasts"),  # a toast's click needs no main-thread loop: headless too
    ("win32", False, True, "toasts"),
    ("darwin", False, True, "toasts"),
    ("darwin", False, False, None),  # headless macOS runs no main run loop to deliver a click
    ("cygwin", False, True, None),
])
def test_each_platform_gets_its_buttons_path(platform, flatpak, tray, expected):
    assert buttons_path(platform, in_flatpak=flatpak, has_tray=tray) == expected


def test_linux_never_loads_desktop_notifier(monkeypatch):
    loads: list[int] = []
    monkeypatch.setattr(notify_toasts, "load_library", lambda: loads.append(1))
    notifier = DesktopNotifier(platform="linux")
    notifier.notify = lambda title, message: True  # the plain path, not under test here
    notifier.attach_offers(OfferRunner(RecordingEngine()))
    try:  # the session bus has no notification server: DbusActions finds none, the words go out
        assert notifier.notify_offers("plextray", "Emma has 12 minutes left today", more_time("Emma"))
        assert loads == [] and notifier._toasts is None
    finally:
        notifier.close()


def test_headless_macos_says_the_offers_in_words_without_loading_the_library(monkeypatch):
    loads: list[int] = []
    monkeypatch.setattr(notify_toasts, "load_library", lambda: loads.append(1))
    notifier = DesktopNotifier(platform="darwin")
    said: list[str] = []
    notifier.notify = lambda title, message: said.append(message) or True
    notifier.attach_offers(OfferRunner(RecordingEngine()))
    assert notifier.notify_offers("plextray", "Emma has 12 minutes left today", more_time("Emma"))
    assert loads == [] and "plextray grant Emma +15m" in said[0]


# ---- falling back to words ---------------------------------------------------------------------

def _missing():
    raise ImportError("No module named 'desktop_notifier'")


@pytest.mark.parametrize("platform", ["win32", "darwin"])
def test_without_the_library_the_tray_balloon_says_what_to_do(monkeypatch, platform):
    before = len(_toast_threads())
    notifier, balloons = _notifier(monkeypatch, _missing, platform)
    notifier.attach_offers(OfferRunner(RecordingEngine()))
    try:
        assert notifier.notify_offers("plextray", "Emma has 12 minutes left today", more_time("Emma"))
        assert notifier.notify_offers("plextray", "Emma · bedtime", allow_tonight("Emma"))
        (_, first), (_, second) = balloons
        assert first.startswith("Emma has 12 minutes left today\n") and "plextray grant Emma +15m" in first
        assert "plextray grant Emma --no-bedtime-tonight" in second
        assert notifier.last_backend == "tray" and len(_toast_threads()) == before  # no thread for nothing
    finally:
        notifier.close()


def test_a_library_that_fails_to_load_its_backend_counts_as_missing(monkeypatch):
    def broken():
        raise OSError("Foundation framework not found")  # rubicon-objc on a broken system

    notifier, balloons = _notifier(monkeypatch, broken)
    notifier.attach_offers(OfferRunner(RecordingEngine()))
    try:
        assert notifier.notify_offers("plextray", "Emma has 12 minutes left today", more_time("Emma"))
        assert "plextray grant Emma +15m" in balloons[0][1]
    finally:
        notifier.close()


@pytest.mark.parametrize(("case", "library"), [
    ("permission refused (macOS prompt answered No, toasts turned off on Windows)", FakeLibrary(allowed=False)),
    ("no buttons on this system (the library's dummy backend)", FakeLibrary(buttons=False)),
    ("the send failed (the library logs it, never raises)", FakeLibrary(dispatched=False)),
    ("no toast notifier (Windows without ToastNotificationManager)", FakeLibrary(broken=RuntimeError("no manager"))),
])
def test_what_keeps_the_buttons_away_leaves_the_words_once(monkeypatch, case, library):
    notifier, balloons = _notifier(monkeypatch, library)
    notifier.attach_offers(OfferRunner(RecordingEngine()))
    try:
        assert notifier.notify_offers("plextray", "Emma has 12 minutes left today", more_time("Emma")), case
        assert len(balloons) == 1 and "tray menu Give extra time ▸ Emma" in balloons[0][1], case
        assert notifier.last_backend == "tray"
        assert len(library.sent) == (0 if library.dispatched else 1), case  # tried once at most
    finally:
        notifier.close()


def test_a_system_without_a_toast_notifier_is_not_asked_again(monkeypatch):
    library = FakeLibrary(broken=RuntimeError("Could not get ToastNotificationManagerForUser"))
    notifier, balloons = _notifier(monkeypatch, library)
    notifier.attach_offers(OfferRunner(RecordingEngine()))
    try:
        for _ in range(3):
            assert notifier.notify_offers("plextray", "Emma has 12 minutes left today", more_time("Emma"))
        assert len(balloons) == 3 and library.made == 1
        assert notifier._toasts.available() is False
    finally:
        notifier.close()


def test_permission_is_requested_once_then_only_looked_up(monkeypatch):
    library = FakeLibrary(allowed=False)
    notifier, balloons = _notifier(monkeypatch, library)
    notifier.attach_offers(OfferRunner(RecordingEngine()))
    try:
        notifier.notify_offers("plextray", "one", more_time("Emma"))
        library.allowed = True  # the parent turned notifications on in System Settings
        notifier.notify_offers("plextray", "two", more_time("Emma"))
        assert library.asked == ["request", "has"]
        assert len(balloons) == 1 and [s["message"].split("\n")[0] for s in library.sent] == ["two"]
        assert notifier.last_backend == "toast-actions"
    finally:
        notifier.close()


def test_a_pending_permission_prompt_never_holds_the_caller(monkeypatch):
    """The first macOS notification waits for the user's answer: the caller goes on after
    wait_s, and the notification ends as buttons or words by itself — exactly once."""
    for allowed in (False, True):
        prompt = threading.Event()
        library = FakeLibrary(allowed=allowed, prompt=prompt)
        plain: list[int] = []
        toasts = ToastActions(OfferRunner(RecordingEngine()), library=lambda: library, wait_s=0.2)
        try:
            how, shown = toasts.notify("plextray", "Emma has 12 minutes left today", more_time("Emma"),
                                       lambda: plain.append(1) or True)
            assert (how, shown) == (PENDING, True) and plain == [] and library.sent == []
            prompt.set()  # the user answers
            if allowed:
                wait_for(lambda: library.sent)
                assert plain == [] and library.sent[0]["thread"] == "plextray-toasts"
            else:
                wait_for(lambda: plain)
                assert plain == [1] and library.sent == []
        finally:
            toasts.close()


# ---- a click ----------------------------------------------------------------------------------

def test_a_click_from_another_thread_runs_on_the_loop_thread_once(monkeypatch):
    """macOS calls its delegate on the main thread, WinRT on a pool thread: the offer runs on the
    adapter's own thread either way, one click per notification, and a failing run does not end it."""
    library = FakeLibrary()
    engine = RecordingEngine(fail_first=True)
    notifier, balloons = _notifier(monkeypatch, library, "darwin")
    notifier.attach_offers(OfferRunner(engine))
    try:
        assert notifier.notify_offers("plextray", "Emma has 12 minutes left today", more_time("Emma"))
        assert notifier.notify_offers("plextray", "Emma has 5 minutes left today", more_time("Emma"))
        assert balloons == [] and [b.title for b in library.sent[0]["buttons"]] == ["+15 min", "+30 min"]
        library.press(0, "+30 min")  # raises inside the engine: logged
        wait_for(lambda: engine.threads)
        library.press(0, "+15 min")  # the same notification: ignored
        library.press(1, "+15 min")
        wait_for(lambda: engine.grants)
        assert engine.grants == [("Emma", 15, None)]
        assert engine.threads == ["plextray-toasts", "plextray-toasts"]
    finally:
        notifier.close()


def test_link_is_a_button_only_where_a_window_can_open(monkeypatch):
    library = FakeLibrary()
    opened: list[int] = []
    tray, balloons = _notifier(monkeypatch, library)
    headless, headless_balloons = _notifier(monkeypatch, library)
    tray.attach_offers(OfferRunner(RecordingEngine(), open_devices=lambda: opened.append(1)))
    headless.attach_offers(OfferRunner(RecordingEngine()))
    try:
        tray.notify_offers("plextray", "Unknown device · TV is linked to nobody", link_device("tv"))
        headless.notify_offers("plextray", "Unknown device · TV is linked to nobody", link_device("tv"))
        assert [b.title for b in library.sent[0]["buttons"]] == ["Link to…"] and len(library.sent) == 1
        assert "Settings… ▸ Devices" in headless_balloons[0][1]
        library.press(0, "Link to…")
        wait_for(lambda: opened == [1])
    finally:
        tray.close()
        headless.close()


def test_toast_text_is_cleaned_and_fits_windows(monkeypatch):
    library = FakeLibrary()
    notifier, _ = _notifier(monkeypatch, library)
    notifier.attach_offers(OfferRunner(RecordingEngine()))
    try:
        notifier.notify_offers("🎬" * 80 + "\x07", "Emma on <i>iPad</i>\x1b[2J " + "x" * 400, more_time("Emma"))
        sent = library.sent[0]
        assert len(sent["title"].encode("utf-16-le")) // 2 <= 63
        assert len(sent["message"].encode("utf-16-le")) // 2 <= 255 and sent["message"].endswith("…")
        assert "<" not in sent["message"] and "\x1b" not in sent["message"] and "\x07" not in sent["title"]
    finally:
        notifier.close()


def test_close_ends_the_loop_thread(monkeypatch):
    notifier, _ = _notifier(monkeypatch, FakeLibrary())
    notifier.attach_offers(OfferRunner(RecordingEngine()))
    notifier.notify_offers("plextray", "Emma has 12 minutes left today", more_time("Emma"))
    thread = notifier._toasts._thread
    assert thread in _toast_threads() and thread.daemon  # never keeps the process alive on its own
    notifier.close()
    assert not thread.is_alive()
