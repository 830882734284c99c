"""Deliver alerts through apprise on a worker thread: the caller never waits, failures are retried.

Each URL is its own job, so a dead Telegram bot does not hold back the ntfy topic. Retries back off
exponentially (base_delay · 2^(n−1), capped) and are scheduled, not slept, so one failing endpoint
does not delay other alerts. Apprise URLs carry tokens and passwords: they are registered with
plextray.secrets and only apprise's privacy form (secrets masked) is ever logged or kept in results.
"""

from __future__ import annotations

import heapq
import itertools
import logging
import queue
import re
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from urllib.parse import parse_qsl, unquote, urlsplit

from plextray.errors import DeliveryError
from plextray.safe_text import clean, clean_lines
from plextray.secrets import redact, register_secret

log = logging.getLogger(__name__)

_TOKENISH = re.compile(r"^[A-Za-z0-9_\-:.~+/=]{8,}$")


@dataclass(frozen=True, slots=True)
class AlertResult:
    url: str  # privacy form: secrets masked
    title: str
    delivered: bool
    attempts: int
    error: str = ""


@dataclass(slots=True)
class _Job:
    url: str
    title: str
    body: str
    attempt: int = 0


def register_url_secrets(url: str) -> None:
    """Mask the whole URL, its password and token-looking path/query parts in everything logged."""
    register_secret(url)
    try:
        parts = urlsplit(url)
    except ValueError:
        return
    register_secret(unquote(parts.password or ""))
    if parts.username and _TOKENISH.match(parts.username) and any(c.isdigit() for c in parts.username):
        register_secret(unquote(parts.username))
    host_port = parts.netloc.rpartition("@")[2].split(":")  # tgram://BOT:TOKEN/…: the token is the "port"
    for piece in [parts.hostname or "", *host_port, *parts.path.split("/")] + [v for _, v in parse_qsl(parts.query)]:
        piece = unquote(piece)
        if _TOKENISH.match(piece) and any(c.isdigit() for c in piece) and any(c.isalpha() for c in piece):
            if len(piece) >= 12:
                register_secret(piece)


def private_url(url: str) -> str:
    """The URL as apprise prints it with privacy on (passwords and tokens shortened to ****)."""
    try:
        from plextray.alerts.apprise_loader import load_apprise

        apprise = load_apprise()
        plugin = apprise.Apprise.instantiate(url)
        if plugin:
            return redact(plugin.url(privacy=True))
    except Exception:  # a URL apprise cannot parse is reported by validate_url
        pass
    scheme = url.split("://", 1)[0] if "://" in url else "?"
    return f"{scheme}://[REDACTED]"


def validate_url(url: str) -> str | None:
    """None if apprise understands the URL, else a message for the settings form."""
    from plextray.alerts.apprise_loader import load_apprise

    apprise = load_apprise()
    if not url.strip():
        return "empty URL"
    if "://" not in url:
        return "not a URL (expected scheme://…, e.g. ntfy://topic)"
    if not apprise.Apprise.instantiate(url.strip()):
        return f"apprise does not understand this URL ({url.split('://', 1)[0]}://…)"
    return None


def _deliver_with_apprise(url: str, title: str, body: str) -> None:
    """One attempt; raises DeliveryError with apprise's own reason on failure."""
    from plextray.alerts.apprise_loader import load_apprise

    apprise = load_apprise()

    app = apprise.Apprise()
    if not app.add(url):
        raise DeliveryError(f"apprise does not understand {private_url(url)}")
    # TEXT: apprise escapes the body for services that read HTML or Markdown (Telegram's default
    # is HTML): a device name holding <a href=…> arrives as the characters it is, never a link
    result = app.notify(body=body, title=title, body_format=apprise.NotifyFormat.TEXT)
    if result:
        return
    reason = ""
    try:
        messages = [e.message for e in result.logs() if str(e.level).upper() in ("WARNING", "ERROR")]
        reason = messages[-1] if messages else ""
    except Exception:
        pass
    raise DeliveryError(redact(reason or "the service did not accept the notification"))


