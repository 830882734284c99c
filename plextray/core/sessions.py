"""Fold playback events into watch sessions: one client, one item, one sitting.

Rules (kept from the 2013 tool, its bugs fixed):
  * a session is keyed by client and rating key; its `key` is `client@rating_key@start` (start as
    the log wrote it), so folding the same lines again yields the same keys;
  * `playing`, `paused` and `buffering` continue a session; `stopped` ends it; so does a silence
    longer than `silence_seconds` (checked when the next event comes, or by `expire(now)`), and
    so does the same client reporting another item;
  * a first `stopped` report, and any report whose position is past the duration, are ignored;
  * `watched_ms` adds the wall time between two reports when the earlier one said `playing`
    (capped at the silence limit), so pauses and buffering do not count;
  * `resumed` is true when the first report is past RESUME_MS (60 s): a resume, not a fresh play;
  * times are local, resolved to UTC by core.localtime (midnight and DST changes add up).

Events without a client id (possible on the first line of a 1.x report, before its
`Statistics:` line names the client) are folded under a stand-in identity built from what the
event has (`anon:ip/account/device`); when the parser then emits the updated event that
names the client, the stand-in session is handed over to the real client and its old key is
reported by `retired()` so the store can drop that row.
"""

from __future__ import annotations

import dataclasses
import operator
from collections.abc import Iterable
from datetime import datetime, timedelta, tzinfo

from plextray.core.localtime import LocalClock
from plextray.core.model import IDENTITY_FIELDS, ClientIdentity, PlaybackEvent, WatchSession

# A snapshot per folded report: positional construction is ~5x cheaper than dataclasses.replace.
_FIELDS = dataclasses.fields(WatchSession)
_VALUES = operator.attrgetter(*(f.name for f in _FIELDS))
# Most reports of a play name who it is exactly as the last did: a tuple compare (~0.1 µs) spares
# building three ClientIdentity values (~4 µs, ~10% of a day's import) for nothing new.
_WHO = operator.attrgetter(*IDENTITY_FIELDS)


def _copy(session: WatchSession) -> WatchSession:
    """An independent copy of `session`, as dataclasses.replace(session) (tests/test_sessions_copy.py)."""
    return WatchSession(*_VALUES(session))


RESUME_MS = 60_000
STAND_IN_PREFIX = "anon:"
_MICRO = timedelta(microseconds=1)
_NAIVE_EPOCH = datetime(1970, 1, 1)


