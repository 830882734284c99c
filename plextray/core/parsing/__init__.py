"""Plex log lines -> playback events: one event per playback report, identity filled in from context.

A *report* is one client call saying "I am at t ms of item k, state s" (`/:/timeline`, or
`/:/progress` for old Plex Media Center). PMS logs it on several lines; which ones depends on
the era (see ../shared/pms/log-lines.txt):

  1.x   Request: [ip:port (Subnet)] GET /:/timeline?…state=playing… (4 live) #8ec76 … Token (user)
        [Req#8ec76] Client [<session ident>] reporting timeline state playing, progress of t/dms …
        [Req#8ec76] [Now] User is X (ID: n) / [Now] Device is <platform> (<name>).
        [Req#8ec76] Statistics: (<client id>) Reporting active playback … for account n
        Completed: [ip:port] 200 GET /:/timeline?… #8ec76 …
        (before ~2023 there is no `#id`/`[Req#id]`: follow-ups share the Request's thread id)
  0.9   Request: [ip:port] GET /:/timeline?… (6 live) GZIP  … Completed: … 158 bytes 200 (…)
  2013  Request: GET /:/timeline?<X-Plex-* identity in the query> [ip:port] …

**Which line creates the event**: the FIRST line of a report that is read, whichever it is
(usually the Request line), so the engine can act at once. Later lines of the same report
(tied by `[Req#id]`, else by thread id, else by ip:port + rating key + position + state within
a minute) never create a second report. They enrich it; and when a later line supplies a
`client_id` the emitted event lacked (or names another client than the connection suggested),
or an `account` it lacked, an *updated* event for the same report is emitted (same `time`;
usually none or one per report). `feed_reports` returns the report number with each event, so
a consumer that wants exactly one event per report (the `events` command) keeps the last
version per number; the session folder recognises updates by themselves.

Identity a line lacks is filled from earlier lines: the same connection (ip:port), the same
session identifier (`Client [id]` = X-Plex-Session-Identifier in 1.x; the client id itself in
0.9), what is known of that client (product, platform, device), and — for 2013 Plex/Web, whose
timeline calls carried no identity — the transcode `start` with `session=` from the same IP,
as the original tool did. IP alone is never used to name a client (127.0.0.1 is DLNA and web),
nor is "same user, same item": two devices of one account would be merged.

Transcode start/decision lines tie a `session=` (and, with a header dump, a connection) to a
client. `segmented/start`, `/:/progress`, transcode stop and `Terminated session` lines matter
only to 0.9.x correlation (they end the 2013 web link), so they are looked at only in 0.9.x
lines; none of them creates an event (the client's own `stopped` report does).

The package, by role:
  shapes.py     the one TABLE of line shapes (markers, text patterns, byte twins, readers); kind
                numbers, the marker list, the scan passes and the fast prefix are derived from it
  reader.py     the general reader: the specification of what each line means
  fast.py       the accelerator for well-formed 1.x lines, proven equal to the general reader
  correlate.py  tying a report's lines together, identity from context, emitting events
  model.py      the report model (ParseStats, Rejected, the in-flight Report)
  fields.py     reading query strings, header dumps, times, addresses, the 1.x prefix
  parser.py     PlaybackParser: the entry points and the choice of what to read at all
Support a new Plex line: one row in shapes.TABLE (and its `_on_*` reader), a test with the real line.
"""

from __future__ import annotations

from plextray.core.parsing.fields import modern_line as _modern_line
from plextray.core.parsing.model import ParseStats, Rejected
from plextray.core.parsing.parser import PlaybackParser
from plextray.core.parsing.shapes import (
    _FAST_DEVICE,
    _NOW_DEVICE,
    SHAPES,
    TABLE,
    LineShape,
    Shapes,
)
from plextray.core.parsing.shapes import FAST_TOKEN_USER as _FAST_TOKEN_USER
from plextray.core.parsing.shapes import TOKEN_USER as _TOKEN_USER

MARKERS = SHAPES.markers
MODERN_MARKERS = SHAPES.modern_markers

__all__ = [
    "MARKERS",
    "MODERN_MARKERS",
    "SHAPES",
    "TABLE",
    "_FAST_DEVICE",
    "_FAST_TOKEN_USER",
    "_NOW_DEVICE",
    "_TOKEN_USER",
    "LineShape",
    "ParseStats",
    "PlaybackParser",
    "Rejected",
    "Shapes",
    "_modern_line",
]
