"""When the engine's loop wakes by itself; everything else wakes it through its queue.

An idle engine should cost close to nothing, so it sleeps until told: the log watch says Plex
wrote, a click or a server answer or a live feed posts a message. Its own timers are few: the
next server poll, the once-a-second re-check of a live play's rules, and with no play a slow
round (expiry, pruning, a hand-edited profiles.json). The log is also read now and then while
watched, so a lost file-change event costs a delay, never a line.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

TICK_SECONDS = 1.0  # re-check live plays (windows opening, quotas running out mid-play)
IDLE_TICK_SECONDS = 5.0  # with no live play: expire, prune, notice a hand-edited profiles.json
WATCHED_LOG_POLL = 15.0  # a look at the log even while watched: a lost event costs a delay, not a line
MIN_READ_GAP = 0.02  # Plex writing a burst of lines is read in a few reads, not one per write


class LogWatcher(Protocol):
    """Tells the engine when Plex's log changes (plextray.logs.watch.LogWatch)."""

    def start(self, changed: Callable[[], None]) -> bool: ...

    def taken(self) -> None: ...

    def stop(self) -> None: ...


def log_poll_interval(*, watching: bool, waiting_for_names: bool, logs_error: bool, poll_seconds: float) -> float:
    """Seconds until the next unprompted read of the log. Watched, it is WATCHED_LOG_POLL; the
    configured poll when not watched, when a stand-in play waits for the line naming its device,
    or when the folder could not be read (its watch may have gone with it)."""
    if watching and not waiting_for_names and not logs_error:
        return WATCHED_LOG_POLL
    return poll_seconds


def tick_interval(*, live_plays: bool) -> float:
    return TICK_SECONDS if live_plays else IDLE_TICK_SECONDS
