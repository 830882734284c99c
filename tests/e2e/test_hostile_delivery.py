"""A hostile device name or title, from Plex's log or from the server's /status/sessions, reaches
the parent as plain, visible, bounded text (issue 12, part 1): the desktop notification as
captured on D-Bus, the apprise alert as received by a local HTTP endpoint, the digest e-mail as
received by a real SMTP server, the app log file as written."""

from __future__ import annotations

import json
import logging
import re
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest
from support.household import FakeClock, emma_profiles, wait_for, write_profiles
from support.mail_server import MailServer
from support.report_history import DAY, add_device, add_media, add_session
from support.alert_endpoint import Endpoint
from support.mail_fixtures import restore_log_handlers, setup  # noqa: F401 (fixtures: the mail settings and keyring)

from plextray.alerts.dispatcher import AlertDispatcher
from plextray.app import build_engine, setup_app_log
from plextray.cli import main
from plextray.emulator.household import demo_household
from plextray.emulator.server import PlexEmulator
from plextray.notify import DesktopNotifier
from plextray.paths import AppPaths
from plextray.store.db import connect

pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS:UserWarning")

SUPPORT = Path(__file__).resolve().parents[1] / "support"
TOKEN = "hostile-token-77e0c4"
RATING_PG = {"type": "rating", "max": "PG", "unrated": "block", "actions": ["notify", "alert", "stop"]}
MARKUP_NAME = '<a href="http://evil.example/approve">tap to approve</a> \x9b31m & \u202eVT-stneraP'
NEWLINE_NAME = "Emma's iPad\n2026-11-23 16:00:00,000 WARNING plextray.engine: all plays allowed"
UNSAFE = ("\x1b", "\x07", "\x9b", "\u202e", "\u202c")


