"""What a client writes into Plex's log never reaches a terminal raw (issue 12, part 1).

The attack as tried: a Plex app on the LAN sends its identity percent-encoded in the query
string (`X-Plex-Device-Name=%1B%5B2J…`, `%0A`, `%C2%9B`, `%E2%80%AE`); PMS logs the URL as sent,
the parser decodes it, and `plextray history | cat -v` showed `^[[2J^[[31mPWNED`, an OSC-8
hyperlink and a forged history line. Each command runs as a real process over a real archive
and database; what is asserted is what the terminal receives.
"""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
from datetime import datetime
from urllib.parse import quote

from support.report_history import DAY, add_device, add_media, add_session, build_household

from plextray.emulator.logwriter import format_line
from plextray.emulator.traffic import header_dump, playback_lines
from plextray.store.db import connect

FORGED = "FAKE 2099-01-01 00:00 - 23:59  admin on Parents-TV: all fine"
HOSTILE = (
    "Kid\x1b[2J\x1b[31mPWNED\x9b31m \x1b]8;;http://evil.example/approve\x07tap\x1b]8;;\x07"
    "\u202eVT-stneraP\u202c\n" + FORGED
)
HOSTILE_SEEN = (  # what the terminal shows instead: every forbidden character a visible U+FFFD
    "Kid\ufffd[2J\ufffd[31mPWNED\ufffd31m \ufffd]8;;http://evil.example/approve\ufffdtap\ufffd]8;;\ufffd"
    "\ufffdVT-stneraP\ufffd\ufffd" + FORGED
)
REAL = "Zoë's 👩‍👧 iPad 美咲"
UNSAFE = ("\x1b", "\x07", "\x9b", "\u202e", "\u202c", "\r")


def plextray(home, *args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, PLEXTRAY_HOME=str(home))
    return subprocess.run([sys.executable, "-m", "plextray", *args], env=env, capture_output=True,
                          text=True, encoding="utf-8", timeout=120)  # fmt: skip


def _lines(when: datetime, client_id: str, name: str, req_id: str, *, dump: bool) -> list[str]:
    lines = playback_lines(
        when, client_id=client_id, session_ident=f"s-{req_id}", rating_key="1002", state="playing",
        position_ms=60_000, duration_ms=6_600_000, ip="192.168.1.52", port=50412, account="emma",
        account_id=2, device_name=name, product="Plex for iOS", platform="iOS", req_id=req_id,
        query_identity=not dump, header_dump=False,
    )
    out = []
    for moment, level, message in lines:
        if "[Now] Device is" in message:
            continue  # PMS writes that line with the raw name: the query string (or dump) carries it here
        if dump and message.startswith("Request: "):
            # a header dump as PMS logs it: values raw, after " / Key => "
            message += header_dump({"X-Plex-Client-Identifier": client_id, "X-Plex-Device-Name": name})
        out.append(format_line(moment, message, level=level))
    return out


def hostile_archive(tmp_path):
    """A day's archive: one play whose device name is the attack (in the query string), one with a
    real name (in a header dump, where only characters a log line can hold are possible)."""
    lines = _lines(datetime(2026, 3, 10, 20, 31, 0), "5D3E1B0A-77C2-4F4B", HOSTILE, "8ec76", dump=False)
    assert quote("\x1b", safe="") in lines[0] and "\n" not in lines[0]  # percent-encoded in the log, as sent
    lines += _lines(datetime(2026, 3, 10, 20, 40, 0), "a9f2c4e6b8d01357", REAL + "\u202e", "8ec90", dump=True)
    archive = tmp_path / "2026-03-10.log.gz"
    archive.write_bytes(gzip.compress(("\n".join(lines) + "\n").encode("utf-8")))
    return archive


def assert_clean(out: str) -> None:
    for char in UNSAFE:
        assert char not in out, repr(char)


