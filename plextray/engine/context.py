"""Filling a PlayContext from the history: usage per period, the night's episode streak, grants.

Usage is read from the database every time (so counters survive restarts) with indexed
aggregates (store.usage); the play in progress is taken from the live session (as far as it has
played, paused time excluded) rather than from its stored row, so it is counted exactly once.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any, Protocol

from plextray.core.context import GrantTotals, PlayContext, Usage, count_streak, period_bounds
from plextray.core.localtime import parse_local
from plextray.core.model import MediaInfo, WatchSession
from plextray.core.household import Person

STREAK_LOOKBACK = timedelta(hours=12)


class UsageSource(Protocol):
    def watched_ms(self, client_ids: Sequence[str], accounts: Sequence[str], lo: str, hi: str, *, exclude_key: str | None = None) -> int: ...

    def titles(self, client_ids: Sequence[str], accounts: Sequence[str], lo: str, hi: str, *, exclude_key: str | None = None) -> set[str]: ...

    def episodes(self, client_ids: Sequence[str], accounts: Sequence[str], lo: str, hi: str, *, exclude_key: str | None = None) -> list[Any]: ...


def title_of(rating_key: str | None, media: MediaInfo | None) -> str:
    """What a quota of titles counts: a film, or a show for all its episodes (as UsageQueries.titles)."""
    if media is not None and media.type == "episode" and media.grandparent_title:
        return f"show:{media.grandparent_title}"
    return f"item:{rating_key}"


def build_context(
    *,
    now: datetime,
    session: WatchSession,
    person: Person | None,
    media: MediaInfo | None,
    usage: UsageSource,
    grants: GrantTotals,
) -> PlayContext:
    client_ids = list(person.devices) if person else [session.client_id]
    accounts = list(person.accounts) if person else []
    wanted = session.client_id.casefold()
    if session.client_id not in client_ids and any(d.casefold() == wanted for d in client_ids):
        client_ids.append(session.client_id)  # the device as this play spells it
    # a person whose rules apply through the account only (Emma's account on the parents' TV)
    # counts her own plays, not everything else that TV played
    current_title = title_of(session.rating_key, media)
    minutes: dict[str, float] = {}
    titles: dict[str, int] = {}
    for per in ("day", "week", "month"):
        start, end = period_bounds(now, per)
        lo, hi = start.isoformat(), end.isoformat()
        watched = usage.watched_ms(client_ids, accounts, lo, hi, exclude_key=session.key) + session.watched_ms
        minutes[per] = watched / 60000.0
        titles[per] = len(usage.titles(client_ids, accounts, lo, hi, exclude_key=session.key) | {current_title})
    streak = 0
    if media is not None and media.type == "episode":
        since = (now - STREAK_LOOKBACK).isoformat()
        earlier = usage.episodes(client_ids, accounts, since, now.isoformat(), exclude_key=session.key)
        chain = [(parse_local(p.start), parse_local(p.end)) for p in earlier]
        chain.append((parse_local(session.start), now))
        streak = count_streak(chain)
    return PlayContext(
        now=now,
        person=person,
        client_id=session.client_id,
        account=session.account,
        session_key=session.key,
        rating_key=session.rating_key,
        media=media,
        device=session.device or session.product,
        usage=Usage(
            minutes_day=minutes["day"],
            minutes_week=minutes["week"],
            minutes_month=minutes["month"],
            titles_day=titles["day"],
            titles_week=titles["week"],
            titles_month=titles["month"],
        ),
        streak_episodes=streak,
        grants=grants,
    )
