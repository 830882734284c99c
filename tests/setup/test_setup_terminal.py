"""`plextray setup` driven through a pseudo-terminal, as a parent on a headless host would: sign in
with a code linked at (a local stand-in for) plex.tv, logs found, debug logging turned on, a child
with two devices and the starting rules; then the service stops the child's restricted play."""

from __future__ import annotations

import json
import os
import signal
import stat
import subprocess
import sys
import time

import pexpect
import pytest

from support.household import wait_for

from plextray.emulator.household import demo_household
from plextray.emulator.plextv import PlexTvStandIn
from plextray.emulator.server import PlexEmulator
from plextray.profiles.store import ProfileStore

TOKEN = "setup-token-4d2a91"


@pytest.fixture
def household(tmp_path, plextray_home):
    logs = tmp_path / "Logs"
    with PlexEmulator(token=TOKEN, log_dir=logs) as emulator, PlexTvStandIn(TOKEN) as plex_tv:
        ids = demo_household(emulator)
        env = dict(os.environ, PLEXTRAY_HOME=str(plextray_home), PLEXTRAY_PLEX_TV=plex_tv.url,
                   PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring", PLEX_MEDIA_SERVER_LOG_DIR=str(logs),
                   TERM="dumb")
        for name in ("DISPLAY", "PLEX_TOKEN", "PLEX_URL"):
            env.pop(name, None)
        yield emulator, plex_tv, ids, env, logs


def spawn(env, *args: str) -> pexpect.spawn:
    return pexpect.spawn(sys.executable, ["-m", "plextray", "setup", *args], env=env, encoding="utf-8",
                         timeout=30, dimensions=(50, 200))


def test_setup_in_a_terminal_ends_with_a_protected_child(household, plextray_home):
    emulator, plex_tv, ids, env, logs = household
    # Emma watched on her laptop earlier (Plex's log says so), and is watching on her iPad now
    emulator.add_device("emma-laptop-7f3a", product="Plex Web", platform="Firefox", device_name="Emma's Laptop",
                        address="192.168.1.77", account="Emma")
    emulator.play("emma-laptop-7f3a", "2201")
    emulator.stop_play("emma-laptop-7f3a")
    emulator.set_pref("logDebug", False)  # then debug logging went off: Plex logs plays no more
    emulator.play(ids["kid_tablet"], "2201")
    child = spawn(env)
    try:
        child.expect_exact("Server address [http://127.0.0.1:32400]: ")
        child.sendline(emulator.url)
        child.expect_exact("1) Sign in with Plex (a code to enter at plex.tv/link)")
        child.expect_exact("Choice [1]: ")
        child.sendline("")
        child.expect(r"enter the code: ([A-Z0-9]{4})")
        code = child.match.group(1)
        assert plex_tv.link(code)  # the parent types it at plex.tv/link
        child.expect_exact("Signed in.")
        child.expect_exact("Plex Pass: yes.")
        child.expect_exact("No system keyring here. Keep the token in")
        child.expect_exact("(Y/n): ")
        child.sendline("")
        child.expect_exact(f"Plex's logs are in {logs}")
        child.expect_exact("Turn it on now? (Y/n): ")
        child.sendline("y")
        child.expect_exact("Debug logging turned on.")
        child.expect_exact("Child's name (Enter to skip): ")
        child.sendline("Emma")
        child.expect(r"which are Emma's\?\r\n((?:.*\r\n)+?)   Numbers")
        listing = [line.strip() for line in child.match.group(1).splitlines() if line.strip()]
        assert listing[0].startswith("1) Emma's iPad") and "(watching now)" in listing[0], listing
        laptop = next(line for line in listing if "Emma's Laptop" in line)
        assert "last seen" in laptop
        emma_account = next(line for line in listing if line.split(") ", 1)[1] == "account Emma (watching now)")
        choice = f"1 {laptop.split(')')[0]} {emma_account.split(')')[0]}"
        child.expect_exact("(Enter for none): ")
        child.sendline(choice)
        child.expect_exact("Use these? (Y/n): ")
        child.sendline("")
        child.expect_exact("Add another child? (y/N): ")
        child.sendline("")
        child.expect_exact("(Enter to skip): ")  # alerts
        child.sendline("")
        child.expect_exact("Set up. Start plextray with")
        child.expect(pexpect.EOF)
    finally:
        child.close()
    assert child.exitstatus == 0, child.before
    assert emulator.prefs()["logDebug"] is True
    token_file = plextray_home / "plex-token"
    assert stat.S_IMODE(token_file.stat().st_mode) == 0o600 and token_file.read_text().strip() == TOKEN
    config = json.loads((plextray_home / "config.json").read_text())
    assert config["server_url"] == emulator.url
    profiles = ProfileStore(plextray_home / "profiles.json").load()  # valid, by the app's own loader
    emma = profiles.person_named("Emma")
    assert emma is not None and set(emma.devices) == {ids["kid_tablet"], "emma-laptop-7f3a"}
    assert emma.accounts == ("Emma",)
    assert [r.kind for r in emma.restrictions] == ["time", "rating", "quota"]
    status = json.loads(subprocess.run([sys.executable, "-m", "plextray", "status", "--json"], env=env,
                                       capture_output=True, text=True, timeout=60).stdout)
    assert status["state"] == "stopped" and status["problems"] == [], status
    # the end that matters: the service, started as set up, stops Emma's R-rated film
    emulator.stop_play(ids["kid_tablet"])
    proc = subprocess.Popen([sys.executable, "-m", "plextray", "run", "--headless"], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert "monitoring (headless)" in proc.stdout.readline()
        time.sleep(0.5)
        emulator.play(ids["kid_tablet"], "1002")
        wait_for(lambda: emulator.terminate_calls, timeout=20)
    finally:
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=20)
    assert TOKEN not in out + err


