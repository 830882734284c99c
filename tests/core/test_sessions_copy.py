"""The session folder's cheap snapshot equals dataclasses.replace, field for field."""

from __future__ import annotations

import dataclasses

from plextray.core.model import WatchSession
from plextray.core.sessions import _copy


def test_copy_is_replace_and_independent():
    assert all(field.init for field in dataclasses.fields(WatchSession))  # else _copy would drop it
    session = WatchSession(
        key="c@1@t", client_id="c", rating_key="1", start="2026-03-28T06:00:00.000", end="2026-03-28T06:10:00.000",
        start_utc=1.5, end_utc=601.5, watched_ms=600_000, max_position_ms=700_000, duration_ms=1_800_000,
        resumed=True, state="paused", live=False, account="remi", product="Plex for iOS", platform="iOS",
        device="iPad", ip="192.168.1.111", plex_session="abc",
    )
    copy = _copy(session)
    assert copy == dataclasses.replace(session) and copy is not session
    for field in dataclasses.fields(WatchSession):
        assert getattr(copy, field.name) == getattr(session, field.name)
    copy.watched_ms += 1
    assert session.watched_ms == 600_000


def test_feed_many_leaves_what_feed_one_by_one_leaves():
    """The bulk import folds a block's events with feed_many (one copy per session, not per
    event): what it keeps must be what keeping the last copy of each key from feed gives."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from plextray.core.parsing import PlaybackParser
    from plextray.core.sessions import SessionFolder
    from plextray.emulator.traffic import realistic_log

    lines = list(realistic_log(datetime(2026, 3, 28, 20, 0), 1_500_000, seed=5))  # spans the DST change
    events = []
    parser = PlaybackParser()
    for line in lines:
        events += parser.feed(line)
    assert len(events) > 200
    zone = ZoneInfo("Europe/London")
    one_by_one, by_batch = SessionFolder(zone, silence_seconds=120), SessionFolder(zone, silence_seconds=120)
    kept_one: dict[str, WatchSession] = {}
    kept_batch: dict[str, WatchSession] = {}
    for start in range(0, len(events), 97):  # blocks of events, as the importer's blocks
        batch = events[start : start + 97]
        for event in batch:
            for session in one_by_one.feed(event):
                kept_one[session.key] = session
        for key in one_by_one.retired():
            kept_one.pop(key, None)
        returned = by_batch.feed_many(batch)
        assert len({id(s) for s in returned}) == len(returned)
        for session in returned:
            kept_batch[session.key] = session
        for key in by_batch.retired():
            kept_batch.pop(key, None)
    assert kept_batch == kept_one
    assert any(not s.live for s in kept_batch.values()) and any(s.watched_ms > 0 for s in kept_batch.values())
    # what feed_many hands out is a copy: changing it changes nothing in the folder
    returned = by_batch.feed_many(events[-5:])
    before = by_batch.live()
    assert returned and before
    for session in returned:
        session.watched_ms += 1_000_000
        session.state = "changed by the caller"
    assert by_batch.live() == before
