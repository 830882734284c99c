"""Untrusted text made safe for the place it leaves plextray (terminal, notification, mail, log).

Device names, products, platforms and client ids in Plex's log are written by whatever app talks
to Plex, so anyone on the LAN chooses them; titles come from the library. They are stored raw
(the database keeps the truth) and cleaned here, at the edge where a person reads them: one
function per destination, so each edge says what it protects against.

What is never let through: C0 and C1 control characters (escape sequences, newlines that forge
extra lines), DEL, Unicode line and paragraph separators, and the bidirectional overrides,
embeddings, isolates and marks that make text read backwards (Trojan Source). Everything else —
accents, emoji with their joiners, CJK — passes as it is.
"""

from __future__ import annotations

import re

LIMIT = 200  # characters a person is shown of one untrusted value
ELLIPSIS = "…"
REPLACEMENT = "\N{REPLACEMENT CHARACTER}"  # visible where a forbidden character stood

_BIDI = "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
_FORBIDDEN = re.compile(f"[\x00-\x1f\x7f-\x9f\u2028\u2029{_BIDI}]")


def has_unsafe(value: str) -> bool:
    """True when `value` holds any character the cleaners replace."""
    return _FORBIDDEN.search(value) is not None


def shorten(value: str, limit: int = LIMIT) -> str:
    """`value` cut to at most `limit` characters, the cut shown by an ellipsis."""
    if limit < 1:
        raise ValueError("limit must be at least 1")
    if len(value) <= limit:
        return value
    return value[: limit - 1] + ELLIPSIS


def clean(value: object, limit: int | None = LIMIT) -> str:
    """One line of plain, visible text: forbidden characters become U+FFFD, then it is shortened.

    The default for a terminal, a notification, an alert body or an e-mail's text part. `limit`
    None keeps the whole length (for values that are already bounded, like a whole report line).
    """
    text = _FORBIDDEN.sub(REPLACEMENT, value if isinstance(value, str) else str(value))
    return text if limit is None else shorten(text, limit)


def for_terminal(value: object, limit: int | None = LIMIT) -> str:
    """What a terminal may print: no escape sequence, no forged line, no reversed text."""
    return clean(value, limit)


def for_header(value: object, limit: int = LIMIT) -> str:
    """An e-mail header value: never a line break (which would add headers), never control bytes."""
    return clean(value, limit)


def for_log(value: object, limit: int | None = 2 * LIMIT) -> str:
    """A value inside an app-log record: escaped (`\\x1b`, `\\n`) so a record stays one line and
    the log shows exactly what was sent."""
    text = value if isinstance(value, str) else str(value)
    escaped = _FORBIDDEN.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)
    return escaped if limit is None else shorten(escaped, limit)


def for_json(encoded: str) -> str:
    """JSON text (from json.dumps with ensure_ascii=False) with every forbidden character that
    JSON leaves raw (C1 controls, U+2028/2029, bidi marks) written as a \\uXXXX escape: a
    terminal shows the line as it is, and a program decodes the very same values. (C0 controls
    inside strings are always escaped by json.dumps: a raw newline or tab here is the layout of
    an indented document, and stays.)"""
    return _JSON_RAW.sub(lambda m: f"\\u{ord(m.group()):04x}", encoded)


_JSON_RAW = re.compile(f"[\x7f-\x9f\u2028\u2029{_BIDI}]")


# Desktop notification bodies may be markup (freedesktop `body-markup`: <b>, <a href>, <img>,
# entities); whether a server reads them as markup or prints them varies, so the two characters
# that start markup (a tag, an entity) become look-alikes that read the same on every server. A
# lone ">" starts nothing and stays ("rating R > PG").
_MARKUP = str.maketrans({"<": "\u2039", "&": "\uff06"})


def for_notification(value: object, limit: int | None = None) -> str:
    """A notification's title or body: plain visible text, never markup. Line breaks plextray
    put between its own sentences stay (values inside were cleaned when the text was made)."""
    return clean_lines(value, limit).translate(_MARKUP)


def clean_lines(value: object, limit: int | None = None) -> str:
    """Text of several lines that plextray wrote (an alert body: reason, then what was done),
    each line cleaned: its own line breaks stay, nothing else invisible does."""
    text = value if isinstance(value, str) else str(value)
    joined = "\n".join(clean(line, None) for line in text.split("\n"))
    return joined if limit is None else shorten(joined, limit)
