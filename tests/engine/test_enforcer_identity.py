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


class _Server:
    """The server side of a stop, for the runner: what /status/sessions lists, and terminations.
    `hold` keeps the first sessions() answer waiting (a slow server)."""

    def __init__(self, listed: list[LiveSession]) -> None:
        import threading

        self.listed = listed
        self.stopped: list[str] = []
        self.asked = 0
        self.hold = threading.Event()
        self.hold.set()

    def sessions(self) -> list[LiveSession]:
        self.asked += 1
        self.hold.wait(10)
        return list(self.listed)

    def stop(self, session_id: str, reason: str) -> None:
        self.stopped.append(session_id)


def build_stopping(tmp_path, server: _Server):
    import queue

    conn = connect(tmp_path / "h.sqlite3")
    profiles, _ = compile_document(DOC)
    media = MediaInfo(rating_key="1002", title="A film", type="movie", content_rating="R")
    results: queue.Queue = queue.Queue()
    runner = ActionRunner(results.put, notifier=RecordingNotifier(), client=server)
    store = EnforcementStore(conn)
    clock = [100.0]
    enforcer = Enforcer(
        usage=UsageQueries(conn), enforcement=store, runner=runner,
        lookups=Lookups(profiles=lambda: profiles, media=lambda rk, key: media, live_account=lambda c: None,
                        can_stop=lambda: True, live_sessions=lambda: server.listed),
        wall_clock=lambda: NOW, monotonic=lambda: clock[0],
    )
    return conn, enforcer, store, runner, results, clock


def test_no_matching_session_is_recorded_and_retried_on_the_next_live_update(tmp_path):
    server = _Server([listed(TV, "alex")])  # only the parents' film is listed, not Emma's play
    conn, enforcer, store, runner, results, clock = build_stopping(tmp_path, server)
    try:
        enforcer.check(session(IPAD, "emma"))
        result = results.get(timeout=5)
        enforcer.on_action_result(result)
        assert result.detail == "could not stop: no matching session" and server.stopped == []
        clock[0] += 30  # long past the re-stop interval: still no new stop before a live update
        enforcer.check(session(IPAD, "emma"))
        assert results.empty() and server.asked == 1
        server.listed.append(listed(IPAD, "emma"))
        enforcer.live_update()
        enforcer.check(session(IPAD, "emma"))
        enforcer.on_action_result(results.get(timeout=5))
        assert server.stopped == ["sid"]
        actions = conn.execute("SELECT outcome, detail FROM actions ORDER BY id").fetchall()
        assert [tuple(a) for a in actions] == [("failed", "could not stop: no matching session"),
                                                ("ok", "stopped on iPad")]
    finally:
        runner.close()
        conn.close()


def test_a_stop_in_flight_is_never_doubled(tmp_path):
    server = _Server([listed(IPAD, "emma")])
    server.hold.clear()  # the server takes its time
    conn, enforcer, store, runner, results, clock = build_stopping(tmp_path, server)
    try:
        enforcer.check(session(IPAD, "emma"))
        for _ in range(5):
            clock[0] += 10  # past the re-stop interval, again and again, while the first is in flight
            enforcer.check(session(IPAD, "emma"))
        import time

        time.sleep(0.3)
        assert server.asked == 1
        server.hold.set()
        enforcer.on_action_result(results.get(timeout=5))
        assert server.stopped == ["sid"]
    finally:
        server.hold.set()
        runner.close()
        conn.close()
