"""Each person's day (minutes watched and left, what plays, the last stop) for the snapshot.

Built on the engine thread from what it already has (live sessions, profiles, the media cache)
plus a few indexed queries — and at most every `every` seconds while something plays (every
`idle_every` seconds when nothing does, so the day turning over shows), or at once after a
grant, a stop or a profiles change. Listeners (Home Assistant) read the snapshot; they never
query the database themselves.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime

from plextray.core.allowance import daily_minutes_quota, minutes_left
from plextray.core.context import period_bounds
from plextray.core.model import MediaInfo, PersonStatus, WatchSession
from plextray.core.household import Person, Profiles
from plextray.engine.context import UsageSource
from plextray.store.violations import EnforcementStore

PLAYING = ("playing", "buffering")


class PeopleView:
    def __init__(
        self,
        *,
        usage: UsageSource,
        enforcement: EnforcementStore,
        wall_clock: Callable[[], datetime],
        monotonic: Callable[[], float],
        media: Callable[[str], MediaInfo | None] = lambda _key: None,
        account_of: Callable[[WatchSession], str | None] = lambda s: s.account,
        every: float = 3.0,
        idle_every: float = 60.0,
    ) -> None:
        self._usage = usage
        self._store = enforcement
        self._now = wall_clock
        self._mono = monotonic
        self._media = media
        self._account_of = account_of
        self.every = every
        self.idle_every = idle_every
        self._built_at: float | None = None
        self._stops: dict[str, tuple[str, str]] | None = None
        self._view: tuple[PersonStatus, ...] = ()

    def due(self, playing: bool) -> bool:
        if self._built_at is None:
            return True
        return self._mono() - self._built_at >= (self.every if playing else self.idle_every)

    def invalidate(self, *, stops: bool = False) -> None:
        """Rebuild on the next look (after a grant, a stop, new profiles)."""
        self._built_at = None
        if stops:
            self._stops = None

    def view(self, profiles: Profiles | None, sessions: Iterable[WatchSession]) -> tuple[PersonStatus, ...]:
        """The current view: rebuilt when due, else the last one."""
        live = [s for s in sessions if s.live]
        if profiles is None or not self.due(any(s.state in PLAYING for s in live)):
            return self._view
        self._built_at = self._mono()
        if self._stops is None:
            self._stops = self._store.last_stops()
        mine: dict[str, list[WatchSession]] = {}
        for session in live:
            person = profiles.person_for(session.client_id, self._account_of(session))
            if person is not None:
                mine.setdefault(person.name, []).append(session)
        now = self._now()
        self._view = tuple(self._status(p, mine.get(p.name, []), now) for p in profiles.people)
        return self._view

    def _status(self, person: Person, live: list[WatchSession], now: datetime) -> PersonStatus:
        start, end = period_bounds(now, "day")
        lo, hi = start.isoformat(), end.isoformat()
        devices, accounts = list(person.devices), list(person.accounts)
        watched_ms = self._usage.watched_ms(devices, accounts, lo, hi) if (devices or accounts) else 0
        for session in live:  # a live play counts today even if it began yesterday (as the rules count it)
            stored_today = lo <= session.start < hi and (
                session.client_id in devices or (session.account or "").casefold() in {a.casefold() for a in accounts})
            if not stored_today:
                watched_ms += session.watched_ms
        watched = watched_ms / 60000.0
        quota = daily_minutes_quota(person)
        left = None
        if quota is not None:
            left = minutes_left(quota, self._store.grants_for(person.name, now.date()).extra_minutes, watched)
        playing = sorted((s for s in live if s.state in PLAYING), key=lambda s: s.end_utc)
        title = device = None
        if playing:
            latest = playing[-1]
            info = self._media(latest.rating_key) if latest.rating_key else None
            title = info.display_title if info else f"item {latest.rating_key}"
            device = latest.device or latest.product
        stop = (self._stops or {}).get(person.name)
        return PersonStatus(
            name=person.name,
            minutes_today=int(watched),
            minutes_left=left,
            watching=bool(playing),
            now_watching=title,
            device=device,
            last_stop_reason=stop[0] if stop else None,
            last_stop_time=stop[1] if stop else None,
        )
