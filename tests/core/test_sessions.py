"""SessionFolder: events into watch sessions — pauses, silences, midnight and DST changes."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from plextray.core.model import PlaybackEvent
from plextray.core.sessions import RESUME_MS, SessionFolder, heir_of, stand_in_client

LONDON = ZoneInfo("Europe/London")
NEW_YORK = ZoneInfo("America/New_York")


def ev(time: str, state: str = "playing", position: int | None = 0, *, client: str | None = "c1",
       rating_key: str = "42", duration: int | None = 3_600_000, account: str | None = "emma",
       ip: str | None = "192.168.1.5") -> PlaybackEvent:
    return PlaybackEvent(time=time, state=state, rating_key=rating_key, position_ms=position, duration_ms=duration,
                         client_id=client, product="Plex Web", platform="Chrome", device="Laptop", ip=ip,
                         account=account, session=None)


def heartbeats(start: datetime, count: int, step: int = 60, state: str = "playing", position0: int = 0):
    """A report every `step` seconds of wall-clock (naive local) time, position advancing with it."""
    return [
        ev((start + timedelta(seconds=step * i)).isoformat(timespec="milliseconds"), state, position0 + step * 1000 * i)
        for i in range(count)
    ]


def fold(folder: SessionFolder, events):
    last = {}
    for event in events:
        for session in folder.feed(event):
            last[session.key] = session
    return last


def test_pause_and_buffering_do_not_end_a_session_and_do_not_count_as_watched():
    folder = SessionFolder(LONDON)
    sessions = fold(folder, [
        ev("2026-01-10T20:00:00.000", "playing", 0),
        ev("2026-01-10T20:05:00.000", "paused", 300_000),
        ev("2026-01-10T20:15:00.000", "playing", 300_000),  # 10 min paused (within the silence limit)
        ev("2026-01-10T20:16:00.000", "buffering", 360_000),
        ev("2026-01-10T20:17:00.000", "playing", 360_000),
        ev("2026-01-10T20:20:00.000", "stopped", 540_000),
    ])
    assert len(sessions) == 1
    session = next(iter(sessions.values()))
    assert session.key == "c1@42@2026-01-10T20:00:00.000"
    assert session.watched_ms == (5 + 1 + 3) * 60_000
    assert (session.start, session.end, session.state, session.live) == (
        "2026-01-10T20:00:00.000", "2026-01-10T20:20:00.000", "stopped", False)
    assert session.max_position_ms == 540_000 and session.percent == 15.0
    assert not session.resumed
    assert folder.live() == []


def test_silence_starts_a_new_session_and_expire_closes_it():
    folder = SessionFolder(LONDON, silence_seconds=600)
    sessions = fold(folder, [ev("2026-01-10T20:00:00.000"), ev("2026-01-10T20:01:00.000", position=60_000),
                             ev("2026-01-10T20:30:00.000", position=90_000)])
    assert len(sessions) == 2
    first, second = sorted(sessions.values(), key=lambda s: s.start)
    assert not first.live and first.watched_ms == 60_000
    assert second.live and second.resumed  # 90 s in: a resume
    (live,) = folder.live()
    end = live.end_utc
    assert folder.expire(end + 599) == []
    (closed,) = folder.expire(end + 601)
    assert closed.key == second.key and not closed.live
    assert folder.live() == []


def test_first_stopped_and_position_past_duration_are_ignored():
    folder = SessionFolder(LONDON)
    assert folder.feed(ev("2026-01-10T20:00:00.000", "stopped", 1000)) == []
    assert folder.feed(ev("2026-01-10T20:00:10.000", "playing", 5_000_000, duration=3_600_000)) == []
    assert folder.ignored == 2
    (session,) = folder.feed(ev("2026-01-10T20:00:20.000", "playing", RESUME_MS))
    assert not session.resumed  # exactly 60 s is still a fresh start
    assert folder.feed(ev("2026-01-10T20:00:30.000", "playing", 5_000_000, duration=3_600_000)) == []
    (session,) = folder.live()
    assert session.watched_ms == 0  # the absurd report was not folded
    assert session.end == "2026-01-10T20:00:20.000"


def test_another_item_on_the_same_client_ends_the_previous_session():
    folder = SessionFolder(LONDON)
    fold(folder, [ev("2026-01-10T20:00:00.000"), ev("2026-01-10T20:01:00.000", position=60_000)])
    changed = folder.feed(ev("2026-01-10T20:02:00.000", rating_key="43"))
    assert [(s.rating_key, s.live) for s in changed] == [("42", False), ("43", True)]


def test_across_midnight_one_session():
    folder = SessionFolder(NEW_YORK)
    sessions = fold(folder, heartbeats(datetime(2026, 1, 10, 23, 55), 11))
    (session,) = sessions.values()
    assert session.start.startswith("2026-01-10T23:55") and session.end.startswith("2026-01-11T00:05")
    assert session.watched_ms == 10 * 60_000
    assert session.end_utc - session.start_utc == 600


def test_spring_forward_gap_counts_real_time():
    # Europe/London 2026-03-29: 01:00 GMT -> 02:00 BST; the log jumps from 00:59 to 02:00
    folder = SessionFolder(LONDON)
    events = heartbeats(datetime(2026, 3, 29, 0, 50), 10) + [
        ev(f"2026-03-29T02:0{m}:00.000", position=600_000 + m * 60_000) for m in range(0, 6)
    ]
    (session,) = fold(folder, events).values()
    assert session.end_utc - session.start_utc == 15 * 60
    assert session.watched_ms == 15 * 60_000


def test_fall_back_repeated_hour_counts_real_time():
    # Europe/London 2026-10-25: 02:00 BST -> 01:00 GMT; 01:30..01:59 happens twice
    folder = SessionFolder(LONDON)
    first = heartbeats(datetime(2026, 10, 25, 1, 30), 30)  # 01:30..01:59 BST
    second = [ev(f"2026-10-25T01:{m:02d}:00.000", position=(30 + m) * 60_000) for m in range(0, 11)]  # GMT
    (session,) = fold(folder, first + second).values()
    assert session.end_utc - session.start_utc == 40 * 60  # 01:30 BST -> 01:10 GMT
    assert session.watched_ms == 40 * 60_000
    assert session.live


def test_dst_in_new_york_too():
    folder = SessionFolder(NEW_YORK)
    events = heartbeats(datetime(2026, 11, 1, 1, 45), 15) + [
        ev(f"2026-11-01T01:{m:02d}:00.000", position=(15 + m) * 60_000) for m in range(0, 5)
    ]
    (session,) = fold(folder, events).values()
    assert session.watched_ms == 19 * 60_000


def test_same_events_give_same_keys_and_refed_lines_change_nothing():
    events = heartbeats(datetime(2026, 1, 10, 20, 0), 5)
    one = fold(SessionFolder(LONDON), events)
    folder = SessionFolder(LONDON)
    two = fold(folder, events)
    assert one.keys() == two.keys()
    (before,) = folder.live()
    for event in events[:3]:  # lines the live path already saw
        folder.feed(event)
    (after,) = folder.live()
    assert after == before


def test_restore_continues_a_live_session():
    events = heartbeats(datetime(2026, 1, 10, 20, 0), 10)
    first = SessionFolder(LONDON)
    fold(first, events[:5])
    restored = SessionFolder(LONDON)
    restored.restore(first.live())
    fold(restored, events[5:])
    reference = SessionFolder(LONDON)
    fold(reference, events)
    assert restored.live() == reference.live()


def test_unattributed_first_report_is_handed_over_when_the_client_is_named():
    folder = SessionFolder(LONDON)
    anonymous = ev("2026-01-10T20:00:00.000", client=None)
    (stand_in,) = folder.feed(anonymous)
    assert stand_in.client_id == stand_in_client(anonymous) == "anon:192.168.1.5/emma/Laptop"
    (named,) = folder.feed(ev("2026-01-10T20:00:00.000", client="c1"))  # the parser's update
    assert named.client_id == "c1" and named.key == "c1@42@2026-01-10T20:00:00.000"
    assert folder.retired() == [stand_in.key]
    assert folder.retired() == []
    (session,) = folder.feed(ev("2026-01-10T20:01:00.000", position=60_000))
    assert session.key == named.key and session.watched_ms == 60_000
    assert [s.client_id for s in folder.live()] == ["c1"]


def test_an_update_with_more_identity_does_not_double_count():
    folder = SessionFolder(LONDON)
    fold(folder, [ev("2026-01-10T20:00:00.000", account=None), ev("2026-01-10T20:01:00.000", position=60_000, account=None)])
    (session,) = folder.feed(ev("2026-01-10T20:01:00.000", position=60_000, account="emma"))
    assert session.account == "emma" and session.watched_ms == 60_000


def test_local_clock_resolves_the_repeated_hour_monotonically():
    from plextray.core.localtime import LocalClock, is_ambiguous, parse_local

    clock = LocalClock(LONDON)
    assert is_ambiguous(parse_local("2026-10-25T01:30:00"), LONDON)
    first = clock.resolve("2026-10-25T01:30:00")  # BST (UTC+1)
    late = clock.resolve("2026-10-25T01:59:00")
    again = clock.resolve("2026-10-25T01:00:00")  # the clocks went back: GMT now
    assert late - first == 29 * 60 and again - late == 60
    assert clock.resolve("2026-10-25T01:30:00") - first == 3600
    # the spring gap: 01:xx does not exist on 2026-03-29 (Plex never writes it), yet it resolves
    spring = LocalClock(LONDON)
    before, gap, after = (spring.resolve(t) for t in ("2026-03-29T00:59:00", "2026-03-29T01:30:00", "2026-03-29T02:01:00"))
    assert after - before == 120 and isinstance(gap, float)


def test_the_heir_of_a_stand_in_is_found_when_the_client_already_had_the_title_going():
    """A play first seen on the server's session list (named), then its log report names no
    device (a stand-in), then the next line names it: the stand-in is dropped into the client's
    own session, which starts earlier. What was done to the stand-in (a violation recorded, a
    stop) must follow that session (seen as a flaky e2e: a violation left on `anon:…`)."""
    folder = SessionFolder(LONDON)
    (own,) = folder.feed(ev("2026-01-10T19:59:50.000", position=0))  # from the server's list
    anonymous = ev("2026-01-10T20:00:00.000", position=10_000, client=None)
    (stand_in,) = folder.feed(anonymous)
    assert stand_in.client_id.startswith("anon:") and stand_in.start != own.start
    changed = folder.feed(ev("2026-01-10T20:00:00.000", position=10_000, client="c1"))
    assert folder.retired() == [stand_in.key]
    heir = heir_of(stand_in, changed)
    assert heir is not None and heir.key == own.key
    # re-keyed in place: same title, same start
    other = SessionFolder(LONDON)
    (alone,) = other.feed(ev("2026-01-10T20:00:00.000", client=None))
    renamed = other.feed(ev("2026-01-10T20:00:00.000", client="c2"))
    assert heir_of(alone, renamed).client_id == "c2"
    # two devices with the title, neither the stand-in's start: no guess
    one = ev("2026-01-10T20:00:05.000", client="c3")
    two = ev("2026-01-10T20:00:05.000", client="c4")
    both = SessionFolder(LONDON).feed(one) + SessionFolder(LONDON).feed(two)
    assert heir_of(stand_in, both) is None
