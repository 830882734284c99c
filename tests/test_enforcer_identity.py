"""The enforcer judges a play by who Plex authenticated (core.identity), on a real database."""

from __future__ import annotations

from datetime import datetime

from support.household import RecordingNotifier

from plextray.core.model import LiveSession, MediaInfo, WatchSession
from plextray.engine.actions import ActionRunner
from plextray.engine.enforcer import Enforcer, Lookups
from plextray.profiles.schema import compile_document
from plextray.store.db import connect
from plextray.store.enforcement import EnforcementStore
from plextray.store.history import HistoryStore
from plextray.store.usage import UsageQueries

IPAD, TV = "emma-ipad", "living-room-tv"
NOW = datetime(2026, 11, 23, 16, 0, 0)
PG = {"type": "rating", "max": "PG", "actions": ["stop"]}
QUOTA = {"type": "quota", "minutes": 60, "per": "day", "actions": ["stop"]}
DOC = {"version": 1, "people": [
    {"name": "Emma", "devices": [IPAD], "accounts": ["emma"], "restrictions": [PG, QUOTA]},
    {"name": "Parents", "devices": [TV], "accounts": ["alex"], "restrictions": []},
]}


def session(client: str, account: str | None, rating_key: str = "1002", key: str = "k1", watched_ms: int = 0,
            start: str = "2026-11-23T16:00:00.000") -> WatchSession:
    return WatchSession(key=key, client_id=client, rating_key=rating_key, start=start, end="2026-11-23T16:00:00.000",
                        start_utc=0.0, end_utc=0.0, account=account, ip="10.0.0.5", watched_ms=watched_ms)


def build(tmp_path, live: list[LiveSession], rating: str = "R"):
    conn = connect(tmp_path / "h.sqlite3")
    profiles, issues = compile_document(DOC)
    assert profiles is not None, issues
    media = MediaInfo(rating_key="1002", title="A film", type="movie", content_rating=rating)
    runner = ActionRunner(lambda result: None, notifier=RecordingNotifier())
    store = EnforcementStore(conn)
    enforcer = Enforcer(
        usage=UsageQueries(conn), enforcement=store, runner=runner,
        lookups=Lookups(profiles=lambda: profiles, media=lambda rk, key: media, live_account=lambda c: None,
                        can_stop=lambda: True, live_sessions=lambda: live),
        wall_clock=lambda: NOW, monotonic=lambda: 100.0,
    )
    return conn, enforcer, store, runner


def listed(machine: str, account: str) -> LiveSession:
    return LiveSession("sid", "1", "1002", account, "2", machine, "Plex", "iOS", "iPad", "10.0.0.5", "playing")


def test_a_play_with_no_account_waits_until_the_server_lists_it(tmp_path):
    live: list[LiveSession] = []
    conn, enforcer, store, runner = build(tmp_path, live)
    try:
        assert not enforcer.check(session(IPAD, None))
        assert store.violations() == []
        live.append(listed(IPAD, "emma"))  # the server now serves it, to Emma
        assert enforcer.check(session(IPAD, None))
        (violation,) = store.violations()
        assert violation.person == "Emma"
    finally:
        runner.close()
        conn.close()


def test_a_childs_account_on_the_parents_tv_counts_her_plays_not_the_tvs(tmp_path):
    """Her quota counts what she watched (her account, her iPad), not the parents' films on the
    TV that her account happens to be signed in on now."""
    conn, enforcer, store, runner = build(tmp_path, [], rating="G")
    try:
        HistoryStore(conn).upsert_sessions([
            session(TV, "alex", rating_key="1001", key="parents", watched_ms=50 * 60_000, start="2026-11-23T10:00:00.000"),
            session(IPAD, "emma", rating_key="1001", key="hers", watched_ms=30 * 60_000, start="2026-11-23T11:00:00.000"),
        ])
        now_playing = session(TV, "emma", rating_key="1002", key="now", watched_ms=20 * 60_000)
        assert not enforcer.check(now_playing)  # 30 + 20 min of 60: within her quota
        assert store.violations() == []
        assert enforcer.check(session(TV, "emma", rating_key="1002", key="now", watched_ms=31 * 60_000))
        (violation,) = store.violations()
        assert violation.person == "Emma" and violation.restriction == "Emma/restrictions[1]"
        assert violation.reason.endswith("on living-room-tv (Parents' device) — emma's account")
    finally:
        runner.close()
        conn.close()
