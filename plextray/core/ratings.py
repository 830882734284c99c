"""Content rating → minimum age, for every rating system Plex's agents write.

Plex stores US ratings bare (`PG-13`, `TV-MA`) and the others with a lower-case country prefix
(`gb/15`, `de/12`, `au/MA15+`, `ca/14A`). Comparing ages rather than codes lets a profile say
`"max": "PG"` and still block `gb/15` or `de/16`. Ages are the youngest viewer the board
recommends (advisory ratings such as PG get the age parents usually read into them: PG ≈ 10,
so `gb/PG` (8) and `TV-PG` pass a PG ceiling while `gb/12A` does not).

Codes meaning "not rated" (`NR`, `Unrated`, `gb/Not Rated`, ...) have no age; they are reported
by `is_unrated` so the `unrated` policy of a rating restriction applies to them. Anything else
unknown gives None from `rating_age`.
"""

from __future__ import annotations

import re

# US: MPAA (movies) and the TV Parental Guidelines. Used for bare codes and for a `us/` prefix.
_US: dict[str, int] = {
    "G": 0,
    "PG": 10,
    "PG-13": 13,
    "R": 17,
    "NC-17": 18,
    "X": 18,
    "M": 17,  # 1968-70 MPAA "Mature", later GP/PG
    "GP": 10,
    "TV-Y": 0,
    "TV-G": 0,
    "TV-Y7": 7,
    "TV-Y7-FV": 7,
    "TV-PG": 10,
    "TV-14": 14,
    "TV-MA": 17,
    "TV-13": 13,
    "TVMA": 17,
    "MA-17": 17,
}

# Country-prefixed systems. Numeric codes ("12", "16+", "-12") are understood generically for
# every country (see _numeric_age), so only the lettered codes and oddities need listing here.
_COUNTRIES: dict[str, dict[str, int]] = {
    # United Kingdom (BBFC)
    "gb": {"U": 0, "UC": 0, "E": 0, "PG": 8, "12": 12, "12A": 12, "15": 15, "18": 18, "R18": 18, "X": 18},
    # Germany (FSK); "FSK 12", "ab 12" forms are normalised by _strip_words
    "de": {"0": 0, "6": 6, "12": 12, "16": 16, "18": 18},
    # Australia (ACB): M is advisory (15+), ranked below the legally restricted MA15+
    "au": {"E": 0, "G": 0, "PG": 8, "M": 14, "MA15+": 15, "MA": 15, "R18+": 18, "R": 18, "X18+": 18, "X": 18, "RC": 18, "P": 0, "C": 0},
    # Canada (provincial film boards, Quebec's Régie, Canadian TV)
    "ca": {"E": 0, "G": 0, "PG": 8, "14A": 14, "18A": 18, "R": 18, "A": 18, "13+": 13, "16+": 16, "18+": 18, "C": 0, "C8": 8, "14+": 14},
    # France (CNC / CSA): "U" = tous publics, "TP" likewise
    "fr": {"U": 0, "TP": 0, "10": 10, "12": 12, "16": 16, "18": 18},
    # Netherlands (Kijkwijzer): AL = alle leeftijden
    "nl": {"AL": 0, "6": 6, "9": 9, "12": 12, "14": 14, "16": 16, "18": 18},
    # Japan (Eirin)
    "jp": {"G": 0, "PG12": 12, "PG-12": 12, "R15+": 15, "R-15": 15, "R15": 15, "R18+": 18, "R-18": 18, "R18": 18},
    # New Zealand (OFLC)
    "nz": {"G": 0, "PG": 8, "M": 16, "R13": 13, "RP13": 13, "R15": 15, "R16": 16, "RP16": 16, "R18": 18, "RP18": 18, "R": 18},
    # Ireland (IFCO)
    "ie": {"G": 0, "PG": 8, "12A": 12, "12": 12, "15A": 15, "15": 15, "16": 16, "18": 18},
    # India (CBFC)
    "in": {"U": 0, "UA": 12, "U/A": 12, "U/A 7+": 7, "U/A 13+": 13, "U/A 16+": 16, "UA 7+": 7, "UA 13+": 13, "UA 16+": 16, "A": 18, "S": 18},
    # Brazil (ClassInd)
    "br": {"L": 0, "AL": 0, "LIVRE": 0, "10": 10, "12": 12, "14": 14, "16": 16, "18": 18},
    # Spain (ICAA)
    "es": {"A": 0, "APTA": 0, "TP": 0, "7": 7, "12": 12, "13": 13, "16": 16, "18": 18, "X": 18},
    # Italy
    "it": {"T": 0, "VM14": 14, "VM18": 18, "6+": 6, "14+": 14, "18+": 18},
    # Nordics
    "se": {"BTL": 0, "7": 7, "11": 11, "15": 15},
    "no": {"A": 0, "6": 6, "9": 9, "12": 12, "15": 15, "18": 18},
    "dk": {"A": 0, "7": 7, "11": 11, "15": 15},
    "fi": {"S": 0, "K-7": 7, "K-12": 12, "K-16": 16, "K-18": 18, "7": 7, "12": 12, "16": 16, "18": 18},
    # Korea (KMRB)
    "kr": {"ALL": 0, "12": 12, "15": 15, "18": 18, "19": 19, "RESTRICTED SCREENING": 19},
    # Mexico (RTC)
    "mx": {"AA": 0, "A": 0, "B": 12, "B15": 15, "C": 18, "D": 18},
    # Russia
    "ru": {"0+": 0, "6+": 6, "12+": 12, "16+": 16, "18+": 18},
    # Switzerland, Austria, Portugal, Singapore, Hong Kong, Philippines, South Africa
    "ch": {"0": 0, "6": 6, "12": 12, "16": 16, "18": 18},
    "at": {"0": 0, "6": 6, "10": 10, "12": 12, "14": 14, "16": 16, "18": 18},
    "pt": {"M/3": 3, "M/6": 6, "M/12": 12, "M/14": 14, "M/16": 16, "M/18": 18},
    "sg": {"G": 0, "PG": 8, "PG13": 13, "NC16": 16, "M18": 18, "R21": 21},
    "hk": {"I": 0, "IIA": 12, "IIB": 15, "III": 18},
    "ph": {"G": 0, "PG": 8, "R-13": 13, "R-16": 16, "R-18": 18, "X": 18},
    "za": {"A": 0, "PG": 8, "7-9PG": 9, "10-12PG": 12, "13": 13, "16": 16, "18": 18, "X18": 18},
    "us": _US,
}

