"""Notifications with buttons: a parent clicks "+30 min" or "Allow tonight" on the notification and
the same command as the tray menu runs. Over a real private D-Bus with the fake notification
server (tests/support/fake_notifyd.py), whose `Click` makes it emit ActionInvoked as a real
server does when a button is pressed."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from support.household import emma_profiles, wait_for
from support.engine_world import KIDS_EPISODE, World
from support.notify_bus import click, forge_action, private_bus  # noqa: F401  (fixture: a bus with nothing on it)

from plextray.core.offers import allow_tonight, link_device, more_time, offers_for_violation, with_hints
from plextray.core.household import UNKNOWN_DEVICES_ID
from plextray.notify import DesktopNotifier
from plextray.notify_actions import OfferRunner

SUPPORT = Path(__file__).resolve().parents[1] / "support"


class Server:
    """The fake notification server: what it received, and a parent's click."""

    def __init__(self, log: Path, proc: subprocess.Popen) -> None:
        self.log, self.proc = log, proc

    def received(self, count: int = 1) -> list[dict]:
        def lines():
            return self.log.read_text().splitlines() if self.log.exists() else []

        wait_for(lambda: len(lines()) >= count)
        return [json.loads(line) for line in lines()]

    def click(self, nid: int, key: str) -> None:
        click(nid, key)


