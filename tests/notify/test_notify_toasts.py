"""Windows toasts and macOS notifications with buttons go through desktop-notifier
(plextray.notify_toasts). Those backends cannot run here; the library's third backend, Linux
D-Bus, can. So these tests run plextray's adapter — the loop thread, the buttons, the click
routing, the fallback to words — with the real library on a private session bus and the fake
notification server (tests/support/fake_notifyd.py), whose ActionInvoked is a parent's click.
DesktopNotifier(platform="win32") selects the toast path; the library underneath picks its
backend from the real OS (Linux here, WinRT on Windows, UNUserNotificationCenter on macOS)."""

from __future__ import annotations

import threading

import pytest
from support.engine_world import World
from support.household import wait_for
from support.notify_bus import click, forge_action, notifyd, private_bus  # noqa: F401  (fixtures)

from plextray.core.offers import allow_tonight, link_device, more_time
from plextray.notify import DesktopNotifier
from plextray.notify_actions import OfferRunner


class RecordingEngine:
    def __init__(self) -> None:
        self.grants: list[tuple] = []
        self.threads: list[str] = []

    def grant(self, person, *, minutes=0, lift_window_until=None):
        self.threads.append(threading.current_thread().name)
        self.grants.append((person, minutes, lift_window_until))


def _toast_notifier(platform: str = "win32"):
    """A Windows (or macOS tray) notifier whose tray balloon records what falls back to it."""
    balloons: list[tuple[str, str]] = []
    notifier = DesktopNotifier(platform=platform, tray_notify=lambda title, message: balloons.append((title, message)))
    return notifier, balloons


def _key(note: dict, label: str) -> str:
    actions = note["actions"]
    return actions[actions.index(label) - 1]  # [key, label, key, label...]


@pytest.mark.parametrize(("platform", "body"), [
    ("darwin", "Emma has 12 minutes left today"),  # buttons: no instructions in the text
    # Windows keeps them under its buttons while a toast click reaching plextray is unproven there
    ("win32", "Emma has 12 minutes left today\nTo give Emma more time: tray menu Give extra time ▸ Emma, "
              "or `plextray grant Emma +15m`."),
])
def test_a_toast_quota_warning_has_two_buttons_and_plus_30_grants(notifyd, platform, body):
    engine = RecordingEngine()
    notifier, balloons = _toast_notifier(platform)
    notifier.attach_offers(OfferRunner(engine))
    try:
        assert notifier.notify_offers("plextray", "Emma has 12 minutes left today", more_time("Emma"))
        (note,) = notifyd()
        assert note["actions"][1::2][-2:] == ["+15 min", "+30 min"]  # after the library's body-click "default"
        assert note["body"] == body
        assert note["app_name"] == "plextray" and balloons == []
        assert notifier.last_backend == "toast-actions"
        click(note["id"], _key(note, "+30 min"))
        wait_for(lambda: engine.grants)
        assert engine.grants == [("Emma", 30, None)]
        assert engine.threads == ["plextray-toasts"]  # the library's loop thread, never the caller's
        click(note["id"], _key(note, "+15 min"))  # one click per notification
        notifier.notify_offers("plextray", "sync", more_time("Leo"))  # a round trip after that click
        notifyd(2)
        assert engine.grants == [("Emma", 30, None)]
    finally:
        notifier.close()


def test_a_click_on_a_toast_grants_in_the_real_engine(notifyd, tmp_path, plextray_home, monkeypatch):
    """The grant lands: a real engine records "+30 min" from the toast's button in its database."""
    world = World(tmp_path, plextray_home, monkeypatch)
    notifier, _ = _toast_notifier("darwin")  # the macOS tray app: same adapter, same library
    try:
        world.start([{"type": "quota", "minutes": 60, "per": "day", "actions": ["notify"]}])
        notifier.attach_offers(OfferRunner(world.engine))
        assert notifier.notify_offers("plextray", "Emma has 12 minutes left today", more_time("Emma"))
        note = notifyd()[0]
        click(note["id"], _key(note, "+30 min"))

        def grants():
            with world.db() as conn:
                return [tuple(r) for r in conn.execute("SELECT person, minutes, lift_until FROM grants")]

        assert wait_for(grants) == [("Emma", 30, None)]
    finally:
        notifier.close()
        world.close()


