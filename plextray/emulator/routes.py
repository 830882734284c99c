"""The emulator's endpoints: token check, faults, paging and one function per PMS route.

Behaviour follows notes C/D: `X-Plex-Token` as header or query (401 + small HTML otherwise,
`/identity` excepted); `X-Plex-Container-Start/Size` paging (headers or query; `size` is the
number of children returned, `totalSize`/`offset` added when a page was asked for); unknown
rating keys 404 whatever the query; terminate answers 200 / 400 (missing or mis-cased
`sessionId`) / 401 (no Plex Pass) / 403 (empty id) / 404 (unknown session), to GET and POST.
"""

from __future__ import annotations

import logging
import re
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit
from xml.etree.ElementTree import Element

from plextray.emulator import notifications, responses, traffic
from plextray.emulator.household import Device
from plextray.emulator.records import Emulator, TerminateCall

log = logging.getLogger(__name__)
XML = "text/xml;charset=utf-8"
HTML = "text/html"
Params = dict[str, list[str]]
Line = tuple[datetime, str, str]


@dataclass
class Reply:
    status: int
    body: bytes = b""
    content_type: str = XML
    log_request: bool = True  # timeline requests log their own lines
    log_middle: Callable[[datetime, str], list[Line]] | None = None
    after: Callable[[], None] | None = None  # runs once the request is logged, before the answer is sent
    answered: bool = False  # the route wrote its own answer (a WebSocket)
    extra: dict[str, Any] = field(default_factory=dict)


def xml(container: Element) -> Reply:
    return Reply(200, responses.document(container))


def error(status: int, title: str, detail: str = "") -> Reply:
    return Reply(status, responses.html_error(status, title, detail), HTML)


def unauthorized(detail: str = "") -> Reply:
    return error(401, "Unauthorized", detail)


# -- entry point ---------------------------------------------------------------------------
def handle(emu: Emulator, h: Any, method: str) -> None:
    started = time.monotonic()
    length = int(h.headers.get("Content-Length") or 0)
    if length:
        h.rfile.read(length)
    if emu.fault == "down":  # a connection that slipped in while going down: cut it, no answer
        _cut(h)
        return
    parts = urlsplit(h.path)
    path = parts.path or "/"
    params = parse_qs(parts.query, keep_blank_values=True)
    with emu._lock:
        emu.requests.append((method, path))
    if emu.fault == "slow":
        emu.sleep_for_fault()
    authed = _token_ok(emu, h, params)
    try:
        reply = _answer(emu, h, method, path, params, authed)
    except (ValueError, KeyError) as exc:  # a request the emulator cannot make sense of
        log.debug("emulator: bad request %s %s: %s", method, path, exc)
        reply = error(400, "Bad Request")
    if reply.answered:
        return
    if emu.fault == "malformed" and reply.content_type == XML and reply.body:
        reply.body = _break(reply.body)
    if emu.log and reply.log_request:
        # logged before the answer goes out, so a caller that got its answer finds the lines written
        ip, port = h.client_address[:2]
        emu.log.request(
            ip=ip, port=port, method=method, target=h.path, status=reply.status,
            # no valid token: PMS writes `Token ()` (real 1.43 lines), and the request is refused
            account=emu.household.owner if authed and reply.status != 401 else "",
            elapsed_ms=max(0, int((time.monotonic() - started) * 1000)), size=len(reply.body),
            live=max(1, emu.live_connections()), gzip="gzip" in (h.headers.get("Accept-Encoding") or ""),
            middle=reply.log_middle,
        )
    if reply.after:
        reply.after()
    _send(h, reply, method)


def _answer(emu: Emulator, h: Any, method: str, path: str, params: Params, authed: bool) -> Reply:
    if emu.fault == "restarting":
        return error(503, "Service Unavailable")
    if emu.fault == "server_error":
        return error(500, "Internal Server Error")
    if emu.fault == "unauthorized":
        return unauthorized()
    for methods, pattern, needs_token, route in ROUTES:
        match = pattern.fullmatch(path)
        if match is None:
            continue
        if method not in methods:
            return error(405, "Method Not Allowed")
        if needs_token and not authed:
            return unauthorized()
        return route(emu, h, params, match)
    return unauthorized() if not authed else error(404, "Not Found")


def _token_ok(emu: Emulator, h: Any, params: Params) -> bool:
    token = h.headers.get("X-Plex-Token") or (params.get("X-Plex-Token") or [""])[0]
    return bool(token) and token == emu.token


def _send(h: Any, reply: Reply, method: str) -> bool:
    try:
        h.send_response(reply.status)
        h.send_header("Content-Type", reply.content_type)
        h.send_header("Content-Length", str(len(reply.body)))
        h.send_header("X-Plex-Protocol", "1.0")
        h.send_header("Cache-Control", "no-cache")
        h.end_headers()
        if method != "HEAD" and reply.body:
            h.wfile.write(reply.body)
        h.wfile.flush()
        return True
    except OSError:  # the client gave up (timeout) or the emulator went down meanwhile
        h.close_connection = True
        return False


