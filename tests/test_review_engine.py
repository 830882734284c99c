"""Review findings in the engine: each test failed before its fix."""

from __future__ import annotations

from datetime import datetime

from test_engine_e2e import R_MOVIE, RATING_PG, world  # noqa: F401  (fixture)
from support.household import wait_for


def test_same_title_on_another_day_is_a_new_session_recorded_and_alerted_again(world):
    """The tracker's per-play memory ("already alerted") must not outlive the session: the same
    child playing the same forbidden title the next day is a new violation, recorded and alerted."""
    world.start([RATING_PG])
    world.emulator.play(world.kid, R_MOVIE)
    wait_for(lambda: world.terminations() == 1)
    wait_for(lambda: len(world.alerter.sent) == 1)
    world.clock.set(datetime(2026, 11, 24, 16, 0, 0))  # Tuesday, same time
    world.emulator.play(world.kid, R_MOVIE)
    wait_for(lambda: world.terminations() == 2, timeout=15)
    wait_for(lambda: len(world.violations()) == 2, timeout=5)
    wait_for(lambda: len(world.alerter.sent) == 2, timeout=5)
    assert [v["session_key"] for v in world.violations()][0] != world.violations()[1]["session_key"]
