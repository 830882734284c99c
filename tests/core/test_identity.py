"""The resolution rules of core.identity as a table: account × device × server evidence → whose
restrictions apply, whom the play counts for, and whether it may be acted on yet."""

from __future__ import annotations

import pytest

from plextray.core.identity import Evidence, describe, match_session, resolve
from plextray.core.model import LiveSession
from plextray.profiles.schema import compile_document

IPAD, LEO_TAB, TV, GUEST = "emma-ipad", "leo-tablet", "living-room-tv", "guest-phone"
PG = {"type": "rating", "max": "PG", "actions": ["stop"]}
BEDTIME = {"type": "time", "from": "20:00", "to": "07:00", "actions": ["stop"]}


def profiles(**extra):
    doc = {
        "version": 1,
        "people": [
            {"name": "Emma", "devices": [IPAD], "accounts": ["emma"], "restrictions": [PG]},
            {"name": "Leo", "devices": [LEO_TAB], "accounts": ["leo"], "restrictions": [BEDTIME]},
            {"name": "Parents", "devices": [TV], "accounts": ["alex", "family"], "restrictions": []},
        ],
        **extra,
    }
    compiled, issues = compile_document(doc)
    assert compiled is not None, issues
    return compiled


def live(machine: str, account: str, account_id: str = "9", rating_key: str = "1002", address: str = "10.0.0.5") -> LiveSession:
    return LiveSession(session_id=f"s-{machine}-{account}", session_key="1", rating_key=rating_key, account=account,
                       account_id=account_id, machine_id=machine, product="Plex", platform="x", device=machine,
                       address=address, state="playing")


# (client id, log account, server session, extra profiles) -> (people, counts for, actionable, restrictions)
TABLE = [
    # one signal, or both agreeing
    (IPAD, "emma", None, {}, ("Emma",), ("Emma",), True, {"Emma": 1}),
    (TV, "alex", None, {}, ("Parents",), ("Parents",), True, {"Parents": 0}),
    (None, "emma", None, {}, ("Emma",), ("Emma",), True, {"Emma": 1}),
    (GUEST, "stranger", None, {}, (), (), True, {}),
    # account and device disagree: the union of both people's rules; counts for whoever has rules
    (TV, "emma", None, {}, ("Emma", "Parents"), ("Emma",), True, {"Emma": 1, "Parents": 0}),
    (IPAD, "alex", None, {}, ("Parents", "Emma"), ("Emma",), True, {"Emma": 1, "Parents": 0}),
    (LEO_TAB, "emma", None, {}, ("Emma", "Leo"), ("Emma", "Leo"), True, {"Emma": 1, "Leo": 1}),
    # a copied client id adds rules, never removes them
    (TV, "leo", None, {}, ("Leo", "Parents"), ("Leo",), True, {"Leo": 1, "Parents": 0}),
    # no authenticated account: history only, acted on once the server lists the play
    (IPAD, None, None, {}, ("Emma",), ("Emma",), False, {"Emma": 1}),
    (IPAD, None, "emma", {}, ("Emma",), ("Emma",), True, {"Emma": 1}),
    # the server outranks the log: it names who Plex is really serving
    (TV, "alex", "leo", {}, ("Leo", "Parents"), ("Leo",), True, {"Leo": 1, "Parents": 0}),
    # marks: a shared device is identified by its account, a shared account by its device
    (TV, "alex", None, {"shared": {"devices": [TV]}}, ("Parents",), ("Parents",), True, {"Parents": 0}),
    (TV, "emma", None, {"shared": {"devices": [TV]}}, ("Emma",), ("Emma",), True, {"Emma": 1}),
    (IPAD, "family", None, {"shared": {"accounts": ["family"]}}, ("Emma",), ("Emma",), True, {"Emma": 1}),
    (GUEST, "family", None, {"shared": {"accounts": ["family"]}}, (), (), True, {}),
]


@pytest.mark.parametrize(("client", "log_account", "server_account", "extra", "people", "counts", "actionable", "rules"),
                         TABLE)
def test_resolution_table(client, log_account, server_account, extra, people, counts, actionable, rules):
    server = live(client or "x", server_account) if server_account else None
    identity = resolve(profiles(**extra), Evidence(client, log_account, server))
    assert identity.names == people
    assert identity.counts_for == counts
    assert identity.actionable is actionable
    assert {p.name: len(p.restrictions) for p in identity.people} == rules