def test_only_the_notification_server_can_click_a_toast(notifyd):
    engine = RecordingEngine()
    notifier, _ = _toast_notifier()
    notifier.attach_offers(OfferRunner(engine))
    try:
        notifier.notify_offers("plextray", "Emma has 12 minutes left today", more_time("Emma"))
        (note,) = notifyd()
        forge_action(note["id"], _key(note, "+30 min"))  # from another connection: ignored
        click(note["id"], _key(note, "+15 min"))
        wait_for(lambda: engine.grants)
        assert engine.grants == [("Emma", 15, None)]
    finally:
        notifier.close()


def test_allow_tonight_on_a_bedtime_stop_lifts_the_windows(notifyd):
    engine = RecordingEngine()
    notifier, _ = _toast_notifier()
    notifier.attach_offers(OfferRunner(engine))
    try:
        notifier.notify_offers("plextray", "Emma · bedtime 20:30–07:00 · on iPad", allow_tonight("Emma"))
        (note,) = notifyd()
        click(note["id"], _key(note, "Allow tonight"))
        wait_for(lambda: engine.grants)
        assert engine.grants == [("Emma", 0, "tonight")]
    finally:
        notifier.close()


def test_a_restarted_engine_gets_the_click(notifyd):
    """The tray rebuilds its engine after the first-run window: a click runs on the one attached now."""
    old, new = RecordingEngine(), RecordingEngine()
    notifier, _ = _toast_notifier()
    notifier.attach_offers(OfferRunner(old))
    try:
        notifier.notify_offers("plextray", "Emma has 12 minutes left today", more_time("Emma"))
        note = notifyd()[0]
        notifier.attach_offers(OfferRunner(new))
        click(note["id"], _key(note, "+15 min"))
        wait_for(lambda: new.grants)
        assert new.grants == [("Emma", 15, None)] and old.grants == []
    finally:
        notifier.close()


@pytest.fixture
def notifyd_without_buttons(private_bus, tmp_path):  # noqa: F811
    import json
    import subprocess
    import sys
    from pathlib import Path

    log = tmp_path / "plain.jsonl"
    server = subprocess.Popen([sys.executable, str(Path(__file__).resolve().parents[1] / "support" / "fake_notifyd.py"),
                               str(log), "--no-actions"], stdout=subprocess.PIPE, text=True)
    assert server.stdout.readline().strip() == "fake-notifyd ready"
    yield lambda: [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []
    server.terminate()
    server.wait(5)


def test_where_the_desktop_has_no_buttons_the_text_says_what_to_do(notifyd_without_buttons):
    engine = RecordingEngine()
    notifier, balloons = _toast_notifier()
    notifier.attach_offers(OfferRunner(engine))
    try:
        assert notifier.notify_offers("plextray", "Emma has 12 minutes left today", more_time("Emma"))
        ((title, message),) = balloons  # once, through the plain path (the tray balloon on Windows)
        assert message.startswith("Emma has 12 minutes left today\n")
        assert "plextray grant Emma +15m" in message and notifier.last_backend == "tray"
        assert notifyd_without_buttons() == []  # nothing with (or without) buttons went out besides
    finally:
        notifier.close()


def test_with_no_notification_service_at_all_the_text_still_goes_out(private_bus):  # noqa: F811
    notifier, balloons = _toast_notifier()
    notifier.attach_offers(OfferRunner(RecordingEngine()))
    try:
        assert notifier.notify_offers("plextray", "Emma has 12 minutes left today", more_time("Emma"))
        ((_, message),) = balloons
        assert "tray menu Give extra time ▸ Emma" in message
    finally:
        notifier.close()


def test_device_names_reach_the_toast_as_plain_visible_text(notifyd):
    """A device name is anyone's text: no markup, no control characters, no bidi tricks."""
    notifier, _ = _toast_notifier()
    notifier.attach_offers(OfferRunner(RecordingEngine(), open_devices=lambda: None))
    try:
        notifier.notify_offers("New \x1b[31mdevice", "Unknown device · <b>TV</b> & co\u202e is linked to nobody",
                               link_device("tv"))
        (note,) = notifyd()
        # markup starters become look-alikes; an invisible character shows as "\ufffd" (safe_text's rule)
        assert note["body"].startswith("Unknown device · \u2039b>TV\u2039/b> \uff06 co\ufffd is linked to nobody\n")
        assert note["summary"] == "New \ufffd[31mdevice" and note["actions"][-1] == "Link to…"
    finally:
        notifier.close()