# Codes that say "no rating" (the unrated policy decides), bare or after any country prefix.
_UNRATED_WORDS = ("NR", "N/R", "NOT RATED", "UNRATED", "UNRATED/NOT RATED", "N/A", "NONE", "TBC", "TBA",
                  "PENDING", "APPROVED", "PASSED", "E (EXEMPT)", "EXEMPT", "REJECTED", "NOT YET RATED")

_PREFIX = re.compile(r"^([a-z]{2})\s*/\s*(.+)$", re.IGNORECASE)
# "PG-13 - Teens 13 or older", "R - 17+ (violence & profanity)": anime agents append words.
_DESCRIBED = re.compile(r"^(.+?)\s+-\s+(?=.*[A-Za-z]{3})(.*)$")
# "TV-MA (L, S, V)": content descriptors after the code.
_DESCRIPTORS = re.compile(r"\s*\([^)]*\)\s*$")
_LONGEST = 256  # characters of a rating read (see normalize_rating)
_NUMERIC = re.compile(r"^[+-]?(\d{1,2})\+?$")
_WORDS = re.compile(r"^(?:FSKAB|FSK-|FSK|AB|PEGI|K-|K|M/)(?=\d)")


def _canon(code: str) -> str:
    """Upper case without any whitespace: 'MA 15+' and 'ma15+' compare equal."""
    return "".join(code.split()).upper()


_US_CANON = {_canon(code): age for code, age in _US.items()}
_US_CANON.update({"R+": 17, "RX": 18, "A-17": 17})
_COUNTRIES_CANON = {
    country: {_canon(code): age for code, age in table.items()} for country, table in _COUNTRIES.items()
}
_COUNTRIES_CANON["us"] = _US_CANON
_COUNTRIES_CANON["de"].update({"BPJM": 18, "BPJMRESTRICTED": 18, "SPIO/JK": 18})
_UNRATED = frozenset(_canon(word) for word in _UNRATED_WORDS)


def normalize_rating(code: str) -> tuple[str | None, str]:
    """Split a rating into (country or None, CODE): upper case, no whitespace, descriptions dropped."""
    # Codes are short; a longer text is cut before the regexes below, whose backtracking grows
    # with the square of the length (the code and its description come first anyway).
    text = " ".join(str(code)[:_LONGEST].split())
    described = _DESCRIBED.match(text)
    if described:
        text = described.group(1)
    if _canon(text) not in _UNRATED:
        text = _DESCRIPTORS.sub("", text) or text
    match = _PREFIX.match(text)
    if match:
        return match.group(1).lower(), _canon(match.group(2))
    return None, _canon(text)


def _strip_words(code: str) -> str:
    """'FSK12' → '12', 'AB16' → '16' (German and similar spellings of a bare age)."""
    return _WORDS.sub("", code)


def _numeric_age(code: str) -> int | None:
    match = _NUMERIC.match(_strip_words(code))
    if match:
        age = int(match.group(1))
        if 0 <= age <= 21:
            return age
    return None


def rating_age(code: str | None) -> int | None:
    """The minimum age a rating stands for, or None if it is unknown, empty or "not rated"."""
    if code is None or not str(code).strip():
        return None
    country, body = normalize_rating(code)
    if body in _UNRATED:
        return None
    if country is None:
        if body in _US_CANON:
            return _US_CANON[body]
        return _numeric_age(body)
    table = _COUNTRIES_CANON.get(country)
    if table is not None:
        if body in table:
            return table[body]
        stripped = _strip_words(body)
        if stripped in table:
            return table[stripped]
    if country == "us":
        return None
    return _numeric_age(body)


def is_unrated(code: str | None) -> bool:
    """True when there is no rating at all: missing, empty, or a code meaning "not rated"."""
    if code is None or not str(code).strip():
        return True
    return normalize_rating(code)[1] in _UNRATED


def is_known_rating(code: str | None) -> bool:
    """True when `code` can be a ceiling (`max`): it maps to an age."""
    return rating_age(code) is not None


def known_countries() -> tuple[str, ...]:
    return tuple(sorted(_COUNTRIES))
