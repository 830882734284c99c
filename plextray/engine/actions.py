"""Carrying out actions off the engine thread: stopping a stream, notifying, alerting.

Each action runs on a small worker pool and reports back an ActionResult message, so the engine
records "stopped" versus "stop failed: server unreachable" and retries a failed stop later.
A stop ends exactly one session the server lists for that player, item and account
(core.identity.match_session) or nothing at all: "could not stop: no matching session".
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Collection
from concurrent.futures import Future, ThreadPoolExecutor, wait
from typing import Any, Protocol

from plextray.control import Notifier, OfferNotifier
from plextray.core.identity import match_session
from plextray.core.offers import Offer, with_hints
from plextray.core.model import LiveSession
from plextray.engine.messages import ActionResult
from plextray.errors import PlexError, PlexNotFound, PlexPassRequired, PlexUnreachable

log = logging.getLogger(__name__)

NO_MATCH = "could not stop: no matching session"


class Alerter(Protocol):
    """Delivers alerts. One may also have a `configured` property (False: no destination set up,
    the alert is skipped), e.g. plextray.alerts.deferred's, which learns it at the first alert."""

    def send(self, title: str, body: str) -> None: ...


class StopClient(Protocol):
    def sessions(self) -> list[LiveSession]: ...

    def stop(self, session_id: str, reason: str) -> None: ...


class ActionRunner:
    """Runs actions on worker threads; `post` delivers each ActionResult to the engine."""

    def __init__(
        self,
        post: Callable[[Any], None],
        *,
        notifier: Notifier,
        alerter: Alerter | None = None,
        client: StopClient | None = None,
        workers: int = 3,
    ) -> None:
        self._post = post
        self._notifier = notifier
        self._alerter = alerter
        self._client = client
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="plextray-action")
        self._pending: set[Future[None]] = set()
        self._pending_lock = threading.Lock()

    def submit(self, func: Callable[[], Any]) -> None:
        """Run any blocking call off the engine thread (server polls, metadata look-ups)."""
        try:
            future = self._pool.submit(self._guard, func)
        except RuntimeError:  # shutting down
            return
        with self._pending_lock:
            self._pending.add(future)
        future.add_done_callback(self._done)

    def _done(self, future: "Future[None]") -> None:
        with self._pending_lock:
            self._pending.discard(future)

    def notify(self, play: tuple[str, str], violation_id: int | None, title: str, message: str, kind: str = "notify",
               offers: tuple[Offer, ...] = ()) -> None:
        """`offers`: buttons for a notifier that can show them (OfferNotifier); in words otherwise."""

        def run() -> ActionResult:
            if offers and isinstance(self._notifier, OfferNotifier):
                ok = self._notifier.notify_offers(title, message, offers)
            else:
                ok = self._notifier.notify(title, with_hints(message, offers))
            return ActionResult(kind, play, violation_id, ok, "shown" if ok else "no notification service; logged")

        self.submit(lambda: self._post(run()))

    def alert(self, play: tuple[str, str], violation_id: int | None, title: str, message: str) -> None:
        def run() -> ActionResult:
            if self._alerter is None or not getattr(self._alerter, "configured", True):
                return ActionResult("alert", play, violation_id, False, "no alert destination configured", outcome="skipped")
            self._alerter.send(title, message)  # queued with retries by the dispatcher; never blocks long
            return ActionResult("alert", play, violation_id, True, "queued for delivery")

        self.submit(lambda: self._post(run()))

    def stop(
        self,
        play: tuple[str, str],
        violation_id: int | None,
        message: str,
        *,
        account: str | None = None,
        account_id: str | None = None,
        ip: str | None = None,
        session_key: str | None = None,
        ended: Collection[str] = (),
    ) -> None:
        """End the one session the server lists for this play's player and item (and account,
        when known). The engine never has two stops of one play in flight (see Enforcer).
        `ended`: server session ids already stopped, which a server may list a moment longer:
        never stopped twice. The result names the watch session asked for (`session_key`) and
        the server session ended, so the engine can tell a stop of the play it judged from one
        that came after the child pressed play again."""
        client_id, rating_key = play

        def result(ok: bool, detail: str, **more: Any) -> ActionResult:
            return ActionResult("stop", play, violation_id, ok, detail, session_key=session_key, **more)

        def run() -> ActionResult:
            if self._client is None:
                return result(False, "no Plex server connected", outcome="skipped")
            try:
                listed = [s for s in self._client.sessions() if s.session_id not in ended]
                live = match_session(listed, client_id, rating_key or None, account=account, account_id=account_id, ip=ip)
                if live is None or not live.session_id:
                    return result(False, NO_MATCH, no_match=True)
                self._client.stop(live.session_id, message)
                return result(True, f"stopped on {live.device or live.product or client_id}",
                              stopped_session=live.session_id)
            except PlexPassRequired as exc:
                return result(False, str(exc), plex_pass_missing=True)
            except PlexNotFound:
                return result(False, "the playback had already ended")
            except PlexUnreachable as exc:
                return result(False, str(exc), retry=True)
            except PlexError as exc:
                return result(False, str(exc), retry=True)

        self.submit(lambda: self._post(run()))

    def close(self, timeout: float = 5.0) -> None:
        """Let queued actions finish (an alert for a violation found just before Quit still goes
        out) for up to `timeout` seconds; what is still running then is abandoned."""
        self._pool.shutdown(wait=False, cancel_futures=False)
        with self._pending_lock:
            pending = list(self._pending)
        wait(pending, timeout=timeout)

    @staticmethod
    def _guard(func: Callable[[], Any]) -> None:
        try:
            func()
        except Exception:  # a failing action must never take the engine down
            log.exception("action failed")