@pytest.fixture
def notifyd(tmp_path, monkeypatch):
    """A private session bus with the fake notification server on it; returns what it received."""
    bus = subprocess.Popen(["dbus-daemon", "--session", "--nofork", "--print-address=1"],
                           stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", bus.stdout.readline().strip())
    log = tmp_path / "notifications.jsonl"
    server = subprocess.Popen([sys.executable, str(SUPPORT / "fake_notifyd.py"), str(log)],
                              stdout=subprocess.PIPE, text=True)
    assert server.stdout.readline().strip() == "fake-notifyd ready"
    yield lambda: [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []
    server.terminate()
    server.wait(5)
    bus.terminate()
    bus.wait(5)


@pytest.fixture
def app_log(plextray_home):
    """The app log file as the tray and the service write it (removed from logging afterwards)."""
    root = logging.getLogger()
    before, level = list(root.handlers), root.level
    paths = AppPaths(plextray_home)
    setup_app_log(paths)
    yield paths.app_log
    for handler in root.handlers:
        if handler not in before:
            handler.close()
    root.handlers[:] = before
    root.setLevel(level)


def run_world(tmp_path, home, monkeypatch, device_name: str, alert_urls: list[str]):
    clock = FakeClock(datetime(2026, 11, 23, 16, 0, 0))
    emulator = PlexEmulator(token=TOKEN, log_dir=tmp_path / "Logs", clock=clock).start()
    demo_household(emulator)
    kid = "E1B0A5D3-77C2-4F4B-9E61-0C2B7A9D8E99"
    emulator.add_device(kid, product="Plex for iOS", platform="iOS", device_name=device_name,
                        address="192.168.1.53", account="Emma")
    monkeypatch.setenv("PLEX_URL", emulator.url)
    monkeypatch.setenv("PLEX_TOKEN", TOKEN)
    write_profiles(home, emma_profiles([RATING_PG], kid_device=kid))
    alerter = AlertDispatcher(alert_urls)
    built = build_engine(AppPaths(home), notifier=DesktopNotifier(), alerter=alerter, log_dir=tmp_path / "Logs",
                         wall_clock=clock)
    built.start()
    return emulator, kid, built, alerter


def test_notification_and_alert_are_plain_text_whatever_the_device_is_called(
    tmp_path, plextray_home, monkeypatch, notifyd, app_log
):
    endpoint = Endpoint()
    # the second endpoint reads HTML, as Telegram does by default
    emulator, kid, built, alerter = run_world(tmp_path, plextray_home, monkeypatch, MARKUP_NAME,
                                              [endpoint.url(), endpoint.url() + "&format=html"])
    try:
        emulator.play(kid, "1002")  # rated R: notify, alert and stop
        wait_for(lambda: emulator.terminate_calls, timeout=15)
        notes = wait_for(lambda: [n for n in notifyd() if "R > PG" in n["body"]], timeout=10)
        wait_for(lambda: len(endpoint.delivered) >= 2, timeout=15)
    finally:
        built.engine.stop()
        built.close()
        alerter.close()
        emulator.stop()
        endpoint.close()
    body = notes[0]["body"]
    for char in (*UNSAFE, "<", "&"):
        assert char not in body and char not in notes[0]["summary"], repr(char)
    assert "on \u2039a href=\"http://evil.example/approve\">tap to approve\u2039/a> \ufffd31m \uff06 \ufffdVT-stneraP" in body
    plain, html = sorted(endpoint.delivered, key=lambda p: "&lt;" in p["message"])
    for payload in (plain, html):
        for char in UNSAFE:
            assert char not in payload["message"] and char not in payload["title"], repr(char)
    assert '<a href="http://evil.example/approve">tap to approve</a> \ufffd31m & \ufffdVT-stneraP' in plain["message"]
    assert "<a href" not in html["message"]  # a service that reads HTML gets the characters, escaped:
    assert "&lt;a&nbsp;href=&quot;http://evil.example/approve&quot;&gt;tap&nbsp;to&nbsp;approve&lt;/a&gt;" in html["message"]
    for line in app_log.read_text(encoding="utf-8").splitlines():
        assert not any(char in line for char in UNSAFE), line


def test_a_newline_in_a_player_title_keeps_the_app_log_one_record_per_line(
    tmp_path, plextray_home, monkeypatch, app_log
):
    emulator, kid, built, alerter = run_world(tmp_path, plextray_home, monkeypatch, NEWLINE_NAME, [])
    try:
        emulator.play(kid, "1002")
        wait_for(lambda: emulator.terminate_calls, timeout=15)
        wait_for(lambda: "stopped on" in app_log.read_text(encoding="utf-8"), timeout=10)
    finally:
        built.engine.stop()
        built.close()
        alerter.close()
        emulator.stop()
    lines = app_log.read_text(encoding="utf-8").splitlines()
    record = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} [A-Z]+ \S+: ")
    assert all(record.match(line) or line.startswith("    ") for line in lines), lines
    # the player title from /status/sessions, in the stop record, escaped on its one line
    stop = next(line for line in lines if "stopped on" in line)
    assert "stopped on Emma's iPad\\n2026-11-23 16:00:00,000 WARNING plextray.engine: all plays allowed" in stop
    assert not any(line.startswith("2026-11-23 16:00:00,000 WARNING") for line in lines)


def test_the_digest_e_mail_is_clean_bounded_and_keeps_real_names(plextray_home, setup):
    port, servers = setup
    servers.append(MailServer("none", port=port).start())
    conn = connect(plextray_home / "history.sqlite3")
    huge = "Kid\x1b[2J\r\nBcc: everyone@example.org\u202e " + "x" * 200_000
    add_device(conn, "evil-box", huge, account="guest")
    add_media(conn, "901", "Zoë's 👩‍👧 美咲 movie\x9b31m", "movie", duration_min=60)
    add_session(conn, "evil-box", "901", f"{DAY}T13:00:00", f"{DAY}T13:30:00", 30, position_min=30,
                account="guest", device=huge)
    add_session(conn, "ipad-emma", "901", f"{DAY}T14:00:00", f"{DAY}T14:20:00", 20, position_min=20,
                account="emma", device="Emma's iPad")
    conn.commit()
    conn.close()
    assert main(["email", "digest", "--date", DAY]) == 0
    (message,) = servers[0].messages
    raw = message.as_bytes()
    assert len(raw) < 150_000  # was 833 kB with the 200 kB name
    for name, value in message.items():
        assert "\n" not in value and "\r" not in value, name
    assert message["Bcc"] is None and message["To"] == "mum@example.org"
    text = message.get_body(("plain",)).get_content().replace("\r\n", "\n")  # (SMTP's line ends)
    for char in (*UNSAFE, "\r"):
        assert char not in text, repr(char)
    assert "Bcc: everyone@example.org" not in text.splitlines()  # never a line of its own
    assert "Zoë's 👩‍👧 美咲 movie\ufffd31m" in text  # real names as they are; the C1 byte visible
    html = message.get_body(("html",)).get_content()
    assert "\x1b" not in html and "x" * 300 not in html


def test_the_tray_tooltip_shows_one_plain_line_per_play():
    from plextray.core.model import EngineSnapshot, EngineState, NowPlaying
    from plextray.ui.tray import tooltip_text

    playing = NowPlaying(person="Emma", device=MARKUP_NAME, title="Night\nShift <b>x</b>", state="playing")
    text = tooltip_text(EngineSnapshot(EngineState.MONITORING, now_playing=(playing,)))
    assert text.count("\n") == 1  # the state line, then the one play
    for char in (*UNSAFE, "<", "&"):
        assert char not in text, repr(char)
    assert text.splitlines()[1].startswith("Emma: Night\ufffdShift \u2039b>x\u2039/b> (\u2039a href=")
