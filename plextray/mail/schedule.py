"""When the daily digest and the daily logs mail are due. Pure functions, plus a tiny JSON state file.

Rules (a parent can predict them):
- At `digest_time` (local "HH:MM") every day, one digest is due. A digest time before noon sends
  YESTERDAY's report (a morning summary of a complete day); from noon on it sends TODAY's.
- The logs mail at the same time always attaches YESTERDAY's archive (today's is still being written).
- After downtime only the most recent missed one is sent (no burst of stale mails; nothing is
  caught up before the very first one), and the day
  last sent is persisted in the state folder so a restart neither repeats nor skips one.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path

from plextray.errors import ConfigError

STATE_FILE = "mail-state.json"
NOON = time(12, 0)


def parse_clock(value: str) -> time:
    try:
        hours, minutes = value.strip().split(":")
        return time(int(hours), int(minutes))
    except (ValueError, AttributeError):
        raise ConfigError(f"digest time must be HH:MM (24 h), got {value!r}") from None


def report_day_for(slot_day: date, at: time) -> date:
    """The day whose report is sent in the slot of `slot_day` at `at`."""
    return slot_day - timedelta(days=1) if at < NOON else slot_day


def logs_day_for(slot_day: date) -> date:
    return slot_day - timedelta(days=1)


def latest_slot(at: time, now: datetime) -> date:
    """The day of the most recent slot at or before `now`."""
    today = now.date()
    return today if now.time() >= at else today - timedelta(days=1)


def due(digest_time: str | None, last_sent: date | None, now: datetime, *, kind: str = "digest") -> date | None:
    """The day to report on (digest) or whose archive to send (logs) if one is due now, else None."""
    if not digest_time:
        return None
    at = parse_clock(digest_time)
    slot = latest_slot(at, now)
    if last_sent is None and slot != now.date():
        return None  # never sent: start with today's slot, not a catch-up mail on first run
    day = report_day_for(slot, at) if kind == "digest" else logs_day_for(slot)
    if last_sent is not None and last_sent >= day:
        return None
    return day


def next_due_at(digest_time: str | None, last_sent: date | None, now: datetime, *, kind: str = "digest") -> datetime | None:
    """When to wake up next: now if something is due, else the next slot."""
    if not digest_time:
        return None
    if due(digest_time, last_sent, now, kind=kind) is not None:
        return now
    at = parse_clock(digest_time)
    slot = latest_slot(at, now) + timedelta(days=1)
    return datetime.combine(slot, at)


@dataclass(frozen=True, slots=True)
class MailState:
    digest_last_sent: date | None = None  # the report day of the last digest sent
    logs_last_sent: date | None = None  # the archive day of the last logs mail sent


def load_state(state_dir: Path) -> MailState:
    """A missing or unreadable state file means nothing was sent yet (at worst one mail repeats)."""
    try:
        data = json.loads((state_dir / STATE_FILE).read_text(encoding="utf-8"))
        return MailState(
            digest_last_sent=date.fromisoformat(data["digest_last_sent"]) if data.get("digest_last_sent") else None,
            logs_last_sent=date.fromisoformat(data["logs_last_sent"]) if data.get("logs_last_sent") else None,
        )
    except (OSError, ValueError, TypeError, AttributeError):
        return MailState()


def save_state(state_dir: Path, state: MailState) -> None:
    from plextray.config import atomic_write_text

    data = {
        "digest_last_sent": state.digest_last_sent.isoformat() if state.digest_last_sent else None,
        "logs_last_sent": state.logs_last_sent.isoformat() if state.logs_last_sent else None,
    }
    atomic_write_text(state_dir / STATE_FILE, json.dumps(data, indent=2) + "\n")