def _cut(h: Any) -> None:
    h.close_connection = True
    try:
        h.connection.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass


def _break(body: bytes) -> bytes:
    """Malformed XML: cut the document inside its first element's attributes."""
    start = body.find(b"<MediaContainer ")
    return body[: start + len(b'<MediaContainer size="')] if start >= 0 else body[: len(body) // 2]


def _paged(children: list[Element], h: Any, params: Params) -> tuple[list[Element], dict[str, str]]:
    def value(name: str) -> str | None:
        values = params.get(name)
        return h.headers.get(name) or (values[0] if values else None)

    start, size = value("X-Plex-Container-Start"), value("X-Plex-Container-Size")
    if start is None and size is None:
        return children, {}
    first = max(0, int(start or 0))
    count = max(0, int(size)) if size is not None else len(children)
    return children[first:first + count], {"totalSize": str(len(children)), "offset": str(first)}


def _list(children: list[Element], h: Any, params: Params, factory: Callable[..., Element] = responses.container,
          **attrs: str) -> Reply:
    page, paging = _paged(children, h, params)
    return xml(factory(page, **attrs, **paging))


# -- routes ----------------------------------------------------------------------------------
def _identity(emu: Emulator, h: Any, params: Params, match: re.Match[str]) -> Reply:
    return xml(responses.identity(machine_id=emu.household.machine_id, version=emu.household.version))


def _root(emu: Emulator, h: Any, params: Params, match: re.Match[str]) -> Reply:
    hh = emu.household
    return xml(responses.root(name=hh.server_name, machine_id=hh.machine_id, owner=hh.owner,
                              plex_pass=emu.has_plex_pass, active_video=0, version=hh.version))


def _sessions(emu: Emulator, h: Any, params: Params, match: re.Match[str]) -> Reply:
    hh = emu.household
    children = []
    for play in hh.plays():
        item, device, account = hh.item(play.rating_key), hh.device(play.machine_id), hh.account(play.account_id)
        if item and device and account:
            children.append(responses.session_element(item, hh.section(item.library_id), play, device, account))
    return _list(children, h, params)


def _metadata(emu: Emulator, h: Any, params: Params, match: re.Match[str]) -> Reply:
    keys = unquote(match.group(1)).split(",")  # PMS answers "1,2,3" with every item it knows
    items = [item for item in (emu.household.item(k) for k in keys) if item is not None]
    if not items:
        return error(404, "Not Found")
    if len(keys) == 1:
        return xml(responses.metadata(items[0], emu.household.section(items[0].library_id)))
    return xml(responses.metadata_many([(item, emu.household.section(item.library_id)) for item in items]))


def _sections(emu: Emulator, h: Any, params: Params, match: re.Match[str]) -> Reply:
    return _list(responses.sections(emu.household.sections()), h, params, responses.sections_container)


def _accounts(emu: Emulator, h: Any, params: Params, match: re.Match[str]) -> Reply:
    return _list(responses.accounts(emu.household.accounts()), h, params,
                 identifier="com.plexapp.system.accounts")


def _clients(emu: Emulator, h: Any, params: Params, match: re.Match[str]) -> Reply:
    return _list(responses.clients(emu.household.devices()), h, params)


def _history(emu: Emulator, h: Any, params: Params, match: re.Match[str]) -> Reply:
    hh = emu.household
    entries = hh.history()
    first = {k: v[0] for k, v in params.items() if v}
    if "accountID" in first:
        entries = [e for e in entries if str(e.account_id) == first["accountID"]]
    if "librarySectionID" in first:
        entries = [e for e in entries if e.library_id == first["librarySectionID"]]
    if "metadataItemID" in first:
        entries = [e for e in entries if e.rating_key == first["metadataItemID"]]
    if "viewedAt>" in first:
        entries = [e for e in entries if e.viewed_at >= int(first["viewedAt>"])]
    entries.sort(key=lambda e: e.viewed_at, reverse=first.get("sort", "viewedAt:desc") != "viewedAt:asc")
    items = {e.rating_key: hh.item(e.rating_key) for e in entries}
    return _list(responses.history(entries, {k: v for k, v in items.items() if v}), h, params)


def _terminate(emu: Emulator, h: Any, params: Params, match: re.Match[str]) -> Reply:
    session_id = params["sessionId"][0] if params.get("sessionId") else None
    reason = (params.get("reason") or [""])[0]
    if not emu.has_plex_pass:
        reply = unauthorized("Server does not have the feature enabled")
    elif session_id is None:
        miscased = any(k.lower() == "sessionid" for k in params)
        reply = error(400, "Bad Request", "sessionId is case-sensitive" if miscased else "sessionId is required")
    elif session_id == "":
        reply = error(403, "Forbidden", "sessionId is empty")
    else:
        play = emu.end_by_terminate(session_id)
        if play is None:
            reply = error(404, "Not Found", "Session not found")
        else:
            reply = Reply(200)
            if emu.log:
                reply.log_middle = lambda when, req_id: [traffic.terminated_session_line(
                    when, req_id=req_id, session=play.session_id, reason=reason)]
            reply.after = lambda: emu.client_saw_terminate(play)
    with emu._lock:
        emu.terminate_calls.append(TerminateCall(session_id or "", reason, time.monotonic(), reply.status))
    return reply


def _prefs(emu: Emulator, h: Any, params: Params, match: re.Match[str]) -> Reply:
    if h.command == "PUT":
        changes = {k: v[0] for k, v in params.items() if k != "X-Plex-Token" and v}
        unknown = [k for k in changes if k not in emu.household.prefs]
        if unknown:
            return error(400, "Bad Request", f"unknown preference {unknown[0]}")
        for name, value in changes.items():
            emu.set_pref(name, value.lower() in ("1", "true"))
        return Reply(200)
    return xml(responses.container(responses.prefs(emu.prefs())))


def _timeline(emu: Emulator, h: Any, params: Params, match: re.Match[str]) -> Reply:
    """A player's report: start, update or stop its session, logging what PMS logs."""
    first = {k: v[0] for k, v in params.items() if v}
    machine_id = h.headers.get("X-Plex-Client-Identifier") or first.get("X-Plex-Client-Identifier")
    rating_key, state = first.get("ratingKey"), first.get("state", "playing")
    if not machine_id or not rating_key or emu.household.item(rating_key) is None:
        return error(400, "Bad Request", "timeline needs X-Plex-Client-Identifier and a known ratingKey")
    ip, port = h.client_address[:2]
    if emu.household.device(machine_id) is None:
        emu.household.add_device(Device(
            machine_id, h.headers.get("X-Plex-Product") or "Plex Web", h.headers.get("X-Plex-Platform") or "Chrome",
            h.headers.get("X-Plex-Device-Name") or machine_id, ip, emu.household.owner, client_port=port,
        ))
    position = int(first.get("time") or 0)
    play = emu.household.play_for(machine_id)
    if state == "stopped":
        emu.stop_play(machine_id, ip=ip, port=port)
    elif play is not None and play.rating_key == rating_key:
        emu.report(machine_id, state=state, position_ms=position, ip=ip, port=port)
    else:
        emu.play(machine_id, rating_key, position_ms=position, state=state)
    reply = xml(responses.container())
    reply.log_request = False
    return reply


def _websocket(emu: Emulator, h: Any, params: Params, match: re.Match[str]) -> Reply:
    """The notification WebSocket; PMS logs it as a request that completes when the socket closes."""
    ip, port = h.client_address[:2]
    gzip = "gzip" in (h.headers.get("Accept-Encoding") or "")
    started = time.monotonic()
    req_id = None
    if emu.log:
        req_id = emu.log.long_request_started(ip=ip, port=port, method="GET", target=h.path,
                                              account=emu.household.owner, live=max(1, emu.live_connections()),
                                              gzip=gzip)
    notifications.serve(emu.notifications, h, emu._stopping)
    if emu.log and req_id:
        emu.log.long_request_closed(req_id, ip=ip, port=port, method="GET", target=h.path,
                                    live=max(1, emu.live_connections()), gzip=gzip,
                                    elapsed_ms=int((time.monotonic() - started) * 1000), size=0)
    return Reply(101, answered=True, log_request=False)


ROUTES: tuple[tuple[tuple[str, ...], re.Pattern[str], bool, Callable[..., Reply]], ...] = (
    (("GET",), re.compile(r"/identity"), False, _identity),
    (("GET",), re.compile(r"/"), True, _root),
    (("GET",), re.compile(r"/status/sessions"), True, _sessions),
    (("GET", "POST"), re.compile(r"/status/sessions/terminate"), True, _terminate),
    (("GET",), re.compile(r"/status/sessions/history/all"), True, _history),
    (("GET",), re.compile(r"/library/sections"), True, _sections),
    (("GET",), re.compile(r"/library/metadata/([^/]+)"), True, _metadata),
    (("GET",), re.compile(r"/accounts"), True, _accounts),
    (("GET",), re.compile(r"/clients"), True, _clients),
    (("GET", "PUT"), re.compile(r"/:/prefs"), True, _prefs),
    (("GET", "POST"), re.compile(r"/:/timeline"), True, _timeline),
    (("GET",), re.compile(r"/:/websockets/notifications"), True, _websocket),
)
