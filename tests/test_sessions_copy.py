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
