"""The fast path: an accelerator for well-formed 1.x lines, proven equal to the general reader.

A well-formed ASCII 1.x line (no em dash, no "\\r", no control character) is read on the bytes:
its prefix by the table's fast prefix pattern, its message by the row's byte twin, and the
follow-up lines of a report already made (Client, [Now] User/Device, Statistics, Completed)
are applied straight to that report — no decode, no general prefix parse. Whatever it cannot
read exactly as the general reader would, it declines (returns False) and the general reader
decides. tests/test_parsing_equivalence.py, test_parsing_fuzz.py and test_parsing_linear.py
hold the two paths to the same events and stats.
"""

from __future__ import annotations

import re
from typing import Any

from plextray.core.logline import MAX_LINE_BYTES, LogLine
from plextray.core.model import PLAYBACK_STATES
from plextray.core.parsing.fields import (
    IDENTITY_KEYS,
    REPORT_PATHS,
    STAMP_LENGTH,
    iso_of_stamp,
    query_of,
    split_addr,
)
from plextray.core.parsing.model import MAP_SIZE, Report, learned_state
from plextray.core.parsing.reader import GeneralReader
from plextray.core.parsing.shapes import (
    FAST_LEVEL,
    FAST_MESSAGE,
    FAST_RATING,
    FAST_REQ_ID,
    FAST_REQID,
    FAST_THREAD,
    FAST_TOKEN_USER,
    SHAPES,
    LineShape,
    Shapes,
)

# What a fast-path line may not hold (deleted by bytes.translate): control bytes, "\r" and tabs.
CONTROL_OR_CR = bytes((*range(0x00, 0x0A), *range(0x0B, 0x20), 0x7F))
_PLAYBACK_STATES_BYTES = frozenset(state.encode() for state in PLAYBACK_STATES)
_REPORT_PATHS_BYTES = frozenset(path.encode() for path in REPORT_PATHS)
_REQ_OPEN, _REQ_CLOSE = b"[Req#", b"] "  # around the id of a `[Req#id] ` follow-up
_REQ_OPEN_LENGTH, _REQ_CLOSE_LENGTH = len(_REQ_OPEN), len(_REQ_CLOSE)
_TAIL_CACHED = 1024  # a longer [Now]/Statistics text is read again each time, never kept: 1,024 client-
# written lines of 1 MB each would otherwise hold a gigabyte
_DUMP_CACHED, _DUMPS_KEPT = 4096, 256  # header dumps remembered: at most 1 MB, whatever clients send
_Said = tuple[str, str | None]


def _user_said(found: Any) -> _Said:
    return found.group("id").decode(), found.group("user").decode()


def _device_said(found: Any) -> _Said:
    return found.group("platform").decode(), found.group("name").decode() or None


def _statistics_said(found: Any) -> _Said:
    account = found.group("account")
    return found.group("client").decode(), account.decode() if account is not None else None


# what a repeated follow-up's byte twin found, as the (str, str | None) its general reader reads
_SAID = {
    "now_user": _user_said,
    "now_device": _device_said,
    "statistics": _statistics_said,
}


def completed_reqid(buf: bytes, start: int, pos: int, end: int) -> str | None:
    """The `#id` of the 1.x `Completed:` line `buf[start:end]`, whose URL holds the marker found
    at `pos`; None for any other line. (The URL has no spaces, so the first ` #id` after `pos`
    is the one after the URL.)"""
    if buf.find(b" - Completed: [", start, pos) < 0:
        return None
    found = FAST_REQ_ID.search(buf, pos, end)
    return None if found is None else found.group(1).decode("ascii")


