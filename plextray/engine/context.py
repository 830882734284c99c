"""Filling a PlayContext from the history: usage per period, the night's episode streak, grants.

Usage is read from the database every time (so counters survive restarts), from one query over
the longest period needed; the play in progress is taken from the live session (as far as it has
played, paused time excluded) rather than from its stored row, so it is counted exactly once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from typing import Protocol

from plextray.core.context import GrantTotals, PlayContext, Usage, count_streak, period_bounds
from plextray.core.localtime import parse_local
from plextray.core.model import MediaInfo, WatchSession
from plextray.core.profiles import Person

STREAK_LOOKBACK = timedelta(hours=12)


class SessionSource(Protocol):
    def sessions_between(
        self,
        start_local_iso: str,
        end_local_iso: str,
        *,
        client_ids: Iterable[str] | None = None,
        accounts: Iterable[str] | None = None,
    ) -> list[WatchSession]: ...


def title_of(rating_key: str | None, media: MediaInfo | None) -> str:
    """What a quota of titles counts: a film, or a show for all its episodes."""
    if media is not None and media.type == "episode" and media.grandparent_title:
        return f"show:{media.grandparent_title}"
    return f"item:{rating_key}"


def build_context(
    *,
    now: datetime,
    session: WatchSession,
    person: Person | None,
    media: MediaInfo | None,
    history: SessionSource,
    media_lookup: Callable[[str], MediaInfo | None],
    grants: GrantTotals,
) -> PlayContext:
    client_ids = list(person.devices) if person else [session.client_id]
    accounts = list(person.accounts) if person else []
    if session.client_id not in client_ids:
        client_ids.append(session.client_id)
    bounds = {per: period_bounds(now, per) for per in ("day", "week", "month")}
    earliest = min(min(start for start, _ in bounds.values()), now - STREAK_LOOKBACK)
    rows = [
        row
        for row in history.sessions_between(
            earliest.isoformat(), (now + timedelta(seconds=1)).isoformat(), client_ids=client_ids, accounts=accounts or None
        )
        if row.key != session.key
    ]
    current_title = title_of(session.rating_key, media)
    minutes: dict[str, float] = {}
    titles: dict[str, int] = {}
    for per, (start, end) in bounds.items():
        in_period = [row for row in rows if start <= parse_local(row.start) < end]
        watched = sum(row.watched_ms for row in in_period) + session.watched_ms
        minutes[per] = watched / 60000.0
        seen = {title_of(row.rating_key, media_lookup(row.rating_key) if row.rating_key else None) for row in in_period}
        seen.add(current_title)
        titles[per] = len(seen)
    usage = Usage(
        minutes_day=minutes["day"],
        minutes_week=minutes["week"],
        minutes_month=minutes["month"],
        titles_day=titles["day"],
        titles_week=titles["week"],
        titles_month=titles["month"],
    )
    streak = 0
    if media is not None and media.type == "episode":
        since = now - STREAK_LOOKBACK
        episodes: list[tuple[datetime, datetime]] = []
        for row in sorted(rows, key=lambda r: r.start):
            if parse_local(row.start) < since or not row.rating_key:
                continue
            info = media_lookup(row.rating_key)
            if info is not None and info.type == "episode":
                episodes.append((parse_local(row.start), parse_local(row.end)))
        episodes.append((parse_local(session.start), now))
        streak = count_streak(episodes)
    return PlayContext(
        now=now,
        person=person,
        client_id=session.client_id,
        account=session.account,
        session_key=session.key,
        rating_key=session.rating_key,
        media=media,
        device=session.device or session.product,
        usage=usage,
        streak_episodes=streak,
        grants=grants,
    )
