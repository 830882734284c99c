"""A report with every text in it made safe to show (plextray.safe_text.clean), before rendering.

Why one pass over the model and not a call in every renderer: titles, device names, products,
accounts and violation reasons reach the report from Plex's log (chosen by any client on the
LAN) and from the library. Cleaned here once, at the edge, they cannot reach the terminal
(`report --format text`), the digest e-mail's text part or its subject as escape sequences or
forged lines, and no value is longer than safe_text.LIMIT (a 200 kB device name made an
833 kB e-mail). The database keeps the raw values; the JSON report is not cleaned (JSON escapes
its strings, and a program reading it gets the values as they are).
"""

from __future__ import annotations

import dataclasses
from typing import Any, TypeVar

from plextray.safe_text import clean

T = TypeVar("T")


def scrub(value: T) -> T:
    """`value` with every string inside it (dataclass fields, tuples, lists, dicts) cleaned."""
    return _scrub(value)  # type: ignore[no-any-return]


def _scrub(value: Any) -> Any:
    if isinstance(value, str):
        return clean(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {f.name: _scrub(getattr(value, f.name)) for f in dataclasses.fields(value) if f.init}
        return dataclasses.replace(value, **changes)
    if isinstance(value, tuple):
        items = [_scrub(item) for item in value]
        return type(value)(*items) if hasattr(value, "_fields") else type(value)(items)
    if isinstance(value, list):
        return [_scrub(item) for item in value]
    if isinstance(value, dict):
        return {_scrub(key): _scrub(item) for key, item in value.items()}
    return value
