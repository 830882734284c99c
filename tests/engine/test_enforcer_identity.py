"""The enforcer judges a play by who Plex authenticated (core.identity), on a real database."""

from __future__ import annotations

from datetime import datetime

from support.household import RecordingNotifier, emma_profiles

from plextray.core.model import LiveSession, MediaInfo, WatchSession
from plextray.engine.actions import ActionRunner
from plextray.engine.enforcer import Enforcer, Lookups
from plextray.profiles.schema import compile_document
from plextray.store.db import connect
from plextray.store.violations import EnforcementStore
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


def test_a_new_session_started_while_the_stop_was_on_its_way_is_stopped_too(tmp_path):
    """The stop ends the first session; before its answer is back the child presses play again
    (a new Plex session of the same device and film). The answer must not mark the new one stopped."""
    from dataclasses import replace

    first, again = replace(listed(IPAD, "emma"), session_id="s1"), replace(listed(IPAD, "emma"), session_id="s2")
    server = _Server([first])
    conn, enforcer, store, runner, results, clock = build_stopping(tmp_path, server)
    try:
        enforcer.check(session(IPAD, "emma", key="k1"))
        answer = results.get(timeout=5)  # s1 ended; the engine has not read the answer yet
        server.listed[:] = [again]
        enforcer.check(session(IPAD, "emma", key="k2"))  # the new session, while the stop is in flight
        enforcer.on_action_result(answer)
        clock[0] += 1
        enforcer.check(session(IPAD, "emma", key="k2"))
        enforcer.on_action_result(results.get(timeout=5))
        assert server.stopped == ["s1", "s2"]
        enforcer.check(session(IPAD, "emma", key="k2"))
        assert results.empty()  # and now it is stopped
    finally:
        runner.close()
        conn.close()


def test_a_session_a_stop_has_ended_is_never_stopped_again(tmp_path):
    """A slow server answers the stop's session list only after the child pressed play again, so
    the stop ends the new session itself. It may still be listed a moment: it is not stopped twice."""
    from dataclasses import replace

    server = _Server([replace(listed(IPAD, "emma"), session_id="s1")])
    server.hold.clear()
    conn, enforcer, store, runner, results, clock = build_stopping(tmp_path, server)
    try:
        enforcer.check(session(IPAD, "emma", key="k1"))
        server.listed[:] = [replace(listed(IPAD, "emma"), session_id="s2")]
        enforcer.check(session(IPAD, "emma", key="k2"))
        server.hold.set()
        enforcer.on_action_result(results.get(timeout=5))
        assert server.stopped == ["s2"]
        clock[0] += 1
        enforcer.check(session(IPAD, "emma", key="k2"))  # still listed, already ended
        answer = results.get(timeout=5)
        enforcer.on_action_result(answer)
        assert answer.no_match and server.stopped == ["s2"]
    finally:
        server.hold.set()
        runner.close()
        conn.close()


def test_a_stop_in_flight_when_the_stand_in_is_named_is_answered_for_the_named_play(tmp_path):
    """The stop was asked for under the stand-in; its answer comes after the device was named. The
    named play is then stopped (not asked again), and free to be stopped again on a new session."""
    from dataclasses import replace

    server = _Server([listed(IPAD, "emma")])
    server.hold.clear()
    conn, enforcer, store, runner, results, clock = build_stopping(tmp_path, server)
    try:
        anon = session("anon:10.0.0.5/emma/?", "emma", key="anon:10.0.0.5/emma/?@1002")
        enforcer.check(anon)
        enforcer.hand_over(anon, session(IPAD, "emma", key="k1"))
        server.hold.set()
        enforcer.on_action_result(results.get(timeout=5))
        assert server.stopped == ["sid"]
        clock[0] += 1
        enforcer.check(session(IPAD, "emma", key="k1"))
        server.listed[:] = [replace(listed(IPAD, "emma"), session_id="s2")]
        enforcer.check(session(IPAD, "emma", key="k2"))  # the child pressed play again
        enforcer.on_action_result(results.get(timeout=5))
        assert server.stopped == ["sid", "s2"]
    finally:
        server.hold.set()
        runner.close()
        conn.close()


KID = "5D3E1B0A-77C2-4F4B-9E61-0C2B7A9D8E11"
RATING_PG = {"type": "rating", "max": "PG", "unrated": "block", "actions": ["notify", "alert", "stop"]}


def _session(client: str, key: str) -> WatchSession:
    return WatchSession(key=key, client_id=client, rating_key="1002", start="2026-11-23T16:00:00.000",
                        end="2026-11-23T16:00:00.000", start_utc=0.0, end_utc=0.0, account="Emma", ip="192.168.1.52")


def _enforcer(conn, document: dict, movie: MediaInfo, *, clock=lambda: NOW) -> tuple[Enforcer, EnforcementStore, ActionRunner]:
    """An Enforcer on a real history database, with `document`'s profiles and `movie` for every play."""
    profiles, issues = compile_document(document)
    assert profiles is not None, issues
    runner = ActionRunner(lambda result: None, notifier=RecordingNotifier())
    store = EnforcementStore(conn)
    enforcer = Enforcer(
        usage=UsageQueries(conn), enforcement=store, runner=runner,
        lookups=Lookups(profiles=lambda: profiles, media=lambda rk, key: movie, live_account=lambda c: None,
                        can_stop=lambda: True),
        wall_clock=clock, monotonic=lambda: 100.0,
    )
    return enforcer, store, runner


