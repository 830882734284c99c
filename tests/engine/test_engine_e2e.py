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


def test_same_title_on_another_day_is_a_new_session_recorded_and_alerted_again(world):
    """The tracker's per-play memory ("already alerted") must not outlive the session: the same
    child playing the same forbidden title the next day is a new violation, recorded and alerted."""
    world.start([RATING_PG])
    world.emulator.play(world.kid, R_MOVIE)
    wait_for(lambda: world.terminations() == 1)
    wait_for(lambda: len(world.alerter.sent) == 1)
    # the kicked app reports `stopped` on its own time, after the terminate call returns; move
    # the clock only once the engine has read it, or that report lands on Tuesday and ends the
    # new play it is not part of
    wait_for(lambda: not world.engine.snapshot().now_playing)
    world.clock.set(datetime(2026, 11, 24, 16, 0, 0))  # Tuesday, same time
    world.emulator.play(world.kid, R_MOVIE)
    wait_for(lambda: world.terminations() == 2, timeout=30)
    wait_for(lambda: len(world.violations()) == 2, timeout=15)
    wait_for(lambda: len(world.alerter.sent) == 2, timeout=15)
    assert [v["session_key"] for v in world.violations()][0] != world.violations()[1]["session_key"]


class _FlakyClient:
    """A real PlexClient whose first sessions() / metadata() calls fail with an error the client
    did not translate (a bug or an odd library error): the engine must keep polling."""

    def __init__(self, real) -> None:
        self._real = real
        self.session_calls = 0
        self.metadata_calls = 0

    def __getattr__(self, name):
        return getattr(self._real, name)

    def sessions(self):
        self.session_calls += 1
        if self.session_calls == 1:
            raise RuntimeError("unexpected")
        return self._real.sessions()

    def metadata(self, rating_key):
        self.metadata_calls += 1
        if self.metadata_calls == 1:
            raise RuntimeError("unexpected")
        return self._real.metadata(rating_key)


def test_an_unexpected_error_in_a_server_call_does_not_stop_polling_for_good(world):
    world.start([RATING_PG], config={"sessions_poll_seconds": 0.2, "websocket": False}, wrap_client=_FlakyClient)
    client = world.client
    wait_for(lambda: client.session_calls >= 3, timeout=5)
    # the first metadata look-up fails the same way; the play is still judged once it is known
    world.emulator.play(world.kid, R_MOVIE)
    wait_for(lambda: world.terminations() == 1, timeout=10)


def test_a_failed_database_write_does_not_end_enforcement(world, monkeypatch):
    """`database is locked` (a long `plextray import` holding the write lock past the timeout) on
    one batch of events must not kill the engine thread: the next plays are still enforced."""
    import sqlite3

    from plextray.store.history import HistoryStore

    real = HistoryStore.upsert_sessions
    failures = []

    def locked_once(self, sessions):
        if not failures:
            failures.append([session.key for session in sessions])
            raise sqlite3.OperationalError("database is locked")
        return real(self, sessions)

    monkeypatch.setattr(HistoryStore, "upsert_sessions", locked_once)
    world.start([RATING_PG])
    world.emulator.play(world.kid, "1001")  # an allowed title: its first write fails
    wait_for(lambda: failures)
    world.emulator.play(world.kid, R_MOVIE)
    wait_for(lambda: world.terminations() == 1, timeout=10)
    assert world.engine.running


def test_silent_session_is_closed_during_the_repeated_autumn_hour(tmp_path, plextray_home, monkeypatch):
    """datetime.now() says fold=1 in the second 01:xx of a fall-back night; the engine's expiry
    read it as the first one (an hour earlier), so a play silent for 25 minutes stayed live."""
    import sqlite3

    from plextray.app import build_engine
    from plextray.core.model import WatchSession
    from plextray.paths import AppPaths
    from plextray.store.db import connect
    from plextray.store.history import HistoryStore
    from support.household import RecordingNotifier, emma_profiles, write_profiles

    monkeypatch.setenv("TZ", "America/New_York")
    monkeypatch.delenv("PLEX_URL", raising=False)
    monkeypatch.delenv("PLEX_TOKEN", raising=False)
    write_profiles(plextray_home, emma_profiles([], kid_device="kid"))
    paths = AppPaths(plextray_home)
    last_report = datetime(2026, 11, 1, 1, 20, fold=1)  # 01:20 EST, after the change
    from zoneinfo import ZoneInfo

    end_utc = last_report.replace(tzinfo=ZoneInfo("America/New_York")).timestamp()
    conn = connect(paths.database)
    HistoryStore(conn).upsert_session(WatchSession(
        key="kid@1001@2026-11-01T01:10:00.000", client_id="kid", rating_key="1001",
        start="2026-11-01T01:10:00.000", end="2026-11-01T01:20:00.000", start_utc=end_utc - 600, end_utc=end_utc,
    ))
    conn.close()
    now = datetime(2026, 11, 1, 1, 45, fold=1)  # 25 minutes of silence
    built = build_engine(paths, notifier=RecordingNotifier(), wall_clock=lambda: now, with_mail=False,
                         log_dir=None)
    built.start()
    try:
        def closed() -> bool:
            with sqlite3.connect(paths.database) as db:
                return db.execute("SELECT live FROM sessions").fetchone()[0] == 0

        wait_for(closed, timeout=4)
    finally:
        built.engine.stop()
        built.close()