def test_one_account_listed_under_several_people_is_told_apart_by_device():
    doc = profiles()
    shared = compile_document({
        "version": 1,
        "people": [{"name": p.name, "devices": list(p.devices), "accounts": ["family"],
                    "restrictions": [r.spec for r in p.restrictions]} for p in doc.people],
    })[0]
    assert resolve(shared, Evidence(IPAD, "family")).names == ("Emma",)
    assert resolve(shared, Evidence(TV, "family")).names == ("Parents",)
    # an unknown device on the shared account: the stricter wins, all of them apply
    assert set(resolve(shared, Evidence(GUEST, "family")).names) == {"Emma", "Leo", "Parents"}


def test_accounts_match_by_plex_id_when_known_so_a_renamed_user_stays_the_same_person():
    ids = {"emma": "7"}  # learned from the server's accounts list
    renamed = live(TV, "Emma B.", account_id="7")
    assert resolve(profiles(), Evidence(TV, None, renamed), ids).names == ("Emma", "Parents")
    other = live(TV, "emma", account_id="8")  # a different Plex user who took the name
    assert resolve(profiles(), Evidence(TV, None, other), ids).names == ("Parents",)


def test_messages_say_which_signal_identified_the_person():
    assert describe(resolve(profiles(), Evidence(TV, "emma")), "Living Room TV") == \
        "Living Room TV (Parents' device) — emma's account"
    assert describe(resolve(profiles(), Evidence(IPAD, "emma")), "Emma's iPad") == "Emma's iPad"


SESSIONS = [live(TV, "alex", "1"), live(IPAD, "emma", "2"), live(IPAD, "emma", "2", rating_key="2201"),
            live("copied", "alex", "1"), live("copied", "emma", "2")]


@pytest.mark.parametrize(("client", "rating_key", "account", "expected"), [
    (IPAD, "1002", "emma", f"s-{IPAD}-emma"),
    (IPAD, "1002", None, f"s-{IPAD}-emma"),
    (IPAD, "9999", "emma", None),  # never the same device playing another title
    ("nobody", "1002", "emma", None),  # never "any session playing the same item"
    (TV, "1002", "emma", None),  # the TV plays the item, but for another account
    ("copied", "1002", "emma", "s-copied-emma"),  # one client id, two people: the account decides
    ("copied", "1002", None, None),  # ... and without it, nothing is certain: no stop
])
def test_a_stop_matches_exactly_one_listed_session(client, rating_key, account, expected):
    found = match_session(SESSIONS, client, rating_key, account=account)
    assert (found.session_id if found else None) == expected


def test_check_config_says_what_sharing_one_account_means(tmp_path):
    import json

    from plextray.commands.check_config import check_file

    path = tmp_path / "profiles.json"
    path.write_text(json.dumps({"version": 1, "people": [
        {"name": "Emma", "devices": [IPAD], "accounts": ["family"], "restrictions": [PG]},
        {"name": "Parents", "devices": [TV], "accounts": ["Family"]},
    ], "shared": {"devices": [TV]}}))
    lines, ok = check_file(path)
    text = "\n".join(lines)
    assert ok
    assert "Emma and Parents share the Plex account 'family': only the device tells them apart" in text
    assert "One Plex Home managed user per child" in text
    assert f"Shared devices (identified by the account signed in): {TV}" in text


def test_reports_count_a_play_for_the_person_with_rules_and_for_both_when_both_have():
    from plextray.core.report_model import PersonLink
    from plextray.core.report_fold import _Owners, SessionRowLike

    emma = PersonLink("Emma", frozenset({IPAD}), frozenset({"emma"}), ruled=True)
    leo = PersonLink("Leo", frozenset({LEO_TAB}), frozenset({"leo"}), ruled=True)
    parents = PersonLink("Parents", frozenset({TV}), frozenset({"alex", "family"}))
    kid_family = PersonLink("Kid", frozenset({"kid-tab"}), frozenset({"family"}), ruled=True)
    owners = _Owners([emma, leo, parents, kid_family])

    def names(client, account):
        return [p.name for p in owners.all(SessionRowLike(client, account))]

    assert names(TV, "leo") == ["Leo"]  # Leo's own profile on the parents' TV is Leo's
    assert names(IPAD, "alex") == ["Emma"]  # Emma's iPad on a parent's account is Emma's
    assert names(LEO_TAB, "emma") == ["Emma", "Leo"]  # both have rules: both
    assert names(TV, "alex") == ["Parents"]
    assert names("kid-tab", "family") == ["Kid"] and names(TV, "family") == ["Parents"]  # shared: device
    assert names(GUEST, None) == []
