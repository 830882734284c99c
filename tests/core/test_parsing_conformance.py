"""Conformance: the parser on the real lines collected in ../shared (skipped when it is absent)."""

from __future__ import annotations

import json

from conftest import shared_path

from plextray.core.logline import parse_line
from plextray.core.parsing import PlaybackParser


def _log_lines() -> list[str]:
    text = shared_path("pms", "log-lines.txt").read_text(encoding="utf-8")
    return [line for line in text.splitlines() if line and not line.startswith("#")]


def _final(parser: PlaybackParser, lines) -> list:
    last = {}
    for line in lines:
        for number, event in parser.feed_reports(line):
            last[number] = event
    return [last[n] for n in sorted(last)]


def test_every_dated_real_line_has_a_readable_prefix():
    months = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
    dated = [line for line in _log_lines() if line.startswith(months) or "log:" in line[:40]]
    assert len(dated) > 80
    for line in dated:
        parsed = parse_line(line)
        assert parsed.time[:2] in ("20",), line
        assert parsed.message, line


def test_real_lines_give_exactly_the_real_reports():
    parser = PlaybackParser()
    events = _final(parser, _log_lines())
    summary = [(e.time, e.state, e.rating_key, e.position_ms, e.duration_ms) for e in events]
    assert summary == [
        ("2022-01-12T13:42:24.403", "playing", "80906", 139000, 187000),  # block A, Client line first
        ("2022-01-12T13:42:34.409", "playing", "80906", 149000, 187000),  # block A, Request with headers
        ("2026-08-07T06:37:39.377", "playing", "378", 3039038, 5568563),  # block C, Completed only
        ("2016-03-02T12:29:37", "playing", "http://speedy.xxxxxxxx.com:8000/live/salvador/salvador/3493.ts", 0, None),
    ]
    a1, a2, c, _ = events
    assert (a1.client_id, a1.account, a1.device, a1.platform, a1.session) == (
        "msmy7vq7wxjdzu42rml5mges", "Flavio_59", "Net-Hunter", "windows", "0mysqobo3vpvjatpnks6ubu4")
    assert (a2.client_id, a2.product, a2.ip) == ("msmy7vq7wxjdzu42rml5mges", "Plex for Windows", "192.168.1.89")
    assert (c.ip, c.client_id, c.account) == ("192.168.1.208", None, None)
    assert parser.stats.skipped_garbled == 0 and parser.stats.skipped_binary == 0
    # the prefix-less excerpts that mention a 1.x marker: block K's two /player/timeline/poll lines
    assert parser.stats.unknown_format == 2


def test_2013_reconstructed_lines_match_the_original_tools_parsed_records():
    raw = shared_path("pms", "plex-reporter-2013", "reconstructed-raw-lines-2013.txt").read_text(encoding="utf-8")
    records = [
        json.loads(line)
        for line in shared_path("pms", "plex-reporter-2013", "parsed-records-2013.jsonl").read_text().splitlines()
    ]
    lines = [line for line in raw.splitlines() if line and not line.startswith("#")]
    by_time = {}
    parser = PlaybackParser()
    for event in _final(parser, lines):
        by_time[event.time] = event
    timelines = [r for r in records if r["url_path"] == "/:/timeline"]
    assert len(by_time) == len(timelines) == 4
    web_client = next(r for r in records if "start.m3u8" in r["url_path"])["url_query"]
    for record in timelines:
        y, mo, d, h, mi, s, ms = record["datetime"]
        event = by_time[f"{y:04d}-{mo:02d}-{d:02d}T{h:02d}:{mi:02d}:{s:02d}.{ms:03d}"]
        query = record["url_query"]
        assert event.state == query["state"]
        assert event.rating_key == query["ratingKey"]
        assert event.position_ms == int(query["time"]) and event.duration_ms == int(query["duration"])
        assert event.ip == record["request_ip"]
        if "X-Plex-Product" in query:
            assert event.product == query["X-Plex-Product"]
            assert event.device == query["X-Plex-Device-Name"]
            assert event.client_id == query.get("X-Plex-Client-Identifier")
        else:  # Plex/Web: tied to the transcode start from the same IP, as the 2013 tool did
            assert event.client_id == web_client["X-Plex-Client-Identifier"]
            assert event.session == web_client["session"]
            assert event.product == web_client["X-Plex-Product"]


def test_full_real_1_43_log_reads_cleanly_and_has_no_playback():
    path = shared_path("pms", "logs", "darklyter-pms-1.43.0-linux", "Plex Media Server.log")
    data = path.read_bytes()
    parser = PlaybackParser()
    assert parser.feed_block(data) == []
    assert parser.stats.lines == data.count(b"\n")
    assert parser.stats.skipped() == 0
    for line in data.splitlines():
        parse_line(line.decode("utf-8"))  # every line of a real file has a valid prefix
