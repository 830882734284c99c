"""End to end: the emulator writes Plex's log lines and serves Plex's API; the real engine reads the
lines, checks the rules and acts — stopping through the API, notifying, alerting, recording."""

from __future__ import annotations

from datetime import datetime, timedelta

from support.household import emma_profiles, wait_for, write_profiles


from support.engine_world import (  # noqa: F401  (world: fixture)
    G_MOVIE,
    KIDS_EPISODE,
    MONDAY_4PM,
    PG13_MOVIE,
    R_MOVIE,
    RATING_PG,
    TOKEN,
    TVMA_EPISODE,
    World,
    world,
)



def test_restricted_title_is_stopped_with_the_message_and_recorded(world):
    world.start([RATING_PG])
    world.emulator.play(world.kid, R_MOVIE)
    call = wait_for(lambda: world.emulator.terminate_calls and world.emulator.terminate_calls[0])
    assert call.reason == "Time's up! Ask a parent."
    wait_for(lambda: ("stop", "ok") in world.actions())
    (violation,) = world.violations()
    assert violation["person"] == "Emma"
    assert "R > PG" in violation["reason"]
    assert violation["client_id"] == world.kid
    wait_for(lambda: world.alerter.sent and any("R > PG" in text for text in world.notifier.texts()))
    assert "Emma's iPad" in world.alerter.sent[0][1]


def test_allowed_title_quick_switching_and_seeking_cause_nothing(world):
    world.start([RATING_PG])
    world.emulator.play(world.kid, G_MOVIE)
    world.emulator.report(world.kid, position_ms=1_200_000)  # seek forward
    world.emulator.report(world.kid, state="paused")
    world.emulator.report(world.kid, state="playing", position_ms=60_000)  # seek back
    world.emulator.play(world.kid, KIDS_EPISODE)  # switch title
    world.emulator.play(world.ids["parent_tv"], R_MOVIE)  # a parent may
    wait_for(lambda: len(world.engine.snapshot().now_playing) >= 2)
    import time

    time.sleep(1.5)  # a few engine ticks
    assert world.terminations() == 0
    assert world.violations() == []
    assert world.notifier.shown == [] and world.alerter.sent == []


def test_restarting_a_stopped_play_is_stopped_again_without_new_alert(world):
    world.start([RATING_PG])
    world.emulator.play(world.kid, R_MOVIE)
    wait_for(lambda: world.terminations() == 1)
    # the kicked app reports `stopped` on its own time, after the terminate call returns; a child
    # restarts only after that (else that report, landing after the new play's, would end it)
    wait_for(lambda: not world.engine.snapshot().now_playing)
    world.emulator.play(world.kid, R_MOVIE)
    wait_for(lambda: world.terminations() == 2, timeout=15)
    # the restart is a session of its own: recorded against it (so it shows stopped in the
    # reports), stopped, but the parent is not alerted twice for the same film
    wait_for(lambda: len(world.violations()) == 2)
    first, second = world.violations()
    assert first["session_key"] != second["session_key"]
    assert len(world.alerter.sent) == 1


def test_server_down_at_the_violation_alert_goes_out_and_stop_is_retried(world):
    world.start([{"type": "time", "days": "everyday", "from": "15:00", "to": "18:00", "actions": ["alert", "stop"]}])
    wait_for(lambda: world.engine.snapshot().state.value == "monitoring")
    world.emulator.set_fault("down")
    world.emulator.play(world.kid, KIDS_EPISODE)
    wait_for(lambda: world.alerter.sent)
    wait_for(lambda: ("stop", "failed") in world.actions())
    assert world.terminations() == 0
    world.emulator.set_fault(None)
    wait_for(lambda: world.terminations() == 1, timeout=20)
    wait_for(lambda: ("stop", "ok") in world.actions())
    assert len(world.alerter.sent) == 1


