"""The issue's example profiles.json, verbatim: it must load as-is and mean what it says."""

from __future__ import annotations

import json
from datetime import datetime

import pytest
from support.profiles_example import EXAMPLE_TEXT, IPAD

from plextray.core.context import GrantTotals, PlayContext, Usage
from plextray.core.model import MediaInfo
from plextray.core.rules import evaluate
from plextray.profiles.store import ProfileStore

# 2026-11-23 is a Monday.
MON, TUE, WED, THU, FRI, SAT, SUN = (datetime(2026, 11, 23 + i) for i in range(7))


def at(day: datetime, hhmm: str) -> datetime:
    hours, minutes = map(int, hhmm.split(":"))
    return day.replace(hour=hours, minute=minutes)


def movie(rating: str | None = "G", library: str = "Movies", **kw) -> MediaInfo:
    return MediaInfo(rating_key="1", title="A Film", type="movie", library=library, content_rating=rating, **kw)


@pytest.fixture
def profiles(tmp_path):
    path = tmp_path / "profiles.json"
    path.write_text(EXAMPLE_TEXT, encoding="utf-8")
    return ProfileStore(path).load()


def check(profiles, now, media=None, usage=Usage(), client=IPAD, account=None, grants=GrantTotals()):
    person = profiles.person_for(client, account)
    ctx = PlayContext(now=now, person=person, client_id=client, account=account, media=media or movie(),
                      usage=usage, grants=grants, device="iPad")
    return evaluate(person, ctx, unknown_devices=profiles.unknown_devices)


def ids(evaluation):
    return [v.restriction_id for v in evaluation.violations]


def test_example_loads_as_is(profiles):
    assert [p.name for p in profiles.people] == ["Emma", "Parents"]
    emma = profiles.people[0]
    assert emma.devices == (IPAD, "xk4kbse0xxadzpvi")
    assert emma.accounts == ("emma",)
    assert [r.kind for r in emma.restrictions] == ["time", "time", "rating", "quota", "quota", "library"]
    assert [r.id for r in emma.restrictions] == [f"restrictions[{i}]" for i in range(6)]
    assert emma.restrictions[2].actions == ("notify", "alert", "stop")
    assert profiles.unknown_devices.actions == ("notify",)
    assert profiles.settings.stop_message == "Time's up! Ask a parent if you think this is a mistake."
    assert profiles.settings.grace_seconds == 0
    assert json.loads(EXAMPLE_TEXT)["version"] == profiles.version == 1


def test_who_is_watching(profiles):
    assert profiles.person_for(IPAD, None).name == "Emma"
    assert profiles.person_for("xk4kbse0xxadzpvi", "admin").name == "Emma"  # her device wins
    assert profiles.person_for("some-tv", "EMMA").name == "Emma"
    assert profiles.person_for("some-tv", "admin").name == "Parents"
    assert profiles.person_for("some-tv", "guest") is None
    assert profiles.person_for(None, None) is None


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (at(MON, "20:29"), []),
        (at(MON, "20:30"), ["restrictions[0]"]),
        (at(TUE, "06:59"), ["restrictions[0]"]),  # Monday night
        (at(TUE, "07:00"), []),
        (at(SUN, "20:45"), ["restrictions[0]"]),  # Sunday: school tomorrow
        (at(MON, "06:30"), ["restrictions[0]"]),  # Sunday night
        (at(THU, "23:00"), ["restrictions[0]"]),
        (at(FRI, "06:30"), ["restrictions[0]"]),  # Thursday night
        (at(FRI, "21:00"), []),  # Friday evening: weekend bedtime is later
        (at(FRI, "23:00"), ["restrictions[1]"]),  # not weeknights, but the weekend window
        (at(SAT, "07:30"), ["restrictions[1]"]),  # Friday night until 08:00
        (at(SAT, "08:00"), []),
        (at(SAT, "21:59"), []),
        (at(SAT, "22:00"), ["restrictions[1]"]),
        (at(SUN, "01:00"), ["restrictions[1]"]),  # Saturday night
        (at(SUN, "08:30"), []),
        (at(SUN, "20:29"), []),
        (at(MON, "07:30"), []),  # Sunday night ended at 07:00
        (at(WED, "12:00"), []),
    ],
)
def test_bedtimes_mean_what_a_parent_expects(profiles, now, expected):
    assert ids(check(profiles, now)) == expected


def test_rating_library_and_quotas(profiles):
    noon = at(WED, "12:00")
    result = check(profiles, noon, media=movie("R"))
    assert ids(result) == ["restrictions[2]"]
    assert result.violations[0].reason == "Emma · rating R > PG"
    assert result.violations[0].actions == ("notify", "alert", "stop")
    assert ids(check(profiles, noon, media=movie("gb/PG"))) == []
    assert ids(check(profiles, noon, media=movie("gb/15"))) == ["restrictions[2]"]
    assert ids(check(profiles, noon, media=movie(None))) == ["restrictions[2]"]  # unrated: block
    assert ids(check(profiles, noon, media=movie("G", library="Adult Movies"))) == ["restrictions[5]"]
    assert ids(check(profiles, noon, usage=Usage(minutes_day=120))) == []
    over = check(profiles, noon, usage=Usage(minutes_day=126.2))
    assert ids(over) == ["restrictions[3]"]
    assert over.violations[0].reason == "Emma · 120 min/day quota used (127 min)"
    assert ids(check(profiles, noon, usage=Usage(titles_month=21))) == ["restrictions[4]"]
    assert ids(check(profiles, noon, usage=Usage(titles_month=20))) == []


def test_parents_are_never_restricted_and_strangers_notify(profiles):
    late = at(SAT, "02:00")
    assert check(profiles, late, media=movie("NC-17"), client="tv", account="admin").violations == ()
    stranger = check(profiles, late, client="lounge-tv", account="guest")
    assert [(v.person, v.restriction_id, v.actions) for v in stranger.violations] == [
        (None, "unknown_devices", ("notify",))
    ]
    assert "iPad" in stranger.violations[0].reason
