"""The tracker: one alert per play and restriction, stops repeated while the play goes on."""

from __future__ import annotations

from dataclasses import dataclass

from plextray.core.action_plan import EnforcementTracker


@dataclass(frozen=True)
class V:
    person: str = "Emma"
    restriction_id: str = "restrictions[2]"
    kind: str = "rating"
    reason: str = "rating R > PG"
    actions: tuple[str, ...] = ("notify", "alert", "stop")


PLAY = ("ipad", "42")


def kinds(decision):
    return [a.kind for a in decision.actions]


def test_first_break_notifies_alerts_and_stops():
    tracker = EnforcementTracker()
    decision = tracker.decide(PLAY, [V()], now=0.0)
    assert kinds(decision) == ["notify", "alert", "stop"]
    assert [v.restriction_id for v in decision.new_violations] == ["restrictions[2]"]


def test_updates_of_the_same_play_do_not_re_alert_but_stop_again_while_playing():
    tracker = EnforcementTracker(restop_seconds=5)
    tracker.decide(PLAY, [V()], now=0.0)
    assert kinds(tracker.decide(PLAY, [V()], now=1.0)) == []  # too soon for another stop
    again = tracker.decide(PLAY, [V()], now=6.0)
    assert kinds(again) == ["stop"] and again.new_violations == ()
    assert tracker.stops(PLAY) == 2


def test_paused_play_is_not_stopped_again():
    tracker = EnforcementTracker(restop_seconds=0)
    tracker.decide(PLAY, [V()], now=0.0)
    assert kinds(tracker.decide(PLAY, [V()], now=10.0, playing=False)) == []


def test_failed_stop_is_retried_at_once():
    tracker = EnforcementTracker(restop_seconds=60)
    tracker.decide(PLAY, [V()], now=0.0)
    tracker.stop_failed(PLAY)
    assert kinds(tracker.decide(PLAY, [V()], now=0.5)) == ["stop"]


def test_a_newly_broken_restriction_mid_play_is_acted_on():
    tracker = EnforcementTracker()
    tracker.decide(PLAY, [V(actions=("notify",))], now=0.0)
    quota = V(restriction_id="restrictions[3]", kind="quota", reason="120 min/day used", actions=("notify", "stop"))
    decision = tracker.decide(PLAY, [V(actions=("notify",)), quota], now=30.0)
    assert kinds(decision) == ["notify", "stop"]
    assert [v.restriction_id for v in decision.new_violations] == ["restrictions[3]"]


def test_grace_period_warns_first_then_stops():
    tracker = EnforcementTracker(grace_seconds=10)
    assert kinds(tracker.decide(PLAY, [V()], now=0.0)) == ["notify", "alert", "warn"]
    assert kinds(tracker.decide(PLAY, [V()], now=5.0)) == []
    assert kinds(tracker.decide(PLAY, [V()], now=10.0)) == ["stop"]


def test_other_plays_are_independent_and_stop_only_rule_is_still_recorded():
    tracker = EnforcementTracker()
    only_stop = V(restriction_id="restrictions[5]", kind="library", actions=("stop",))
    decision = tracker.decide(("tv", "7"), [only_stop], now=0.0)
    assert kinds(decision) == ["stop"] and len(decision.new_violations) == 1
    assert kinds(tracker.decide(PLAY, [V()], now=0.0)) == ["notify", "alert", "stop"]


def test_no_violation_no_action():
    assert EnforcementTracker().decide(PLAY, [], now=0.0).actions == ()


def test_enforcer_forgets_plays_not_heard_of_for_a_day():
    from datetime import datetime

    from plextray.engine.enforcer import Enforcer, Lookups

    enforcer = Enforcer(
        usage=None, enforcement=None, runner=None,  # prune touches neither
        lookups=Lookups(profiles=None, media=None, live_account=None, can_stop=None),
        wall_clock=lambda: datetime(2026, 11, 25, 12, 0), monotonic=lambda: 0.0,
    )
    enforcer.tracker.decide(PLAY, [V()], now=0.0)
    enforcer._last_heard[PLAY] = 1_000.0
    enforcer._last_heard[("tv", "7")] = 90_000.0
    enforcer._warned = {("Emma", "restrictions[3]", 80, "2026-11-24"), ("Emma", "restrictions[3]", 80, "2026-11-25")}
    assert enforcer.prune(now_utc=95_000.0) == 1
    assert PLAY not in enforcer.tracker.tracked()
    assert list(enforcer._last_heard) == [("tv", "7")]
    assert enforcer._warned == {("Emma", "restrictions[3]", 80, "2026-11-25")}
