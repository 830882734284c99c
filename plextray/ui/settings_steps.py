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

from plextray.core.household import ACTIONS
from plextray.core.restriction_types import REGISTRY, RestrictionType, form_types

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


# ---- restrictions (each type's form is its own: plextray.core.restriction_types) ----------


def restriction_types() -> tuple[str, ...]:
    """The types the form can edit, from the registry (time, rating, quota, library, streak...)."""
    return form_types()


def build_restriction(kind: str, form: dict[str, Any]) -> tuple[dict[str, Any] | None, dict[str, str]]:
    """Form values (strings, and a list for `actions`) → (restriction dict, {}) or (None, {field: error})."""
    errors: dict[str, str] = {}
    kind_type = REGISTRY.get(kind)
    if kind_type is None or not kind_type.fields:
        return None, {"type": f"Choose one of: {', '.join(form_types())}"}
    text = {key: str(value).strip() for key, value in form.items() if key != "actions"}
    actions = [a for a in form.get("actions", []) if a in ACTIONS]
    if not actions:
        errors["actions"] = "Tick at least one action"
    out: dict[str, Any] = {"type": kind, **kind_type.from_form(text, errors), "actions": actions}
    return (None, errors) if errors else (out, {})


def restriction_form(restriction: dict[str, Any]) -> dict[str, Any]:
    """A restriction dict → the form values that rebuild it (for editing an existing one)."""
    kind_type = REGISTRY.get(str(restriction.get("type")))
    form: dict[str, Any] = (kind_type or RestrictionType()).to_form(restriction)
    form["actions"] = list(restriction.get("actions", []))
    return form


def restriction_summary(restriction: dict[str, Any]) -> str:
    """One line for the list: 'time · weeknights 20:30–07:00 → notify, stop'."""
    kind = restriction.get("type", "?")
    actions = ", ".join(restriction.get("actions", [])) or "no action"
    kind_type = REGISTRY.get(str(kind))
    what = kind_type.summary(restriction) if kind_type is not None else "unknown type (edit profiles.json)"
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


def _field_of(key: str, kind: str | None) -> str:
    """The form field that shows problems of a restriction's JSON key ("minutes" → "amount"):
    the type's own form says; without a type, the first form that has such a field."""
    kind_type = REGISTRY.get(kind) if kind is not None else None
    candidates = [kind_type] if kind_type is not None else list(REGISTRY.values())
    return next((found for candidate in candidates if (found := candidate.field_of(key))), key)


def issues_to_fields(issues: list[Any], person_index: int, restriction_index: int,
                     kind: str | None = None) -> dict[str, str]:
    """The profile store's issues for one restriction → {form field: message}."""
    prefix = f"$.people[{person_index}].restrictions[{restriction_index}]"
    errors: dict[str, str] = {}
    for issue in issues:
        path = str(getattr(issue, "path", ""))
        if not path.startswith(prefix):
            continue
        rest = path[len(prefix):].lstrip(".")
        key = re.split(r"[.\[]", rest, maxsplit=1)[0] if rest else "type"
        errors.setdefault(_field_of(key, kind), str(getattr(issue, "message", issue)))
    return errors
