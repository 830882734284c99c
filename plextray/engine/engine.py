"""The engine thread: saver → parser → sessions → rules → actions, with the server as a second source.

Everything mutable (parser and session state, enforcement memory, the database connection) is
owned by one thread; other threads talk to it only through its queue (see control.py for the
public side). The loop sleeps until something happens (see wake.py): a message, a change to
Plex's log, or one of its few timers; a play's first line reaches the rules as soon as Plex
writes it. A play whose device is not named yet (a read ended inside its report) waits
`poll_seconds` for the line that names it.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, tzinfo
from typing import TYPE_CHECKING, Any

from plextray.config import AppConfig
from plextray.control import Notifier
from plextray.core.action_plan import STOP
from plextray.core.identity import learn_account_ids
from plextray.core.model import EngineSnapshot, EngineState, LiveSession, PlaybackEvent, ServerInfo, WatchSession
from plextray.core.household import Profiles
from plextray.core.sessions import heir_of, is_stand_in
from plextray.engine import messages as msg
from plextray.engine.actions import ActionRunner, Alerter
from plextray.engine.debug_logging import DEBUG_HINT, DebugLogging
from plextray.engine.enforcer import Enforcer, Lookups
from plextray.engine.failures import RepeatedFailures
from plextray.engine.heap import HeapTrim
from plextray.engine.live_source import SOCKET_PROBLEM, LiveSource
from plextray.engine.media_lookup import MediaLookup
from plextray.engine.people import PeopleView
from plextray.engine.publisher import SnapshotPublisher
from plextray.engine.rejections import Rejections
from plextray.engine.requests import server_info_job, sessions_job
from plextray.engine.server_health import ServerHealth
from plextray.engine.status import build_snapshot, check_setup
from plextray.engine.thread_side import EngineThreadSide
from plextray.engine.unnamed import UnnamedPlays
from plextray.engine.wake import (
    MIN_READ_GAP,
    TICK_SECONDS,
    LogWatcher,
    log_poll_interval,
    tick_interval,
)
from plextray.errors import PlexTrayError, ProfileError
from plextray.store.usage import UsageQueries

if TYPE_CHECKING:  # the engine is handed these; it never builds them (see plextray.app)
    from plextray.core.parsing import PlaybackParser
    from plextray.core.sessions import SessionFolder
    from plextray.logs.saver import LogSaver
    from plextray.plex.client import PlexClient
    from plextray.profiles.store import ProfileStore
    from plextray.store.violations import EnforcementStore
    from plextray.store.history import HistoryStore
    from plextray.store.media_cache import MediaCache
from plextray.paths import AppPaths

log = logging.getLogger(__name__)

LOG_SILENCE_FOR_DEBUG_HINT = 120.0  # server shows plays but the log has said nothing this long
PRUNE_SECONDS = 3600.0  # how often memory of long-gone plays is dropped


class Engine(EngineThreadSide):
    """Implements plextray.control.EngineControl (its calls: engine/thread_side.py)."""

    def __init__(
        self,
        *,
        paths: AppPaths,
        config: AppConfig,
        profile_store: ProfileStore,
        history: HistoryStore,
        enforcement: EnforcementStore,
        media_cache: MediaCache | None,
        parser: PlaybackParser,
        folder: SessionFolder,
        notifier: Notifier,
        saver: LogSaver | None = None,
        client: PlexClient | None = None,
        alerter: Alerter | None = None,
        tz: tzinfo | None = None,
        wall_clock: Callable[[], datetime] = datetime.now,
        monotonic: Callable[[], float] = time.monotonic,
        log_watch: LogWatcher | None = None,
    ) -> None:
        self.paths = paths
        self.config = config
        self._profiles_store = profile_store
        self._history = history
        self._enforcement = enforcement
        self._media_cache = media_cache
        self._parser = parser
        self._folder = folder
        self._saver = saver
        self._client = client
        self._tz = tz
        self._now = wall_clock
        self._mono = monotonic
        self._queue: queue.Queue[Any] = queue.Queue()
        self._runner = ActionRunner(self._queue.put, notifier=notifier, alerter=alerter, client=client)
        self._media_lookup = MediaLookup(media_cache, client, submit=self._runner.submit, post=self._queue.put)
        usage = UsageQueries(history.conn)
        self._enforcer = Enforcer(
            usage=usage,
            enforcement=enforcement,
            runner=self._runner,
            lookups=Lookups(
                profiles=self._profiles,
                media=self._media_lookup.get,
                live_account=self._live_account,
                can_stop=lambda: self._server is None or self._server.plex_pass,
                live_sessions=lambda: self._live_all,
                account_ids=lambda: self._account_ids,
            ),
            wall_clock=wall_clock,
            monotonic=monotonic,
            grace_seconds=self._profiles().settings.grace_seconds,
            new_play_after=folder.silence,
        )
        self._rejections = Rejections(history.conn, self._runner, monotonic)  # reports Plex refused
        self._people_view = PeopleView(usage=usage, enforcement=enforcement, wall_clock=wall_clock, monotonic=monotonic,
                                       media=self._media_lookup.cached, account_of=lambda s: s.account or self._live_account(s.client_id))
        self._live_source = LiveSource(
            client, post=self._queue.put, use_socket=config.websocket,
            poll_seconds=config.sessions_poll_seconds, monotonic=monotonic, stamp=self._now_iso,
        )
        self._debug = DebugLogging()
        self._health = ServerHealth(monotonic)
        self._snapshots = SnapshotPublisher(EngineSnapshot(EngineState.STARTING, people=self._people()), self._tell_setup)
        self._thread: threading.Thread | None = None
        self._stopped = threading.Event()
        # engine-thread state
        self._paused = False
        self._server: ServerInfo | None = None
        self._server_error: str | None = None
        self._logs_error: str | None = None
        self._live: dict[str, LiveSession] = {}  # by machine id
        self._live_all: tuple[LiveSession, ...] = ()  # as listed (a copied client id may appear twice)
        self._account_ids: dict[str, str] = {}  # Plex account name (case-folded) → id, never forgotten
        self._sessions: dict[str, WatchSession] = {}  # live watch sessions by key
        self._unnamed = UnnamedPlays()  # stand-ins waiting for the read that names their device
        self._last_any_log_event: float | None = None
        self._problems: dict[str, str] = {}
        self._poll_in_flight = False
        self._poll_again = False  # a notice named a session while a list was already on its way
        self._next_server_poll = 0.0
        self._next_tick = 0.0
        self._next_prune = monotonic() + PRUNE_SECONDS
        self._heap = HeapTrim(monotonic)  # a burst's freed memory goes back, not kept for good
        self._next_log_read = 0.0
        self._last_log_read = 0.0
        self._log_watch = log_watch
        self._watching_logs = False
        self._started_mono = monotonic()

    # ---------------------------------------------------------------- the loop (engine thread)

    def _run(self) -> None:
        log.info("engine started")
        try:
            failures = RepeatedFailures(log, "engine step failed")
            self._start_log_watch()
            try:  # a first snapshot that cannot be made is a failed step, not a dead engine
                self._request_server_info()
                self._live_source.start()
                self._publish()
            except Exception as exc:
                failures.failed(exc)
            while not self._stopped.is_set():
                try:
                    self._step()
                except Exception as exc:  # e.g. "database is locked": one step lost, not the engine
                    failures.failed(exc)
                else:
                    failures.succeeded()
            failures.close()
        except Exception:
            log.exception("engine crashed")
            raise
        finally:
            self._shutdown()

    def _step(self) -> None:
        timeout = max(0.0, self._next_wake() - self._mono())
        try:
            message = self._queue.get(timeout=timeout)
            self._handle(message)
            while True:  # drain what else is waiting before touching the logs again
                self._handle(self._queue.get_nowait())
        except queue.Empty:
            pass
        if self._stopped.is_set():
            return
        now = self._mono()
        if now >= self._next_log_read:
            self._last_log_read = now
            self._read_logs()
            self._next_log_read = now + log_poll_interval(
                watching=self._watching_logs, waiting_for_names=bool(self._unnamed),
                logs_error=self._logs_error is not None, poll_seconds=self.config.poll_seconds)
        if self._sessions:  # a live play: its rules are re-checked every second
            self._next_tick = min(self._next_tick, now + TICK_SECONDS)
        server_due = self._client is not None and now >= self._next_server_poll
        if now >= self._next_tick or server_due:
            self._next_tick = now + tick_interval(live_plays=bool(self._sessions))
            self._tick()

    def _next_wake(self) -> float:
        """When the loop must look again without being told: the earliest of its timers."""
        wake = min(self._next_log_read, self._next_tick)
        if self._client is not None and not self._poll_in_flight:
            wake = min(wake, self._next_server_poll)
        return wake

    def _start_log_watch(self) -> None:
        if self._log_watch is None or self._saver is None:
            return
        self._watching_logs = self._log_watch.start(lambda: self._queue.put(msg.LogsChanged()))  # its thread

    def _shutdown(self) -> None:
        if self._log_watch is not None:
            self._log_watch.stop()  # never raises
        self._live_source.close()
        try:
            self._read_logs()  # what Plex wrote up to now still goes into the history
        except Exception:
            log.exception("final read of the logs failed")
        if self._saver is not None:
            try:
                self._saver.close()
            except Exception:
                log.exception("closing the log saver failed")
        log.info("engine stopped")

    def _handle(self, message: Any) -> None:
        if isinstance(message, msg.Stop):
            self._stopped.set()
        elif isinstance(message, msg.LogsChanged):
            if self._log_watch is not None:
                self._log_watch.taken()  # before the read: a write during it wakes us again
            self._next_log_read = min(self._next_log_read, self._last_log_read + MIN_READ_GAP)
        elif isinstance(message, msg.Pause):
            self._paused = True
            self._publish()
        elif isinstance(message, msg.Resume):
            self._paused = False
            self._publish()
            self._check_all()
        elif isinstance(message, msg.Grant):
            if self._enforcer.grant(message):
                self._people_view.invalidate()  # "minutes left" rises at once
                self._publish()
                self._check_all()
        elif isinstance(message, msg.ReloadProfiles):
            self._reload_profiles(force=True)
        elif isinstance(message, msg.Problem):
            self._problem(message.key, message.text)
        elif isinstance(message, msg.ServerInfoResult):
            self._on_server_info(message)
        elif isinstance(message, msg.LiveSessionsResult):
            self._on_live_sessions(message)
        elif isinstance(message, msg.PlayNotices):
            self._on_play_notices(message)
        elif isinstance(message, msg.SocketState):
            self._on_socket_state(message)
        elif isinstance(message, msg.MediaResult):
            self._on_media(message)
        elif isinstance(message, msg.ActionResult):
            self._on_action_result(message)
        elif isinstance(message, msg.AccountsResult):
            for name, account_id in message.ids.items():
                self._account_ids.setdefault(name, account_id)

    # ---------------------------------------------------------------- log source

    def _read_logs(self) -> None:
        """New lines to the parser first; then let the saver commit when due. A saving error
        (disk full) never costs the engine the lines it was already handed."""
        if self._saver is None:
            return
        # Reads follow Plex's writes now, so "the next read" may come mid-report: a stand-in
        # waits `poll_seconds`, as long as a poll used to, for the line that names its device.
        waited = self._unnamed.take_ripe(self._mono(), self.config.poll_seconds - MIN_READ_GAP)
        try:
            batch = self._saver.read_new()
        except (PlexTrayError, OSError) as exc:
            self._set_logs_error(_reason(exc, "cannot read Plex's logs"))
            self._judge_unnamed(waited)
            return
        for gap in batch.gaps:
            self._problem("gap", f"Plex deleted log lines before they could be saved: {gap.describe()}")
        events: list[PlaybackEvent] = []
        for line in batch.lines:
            events.extend(self._parser.feed(line))
        self._rejections.handle(self._parser.take_rejected())  # refused by Plex: never plays
        if events:
            self._apply_events(events, from_log=True)
        self._judge_unnamed(waited)
        try:
            self._saver.maybe_flush()
        except (PlexTrayError, OSError) as exc:
            self._set_logs_error(_reason(exc, "cannot save Plex's logs"))
            return
        self._set_logs_error(None)

    def _judge_unnamed(self, waited: set[str]) -> None:
        """Stand-ins a read later that still name no device (the log never will): judged as they are."""
        for key in waited:
            session = self._sessions.get(key)
            if session is not None and key not in self._unnamed:
                self._check(session)

    def _apply_events(self, events: list[PlaybackEvent], *, from_log: bool) -> None:
        now = self._mono()
        updated: dict[str, WatchSession] = {}
        for event in events:
            for session in self._folder.feed(event):
                updated[session.key] = session
        if from_log:
            self._last_any_log_event = now
            self._debug.log_showed_playback(now)  # (unless a pref just read says otherwise)
            if self._problems.pop("debug_logging", None) is not None:
                self._publish()  # the log shows playback again: the hint no longer holds
        retired = self._folder.retired()
        for key in retired:
            updated.pop(key, None)
            self._hand_over(key, updated)
        if not updated and not retired:
            return
        with self._history.transaction():
            if retired:
                self._history.delete_sessions(retired)
            self._history.upsert_sessions(list(updated.values()))  # their devices too
        for session in updated.values():
            if from_log and session.key not in self._sessions and is_stand_in(session.client_id):
                self._unnamed.add(session.key, self._last_log_read)
            if session.live:
                self._sessions[session.key] = session
            else:
                self._sessions.pop(session.key, None)
            if from_log and session.state in ("playing", "buffering"):
                self._enforcer.playing_again(session)
            self._check(session)
        self._publish()

    def _hand_over(self, old_key: str, updated: dict[str, WatchSession]) -> None:
        self._unnamed.discard(old_key)
        old = self._sessions.pop(old_key, None)
        if old is None:
            return
        heir = heir_of(old, updated.values())
        if heir is not None:
            self._enforcer.hand_over(old, heir)

    # ---------------------------------------------------------------- server source

    def _request_server_info(self) -> None:
        client = self._client
        if client is None:
            return

        self._runner.submit(server_info_job(client, self._queue.put))

    def _poll_server(self) -> None:
        client = self._client
        if client is None:
            return
        if self._poll_in_flight:
            self._poll_again = True
            return
        self._poll_in_flight = True
        self._runner.submit(sessions_job(client, self._queue.put, self._live_source.feed.ask()))

    def _on_server_info(self, result: msg.ServerInfoResult) -> None:
        if result.info is None:
            self._set_server_error(result.error)
            return
        self._server = result.info
        self._debug.pref_read(result.debug_logging, self._mono())
        self._set_server_error(None)
        if result.info.plex_pass:
            self._problems.pop("plex_pass", None)  # stopping works again
        self._publish()
        if not result.info.plex_pass:
            self._problem(
                "plex_pass",
                "Stopping playback needs Plex Pass on the server; plextray will notify and alert instead.",
            )

    def _on_live_sessions(self, result: msg.LiveSessionsResult) -> None:
        self._poll_in_flight = False
        if self._poll_again:
            self._poll_again = False
            self._poll_server()
        if result.sessions is None:
            self._set_server_error(result.error)
            return
        was_down = self._server_error is not None or self._server is None
        self._set_server_error(None)
        if was_down:
            self._request_server_info()
        self._live = {s.machine_id: s for s in result.sessions if s.machine_id}
        self._live_all = result.sessions
        learn_account_ids(self._account_ids, result.sessions)
        self._enforcer.live_update()
        self._debug.pref_read(result.debug_logging, self._mono())  # switched off (or on) since last asked
        events = self._live_source.feed.sessions(result.sessions, self._now_iso(), asked_at=result.asked_at)
        if events and self._server_makes_plays():
            self._apply_events(events, from_log=False)
        self._check_debug_logging(result.sessions)

    def _on_play_notices(self, notices: msg.PlayNotices) -> None:
        """Plex's websocket: known sessions go straight to the rules; a new one waits for the
        session list that names it (asked for at once)."""
        events, fetch = self._live_source.on_notices(notices, self._now_iso())
        if fetch:
            self._poll_server()
        if events and self._server_makes_plays():
            self._apply_events(events, from_log=False)

    def _on_socket_state(self, state: msg.SocketState) -> None:
        problem = self._live_source.on_socket(state)
        self._poll_server()  # lost: fall back to the list at once; back: catch up on what was missed
        self._next_server_poll = self._mono() + self._live_source.poll_interval()
        if problem:
            self._problems[SOCKET_PROBLEM] = problem
        elif problem == "":
            self._problems.pop(SOCKET_PROBLEM, None)
        self._publish()

    def _server_makes_plays(self) -> bool:
        since = self._last_any_log_event if self._last_any_log_event is not None else self._started_mono
        return self._live_source.makes_plays(log_readable=self._saver is not None and self._logs_error is None,
                                             debug_logging=self._debug.state, log_silent_for=self._mono() - since)

    def _now_iso(self) -> str:
        return self._now().isoformat(timespec="milliseconds")

    def _check_debug_logging(self, sessions: tuple[LiveSession, ...]) -> None:
        if self._saver is None:
            return
        since = self._last_any_log_event if self._last_any_log_event is not None else self._started_mono
        playing = any(s.state == "playing" for s in sessions)
        if self._debug.log_silent(playing=playing, silent_for=self._mono() - since, limit=LOG_SILENCE_FOR_DEBUG_HINT):
            self._problem("debug_logging", DEBUG_HINT)

    # ---------------------------------------------------------------- rules

    def _tick(self) -> None:
        now = self._mono()
        if self._client is not None and now >= self._next_server_poll:
            self._next_server_poll = now + self._live_source.poll_interval(failing=self._server_error is not None)
            self._poll_server()
        self._reload_profiles()
        if self._people_view.due(any(s.state in ("playing", "buffering") for s in self._sessions.values())):
            self._publish()  # minutes watched and left move on during a play
        self._check_debug_logging(tuple(self._live_source.feed.live()))
        self._heap.tick()
        if self._tz is not None:
            from plextray.core.localtime import to_utc

            wall = self._now()  # in the repeated autumn hour, now() says which reading by its fold
            now_utc = to_utc(wall, self._tz, fold=wall.fold)
            ended = self._folder.expire(now_utc)
            if now >= self._next_prune:
                self._next_prune = now + PRUNE_SECONDS
                self._enforcer.prune(now_utc)
            if ended:
                self._history.upsert_sessions(ended)
                for session in ended:
                    self._sessions.pop(session.key, None)
                self._publish()
        self._check_all()

    def _check_all(self) -> None:
        for session in list(self._sessions.values()):
            self._check(session)

    def _check(self, session: WatchSession) -> None:
        if session.key in self._unnamed:
            return
        if not self._paused and self._enforcer.check(session):
            self._publish()

    def _on_action_result(self, result: msg.ActionResult) -> None:
        self._enforcer.on_action_result(result)
        if result.kind == STOP and result.ok:
            self._people_view.invalidate(stops=True)
        if result.kind == STOP and result.plex_pass_missing:
            self._server = replace(self._server, plex_pass=False) if self._server else None
            self._problem("plex_pass", "Stopping playback needs Plex Pass on the server; plextray will notify and alert instead.")
        self._publish()

    # ---------------------------------------------------------------- helpers

    def _profiles(self) -> Profiles:
        current = self._profiles_store.current
        if current is None:
            current = self._profiles_store.load()  # raises ProfileError: refuse to start with none
        return current

    def _people(self) -> tuple[str, ...]:
        return tuple(p.name for p in self._profiles().people)

    def _reload_profiles(self, *, force: bool = False) -> None:
        result = self._profiles_store.reload() if force else self._profiles_store.reload_if_changed()
        if result is None:
            return
        if isinstance(result, ProfileError):
            self._problem("profiles", f"profiles.json has a problem; still using the last good one: {result}")
            return
        self._problems.pop("profiles", None)
        self._people_view.invalidate()
        self._enforcer.tracker.grace_seconds = result.settings.grace_seconds
        log.info("profiles reloaded: %d people", len(result.people))
        self._publish()
        self._check_all()

    def _on_media(self, result: msg.MediaResult) -> None:
        waiting = self._media_lookup.answered(result, outage=bool(self._health.error))
        if waiting is None:
            return
        for key in waiting:
            session = self._sessions.get(key)
            if session is not None:
                self._check(session)
        self._publish()

    def _live_account(self, client_id: str) -> str | None:
        live = self._live.get(client_id)
        return live.account if live else self._live_source.feed.account_of(client_id)

    def _set_server_error(self, error: str | None) -> None:
        if error:
            self._health.failed(error)  # logged once per outage, then counted
            # ask again at the fallback pace, to see it come back (the socket may look fine)
            self._next_server_poll = min(self._next_server_poll, self._mono() + self._live_source.poll_interval(failing=True))
        else:
            self._health.answered()
        if error != self._server_error:
            self._server_error = error
            self._publish()

    def _set_logs_error(self, error: str | None) -> None:
        if error != self._logs_error:
            if error:
                log.warning("logs: %s", error)
            self._logs_error = error
            self._publish()

    def _problem(self, key: str, text: str) -> None:
        """Say a lasting problem once (log + notification), and keep it in the snapshot."""
        if self._problems.get(key) == text:
            return
        self._problems[key] = text
        log.warning("%s", text)
        self._runner.notify(("", ""), None, "plextray", text, kind="problem")
        self._publish()

    def _publish(self) -> None:
        snapshot = build_snapshot(
            paused=self._paused,
            server_error=self._server_error,
            logs_error=self._logs_error,
            last_violation=self._enforcer.last_violation,
            violation_age=None if self._enforcer.last_violation_at is None else self._mono() - self._enforcer.last_violation_at,
            sessions=list(self._sessions.values()),
            profiles=self._profiles_store.current,
            media=self._media_lookup.cached,
            problems=tuple(self._problems.values()),
            people_status=self._people_view.view(self._profiles_store.current, self._sessions.values()),
            setup=check_setup(server_configured=self._client is not None, logs_found=self._saver is not None,
                              profiles=self._profiles_store.current),
            live_source=self._live_source.name,
            debug_logging=self._debug.state,
        )
        self._snapshots.publish(snapshot)

    def _tell_setup(self, snapshot: EngineSnapshot) -> None:
        """The "needs setup" notification, shown once per run."""
        self._runner.notify(("", ""), None, "plextray needs setting up", " ".join(snapshot.problems[:3]), kind="problem")


def _reason(exc: Exception, what: str) -> str:
    if isinstance(exc, PlexTrayError):
        return str(exc)
    return f"{what}: {getattr(exc, 'strerror', None) or exc}"
