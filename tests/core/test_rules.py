"""rules.evaluate: violations with stable ids and reasons, quota warnings, strangers, helpers."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from plextray.core.context import GrantTotals, PlayContext, Usage, count_streak, period_bounds
from plextray.core.model import MediaInfo
from plextray.core.household import compile_profiles
from plextray.core.rules import evaluate, left_message, tonight_end
from plextray.core.specs import Issues

WED = datetime(2026, 11, 25)


def profiles_of(doc):
    issues = Issues()
    profiles = compile_profiles({"version": 1, **doc}, issues)
    assert not issues, issues.items
    return profiles


def person(*restrictions):
    return profiles_of({"people": [{"name": "Emma", "devices": ["ipad"], "restrictions": list(restrictions)}]}).people[0]


def ctx(now=WED.replace(hour=12), **kw):
    kw.setdefault("media", MediaInfo(rating_key="1", title="T", type="movie", content_rating="G"))
    return PlayContext(now=now, **kw)


QUOTA = {"type": "quota", "minutes": 60, "per": "day", "actions": ["notify", "stop"]}


@pytest.mark.parametrize(
    ("used", "level", "message"),
    [
        (47.9, None, None),
        (48.0, 80, "Emma has 12 minutes left today"),
        (56.9, 80, "Emma has 3 minutes left today"),
        (57.0, 95, "Emma has 3 minutes left today"),
        (59.5, 95, "Emma has 0 minutes left today"),
        (60.0, 95, "Emma has 0 minutes left today"),
        (60.5, None, None),  # over: a violation, not a warning
    ],
)
def test_quota_warnings(used, level, message):
    result = evaluate(person(QUOTA), ctx(usage=Usage(minutes_day=used)))
    if level is None:
        assert result.warnings == ()
    else:
        (warning,) = result.warnings
        assert (warning.level, warning.message, warning.restriction_id) == (level, message, "restrictions[0]")
        assert result.violations == ()
    assert bool(result.violations) == (used > 60)


def test_warning_counts_grants_and_titles():
    result = evaluate(person(QUOTA), ctx(usage=Usage(minutes_day=70), grants=GrantTotals(extra_minutes=20)))
    assert [w.message for w in result.warnings] == ["Emma has 10 minutes left today"]
    titles = {"type": "quota", "titles": 20, "per": "month", "actions": ["alert"]}
    result = evaluate(person(titles), ctx(usage=Usage(titles_month=19)))
    assert [w.message for w in result.warnings] == ["Emma has 1 title left this month"]


def test_left_message_words():
    assert left_message("Max", 1.0, "minutes", "week") == "Max has 1 minute left this week"
    assert left_message("Max", 30.99, "minutes", "day") == "Max has 30 minutes left today"


def test_violation_reasons_ids_and_pending():
    emma = person(
        {"type": "time", "from": "20:00", "to": "06:00", "actions": ["notify"]},
        {"type": "rating", "max": "PG", "actions": ["stop"]},
        {"type": "library", "block": ["Adult"], "actions": []},
    )
    night = ctx(WED.replace(hour=22), media=None)
    result = evaluate(emma, night)
    assert [(v.restriction_id, v.kind, v.reason, v.actions) for v in result.violations] == [
        ("restrictions[0]", "time", "Emma · bedtime 20:00–06:00", ("notify",))
    ]
    assert result.pending == ("restrictions[1]", "restrictions[2]")
    day = evaluate(emma, ctx(media=MediaInfo(rating_key="1", title="T", type="movie", content_rating="R", library="Adult")))
    assert [(v.restriction_id, v.reason, v.actions) for v in day.violations] == [
        ("restrictions[1]", "Emma · rating R > PG", ("stop",)),
        ("restrictions[2]", "Emma · library Adult is blocked", ()),
    ]
    assert day.pending == () and not day.ok


def test_unknown_devices_actions_and_restrictions():
    profiles = profiles_of({
        "people": [],
        "unknown_devices": {"actions": ["notify"], "restrictions": [{"type": "rating", "max": "TV-14", "actions": ["stop"]}]},
    })
    film = MediaInfo(rating_key="1", title="T", type="movie", content_rating="R")
    result = evaluate(None, ctx(media=film, device="Lounge TV"), unknown_devices=profiles.unknown_devices)
    assert [(v.person, v.restriction_id, v.actions) for v in result.violations] == [
        (None, "unknown_devices", ("notify",)),
        (None, "unknown_devices.restrictions[0]", ("stop",)),
    ]
    assert result.violations[1].reason == "Unknown device Lounge TV · rating R > TV-14"
    assert evaluate(None, ctx()).violations == ()  # no policy: nothing to do


def test_period_bounds():
    now = datetime(2026, 12, 31, 23, 59)  # a Thursday
    assert period_bounds(now, "day") == (datetime(2026, 12, 31), datetime(2027, 1, 1))
    assert period_bounds(now, "week") == (datetime(2026, 12, 28), datetime(2027, 1, 4))
    assert period_bounds(now, "month") == (datetime(2026, 12, 1), datetime(2027, 1, 1))
    assert period_bounds(datetime(2026, 11, 23), "week")[0] == datetime(2026, 11, 23)  # Monday itself
    assert period_bounds(datetime(2026, 11, 29, 23), "week")[0] == datetime(2026, 11, 23)  # Sunday
    with pytest.raises(ValueError):
        period_bounds(now, "year")


def test_count_streak():
    t = WED.replace(hour=21)
    m = timedelta(minutes=1)

    def plays(*gaps):
        out, start = [], t
        for gap in gaps:
            out.append((start, start + 22 * m))
            start = start + 22 * m + gap * m
        return out

    assert count_streak([]) == 0
    assert count_streak(plays(0)) == 1
    assert count_streak(plays(1, 0, 4, 0)) == 4
    assert count_streak(plays(1, 30, 2, 0)) == 2  # a break of 30 minutes starts over
    assert count_streak(plays(1, 6, 0), gap=timedelta(minutes=10)) == 3


def test_tonight_end():
    emma = person(
        {"type": "time", "days": "weeknights", "from": "20:30", "to": "07:00", "actions": ["stop"]},
        {"type": "time", "days": "weekend", "from": "22:00", "to": "08:00", "actions": ["stop"]},
    )
    assert tonight_end(emma, WED.replace(hour=18)) == WED + timedelta(days=1, hours=7)
    assert tonight_end(emma, WED.replace(hour=21)) == WED + timedelta(days=1, hours=7)
    assert tonight_end(emma, WED.replace(hour=2)) == WED + timedelta(hours=7)  # Tuesday night in progress
    friday = WED + timedelta(days=2, hours=19)
    assert tonight_end(emma, friday) == WED + timedelta(days=3, hours=8)
    assert tonight_end(None, WED.replace(hour=18)) == WED + timedelta(days=1, hours=12)


def test_tonight_end_asks_every_condition_for_its_windows_even_inside_combinators():
    """A streak's window and a time window inside all/any/not are lifted too; a rating is not a window."""
    emma = person(
        {"type": "all", "of": [{"type": "time", "from": "19:00", "to": "06:00"}, {"type": "rating", "max": "PG"}],
         "actions": ["stop"]},
        {"type": "streak", "episodes": 2, "from": "21:00", "to": "09:00", "actions": ["stop"]},
        {"type": "not", "of": {"type": "library", "block": ["Kids"]}, "actions": ["stop"]},
    )
    assert tonight_end(emma, WED.replace(hour=18)) == WED + timedelta(days=1, hours=9)
    only_rating = person({"type": "rating", "max": "PG", "actions": ["stop"]})
    assert tonight_end(only_rating, WED.replace(hour=18)) == WED + timedelta(days=1, hours=12)


def test_only_a_top_level_quota_warns():
    """A quota inside all/any holds only some of the time: it never promises minutes left."""
    nested = {"type": "any", "of": [{k: v for k, v in QUOTA.items() if k != "actions"}], "actions": ["stop"]}
    assert evaluate(person(nested), ctx(usage=Usage(minutes_day=50))).warnings == ()
    assert len(evaluate(person(QUOTA), ctx(usage=Usage(minutes_day=50))).warnings) == 1
