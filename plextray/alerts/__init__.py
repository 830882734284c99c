"""Alerts to the parent's phone (or anywhere apprise reaches), delivered off the engine's thread.

The engine calls `AlertDispatcher.send(title, body)`; `alert_message` builds the title and body
from the violation's reason and the actions taken, so every alert says what happened and what was done.
"""

from __future__ import annotations

from collections.abc import Sequence


def alert_message(person: str | None, reason: str, actions_taken: Sequence[str], when: str = "") -> tuple[str, str]:
    """(title, body) for one violation, e.g. ("plextray: Emma", "Emma · rating R > PG ...\nDone: stopped")."""
    title = f"plextray: {person or 'unknown device'}"
    done = ", ".join(actions_taken) if actions_taken else "nothing (alert only)"
    lines = [reason, f"Done: {done}"]
    if when:
        lines.append(f"At: {when}")
    return title, "\n".join(lines)


__all__ = ["alert_message"]
