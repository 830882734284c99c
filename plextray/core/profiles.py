"""The household: people (devices + accounts), their restrictions, and what to do about strangers.

`compile_profiles(doc)` turns a current-version profiles document (already migrated, see
plextray.profiles.schema) into frozen `Profiles`, collecting every problem with its JSON path.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from plextray.core.restrictions import Condition, compile_condition
from plextray.core.specs import Issues, ProfileIssue, Reader, json_type

ACTIONS = ("notify", "alert", "stop")
DEFAULT_STOP_MESSAGE = "Time's up! Ask a parent if you think this is a mistake."
UNKNOWN_DEVICES_ID = "unknown_devices"


@dataclass(frozen=True, slots=True)
class Restriction:
    """One top-level restriction of a person: a compiled condition plus what to do when it is broken.

    `id` is the restriction's place in the file ("restrictions[2]"): stable for as long as the
    file is, so the engine can alert once per session per broken restriction.
    """

    id: str
    condition: Condition
    actions: tuple[str, ...]
    spec: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)  # the JSON it came from

    @property
    def kind(self) -> str:
        return self.condition.kind


@dataclass(frozen=True, slots=True)
class Person:
    name: str
    devices: tuple[str, ...] = ()  # X-Plex-Client-Identifier / machineIdentifier values
    accounts: tuple[str, ...] = ()  # Plex account (user) names
    restrictions: tuple[Restriction, ...] = ()


@dataclass(frozen=True, slots=True)
class UnknownDevicesPolicy:
    """What to do when a device linked to nobody plays: `actions` on every such play, and
    optional `restrictions` applied to them as if they were a person."""

    actions: tuple[str, ...] = ()
    restrictions: tuple[Restriction, ...] = ()


@dataclass(frozen=True, slots=True)
class ProfileSettings:
    stop_message: str = DEFAULT_STOP_MESSAGE
    grace_seconds: int = 0


@dataclass(frozen=True, slots=True)
class Profiles:
    version: int
    people: tuple[Person, ...] = ()
    unknown_devices: UnknownDevicesPolicy = UnknownDevicesPolicy()
    settings: ProfileSettings = ProfileSettings()

    def person_named(self, name: str) -> Person | None:
        wanted = name.strip().casefold()
        return next((p for p in self.people if p.name.casefold() == wanted), None)

    def person_for(self, client_id: str | None, account: str | None) -> Person | None:
        """Who is watching: a linked device wins over an account (a child on a parent's
        account on the child's own tablet is still the child); then the account."""
        if client_id:
            for person in self.people:
                if client_id in person.devices:
                    return person
            lowered = client_id.casefold()
            for person in self.people:
                if any(device.casefold() == lowered for device in person.devices):
                    return person
        if account:
            wanted = account.strip().casefold()
            for person in self.people:
                if any(acc.casefold() == wanted for acc in person.accounts):
                    return person
        return None


def compile_actions(reader: Reader) -> tuple[str, ...] | None:
    actions = reader.string_list("actions")
    if actions is None:
        return None
    for index, action in enumerate(actions):
        if action not in ACTIONS:
            reader.issues.add(f"{reader.at('actions')}[{index}]", f"unknown action {action!r} (use {', '.join(ACTIONS)})")
            return None
    return tuple(dict.fromkeys(actions))


def compile_restrictions(items: list[Any], path: str, id_prefix: str, issues: Issues) -> tuple[Restriction, ...]:
    out: list[Restriction] = []
    for index, spec in enumerate(items):
        at = f"{path}[{index}]"
        condition = compile_condition(spec, at, issues, extra_keys=("actions",))
        if not isinstance(spec, dict):
            continue
        actions = compile_actions(Reader(spec, at, issues))
        if condition is not None and actions is not None:
            out.append(Restriction(f"{id_prefix}[{index}]", condition, actions, spec))
    return tuple(out)


def _person(value: Any, path: str, issues: Issues) -> Person | None:
    if not isinstance(value, dict):
        issues.add(path, f"expected an object (a person), got {json_type(value)}")
        return None
    reader = Reader(value, path, issues)
    reader.check_keys(("name", "devices", "accounts", "restrictions"))
    name = reader.string("name", plain=True)
    devices = reader.string_list("devices", required=False)
    accounts = reader.string_list("accounts", required=False)
    items = reader.array("restrictions", required=False)
    restrictions = compile_restrictions(items or [], reader.at("restrictions"), "restrictions", issues)
    if name is None or devices is None or accounts is None:
        return None
    return Person(name.strip(), devices, accounts, restrictions)


def _check_unique(people: list[tuple[int, Person]], issues: Issues) -> None:
    names: dict[str, str] = {}
    owners: dict[tuple[str, str], str] = {}
    for index, person in people:
        key = person.name.casefold()
        if key in names:
            issues.add(f"$.people[{index}].name", f"another person is already named {names[key]!r}")
        names.setdefault(key, person.name)
        for field_name, values in (("devices", person.devices), ("accounts", person.accounts)):
            for j, value in enumerate(values):
                owner = owners.get((field_name, value.casefold()))
                if owner is not None and owner != person.name:
                    issues.add(f"$.people[{index}].{field_name}[{j}]", f"{value!r} already belongs to {owner}")
                owners.setdefault((field_name, value.casefold()), person.name)


def compile_profiles(doc: Any, issues: Issues) -> Profiles | None:
    """A current-version document → Profiles; None (with issues added) when anything is wrong."""
    if not isinstance(doc, dict):
        issues.add("$", f"expected a JSON object at the top level, got {json_type(doc)}")
        return None
    before = len(issues)
    reader = Reader(doc, "$", issues)
    reader.check_keys(("version", "people", "unknown_devices", "settings"))
    version = reader.integer("version", minimum=1)
    people: list[tuple[int, Person]] = []
    items = reader.array("people")
    for index, value in enumerate(items or []):
        person = _person(value, f"$.people[{index}]", issues)
        if person is not None:
            people.append((index, person))
    _check_unique(people, issues)

    unknown = UnknownDevicesPolicy()
    unknown_reader = reader.obj("unknown_devices", required=False)
    if unknown_reader is not None:
        unknown_reader.check_keys(("actions", "restrictions"))
        actions = compile_actions(unknown_reader) if unknown_reader.has("actions") else ()
        spec_items = unknown_reader.array("restrictions", required=False) or []
        restrictions = compile_restrictions(
            spec_items, unknown_reader.at("restrictions"), f"{UNKNOWN_DEVICES_ID}.restrictions", issues
        )
        unknown = UnknownDevicesPolicy(actions or (), restrictions)

    settings = ProfileSettings()
    settings_reader = reader.obj("settings", required=False)
    if settings_reader is not None:
        settings_reader.check_keys(("stop_message", "grace_seconds"))
        message = settings_reader.string("stop_message", required=False, default=DEFAULT_STOP_MESSAGE)
        grace = settings_reader.integer("grace_seconds", required=False, default=0, minimum=0)
        settings = ProfileSettings(message or DEFAULT_STOP_MESSAGE, grace or 0)

    if len(issues) != before or version is None:
        return None
    return Profiles(version, tuple(p for _, p in people), unknown, settings)


__all__ = [
    "ACTIONS",
    "Person",
    "ProfileIssue",
    "ProfileSettings",
    "Profiles",
    "Restriction",
    "UnknownDevicesPolicy",
    "compile_profiles",
]
