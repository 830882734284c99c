"""The folder's per-hour clock must resolve every local time exactly as LocalClock does —
across DST changes both ways, half-hour zones, times with and without milliseconds, and a
stream that jumps backwards."""

from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from plextray.core.localtime import LocalClock
from plextray.core.sessions import SessionFolder, _HourClock

STARTS = [
    datetime(2026, 3, 29, 0, 0),  # Europe spring forward
    datetime(2025, 10, 26, 0, 0),  # Europe fall back
    datetime(2026, 11, 1, 0, 0),  # US fall back
    datetime(2026, 3, 8, 1, 0),  # US spring forward
    datetime(2026, 4, 5, 1, 0),  # Lord Howe: a half-hour change
    datetime(2026, 10, 4, 1, 0),
    datetime(2009, 10, 31, 23, 30),  # Goose Bay: back an hour at 00:01, inside an hour
    datetime(2009, 3, 7, 23, 30),  # and forward at 00:01
]


@pytest.mark.parametrize(
    "zone", ["Europe/London", "America/New_York", "Australia/Lord_Howe", "Asia/Kathmandu", "America/Goose_Bay", "UTC"]
)
def test_hour_clock_resolves_as_local_clock(zone: str) -> None:
    rng = random.Random(zone)
    tz = ZoneInfo(zone)
    for start in STARTS:
        plain, fast, when = LocalClock(tz), _HourClock(tz), start
        for _ in range(3000):
            if rng.random() < 0.98:
                when += timedelta(milliseconds=rng.randrange(0, 4000))
            else:
                when -= timedelta(seconds=rng.randrange(0, 4000))
            iso = when.isoformat(timespec="milliseconds" if rng.random() < 0.8 else "seconds")
            assert fast.resolve(iso) == plain.resolve(iso), iso
            assert fast.last == plain.last


@pytest.mark.parametrize("zone", ["Europe/London", "Australia/Lord_Howe", "America/Goose_Bay"])
def test_hour_clock_resolves_every_minute_around_a_change_as_local_clock(zone: str) -> None:
    """A steady sweep across each change (the random walk above drifts mostly backwards)."""
    tz = ZoneInfo(zone)
    for start in STARTS:
        plain, fast = LocalClock(tz), _HourClock(tz)
        for step in range(0, 4 * 3600, 7):
            iso = (start - timedelta(hours=1) + timedelta(seconds=step)).isoformat(timespec="milliseconds")
            assert fast.resolve(iso) == plain.resolve(iso), iso


def test_odd_shapes_take_the_general_path() -> None:
    plain, fast = LocalClock(timezone.utc), _HourClock(timezone.utc)
    for iso in ["2026-03-28T06:31:56.3", "2026-03-28T06:31", "2026-03-28 06:31:56.363", "2026-03-28T06:31:56.363123"]:
        assert fast.resolve(iso) == plain.resolve(iso)
    for bad in ["2026-13-28T06:31:56.363", "2026-03-28T06:31:5x.363", "2026-03-28T06:31:56.\u0663\u0663\u0663",
                "2026-03-28T06:61:56.363", "2026-03-28T06:31:60.363", "2026-03-28T06:\u0663\u0663:56.363"]:
        with pytest.raises(ValueError):
            plain.resolve(bad)
        with pytest.raises(ValueError):
            fast.resolve(bad)


def test_folder_uses_it() -> None:
    assert isinstance(SessionFolder(ZoneInfo("Europe/London")).clock, _HourClock)
