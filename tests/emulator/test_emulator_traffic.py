"""A generated household day (emulator.traffic.realistic_log) looks like a real PMS log's playback.

Why: the parse benchmark and the parser tests run on these lines; heartbeats minutes apart, one
thread per request or a new port per report would flatter the parser. Checked on one full
simulated day: volume, report cadence, positions, threads, keep-alive ports, play lengths.
"""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import datetime, timedelta

import pytest

traffic = pytest.importorskip("plextray.emulator.traffic")

T0 = datetime(2026, 3, 28, 6, 0)
_STAMP = re.compile(rb"^(\w{3} \d\d, \d{4} \d\d:\d\d:\d\d\.\d{3}) \[(\d+)\] \w+ - (.*)$")
_REQUEST = re.compile(
    r"^Request: \[([\d.]+):(\d+) \(Subnet\)\] GET /:/timeline\?ratingKey=(\d+)&.*?&state=(\w+)&.*?"
    r"&time=(\d+)&duration=(\d+) \(\d+ live\) #(\w+) ")
_COMPLETED = re.compile(r"^Completed: \[([\d.]+):(\d+)\] 200 GET /:/timeline\?.* #(\w+) .* \(pipelined: (\d+)\)$")
_REQ_PREFIX = re.compile(r"^\[Req#(\w+)\] ")
_STATISTICS = re.compile(r"Statistics: .* of type (\d+) ")


def _when(text: bytes) -> datetime:
    return datetime.strptime(text.decode(), "%b %d, %Y %H:%M:%S.%f")


@pytest.fixture(scope="module")
def day():
    """One simulated day from 06:00: the lines, and each timeline report as a dict."""
    lines: list[bytes] = []
    for index, line in enumerate(traffic.realistic_log(T0, 60_000_000, seed=5)):
        lines.append(line)
        if index % 2000 == 0 and _when(line[:24]) >= T0 + timedelta(days=1):
            break
    reports: dict[str, dict] = {}
    for line in lines:
        match = _STAMP.match(line.rstrip(b"\n"))
        assert match, line
        when, thread, message = _when(match.group(1)), match.group(2), match.group(3).decode()
        if (found := _REQUEST.match(message)) is not None:
            ip, port, rating, state, position, duration, req = found.groups()
            reports[req] = dict(when=when, ip=ip, port=int(port), rating=rating, state=state,
                                position=int(position), duration=int(duration), thread=thread, inner=set())
        elif (found := _COMPLETED.match(message)) is not None:
            report = reports[found.group(3)]
            report.update(done_thread=thread, done_port=int(found.group(2)), pipelined=int(found.group(4)))
        elif (found := _REQ_PREFIX.match(message)) is not None and found.group(1) in reports:
            report = reports[found.group(1)]
            report["inner"].add(thread)
            if (kind := _STATISTICS.search(message)) is not None:
                report["type"] = int(kind.group(1))
    return lines, list(reports.values())


def test_a_day_is_about_25_mb_with_a_few_plays_in_the_evening_and_few_at_night(day):
    lines, reports = day
    size = sum(map(len, lines))
    assert 21e6 < size < 30e6
    per_hour = defaultdict(int)
    for report in reports:
        per_hour[report["when"].hour] += 1
    # a playing app reports 360 times an hour: reports/360 is the number of plays going on
    evening = sum(per_hour[h] for h in (19, 20, 21)) / 3 / 360
    night = sum(per_hour[h] for h in (2, 3, 4)) / 3 / 360
    assert 1.0 <= evening <= 3.5
    assert night < 0.3
    assert 0.01 < len(reports) / len(lines) < 0.12  # playback is a minority of lines


def test_reports_every_10_s_playing_and_30_s_paused_with_positions_following_the_clock(day):
    _, reports = day
    by_device = defaultdict(list)
    for report in reports:
        by_device[report["ip"]].append(report)
    intervals = []
    for series in by_device.values():
        for before, after in zip(series, series[1:]):
            if before["rating"] != after["rating"] or before["state"] == "stopped":
                continue  # another play
            gap_ms = (after["when"] - before["when"]) / timedelta(milliseconds=1)
            moved = after["position"] - before["position"]
            if before["state"] == "playing":
                assert gap_ms <= 10_300, (before, after)  # + a burst still being written
                assert gap_ms - 50 <= moved <= gap_ms + 1, (before, after)  # 50: a stop is clamped to its end
                if after["state"] == "playing":
                    intervals.append(gap_ms)
            else:  # paused: the position stands, reports are sparser
                assert before["state"] == "paused" and moved == 0, (before, after)
                assert gap_ms <= 30_300, (before, after)
    assert len(intervals) > 1000
    assert sum(9_990 <= gap <= 10_300 for gap in intervals) / len(intervals) > 0.95
    states = {report["state"] for report in reports}
    assert states == {"playing", "paused", "stopped"}


def test_plays_have_real_lengths(day):
    _, reports = day
    ranges = {4: (20 * 60_000, 45 * 60_000), 1: (90 * 60_000, 150 * 60_000), 10: (150_000, 360_000)}
    seen = set()
    for report in reports:
        low, high = ranges[report["type"]]
        assert low <= report["duration"] <= high, report
        seen.add(report["type"])
    assert seen == {1, 4, 10}


def test_completed_is_written_by_another_thread_than_the_request(day):
    _, reports = day
    for report in reports:
        assert report["inner"] == {report["thread"]}  # [Req#] lines: the handler's thread
        assert report["done_thread"] != report["thread"]


def test_apps_reuse_a_keep_alive_port_with_growing_pipelined_count(day):
    _, reports = day
    by_device = defaultdict(list)
    for report in reports:
        assert report["done_port"] == report["port"]
        by_device[report["ip"]].append(report)
    for series in by_device.values():
        ports = {report["port"] for report in series}
        assert len(ports) < len(series) / 10
        for before, after in zip(series, series[1:]):
            if after["port"] == before["port"]:
                assert after["pipelined"] == before["pipelined"] + 1
            else:
                assert after["pipelined"] == 1
