"""The household: people (devices + accounts), their restrictions, and what to do about strangers.

`compile_profiles(doc)` turns a current-version profiles document (already migrated, see
plextray.profiles.schema) into frozen `Profiles`, collecting every problem with its JSON path.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from plextray.core.restriction_types import Condition, compile_condition
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
class SharedMarks:
    """Signals a household says identify nobody on their own (optional top-level `shared`):
    a device marked shared (the living-room TV) is identified by its account; an account
    marked shared (one Plex account for the family) is identified by its device."""

    devices: tuple[str, ...] = ()
    accounts: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Profiles:
    version: int
    people: tuple[Person, ...] = ()
    unknown_devices: UnknownDevicesPolicy = UnknownDevicesPolicy()
    settings: ProfileSettings = ProfileSettings()
    shared: SharedMarks = SharedMarks()

    def person_named(self, name: str) -> Person | None:
        wanted = name.strip().casefold()
        return next((p for p in self.people if p.name.casefold() == wanted), None)

    def person_for(self, client_id: str | None, account: str | None) -> Person | None:
        """Whom a play counts for first (plextray.core.identity): the person with rules when the
        account and the device point at different people (a child on a parent's account on
        the child's own tablet is the child; a child's account on the parents' TV too)."""
        found = who(self, client_id, account)
        wanted = found.counts_for[0] if found.counts_for else None
        return next((p for p in found.people if p.name == wanted), None)


# ---------------------------------------------------------------- who is watching (core.identity)


@dataclass(frozen=True, slots=True)
class Who:
    """The people one play's account and device point at, after the household's shared marks."""

    people: tuple[Person, ...]  # whose restrictions apply (union); () = nobody linked
    counts_for: tuple[str, ...]  # whom the play counts for
    account_people: tuple[str, ...]
    device_person: str | None


def name_key(value: str) -> str:
    """How account names (and device ids in marks) compare: case and outer spaces ignored."""
    return value.strip().casefold()


def account_matches(entry: str, account: str | None, account_id: str | None, ids: Mapping[str, str]) -> bool:
    """A profiles.json account entry (a Plex user name) against an authenticated account: by the
    Plex account id where both are known (a renamed user stays the same person), else by name."""
    if account_id is not None:
        known = ids.get(name_key(entry))
        if known is not None:
            return known == account_id
    return account is not None and name_key(entry) == name_key(account)


def people_with_account(
    profiles: Profiles, account: str | None, account_id: str | None, ids: Mapping[str, str]
) -> tuple[Person, ...]:
    if account is None and account_id is None:
        return ()
    return tuple(p for p in profiles.people if any(account_matches(a, account, account_id, ids) for a in p.accounts))


def person_with_device(profiles: Profiles, client_id: str | None) -> Person | None:
    if not client_id:
        return None
    for person in profiles.people:
        if client_id in person.devices:
            return person
    lowered = client_id.casefold()
    return next((p for p in profiles.people if any(d.casefold() == lowered for d in p.devices)), None)


def who(
    profiles: Profiles,
    client_id: str | None,
    account: str | None,
    account_id: str | None = None,
    ids: Mapping[str, str] | None = None,
) -> Who:
    """Account and device → people: the union of both (the stricter wins); an account listed
    under several people is told apart by device; shared marks silence one signal. The ranking
    of evidence (server, log, client) is plextray.core.identity's."""
    ids = ids or {}
    shared = profiles.shared
    if account is not None and any(account_matches(a, account, account_id, ids) for a in shared.accounts):
        by_account: tuple[Person, ...] = ()  # an account marked shared: its device decides
    else:
        by_account = people_with_account(profiles, account, account_id, ids)
    device = person_with_device(profiles, client_id)
    if device is not None and client_id and name_key(client_id) in {name_key(d) for d in shared.devices}:
        device = None  # a device marked shared: its account decides
    if len(by_account) > 1 and device is not None:
        people: tuple[Person, ...] = (device,)  # one Plex account for several people
    else:
        people = _union(by_account, (device,) if device is not None else ())
    return Who(people, counts_for(people), tuple(p.name for p in by_account), device.name if device else None)


def counts_for(people: Sequence[Person]) -> tuple[str, ...]:
    """Whom a play counts for: those with rules (the child, not the parent whose TV it is);
    when nobody has rules, the first (the account's person, else the device's)."""
    ruled = tuple(p.name for p in people if p.restrictions)
    if ruled:
        return ruled
    return (people[0].name,) if people else ()


def _union(*groups: Iterable[Person]) -> tuple[Person, ...]:
    seen: dict[str, Person] = {}
    for group in groups:
        for person in group:
            seen.setdefault(person.name, person)
    return tuple(seen.values())




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
        # an account may be listed under several people (one Plex account for the family: the
        # device tells them apart, see core.identity); `check-config` says so
        for field_name, values in (("devices", person.devices),):
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
    reader.check_keys(("version", "people", "unknown_devices", "settings", "shared"))
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

    shared = SharedMarks()
    shared_reader = reader.obj("shared", required=False)
    if shared_reader is not None:
        shared_reader.check_keys(("devices", "accounts"))
        shared_devices = shared_reader.string_list("devices", required=False) or ()
        shared_accounts = shared_reader.string_list("accounts", required=False) or ()
        shared = SharedMarks(tuple(shared_devices), tuple(shared_accounts))

    if len(issues) != before or version is None:
        return None
    return Profiles(version, tuple(p for _, p in people), unknown, settings, shared)


def shared_accounts(profiles: Profiles) -> dict[str, tuple[str, ...]]:
    """Accounts listed under more than one person (case-folded) → those people's names: such a
    household is told apart by device only (check-config says so)."""
    owners: dict[str, list[str]] = {}
    for person in profiles.people:
        for account in person.accounts:
            names = owners.setdefault(name_key(account), [])
            if person.name not in names:
                names.append(person.name)
    return {account: tuple(names) for account, names in owners.items() if len(names) > 1}


__all__ = [
    "ACTIONS",
    "Person",
    "ProfileIssue",
    "ProfileSettings",
    "Profiles",
    "SharedMarks",
    "Restriction",
    "UnknownDevicesPolicy",
    "Who",
    "account_matches",
    "compile_profiles",
    "counts_for",
    "name_key",
    "people_with_account",
    "person_with_device",
    "shared_accounts",
    "who",
]