class AlertDispatcher:
    """send() queues and returns; a daemon worker delivers, retries with backoff, records results."""

    def __init__(
        self,
        urls: Sequence[str],
        *,
        max_attempts: int = 5,
        base_delay: float = 1.0,
        max_delay: float = 300.0,
        deliver: Callable[[str, str, str], None] = _deliver_with_apprise,
    ) -> None:
        self.urls = tuple(u.strip() for u in urls if u and u.strip())
        for url in self.urls:
            register_url_secrets(url)
        self.max_attempts = max(1, max_attempts)
        self.base_delay = base_delay
        self.max_delay = max_delay
        self._deliver = deliver
        self._inbox: queue.Queue[_Job | None] = queue.Queue()
        self._results: list[AlertResult] = []
        self._lock = threading.Lock()
        self._pending = 0
        self._idle = threading.Condition(self._lock)
        self._closed = False
        self._thread = threading.Thread(target=self._run, name="plextray-alerts", daemon=True)
        self._thread.start()

    # ---------------------------------------------------------------- caller side

    def send(self, title: str, body: str) -> None:
        """Queue the alert for every URL. Never blocks, never raises for delivery problems."""
        if self._closed:
            log.warning("alert dropped after close: %s", redact(title))
            return
        title, body = clean(title), clean_lines(body)  # plain text, whatever a client wrote
        with self._lock:
            self._pending += len(self.urls)
        for url in self.urls:
            self._inbox.put(_Job(url, title, body))

    @property
    def results(self) -> list[AlertResult]:
        """Final outcome of every (alert, URL): delivered, or given up after max_attempts."""
        with self._lock:
            return list(self._results)

    def wait_idle(self, timeout: float) -> bool:
        """Block until every queued alert is delivered or given up (tests, shutdown)."""
        end = time.monotonic() + timeout
        with self._idle:
            while self._pending:
                left = end - time.monotonic()
                if left <= 0:
                    return False
                self._idle.wait(left)
        return True

    def close(self, timeout: float = 5.0) -> None:
        """Stop taking alerts; give pending ones up to `timeout` seconds, then let the daemon go."""
        if self._closed:
            return
        self._closed = True
        self.wait_idle(timeout)
        self._inbox.put(None)
        self._thread.join(max(0.0, min(timeout, 1.0)))

    # ---------------------------------------------------------------- worker side

    def _delay(self, attempt: int) -> float:
        return min(self.max_delay, self.base_delay * (2 ** (attempt - 1)))

    def _finish(self, job: _Job, delivered: bool, error: str = "") -> None:
        result = AlertResult(private_url(job.url), job.title, delivered, job.attempt, error)
        with self._idle:
            self._results.append(result)
            self._pending -= 1
            self._idle.notify_all()

    def _run(self) -> None:
        retries: list[tuple[float, int, _Job]] = []
        order = itertools.count()
        stopping = False
        while True:
            now = time.monotonic()
            if retries and retries[0][0] <= now:
                job = heapq.heappop(retries)[2]
            else:
                if stopping and not retries:
                    return
                try:
                    item = self._inbox.get(timeout=(retries[0][0] - now) if retries else None)
                except queue.Empty:
                    continue
                if item is None:
                    stopping = True
                    continue
                job = item
            job.attempt += 1
            try:
                self._deliver(job.url, job.title, job.body)
            except Exception as exc:  # apprise, sockets, anything: never kill the worker
                error = redact(str(exc)) or type(exc).__name__
                if job.attempt >= self.max_attempts or stopping:
                    log.error(
                        "alert %r to %s failed after %d attempts: %s",
                        redact(job.title), private_url(job.url), job.attempt, error,
                    )
                    self._finish(job, False, error)
                else:
                    delay = self._delay(job.attempt)
                    log.warning(
                        "alert to %s failed (attempt %d of %d): %s; retrying in %.1f s",
                        private_url(job.url), job.attempt, self.max_attempts, error, delay,
                    )
                    heapq.heappush(retries, (time.monotonic() + delay, next(order), job))
            else:
                log.info("alert %r delivered to %s", redact(job.title), private_url(job.url))
                self._finish(job, True)


def from_config(alert_urls: Sequence[str], **kwargs) -> AlertDispatcher:
    return AlertDispatcher(alert_urls, **kwargs)
