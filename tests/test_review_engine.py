"""Review findings in the engine: each test failed before its fix."""

from __future__ import annotations

from datetime import datetime

from support.engine_world import R_MOVIE, RATING_PG, world  # noqa: F401  (fixture)
from support.household import wait_for


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