def test_a_violation_first_seen_on_a_stand_in_is_recorded_against_the_real_device(tmp_path):
    """The first line of a 1.x report may name no client: the play is judged at once under a
    stand-in identity. When the next line names the device, the violation already recorded must
    name the device (and its session), not `anon:…` (seen as a flaky e2e assertion)."""
    conn = connect(tmp_path / "h.sqlite3")
    movie = MediaInfo(rating_key="1002", title="R movie", type="movie", content_rating="R")
    enforcer, store, runner = _enforcer(conn, emma_profiles([RATING_PG], kid_device=KID), movie)
    try:
        anon = _session("anon:192.168.1.52/Emma/?", "anon:192.168.1.52/Emma/?@1002@2026-11-23T16:00:00.000")
        assert enforcer.check(anon)
        heir = _session(KID, f"{KID}@1002@2026-11-23T16:00:00.000")
        enforcer.hand_over(anon, heir)
        assert not enforcer.check(heir)  # nothing recorded twice
        (violation,) = store.violations()
        assert violation.client_id == KID
        assert violation.session_key == heir.key
    finally:
        runner.close()
        conn.close()


def test_an_unknown_device_first_seen_as_a_stand_in_is_reported_once(tmp_path):
    """"Linked to nobody" is said once per device; a device whose first line named no client was
    said twice: once for its stand-in identity and again once the next line named it. A stand-in
    is no device: it is said for the device once named, and not again for its next stand-in."""
    conn = connect(tmp_path / "h.sqlite3")
    movie = MediaInfo(rating_key="1001", title="G movie", type="movie", content_rating="G")
    enforcer, store, runner = _enforcer(
        conn, emma_profiles([RATING_PG], kid_device=KID, unknown_actions=["notify"]), movie)
    guest = "0A1B2C3D-GUEST"
    try:
        anon = WatchSession(key="anon:10.0.0.9/?/?@1001@2026-11-23T16:00:00.000", client_id="anon:10.0.0.9/?/?",
                            rating_key="1001", start="2026-11-23T16:00:00.000", end="2026-11-23T16:00:00.000",
                            start_utc=0.0, end_utc=0.0, ip="10.0.0.9", account="guest")
        assert not enforcer.check(anon)
        # signed in as "guest": a play with no account at all waits for the server's list
        heir = WatchSession(key=f"{guest}@1001@2026-11-23T16:00:00.000", client_id=guest, rating_key="1001",
                            start=anon.start, end=anon.end, start_utc=0.0, end_utc=0.0, ip="10.0.0.9",
                            account="guest")
        enforcer.hand_over(anon, heir)
        assert enforcer.check(heir)
        assert not enforcer.check(heir)
        next_title = WatchSession(key="anon:10.0.0.9/?/?@1002@2026-11-23T16:05:00.000", client_id="anon:10.0.0.9/?/?",
                                  rating_key="1002", start="2026-11-23T16:05:00.000", end="2026-11-23T16:05:00.000",
                                  start_utc=300.0, end_utc=300.0, ip="10.0.0.9")
        assert not enforcer.check(next_title)
        (violation,) = store.violations()
        assert violation.client_id == guest
    finally:
        runner.close()
        conn.close()


def test_a_play_judged_only_as_a_stand_in_is_new_again_the_next_day(tmp_path):
    """A play whose report lines were read in two batches: the first (no device named) was judged
    under a stand-in and stopped; by the next batch the heir had already reported `stopped`, so it
    was never checked itself. The same device and title the next day is a new play — the memory
    handed over must carry when the play was last heard, or the new play looks like its
    continuation: no new violation, only a re-stop (a flaky end-to-end test)."""
    from dataclasses import replace

    conn = connect(tmp_path / "h.sqlite3")
    movie = MediaInfo(rating_key="1002", title="R movie", type="movie", content_rating="R")
    today = [NOW]
    enforcer, store, runner = _enforcer(conn, emma_profiles([RATING_PG], kid_device=KID), movie,
                                        clock=lambda: today[0])
    try:
        anon = _session("anon:192.168.1.52/Emma/?", "anon:192.168.1.52/Emma/?@1002@2026-11-23T16:00:00.000")
        assert enforcer.check(anon)
        heir = replace(_session(KID, f"{KID}@1002@2026-11-23T16:00:00.000"), state="stopped", live=False)
        enforcer.hand_over(anon, heir)
        assert not enforcer.check(heir)  # stopped: not judged
        today[0] = datetime(2026, 11, 24, 16, 0, 0)
        tomorrow = WatchSession(key=f"{KID}@1002@2026-11-24T16:00:00.000", client_id=KID, rating_key="1002",
                                start="2026-11-24T16:00:00.000", end="2026-11-24T16:00:00.000",
                                start_utc=86_400.0, end_utc=86_400.0, account="Emma", ip="192.168.1.52")
        assert enforcer.check(tomorrow)
        assert [v.session_key for v in store.violations()] == [tomorrow.key, heir.key]
    finally:
        runner.close()
        conn.close()
