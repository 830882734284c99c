"""Checking one live play against its person's rules, and doing and recording what they ask.

Runs on the engine thread only. The rules (core.rules) say what is broken; the tracker
(core.enforcement) decides what to do about it now without spam; this class fills the rules'
context from the history, hands the actions to the ActionRunner's workers, and writes every
violation and action outcome to the database.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from plextray.core.context import GrantTotals
from plextray.core.action_plan import (
    ALERT,
    NOTIFY,
    STOP,
    EnforcementTracker,
    PlannedAction,
)
from plextray.core.identity import Evidence, Identity, describe, match_session, resolve
from plextray.core.localtime import parse_local
from plextray.core.model import LiveSession, MediaInfo, WatchSession
from plextray.core.offers import more_time, offers_for_violation
from plextray.core.household import UNKNOWN_DEVICES_ID, Person, Profiles
from plextray.core.rules import Violation, evaluate, tonight_end
from plextray.core.sessions import is_stand_in
from plextray.engine import messages as msg
from plextray.engine.actions import ActionRunner
from plextray.engine.context import UsageSource, build_context
from plextray.engine.server_health import retry_delay
from plextray.safe_text import clean
from plextray.store.violations import EnforcementStore

log = logging.getLogger(__name__)

STALE_SECONDS = 120.0  # older reports are history (read on catch-up), not plays to act on
ENDED_KEPT = 64  # server sessions stopped, remembered so that none is stopped twice
PlayId = tuple[str, str]


@dataclass(frozen=True, slots=True)
class Lookups:
    """What the enforcer asks of the engine: profiles, metadata, the server's view."""

    profiles: Callable[[], Profiles]
    media: Callable[[str | None, str], MediaInfo | None]  # may start a fetch; None until known
    live_account: Callable[[str], str | None]  # unused since core.identity; kept for callers
    can_stop: Callable[[], bool]  # False when the server is known to lack Plex Pass
    # the server's sessions list as last read (authenticated evidence, see core.identity)
    live_sessions: Callable[[], Sequence[LiveSession]] = field(default=lambda: ())
    # Plex account name (case-folded) → account id, from the server's accounts list
    account_ids: Callable[[], Mapping[str, str]] = field(default=lambda: {})


