"""A "gap" whose end is before its start is never reported as lost lines, and a real gap across the
autumn DST change (local times that run backwards) still is.

The old flaky kill -9 report was such a gap: the saver took a file it had read for an unknown one
(a rotation between its stat of a name and its re-open of that name; fixed by reading both through
one handle, see test_archive_rotation_race.py), said "rotated more than 5 times", and read the
oldest files again. Here the reader is put in that state on purpose (a checkpoint whose read files
match none on disk) so what it reports does not depend on any race.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

import pytest

from plextray.emulator.logwriter import format_timestamp
from plextray.logs.checkpoint import Checkpoint, FileIdentity
from plextray.logs.source import Gap, PlexLogSource
from support.archive_helpers import RecordingWriter

UNKNOWN = FileIdentity(dev=0, ino=0, head_len=64, head_sha="0" * 64)  # a read file no longer on disk


def _folder(tmp_path, start: datetime) -> RecordingWriter:
    """Plex's folder with three rotated files and a live one, the first line at `start`."""
    plex = RecordingWriter(tmp_path / "Logs", max_bytes=2000, start=start)
    plex.write_lines(60)
    assert plex.writer.rotations >= 3
    return plex


def _read_after(plex: RecordingWriter, last_saved: datetime) -> tuple[bytes, list[Gap]]:
    """What a reader resuming from a checkpoint (last line saved at `last_saved`, its files gone
    from the folder) reads and reports."""
    checkpoint = Checkpoint(seen=(UNKNOWN,), last_time=format_timestamp(last_saved))
    source = PlexLogSource(plex.writer.log_dir, checkpoint)
    try:
        return source.read(1 << 20)
    finally:
        source.close()


def _reversed(gap: Gap) -> bool:
    return bool(gap.after and gap.before) and datetime.strptime(gap.before, "%b %d, %Y %H:%M:%S.%f") < \
        datetime.strptime(gap.after, "%b %d, %Y %H:%M:%S.%f")


def test_lines_older_than_the_last_saved_one_are_a_re_read_not_a_gap(tmp_path, caplog, monkeypatch):
    monkeypatch.setenv("TZ", "UTC")
    plex = _folder(tmp_path, datetime(2026, 2, 6, 21, 0))
    with caplog.at_level(logging.WARNING, logger="plextray.logs.source"):
        data, gaps = _read_after(plex, datetime(2026, 2, 6, 21, 0, 20))  # the folder's lines start at 21:00:00.5
    assert data == plex.expected  # every file read, from the oldest
    assert gaps == []
    assert "read again from Feb 06, 2026 21:00:00.500 after Feb 06, 2026 21:00:20.000" in caplog.text
    assert "possible gap" not in caplog.text


def test_lines_newer_than_the_last_saved_one_after_unknown_files_are_a_gap(tmp_path, monkeypatch):
    monkeypatch.setenv("TZ", "UTC")
    plex = _folder(tmp_path, datetime(2026, 2, 6, 21, 0))
    _data, gaps = _read_after(plex, datetime(2026, 2, 6, 20, 55))
    assert [(gap.after, gap.before, gap.reason) for gap in gaps] == [
        ("Feb 06, 2026 20:55:00.000", "Feb 06, 2026 21:00:00.500",
         "Plex rotated its log more than 5 times since plextray last read it")]


def test_across_the_autumn_change_a_gap_whose_local_times_run_backwards_is_still_reported(tmp_path, monkeypatch):
    """New York, 1 Nov 2026: 01:00-01:59 happens twice. Last line saved at 01:50 (summer time),
    next line read at 01:10: under the winter reading it is 20 minutes later, lines may be lost."""
    monkeypatch.setenv("TZ", "America/New_York")
    plex = _folder(tmp_path, datetime(2026, 11, 1, 1, 10))
    _data, gaps = _read_after(plex, datetime(2026, 11, 1, 1, 50))
    assert len(gaps) == 1 and _reversed(gaps[0])  # its local times run backwards, and it is said
    assert (gaps[0].after, gaps[0].before) == ("Nov 01, 2026 01:50:00.000", "Nov 01, 2026 01:10:00.500")


def test_the_same_clock_times_on_a_day_without_a_change_are_a_re_read(tmp_path, monkeypatch):
    monkeypatch.setenv("TZ", "America/New_York")
    plex = _folder(tmp_path, datetime(2026, 11, 8, 1, 10))
    _data, gaps = _read_after(plex, datetime(2026, 11, 8, 1, 50))
    assert gaps == []


@pytest.mark.parametrize("zone", ["UTC", "America/New_York", "Europe/London", "Australia/Lord_Howe"])
@pytest.mark.parametrize("day", [datetime(2026, 2, 6), datetime(2026, 3, 29), datetime(2026, 10, 4),
                                 datetime(2026, 10, 25), datetime(2026, 11, 1)])
def test_no_reported_gap_ends_before_it_starts_under_every_reading(tmp_path, monkeypatch, zone, day):
    """Whatever the last saved time, every gap the reader reports can hold lost lines: its end is
    after its start under at least one reading of the two local times."""
    from plextray.core.localtime import to_utc
    from plextray.localzone import local_zone

    monkeypatch.setenv("TZ", zone)
    plex = _folder(tmp_path, day.replace(hour=1, minute=10))
    for minutes in (-90, -30, -1, 0, 1, 10, 30, 50, 90):
        last = day.replace(hour=1, minute=10, second=30) + timedelta(minutes=minutes)
        _data, gaps = _read_after(plex, last)
        for gap in gaps:
            after = datetime.strptime(gap.after, "%b %d, %Y %H:%M:%S.%f")
            before = datetime.strptime(gap.before, "%b %d, %Y %H:%M:%S.%f")
            assert to_utc(before, local_zone(), fold=1) >= to_utc(after, local_zone(), fold=0), (zone, last, gap)
