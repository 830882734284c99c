"""What the CLI, the tray menu and the scheduler call: send the digest, the logs, a test; run what is due.

All of it blocks on SMTP, so the tray and the engine run it on `MailScheduler`'s thread (or their
own worker), never on the UI or engine thread. The scheduler runs in every plextray process, most
of which never send a mail: the message builders (and the report folding under them) and the SMTP
client are imported when a mail is made, not with this module.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from plextray.config import AppConfig, EmailSettings
from plextray.errors import DeliveryError, PlexTrayError
from plextray.paths import AppPaths

if TYPE_CHECKING:
    import ssl

    from plextray.mail.smtp import Mailer

log = logging.getLogger(__name__)


def make_mailer(
    paths: AppPaths,
    settings: EmailSettings,
    *,
    ssl_context: ssl.SSLContext | None = None,
    max_attempts: int = 3,
    base_delay: float = 2.0,
    timeout: float = 30.0,
) -> Mailer:
    if not settings.configured:
        raise DeliveryError("e-mail is not set up: choose an SMTP server and recipients in the settings")
    from plextray.mail.smtp import Mailer, SmtpSender, outbox_dir

    sender = SmtpSender(settings, ssl_context=ssl_context, timeout=timeout)
    return Mailer(sender, outbox_dir(paths.home), max_attempts=max_attempts, base_delay=base_delay)


def send_digest(paths: AppPaths, mailer: Mailer, day: date, *, now: datetime) -> None:
    from plextray.mail import messages
    from plextray.reports.build import build_report

    report = build_report(paths, day, now=now)
    mailer.deliver(messages.digest_message(mailer.sender.settings, report, now=now))  # type: ignore[arg-type]


def send_weekly(paths: AppPaths, mailer: Mailer, monday: date, *, now: datetime) -> None:
    """The weekly digest: the week (Mon–Sun) starting `monday`, cut at today if not over."""
    from plextray.mail import messages
    from plextray.reports.build import build_report

    report = build_report(paths, monday, kind="week", now=now)
    mailer.deliver(messages.digest_message(mailer.sender.settings, report, now=now))  # type: ignore[arg-type]


def send_logs(paths: AppPaths, mailer: Mailer, day: date, *, now: datetime) -> None:
    from plextray.mail import messages

    mailer.deliver(messages.logs_message(mailer.sender.settings, paths.archives, day, now=now))


def send_test(mailer: Mailer, *, now: datetime) -> None:
    """A test goes straight to the server once (no outbox): the settings window shows the error."""
    from plextray.mail import messages

    mailer.sender.send(messages.probe_message(mailer.sender.settings, now=now))


def run_due(paths: AppPaths, config: AppConfig, now: datetime, *, mailer: Mailer | None = None) -> list[str]:
    """Flush the outbox, then send the digest / logs mail if due. Returns what was done (for the log)."""
    settings = config.email
    if not settings.configured:
        return []
    from plextray.mail import schedule
    from plextray.mail.smtp import SendReport

    mailer = mailer or make_mailer(paths, settings)
    done: list[str] = []
    state = schedule.load_state(paths.home)
    report: SendReport = mailer.flush_outbox()
    if report.sent:
        done.append(f"sent {report.sent} kept e-mail(s) from the outbox")
    if report.failed:
        done.append(f"{report.failed} e-mail(s) refused for good by the SMTP server, set aside: {report.errors[0]}")
    day = schedule.due(settings.digest_time, state.digest_last_sent, now, kind="digest")
    # kept in the outbox counts as sent: the outbox delivers it, the schedule must not add another
    if day is not None and _send_due(f"digest of {day}", lambda: send_digest(paths, mailer, day, now=now), done):
        state = replace(state, digest_last_sent=day)
        schedule.save_state(paths.home, state)
    week = schedule.weekly_due(settings.weekly_digest, state.weekly_last_sent, now)
    if week is not None and _send_due(
        f"weekly digest of {week}", lambda: send_weekly(paths, mailer, week, now=now), done
    ):
        state = replace(state, weekly_last_sent=week)
        schedule.save_state(paths.home, state)
    if settings.send_logs_daily:
        logs_day = schedule.due(settings.digest_time, state.logs_last_sent, now, kind="logs")
        if logs_day is not None:
            # not made (no archive for that day): nothing to send, so not retried either
            _send_due(f"logs of {logs_day}", lambda: send_logs(paths, mailer, logs_day, now=now), done)
            state = replace(state, logs_last_sent=logs_day)
            schedule.save_state(paths.home, state)
    return done


def _send_due(what: str, send: Callable[[], object], done: list[str]) -> bool:
    """Send one scheduled mail and say how it went in `done`. False: it could not be made (e.g.
    a broken profiles.json), so the schedule may try again; the other mails still go."""
    from plextray.mail.smtp import PermanentRefusal  # (loaded with the mailer already)

    try:
        send()
        done.append(f"sent the {what}")
    except PermanentRefusal as exc:
        done.append(f"{what} refused for good: {exc}")
    except DeliveryError as exc:
        done.append(f"{what} kept in the outbox: {exc}")
    except PlexTrayError as exc:
        done.append(f"{what} not made: {exc}")
        return False
    return True


def email_now(paths: AppPaths, what: str, day: date | None = None, *, now: datetime | None = None) -> str:
    """The tray's "E-mail today's logs" / "E-mail today's report": blocking, so call it off the UI thread.

    Returns a sentence for a notification; raises PlexTrayError (DeliveryError, ArchiveError, ConfigError)
    with a sentence too.
    """
    from plextray.config import load_config

    moment = now or datetime.now()
    day = day or moment.date()
    mailer = make_mailer(paths, load_config(paths.config).email)
    if what == "logs":
        send_logs(paths, mailer, day, now=moment)
        return f"The logs of {day} were e-mailed to {', '.join(mailer.sender.settings.recipients)}."
    if what == "digest":
        send_digest(paths, mailer, day, now=moment)
        return f"The report of {day} was e-mailed to {', '.join(mailer.sender.settings.recipients)}."
    raise ValueError(f"unknown e-mail {what!r}")


class MailScheduler:
    """A daemon thread that runs `run_due` every `interval` seconds (config re-read each time)."""

    def __init__(self, paths: AppPaths, load_config, *, interval: float = 60.0, make=None) -> None:
        self.paths = paths
        self._load_config = load_config
        self.interval = interval
        self._make = make  # (paths, EmailSettings) -> Mailer; tests pass one with a trusted TLS context
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="plextray-mail", daemon=True)

    def start(self) -> "MailScheduler":
        self._thread.start()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        self._thread.join(timeout)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                config = self._load_config()
                mailer = self._make(self.paths, config.email) if (self._make and config.email.configured) else None
                for line in run_due(self.paths, config, datetime.now(), mailer=mailer):
                    log.info("mail: %s", line)
            except PlexTrayError as exc:
                log.warning("mail: %s", exc)
            except Exception:  # the scheduler must outlive any one bad run
                log.exception("mail: unexpected error")
            self._stop.wait(self.interval)


def outbox_path(paths: AppPaths) -> Path:
    from plextray.mail.smtp import outbox_dir

    return outbox_dir(paths.home)
