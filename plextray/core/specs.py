"""Reading JSON specs with their path, so every problem names where it is ("$.people[0].name").

Compilers collect every problem instead of stopping at the first: `plextray check-config`
shows them all at once, and the store reports the first one (plus a count) in its error.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
import re
from typing import Any

# Keys a person may add anywhere to annotate a profile; they are ignored.
ANNOTATION_KEYS = frozenset({"comment", "note", "description"})


@dataclass(frozen=True, slots=True)
class ProfileIssue:
    """One problem in a profile document: where (a JSON path) and what."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


@dataclass(slots=True)
class Issues:
    """A growing list of problems found while compiling one document."""

    items: list[ProfileIssue] = field(default_factory=list)

    def add(self, path: str, message: str) -> None:
        self.items.append(ProfileIssue(path, message))

    def __bool__(self) -> bool:
        return bool(self.items)

    def __len__(self) -> int:
        return len(self.items)


def json_type(value: Any) -> str:
    """The JSON name of a Python value's type, for messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__


_MISSING = object()
# The characters plextray.safe_text replaces at every edge (the rule core imports only itself;
# tests/test_hostile_config.py holds the two to the same set): names may not hold them at all.
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def has_unsafe(value: str) -> bool:
    return _UNSAFE.search(value) is not None


LARGEST = 1_000_000  # no count in a profile (minutes, titles, episodes, seconds) comes near this
_UNSAFE_WORDS = "control characters (line breaks, tabs, escapes) and text-direction marks are not allowed"


class Reader:
    """Typed, path-aware access to one JSON object. Missing or mistyped fields become issues."""

    def __init__(self, data: dict[str, Any], path: str, issues: Issues, *, depth: int = 1) -> None:
        self.data = data
        self.path = path
        self.issues = issues
        self.depth = depth  # how deep this condition sits among nested rules (1: a restriction)

    def at(self, key: str | int) -> str:
        return f"{self.path}[{key}]" if isinstance(key, int) else f"{self.path}.{key}"

    def has(self, key: str) -> bool:
        return key in self.data

    def check_keys(self, allowed: Iterable[str]) -> None:
        """Unknown keys are errors (a typo like "form" must not silently disable a rule)."""
        allowed = set(allowed)
        for key in self.data:
            if key not in allowed and key not in ANNOTATION_KEYS and not str(key).startswith("_"):
                hint = ", ".join(sorted(allowed))
                self.issues.add(self.at(key), f"unknown field {key!r} (expected one of: {hint})")

    def _get(self, key: str, required: bool) -> Any:
        if key not in self.data:
            if required:
                self.issues.add(self.at(key), "missing required field")
            return _MISSING
        return self.data[key]

    def string(
        self, key: str, *, required: bool = True, default: str | None = None, empty_ok: bool = False, plain: bool = False
    ) -> str | None:
        """`plain`: a name a person reads in a terminal, a notification or an e-mail header,
        so no control or bidirectional characters (a newline in a name forged mail headers)."""
        value = self._get(key, required)
        if value is _MISSING:
            return default
        if not isinstance(value, str):
            self.issues.add(self.at(key), f"expected a string, got {json_type(value)}")
            return default
        if not empty_ok and not value.strip():
            self.issues.add(self.at(key), "must not be empty")
            return default
        if plain and has_unsafe(value):
            self.issues.add(self.at(key), f"{_UNSAFE_WORDS}, got {value!r}")
            return default
        return value

    def integer(
        self, key: str, *, required: bool = True, default: int | None = None, minimum: int | None = None,
        maximum: int = LARGEST,
    ) -> int | None:
        value = self._get(key, required)
        if value is _MISSING:
            return default
        if isinstance(value, (int, float)) and not isinstance(value, bool) and not -maximum <= value <= maximum:
            shown = "a number too large to read" if value in (float("inf"), float("-inf")) else f"{value:.3g}"
            bound = f"at most {maximum:,}" if not value < 0 else f"at least {minimum if minimum is not None else -maximum:,}"
            self.issues.add(self.at(key), f"must be {bound}, got {shown}")
            return default
        if isinstance(value, bool) or not isinstance(value, (int, float)) or (isinstance(value, float) and not value.is_integer()):
            self.issues.add(self.at(key), f"expected a whole number, got {json_type(value)} {value!r}")
            return default
        number = int(value)
        if minimum is not None and number < minimum:
            self.issues.add(self.at(key), f"must be at least {minimum}, got {number}")
            return default
        return number

    def string_list(self, key: str, *, required: bool = True) -> tuple[str, ...] | None:
        value = self._get(key, required)
        if value is _MISSING:
            return None if required else ()
        if not isinstance(value, list):
            self.issues.add(self.at(key), f"expected an array of strings, got {json_type(value)}")
            return None
        out: list[str] = []
        ok = True
        for index, item in enumerate(value):
            if not isinstance(item, str) or not item.strip():
                self.issues.add(f"{self.at(key)}[{index}]", f"expected a non-empty string, got {json_type(item)} {item!r}")
                ok = False
            elif has_unsafe(item):  # device ids, accounts, libraries, labels, actions: names
                self.issues.add(f"{self.at(key)}[{index}]", f"{_UNSAFE_WORDS}, got {item!r}")
                ok = False
            else:
                out.append(item.strip())
        return tuple(out) if ok else None

    def obj(self, key: str, *, required: bool = True) -> "Reader | None":
        value = self._get(key, required)
        if value is _MISSING:
            return None
        if not isinstance(value, dict):
            self.issues.add(self.at(key), f"expected an object, got {json_type(value)}")
            return None
        return Reader(value, self.at(key), self.issues)

    def array(self, key: str, *, required: bool = True) -> list[Any] | None:
        value = self._get(key, required)
        if value is _MISSING:
            return None
        if not isinstance(value, list):
            self.issues.add(self.at(key), f"expected an array, got {json_type(value)}")
            return None
        return value

    def raw(self, key: str, *, required: bool = True) -> Any:
        value = self._get(key, required)
        return None if value is _MISSING else value
