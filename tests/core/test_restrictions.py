"""Each condition type, compiled from JSON, decides and explains itself."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from plextray.core.context import GrantTotals, PlayContext, Usage
from plextray.core.time_windows import ScheduleError, TimeWindow, clock_minutes, parse_days
from plextray.core.model import MediaInfo
from plextray.core.restrictions import OK, UNKNOWN, VIOLATED, compile_condition
from plextray.core.specs import Issues

MON = datetime(2026, 11, 23)  # a Monday


def day(offset: int, hhmm: str = "12:00") -> datetime:
    hours, minutes = map(int, hhmm.split(":"))
    return MON + timedelta(days=offset, hours=hours, minutes=minutes)


def build(spec):
    issues = Issues()
    condition = compile_condition(spec, "$.c", issues)
    assert not issues, issues.items
    return condition


def errors(spec):
    issues = Issues()
    assert compile_condition(spec, "$.c", issues) is None
    return [str(i) for i in issues.items]


def ctx(now=None, media="default", **kw):
    if media == "default":
        media = MediaInfo(rating_key="9", title="T", type="movie", content_rating="PG", library="Movies")
    return PlayContext(now=now or day(2), media=media, **kw)


def film(rating=None, type_="movie", library="Movies", labels=()):
    return MediaInfo(rating_key="9", title="T", type=type_, content_rating=rating, library=library, library_id="3", labels=labels)


# ---- days and windows


@pytest.mark.parametrize(
    ("words", "overnight", "days"),
    [
        ("everyday", True, {0, 1, 2, 3, 4, 5, 6}),
        ("weekdays", False, {0, 1, 2, 3, 4}),
        ("weeknights", True, {6, 0, 1, 2, 3}),
        ("weekend", True, {4, 5}),
        ("weekend", False, {5, 6}),
        ("weekend-nights", False, {4, 5}),
        (["mon", "wed"], False, {0, 2}),
        ("Mon, Wed", True, {0, 2}),
        ([1, "7"], False, {0, 6}),
        (["Friday", "weekend-days"], False, {4, 5, 6}),
    ],
)
def test_day_words(words, overnight, days):
    assert parse_days(words, overnight=overnight) == frozenset(days)


@pytest.mark.parametrize("words", ["someday", ["mon", "funday"], [], "", 8, True, {"d": 1}, [None]])
def test_bad_day_words(words):
    with pytest.raises(ScheduleError):
        parse_days(words, overnight=False)


@pytest.mark.parametrize("text", ["25:00", "12:60", "noon", "7", "24:00", 1230, None, "12:3"])
def test_bad_times(text):
    with pytest.raises(ScheduleError):
        clock_minutes(text)


def test_end_may_be_24():
    assert clock_minutes("24:00", allow_24=True) == 1440
    assert clock_minutes("7:05") == 425


def test_window_list_of_days_and_everyday():
    window = TimeWindow(frozenset({0, 2}), 15 * 60, 17 * 60)  # Mon and Wed afternoons
    assert window.contains(day(0, "15:00")) and window.contains(day(2, "16:59"))
    assert not window.contains(day(1, "16:00")) and not window.contains(day(2, "17:00"))
    every = build({"type": "time", "days": "everyday", "from": "00:00", "to": "24:00"})
    assert all(every.evaluate(ctx(day(d, "23:59"))).state == VIOLATED for d in range(7))


def _naive_contains(window: TimeWindow, now: datetime) -> bool:
    """Reference: walk minute by minute over the occurrences of the last two days."""
    for back in (0, 1):
        start_day = (now - timedelta(days=back)).date()
        if start_day.weekday() not in window.days:
            continue
        begin = datetime.combine(start_day, datetime.min.time()) + timedelta(minutes=window.start)
        end_minutes = window.end if window.end > window.start else window.end + 1440
        end = datetime.combine(start_day, datetime.min.time()) + timedelta(minutes=end_minutes)
        if begin <= now < end:
            return True
    return False


@settings(max_examples=400, deadline=None)
@given(
    days=st.frozensets(st.integers(0, 6), min_size=1),
    start=st.integers(0, 1439),
    length=st.integers(1, 1439),
    minute=st.integers(0, 14 * 1440),
)
def test_windows_agree_with_a_reference(days, start, length, minute):
    end = (start + length) % 1440 or 1440
    window = TimeWindow(days, start, end)
    now = MON + timedelta(minutes=minute)
    assert window.contains(now) == _naive_contains(window, now)
    occurrence = window.occurrence(now)
    if occurrence:
        assert occurrence[0] <= now < occurrence[1]
        assert occurrence[0].weekday() in days


# ---- time


def test_time_window_crossing_midnight_and_lift():
    bedtime = build({"type": "time", "days": "weeknights", "from": "20:30", "to": "07:00"})
    verdict = bedtime.evaluate(ctx(day(0, "21:00")))
    assert (verdict.state, verdict.reason) == (VIOLATED, "bedtime 20:30–07:00")
    assert bedtime.evaluate(ctx(day(4, "23:00"))).state == OK  # Friday night is not a weeknight
    lifted = GrantTotals(lift_until=day(0, "22:00"))
    verdict = bedtime.evaluate(ctx(day(0, "21:00"), grants=lifted))
    assert verdict.state == OK and "lifted until 22:00" in verdict.reason
    assert bedtime.evaluate(ctx(day(0, "22:00"), grants=lifted)).state == VIOLATED
    named = build({"type": "time", "from": "15:00", "to": "17:00", "name": "homework"})
    assert named.evaluate(ctx(day(3, "16:00"))).reason == "homework 15:00–17:00"


def test_time_window_does_not_need_media():
    bedtime = build({"type": "time", "from": "20:00", "to": "06:00"})
    assert bedtime.evaluate(ctx(day(1, "23:00"), media=None)).state == VIOLATED


# ---- rating


@pytest.mark.parametrize(
    ("spec", "media", "state", "reason"),
    [
        ({"max": "PG"}, film("R"), VIOLATED, "rating R > PG"),
        ({"max": "PG"}, film("gb/15"), VIOLATED, "rating gb/15 > PG"),
        ({"max": "PG-13"}, film("de/12"), OK, "rating de/12 ≤ PG-13"),
        ({"max": "de/12"}, film("PG-13"), VIOLATED, "rating PG-13 > de/12"),
        ({"max": "PG"}, film("TV-MA", "episode"), VIOLATED, "rating TV-MA > PG"),
        ({"max": "PG", "unrated": "block"}, film(None), VIOLATED, "unrated (max PG, unrated blocked)"),
        ({"max": "PG", "unrated": "block"}, film("NR"), VIOLATED, "unrated (max PG, unrated blocked)"),
        ({"max": "PG", "unrated": "allow"}, film(None), OK, "unrated allowed"),
        ({"max": "PG"}, film("Not Rated"), OK, "unrated allowed"),
        ({"max": "PG", "unrated": "block"}, film("XYZ"), VIOLATED, "unknown rating 'XYZ' (max PG, unrated blocked)"),
        ({"max": "PG", "unrated": "block"}, film(None, "track"), OK, "no rating needed for a track"),
        ({"max": "PG", "unrated": "block"}, None, UNKNOWN, "rating unknown (media not known yet)"),
    ],
)
def test_rating(spec, media, state, reason):
    verdict = build({"type": "rating", **spec}).evaluate(ctx(media=media))
    assert (verdict.state, verdict.reason) == (state, reason)


# ---- quota


def test_quota_minutes_exactly_at_the_limit_is_allowed():
    quota = build({"type": "quota", "minutes": 120, "per": "day"})
    assert quota.evaluate(ctx(usage=Usage(minutes_day=120.0))).state == OK
    verdict = quota.evaluate(ctx(usage=Usage(minutes_day=120.01)))
    assert (verdict.state, verdict.reason) == (VIOLATED, "120 min/day quota used (121 min)")
    assert quota.evaluate(ctx(usage=Usage(minutes_week=500))).state == OK  # other periods ignored


def test_quota_honours_grants_per_period():
    day_quota = build({"type": "quota", "minutes": 120, "per": "day"})
    week_quota = build({"type": "quota", "minutes": 600, "per": "week"})
    grants = GrantTotals(extra_minutes=30, week_extra_minutes=45)
    verdict = day_quota.evaluate(ctx(usage=Usage(minutes_day=149), grants=grants))
    assert verdict.state == OK
    verdict = day_quota.evaluate(ctx(usage=Usage(minutes_day=151), grants=grants))
    assert (verdict.state, verdict.reason) == (VIOLATED, "120+30 min/day quota used (151 min)")
    assert week_quota.evaluate(ctx(usage=Usage(minutes_week=640), grants=grants)).state == OK
    assert week_quota.evaluate(ctx(usage=Usage(minutes_week=646), grants=grants)).state == VIOLATED


@pytest.mark.parametrize("per", ["day", "week", "month"])
def test_quota_titles(per):
    quota = build({"type": "quota", "titles": 3, "per": per})
    assert quota.evaluate(ctx(usage=Usage(**{f"titles_{per}": 3}))).state == OK
    verdict = quota.evaluate(ctx(usage=Usage(**{f"titles_{per}": 4}), grants=GrantTotals(extra_minutes=60)))
    assert (verdict.state, verdict.reason) == (VIOLATED, f"3 titles/{per} quota used (4 titles)")


# ---- library


def test_library_and_labels():
    rule = build({"type": "library", "block": ["Adult Movies"], "labels": ["No-Kids"]})
    assert rule.evaluate(ctx(media=film(library="adult movies "))).reason == "library adult movies  is blocked"
    assert rule.evaluate(ctx(media=film(labels=("no-kids",)))).state == VIOLATED
    assert rule.evaluate(ctx(media=film(library="Movies"))).state == OK
    assert rule.evaluate(ctx(media=None)).state == UNKNOWN
    by_id = build({"type": "library", "block": ["3"]})
    assert by_id.evaluate(ctx(media=film())).state == VIOLATED


# ---- streak


def test_streak_in_a_night_window():
    streak = build({"type": "streak", "episodes": 3, "days": "everyday", "from": "21:00", "to": "06:00"})
    assert streak.evaluate(ctx(day(1, "23:00"), streak_episodes=3)).state == OK
    verdict = streak.evaluate(ctx(day(1, "23:00"), streak_episodes=4))
    assert (verdict.state, verdict.reason) == (VIOLATED, "4 episodes back to back (limit 3, 21:00–06:00)")
    assert streak.evaluate(ctx(day(2, "05:59"), streak_episodes=9)).state == VIOLATED
    assert streak.evaluate(ctx(day(2, "06:00"), streak_episodes=9)).state == OK
    assert streak.evaluate(ctx(day(1, "23:00"), streak_episodes=9, grants=GrantTotals(lift_until=day(2, "07:00")))).state == OK
    always = build({"type": "streak", "episodes": 2})
    assert always.evaluate(ctx(day(1, "12:00"), streak_episodes=3)).state == VIOLATED


# ---- combinators


NIGHT = {"type": "time", "days": "everyday", "from": "20:00", "to": "06:00"}
PG13 = {"type": "rating", "max": "PG-13"}


def test_all_means_r_rated_only_at_night():
    rule = build({"type": "all", "of": [NIGHT, PG13]})
    verdict = rule.evaluate(ctx(day(0, "21:00"), media=film("R")))
    assert (verdict.state, verdict.reason) == (VIOLATED, "bedtime 20:00–06:00 and rating R > PG-13")
    assert rule.evaluate(ctx(day(0, "15:00"), media=film("R"))).state == OK
    assert rule.evaluate(ctx(day(0, "21:00"), media=film("PG"))).state == OK
    assert rule.evaluate(ctx(day(0, "21:00"), media=None)).state == UNKNOWN
    assert rule.evaluate(ctx(day(0, "15:00"), media=None)).state == OK  # daytime: decided without media


def test_any_and_not():
    rule = build({"type": "any", "of": [NIGHT, PG13]})
    assert rule.evaluate(ctx(day(0, "15:00"), media=film("R"))).reason == "rating R > PG-13"
    assert rule.evaluate(ctx(day(0, "21:00"), media=None)).state == VIOLATED
    assert rule.evaluate(ctx(day(0, "15:00"), media=None)).state == UNKNOWN
    assert rule.evaluate(ctx(day(0, "15:00"), media=film("G"))).state == OK
    only_kids = build({"type": "not", "of": {"type": "library", "block": ["Kids"]}})
    verdict = only_kids.evaluate(ctx(media=film(library="Movies")))
    assert (verdict.state, verdict.reason) == (VIOLATED, "library Movies allowed")
    assert only_kids.evaluate(ctx(media=film(library="Kids"))).state == OK
    nested = build({"type": "not", "of": {"type": "not", "of": PG13}})
    assert nested.evaluate(ctx(media=film("R"))).state == VIOLATED


# ---- compile errors name the path


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ({"type": "bedtime"}, "$.c.type: unknown restriction type 'bedtime'"),
        ({"from": "20:00"}, "$.c.type: missing required field"),
        ("time", "$.c: expected an object"),
        ({"type": "time", "from": "25:00", "to": "07:00"}, "$.c.from: bad time '25:00'"),
        ({"type": "time", "from": "20:00"}, "$.c.to: missing required field"),
        ({"type": "time", "from": "20:00", "to": "20:00"}, "$.c.to: \"from\" and \"to\" are the same"),
        ({"type": "time", "days": "funday", "from": "20:00", "to": "07:00"}, "$.c.days: unknown day word 'funday'"),
        ({"type": "time", "from": "20:00", "to": "07:00", "form": "x"}, "$.c.form: unknown field 'form'"),
        ({"type": "rating", "max": "PG-42"}, "$.c.max: unknown rating 'PG-42'"),
        ({"type": "rating", "max": 13}, "$.c.max: expected a string, got number"),
        ({"type": "rating", "max": "PG", "unrated": "maybe"}, "$.c.unrated: must be \"block\" or \"allow\""),
        ({"type": "quota", "minutes": "120", "per": "day"}, "$.c.minutes: expected a whole number, got string"),
        ({"type": "quota", "minutes": -1, "per": "day"}, "$.c.minutes: must be at least 0"),
        ({"type": "quota", "minutes": 1, "titles": 2, "per": "day"}, "$.c: a quota needs exactly one"),
        ({"type": "quota", "minutes": 1, "per": "fortnight"}, "$.c.per: must be one of day, week, month"),
        ({"type": "library", "block": "Adult"}, "$.c.block: expected an array of strings, got string"),
        ({"type": "library", "block": ["ok", 3]}, "$.c.block[1]: expected a non-empty string"),
        ({"type": "library"}, "$.c: a library restriction needs"),
        ({"type": "streak", "episodes": 0}, "$.c.episodes: must be at least 1"),
        ({"type": "all", "of": []}, "$.c.of: needs at least one condition"),
        ({"type": "all", "of": [{"type": "rating", "max": "Q"}]}, "$.c.of[0].max: unknown rating 'Q'"),
        ({"type": "any", "of": [PG13, {"type": "x"}]}, "$.c.of[1].type: unknown restriction type 'x'"),
        ({"type": "not", "of": [PG13]}, "$.c.of: \"not\" takes one condition object"),
        ({"type": "all", "of": [{**PG13, "actions": ["stop"]}]}, "$.c.of[0].actions: unknown field 'actions'"),
    ],
)
def test_compile_errors(spec, message):
    problems = errors(spec)
    assert any(p.startswith(message) for p in problems), problems


def test_annotations_are_allowed():
    build({"type": "rating", "max": "PG", "comment": "for Emma", "_why": "school"})


def test_descriptions_are_plain_words():
    assert build(NIGHT).describe() == "watching 20:00–06:00 on nights starting every day (bedtime)"
    assert build({"type": "quota", "titles": 20, "per": "month"}).describe() == "more than 20 distinct titles per month"
    assert "rated above PG-13" in build({"type": "all", "of": [NIGHT, PG13]}).describe()
    assert build({"type": "not", "of": {"type": "library", "block": ["Kids"]}}).describe() == (
        "anything except (anything from the library Kids)"
    )