def test_a_time_window_opening_mid_play_stops_it(world):
    world.clock.set(datetime(2026, 11, 23, 20, 29, 57))  # Monday evening, before bedtime
    world.start([{"type": "time", "days": "weeknights", "from": "20:30", "to": "07:00", "actions": ["notify", "stop"]}])
    world.emulator.play(world.kid, KIDS_EPISODE)
    wait_for(lambda: world.engine.snapshot().now_playing)
    assert world.terminations() == 0
    wait_for(lambda: world.terminations() == 1, timeout=10)  # the clock passes 20:30 while playing
    assert "bedtime" in world.violations()[0]["reason"] or "20:30" in world.violations()[0]["reason"]


def test_across_midnight_sunday_night_is_a_school_night_friday_night_is_not(world):
    world.clock.set(datetime(2026, 11, 28, 0, 30))  # Saturday 00:30 = Friday night
    world.start([{"type": "time", "days": "weeknights", "from": "20:30", "to": "07:00", "actions": ["stop"]}])
    world.emulator.play(world.kid, KIDS_EPISODE)
    wait_for(lambda: world.engine.snapshot().now_playing)
    import time

    time.sleep(1.5)
    assert world.terminations() == 0
    world.emulator.stop_play(world.kid)
    world.clock.set(datetime(2026, 11, 30, 0, 30))  # Monday 00:30 = Sunday night
    world.emulator.play(world.kid, KIDS_EPISODE)
    wait_for(lambda: world.terminations() == 1)


def test_quota_counts_history_warns_then_stops_and_a_grant_lifts_it(world):
    world.start([{"type": "quota", "minutes": 120, "per": "day", "actions": ["notify", "stop"]}])
    seed_watched(world, minutes=100)
    world.emulator.play(world.kid, KIDS_EPISODE)
    wait_for(lambda: any("20 minutes left today" in t for t in world.notifier.texts()))
    assert world.terminations() == 0
    world.emulator.stop_play(world.kid)
    seed_watched(world, minutes=25, start="2026-11-23T13:00:00")
    world.emulator.play(world.kid, KIDS_EPISODE)
    wait_for(lambda: world.terminations() == 1)
    world.engine.grant("Emma", minutes=30)
    wait_for(lambda: grants(world) == [("Emma", 30)])
    world.emulator.play(world.kid, G_MOVIE)
    import time

    time.sleep(1.5)
    assert world.terminations() == 1


def test_paused_monitoring_enforces_nothing_until_resumed(world):
    world.start([RATING_PG])
    world.engine.pause()
    wait_for(lambda: world.engine.snapshot().paused)
    world.emulator.play(world.kid, R_MOVIE)
    wait_for(lambda: world.engine.snapshot().now_playing)
    import time

    time.sleep(1.2)
    assert world.terminations() == 0
    world.engine.resume()
    wait_for(lambda: world.terminations() == 1)


def test_profile_edit_while_running_is_picked_up(world):
    world.start([])
    world.emulator.play(world.kid, R_MOVIE)
    wait_for(lambda: world.engine.snapshot().now_playing)
    write_profiles(world.home, emma_profiles([RATING_PG], kid_device=world.kid))
    wait_for(lambda: world.terminations() == 1)


def test_broken_profile_edit_keeps_the_last_good_one(world):
    world.start([RATING_PG])
    (world.home / "profiles.json").write_text('{"version": 1, "people": [')
    wait_for(lambda: any("profiles.json" in p for p in world.engine.snapshot().problems))
    world.emulator.play(world.kid, R_MOVIE)
    wait_for(lambda: world.terminations() == 1)
    assert (world.home / "profiles.json").read_text() == '{"version": 1, "people": ['


def test_unknown_device_is_reported_once(world):
    world.start([], unknown_actions=["notify"])
    world.emulator.play(world.ids["teen_phone"], G_MOVIE)
    world.emulator.play(world.ids["teen_phone"], PG13_MOVIE)
    wait_for(lambda: world.notifier.shown)
    import time

    time.sleep(1.2)
    assert len([t for t in world.notifier.texts() if "linked to nobody" in t]) == 1
    assert world.terminations() == 0


