"""Clock times as parents type them: "8pm", "8:30 pm", "20:30", "7.15am" → "HH:MM" (pure)."""

from __future__ import annotations

import re

_WORDS = re.compile(r"^(\d{1,2})(?:[:.h](\d{2}))?\s*([ap])\.?\s*m?\.?$|^(\d{1,2})[:.h](\d{2})$")


def normalise_clock(text: str) -> str | None:
    """The time in 24-hour HH:MM, or None when it is not one. "24:00" (a window's end) is kept."""
    match = _WORDS.match(text.strip().lower())
    if not match:
        return None
    if match.group(4) is not None:
        hour, minute, half = int(match.group(4)), int(match.group(5)), None
    else:
        hour, minute, half = int(match.group(1)), int(match.group(2) or 0), match.group(3)
    if half is not None:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if half == "p" else 0)
    if (hour, minute) == (24, 0):
        return "24:00"
    if hour > 23 or minute > 59:
        return None
    return f"{hour:02d}:{minute:02d}"