def test_debug_logging_hint_goes_away_once_the_log_shows_playback_again(world, monkeypatch):
    """The "turn on debug logging" problem stayed in the snapshot (tray) forever, even after
    the user switched debug logging on and the log showed plays again."""
    from dataclasses import replace

    from plextray.app import build_engine
    from plextray.config import load_config
    from plextray.engine import engine as engine_module
    from plextray.paths import AppPaths
    from support.household import emma_profiles, write_profiles

    monkeypatch.setattr(engine_module, "LOG_SILENCE_FOR_DEBUG_HINT", 0.5)
    write_profiles(world.home, emma_profiles([], kid_device=world.kid))
    paths = AppPaths(world.home)
    config = replace(load_config(paths.config), sessions_poll_seconds=0.2)
    world.built = build_engine(paths, notifier=world.notifier, alerter=world.alerter, log_dir=world.logs,
                               wall_clock=world.clock, config=config, with_mail=False)
    world.built.start()
    world.emulator.set_pref("logDebug", False)
    world.emulator.play(world.kid, "1001")

    def hint() -> bool:
        return any("debug logging" in p for p in world.engine.snapshot().problems)

    wait_for(hint, timeout=5)
    world.emulator.set_pref("logDebug", True)
    world.emulator.report(world.kid, position_ms=5000)
    wait_for(lambda: not hint(), timeout=5)


def test_plex_pass_problem_goes_away_when_the_server_has_it_again(tmp_path, plextray_home, monkeypatch):
    """The "needs Plex Pass" problem stayed in the tray after the server (restarted) had Plex
    Pass again, although stopping worked again."""
    from dataclasses import replace

    from support.engine_world import World

    from plextray.app import build_engine
    from plextray.config import load_config
    from plextray.paths import AppPaths
    from support.household import emma_profiles, write_profiles

    w = World(tmp_path, plextray_home, monkeypatch, plex_pass=False)
    try:
        write_profiles(w.home, emma_profiles([RATING_PG], kid_device=w.kid))
        paths = AppPaths(w.home)
        config = replace(load_config(paths.config), sessions_poll_seconds=0.2)
        w.built = build_engine(paths, notifier=w.notifier, alerter=w.alerter, log_dir=w.logs,
                               wall_clock=w.clock, config=config, with_mail=False)
        w.built.start()

        def hint() -> bool:
            return any("Plex Pass" in p for p in w.engine.snapshot().problems)

        wait_for(hint, timeout=5)
        w.emulator.set_fault("down")  # the server restarts, now with Plex Pass
        wait_for(lambda: w.engine.snapshot().state.value == "unreachable", timeout=5)
        w.emulator.plex_pass = True
        w.emulator.set_fault(None)
        wait_for(lambda: not hint(), timeout=5)
        w.emulator.play(w.kid, R_MOVIE)
        wait_for(lambda: w.terminations() == 1, timeout=10)
    finally:
        w.close()


def test_a_play_is_judged_under_its_device_when_its_report_is_read_in_two_parts(world):
    """PMS writes a report line by line, so one read of the log may end after its `Request:` line
    (no device named yet) and before the `Client [...]` line that names it. The stand-in was
    judged at once: the violation was recorded, and the alert worded, as `anon:<ip>/Emma/?` —
    and the CI run on record failed on exactly this. A play first seen as a stand-in is judged
    only after the next read, which names its device."""
    world.start([RATING_PG], config={"poll_seconds": 1.0})  # a wide gap between two reads
    pms_log = world.emulator.log
    write_lines = pms_log.emit

    def emit_in_two_reads(lines):
        if lines and "/:/timeline" in lines[0][2]:
            write_lines(lines[:1])  # the Request line alone …
            wait_for(lambda: world.engine.snapshot().now_playing)  # … read by the engine
            lines = lines[1:]
        write_lines(lines)

    pms_log.emit = emit_in_two_reads
    world.emulator.play(world.kid, R_MOVIE)
    wait_for(lambda: ("stop", "ok") in world.actions())
    (violation,) = world.violations()
    assert violation["client_id"] == world.kid
    wait_for(lambda: world.alerter.sent)
    assert "Emma's iPad" in world.alerter.sent[0][1] and "anon:" not in world.alerter.sent[0][1]
    assert not any("anon:" in text for text in world.notifier.texts())


def test_a_play_whose_log_never_names_its_device_is_still_judged_a_read_later(world):
    """The other side of waiting a read for the device: a report whose lines never name it
    (only its `Request:` line was logged) is judged as the stand-in it is, and stopped."""
    # the server's list of live sessions names the device too: asked once, before the play
    # (without the websocket, which would name the device at once)
    world.start([RATING_PG], config={"sessions_poll_seconds": 3600, "websocket": False}, wrap_client=_CountingClient)
    client = world.client
    wait_for(lambda: client.sessions_answered)
    pms_log = world.emulator.log
    write_lines = pms_log.emit
    pms_log.emit = lambda lines: write_lines(lines[:1] if lines and "/:/timeline" in lines[0][2] else lines)
    world.emulator.play(world.kid, R_MOVIE)
    wait_for(lambda: ("stop", "ok") in world.actions())
    (violation,) = world.violations()
    assert violation["client_id"].startswith("anon:") and violation["person"] == "Emma"
    assert world.terminations() == 1


class _CountingClient:
    """A real PlexClient that counts the answers to sessions()."""

    def __init__(self, real) -> None:
        self._real = real
        self.sessions_answered = 0

    def __getattr__(self, name):
        return getattr(self._real, name)

    def sessions(self):
        answer = self._real.sessions()
        self.sessions_answered += 1
        return answer
