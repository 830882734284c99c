"""Content ratings of every system Plex writes map to ages that compare across systems."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from plextray.core.ratings import _COUNTRIES, _US, is_known_rating, is_unrated, normalize_rating, rating_age


@pytest.mark.parametrize(
    ("code", "age"),
    [
        ("G", 0), ("PG", 10), ("PG-13", 13), ("R", 17), ("NC-17", 18),
        ("TV-Y", 0), ("TV-Y7", 7), ("TV-Y7-FV", 7), ("TV-G", 0), ("TV-PG", 10), ("TV-14", 14), ("TV-MA", 17),
        ("gb/U", 0), ("gb/PG", 8), ("gb/12", 12), ("gb/12A", 12), ("gb/15", 15), ("gb/18", 18), ("gb/R18", 18),
        ("de/0", 0), ("de/6", 6), ("de/12", 12), ("de/16", 16), ("de/18", 18),
        ("de/FSK 12", 12), ("de/FSK12", 12), ("de/FSK-16", 16), ("de/ab 6", 6), ("FSK 18", 18),
        ("au/G", 0), ("au/PG", 8), ("au/M", 14), ("au/MA15+", 15), ("au/R18+", 18), ("au/X18+", 18),
        ("ca/G", 0), ("ca/PG", 8), ("ca/14A", 14), ("ca/18A", 18), ("ca/R", 18),
        ("fr/U", 0), ("fr/10", 10), ("fr/12", 12), ("fr/16", 16), ("fr/18", 18), ("fr/-12", 12),
        ("nl/AL", 0), ("nl/6", 6), ("nl/9", 9), ("nl/12", 12), ("nl/16", 16),
        ("jp/G", 0), ("jp/PG12", 12), ("jp/R15+", 15), ("jp/R18+", 18),
        ("nz/G", 0), ("nz/PG", 8), ("nz/M", 16), ("nz/R13", 13), ("nz/R16", 16), ("nz/R18", 18),
        ("ie/G", 0), ("ie/PG", 8), ("ie/12A", 12), ("ie/15A", 15), ("ie/16", 16), ("ie/18", 18),
        ("in/U", 0), ("in/UA", 12), ("in/U/A 13+", 13), ("in/A", 18),
        ("br/L", 0), ("br/10", 10), ("br/14", 14), ("br/18", 18),
        ("us/PG-13", 13), ("se/15", 15), ("xx/16+", 16), ("12", 12), ("16+", 16),
        # spellings seen in real libraries (agents, anime agents, hand edits)
        ("au/MA 15+", 15), ("au/R 18+", 18), ("au/X 18+", 18), ("gb/9+", 9), ("gb/14+", 14), ("no/06", 6),
        ("de/BPjM Restricted", 18), ("TV-MA (L, S, V)", 17), ("TV-14 (D,L)", 14),
        ("PG-13 - Teens 13 or older", 13), ("R - 17+ (violence & profanity)", 17), ("PG - Children", 10),
        ("G - All Ages", 0), ("R+ - Mild Nudity", 17), ("Rx - Hentai", 18), ("in/U/A 16+", 16), ("pt/M/12", 12),
    ],
)
def test_known_ratings(code, age):
    assert rating_age(code) == age
    assert is_known_rating(code)
    assert not is_unrated(code)


@pytest.mark.parametrize("code", ["PG-42", "TV-Q", "gb/ZZ", "us/15", "zz/ABC", "99", "hello", "de/FSK"])
def test_unknown_ratings_are_none(code):
    assert rating_age(code) is None
    assert not is_known_rating(code)
    assert not is_unrated(code)


@pytest.mark.parametrize("code", [None, "", "   ", "NR", "Unrated", "Not Rated", "gb/Not Rated", "gb/NR", "N/A", "not  rated", "E (Exempt)"])
def test_unrated_codes(code):
    assert rating_age(code) is None
    assert is_unrated(code)


@pytest.mark.parametrize(
    ("code", "ceiling", "blocked"),
    [
        ("gb/15", "PG", True), ("TV-MA", "PG", True), ("gb/PG", "PG", False), ("TV-PG", "PG", False),
        ("TV-Y7", "PG", False), ("de/6", "PG", False), ("de/12", "PG", True),
        ("de/12", "PG-13", False), ("PG-13", "de/12", True), ("gb/12A", "PG-13", False),
        ("TV-14", "PG-13", True), ("au/MA15+", "au/M", True), ("au/M", "gb/15", False),
        ("ca/14A", "TV-14", False), ("R", "gb/15", True), ("gb/18", "R", True), ("R", "TV-MA", False),
    ],
)
def test_ceilings_across_systems(code, ceiling, blocked):
    assert (rating_age(code) > rating_age(ceiling)) is blocked


def test_normalize():
    assert normalize_rating("  GB / 12a ") == ("gb", "12A")
    assert normalize_rating("pg - 13") == (None, "PG-13")
    assert normalize_rating("au/MA 15+") == ("au", "MA15+")
    assert normalize_rating("Not Rated") == (None, "NOTRATED")
    assert normalize_rating("tv-ma") == (None, "TV-MA")


ALL_CODES = sorted({*_US} | {f"{c}/{code}" for c, table in _COUNTRIES.items() for code in table})


def _mangle(draw, code: str) -> str:
    chars = [ch.upper() if draw(st.booleans()) else ch.lower() for ch in code]
    pad = draw(st.sampled_from(["", " ", "  ", "\t"]))
    return pad + "".join(chars) + draw(st.sampled_from(["", " ", "\n"]))


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_case_and_whitespace_do_not_matter(data):
    code = data.draw(st.sampled_from(ALL_CODES))
    mangled = _mangle(data.draw, code)
    assert rating_age(mangled) == rating_age(code)
    assert rating_age(code) is not None


def test_every_listed_code_has_a_sane_age():
    for code in ALL_CODES:
        age = rating_age(code)
        assert age is not None and 0 <= age <= 21, code