class _HourClock(LocalClock):
    """LocalClock.resolve, with each hour's two readings (fold 0/1) worked out once.

    Why: resolving costs two aware-datetime conversions per event, the largest part of folding
    one. Within an hour the zone's offsets do not change (checked at both ends of the hour:
    tzdata never moves a zone's clock twice within an hour; an hour where they differ, such as
    one with a change at 00:01, and any time not written `YYYY-MM-DDTHH:MM:SS[.mmm]`, takes the
    general path), so `naive microseconds - offset`, divided as datetime.timestamp divides,
    gives the very same float. (Per hour, not per minute: a day of log spans a thousand minutes,
    and working each out cost as much as the rest of the folding.)"""

    def __init__(self, tz: tzinfo) -> None:
        super().__init__(tz)
        self._hours: dict[str, tuple[int, int, int] | None] = {}

    def resolve(self, iso: str) -> float:
        size = len(iso)
        if not (size == 19 or (size == 23 and iso[19] == ".")) or iso[13] != ":" or iso[16] != ":":
            return super().resolve(iso)
        hour = iso[:13]
        if hour in self._hours:
            known = self._hours[hour]
        else:
            known = self._hour(hour)
            if len(self._hours) >= 1024:
                self._hours.clear()
            self._hours[hour] = known
        minutes, seconds, ms = iso[14:16], iso[17:19], iso[20:23] if size == 23 else "0"
        digits = minutes + seconds + ms
        if known is None or not (digits.isdigit() and digits.isascii()) or minutes > "59" or seconds > "59":
            return super().resolve(iso)
        base, offset0, offset1 = known
        micro = base + int(minutes) * 60_000_000 + int(seconds) * 1_000_000 + int(ms) * 1000
        first = (micro - offset0) / 1_000_000
        second = (micro - offset1) / 1_000_000
        value = first
        if first != second and self.last is not None and first < self.last - self.tolerance:
            value = second
        if self.last is None or value > self.last:
            self.last = value
        return value

    def _hour(self, hour: str) -> tuple[int, int, int] | None:
        try:
            start = datetime.fromisoformat(hour + ":00")
        except ValueError:
            return None
        end = start + timedelta(minutes=59, seconds=59, microseconds=999_999)
        offsets = []
        for fold in (0, 1):
            low = start.replace(tzinfo=self.tz, fold=fold).utcoffset()
            high = end.replace(tzinfo=self.tz, fold=fold).utcoffset()
            if low is None or low != high:
                return None
            offsets.append(low // _MICRO)
        return (start - _NAIVE_EPOCH) // _MICRO, offsets[0], offsets[1]


def stand_in_client(event: PlaybackEvent) -> str:
    """The identity of an event that names no client (stable for the same ip/account/device)."""
    return f"{STAND_IN_PREFIX}{event.ip or '?'}/{event.account or '?'}/{event.device or event.product or '?'}"


def is_stand_in(client_id: str) -> bool:
    """A session folded under a stand-in identity (its device is named a line later, if ever)."""
    return client_id.startswith(STAND_IN_PREFIX)


def heir_of(stand_in: WatchSession, changed: Iterable[WatchSession]) -> WatchSession | None:
    """The session that took over a retired stand-in, among those the same events changed.

    Why: what was done to the stand-in (a stop, a recorded violation) must follow the device.
    It is the stand-in itself re-keyed (same title and start), or, when the named client already
    had the title going (say, first seen on the server's session list), that client's session,
    if exactly one named session of the title changed."""
    same_title = [s for s in changed if s.rating_key == stand_in.rating_key and not is_stand_in(s.client_id)]
    for session in same_title:
        if session.start == stand_in.start:
            return session
    return same_title[0] if len(same_title) == 1 else None


@dataclasses.dataclass(slots=True)
class _Live:
    session: WatchSession
    last_position: int | None
    last_fingerprint: tuple[str, str, int | None]


class SessionFolder:
    """Pure state machine: feed events in log order, get the sessions they created or changed."""

    def __init__(self, tz: tzinfo, *, silence_seconds: int = 600) -> None:
        self.tz = tz
        self.silence = float(silence_seconds)
        self.clock: LocalClock = _HourClock(tz)
        self._live: dict[tuple[str, str | None], _Live] = {}
        self._by_client: dict[str, tuple[str, str | None]] = {}
        self._anon_reports: dict[tuple[str, str | None, int | None, str, str | None], str] = {}
        self._retired: list[str] = []
        # plays ended lately, by (client, item): their end and Plex session. A line of such a play
        # read again (after a crash) or late (another source already said it stopped) is not a
        # new play; a report after that end, or of another Plex session, is
        self._closed: dict[tuple[str, str | None], tuple[float, str | None]] = {}
        self.ignored = 0

    # ----------------------------------------------------------------- public API
    def feed(self, event: PlaybackEvent) -> list[WatchSession]:
        """The sessions `event` created or changed (copies: the folder goes on changing its own)."""
        changed: list[WatchSession] = []
        self._feed(event, changed)
        return [_copy(session) for session in changed]

    def feed_many(self, events: Iterable[PlaybackEvent]) -> list[WatchSession]:
        """The sessions a run of events created or changed, each once, as it stands after the
        last event. Why: a bulk import keeps only the latest state of each session, so copying
        one per event (as `feed` must) would be wasted work."""
        changed: list[WatchSession] = []
        feed = self._feed
        for event in events:
            feed(event, changed)
        return [_copy(session) for session in {id(session): session for session in changed}.values()]

    def _feed(self, event: PlaybackEvent, changed: list[WatchSession]) -> None:
        """Fold one event; append the folder's own session objects it created or changed."""
        try:
            utc = self.clock.resolve(event.time)
        except ValueError:
            self.ignored += 1
            return
        client = event.client_id
        if client is None:
            # an update of a report that named no client keeps that report's stand-in (the
            # account or device named a line later must not make a second, phantom one)
            report = self._report_key(event)
            client = self._anon_reports.get(report) or stand_in_client(event)
            self._anon_reports[report] = client
            if len(self._anon_reports) > 512:
                self._anon_reports.pop(next(iter(self._anon_reports)))
        elif self._anon_reports:  # (usually empty: every report named its client)
            anon = self._anon_reports.pop(self._report_key(event), None)
            if anon is not None and self._adopt(anon, event, changed):
                return
        self._fold(client, event, utc, changed)

    def expire(self, now_utc: float) -> list[WatchSession]:
        """Close sessions silent for longer than the limit at `now_utc`."""
        closed: list[WatchSession] = []
        for ident, live in list(self._live.items()):
            if now_utc - live.session.end_utc > self.silence:
                closed.append(self._close(ident))
        return closed

    def live(self) -> list[WatchSession]:
        return [_copy(live.session) for live in self._live.values()]

    def remember_ended(self, sessions: Iterable[WatchSession]) -> None:
        """Know plays that ended lately (read back from the store), so that lines of theirs read
        again after a crash are not folded into a second, partial copy."""
        for session in sorted(sessions, key=lambda s: s.end_utc):
            if not session.live:
                self._remember_closed((session.client_id, session.rating_key), session)

    def retired(self) -> list[str]:
        """Keys of stand-in sessions handed over to a real client since the last call."""
        keys, self._retired = self._retired, []
        return keys

    def restore(self, sessions: list[WatchSession]) -> None:
        """Continue sessions still live from a previous run (e.g. read back from the store)."""
        for session in sorted(sessions, key=lambda s: s.end_utc):
            if not session.live:
                continue
            ident = (session.client_id, session.rating_key)
            self._live[ident] = _Live(
                _copy(session), session.max_position_ms, (session.end, session.state, None)
            )
            self._by_client[session.client_id] = ident
            if self.clock.last is None or session.end_utc > self.clock.last:
                self.clock.last = session.end_utc

    # ----------------------------------------------------------------- folding
    @staticmethod
    def _report_key(event: PlaybackEvent) -> tuple[str, str | None, int | None, str, str | None]:
        return (event.time, event.rating_key, event.position_ms, event.state, event.ip)

    def _fold(self, client: str, event: PlaybackEvent, utc: float, changed: list[WatchSession]) -> None:
        ident = (client, event.rating_key)
        current = self._by_client.get(client)
        if current is not None and current != ident:
            changed.append(self._close(current))  # the client moved on to another item
        live = self._live.get(ident)
        if live is not None and utc - live.session.end_utc > self.silence:
            changed.append(self._close(ident))
            live = None
        too_far = (
            event.duration_ms is not None
            and event.duration_ms > 0
            and event.position_ms is not None
            and event.position_ms > event.duration_ms
        )
        if too_far:
            self.ignored += 1
            return
        if live is None:
            if event.state == "stopped" or self._already_ended(ident, event, utc):
                self.ignored += 1  # a first `stopped`, or a line of a play that already ended
                return
            session = self._start(client, event, utc)
            self._live[ident] = _Live(session, event.position_ms, self._fingerprint(event))
            self._by_client[client] = ident
            changed.append(session)
            return
        session = live.session
        if utc < session.end_utc - 1.0:
            self.ignored += 1  # older than what this session already holds: a re-fed line
            return
        fingerprint = self._fingerprint(event)
        if fingerprint == live.last_fingerprint:
            self._identify(session, event)  # the same report again (an enriched update)
            changed.append(session)
            return
        if session.state == "playing":
            session.watched_ms += int(round(min(max(utc - session.end_utc, 0.0), self.silence) * 1000))
        session.end, session.end_utc, session.state = event.time, utc, event.state
        if event.position_ms is not None:
            session.max_position_ms = max(session.max_position_ms, event.position_ms)
        if event.duration_ms:
            session.duration_ms = event.duration_ms
        self._identify(session, event)
        live.last_position = event.position_ms
        live.last_fingerprint = fingerprint
        if event.state == "stopped":
            changed.append(self._close(ident))
        else:
            changed.append(session)

    def _already_ended(self, ident: tuple[str, str | None], event: PlaybackEvent, utc: float) -> bool:
        """A report of this device and item no later than the end of its last play: a line of
        that play (read again, or late), not a new play. (Session ids cannot tell: the log's
        is the app's session identifier, the server's another number.)"""
        closed = self._closed.get(ident)
        return closed is not None and utc <= closed[0]

    def _remember_closed(self, ident: tuple[str, str | None], session: WatchSession) -> None:
        self._closed.pop(ident, None)
        self._closed[ident] = (session.end_utc, session.plex_session)
        if len(self._closed) > 4096:
            self._closed.pop(next(iter(self._closed)))

    @staticmethod
    def _fingerprint(event: PlaybackEvent) -> tuple[str, str, int | None]:
        return (event.time, event.state, event.position_ms)

    def _start(self, client: str, event: PlaybackEvent, utc: float) -> WatchSession:
        position = event.position_ms or 0
        session = WatchSession(
            key=f"{client}@{event.rating_key}@{event.time}",
            client_id=client,
            rating_key=event.rating_key,
            start=event.time,
            end=event.time,
            start_utc=utc,
            end_utc=utc,
            watched_ms=0,
            max_position_ms=position,
            duration_ms=event.duration_ms or None,
            resumed=position > RESUME_MS,
            state=event.state,
            live=True,
            plex_session=event.session,
        )
        session.identity = event.identity.over(ClientIdentity(client))  # a stand-in's: `client`
        return session

    @staticmethod
    def _identify(session: WatchSession, event: PlaybackEvent) -> None:
        """What this report names of who plays, over what the session knew (the client id stays:
        a stand-in's report names none, and a named report names the session's own)."""
        if _WHO(event) != _WHO(session):
            session.identity = event.identity.over(session.identity)
        session.plex_session = event.session or session.plex_session

    def _close(self, ident: tuple[str, str | None]) -> WatchSession:
        live = self._live.pop(ident)
        if self._by_client.get(ident[0]) == ident:
            del self._by_client[ident[0]]
        live.session.live = False
        self._remember_closed(ident, live.session)
        return live.session

    def _adopt(self, anon: str, event: PlaybackEvent, changed: list[WatchSession]) -> bool:
        """Hand a stand-in session over to the client its report turned out to come from.

        Returns True when the event needs no further folding."""
        ident = (anon, event.rating_key)
        live = self._live.pop(ident, None)
        if live is None:
            return False
        if self._by_client.get(anon) == ident:
            del self._by_client[anon]
        self._retired.append(live.session.key)
        client = event.client_id
        assert client is not None
        closed = self._closed.get((client, event.rating_key))
        if closed is not None and live.session.start_utc <= closed[0] and (client, event.rating_key) not in self._live:
            self.ignored += 1  # a report of a play that already ended, read again: drop the stand-in
            return True
        if live.session.start == event.time or (client, event.rating_key) in self._live:
            # the stand-in holds nothing but this report, or the client already had this item
            # going: drop the stand-in and fold the report as the named client's
            return False
        current = self._by_client.get(client)
        if current is not None:
            changed.append(self._close(current))
        session = live.session
        session.client_id = client
        session.key = f"{client}@{session.rating_key}@{session.start}"
        self._identify(session, event)
        self._live[(client, event.rating_key)] = live
        self._by_client[client] = (client, event.rating_key)
        changed.append(session)
        return True