class Enforcer:
    def __init__(
        self,
        *,
        usage: UsageSource,
        enforcement: EnforcementStore,
        runner: ActionRunner,
        lookups: Lookups,
        wall_clock: Callable[[], datetime],
        monotonic: Callable[[], float],
        grace_seconds: float = 0.0,
        new_play_after: float = 600.0,
    ) -> None:
        self._usage = usage
        self._store = enforcement
        self._runner = runner
        self._lookups = lookups
        self._now = wall_clock
        self._mono = monotonic
        self.tracker = EnforcementTracker(grace_seconds=grace_seconds)
        self._stopped_at: dict[PlayId, str] = {}  # play -> local ISO time its stop was confirmed
        self._violation_ids: dict[tuple[PlayId, str], int] = {}
        self._warned: set[tuple[str, str, int, str]] = set()
        # a play's memory (alerted, stopped) lasts while it goes on; the same device and item
        # back after more than `new_play_after` seconds of silence is a new session, judged anew
        self._new_play_after = new_play_after
        self._last_heard: dict[PlayId, float] = {}
        # a stop in flight is never doubled (a slow server must not lead a second stop to find
        # another play); one that found no matching session waits for the next live update
        self._stop_busy: set[PlayId] = set()
        self._stop_waiting: set[PlayId] = set()
        self._identity: dict[PlayId, Identity] = {}
        # the watch session each play was last judged in: a new one (Plex started a new session
        # of the same device and item after a stop) is a new play, recorded and stopped again
        self._session_of: dict[PlayId, str] = {}
        self._stop_failures: dict[PlayId, int] = {}  # failed stop tries in a row (server trouble)
        # server session ids this process stopped (the newest few): a server may list an ended
        # session a moment longer, and a stop must never end the same session twice
        self._ended: dict[str, None] = {}
        # a stand-in's watch session handed over while its stop was in flight -> the named play
        # and its watch session: the stop's answer still names the stand-in's
        self._heirs: dict[str, tuple[PlayId, str]] = {}
        self.last_violation = ""
        self.last_violation_at: float | None = None

    # ---------------------------------------------------------------- checking

    def check(self, session: WatchSession) -> bool:
        """Check one live play now; True when a new violation was recorded."""
        if not session.live or session.state == "stopped" or self._stale(session):
            return False
        profiles = self._lookups.profiles()
        identity = self.identify(session, profiles)
        if not identity.actionable:
            return False  # nothing Plex authenticated says who this is: wait for the server's list
        play = (session.client_id, session.rating_key or "")
        self._identity[play] = identity
        session = replace(session, account=identity.account)
        media = self._lookups.media(session.rating_key, session.key)
        people: Sequence[Person | None] = identity.people or (None,)
        violations: list[Violation] = []
        for person in people:
            context = build_context(
                now=self._now(),
                session=session,
                person=person,
                media=media,
                usage=self._usage,
                grants=self._store.grants_for(person.name, self._now().date()) if person else GrantTotals(),
            )
            evaluation = evaluate(person, context, unknown_devices=profiles.unknown_devices)
            several = len(people) > 1  # restriction ids are per person: keep them apart
            violations.extend(replace(v, restriction_id=f"{v.person}/{v.restriction_id}") if several else v
                              for v in evaluation.violations)
            for warning in evaluation.warnings:
                key = (warning.person, warning.restriction_id, warning.level, context.now.date().isoformat())
                if key not in self._warned:
                    self._warned.add(key)
                    self._runner.notify(play, None, "plextray", warning.message, kind="warn",
                                        offers=more_time(warning.person) if warning.unit == "minutes" else ())
        self._renew(play, session)
        playing = session.state in ("playing", "buffering") and play not in self._stopped_at
        playing = playing and play not in self._stop_busy and play not in self._stop_waiting
        device_wide = [v for v in violations if v.restriction_id == UNKNOWN_DEVICES_ID]
        per_play = [v for v in violations if v.restriction_id != UNKNOWN_DEVICES_ID]
        new = self._act(play, session, per_play, playing, profiles)
        if device_wide and not is_stand_in(session.client_id):
            # "linked to nobody" is said once per device, not once per title — and not for a
            # stand-in, which is no device yet: the next line of the report names it
            new |= self._act((session.client_id, ""), session, device_wide, False, profiles)
        return new

    def identify(self, session: WatchSession, profiles: Profiles) -> Identity:
        """Who this play is, from the server's own session for it (when listed), the account
        the log says Plex signed in, and the client id, in that order of trust."""
        ids = self._lookups.account_ids()
        server = match_session(self._lookups.live_sessions(), session.client_id, session.rating_key,
                               account=session.account, ip=session.ip)
        if server is None and session.account is not None:
            # the log's account may be a stale name: the server's session for this player and
            # item still confirms (and, ranking higher, names) who it is
            server = match_session(self._lookups.live_sessions(), session.client_id, session.rating_key)
        return resolve(profiles, Evidence(session.client_id, session.account, server), ids)

    def live_update(self) -> None:
        """The server's sessions list was read again: stops that found no matching session may
        find it now (a play is listed a moment after its first report)."""
        for play in self._stop_waiting:
            self.tracker.stop_failed(play)
        self._stop_waiting.clear()

    def _renew(self, play: PlayId, session: WatchSession) -> None:
        """Forget what was done for an earlier session of this play (same device and item,
        ended more than `new_play_after` seconds before this one started). A new session soon
        after is judged again too (its violation recorded against it, and stopped), but the
        parent is not notified or alerted again for the same restriction."""
        last = self._last_heard.get(play)
        previous = self._session_of.get(play)
        if last is not None and session.start_utc - last > self._new_play_after:
            self.tracker.forget([play])
            self._stopped_at.pop(play, None)
            for key in [k for k in self._violation_ids if k[0] == play]:
                del self._violation_ids[key]
        elif previous is not None and previous != session.key:
            self.tracker.stop_failed(play)  # a stop is due at once for the new session
            self._stopped_at.pop(play, None)
            for key in [k for k in self._violation_ids if k[0] == play]:
                del self._violation_ids[key]
        self._session_of[play] = session.key
        self._last_heard[play] = session.end_utc

    def prune(self, now_utc: float, *, keep: float = 86_400.0) -> int:
        """Forget plays not heard of for `keep` seconds and warnings of earlier days, so a
        process that runs for months keeps its memory flat. Returns how many plays went."""
        old = [play for play, heard in self._last_heard.items() if now_utc - heard > keep]
        self.tracker.forget(old)
        for play in old:
            del self._last_heard[play]
            self._stopped_at.pop(play, None)
            self._identity.pop(play, None)
            self._stop_waiting.discard(play)
            self._session_of.pop(play, None)
        gone = set(old)
        for key in [k for k in self._violation_ids if k[0] in gone]:
            del self._violation_ids[key]
        today = self._now().date().isoformat()
        self._warned = {w for w in self._warned if w[3] >= today}
        return len(old)

    def _act(self, play: PlayId, session: WatchSession, violations: list[Violation], playing: bool, profiles: Profiles) -> bool:
        decision = self.tracker.decide(play, violations, self._mono(), playing=playing)
        recorded = False
        for violation in violations:  # once per watch session (a restart is a session of its own)
            if (play, violation.restriction_id) in self._violation_ids:
                continue
            self._violation_ids[(play, violation.restriction_id)] = self._record_violation(session, violation, play)
            self.last_violation = violation.reason
            self.last_violation_at = self._mono()
            recorded = True
        for action in decision.actions:
            self._perform(action, self._violation_ids.get((play, action.restriction_id)), session, profiles)
        return recorded

    def _perform(self, action: PlannedAction, vid: int | None, session: WatchSession, profiles: Profiles) -> None:
        identity = self._identity.get(action.play) or self._identity.get((session.client_id, session.rating_key or ""))
        # the device name is the client's choice: cleaned and cut here, where the alert text is made
        device = clean(session.device or session.product or session.client_id)
        where = describe(identity, device) if identity is not None else device
        text = clean(f"{action.reason} · on {where}", None)
        # an id made per person when several people's rules apply ("Emma/restrictions[1]") names its rule
        rule_id = action.restriction_id.removeprefix(f"{action.person}/")
        offers = offers_for_violation(profiles, action.person, rule_id, session.client_id)
        if action.kind == NOTIFY:
            self._runner.notify(action.play, vid, "plextray", text, offers=offers)
        elif action.kind == ALERT:
            self._runner.alert(action.play, vid, "plextray alert", text)
        elif action.kind == "warn":
            grace = profiles.settings.grace_seconds
            self._runner.notify(action.play, vid, "plextray", f"{text} · stopping in {grace} s", kind="warn",
                                offers=offers)
        elif action.kind == STOP:
            if not self._lookups.can_stop():
                self._record_action(vid, STOP, "skipped", "no Plex Pass: notified and alerted instead")
                self._runner.notify(action.play, vid, "plextray", f"{text} · could not stop (no Plex Pass)",
                                    offers=offers)
                self._runner.alert(action.play, vid, "plextray alert", f"{text} · could not stop (no Plex Pass)")
                return
            self._stop_busy.add(action.play)
            self._runner.stop(
                action.play, vid, profiles.settings.stop_message,
                account=identity.account if identity else session.account,
                account_id=identity.account_id if identity else None,
                ip=session.ip,
                session_key=session.key,
                ended=frozenset(self._ended),
            )

    def _stale(self, session: WatchSession) -> bool:
        """A play last heard of long ago (old lines read on catch-up after a restart) is history."""
        return (self._now() - parse_local(session.end)).total_seconds() > STALE_SECONDS

    # ---------------------------------------------------------------- what happened

    def on_action_result(self, result: msg.ActionResult) -> None:
        self._record_action(result.violation_id, result.kind, result.outcome or ("ok" if result.ok else "failed"), result.detail)
        if result.kind != STOP:
            return
        play, asked_for = self._heirs.pop(result.session_key or "", (result.play, result.session_key))
        self._stop_busy.discard(play)
        if result.stopped_session:
            self._ended[result.stopped_session] = None
            while len(self._ended) > ENDED_KEPT:
                del self._ended[next(iter(self._ended))]
        if result.no_match:  # not a failure of the server: the count of failed tries goes on
            log.info("stop of %s: %s; trying again on the next live update", play, result.detail)
            self._stop_waiting.add(play)
            self.tracker.stop_failed(play)
        elif result.ok:
            failures = self._stop_failures.pop(play, 0)
            log.info("stopped %s: %s%s", play, result.detail, f" (after {failures + 1} tries)" if failures else "")
            if asked_for is not None and self._session_of.get(play, asked_for) != asked_for:
                # the child pressed play again while the stop was on its way: that new session
                # is a play of its own, not stopped yet (a stop due at once; never the ended one)
                log.info("a new session of %s started while it was being stopped: stopping that too", play)
                self.tracker.stop_failed(play)
            else:
                self._stopped_at[play] = self._now().isoformat(timespec="milliseconds")
        elif result.retry:
            failures = self._stop_failures.get(play, 0) + 1
            self._stop_failures[play] = failures
            delay = retry_delay(failures)
            # said once; the retries (2, 4, 8 … 60 s apart) only when they end
            log.log(logging.WARNING if failures == 1 else logging.DEBUG,
                    "stop failed, will retry in %.0f s: %s", delay, result.detail)
            self.tracker.stop_failed(play, retry_at=self._mono() + delay)

    def playing_again(self, session: WatchSession) -> None:
        """The log says a play we stopped is playing again: stop it again at once."""
        play = (session.client_id, session.rating_key or "")
        stopped = self._stopped_at.get(play)
        # a report written before the stop (read late, or said first by the websocket) is not
        # the child pressing play again
        if stopped is not None and session.end > stopped:
            del self._stopped_at[play]
            self.tracker.stop_failed(play)

    def hand_over(self, old: WatchSession, heir: WatchSession) -> None:
        """A stand-in session (the first line of a report named no device) turned out to be
        `heir`: carry over what was done, so nothing is done twice."""
        pairs = [((old.client_id, old.rating_key or ""), (heir.client_id, heir.rating_key or ""))]
        if old.rating_key:  # and the device-wide memory ("linked to nobody", said once per device)
            pairs.append(((old.client_id, ""), (heir.client_id, "")))
        stopping = pairs[0][0] in self._stop_busy  # a stop in flight for the stand-in's play
        for old_play, new_play in pairs:
            self.tracker.rename(old_play, new_play)
            for (play, rid), vid in list(self._violation_ids.items()):
                if play == old_play:
                    if (new_play, rid) not in self._violation_ids:
                        self._violation_ids[(new_play, rid)] = vid
                        self._store.reassign_violation(vid, client_id=heir.client_id, session_key=heir.key)
            if old_play in self._stopped_at:
                self._stopped_at[new_play] = self._stopped_at.pop(old_play)
            for pending in (self._stop_busy, self._stop_waiting):
                if old_play in pending:  # a stop in flight under the stand-in still counts
                    pending.discard(old_play)
                    pending.add(new_play)
            if old_play in self._last_heard:  # else the heir's next play looks like its continuation
                heard = self._last_heard.pop(old_play)
                self._last_heard[new_play] = max(heard, self._last_heard.get(new_play, heard))
            if self._session_of.pop(old_play, None) is not None or new_play == old_play:
                self._session_of[new_play] = heir.key
        if stopping:  # its answer will name the stand-in
            self._heirs[old.key] = (pairs[0][1], heir.key)

    def grant(self, grant: msg.Grant) -> bool:
        """Extra minutes for today and/or time windows lifted until HH:MM ("tonight": until the
        night's windows end, as `plextray grant --no-bedtime-tonight` does). False if unknown."""
        now = self._now()
        person = self._lookups.profiles().person_named(grant.person)
        if person is None:
            log.warning("grant for unknown person %r ignored", grant.person)
            return False
        lift_until = None
        if grant.lift_window_until == "tonight":
            lift_until = tonight_end(person, now)
        elif grant.lift_window_until:
            hour, minute = (int(part) for part in grant.lift_window_until.split(":"))
            lift_until = now.replace(hour=hour, minute=minute, second=0, microsecond=0)
            if lift_until <= now:
                lift_until += timedelta(days=1)
        self._store.add_grant(person.name, now.date(), minutes=grant.minutes, lift_until=lift_until, created=now)
        log.info("grant for %s: +%d min, windows lifted until %s", person.name, grant.minutes, lift_until)
        return True

    def _record_violation(self, session: WatchSession, violation: Violation, play: PlayId | None = None) -> int:
        identity = self._identity.get(play) if play is not None else None
        device = session.device or session.product or session.client_id
        if identity is not None and describe(identity, device) != device:
            # the report and history say which signal identified the person (not the account alone)
            how = clean(describe(identity, device), None)
            violation = replace(violation, reason=f"{violation.reason} · on {how}")
        return self._store.record_violation(
            violation,
            time=self._now(),
            time_utc=time.time(),
            client_id=session.client_id,
            session_key=session.key,
            rating_key=session.rating_key,
        )

    def _record_action(self, violation_id: int | None, action: str, outcome: str, detail: str) -> None:
        if violation_id is not None:
            self._store.record_action(violation_id, action, outcome, detail, time=self._now())