def test_setup_unattended_with_options(household, plextray_home):
    emulator, _plex_tv, ids, env, logs = household
    emulator.set_pref("logDebug", False)
    result = subprocess.run(
        [sys.executable, "-m", "plextray", "setup", "--yes", "--url", emulator.url, "--token-stdin", "--store", "file",
         "--debug-logging", "on", "--child", "Emma", "--device", ids["kid_tablet"], "--account", "Emma",
         "--alert-url", "json://127.0.0.1:9/hook"],
        input=TOKEN + "\n", env=env, capture_output=True, text=True, timeout=60)
    # no keyring on this host: the alert URL (it holds tokens) is refused, saying so; the rest stands
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Alert URL NOT saved: no secure system keyring" in result.stdout
    assert "Set up." in result.stdout and TOKEN not in result.stdout + result.stderr
    emma = ProfileStore(plextray_home / "profiles.json").load().person_named("Emma")
    assert emma.devices == (ids["kid_tablet"],) and len(emma.restrictions) == 3
    assert "127.0.0.1:9/hook" not in (plextray_home / "config.json").read_text()
    assert emulator.prefs()["logDebug"] is True


def test_a_wrong_token_saves_nothing(household, plextray_home):
    emulator, _plex_tv, _ids, env, _logs = household
    result = subprocess.run([sys.executable, "-m", "plextray", "setup", "--yes", "--url", emulator.url,
                             "--token-stdin", "--store", "file"], input="wrong-token-xyz\n", env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode != 0 and "nothing was saved" in result.stderr
    assert not (plextray_home / "config.json").exists() and not (plextray_home / "plex-token").exists()


def test_times_like_8pm_are_understood():
    from plextray.setup_terminal import _hhmm

    assert _hhmm("8pm") == "20:00" and _hhmm("8:30pm") == "20:30" and _hhmm("20:30") == "20:30"
    assert _hhmm("12am") == "00:00"


def test_the_server_is_found_and_its_own_token_read_from_preferences(household, plextray_home, tmp_path, monkeypatch):
    """On the Plex host: `/identity` answers without a token, and Preferences.xml holds the server's
    own token (PlexOnlineToken) when this user can read it."""
    from plextray import setup_flow as flow

    emulator, _plex_tv, ids, env, logs = household
    assert flow.probe(emulator.url) is not None and flow.probe("http://127.0.0.1:9") is None
    assert flow.discover(timeout=0.5, local=emulator.url)[0] == emulator.url
    support = tmp_path / "Application Support"
    (support / "Plex Media Server").mkdir(parents=True)
    prefs = support / "Plex Media Server" / "Preferences.xml"
    prefs.write_text(f'<?xml version="1.0"?>\n<Preferences MachineIdentifier="x" PlexOnlineToken="{TOKEN}" logDebug="1"/>\n')
    monkeypatch.setenv("PLEX_MEDIA_SERVER_APPLICATION_SUPPORT_DIR", str(support))
    assert flow.server_own_token() == TOKEN
    prefs.chmod(0o000)
    if not os.access(prefs, os.R_OK):  # root reads anything: the unreadable case only as a user
        assert flow.server_own_token() is None
    prefs.chmod(0o600)
    result = subprocess.run(
        [sys.executable, "-m", "plextray", "setup", "--yes", "--url", emulator.url, "--server-token", "--store", "file",
         "--child", "Emma", "--device", ids["kid_tablet"]],
        env={**env, "PLEX_MEDIA_SERVER_APPLICATION_SUPPORT_DIR": str(support)}, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
    assert (plextray_home / "plex-token").read_text().strip() == TOKEN and TOKEN not in result.stdout


def test_own_starting_rules_typed_as_a_parent_types_them(household, plextray_home):
    emulator, _plex_tv, ids, env, logs = household
    child = pexpect.spawn(sys.executable, ["-m", "plextray", "setup", "--url", emulator.url, "--store", "file",
                                           "--debug-logging", "keep", "--child", "Emma", "--device", ids["kid_tablet"]],
                          env={**env, "PLEX_TOKEN": TOKEN}, encoding="utf-8", timeout=30)
    try:
        child.expect_exact("Use these? (Y/n): ")
        child.sendline("n")
        child.expect_exact("Bedtime on school nights (HH:MM, or none) [20:30]: ")
        child.sendline("8pm")
        child.expect_exact("Highest rating allowed (e.g. G, PG, PG-13, or none) [PG]: ")
        child.sendline("PG-13")
        child.expect_exact("Minutes a day (or none) [120]: ")
        child.sendline("none")
        child.expect_exact("(Enter to skip): ")
        child.sendline("")
        child.expect(pexpect.EOF)
    finally:
        child.close()
    assert child.exitstatus == 0, child.before
    emma = ProfileStore(plextray_home / "profiles.json").load().person_named("Emma")
    specs = [r.spec for r in emma.restrictions]
    assert [s["type"] for s in specs] == ["time", "rating"]
    assert specs[0]["from"] == "20:00" and specs[1]["max"] == "PG-13"


def test_gdm_finds_servers_that_answer_the_search():
    """GDM: a Plex server answers "M-SEARCH * HTTP/1.0" with its port; other answers are ignored."""
    import socket
    import threading

    from plextray import setup_flow as flow

    responder = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    responder.bind(("127.0.0.1", 0))
    responder.settimeout(5)

    def answer():
        data, sender = responder.recvfrom(1024)
        assert data == b"M-SEARCH * HTTP/1.0"
        responder.sendto(b"HTTP/1.0 404 Not Found\r\n", sender)
        responder.sendto(b"HTTP/1.0 200 OK\r\nContent-Type: plex/media-server\r\nName: den\r\nPort: 32401\r\n"
                         b"Host: 53f4.plex.direct\r\nResource-Identifier: abc\r\n", sender)
        responder.sendto(b"HTTP/1.0 200 OK\r\nContent-Type: plex/media-server\r\nPort: 32401\r\n", sender)  # again

    thread = threading.Thread(target=answer)
    thread.start()
    try:
        assert flow.gdm_servers(1.0, address=responder.getsockname()) == ["http://127.0.0.1:32401"]
    finally:
        thread.join(5)
        responder.close()
