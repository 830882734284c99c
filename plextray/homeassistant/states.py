"""What each state topic should hold for one engine snapshot (pure; all published retained).

Titles come from Plex's library and problem sentences may quote log text: both are cleaned and
shortened here (plextray.safe_text), at the edge where they leave for Home Assistant.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date, datetime

from plextray.core.model import EngineSnapshot, PersonStatus
from plextray.homeassistant.discovery import MONITORING, OFF, ON, PROBLEMS, PersonEntry, Topics, person_slugs
from plextray.safe_text import clean

NOTHING = "none"


def people_entries(snapshot: EngineSnapshot) -> list[PersonEntry]:
    slugs = person_slugs(p.name for p in snapshot.people_status)
    return [PersonEntry(p.name, slugs[p.name], p.minutes_left is not None) for p in snapshot.people_status]


def _json(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def last_stop_text(status: PersonStatus, today: date) -> str:
    """'20:01 · Emma · bedtime …' today; with the date on other days; 'none' when never stopped."""
    if not status.last_stop_time:
        return NOTHING
    try:
        moment = datetime.fromisoformat(status.last_stop_time)
        when = moment.strftime("%H:%M") if moment.date() == today else moment.strftime("%Y-%m-%d %H:%M")
    except ValueError:
        when = status.last_stop_time
    return clean(f"{when} · {status.last_stop_reason or 'stopped'}")


def person_states(topics: Topics, entry: PersonEntry, status: PersonStatus, today: date) -> dict[str, str]:
    p = entry.slug
    title = clean(status.now_watching) if status.now_watching else NOTHING
    states = {
        topics.state("minutes_today", p): str(status.minutes_today),
        topics.state("watching", p): ON if status.watching else OFF,
        topics.state("now_watching", p) + "/attributes": _json(
            {"title": clean(status.now_watching) if status.now_watching else None,
             "device": clean(status.device) if status.device else None}),
        topics.state("now_watching", p): title,
        topics.state("last_stop", p) + "/attributes": _json(
            {"reason": clean(status.last_stop_reason) if status.last_stop_reason else None,
             "time": status.last_stop_time}),
        topics.state("last_stop", p): last_stop_text(status, today),
    }
    if status.minutes_left is not None:
        states[topics.state("minutes_left", p)] = str(status.minutes_left)
    return states


def all_states(topics: Topics, snapshot: EngineSnapshot, today: date) -> dict[str, str]:
    """State topic -> payload for the household and every person."""
    states = {
        topics.state(MONITORING): OFF if snapshot.paused else ON,
        topics.state(PROBLEMS) + "/attributes": _json({"problems": [clean(p, 500) for p in snapshot.problems]}),
        topics.state(PROBLEMS): str(len(snapshot.problems)),
    }
    by_name: Mapping[str, PersonStatus] = {p.name: p for p in snapshot.people_status}
    for entry in people_entries(snapshot):
        states.update(person_states(topics, entry, by_name[entry.name], today))
    return states
