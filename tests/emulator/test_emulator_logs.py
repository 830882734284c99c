"""The emulator's Plex log: the lines PMS writes for plays, requests and terminates, prefs honoured, rotation."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import requests

from plextray.plex.client import PlexClient
from support.emulator_fixtures import TOKEN, emulator  # noqa: F401

# The robust prefix from notes A4 (every real era's line matches it).
LINE = re.compile(
    r"^(?P<ts>[A-Z][a-z]{2} \d{2}, \d{4} \d{2}:\d{2}:\d{2}(?:[.:]\d{3})?) \[(?P<tid>0x[0-9a-fA-F]+|\d+)\] "
    r"(?P<lvl>[A-Z]+) - (?P<msg>.*)$"
)


def lines(emu) -> list[str]:
    return (emu.log.writer.path).read_text(encoding="utf-8").splitlines()


def messages(emu) -> list[str]:
    return [LINE.match(line).group("msg") for line in lines(emu)]


def test_every_line_has_the_pms_shape_and_time_order(emulator):
    emulator.play(emulator.devices["kid_tablet"], "2201", position_ms=1000)
    emulator.report(emulator.devices["kid_tablet"], state="paused", position_ms=9000)
    with PlexClient(emulator.url, emulator.token, timeout=2) as client:
        client.sessions()
    emulator.stop_play(emulator.devices["kid_tablet"])
    stamps = []
    for line in lines(emulator):
        match = LINE.match(line)
        assert match, line
        stamps.append(datetime.strptime(match.group("ts"), "%b %d, %Y %H:%M:%S.%f"))
    assert stamps == sorted(stamps)
    assert "Plex Media Server v" in messages(emulator)[0]  # start-up banner first


def test_slow_answers_never_stamp_lines_with_times_to_come(emulator):
    """Plex stamps a line when it writes it. Slow answers once pushed every later line seconds
    into the future (and squeezed a household's plays into a few milliseconds)."""
    emulator.set_fault("slow", seconds=0.5)
    with PlexClient(emulator.url, emulator.token, timeout=5) as client:
        for _ in range(4):
            client.sessions()
    emulator.set_fault(None)
    emulator.play(emulator.devices["kid_tablet"], "2201", position_ms=1000)
    written_by = datetime.now()
    stamps = [datetime.strptime(LINE.match(line).group("ts"), "%b %d, %Y %H:%M:%S.%f") for line in lines(emulator)]
    assert max(stamps) <= written_by + timedelta(milliseconds=100)  # a play's own lines span a few ms
    completed = [m for m in messages(emulator) if m.startswith("Completed:") and "/status/sessions" in m]
    assert len(completed) == 4 and all(re.search(r" 5\d\dms ", m) for m in completed)


def test_a_play_writes_the_timeline_sequence(emulator):
    tablet = emulator.devices["kid_tablet"]
    emulator.play(tablet, "2201", position_ms=61_000)
    play = emulator.live_session(tablet)
    text = "\n".join(messages(emulator))
    assert (f"Client [{play.session_ident}] reporting timeline state playing, progress of 61000/1320000ms"
            in text)
    assert "ratingKey=2201" in text
    assert "[Now] User is Emma (ID: 2)" in text
    assert "[Now] Device is iOS (Emma's iPad)." in text
    assert f"Statistics: ({tablet}) Reporting active playback in state 0" in text
    assert "Request: [192.168.1.52:" in text and "(Subnet)] GET /:/timeline?ratingKey=2201" in text
    emulator.report(tablet, state="paused", position_ms=70_000)
    emulator.stop_play(tablet)
    text = "\n".join(messages(emulator))
    assert "reporting timeline state paused, progress of 70000/1320000ms" in text
    assert "reporting timeline state stopped, progress of 70000/1320000ms" in text


def test_terminate_is_logged_between_request_and_completed(emulator):
    tv = emulator.devices["parent_tv"]
    session_id = emulator.play(tv, "2101")
    with PlexClient(emulator.url, emulator.token, timeout=2) as client:
        client.stop(session_id, "Screen time is over")
    msgs = messages(emulator)
    at = next(i for i, m in enumerate(msgs) if "Terminated session" in m)
    assert msgs[at].endswith(f"Streaming Resource: Terminated session 0x7ad5b7c2e408:{session_id} "
                             "with reason Screen time is over")
    req_id = re.search(r"\[Req#(\w+)\]", msgs[at]).group(1)
    assert msgs[at - 1].startswith("Request: [127.0.0.1:") and f"#{req_id}" in msgs[at - 1]
    assert "GET /status/sessions/terminate?sessionId=" in msgs[at - 1]
    assert msgs[at + 1].startswith("Completed: [127.0.0.1:") and " 200 GET /status/sessions/terminate" in msgs[at + 1]
    assert any("reporting timeline state stopped" in m for m in msgs[at + 1:])  # the kicked app reports


def test_debug_logging_off_means_no_playback_lines(emulator):
    with PlexClient(emulator.url, emulator.token, timeout=2) as client:
        client.set_debug_logging(False)
    before = len(lines(emulator))
    emulator.play(emulator.devices["kid_tablet"], "2201")
    assert len(lines(emulator)) == before  # PMS writes request/timeline lines at DEBUG only
    emulator.set_pref("logDebug", True)
    emulator.report(emulator.devices["kid_tablet"], position_ms=5000)
    assert any("reporting timeline state playing" in m for m in messages(emulator))


def test_tokens_in_logged_urls_are_masked_like_pms(emulator):
    requests.get(f"{emulator.url}/library/sections?X-Plex-Token={TOKEN}", timeout=3)
    text = emulator.log.writer.path.read_text()
    assert TOKEN not in text
    assert "GET /library/sections?X-Plex-Token=xxxxxxxxxxxxxxxxxxxx" in text


def test_rotation_and_restart(emulator):
    writer = emulator.log.writer
    emulator.play(emulator.devices["kid_tablet"], "2201")
    emulator.rotate_logs()
    assert writer.rotated_path(1).exists() and "reporting timeline" in writer.rotated_path(1).read_text()
    assert writer.path.read_text() == ""
    emulator.set_fault("down")
    emulator.set_fault(None)  # PMS came back: it rotated its log and wrote its banner
    assert writer.rotated_path(2).exists()
    assert "Plex Media Server v" in writer.path.read_text().splitlines()[0]


def test_request_lines_name_the_owner(emulator):
    with PlexClient(emulator.url, emulator.token, timeout=2) as client:
        client.sessions()
    assert any(m.startswith("Request: [127.0.0.1:") and "GET /status/sessions" in m and "Signed-in Token (Alex)" in m
               for m in messages(emulator))


def test_a_transcoded_play_logs_the_transcoder(emulator):
    web = emulator.devices["parent_web"]
    emulator.play(web, "1003", transcode=True)
    play = emulator.live_session(web)
    emulator.stop_play(web)
    text = "\n".join(messages(emulator))
    assert f"Found session GUID of {play.session_ident} in session start." in text
    assert f"Started session successfully: {play.session_ident}" in text
    assert f"Stopping transcode session {play.transcode_key}" in text
    assert "with reason Client stopped playback." in text
