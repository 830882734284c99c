"""Plex's notification websocket as the live source: with debug logging off (Plex's log then holds
no playback lines at all), plays are seen, judged and stopped through the websocket; a restart is
a new play; a lost socket falls back to polling and comes back; a play seen by the log and the
websocket together is one history row."""

from __future__ import annotations

import time

from support.household import wait_for
from support.engine_world import G_MOVIE, R_MOVIE, RATING_PG, world  # noqa: F401  (fixture)


def _sessions(world, client_id: str) -> list:
    with world.db() as conn:
        return conn.execute("SELECT * FROM sessions WHERE client_id = ? ORDER BY start", (client_id,)).fetchall()


def _log_has_no_playback(world) -> bool:
    text = "".join(p.read_text(errors="replace") for p in world.logs.glob("*.log"))
    return "/:/timeline" not in text


def test_a_restricted_play_is_stopped_through_the_websocket_with_debug_logging_off(world):
    world.emulator.set_pref("logDebug", False)
    world.start([RATING_PG])
    wait_for(lambda: world.engine.snapshot().live_source == "websocket")
    world.emulator.play(world.kid, R_MOVIE)
    call = wait_for(lambda: world.emulator.terminate_calls and world.emulator.terminate_calls[0])
    assert call.reason == "Time's up! Ask a parent."
    wait_for(lambda: ("stop", "ok") in world.actions())
    (violation,) = world.violations()
    assert violation["client_id"] == world.kid and violation["person"] == "Emma"
    wait_for(lambda: world.alerter.sent)
    assert "Emma's iPad" in world.alerter.sent[0][1]
    assert _log_has_no_playback(world)  # the log never said a word about it
    wait_for(lambda: world.engine.snapshot().debug_logging is False)


def test_the_same_film_restarted_five_times_is_stopped_every_time(world):
    world.emulator.set_pref("logDebug", False)
    world.start([RATING_PG])
    wait_for(lambda: world.engine.snapshot().live_source == "websocket")
    for attempt in range(1, 7):
        world.emulator.play(world.kid, R_MOVIE)
        wait_for(lambda: world.terminations() == attempt, timeout=10)
        # the kicked app says `stopped` (through the websocket) before the child presses play again
        wait_for(lambda: not world.engine.snapshot().now_playing)
    assert [c.status for c in world.emulator.terminate_calls] == [200] * 6
    sessions = _sessions(world, world.kid)
    assert len(sessions) == 6 and not any(s["live"] for s in sessions)
    violations = world.violations()
    assert len(violations) == 6
    assert {v["session_key"] for v in violations} == {s["key"] for s in sessions}
    wait_for(lambda: world.actions().count(("stop", "ok")) == 6)
    assert len(world.alerter.sent) == 1  # one alert for the film, not one per attempt
    assert _log_has_no_playback(world)
    # and the day's report shows all six as stopped
    from plextray.reports.queries import day_report, load_people

    with world.db() as conn:
        report = day_report(conn, world.clock().date(), load_people(world.home / "profiles.json"))
    entries = [e for e in report.person("Emma").entries if e.rating_key == R_MOVIE]
    assert len(entries) == 6 and all(e.stopped for e in entries)


def test_a_lost_websocket_falls_back_to_polling_and_comes_back_without_acting_twice(world):
    world.emulator.set_pref("logDebug", False)
    world.start([RATING_PG], config={"sessions_poll_seconds": 0.5})
    wait_for(lambda: world.engine.snapshot().live_source == "websocket")
    world.emulator.play(world.kid, G_MOVIE)  # an allowed film, going on while the socket is lost
    wait_for(lambda: world.engine.snapshot().now_playing)
    hub = world.emulator.notifications
    hub.accepting = False
    assert hub.hang_up() == 1
    wait_for(lambda: world.engine.snapshot().live_source == "polling")
    assert any("notifications" in p for p in world.engine.snapshot().problems)  # said, not silent
    world.emulator.play(world.kid, R_MOVIE)  # the child switches to a forbidden film meanwhile
    wait_for(lambda: world.terminations() == 1, timeout=10)
    hub.accepting = True
    wait_for(lambda: world.engine.snapshot().live_source == "websocket", timeout=15)
    assert not any("notifications" in p for p in world.engine.snapshot().problems)
    time.sleep(1.5)  # the socket's catch-up and a few ticks: nothing is done twice
    assert world.terminations() == 1
    assert len(world.violations()) == 1
    sessions = _sessions(world, world.kid)
    assert [s["rating_key"] for s in sessions] == [G_MOVIE, R_MOVIE]  # one row per play, none doubled
    wait_for(lambda: not any(s["live"] for s in _sessions(world, world.kid)))  # both ended in history


def test_a_play_seen_by_the_log_and_the_websocket_is_one_history_row_and_one_violation(world):
    world.start([RATING_PG])  # debug logging on: both sources report the play
    wait_for(lambda: world.engine.snapshot().live_source == "websocket")
    world.emulator.play(world.kid, R_MOVIE)
    wait_for(lambda: world.terminations() == 1)
    wait_for(lambda: not world.engine.snapshot().now_playing)
    time.sleep(1.0)  # the log's lines of the play are read after the websocket said it all
    assert not _log_has_no_playback(world)
    (session,) = _sessions(world, world.kid)
    assert session["live"] == 0 and session["rating_key"] == R_MOVIE
    (violation,) = world.violations()
    assert violation["session_key"] == session["key"]
    assert world.terminations() == 1
    assert world.engine.snapshot().debug_logging is True


def test_debug_logging_switched_off_while_running_the_next_play_is_still_stopped(world):
    world.start([RATING_PG])
    wait_for(lambda: world.engine.snapshot().live_source == "websocket")
    world.emulator.play(world.kid, G_MOVIE)  # the log shows it: debug logging is on
    wait_for(lambda: world.engine.snapshot().debug_logging is True)
    world.emulator.stop_play(world.kid)
    world.emulator.set_pref("logDebug", False)  # a parent (or Plex's update) switches it off
    world.emulator.play(world.kid, R_MOVIE)
    wait_for(lambda: world.terminations() == 1, timeout=5)
    assert world.engine.snapshot().debug_logging is False