def test_without_plex_pass_stop_falls_back_to_notify_and_alert(tmp_path, plextray_home, monkeypatch):
    w = World(tmp_path, plextray_home, monkeypatch, plex_pass=False)
    try:
        w.start([{"type": "library", "block": ["Movies"], "actions": ["stop"]}])
        wait_for(lambda: any("Plex Pass" in p for p in w.engine.snapshot().problems))
        w.emulator.play(w.kid, G_MOVIE)
        wait_for(lambda: any("could not stop" in t for t in w.notifier.texts()))
        wait_for(lambda: w.alerter.sent)
        assert w.terminations() == 0
        assert ("stop", "skipped") in w.actions()
    finally:
        w.close()


def seed_watched(world: World, *, minutes: int, start: str = "2026-11-23T09:00:00") -> None:
    """A finished session earlier today on Emma's iPad, as an earlier import would have stored it."""
    from plextray.core.localtime import to_utc
    from plextray.core.model import Device, WatchSession
    from plextray.localzone import local_zone
    from plextray.store.db import connect
    from plextray.store.history import HistoryStore

    begin = datetime.fromisoformat(start)
    end = begin + timedelta(minutes=minutes)
    tz = local_zone()
    conn = connect(world.home / "history.sqlite3")
    store = HistoryStore(conn)
    store.upsert_device(Device(world.kid, product="Plex for iOS", first_seen=start, last_seen=start))
    store.upsert_session(
        WatchSession(
            key=f"{world.kid}@{G_MOVIE}@{start}",
            client_id=world.kid,
            rating_key=G_MOVIE,
            start=start,
            end=end.isoformat(),
            start_utc=to_utc(begin, tz),
            end_utc=to_utc(begin, tz) + minutes * 60,
            watched_ms=minutes * 60_000,
            state="stopped",
            live=False,
        )
    )
    conn.close()


def grants(world: World) -> list[tuple[str, int]]:
    with world.db() as conn:
        return [(r["person"], r["minutes"]) for r in conn.execute("SELECT person, minutes FROM grants")]


def test_no_bedtime_tonight_from_the_tray_lifts_the_window(world):
    world.clock.set(datetime(2026, 11, 23, 21, 0))  # Monday night, inside bedtime
    world.start([{"type": "time", "days": "weeknights", "from": "20:30", "to": "07:00", "actions": ["stop"]}])
    world.engine.grant("emma", lift_window_until="tonight")
    wait_for(lambda: lifts(world))
    assert lifts(world) == ["2026-11-24T07:00:00"]
    world.emulator.play(world.kid, KIDS_EPISODE)
    wait_for(lambda: world.engine.snapshot().now_playing)
    import time

    time.sleep(1.5)
    assert world.terminations() == 0


def lifts(world: World) -> list[str]:
    with world.db() as conn:
        return [r["lift_until"] for r in conn.execute("SELECT lift_until FROM grants WHERE lift_until IS NOT NULL")]


def test_streak_of_back_to_back_episodes_at_night_is_stopped(world):
    from plextray.core.model import MediaInfo

    for n in (2, 3):
        world.emulator.add_item(MediaInfo(f"220{n}", f"Episode {n}", "episode", grandparent_title="Little Bears",
                                          parent_index=2, index=4 + n, library="Kids TV", library_id="4",
                                          content_rating="TV-Y", duration_ms=1_320_000))
    world.clock.set(datetime(2026, 11, 23, 21, 30))
    world.start([{"type": "streak", "episodes": 2, "days": "everyday", "from": "21:00", "to": "06:00", "actions": ["stop"]}])
    for key in ("2201", "2202"):
        world.emulator.play(world.kid, key)
        wait_for(lambda: media_cached(world, key))
        for step in range(1, 5):  # the app's heartbeats while the episode plays
            world.clock.advance(minutes=5)
            world.emulator.report(world.kid, position_ms=step * 300_000)
        world.emulator.stop_play(world.kid)
        world.clock.advance(minutes=1)
    assert world.terminations() == 0
    world.emulator.play(world.kid, "2203")  # the third in a row
    wait_for(lambda: world.terminations() == 1)
    assert "episode" in world.violations()[0]["reason"]


