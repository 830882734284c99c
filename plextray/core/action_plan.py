"""Turning rule verdicts into actions, once: the memory that stops alert spam but keeps enforcing.

The rules say *what* is broken at one moment; this tracker decides *what to do about it now*,
given what was already done for the same play:

- `notify` and `alert` go out once per play and broken restriction ("one alert per session per
  broken restriction"), however many updates the play sends.
- `stop` is asked for as soon as a restriction with `stop` is broken (after `grace_seconds`
  of warning when set), and asked for again while the play keeps reporting that it is playing
  (the child pressed play again, or the first stop failed): a rule that keeps being broken keeps
  being enforced, at most once every `restop_seconds`.
- A play is identified by the device and the item (client_id, rating_key): seeking or pausing
  never make a new play, so they never re-alert; switching to another title is another play and
  is judged on its own. A stopped play that is started again is the same play for alerts (no
  spam) but is stopped again.

Pure: time is a monotonic `now` passed in by the engine.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Generic, Protocol, TypeVar

NOTIFY = "notify"
ALERT = "alert"
STOP = "stop"
ACTIONS = (NOTIFY, ALERT, STOP)


class ViolationLike(Protocol):
    """What the tracker needs of a rule violation (core.rules.Violation has it)."""

    @property
    def person(self) -> str | None: ...

    @property
    def restriction_id(self) -> str: ...

    @property
    def reason(self) -> str: ...

    @property
    def actions(self) -> tuple[str, ...]: ...


V = TypeVar("V", bound=ViolationLike)


PlayId = tuple[str, str]  # (client_id, rating_key)


@dataclass(frozen=True, slots=True)
class PlannedAction:
    """One thing the engine should do now, with everything needed to do and record it."""

    kind: str  # notify | alert | stop | warn (a grace-period warning before a stop)
    play: PlayId
    person: str | None
    restriction_id: str
    reason: str


@dataclass(frozen=True, slots=True)
class Decision(Generic[V]):
    """What is newly broken (to record once) and what to do now."""

    new_violations: tuple[V, ...] = ()
    actions: tuple[PlannedAction, ...] = ()


@dataclass(slots=True)
class _PlayMemory:
    acted: set[str] = field(default_factory=set)  # restriction ids already notified/alerted
    broken_since: dict[str, float] = field(default_factory=dict)  # restriction id -> first seen
    last_stop: float | None = None
    stops: int = 0
    warned: set[str] = field(default_factory=set)


class EnforcementTracker:
    """Remembers, per play, which restrictions were acted on and when the last stop was asked."""

    def __init__(self, *, grace_seconds: float = 0.0, restop_seconds: float = 5.0) -> None:
        self.grace_seconds = grace_seconds
        self.restop_seconds = restop_seconds
        self._plays: dict[PlayId, _PlayMemory] = {}

    def decide(self, play: PlayId, violations: Sequence[V], now: float, *, playing: bool = True) -> Decision[V]:
        """What to record and do now for this play, given what the rules found broken."""
        if not violations:
            return Decision()
        memory = self._plays.setdefault(play, _PlayMemory())
        new: list[V] = []
        planned: list[PlannedAction] = []
        wants_stop: V | None = None
        for violation in violations:
            rid = violation.restriction_id
            since = memory.broken_since.setdefault(rid, now)
            if rid not in memory.acted:
                memory.acted.add(rid)
                new.append(violation)
                planned.extend(_plan(kind, play, violation) for kind in (NOTIFY, ALERT) if kind in violation.actions)
            if STOP in violation.actions and wants_stop is None:
                if self.grace_seconds > 0 and now - since < self.grace_seconds:
                    if rid not in memory.warned:
                        memory.warned.add(rid)
                        planned.append(_plan("warn", play, violation))
                    continue
                wants_stop = violation
        if wants_stop is not None and playing and self._stop_due(memory, now):
            memory.last_stop = now
            memory.stops += 1
            planned.append(_plan(STOP, play, wants_stop))
        return Decision(tuple(new), tuple(planned))

    def stop_failed(self, play: PlayId, *, retry_at: float | None = None) -> None:
        """Let a check ask for the stop again: at once (the play was started again after a
        confirmed stop), or from `retry_at` on (the server failed: retried on a schedule)."""
        memory = self._plays.get(play)
        if memory is not None:
            memory.last_stop = None if retry_at is None else retry_at - self.restop_seconds

    def stops(self, play: PlayId) -> int:
        memory = self._plays.get(play)
        return memory.stops if memory else 0

    def rename(self, old: PlayId, new: PlayId) -> None:
        """The play first known under a stand-in identity turned out to be `new` (the log named
        the device a line later): carry over what was done, so nothing is done twice."""
        memory = self._plays.pop(old, None)
        if memory is None:
            return
        target = self._plays.get(new)
        if target is None:
            self._plays[new] = memory
            return
        target.acted |= memory.acted
        target.warned |= memory.warned
        for rid, since in memory.broken_since.items():
            target.broken_since[rid] = min(since, target.broken_since.get(rid, since))
        target.stops += memory.stops
        if memory.last_stop is not None:
            target.last_stop = max(memory.last_stop, target.last_stop or memory.last_stop)

    def forget(self, plays: Iterable[PlayId]) -> None:
        """Drop memory of plays that ended long ago (the engine calls this on expiry)."""
        for play in plays:
            self._plays.pop(play, None)

    def tracked(self) -> list[PlayId]:
        return list(self._plays)

    def _stop_due(self, memory: _PlayMemory, now: float) -> bool:
        return memory.last_stop is None or now - memory.last_stop >= self.restop_seconds


def _plan(kind: str, play: PlayId, violation: ViolationLike) -> PlannedAction:
    return PlannedAction(kind, play, violation.person, violation.restriction_id, violation.reason)
