"""Untrusted text is made safe per destination: no control or bidi character, bounded length."""

from __future__ import annotations

import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from plextray import safe_text

BIDI = set("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def _forbidden(ch: str) -> bool:
    return unicodedata.category(ch) == "Cc" or ch in BIDI or ch in "\u2028\u2029"


@given(st.text(), st.integers(min_value=1, max_value=400))
def test_any_string_leaves_clean_with_no_control_or_bidi_and_within_the_cap(value, limit):
    for cleaner in (safe_text.clean, safe_text.for_terminal, safe_text.for_header, safe_text.for_log):
        out = cleaner(value, limit)
        assert not any(_forbidden(ch) for ch in out), (cleaner.__name__, out)
        assert len(out) <= limit


def test_escape_sequences_and_forged_lines_become_visible_replacements():
    attack = "\x1b[2J\x1b[31mPWNED\x9b1m\nFAKE 2099-01-01 admin on Parents-TV\u202eevil"
    out = safe_text.for_terminal(attack)
    assert "\x1b" not in out and "\n" not in out and "\u202e" not in out and "\x9b" not in out
    assert out.count(safe_text.REPLACEMENT) == 5
    assert "PWNED" in out and "FAKE" in out


def test_the_log_form_escapes_so_a_record_stays_one_line_and_shows_what_was_sent():
    assert safe_text.for_log("TV\nERROR forged\x1b[0m") == "TV\\nERROR forged\\x1b[0m"
    assert safe_text.for_log("a\u202eb") == "a\\u202eb"


def test_long_values_are_cut_with_an_ellipsis():
    out = safe_text.clean("x" * 200_000)
    assert len(out) == safe_text.LIMIT and out.endswith("…")
    assert safe_text.clean("short") == "short"
    assert safe_text.clean("y" * 500, None) == "y" * 500


def test_real_names_with_accents_emoji_and_cjk_pass_unchanged():
    for name in ("Zoë's iPad", "Télé du salon", "👨‍👩‍👧 Family TV", "客厅电视", "Ελένη"):
        assert safe_text.for_terminal(name) == name
        assert safe_text.for_header(name) == name
        assert safe_text.for_log(name) == name
        assert not safe_text.has_unsafe(name)


@given(st.text(), st.integers(min_value=1, max_value=400))
def test_notification_and_alert_text_keep_only_their_own_line_breaks_and_no_markup(value, limit):
    for cleaner in (safe_text.for_notification, safe_text.clean_lines):
        out = cleaner(value, limit)
        assert not any(_forbidden(ch) and ch != "\n" for ch in out), (cleaner.__name__, out)
        assert out.count("\n") <= value.count("\n") and len(out) <= limit
    assert not set("<&") & set(safe_text.for_notification(value))


@given(st.dictionaries(st.text(), st.one_of(st.text(), st.none(), st.integers())))
def test_json_output_shows_no_control_or_bidi_and_decodes_to_the_same_values(data):
    import json

    encoded = safe_text.for_json(json.dumps(data, ensure_ascii=False))
    assert not any(_forbidden(ch) for ch in encoded)
    assert json.loads(encoded) == data


@given(st.text(max_size=300))
def test_the_rule_core_refuses_exactly_the_characters_the_edges_replace(value):
    from plextray.core.specs import has_unsafe

    assert has_unsafe(value) == safe_text.has_unsafe(value) == any(_forbidden(ch) for ch in value)


def test_a_report_model_is_cleaned_value_by_value_and_keeps_its_shape():
    from plextray.core.report_model import ActionTaken, ViolationEntry
    from plextray.reports.safe import scrub

    entry = ViolationEntry("2026-03-10T20:31:05", "time", "bedtime\x1b[2J", "Night\nShift", "x" * 5000,
                           (ActionTaken("stop", "ok", "stopped on TV\u202e", "2026-03-10T20:31:06"),))
    clean = scrub(entry)
    assert type(clean) is ViolationEntry and clean.time == entry.time
    assert clean.reason == "bedtime\ufffd[2J" and clean.title == "Night\ufffdShift" and len(clean.device) == 200
    assert clean.actions[0].detail == "stopped on TV\ufffd"