class FastReader(GeneralReader):
    """The general reader plus its accelerator; `fast_paths = False` turns the accelerator off."""

    fast_paths = True  # False: every line takes the general path (tests compare the two)

    def __init__(self, shapes: Shapes = SHAPES) -> None:
        super().__init__(shapes)
        # The report _adds_nothing last found settled (emitted and learned as it stands). Only
        # reading a line changes a report or the maps, so whoever reads one sets this to None;
        # until then the next follow-ups of that report skip the report's own checks.
        self._settled: Report | None = None
        # group number of a fast head -> the row's fast reader (None: no head, or general only)
        self._fast_reads: tuple[Any, ...] = tuple(
            None if kind is None or shapes.table[kind].fast_read is None
            else getattr(self, shapes.table[kind].fast_read or "")
            for kind in shapes.kind_of_group
        )  # fmt: skip
        self._fast_shapes: tuple[LineShape | None, ...] = tuple(
            None if kind is None else shapes.table[kind] for kind in shapes.kind_of_group
        )
        # what each distinct repeated follow-up text said, by kind (see _said)
        self._tails: dict[int, dict[bytes, _Said | None]] = {
            shapes.kind[shape.name]: {} for shape in shapes.table if shape.repeats
        }
        self._tails_of = {shape.name: self._tails[shapes.kind[shape.name]] for shape in shapes.table if shape.repeats}
        # what each distinct header dump of a Request line says (a client sends the same
        # headers with every report: read once; nothing changes the dicts kept here)
        self._dumps: dict[bytes, dict[str, str]] = {}

    def _examine(self, line: bytes) -> None:
        if self.fast_paths:
            fast = self._shapes.fast_line.match(line)
            if (
                fast is not None
                and line.isascii()
                and len(line) <= MAX_LINE_BYTES
                and line.translate(None, CONTROL_OR_CR) == line
            ):
                self._fast(fast, line)
                return
        self._examine_general(line)

    def _fast(self, fast: re.Match[bytes], line: bytes) -> None:
        """A line the fast prefix matched: its row's fast reader, else the general dispatch."""
        group = fast.lastindex
        if group is not None:
            read = self._fast_reads[group]
            if read is not None and read(fast, line, self._fast_shapes[group]):
                return
        self._dispatch_fast(fast, line)

    def _dispatch_fast(self, fast: re.Match[bytes], line: bytes) -> None:
        """The general dispatch of a line the fast prefix matched (its LogLine cut, not parsed)."""
        text = line.decode("ascii")
        thread, level = (
            fast.group(FAST_THREAD).decode(),
            fast.group(FAST_LEVEL).decode(),
        )
        self._dispatch(LogLine(iso_of_stamp(text), thread, level, text[fast.end(FAST_MESSAGE) :], True))

    def _fast_report(self, fast: re.Match[bytes]) -> Report | bool:
        """The report a `[Req#id]` follow-up belongs to; True: handled (a refused report, nothing
        it says counts); False: not for the fast path."""
        reqid = fast.group(FAST_REQID)
        if reqid is None:
            return False
        report = self._by_req.get(reqid.decode())
        if not isinstance(report, Report):
            return False
        if report.held:
            if report.refused:
                return True
            self._release(report)  # Plex is handling it: it was accepted
        return report

    def _said(self, shape: LineShape, tail: bytes) -> _Said | None:
        """What a repeated follow-up says after its head: the same few texts again and again
        (one per client), so what each says is read once and remembered."""
        tails = self._tails_of[shape.name]
        if tail in tails:
            return tails[tail]
        found = shape.fast.match(tail)
        said = None if found is None else _SAID[shape.name](found)
        if len(tails) >= 1024:
            tails.clear()
        if len(tail) <= _TAIL_CACHED:
            tails[tail] = said
        return said

    # ----------------------------------------------------------------- the rows' fast readers
    def _fast_completed(self, fast: re.Match[bytes], line: bytes, shape: LineShape) -> bool:
        completed = shape.fast.match(line, fast.end())
        if completed is None:
            return False
        if completed.group(1) not in _REPORT_PATHS_BYTES:
            return True  # not a playback report: the general path ignores it too
        found = FAST_REQ_ID.search(line, completed.end())
        known = self._by_req.get(found.group(1).decode()) if found is not None else None
        # the Request line already made this report: nothing to add (a held one: the general
        # path reads its status)
        return isinstance(known, Report) and not known.held

    def _fast_client(self, fast: re.Match[bytes], line: bytes, shape: LineShape) -> bool:
        report = self._fast_report(fast)
        if report is True or report is False:
            return report
        client = shape.fast.match(line, fast.end())
        if client is None:
            return False
        ident, state, duration = client.group(1, 2, 4)
        if state not in _PLAYBACK_STATES_BYTES:
            return False
        found = FAST_RATING.search(line, client.end())
        rating_key = found.group(1).decode() if found else None
        if report.rating_key not in (None, rating_key):
            return False
        self._client_line(report, ident.decode() or None, int(duration))
        return True

    def _follow_up(self, fast: re.Match[bytes], line: bytes, shape: LineShape) -> tuple[Report, _Said] | bool:
        """A repeated follow-up's report and what the line says; a bool where there is nothing
        to apply: True, handled (a refused report); False, not for the fast path."""
        report = self._fast_report(fast)
        if report is True or report is False:
            return report
        said = self._said(shape, line[fast.end() :])
        return False if said is None else (report, said)

    def _fast_user(self, fast: re.Match[bytes], line: bytes, shape: LineShape) -> bool:
        found = self._follow_up(fast, line, shape)
        if found is True or found is False:
            return found
        report, (number, user) = found
        self._account_names.put(number, user)
        self._enrich(report, account=user)
        return True

    def _fast_device(self, fast: re.Match[bytes], line: bytes, shape: LineShape) -> bool:
        found = self._follow_up(fast, line, shape)
        if found is True or found is False:
            return found
        report, (platform, device) = found
        if report.platform is None:
            report.platform = platform
        if report.device is None:
            report.device = device
        self._learn(report)
        return True

    def _fast_statistics(self, fast: re.Match[bytes], line: bytes, shape: LineShape) -> bool:
        found = self._follow_up(fast, line, shape)
        if found is True or found is False:
            return found
        report, (named, account_id) = found
        account = self._account_names.get(account_id) if account_id is not None else None
        self._enrich(report, client_id=named, account=account)
        return True

    def _fast_request(self, fast: re.Match[bytes], line: bytes, shape: LineShape) -> bool:
        """A 1.x `Request: [` line, read on the bytes as _on_request reads the text; False
        (nothing done) for what only the general path handles (transcodes)."""
        match = shape.fast.match(line, fast.end())
        if match is None:
            return False  # garbled: the general path counts it
        path, _, query_text = match.group(2).partition(b"?")
        if path not in _REPORT_PATHS_BYTES:
            return b"/transcode/" not in path  # True: not playback, ignored as _on_request does
        head, _, dump = line[match.end() :].partition(b" / ")
        query = query_of(query_text.decode("ascii"))
        ident = {**query, **self._headers_of(dump)} if dump else query
        req = FAST_REQ_ID.search(head)
        user = FAST_TOKEN_USER.inside(head)
        connection = self._connections.get(match.group(1))  # a client keeps its connection open
        if connection is None:
            addr = match.group(1).decode("ascii")
            connection = addr, split_addr(addr)[0]
            if len(self._connections) >= MAP_SIZE:
                self._connections.clear()
            self._connections[match.group(1)] = connection
        addr, ip = connection
        report = self._report_from_query(
            iso_of_stamp(line[:STAMP_LENGTH].decode("ascii")),
            fast.group(FAST_THREAD).decode("ascii"),
            query,
            addr,
            ip,
            req.group(1).decode("ascii") if req else None,
        )
        if report is not None:
            report.account = user.decode("ascii") or None if user else None
            # `Token ()` without `Signed-in`: no valid token presented (`Signed-in Token ()` was)
            report.held = report.anonymous = user == b"" and b"Signed-in" not in head
            if not IDENTITY_KEYS.isdisjoint(ident):  # most apps send their identity as headers
                self._identity_from(report, ident, modern=True)
            self._start_report(report)
        return True

    def _headers_of(self, dump: bytes) -> dict[str, str]:
        """The X-Plex-* headers of an ASCII header dump, each distinct dump read once."""
        found = self._dumps.get(dump)
        if found is None:
            found = self._headers(dump.decode("ascii"))
            if len(dump) <= _DUMP_CACHED:
                if len(self._dumps) >= _DUMPS_KEPT:
                    self._dumps.clear()
                self._dumps[dump] = found
        return found

    # ----------------------------------------------------------------- lines left unread
    def _adds_nothing(self, buf: bytes, start: int, pos: int, end: int, shape: LineShape) -> bool:
        """Whether reading `buf[start:end]`, a `[Req#id] ` repeated follow-up line (its marker,
        `shape`'s fast head, at `pos`), would change nothing: its report holds what the line
        says, was emitted as it is, and was learned since the maps last changed. Then the
        line's one effect, the recency of a [Now] User's account name, is applied here."""
        opening = buf.rfind(_REQ_OPEN, start, pos)
        if opening < 0:
            return False
        # the id between "[Req#" and the "] " before the marker (ids are ASCII hex)
        report = self._by_req.get(buf[opening + _REQ_OPEN_LENGTH : pos - _REQ_CLOSE_LENGTH].decode("latin-1"))
        if not isinstance(report, Report):  # (a transcode's None, or none at all)
            return False
        if report is not self._settled:  # (else: the report of the follow-up just skipped)
            if report.held:
                return False
            client, account = report.client_id, report.account
            if client != report.emitted_client or account != report.emitted_account:
                return False
            if client is not None and not (  # as _learn's own test: a new _learn would change nothing
                report.learned_epoch == self._learn_epoch and report.learned == learned_state(report)
            ):
                return False
            self._settled = report
        client, account = report.client_id, report.account
        if shape.name == "now_device":  # fills the platform and device only where the report has none
            return report.platform is not None and report.device is not None
        tail = buf[pos + len(shape.fast_head or b"") : end]
        tails = self._tails_of[shape.name]
        if tail in tails:
            said = tails[tail]
        elif tail.isascii() and tail.translate(None, CONTROL_OR_CR) == tail:
            said = self._said(shape, tail)
        else:
            return False
        if said is None:
            return False
        names = self._account_names
        if shape.name == "now_user":
            number, user = said
            if account is None or names.get(number) != user:
                return False
            names.move_to_end(number)  # as the put of what it holds already
            return True
        named, account_id = said
        return named == client and (account is not None or account_id is None or names.get(account_id) is None)
