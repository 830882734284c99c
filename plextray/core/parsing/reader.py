"""The general reader: the specification of what every line shape means.

Any line — any era, any damage — can be read here: decoded as UTF-8, its prefix parsed by
`logline.parse_line`, its message matched against the text patterns of the table row whose head
it starts with, and what they found handed to the row's `_on_*` method. The fast path
(`fast.py`) must come to the same events and stats; `fast_paths = False` makes every line come
here, and tests/test_parsing_equivalence.py holds the two to each other.
"""

from __future__ import annotations

from typing import Any

from plextray.core.logline import (
    MAX_LINE_BYTES,
    LineError,
    LogLine,
    parse_line,
    split_request_prefix,
)
from plextray.core.model import PLAYBACK_STATES
from plextray.core.parsing.correlate import Correlator
from plextray.core.parsing.fields import (
    headers,
    integer,
    modern_line,
    path_kind,
    query_of,
    seconds,
    split_addr,
)
from plextray.core.parsing.model import Report
from plextray.core.parsing.shapes import (
    CLIENT_RATING,
    OLD_STATUS,
    REQ_ID,
    SHAPES,
    TOKEN_USER,
    Shapes,
)

CONTROL_BYTES = bytes((*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F))  # bytes.translate deletes them


class GeneralReader(Correlator):
    """Reads any line by its text; the table says which `_on_*` method a message goes to."""

    _headers = staticmethod(headers)
    _kind = staticmethod(path_kind)

    def __init__(self, shapes: Shapes = SHAPES) -> None:
        super().__init__()
        self._shapes = shapes
        # (head, anywhere, patterns, garbled_unless_read, reader): rows found by their head first,
        # then those that may hold theirs anywhere (so a Request line naming one is a Request)
        rows = sorted(shapes.table, key=lambda shape: shape.anywhere)
        self._readers: tuple[tuple[str, bool, tuple[Any, ...], bool, Any], ...] = tuple(
            (
                shape.head,
                shape.anywhere,
                shape.text,
                shape.garbled_unless_read,
                getattr(self, shape.read),
            )
            for shape in rows
        )

    def _examine_general(self, line: bytes) -> None:
        line = line.rstrip(b"\r\n")
        if len(line) > MAX_LINE_BYTES:
            self.stats.skipped_too_long += 1
            return
        if line.translate(None, CONTROL_BYTES) != line:
            self.stats.skipped_binary += 1
            return
        try:
            text = line.decode("utf-8")
        except UnicodeDecodeError:
            text = line.decode("utf-8", "replace")
        self._examine_text(text)

    def _examine_text(self, text: str) -> None:
        parsed = modern_line(text)
        if parsed is None:
            try:
                parsed = parse_line(text)
            except LineError as exc:
                if exc.garbled:
                    self.stats.skipped_garbled += 1
                else:
                    self.stats.unknown_format += 1
                return
        self._dispatch(parsed)

    def _dispatch(self, parsed: LogLine) -> None:
        """The message goes to the first row whose patterns read it, among the rows whose head it
        starts with (the first row with such a head claims it: rows that hold their head anywhere
        are not tried); a claimed line no pattern reads is garbled if its row says so. Anything
        else merely mentions a marker (e.g. /player/timeline/poll): not playback."""
        reqid, message = split_request_prefix(parsed.message)
        claimed = garbled = False
        for head, anywhere, patterns, garbled_unless_read, reader in self._readers:
            if anywhere:
                if claimed or head not in message:
                    continue
            elif not message.startswith(head):
                continue
            claimed = True
            garbled = garbled or garbled_unless_read
            for pattern in patterns:
                match = pattern.search(message) if anywhere else pattern.match(message)
                if match is not None:
                    reader(parsed, reqid, match)
                    return
        if garbled:
            self.stats.skipped_garbled += 1

    # ----------------------------------------------------------------- the rows' readers
    def _on_request(self, line: LogLine, reqid: str | None, match: Any) -> None:
        path, _, query_text = match.group("url").partition("?")
        rest = match.group("rest")
        head, _, dump = rest.partition(" / ")
        kind = path_kind(path)
        if kind is None:
            return
        query = query_of(query_text)
        ident = {**query, **headers(dump)} if dump else query
        req = REQ_ID.search(head)
        reqid = req.group(1) if req else None
        user = TOKEN_USER.search(head)
        account = user.group(1) or None if user else None
        addr = match.group("addr")
        ip, _ = split_addr(addr)
        if kind == "transcode":
            self._on_transcode_start(line, query, ident, addr, ip, reqid)
            return
        if kind == "transcode-stop":
            self._forget_transcode(query.get("session"))
            return
        report = self._report_from_query(line.time, line.thread, query, addr, ip, reqid)
        if report is None:
            return
        report.account = account
        report.held = report.anonymous = user is not None and not user.group(1) and "Signed-in" not in head
        self._identity_from(report, ident, modern=line.modern)
        self._start_report(report)

    def _on_completed(self, line: LogLine, reqid: str | None, match: Any) -> None:
        path, _, query_text = match.group("url").partition("?")
        if path_kind(path) != "report":
            return
        rest = match.group("rest")
        status = integer(match.group("status"))
        if status is None:
            old = OLD_STATUS.search(rest)
            status = integer(old.group(1)) if old else None
        req = REQ_ID.search(rest)
        reqid = req.group(1) if req else None
        made = self._by_req.get(reqid) if reqid is not None else None
        if isinstance(made, Report):
            if made.held:
                self._settle(made, status)
            return  # the Request line already made this report
        query = query_of(query_text)
        addr = match.group("addr")
        ip, _ = split_addr(addr)
        report = self._report_from_query(line.time, line.thread, query, addr, ip, reqid)
        if report is None:
            return
        known = self._match_recent(report, addr=addr)
        if known is not None:
            if known.held:
                self._settle(known, status)
                return
            if known.ip is None:  # e.g. the Client line came first: learn where it came from
                known.ip, known.addr = ip, addr
                self._learn(known)
            return
        if status is not None and (status >= 400 or status < 0):
            return  # a refused report that no earlier line announced: nothing happened
        self._identity_from(report, query, modern=line.modern)
        self._start_report(report)

    def _on_client(self, line: LogLine, reqid: str | None, match: Any) -> None:
        state = match.group("state")
        if state not in PLAYBACK_STATES:
            self.stats.skipped_garbled += 1
            return
        found = CLIENT_RATING.search(match.group("rest"))
        rating_key = found.group(1) if found else None
        position, duration = (
            integer(match.group("time")),
            integer(match.group("duration")),
        )
        ident = match.group("ident") or None
        report = self._context(line, reqid)
        if report is not None and report.rating_key not in (None, rating_key):
            report = None
        if report is None:
            probe = Report(0, line.time, seconds(line.time), state, rating_key, position, duration,
                           None, None, line.thread, reqid)  # fmt: skip
            report = self._match_recent(probe, ident=ident)
        if report is None:
            report = Report(0, line.time, seconds(line.time), state, rating_key, position, duration,
                            None, None, line.thread, reqid)  # fmt: skip
            if line.modern:
                report.ident = ident
                report.session = ident
            else:
                report.client_id = ident  # 0.9.x: the bracket holds the client identifier
            self._start_report(report)
            return
        if not line.modern:
            if report.duration is None:
                report.duration = duration
            self._enrich(report, client_id=ident)
            return
        self._client_line(report, ident, duration)

    def _on_now_user(self, line: LogLine, reqid: str | None, match: Any) -> None:
        name, number = match.group("user"), match.group("id")
        self._account_names.put(number, name)
        report = self._context(line, reqid)
        if report is not None:
            self._enrich(report, account=name)

    def _on_now_device(self, line: LogLine, reqid: str | None, match: Any) -> None:
        report = self._context(line, reqid)
        if report is not None:
            if report.platform is None:
                report.platform = match.group("platform")
            if report.device is None:
                report.device = match.group("name") or None
            self._learn(report)
            if not line.modern:  # 1.x names the client (and re-emits) on its Statistics line
                self._device_named(report)

    def _on_statistics(self, line: LogLine, reqid: str | None, match: Any) -> None:
        report = self._context(line, reqid)
        if report is None:
            return
        account_id = match.group("account")
        name = self._account_names.get(account_id) if account_id is not None else None
        self._enrich(report, client_id=match.group("client"), account=name)

    def _on_terminated(self, line: LogLine, reqid: str | None, match: Any) -> None:
        session = match.group("session")
        session = session.rpartition(":")[2]
        self._forget_transcode(session.rpartition("-")[2] if "-r0-" in session else session)
