"""profiles.json: the format, its versions and migrations, and validation with JSON paths.

Format (version 1)
------------------
::

    {
      "version": 1,
      "people": [
        {"name": "Emma",
         "devices": ["<X-Plex-Client-Identifier>", ...],   # optional, default []
         "accounts": ["emma"],                              # optional; Plex user names, any case
         "restrictions": [ {<restriction>, "actions": [...]}, ... ]}   # optional
      ],
      "unknown_devices": {"actions": ["notify"], "restrictions": [...]},  # optional
      "settings": {"stop_message": "...", "grace_seconds": 0},           # optional
      "shared": {"devices": ["<client id>"], "accounts": ["family"]}     # optional
    }

Who is watching (plextray.core.identity): the account Plex signed in (the server's sessions
list first, then the log) and the client id (chosen by the app, a hint). When they point at
different people, the restrictions of both apply and the play counts for whoever has rules.
A device in `shared.devices` is identified by its account only; an account in
`shared.accounts` (or listed under several people) by its device. Plays of devices linked to
nobody get `unknown_devices.actions` (and its optional `restrictions`, checked as for a
person). Names and devices are unique; an account may be listed under several people.

Every restriction describes what is FORBIDDEN and has `actions`: a list of `notify` (desktop
notification), `alert` (the parent's phone / e-mail), `stop` (end the playback showing
`stop_message`, after `grace_seconds`); `[]` records the violation only. Any object may carry
`"comment"` or keys starting with `_`; any other unknown key is an error (a typo must not
silently switch a rule off). Types (each one's whole contract, its form included, is its own
module in plextray.core.restriction_types):

- `{"type": "time", "days": D, "from": "HH:MM", "to": "HH:MM"}` — no watching inside the window.
  `to` ≤ `from` crosses midnight and belongs to the day it starts ("weeknights 20:30–07:00" =
  Sun–Thu evenings until 07:00 next morning). `to` may be "24:00". `days` defaults to everyday.
  Day words: mon…sun (or 1…7), weekdays (Mon–Fri), weeknights (Sun–Thu nights: before a school
  day), weekend (Fri and Sat nights for a window crossing midnight, Sat and Sun otherwise),
  weekend-days, weekend-nights, everyday; or a list of these. Lifted by a parent's grant.
- `{"type": "rating", "max": "PG", "unrated": "block"|"allow"}` — anything rated above `max`.
  `max` may be any rating of any system (MPAA, US TV, `gb/15`, `de/12`, `au/M`, `ca/14A`, ...);
  ratings compare by age (plextray.core.ratings). `unrated` (default "allow") decides for
  videos with no rating, "NR"/"Unrated", or a rating plextray does not know. Music and photos
  never need a rating.
- `{"type": "quota", "minutes": N | "titles": N, "per": "day"|"week"|"month"}` — more than N
  minutes watched (the play in progress included, paused time excluded) or N distinct titles
  in the current day, week (Monday to Sunday) or month. Using all N is allowed; going past is
  a violation. Minute quotas grow by a parent's grants; warnings at 80 % and 95 %.
- `{"type": "library", "block": ["Adult Movies"], "labels": ["no-kids"]}` — anything from a
  library (its title or section id) or carrying a label; at least one of the two.
- `{"type": "streak", "episodes": 3, "days": D, "from": "21:00", "to": "06:00"}` — more than N
  episodes back to back (the window is optional: without it the limit holds all day).
- `{"type": "all", "of": [c, ...]}` — forbidden when all parts are (e.g. R-rated at night only:
  `{"type": "all", "of": [{"type": "time", "from": "20:00", "to": "06:00"},
  {"type": "rating", "max": "PG-13"}], "actions": ["stop"]}`).
- `{"type": "any", "of": [c, ...]}` — forbidden when any part is.
- `{"type": "not", "of": c}` — forbidden whenever c is not (`{"type": "not", "of":
  {"type": "library", "block": ["Kids"]}}` = only the Kids library).
Nested conditions have no `actions`; any condition may have a `name` used in reasons.

Versions
--------
`version` is required. Older versions are migrated step by step (MIGRATIONS[n] turns a version
n document into version n + 1) before validation; a version newer than CURRENT_VERSION is an
error, never guessed at. To add version 2: write `_v1_to_v2(doc) -> doc`, set
MIGRATIONS[1] = _v1_to_v2 and CURRENT_VERSION = 2.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from typing import Any

from plextray.core.household import Profiles, compile_profiles
from plextray.core.specs import Issues, ProfileIssue, json_type

CURRENT_VERSION = 1
Migration = Callable[[dict[str, Any]], dict[str, Any]]
MIGRATIONS: dict[int, Migration] = {}


def migrate(
    doc: Any, *, current: int = CURRENT_VERSION, migrations: Mapping[int, Migration] | None = None
) -> tuple[dict[str, Any] | None, list[ProfileIssue]]:
    """Bring a document to the current version. Returns (document or None, problems)."""
    steps = MIGRATIONS if migrations is None else migrations
    if not isinstance(doc, dict):
        return None, [ProfileIssue("$", f"expected a JSON object at the top level, got {json_type(doc)}")]
    if "version" not in doc:
        return None, [ProfileIssue("$.version", "missing required field (this format is version 1: add \"version\": 1)")]
    version = doc["version"]
    if isinstance(version, bool) or not isinstance(version, int):
        return None, [ProfileIssue("$.version", f"expected a whole number, got {json_type(version)} {version!r}")]
    if version > current:
        return None, [ProfileIssue("$.version", f"version {version} is newer than this plextray understands (up to {current}); upgrade plextray")]
    if version < 1:
        return None, [ProfileIssue("$.version", f"unknown version {version} (versions start at 1)")]
    result = copy.deepcopy(doc)
    while result["version"] < current:
        step = steps.get(result["version"])
        if step is None:
            return None, [ProfileIssue("$.version", f"no migration from version {result['version']}")]
        start = result["version"]
        result = step(result)
        if result.get("version") != start + 1:
            result["version"] = start + 1
    return result, []


def validate(doc: Any, **kwargs: Any) -> list[ProfileIssue]:
    """Every problem in a document (any supported version); [] when it is good."""
    return compile_document(doc, **kwargs)[1]


def compile_document(doc: Any, **kwargs: Any) -> tuple[Profiles | None, list[ProfileIssue]]:
    """Migrate then compile: (Profiles, []) or (None, problems)."""
    migrated, problems = migrate(doc, **kwargs)
    if migrated is None:
        return None, problems
    issues = Issues()
    profiles = compile_profiles(migrated, issues)
    return (profiles if not issues else None), list(issues.items)


def parse_text(text: str) -> tuple[Any, list[ProfileIssue]]:
    """JSON text → (document, []) or (None, [the syntax error with its line and column, duplicate
    keys, nesting too deep]: see jsonguard)."""
    from plextray.profiles.jsonguard import loads

    return loads(text)


def summarize(issues: list[ProfileIssue], *, source: str = "profiles.json") -> str:
    """One message for an error: the first problem, and how many more there are."""
    if not issues:
        return f"{source}: no problems"
    first = f"{source}: {issues[0].path}: {issues[0].message}"
    more = len(issues) - 1
    return first + (f" (and {more} more problem{'s' if more > 1 else ''}; run `plextray check-config`)" if more else "")
