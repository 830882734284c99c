"""The settings window's logic without a window: validate input, edit the profiles document.

Like Home Assistant's config-flow steps, each validator takes what the user typed and returns
{field: error} (empty when fine), so tests drive every rule without Tk, and the window only has to
put each message next to its field. Document edits return a new dict; nothing here does I/O.
Final validation still belongs to the profile store (`save_raw`), which knows every rule.
"""

from __future__ import annotations

import copy
import re
from typing import Any
from urllib.parse import urlsplit

from plextray.core.days import ScheduleError, parse_clock, parse_days
from plextray.core.ratings import is_known_rating

RESTRICTION_TYPES = ("time", "rating", "quota", "library", "streak")
ACTIONS = ("notify", "alert", "stop")
DAY_CHOICES = ("everyday", "weekdays", "weeknights", "weekend", "mon", "tue", "wed", "thu", "fri", "sat", "sun")
PER_CHOICES = ("day", "week", "month")
QUOTA_UNITS = ("minutes", "titles")
UNRATED_CHOICES = ("block", "allow")
RATING_CHOICES = ("G", "PG", "PG-13", "R", "TV-Y", "TV-Y7", "TV-G", "TV-PG", "TV-14", "gb/12A", "gb/15", "de/12", "au/M", "ca/14A")
# The form fields of each restriction type, in display order.
TYPE_FIELDS: dict[str, tuple[str, ...]] = {
    "time": ("days", "from", "to", "actions"),
    "rating": ("max", "unrated", "actions"),
    "quota": ("amount", "unit", "per", "actions"),
    "library": ("block", "labels", "actions"),
    "streak": ("episodes", "days", "from", "to", "actions"),
}
NOBODY = "(nobody)"
_NAME_MAX = 40


def new_document() -> dict[str, Any]:
    """What an empty profiles.json holds (the issue's shape, no people yet)."""
    return {"version": 1, "people": [], "unknown_devices": {"actions": ["notify"]}}


# ---- server ------------------------------------------------------------------------------


def validate_server(url: str, token: str, log_dir: str, *, token_required: bool = False) -> dict[str, str]:
    errors: dict[str, str] = {}
    url = url.strip()
    if not url:
        errors["url"] = "Enter the server's address, e.g. http://127.0.0.1:32400"
    else:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            errors["url"] = "Use http:// or https:// followed by the host, e.g. http://192.168.1.10:32400"
        else:
            try:
                parts.port
            except ValueError:
                errors["url"] = "The port must be a number between 1 and 65535"
    token = token.strip()
    if token_required and not token:
        errors["token"] = "Enter the Plex token (Plex Web → any item → Get Info → View XML: X-Plex-Token)"
    elif token and (len(token) < 8 or re.search(r"\s", token)):
        errors["token"] = "That does not look like a Plex token (no spaces, usually 20 characters)"
    if log_dir.strip():
        from pathlib import Path

        folder = Path(log_dir.strip()).expanduser()
        if not folder.is_dir():
            errors["log_dir"] = "No such folder"
        else:
            from plextray.errors import LogDirError
            from plextray.logs.locate import require_plex_log

            try:
                require_plex_log(folder)
            except LogDirError as exc:
                errors["log_dir"] = str(exc)
    return errors


# ---- people ------------------------------------------------------------------------------


def person_names(doc: dict[str, Any]) -> list[str]:
    return [str(p.get("name", "")) for p in doc.get("people", []) if isinstance(p, dict)]


def validate_person_name(name: str, existing: list[str], *, current: str | None = None) -> dict[str, str]:
    name = name.strip()
    if not name:
        return {"name": "Enter a name"}
    if len(name) > _NAME_MAX:
        return {"name": f"At most {_NAME_MAX} characters"}
    if name == NOBODY:
        return {"name": "That name is reserved"}
    others = {n.casefold() for n in existing if n != current}
    if name.casefold() in others:
        return {"name": f"{name} is already in the list"}
    return {}


def add_person(doc: dict[str, Any], name: str) -> dict[str, Any]:
    new = copy.deepcopy(doc)
    new.setdefault("people", []).append({"name": name.strip(), "devices": [], "accounts": [], "restrictions": []})
    return new


def rename_person(doc: dict[str, Any], old: str, new_name: str) -> dict[str, Any]:
    new = copy.deepcopy(doc)
    for person in new.get("people", []):
        if person.get("name") == old:
            person["name"] = new_name.strip()
    return new


def remove_person(doc: dict[str, Any], name: str) -> dict[str, Any]:
    """Remove a person; their devices become unknown devices again."""
    new = copy.deepcopy(doc)
    new["people"] = [p for p in new.get("people", []) if p.get("name") != name]
    return new


def person(doc: dict[str, Any], name: str) -> dict[str, Any] | None:
    for entry in doc.get("people", []):
        if entry.get("name") == name:
            return entry
    return None