def test_history_shows_a_hostile_device_name_on_one_visible_line(tmp_path, plextray_home):
    archive = hostile_archive(tmp_path)
    imported = plextray(plextray_home, "import", str(archive))
    assert imported.returncode == 0, imported.stderr
    shown = plextray(plextray_home, "history")
    assert shown.returncode == 0, shown.stderr
    assert_clean(shown.stdout)
    lines = shown.stdout.splitlines()
    assert len(lines) == 2  # two plays, two lines: no forged third one
    assert f"emma on {HOSTILE_SEEN}: item 1002" in lines[0]
    assert not any(line.startswith("FAKE") for line in lines)
    assert f"emma on {REAL}\ufffd: item 1002" in lines[1]  # a real name shows as it is

    as_json = plextray(plextray_home, "history", "--json")
    assert_clean(as_json.stdout)  # the JSON text escapes them …
    devices = [json.loads(line)["device"] for line in as_json.stdout.splitlines()]
    assert devices == [HOSTILE, REAL + "\u202e"]  # … and a program reads the exact values


def test_events_text_and_json_from_the_archive(tmp_path, plextray_home):
    archive = hostile_archive(tmp_path)
    text = plextray(plextray_home, "events", str(archive))
    assert text.returncode == 0, text.stderr
    assert_clean(text.stdout)
    lines = text.stdout.splitlines()
    assert len(lines) == 2 and all(line.startswith("2026-03-10T20:") for line in lines)
    assert f"emma on {HOSTILE_SEEN} [5D3E1B0A-77C2-4F4B] 192.168.1.52" in lines[0]
    as_json = plextray(plextray_home, "events", "--json", str(archive))
    assert_clean(as_json.stdout)
    events = [json.loads(line) for line in as_json.stdout.splitlines()]
    assert [event["device"] for event in events] == [HOSTILE, REAL + "\u202e"]
    assert list(events[0]) == ["time", "state", "rating_key", "position_ms", "duration_ms", "client_id",
                               "product", "platform", "device", "ip", "account", "session"]


def household_with_a_guest(home, device: str, rating_key: str, title: str | None = None) -> None:
    """The report tests' household, plus a guest's box (linked to nobody) that played at 13:00."""
    build_household(home)
    conn = connect(home / "history.sqlite3")
    add_device(conn, "evil-box", device, account="guest")
    if title is not None:
        add_media(conn, rating_key, title, "movie", duration_min=60)
    add_session(conn, "evil-box", rating_key, f"{DAY}T13:00:00", f"{DAY}T13:30:00", 30, position_min=30,
                account="guest", device=device)
    conn.commit()
    conn.close()


def test_report_text_cleans_and_cuts_names_and_titles(plextray_home):
    household_with_a_guest(plextray_home, HOSTILE + " " + "x" * 200_000, "900", "Night\x1b[8mShift\u2028\u202e")
    report = plextray(plextray_home, "report", "--date", DAY, "--format", "text")
    assert report.returncode == 0, report.stderr
    assert_clean(report.stdout)
    assert "\u2028" not in report.stdout
    assert not any(line.startswith("FAKE") for line in report.stdout.splitlines())
    assert len(report.stdout) < 20_000  # the 200 kB name is cut to 200 characters
    assert "Kid\ufffd[2J\ufffd[31mPWNED" in report.stdout
    assert "Emma" in report.stdout and "Bluey" in report.stdout  # the rest of the report as before


def test_report_json_keeps_the_raw_values_behind_escapes(plextray_home):
    household_with_a_guest(plextray_home, HOSTILE, "200")
    report = plextray(plextray_home, "report", "--date", DAY, "--format", "json")
    assert report.returncode == 0, report.stderr
    assert_clean(report.stdout)
    found: list[str] = []
    json.loads(report.stdout, object_hook=lambda obj: found.extend(v for v in obj.values() if isinstance(v, str)) or obj)
    assert HOSTILE in found  # the value, unchanged


def test_stderr_keeps_one_record_per_line(tmp_path):
    code = (
        "import logging; from plextray.cli import configure_logging; configure_logging(0); "
        "logging.getLogger('plextray.engine').warning('stopped on %s', " + repr(HOSTILE) + ")"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, encoding="utf-8", timeout=60)
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and "WARNING plextray.engine: stopped on Kid\\x1b[2J\\x1b[31mPWNED\\x9b31m" in lines[0]
    assert "\\n" + FORGED in lines[0]
    assert_clean(result.stderr)
