"""The e-mails plextray writes: the daily digest (text + HTML alternative), logs by e-mail, a test message."""

from __future__ import annotations

import socket
from datetime import date, datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path

from plextray.config import EmailSettings
from plextray.core.report_fold import DayReport, PeriodReport
from plextray.errors import ArchiveError, DeliveryError
from plextray.safe_text import for_header

MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024  # most providers refuse more than ~25 MB once base64-encoded


def _base(settings: EmailSettings, subject: str, now: datetime) -> EmailMessage:
    if not settings.recipients:
        raise DeliveryError("no e-mail recipients are set (settings → E-mail)")
    sender = settings.sender or settings.username or f"plextray@{socket.gethostname()}"
    message = EmailMessage()
    message["Subject"] = for_header(subject, limit=400)  # never a line break: it would add headers
    message["From"] = sender
    message["To"] = ", ".join(settings.recipients)
    message["Date"] = format_datetime(now.astimezone())
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    message["X-Mailer"] = "plextray"
    return message


def digest_subject(report: DayReport | PeriodReport, *, include_parents: bool = False) -> str:
    """Short (≤ 78 characters), what matters first: "Leo stopped 2× · Emma at limit · Tue 17 Nov"."""
    from plextray.mail import digest

    return digest.subject(report, digest.shown_names(report, include_parents))


def digest_message(settings: EmailSettings, report: DayReport | PeriodReport, *, now: datetime) -> EmailMessage:
    """The day's (or week's) digest: a text part, and an HTML part in one 600 px column whose chart
    is a PNG attached inline (mail clients drop SVG) — see plextray.mail.digest."""
    from plextray.mail import digest
    from plextray.reports.safe import scrub

    report = scrub(report)  # names and titles come from Plex's log and library: cleaned, cut to size
    message = _base(settings, "plextray digest", now)
    return digest.compose(message, report, digest.shown_names(report, settings.digest_include_parents))


def find_archive(archive_dir: Path, day: date) -> Path | None:
    """The day's archive: via plextray.logs.archive.list_archives when present, else `*.log.gz` by name."""
    wanted = f"{day.isoformat()}.log.gz"
    try:
        from plextray.logs.archive import list_archives  # written by the archive helper
    except ImportError:
        candidates = sorted(archive_dir.glob("*.log.gz")) if archive_dir.is_dir() else []
    else:
        candidates = [Path(getattr(a, "path", a)) for a in list_archives(archive_dir)]
    return next((p for p in candidates if p.name == wanted), None)


def committed_bytes(archive_dir: Path, path: Path, max_bytes: int = MAX_ATTACHMENT_BYTES) -> bytes:
    """The archive up to the saver's committed size: today's file may be growing, and a half-written
    gzip member at its end would make the attachment look corrupt. (Checkpoint read first, then the file.)"""
    committed = None
    try:
        from plextray.logs.checkpoint import load_checkpoint

        checkpoint = load_checkpoint(archive_dir)
        committed = checkpoint.archives.get(path.name) if checkpoint else None
    except Exception:  # no saver checkpoint (or another build): the file as it is
        committed = None
    size = path.stat().st_size if committed is None else min(committed, path.stat().st_size)
    if size > max_bytes:
        raise DeliveryError(f"{path.name} is {size / 1e6:.1f} MB, too big to e-mail (limit {max_bytes / 1e6:.0f} MB)")
    with open(path, "rb") as handle:
        return handle.read(size)


def logs_message(settings: EmailSettings, archive_dir: Path, day: date, *, now: datetime,
                 max_bytes: int = MAX_ATTACHMENT_BYTES) -> EmailMessage:
    """"Logs by e-mail": the day's archive attached byte for byte (application/gzip)."""
    path = find_archive(archive_dir, day)
    if path is None:
        raise ArchiveError(f"no log archive for {day.isoformat()} in {archive_dir}")
    data = committed_bytes(archive_dir, path, max_bytes)
    size = len(data)
    message = _base(settings, f"plextray · Plex logs of {day.isoformat()}", now)
    message.set_content(
        f"Plex Media Server's log lines of {day.isoformat()}, saved by plextray on {socket.gethostname()}, "
        f"are attached ({path.name}, {size:,} bytes, gzip).\n\nOpen with any gzip tool, e.g. `zcat {path.name}`.\n"
    )
    message.add_attachment(data, maintype="application", subtype="gzip", filename=path.name)
    return message


def probe_message(settings: EmailSettings, *, now: datetime) -> EmailMessage:
    message = _base(settings, "plextray test e-mail", now)
    message.set_content(
        f"This is a test e-mail from plextray on {socket.gethostname()}, sent at {now:%Y-%m-%d %H:%M}.\n"
        "If you can read it, digests and logs by e-mail will reach you.\n"
    )
    return message
