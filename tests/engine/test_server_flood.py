"""A failing server is one problem, not a flood: an outage or a refused token is logged once, the
failed stop is said once and retried on a doubling schedule (not every tick), and the recovery is
logged with the count."""

from __future__ import annotations

import logging
import time

from support.household import wait_for
from support.engine_world import KIDS_EPISODE, world  # noqa: F401  (fixture)

from plextray.engine.server_health import retry_delay

BEDTIME_NOW = {"type": "time", "days": "everyday", "from": "15:00", "to": "18:00", "actions": ["stop"]}


def _warnings(caplog, text: str) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING and r.getMessage().startswith(text)]


def test_a_refused_token_is_said_once_and_the_stop_retried_on_a_schedule(world, caplog):
    caplog.set_level(logging.DEBUG, logger="plextray")
    world.start([BEDTIME_NOW], config={"sessions_poll_seconds": 0.2})
    wait_for(lambda: world.engine.snapshot().state.value == "monitoring")
    world.emulator.set_fault("unauthorized")
    world.emulator.play(world.kid, KIDS_EPISODE)  # the log shows it; every request to Plex is refused
    wait_for(lambda: ("stop", "failed") in world.actions())
    time.sleep(5)  # a 0.2 s poll and a 1 s tick: a flood of failures if each were said or retried
    tries = world.actions().count(("stop", "failed"))
    assert 2 <= tries <= 4  # at 0, 2, 2+4 s: not once per tick
    assert len(_warnings(caplog, "stop failed")) == 1
    assert len(_warnings(caplog, "Plex server")) == 1  # polls every 0.2 s, all refused: said once
    assert len([r for r in caplog.records if r.levelno >= logging.WARNING]) <= 4  # no flood of anything
    world.emulator.set_fault(None)
    wait_for(lambda: world.terminations() == 1, timeout=20)
    wait_for(lambda: any("reachable again" in r.getMessage() for r in caplog.records))
    # the emulator counts the terminate before the engine reads the answer: wait for its log line
    wait_for(lambda: any("tries" in r.getMessage() for r in caplog.records if "stopped" in r.getMessage()))


def test_the_retry_schedule_doubles_up_to_a_minute():
    assert [retry_delay(n) for n in range(1, 8)] == [2, 4, 8, 16, 32, 60, 60]
