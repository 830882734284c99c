"""When the daily digest and the daily logs mail are due. Pure functions, plus a tiny JSON state file.

Rules (a parent can predict them):
- At `digest_time` (local "HH:MM") every day, one digest is due. A digest time before noon sends
  YESTERDAY's report (a morning summary of a complete day); from noon on it sends TODAY's.
- The logs mail at the same time always attaches YESTERDAY's archive (today's is still being written).
- A weekly digest (`weekly_digest`, e.g. "Sun 18:00") sends the week that ends at or just before
  its slot: on Sunday from noon, or Monday before noon, the week ending that Sunday (Mon–Sun);
  on any other day, the last complete week. Its state is the Monday of the week last sent.
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


def parse_time_of_day(value: str) -> time:
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
    at = parse_time_of_day(digest_time)
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
    at = parse_time_of_day(digest_time)
    slot = latest_slot(at, now) + timedelta(days=1)
    return datetime.combine(slot, at)


DAY_WORDS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def parse_weekly(value: str) -> tuple[int, time]:
    """"Sun 18:00" → (6, 18:00). Weekday words in English, three letters or whole."""
    try:
        word, clock = value.strip().split()
        weekday = DAY_WORDS.index(word.strip().lower()[:3])
    except (ValueError, AttributeError):
        raise ConfigError(f"weekly digest must be a weekday and a time, e.g. \"Sun 18:00\", got {value!r}") from None
    return weekday, parse_time_of_day(clock)


def weekly_report_week(slot_day: date, at: time) -> date:
    """The Monday of the week the weekly digest of `slot_day` at `at` reports on."""
    day = report_day_for(slot_day, at)
    monday = day - timedelta(days=day.weekday())
    return monday if day.weekday() == 6 else monday - timedelta(days=7)


def weekly_due(spec: str | None, last_sent: date | None, now: datetime) -> date | None:
    """The Monday of the week to send now, or None (same no-catch-up rule as the daily digest)."""
    if not spec:
        return None
    weekday, at = parse_weekly(spec)
    slot = now.date() - timedelta(days=(now.date().weekday() - weekday) % 7)
    if slot == now.date() and now.time() < at:
        slot -= timedelta(days=7)
    if last_sent is None and slot != now.date():
        return None
    week = weekly_report_week(slot, at)
    if last_sent is not None and last_sent >= week:
        return None
    return week


@dataclass(frozen=True, slots=True)
class MailState:
    digest_last_sent: date | None = None  # the report day of the last digest sent
    logs_last_sent: date | None = None  # the archive day of the last logs mail sent
    weekly_last_sent: date | None = None  # the Monday of the last weekly digest sent


def load_state(state_dir: Path) -> MailState:
    """A missing or unreadable state file means nothing was sent yet (at worst one mail repeats)."""
    try:
        data = json.loads((state_dir / STATE_FILE).read_text(encoding="utf-8"))
        return MailState(
            digest_last_sent=date.fromisoformat(data["digest_last_sent"]) if data.get("digest_last_sent") else None,
            logs_last_sent=date.fromisoformat(data["logs_last_sent"]) if data.get("logs_last_sent") else None,
            weekly_last_sent=date.fromisoformat(data["weekly_last_sent"]) if data.get("weekly_last_sent") else None,
        )
    except (OSError, ValueError, TypeError, AttributeError):
        return MailState()


def save_state(state_dir: Path, state: MailState) -> None:
    from plextray.config import atomic_write_text

    data = {
        "digest_last_sent": state.digest_last_sent.isoformat() if state.digest_last_sent else None,
        "logs_last_sent": state.logs_last_sent.isoformat() if state.logs_last_sent else None,
        "weekly_last_sent": state.weekly_last_sent.isoformat() if state.weekly_last_sent else None,
    }
    atomic_write_text(state_dir / STATE_FILE, json.dumps(data, indent=2) + "\n")