# ---- devices -----------------------------------------------------------------------------


def owner_of(doc: dict[str, Any], client_id: str) -> str | None:
    for entry in doc.get("people", []):
        if client_id in entry.get("devices", []):
            return str(entry.get("name"))
    return None


def assign_device(doc: dict[str, Any], client_id: str, owner: str | None) -> dict[str, Any]:
    """Link a device to one person (or to nobody): a device belongs to at most one person."""
    new = copy.deepcopy(doc)
    if owner is not None and person(new, owner) is None:
        raise KeyError(owner)
    for entry in new.get("people", []):
        devices = entry.setdefault("devices", [])
        if client_id in devices and entry.get("name") != owner:
            devices.remove(client_id)
        if entry.get("name") == owner and client_id not in devices:
            devices.append(client_id)
    return new


# ---- accounts and shared marks (who is watching: plextray.core.identity) -----------------


def accounts_of(doc: dict[str, Any], name: str) -> list[str]:
    entry = person(doc, name)
    return [str(a) for a in entry.get("accounts", [])] if entry else []


def set_accounts(doc: dict[str, Any], name: str, accounts: list[str]) -> dict[str, Any]:
    """A person's Plex accounts (user names), in the order given, without repeats. An account may
    also be another person's (one account for the family: the device tells them apart)."""
    new = copy.deepcopy(doc)
    entry = person(new, name)
    if entry is None:
        raise KeyError(name)
    entry["accounts"] = list(dict.fromkeys(a.strip() for a in accounts if a.strip()))
    return new


def _shared(doc: dict[str, Any], key: str) -> list[str]:
    shared = doc.get("shared")
    values = shared.get(key, []) if isinstance(shared, dict) else []
    return [str(v) for v in values] if isinstance(values, list) else []


def is_shared(doc: dict[str, Any], key: str, value: str) -> bool:
    """`key` "devices": the device is identified by its account; "accounts": by its device."""
    return value.casefold() in {v.casefold() for v in _shared(doc, key)}


def set_shared(doc: dict[str, Any], key: str, value: str, shared: bool) -> dict[str, Any]:
    new = copy.deepcopy(doc)
    values = [v for v in _shared(new, key) if v.casefold() != value.casefold()]
    if shared:
        values.append(value)
    marks = new.get("shared") if isinstance(new.get("shared"), dict) else {}
    marks = {k: v for k, v in marks.items() if k != key}
    if values:
        marks[key] = values
    if marks:
        new["shared"] = marks
    else:
        new.pop("shared", None)
    return new


# ---- restrictions ------------------------------------------------------------------------


def build_restriction(kind: str, form: dict[str, Any]) -> tuple[dict[str, Any] | None, dict[str, str]]:
    """Form values (strings, and a list for `actions`) → (restriction dict, {}) or (None, {field: error})."""
    errors: dict[str, str] = {}
    if kind not in RESTRICTION_TYPES:
        return None, {"type": f"Choose one of: {', '.join(RESTRICTION_TYPES)}"}
    text = {key: str(value).strip() for key, value in form.items() if key != "actions"}
    actions = [a for a in form.get("actions", []) if a in ACTIONS]
    if not actions:
        errors["actions"] = "Tick at least one action"
    out: dict[str, Any] = {"type": kind}
    if kind in ("time", "streak"):
        _check_window(text, errors, out)
    if kind == "rating":
        ceiling = text.get("max", "")
        if not ceiling:
            errors["max"] = "Choose the highest rating allowed, e.g. PG or gb/12A"
        elif not is_known_rating(ceiling):
            errors["max"] = f"Unknown rating {ceiling!r}: use e.g. PG, TV-14, gb/15, de/12"
        out["max"] = ceiling
        unrated = text.get("unrated", "block") or "block"
        if unrated not in UNRATED_CHOICES:
            errors["unrated"] = "Choose block or allow"
        out["unrated"] = unrated
    elif kind == "quota":
        unit = text.get("unit", "minutes")
        if unit not in QUOTA_UNITS:
            errors["unit"] = "Choose minutes or titles"
        amount = _positive_int(text.get("amount", ""), errors, "amount", limit=100000)
        if amount is not None:
            out[unit] = amount
        per = text.get("per", "day")
        if per not in PER_CHOICES:
            errors["per"] = "Choose day, week or month"
        out["per"] = per
    elif kind == "library":
        block = _split_list(text.get("block", ""))
        if not block:
            errors["block"] = "Name at least one library, e.g. Adult Movies"
        out["block"] = block
        labels = _split_list(text.get("labels", ""))
        if labels:
            out["labels"] = labels
    elif kind == "streak":
        episodes = _positive_int(text.get("episodes", ""), errors, "episodes", limit=100)
        if episodes is not None:
            out = {"type": kind, "episodes": episodes, **{k: v for k, v in out.items() if k != "type"}}
    out["actions"] = actions
    return (None, errors) if errors else (out, {})


