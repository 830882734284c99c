"""The parser on the emulator's generated Plex lines (plextray.emulator.traffic)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

traffic = pytest.importorskip("plextray.emulator.traffic")
logwriter = pytest.importorskip("plextray.emulator.logwriter")

from plextray.core.logline import LineBlocks  # noqa: E402
from plextray.core.parsing import PlaybackParser  # noqa: E402


def _lines(tuples):
    return [logwriter.format_line(when, message, level=level) for when, level, message in tuples]


def _final(parser, lines):
    last = {}
    for line in lines:
        for number, event in parser.feed_reports(line):
            last[number] = event
    return [last[n] for n in sorted(last)]


def _heartbeat(when, position, state="playing", **extra):
    args = dict(
        client_id="clientAAA", session_ident="identAAA", rating_key="59015", state=state,
        position_ms=position, duration_ms=4_800_000, ip="192.168.1.42", port=39728, account="Briadin",
        account_id=1, device_name="Living Room", product="Plex for Android (TV)", platform="Android",
        req_id=f"{position // 1000:x}",
    )
    args.update(extra)
    return _lines(traffic.playback_lines(when, **args))


@pytest.mark.parametrize("header_dump, query_identity", [(False, False), (True, False), (False, True)])
def test_one_event_per_heartbeat_with_full_identity(header_dump, query_identity):
    start = datetime(2026, 3, 28, 23, 59, 50)
    lines = []
    for i in range(4):
        lines += _heartbeat(start + timedelta(seconds=10 * i), 10_000 * (i + 1),
                            header_dump=header_dump, query_identity=query_identity)
    lines += _heartbeat(start + timedelta(seconds=40), 50_000, state="stopped")
    events = _final(PlaybackParser(), lines)
    assert [e.state for e in events] == ["playing"] * 4 + ["stopped"]
    assert [e.position_ms for e in events] == [10_000, 20_000, 30_000, 40_000, 50_000]
    for event in events:
        assert (event.client_id, event.account, event.device, event.platform, event.ip, event.rating_key) == (
            "clientAAA", "Briadin", "Living Room", "Android", "192.168.1.42", "59015")
    # the session identifier is known from the second report on (the first report's event was
    # complete at its Request line; a session id alone does not trigger an update)
    assert all(event.session == "identAAA" for event in events[1:])
    assert events[1].time == "2026-03-29T00:00:00.000"
    if header_dump or query_identity:
        assert all(e.product == "Plex for Android (TV)" for e in events)


def test_realistic_log_parses_without_skips_and_reports_are_unique():
    start = datetime(2026, 3, 28, 6, 0)
    parser = PlaybackParser()
    data = b"".join(traffic.realistic_log(start, 2_000_000, seed=7))
    reports = parser.feed_block(data)
    timeline_requests = data.count(b"GET /:/timeline?")
    numbers = {n for n, _ in reports}
    assert parser.stats.skipped() == 0
    assert parser.stats.events == len(numbers) > 0
    # each report is announced by its Request line and closed by its Completed line
    assert timeline_requests == 2 * len(numbers)
    last = {}
    for number, event in reports:
        last[number] = event
    assert all(event.client_id and event.account and event.device for event in last.values())


def test_block_scan_and_line_by_line_agree_on_a_realistic_log():
    data = b"".join(traffic.realistic_log(datetime(2026, 10, 24, 20, 0), 1_500_000, seed=11))
    one = PlaybackParser()
    by_line = [pair for line in data.splitlines(keepends=True) for pair in one.feed_reports(line)]
    other = PlaybackParser()
    by_block = []
    splitter = LineBlocks()
    for start in range(0, len(data), 65536):
        by_block += other.feed_block(splitter.push(data[start : start + 65536]))
    assert by_block == by_line and len(by_line) > 10
    assert one.stats == other.stats
