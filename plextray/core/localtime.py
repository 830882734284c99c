"""Plex's log times are local wall-clock times with no zone: turn them into UTC epoch seconds.

Why this needs care: in the autumn the hour before the change happens twice (an ambiguous wall
time), in the spring an hour never happens (a gap). A log is chronological, so the resolver
keeps the last instant it returned and picks, for an ambiguous time, the reading that does not
jump backwards. Pure: the caller passes the tzinfo (zoneinfo.ZoneInfo) — no clock, no I/O.
"""

from __future__ import annotations

from datetime import datetime, timezone, tzinfo

_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


def parse_local(iso: str) -> datetime:
    """`2022-01-12T13:42:24.403` (or without ms) -> naive datetime."""
    return datetime.fromisoformat(iso)


def to_utc(naive: datetime, tz: tzinfo, *, fold: int = 0) -> float:
    """Epoch seconds of a naive local time in `tz` (fold=1 picks the second of two readings)."""
    return naive.replace(tzinfo=tz, fold=fold).timestamp()


def is_ambiguous(naive: datetime, tz: tzinfo) -> bool:
    return to_utc(naive, tz, fold=0) != to_utc(naive, tz, fold=1)


class LocalClock:
    """Resolves a chronological stream of local times to UTC, monotonic across a DST fold.

    For an ambiguous time the first reading (summer time) is used unless it would put the
    instant more than `tolerance` seconds before the previous one — then the log has crossed
    the fall-back change and the second reading (winter time) is the right one.
    """

    def __init__(self, tz: tzinfo, *, tolerance: float = 60.0) -> None:
        self.tz = tz
        self.tolerance = tolerance
        self.last: float | None = None

    def resolve(self, iso: str) -> float:
        naive = parse_local(iso)
        first = to_utc(naive, self.tz, fold=0)
        second = to_utc(naive, self.tz, fold=1)
        value = first
        if first != second and self.last is not None and first < self.last - self.tolerance:
            value = second
        if self.last is None or value > self.last:
            self.last = value
        return value