def _server(tmp_path: Path, *flags: str) -> Server:
    log = tmp_path / "notifications.jsonl"
    proc = subprocess.Popen([sys.executable, str(SUPPORT / "fake_notifyd.py"), str(log), *flags],
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "fake-notifyd ready"
    return Server(log, proc)


@pytest.fixture
def server(private_bus, tmp_path):  # noqa: F811
    s = _server(tmp_path)
    yield s
    s.proc.terminate()
    s.proc.wait(5)


@pytest.fixture
def server_without_buttons(private_bus, tmp_path):  # noqa: F811
    s = _server(tmp_path, "--no-actions")
    yield s
    s.proc.terminate()
    s.proc.wait(5)


class RecordingEngine:
    def __init__(self) -> None:
        self.grants: list[tuple] = []

    def grant(self, person, *, minutes=0, lift_window_until=None):
        self.grants.append((person, minutes, lift_window_until))


def test_a_quota_warning_shows_two_buttons_and_a_click_grants_through_the_engine(server):
    engine = RecordingEngine()
    notifier = DesktopNotifier()
    notifier.attach_offers(OfferRunner(engine))
    try:
        assert notifier.notify_offers("plextray", "Emma has 12 minutes left today", more_time("Emma"))
        (note,) = server.received()
        assert note["actions"] == ["grant-15:Emma", "+15 min", "grant-30:Emma", "+30 min"]
        assert note["body"] == "Emma has 12 minutes left today"  # buttons, so no instructions in the text
        server.click(note["id"], "grant-30:Emma")
        wait_for(lambda: engine.grants)
        assert engine.grants == [("Emma", 30, None)]
        server.click(note["id"], "grant-15:Emma")  # one click per notification: the second is ignored
        server.click(note["id"] + 1000, "grant-30:Emma")  # not ours
        notifier.notify_offers("plextray", "sync", more_time("Leo"))  # a round trip after those clicks
        server.received(2)
        assert engine.grants == [("Emma", 30, None)]
    finally:
        notifier.close()


def test_only_the_notification_server_can_click(server):
    """Any program on the session bus can emit an ActionInvoked signal; only the server's count."""
    engine = RecordingEngine()
    notifier = DesktopNotifier()
    notifier.attach_offers(OfferRunner(engine))
    try:
        notifier.notify_offers("plextray", "Emma has 12 minutes left today", more_time("Emma"))
        (note,) = server.received()
        forge_action(note["id"], "grant-30:Emma")
        server.click(note["id"], "grant-15:Emma")
        wait_for(lambda: engine.grants)
        assert engine.grants == [("Emma", 15, None)]
    finally:
        notifier.close()


def test_a_click_after_the_engine_was_rebuilt_reaches_the_new_one(server):
    """The tray rebuilds its engine after the first-run window and attaches a new OfferRunner."""
    old, new = RecordingEngine(), RecordingEngine()
    notifier = DesktopNotifier()
    notifier.attach_offers(OfferRunner(old))
    try:
        notifier.notify_offers("plextray", "Emma has 12 minutes left today", more_time("Emma"))
        (note,) = server.received()
        notifier.attach_offers(OfferRunner(new))
        server.click(note["id"], "grant-15:Emma")
        wait_for(lambda: new.grants)
        assert new.grants == [("Emma", 15, None)] and old.grants == []
    finally:
        notifier.close()


def test_without_buttons_the_text_says_what_to_do(server_without_buttons):
    engine = RecordingEngine()
    notifier = DesktopNotifier()
    notifier.attach_offers(OfferRunner(engine))
    try:
        assert notifier.notify_offers("plextray", "Emma · bedtime 20:30–07:00 · on iPad", allow_tonight("Emma"))
        (note,) = server_without_buttons.received()
        assert note["actions"] == []
        assert "tray menu Give extra time ▸ Emma ▸ No bedtime tonight" in note["body"]
        assert "plextray grant Emma --no-bedtime-tonight" in note["body"]
    finally:
        notifier.close()


def test_link_is_a_button_only_where_a_window_can_open(server):
    """The headless service has no settings window: "Link to…" is said in words there."""
    opened: list[int] = []
    tray, headless = DesktopNotifier(), DesktopNotifier()
    tray.attach_offers(OfferRunner(RecordingEngine(), open_devices=lambda: opened.append(1)))
    headless.attach_offers(OfferRunner(RecordingEngine()))
    try:
        tray.notify_offers("plextray", "Unknown device · Living Room TV is linked to nobody", link_device("tv-1"))
        headless.notify_offers("plextray", "Unknown device · Living Room TV is linked to nobody", link_device("tv-1"))
        with_button, in_words = server.received(2)
        assert with_button["actions"] == ["link", "Link to…"]
        assert in_words["actions"] == [] and "Settings… ▸ Devices" in in_words["body"]
        server.click(with_button["id"], "link")
        wait_for(lambda: opened == [1])
    finally:
        tray.close()
        headless.close()


def test_what_each_broken_rule_offers(tmp_path):
    from plextray.profiles.store import ProfileStore

    (tmp_path / "profiles.json").write_text(json.dumps(emma_profiles([
        {"type": "time", "days": "everyday", "from": "20:30", "to": "07:00", "actions": ["notify"]},
        {"type": "quota", "minutes": 60, "per": "day", "actions": ["notify"]},
        {"type": "rating", "max": "PG", "actions": ["notify"]},
    ], kid_device="kid")))
    profiles = ProfileStore(tmp_path / "profiles.json").load()
    time_id, quota_id, rating_id = (r.id for r in profiles.person_named("Emma").restrictions)
    assert [o.label for o in offers_for_violation(profiles, "Emma", time_id, "kid")] == ["Allow tonight"]
    assert [o.label for o in offers_for_violation(profiles, "Emma", quota_id, "kid")] == ["+15 min", "+30 min"]
    assert offers_for_violation(profiles, "Emma", rating_id, "kid") == ()  # no grant changes a rating
    assert [o.kind for o in offers_for_violation(profiles, None, UNKNOWN_DEVICES_ID, "tv")] == ["link"]
    assert with_hints("x", more_time("Emma Rose")).endswith("`plextray grant 'Emma Rose' +15m`.")


def test_a_bedtime_stop_notification_offers_allow_tonight_and_the_click_lifts_bedtime(
        server, tmp_path, plextray_home, monkeypatch):
    """End to end: a real engine reads the play from Plex's log, notifies with the button through
    the real DesktopNotifier; the server's ActionInvoked grants, recorded in the database."""
    world = World(tmp_path, plextray_home, monkeypatch)
    notifier = DesktopNotifier()
    world.notifier = notifier  # World.start hands it to build_engine
    try:
        world.start([{"type": "time", "days": "everyday", "from": "15:00", "to": "18:00",
                      "actions": ["notify", "stop"]}])
        notifier.attach_offers(OfferRunner(world.engine))
        world.emulator.play(world.kid, KIDS_EPISODE)
        note = next(n for n in server.received() if n["actions"])
        assert note["actions"][1] == "Allow tonight" and "Emma" in note["body"]
        server.click(note["id"], note["actions"][0])

        def lifts():
            with world.db() as conn:
                return [tuple(r) for r in conn.execute("SELECT person, minutes, lift_until FROM grants")]

        wait_for(lifts)
        ((person, minutes, lift_until),) = lifts()
        assert (person, minutes) == ("Emma", 0) and lift_until.startswith("2026-11-2")

        # and "+30 min" on a quota warning, into the same real engine
        notifier.notify_offers("plextray", "Emma has 12 minutes left today", more_time("Emma"))
        warning = wait_for(lambda: next((n for n in server.received() if "grant-30:Emma" in n["actions"]), None))
        server.click(warning["id"], "grant-30:Emma")
        wait_for(lambda: len(lifts()) == 2)
        assert lifts()[1][:2] == ("Emma", 30)
    finally:
        notifier.close()
        world.close()


def test_a_server_that_renders_markup_gets_device_names_as_plain_text(private_bus, tmp_path):  # noqa: F811
    server = _server(tmp_path, "--markup")
    notifier = DesktopNotifier()
    notifier.attach_offers(OfferRunner(RecordingEngine(), open_devices=lambda: None))
    try:
        notifier.notify_offers("plextray", "Unknown device · <b>TV</b> & co is linked to nobody", link_device("tv"))
        (note,) = server.received()
        assert note["body"] == "Unknown device · &lt;b&gt;TV&lt;/b&gt; &amp; co is linked to nobody"
    finally:
        notifier.close()
        server.proc.terminate()
        server.proc.wait(5)


def test_controls_in_a_notification_with_buttons_never_reach_the_desktop(private_bus, tmp_path):  # noqa: F811
    """Device names are anyone's text: the button path cleans them as the plain path does."""
    server = _server(tmp_path)
    notifier = DesktopNotifier()
    notifier.attach_offers(OfferRunner(RecordingEngine(), open_devices=lambda: None))
    try:
        notifier.notify_offers("plextray\x1b]0;x\x07", "Unknown device · \x1b[2JTV\u202eVT is linked to nobody",
                               link_device("tv"))
        (note,) = server.received()
        for text in (note["summary"], note["body"]):
            assert not any(ord(c) < 32 and c != "\n" or 0x7F <= ord(c) < 0xA0 or c in "\u202e\u2066" for c in text), text
        assert "TV" in note["body"] and "linked to nobody" in note["body"]
    finally:
        notifier.close()
        server.proc.terminate()
        server.proc.wait(5)
