"""Plex's own view of live plays (notifications + /status/sessions) turned into playback events.

Why a separate source: Plex writes playback lines to its log only with debug logging on, and most
servers run with it off. The server itself always knows its sessions: its notification websocket
says `playing` (sessionKey, clientIdentifier, ratingKey, viewOffset, state) on every change, and
`/status/sessions` says who each session is (account, player, session id).

A play is a Plex session: a new session key of the same device and item (the child pressed play
again after a stop) ends the previous session and starts a new one, so it is judged again.
Identity comes only from the session list: a notice for a session not known yet waits for it
(the caller fetches the list), so a play is never judged under half an identity.

Pure: times are passed in (ISO local, as the log writes them); nothing here reads a clock.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from plextray.core.model import (
    ClientIdentity,
    LiveSession,
    PlaybackEvent,
    PlayState,
    play_state,
)


@dataclass(frozen=True, slots=True)
class PlayNotice:
    """One `PlaySessionStateNotification` of a `playing` notification."""

    session_key: str
    client_id: str
    rating_key: str | None
    view_offset_ms: int | None
    state: str  # playing | paused | buffering | stopped


@dataclass(slots=True)
class _Known:
    session: LiveSession | None  # None until the session list has named it
    client_id: str
    rating_key: str | None
    state: PlayState
    view_offset_ms: int | None
    since: int  # the feed's generation when first heard of
    heard: str | None = None  # when first heard of: its first event's time, even if named later
    announced: bool = False  # an event was emitted for it (so its end must be said too)


@dataclass(slots=True)
class LiveFeed:
    """Plex sessions by session key, and the events their changes make. One thread only."""

    _known: dict[str, _Known] = field(default_factory=dict)
    generation: int = 0  # bumps on every notice: a session list asked for earlier cannot judge newer sessions gone

    def notice(self, notice: PlayNotice, time: str) -> tuple[list[PlaybackEvent], bool]:
        """Events for one notice, and whether the session list must be fetched to name it."""
        self.generation += 1
        state = play_state(notice.state)
        known = self._known.get(notice.session_key)
        if state == "stopped":
            if known is None:
                return [], False
            del self._known[notice.session_key]
            known.state, known.view_offset_ms = "stopped", notice.view_offset_ms
            return ([self._event(known, time)] if known.announced else []), False
        if known is None or (known.client_id != notice.client_id or known.rating_key != notice.rating_key):
            events = self._end(known, time) if known is not None else []
            self._known[notice.session_key] = _Known(
                None, notice.client_id, notice.rating_key, state, notice.view_offset_ms, self.generation, time
            )
            return events, True
        known.state, known.view_offset_ms = state, notice.view_offset_ms
        if known.session is None:
            return [], True
        return self._announce(notice.session_key, known, time), False

    def ask(self) -> int:
        """The generation to hand back with the session list about to be asked for."""
        self.generation += 1
        return self.generation

    def sessions(self, live: Iterable[LiveSession], time: str, *, asked_at: int) -> list[PlaybackEvent]:
        """Events from a fresh session list, asked for at generation `asked_at`: sessions named
        for the first time, and the end of those gone from it (known before it was asked for)."""
        events: list[PlaybackEvent] = []
        listed: set[str] = set()
        for session in live:
            if not session.session_key or not session.machine_id:
                continue
            listed.add(session.session_key)
            known = self._known.get(session.session_key)
            if known is None or known.client_id != session.machine_id or known.rating_key != session.rating_key:
                if known is not None:
                    events.extend(self._end(known, time))
                known = _Known(None, session.machine_id, session.rating_key, session.state,
                               session.view_offset_ms, asked_at)
                self._known[session.session_key] = known
            known.session = session
            events.extend(self._announce(session.session_key, known, time))
        for key, known in list(self._known.items()):
            if key not in listed and known.since < asked_at:
                del self._known[key]
                events.extend(self._end(known, time))
        return events

    def account_of(self, client_id: str) -> str | None:
        """The account Plex signed in for this player's live session, if any."""
        for known in self._known.values():
            if known.client_id == client_id and known.session is not None and known.session.account:
                return known.session.account
        return None

    def live(self) -> list[LiveSession]:
        return [k.session for k in self._known.values() if k.session is not None]

    def unnamed(self) -> bool:
        """Some session was heard of but not named yet (its list is still to be fetched)."""
        return any(k.session is None for k in self._known.values())

    # ----------------------------------------------------------------- helpers
    def _announce(self, key: str, known: _Known, time: str) -> list[PlaybackEvent]:
        """The event for a named session; a device that moved on to another session ends its old one."""
        events: list[PlaybackEvent] = []
        for other_key, other in list(self._known.items()):
            if other_key != key and other.client_id == known.client_id and other.since <= known.since:
                del self._known[other_key]
                events.extend(self._end(other, time))
        first = not known.announced
        known.announced = True
        events.append(self._event(known, (known.heard or time) if first else time))
        return events

    def _end(self, known: _Known, time: str) -> list[PlaybackEvent]:
        if not known.announced:
            return []
        known.state = "stopped"
        return [self._event(known, time)]

    @staticmethod
    def _event(known: _Known, time: str) -> PlaybackEvent:
        s = known.session
        who = s.identity if s else ClientIdentity()
        return PlaybackEvent.of(
            time, known.state, known.rating_key, known.view_offset_ms, None,
            replace(who, client_id=known.client_id), s.session_id if s else None,
        )  # fmt: skip