def test_combination_blocks_r_rated_only_at_night(world):
    night_and_r = {"type": "all", "of": [
        {"type": "time", "days": "everyday", "from": "20:00", "to": "06:00"},
        {"type": "rating", "max": "PG-13"},
    ], "actions": ["stop"]}
    world.start([night_and_r])
    world.emulator.play(world.kid, R_MOVIE)  # 16:00: allowed
    wait_for(lambda: media_cached(world, R_MOVIE))
    import time

    time.sleep(1.2)
    assert world.terminations() == 0
    world.emulator.stop_play(world.kid)
    world.clock.set(datetime(2026, 11, 23, 20, 15))
    world.emulator.play(world.kid, PG13_MOVIE)  # night, but PG-13: allowed
    wait_for(lambda: media_cached(world, PG13_MOVIE))
    time.sleep(1.2)
    assert world.terminations() == 0
    world.emulator.play(world.kid, R_MOVIE)  # night and R
    wait_for(lambda: world.terminations() == 1)


def test_title_quota_and_blocked_labels(world):
    world.start([
        {"type": "quota", "titles": 2, "per": "day", "actions": ["alert"]},
        {"type": "library", "block": [], "labels": ["Kids"], "actions": ["notify"]},
    ])
    world.emulator.play(world.kid, PG13_MOVIE)
    world.emulator.play(world.kid, TVMA_EPISODE)
    wait_for(lambda: media_cached(world, TVMA_EPISODE))
    import time

    time.sleep(1.2)
    assert world.alerter.sent == []
    assert world.notifier.texts() == ["Emma has 0 titles left today"]  # the 95 % warning, once
    world.emulator.play(world.kid, G_MOVIE)  # a third title, and labelled Kids
    wait_for(lambda: len(world.alerter.sent) == 1 and len(world.notifier.shown) == 2)
    assert "title" in world.alerter.sent[0][1]
    assert "Kids" in world.notifier.texts()[1]
    assert world.terminations() == 0


def test_grace_period_warns_on_screen_first_then_stops(world):
    world.start([{"type": "rating", "max": "PG", "actions": ["stop"]}], grace=2)
    world.emulator.play(world.kid, R_MOVIE)
    wait_for(lambda: any("stopping in 2 s" in t for t in world.notifier.texts()))
    assert world.terminations() == 0
    wait_for(lambda: world.terminations() == 1, timeout=10)


def media_cached(world: World, rating_key: str) -> bool:
    with world.db() as conn:
        return conn.execute("SELECT 1 FROM media WHERE rating_key = ?", (rating_key,)).fetchone() is not None


def test_wall_clock_jumps_do_not_stop_the_engine(world):
    world.start([RATING_PG])
    world.emulator.play(world.kid, G_MOVIE)
    wait_for(lambda: world.engine.snapshot().now_playing)
    world.clock.set(datetime(2026, 11, 23, 13, 0))  # set back three hours (NTP fix, a user, a VM resume)
    world.emulator.report(world.kid, position_ms=120_000)
    world.clock.set(datetime(2026, 11, 24, 9, 0))  # and forward to the next morning
    world.emulator.report(world.kid, position_ms=180_000)
    import time

    time.sleep(1.2)
    assert world.engine.running
    world.emulator.play(world.kid, R_MOVIE)
    wait_for(lambda: world.terminations() == 1)
