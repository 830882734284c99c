"""`plextray email digest|logs|test|password|outbox`: the daily digest, logs by e-mail, and their setup."""

from __future__ import annotations

import argparse
import getpass
from datetime import date, datetime, timedelta

from plextray.errors import ConfigError, DeliveryError
from plextray.paths import AppPaths


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("email", help="send the daily digest or the day's logs by e-mail")
    sub = parser.add_subparsers(dest="email_command", metavar="ACTION", required=True)
    digest = sub.add_parser("digest", help="e-mail the day's report now")
    digest.add_argument("--date", metavar="YYYY-MM-DD", help="the day (default: today)")
    digest.add_argument("--week", action="store_true", help="the weekly digest of the week (Mon–Sun) containing --date")
    digest.set_defaults(handler=run_digest)
    logs = sub.add_parser("logs", help="e-mail the day's log archive (archives/YYYY-MM-DD.log.gz)")
    logs.add_argument("--date", metavar="YYYY-MM-DD", help="the day (default: today)")
    logs.set_defaults(handler=run_logs)
    test = sub.add_parser("test", help="send a test e-mail with the current settings")
    test.set_defaults(handler=run_test)
    password = sub.add_parser("password", help="store the SMTP password in the OS keyring (asked, never echoed)")
    password.set_defaults(handler=run_password)
    outbox = sub.add_parser("outbox", help="retry the e-mails kept in the outbox")
    outbox.set_defaults(handler=run_outbox)


def _day(value: str | None):
    if not value:
        return date.today()
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ConfigError(f"--date: expected YYYY-MM-DD, got {value!r}") from None


def _setup():
    from plextray.config import load_config
    from plextray.mail.service import make_mailer

    paths = AppPaths.default()
    config = load_config(paths.config)
    return paths, make_mailer(paths, config.email)


def run_digest(args: argparse.Namespace) -> int:
    return _send_now("digest", args)


def run_logs(args: argparse.Namespace) -> int:
    return _send_now("logs", args)


def _send_now(what: str, args: argparse.Namespace) -> int:
    """The day's digest or log archive, sent now (through the outbox, so nothing is lost)."""
    from plextray.mail.service import send_digest, send_logs, send_weekly

    send = send_digest if what == "digest" else send_logs
    day = _day(args.date)
    if what == "digest" and getattr(args, "week", False):
        send, day, what = send_weekly, day - timedelta(days=day.weekday()), "weekly digest"
    paths, mailer = _setup()
    send(paths, mailer, day, now=datetime.now())
    print(f"{what} of {day} sent to {', '.join(mailer.sender.settings.recipients)}")
    return 0


def run_test(args: argparse.Namespace) -> int:
    from plextray.mail.service import send_test

    _, mailer = _setup()
    send_test(mailer, now=datetime.now())
    print(f"test e-mail sent to {', '.join(mailer.sender.settings.recipients)}")
    return 0


def run_password(args: argparse.Namespace) -> int:
    from plextray.config import load_config
    from plextray.mail.smtp import keyring_user, set_password

    settings = load_config(AppPaths.default().config).email
    if not (settings.host and settings.username):
        raise ConfigError("set the SMTP server and user name in the settings first")
    password = getpass.getpass(f"SMTP password for {settings.username}@{settings.host}: ")
    if not password:
        raise ConfigError("no password given; nothing stored")
    set_password(settings, password)
    print(f"stored in the OS keyring as {keyring_user(settings)}")
    return 0


def run_outbox(args: argparse.Namespace) -> int:
    _, mailer = _setup()
    report = mailer.flush_outbox()
    print(f"{report.sent} sent, {report.kept} kept in {mailer.outbox}")
    if report.errors:
        raise DeliveryError(report.errors[0])
    return 0
