"""Who is watching, from evidence ranked by what Plex authenticates — and which session is theirs.

Client identifiers, device names, products and platforms are chosen by the app talking to Plex:
anyone on the LAN can send any value. The account is decided by Plex (the token it accepted:
`Signed-in Token (name)`, `[Now] User is …`), and the server's own sessions list
(`/status/sessions`: `<User id title>`, `<Player machineIdentifier>`, `<Session id>`) names only
plays Plex is really serving. So, in order of trust:

1. the server's sessions list (account id + name, player, session id);
2. the account the log says Plex signed in;
3. the client identifier (a hint: it can add rules, never remove them).

When the account and the device belong to different people the stricter wins: the play gets the
restrictions of both, and counts for whoever has rules (both, when both have). A household that
shares one Plex account (an account listed under several people) can only be told apart by
device; an account marked shared is identified by its device, a device marked shared by its
account. A play with no authenticated account at all is acted on only once the server lists it.

Pure: profiles and evidence in, an `Identity` out (tests/test_identity.py holds the table).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from plextray.core.model import LiveSession
from plextray.core.household import (
    Person,
    Profiles,
    account_matches,
    counts_for,
    name_key,
    people_with_account,
    person_with_device,
    who,
)
from plextray.core.sessions import is_stand_in

SERVER, LOG, NONE = "server", "log", "none"  # where the account came from


@dataclass(frozen=True, slots=True)
class Evidence:
    """What is known of one play, each field tagged by its source."""

    client_id: str | None  # client-chosen (X-Plex-Client-Identifier)
    log_account: str | None = None  # the account Plex signed in, as the log says
    server: LiveSession | None = None  # the server's own session for this play, when it lists one


@dataclass(frozen=True, slots=True)
class Identity:
    """Whose rules apply to a play and whom it counts for, and which signal said so."""

    people: tuple[Person, ...]  # every person whose restrictions apply (union); () = nobody linked
    counts_for: tuple[str, ...]  # names the play counts for in history, reports and quotas
    account: str | None  # the authenticated account (server's, else the log's)
    account_id: str | None
    account_source: str  # SERVER | LOG | NONE
    account_people: tuple[str, ...]  # people the account points at (after "shared" marks)
    device_person: str | None  # the person the client id points at (after "shared" marks)
    actionable: bool  # False: nothing authenticated says who this is (wait for the server)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(p.name for p in self.people)

    def by_device_only(self) -> bool:
        """True when the account did not identify anyone here: the device decided."""
        return bool(self.device_person) and self.device_person not in self.account_people


def resolve(profiles: Profiles, evidence: Evidence, ids: Mapping[str, str] | None = None) -> Identity:
    """The people behind one play (see the module docstring for the ranks and the union rule).

    `ids`: Plex account name (case-folded) → account id, from the server's accounts list."""
    ids = ids or {}
    server = evidence.server
    if server is not None and (server.account or server.account_id):
        account, account_id, source = server.account, server.account_id, SERVER
    elif evidence.log_account:
        account, account_id, source = evidence.log_account, ids.get(name_key(evidence.log_account)), LOG
    else:
        account, account_id, source = None, None, NONE
    found = who(profiles, evidence.client_id, account, account_id, ids)
    return Identity(
        people=found.people,
        counts_for=found.counts_for,
        account=account,
        account_id=account_id,
        account_source=source,
        account_people=found.account_people,
        device_person=found.device_person,
        actionable=account is not None,
    )


def match_session(
    sessions: Iterable[LiveSession],
    client_id: str,
    rating_key: str | None,
    *,
    account: str | None = None,
    account_id: str | None = None,
    ip: str | None = None,
) -> LiveSession | None:
    """The one server session a stop may target: listed for this player machine id, playing this
    item, for this account when it is known — and only if exactly one session fits. Never "any
    session playing the same item", never "the same device playing another title".

    A stand-in (a report whose lines never named its device) has no machine id: it matches only
    through what Plex authenticated — the same account, item and address, exactly one."""
    if is_stand_in(client_id):
        if (account is None and account_id is None) or rating_key is None or not ip:
            return None
        found = [s for s in sessions if s.rating_key == rating_key and s.address == ip
                 and (s.account or s.account_id) and _same_account(s, account, account_id)]
        return found[0] if len(found) == 1 else None
    wanted = client_id.casefold()
    found = [
        s
        for s in sessions
        if s.machine_id
        and s.machine_id.casefold() == wanted
        and (rating_key is None or s.rating_key == rating_key)
        and _same_account(s, account, account_id)
    ]
    return found[0] if len(found) == 1 else None


def _same_account(session: LiveSession, account: str | None, account_id: str | None) -> bool:
    if account_id is not None and session.account_id is not None:
        return session.account_id == account_id
    if account is not None:
        return session.account is not None and name_key(session.account) == name_key(account)
    return True


def learn_account_ids(ids: dict[str, str], sessions: Iterable[LiveSession]) -> None:
    """Remember each account name the server listed with its id (case-folded name → id). Kept
    for good: a Plex user renamed later is still matched to the profile's old name by id."""
    for session in sessions:
        if session.account and session.account_id:
            ids.setdefault(name_key(session.account), session.account_id)


def fetch_account_ids(client: object) -> dict[str, str]:
    """Name (case-folded) → id from a client's `accounts()` (id → name); {} when it has none or
    the server cannot say (matching then goes by name, as before)."""
    accounts = getattr(client, "accounts", None)
    if accounts is None:
        return {}
    try:
        listed = accounts()
    except Exception:  # an optional refinement: never a reason to fail
        return {}
    return {name_key(name): str(account_id) for account_id, name in dict(listed).items() if name}


def describe(identity: Identity, device_name: str | None) -> str:
    """How a message names who and where, saying which signal identified the person when it was
    not (only) the account: "Living Room TV (Parents' device) — Emma's account". Untrusted names
    are NOT cleaned here: the caller cleans the whole text at its edge (plextray.safe_text)."""
    where = device_name or "an unnamed device"
    owner = identity.device_person
    if identity.account is None:
        return f"{where} ({_possessive(owner)} device) — no signed-in account" if owner else where
    if owner and (owner not in identity.account_people or len(identity.account_people) > 1):
        return f"{where} ({_possessive(owner)} device) — {_possessive(identity.account)} account"
    return where


def _possessive(name: str) -> str:
    return f"{name}'" if name.endswith(("s", "S")) else f"{name}'s"


__all__ = [
    "LOG",
    "NONE",
    "SERVER",
    "Evidence",
    "Identity",
    "account_matches",
    "counts_for",
    "describe",
    "fetch_account_ids",
    "learn_account_ids",
    "match_session",
    "people_with_account",
    "person_with_device",
    "resolve",
]
