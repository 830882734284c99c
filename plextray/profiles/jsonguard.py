"""Reading profiles.json as a careful reviewer would: what `json.loads` lets pass silently.

Why: a duplicate `"restrictions"` key silently replaced the first (a rule vanished); a document
nested a few hundred levels deep made every recursive step after decoding (the deep copy of a
migration, the rule compiler, evaluation) raise RecursionError — a traceback in check-config,
and `run --headless` refusing to start; an integer of 5,000 digits made the decoder raise a
ValueError nobody expected. Each of these is now a problem with its JSON path, found before
anything recurses: the decoder's own depth error is caught, and the decoded document is walked
with an explicit stack.
"""

from __future__ import annotations

import json
from typing import Any

from plextray.core.specs import ProfileIssue

MAX_NESTING = 100  # JSON levels; rules may nest 32 deep (core.combinators.MAX_RULE_DEPTH), ~2 levels each
MAX_DIGITS = 30  # an integer longer than this is no count of minutes or titles


class _Pairs(dict[str, Any]):
    """A decoded object that remembers the keys it was given more than once."""

    duplicates: tuple[str, ...] = ()


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = _Pairs(pairs)
    if len(result) != len(pairs):
        seen: set[str] = set()
        repeated: list[str] = []
        for key, _ in pairs:
            if key in seen and key not in repeated:
                repeated.append(key)
            seen.add(key)
        result.duplicates = tuple(repeated)
    return result


def _integer(text: str) -> int | float:
    digits = text.lstrip("-")
    if len(digits) > MAX_DIGITS:  # int() refuses past 4,300 digits; a count never needs 30
        return float("-inf") if text.startswith("-") else float("inf")
    return int(text)


def _key_path(path: str, key: str) -> str:
    return f"{path}.{key}" if key.isidentifier() else f"{path}[{json.dumps(key, ensure_ascii=False)}]"


def loads(text: str) -> tuple[Any, list[ProfileIssue]]:
    """JSON text → (document, []) or (None, [problems with their paths])."""
    try:
        doc = json.loads(text, object_pairs_hook=_object, parse_int=_integer)
    except json.JSONDecodeError as exc:
        return None, [ProfileIssue("$", f"not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}")]
    except RecursionError:
        return None, [ProfileIssue("$", f"too deeply nested (more than {MAX_NESTING} levels of objects and arrays)")]
    problems = check(doc)
    return (None if problems else _plain(doc)), problems


def check(doc: Any) -> list[ProfileIssue]:
    """Nesting deeper than MAX_NESTING (the first path that goes too deep) and duplicate keys."""
    problems: list[ProfileIssue] = []
    stack: list[tuple[Any, str, int]] = [(doc, "$", 1)]
    while stack:
        value, path, depth = stack.pop()
        if not isinstance(value, (dict, list)):
            continue
        if depth > MAX_NESTING:
            return [ProfileIssue(path, f"too deeply nested (more than {MAX_NESTING} levels of objects and arrays)")]
        if isinstance(value, dict):
            for key in getattr(value, "duplicates", ()):
                problems.append(ProfileIssue(_key_path(path, key), "duplicate key (only one may be given; JSON would keep the last silently)"))
            children = [(item, _key_path(path, key)) for key, item in value.items()]
        else:
            children = [(item, f"{path}[{index}]") for index, item in enumerate(value)]
        stack.extend((item, at, depth + 1) for item, at in reversed(children))
    return problems


def _plain(doc: Any) -> Any:
    """The document with plain dicts (callers compare and copy it; no marker type leaks out).
    Only called on documents check() accepted, so the nesting is bounded."""
    if isinstance(doc, dict):
        return {key: _plain(value) for key, value in doc.items()}
    if isinstance(doc, list):
        return [_plain(value) for value in doc]
    return doc