def _check_window(text: dict[str, str], errors: dict[str, str], out: dict[str, Any]) -> None:
    from plextray.core.clockwords import normalise_clock

    days = text.get("days", "") or "everyday"
    start, end = text.get("from", ""), text.get("to", "")
    start, end = normalise_clock(start) or start, normalise_clock(end) or end  # "8pm" is 20:00
    for key, value in (("from", start), ("to", end)):
        try:
            parse_clock(value)
        except (ScheduleError, ValueError, TypeError):
            errors[key] = "Use HH:MM (e.g. 20:30) or a time like 8:30pm"
    if "from" not in errors and "to" not in errors and start == end:
        errors["to"] = "The window must not start and end at the same time"
    try:
        overnight = "from" not in errors and "to" not in errors and parse_clock(end) < parse_clock(start)
        parse_days(days, overnight=overnight)
    except (ScheduleError, ValueError, TypeError) as exc:
        errors["days"] = str(exc) or "Unknown days"
    out.update({"days": days, "from": start, "to": end})


def _positive_int(value: str, errors: dict[str, str], key: str, *, limit: int) -> int | None:
    try:
        number = int(value)
    except ValueError:
        errors[key] = "Enter a whole number"
        return None
    if not 1 <= number <= limit:
        errors[key] = f"Enter a number from 1 to {limit}"
        return None
    return number


def _split_list(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


def restriction_form(restriction: dict[str, Any]) -> dict[str, Any]:
    """A restriction dict → the form values that rebuild it (for editing an existing one)."""
    form: dict[str, Any] = {key: str(value) for key, value in restriction.items() if not isinstance(value, (list, dict))}
    form["actions"] = list(restriction.get("actions", []))
    if restriction.get("type") == "quota":
        form["unit"] = "titles" if "titles" in restriction else "minutes"
        form["amount"] = str(restriction.get(form["unit"], ""))
    if restriction.get("type") == "library":
        form["block"] = ", ".join(restriction.get("block", []))
        form["labels"] = ", ".join(restriction.get("labels", []))
    return form


def restriction_summary(restriction: dict[str, Any]) -> str:
    """One line for the list: 'time · weeknights 20:30–07:00 → notify, stop'."""
    kind = restriction.get("type", "?")
    actions = ", ".join(restriction.get("actions", [])) or "no action"
    if kind in ("time", "streak"):
        what = f"{restriction.get('days', 'everyday')} {restriction.get('from')}–{restriction.get('to')}"
        if kind == "streak":
            what = f"{restriction.get('episodes')} episodes in a row, {what}"
    elif kind == "rating":
        what = f"above {restriction.get('max')} (unrated: {restriction.get('unrated', 'block')})"
    elif kind == "quota":
        unit = "titles" if "titles" in restriction else "minutes"
        what = f"{restriction.get(unit)} {unit} per {restriction.get('per', 'day')}"
    elif kind == "library":
        what = ", ".join(restriction.get("block", []) + restriction.get("labels", []))
    else:  # all / any / not combinators: edited in profiles.json
        what = "combined rule (edit profiles.json)"
    return f"{kind} · {what} → {actions}"


def add_restriction(doc: dict[str, Any], name: str, restriction: dict[str, Any]) -> dict[str, Any]:
    new = copy.deepcopy(doc)
    target = person(new, name)
    if target is None:
        raise KeyError(name)
    target.setdefault("restrictions", []).append(restriction)
    return new


def replace_restriction(doc: dict[str, Any], name: str, index: int, restriction: dict[str, Any]) -> dict[str, Any]:
    """The rule at `index` changed in place (Edit): its place, and so its id, stays the same."""
    new = copy.deepcopy(doc)
    target = person(new, name)
    if target is None:
        raise KeyError(name)
    target.setdefault("restrictions", [])[index] = restriction
    return new


def remove_restriction(doc: dict[str, Any], name: str, index: int) -> dict[str, Any]:
    new = copy.deepcopy(doc)
    target = person(new, name)
    if target is None:
        raise KeyError(name)
    del target.setdefault("restrictions", [])[index]
    return new


_FIELD_OF_KEY = {"minutes": "amount", "titles": "amount", "block": "block", "labels": "labels"}


def issues_to_fields(issues: list[Any], person_index: int, restriction_index: int) -> dict[str, str]:
    """The profile store's issues for one restriction → {form field: message}."""
    prefix = f"$.people[{person_index}].restrictions[{restriction_index}]"
    errors: dict[str, str] = {}
    for issue in issues:
        path = str(getattr(issue, "path", ""))
        if not path.startswith(prefix):
            continue
        rest = path[len(prefix):].lstrip(".")
        key = re.split(r"[.\[]", rest, maxsplit=1)[0] if rest else "type"
        errors.setdefault(_FIELD_OF_KEY.get(key, key), str(getattr(issue, "message", issue)))
    return errors
