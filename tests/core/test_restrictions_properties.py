"""Properties of the rule core: logic laws of the combinators, quota monotonicity, purity of the modules."""

from __future__ import annotations

import ast
from datetime import datetime, timedelta
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from plextray.core.context import GrantTotals, PlayContext, Usage
from plextray.core.model import MediaInfo
from plextray.core.restrictions import OK, UNKNOWN, VIOLATED, compile_condition
from plextray.core.specs import Issues

MON = datetime(2026, 11, 23)

LEAVES = [
    {"type": "time", "days": "weeknights", "from": "20:30", "to": "07:00"},
    {"type": "time", "days": ["sat", "sun"], "from": "10:00", "to": "12:00"},
    {"type": "rating", "max": "PG", "unrated": "block"},
    {"type": "rating", "max": "gb/15"},
    {"type": "quota", "minutes": 60, "per": "day"},
    {"type": "quota", "titles": 2, "per": "week"},
    {"type": "library", "block": ["Adult"], "labels": ["scary"]},
    {"type": "streak", "episodes": 2, "from": "21:00", "to": "06:00"},
]

leaf = st.sampled_from(LEAVES)
specs = st.recursive(
    leaf,
    lambda inner: st.one_of(
        st.builds(lambda parts: {"type": "all", "of": parts}, st.lists(inner, min_size=1, max_size=3)),
        st.builds(lambda parts: {"type": "any", "of": parts}, st.lists(inner, min_size=1, max_size=3)),
        st.builds(lambda part: {"type": "not", "of": part}, inner),
    ),
    max_leaves=6,
)

media = st.one_of(
    st.none(),
    st.builds(
        lambda rating, library, labels: MediaInfo(rating_key="1", title="T", type="movie", content_rating=rating,
                                                  library=library, labels=labels),
        st.sampled_from([None, "G", "PG", "R", "gb/15", "de/16", "NR", "ZZ"]),
        st.sampled_from(["Movies", "Adult"]),
        st.sampled_from([(), ("scary",)]),
    ),
)

contexts = st.builds(
    lambda minute, m, used, titles, streak, extra: PlayContext(
        now=MON + timedelta(minutes=minute), media=m, usage=Usage(minutes_day=used, titles_week=titles),
        streak_episodes=streak, grants=GrantTotals(extra_minutes=extra),
    ),
    st.integers(0, 7 * 1440),
    media,
    st.floats(0, 200),
    st.integers(0, 5),
    st.integers(0, 5),
    st.integers(0, 60),
)


def build(spec):
    issues = Issues()
    condition = compile_condition(spec, "$", issues)
    assert condition is not None, issues.items
    return condition


NEGATE = {OK: VIOLATED, VIOLATED: OK, UNKNOWN: UNKNOWN}


@settings(max_examples=250, deadline=None)
@given(a=specs, b=specs, ctx=contexts)
def test_de_morgan_and_double_negation(a, b, ctx):
    not_all = build({"type": "not", "of": {"type": "all", "of": [a, b]}}).evaluate(ctx).state
    any_not = build({"type": "any", "of": [{"type": "not", "of": a}, {"type": "not", "of": b}]}).evaluate(ctx).state
    assert not_all == any_not
    assert build({"type": "not", "of": {"type": "not", "of": a}}).evaluate(ctx).state == build(a).evaluate(ctx).state
    state_a, state_b = build(a).evaluate(ctx).state, build(b).evaluate(ctx).state
    both = build({"type": "all", "of": [a, b]}).evaluate(ctx).state
    if OK in (state_a, state_b):
        assert both == OK
    elif state_a == state_b == VIOLATED:
        assert both == VIOLATED
    else:
        assert both == UNKNOWN
    assert NEGATE[build({"type": "not", "of": a}).evaluate(ctx).state] == state_a


@settings(max_examples=200, deadline=None)
@given(spec=specs, ctx=contexts)
def test_every_verdict_explains_itself(spec, ctx):
    verdict = build(spec).evaluate(ctx)
    assert verdict.state in (OK, VIOLATED, UNKNOWN)
    assert verdict.reason.strip()
    assert build(spec).describe().strip()


@settings(max_examples=200, deadline=None)
@given(limit=st.integers(0, 600), used=st.floats(0, 1000), more=st.floats(0, 100), extra=st.integers(0, 120))
def test_quota_is_monotonic_and_grants_only_help(limit, used, more, extra):
    quota = build({"type": "quota", "minutes": limit, "per": "day"})

    def state(minutes, grant=0):
        return quota.evaluate(PlayContext(now=MON, usage=Usage(minutes_day=minutes), grants=GrantTotals(extra_minutes=grant))).state

    assert state(used) == (VIOLATED if used > limit else OK)
    if state(used) == VIOLATED:
        assert state(used + more) == VIOLATED
    if state(used) == OK:
        assert state(used, extra) == OK


CORE = Path(__file__).resolve().parents[2] / "plextray" / "core"
MINE = ["ratings", "time_windows", "specs", "context", "restrictions", "combinators", "household", "rules"] + sorted(
    f"restriction_types/{path.stem}" for path in (CORE / "restriction_types").glob("*.py"))
CLOCK_METHODS = {"now", "today", "utcnow", "monotonic", "perf_counter", "getenv", "read_text", "urlopen"}
IO_FUNCTIONS = {"open", "input", "print"}


def test_rule_core_is_pure():
    """stdlib (no I/O modules) + plextray.core only; no clock reads, no file access."""
    for name in MINE:
        tree = ast.parse((CORE / f"{name}.py").read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import | ast.ImportFrom):
                modules = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
                for module in modules:
                    assert not module.startswith("plextray") or module.startswith("plextray.core"), (name, module)
                    assert module.split(".")[0] not in {"os", "io", "sqlite3", "socket", "pathlib", "time", "tkinter", "urllib"}, (name, module)
            if isinstance(node, ast.Call):
                func = node.func
                if isinstance(func, ast.Attribute):
                    assert func.attr not in CLOCK_METHODS, (name, func.attr)  # datetime.now(), date.today()
                else:
                    assert getattr(func, "id", "") not in IO_FUNCTIONS, (name, func.id)
