"""ClientIdentity: one shape for who a play says it is, carried between records without copies."""

from __future__ import annotations

import dataclasses
from zoneinfo import ZoneInfo

import pytest

from plextray.core.live import LiveFeed
from plextray.core.model import IDENTITY_FIELDS, ClientIdentity, Device, LiveSession, PlaybackEvent, WatchSession
from plextray.core.sessions import SessionFolder
from plextray.store.history import device_of

LONDON = ZoneInfo("Europe/London")


def event(time: str, **who: str | None) -> PlaybackEvent:
    base = dict(client_id="c1", product="Plex Web", platform="Chrome", device="Laptop", ip="192.168.1.5", account="emma")
    base.update(who)
    return PlaybackEvent.of(time, "playing", "42", 0, 3_600_000, ClientIdentity(**base), None)


def test_every_record_with_an_identity_names_the_same_fields():
    # the records keep their own fields (speed, columns, JSON keys); the identity is their common part
    for record in (PlaybackEvent, WatchSession, Device):
        names = [f.name for f in dataclasses.fields(record)]
        assert all(name in names for name in IDENTITY_FIELDS), record


def test_a_later_report_fills_blanks_and_never_blanks_what_was_known():
    known = ClientIdentity("c1", "Plex Web", "Chrome", None, "10.0.0.2", "emma")
    later = ClientIdentity(None, None, None, "Laptop", "10.0.0.9", None)
    assert later.over(known) == ClientIdentity("c1", "Plex Web", "Chrome", "Laptop", "10.0.0.9", "emma")


def test_a_session_takes_its_first_reports_identity_and_learns_what_later_ones_add():
    folder = SessionFolder(LONDON)
    first = event("2026-03-01T20:00:00.000", account=None, device=None)
    folder.feed(first)
    [session] = folder.feed(event("2026-03-01T20:01:00.000", account="emma", product=None))
    assert session.identity == ClientIdentity("c1", "Plex Web", "Chrome", "Laptop", "192.168.1.5", "emma")


def test_a_stand_in_session_keeps_its_stand_in_client_id():
    folder = SessionFolder(LONDON)
    [session] = folder.feed(event("2026-03-01T20:00:00.000", client_id=None))
    assert session.client_id.startswith("anon:")
    assert session.identity.account == "emma"


def test_the_device_of_a_session_is_its_identity_seen_from_start_to_end():
    folder = SessionFolder(LONDON)
    folder.feed(event("2026-03-01T20:00:00.000"))
    [session] = folder.feed(event("2026-03-01T20:05:00.000"))
    device = device_of(session)
    assert device.identity == session.identity
    assert (device.first_seen, device.last_seen) == ("2026-03-01T20:00:00.000", "2026-03-01T20:05:00.000")


def test_a_device_needs_a_client_id():
    with pytest.raises(AssertionError):
        Device.seen(ClientIdentity(account="emma"), None, None)


def test_the_servers_session_speaks_the_logs_terms_machine_id_and_address():
    live = LiveSession(session_id="s1", session_key="7", rating_key="42", account="emma", account_id="3",
                       machine_id="m1", product="Plex for iOS", platform="iOS", device="Emma's iPad",
                       address="10.0.0.4", state="playing")
    assert live.identity == ClientIdentity("m1", "Plex for iOS", "iOS", "Emma's iPad", "10.0.0.4", "emma")


def test_the_live_feed_makes_events_with_the_servers_identity():
    feed = LiveFeed()
    live = LiveSession(session_id="s1", session_key="7", rating_key="42", account="emma", account_id="3",
                       machine_id="m1", product="Plex for iOS", platform="iOS", device="Emma's iPad",
                       address="10.0.0.4", state="playing")
    events = feed.sessions([live], "2026-03-01T20:00:00.000", asked_at=feed.ask())
    assert [e.identity for e in events] == [live.identity]
    assert events[0].session == "s1"
