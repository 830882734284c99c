"""The one adapter between plextray and the Plex Media Server (python-plexapi underneath).

Why one module: plexapi's camelCase objects and its exceptions (and requests' below them) stop
here. Callers get plextray.core.model records and plextray.errors exceptions whose messages say
what went wrong and what to do, and never contain the token.

plexapi reads `~/.config/plexapi/config.ini` and `PLEXAPI_*` variables at import time (log file
handlers, `show_secrets`, a fallback token, headers). plextray ignores both: plexapi is imported
with them hidden, its logger loses any handler it added and gets plextray's redaction filter, so
its records (it logs request URLs at DEBUG) reach plextray's handlers masked.
"""

from __future__ import annotations

import logging
import os
import re
import sys
import threading
from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import quote
from xml.etree.ElementTree import Element, ParseError

from plextray import __version__
from plextray.core.model import Device, LiveSession, MediaInfo, ServerInfo
from plextray.errors import (
    PlexAuthError,
    PlexError,
    PlexNotFound,
    PlexPassRequired,
    PlexResponseError,
    PlexTimeout,
    PlexUnreachable,
)
from plextray.plex.mapping import live_session, media_info, session_from_xml, to_int
from plextray.secrets import RedactingFilter, redact, register_secret

log = logging.getLogger(__name__)

T = TypeVar("T")
PAGE_SIZE = 100
PLEX_PASS_FEATURE = "session_kick"
NO_FEATURE_TEXT = "does not have the feature"
_STATUS = re.compile(r"^\((\d{3})\)")
_import_lock = threading.Lock()


def load_plexapi() -> Any:
    """Import plexapi without the user's plexapi config and with its logger redacted."""
    load_requests()  # before plexapi imports it
    with _import_lock:
        if "plexapi" not in sys.modules:
            hidden = {k: os.environ.pop(k) for k in list(os.environ) if k.startswith("PLEXAPI_")}
            os.environ["PLEXAPI_CONFIG_PATH"] = os.devnull
            try:
                import plexapi.server  # noqa: F401  (registers every Plex object class)
            finally:
                os.environ.pop("PLEXAPI_CONFIG_PATH", None)
                os.environ.update(hidden)
        import plexapi
        import plexapi.server  # noqa: F401

        tame_plexapi_logger(plexapi)
        plexapi.BASE_HEADERS.update({"X-Plex-Product": "plextray", "X-Plex-Version": __version__})
        return plexapi


def load_requests() -> Any:
    """requests (plexapi's HTTP client), imported without its character-set guesser.

    requests imports charset-normalizer (about 2 MB resident, for the life of the process) only
    to guess the encoding of a body whose Content-Type names none; without it requests reads
    such a body as UTF-8. Plex declares `charset=utf-8` on what it sends, so the guess is never
    made for it, and an idle service should not carry it. requests supports running without it
    and warns once at import that it is missing: that warning is expected here and silenced.
    """
    with _import_lock:
        if "requests" not in sys.modules:
            import warnings

            from plextray.desktop_bindings import refused

            warnings.filterwarnings("ignore", message="Unable to find acceptable character detection dependency",
                                    module="requests")
            with refused("charset_normalizer", "chardet"):
                import requests  # noqa: F401
    import requests

    return requests


def tame_plexapi_logger(plexapi: Any) -> None:
    """Drop handlers plexapi's config added (e.g. a file log) and mask secrets in its records."""
    plex_log = logging.getLogger("plexapi")
    for handler in list(plex_log.handlers):
        if not isinstance(handler, logging.NullHandler):
            plex_log.removeHandler(handler)
            handler.close()
    if plexapi.logfilter not in plex_log.filters:
        plex_log.addFilter(plexapi.logfilter)
    if not any(isinstance(f, RedactingFilter) for f in plex_log.filters):
        plex_log.addFilter(RedactingFilter())
    plex_log.propagate = True


class PlexClient:
    """Server info, live sessions, metadata, stop, accounts and the debug-log pref of one server.

    Connects lazily and keeps no broken state: after any failure the next call tries afresh, so
    callers recover on their own when the server comes back.
    """

    def __init__(self, url: str, token: str, *, timeout: float = 10.0) -> None:
        requests = load_requests()
        self._plexapi = load_plexapi()
        self.url = url.rstrip("/")
        self._token = token
        register_secret(token)
        self.timeout = timeout
        self._session = requests.Session()
        self._server: Any = None
        self._lock = threading.Lock()

    # ---------------------------------------------------------------- public API

    def server_info(self) -> ServerInfo:
        """Fetch `/` afresh (what a server may do can change, e.g. Plex Pass lapsing)."""
        srv = self._call("server info", self._connect)
        features = srv.ownerFeatures or []
        return ServerInfo(
            name=srv.friendlyName or "",
            machine_id=srv.machineIdentifier or "",
            version=srv.version or "",
            plex_pass=PLEX_PASS_FEATURE in features or bool(srv.myPlexSubscription),
            platform=srv.platform,
        )

    def sessions(self) -> list[LiveSession]:
        """Live playbacks (`/status/sessions`); an item plexapi cannot build is read from its XML,
        so one odd item never costs the whole list."""

        def fetch() -> list[LiveSession]:
            srv = self._server_obj()
            return [self._map_session(srv, elem) for elem in self._list("/status/sessions")]

        return self._call("live sessions", fetch)

    def metadata(self, rating_key: str) -> MediaInfo:
        """What a rating key is: title, show/season or artist/album, library, labels, rating."""
        path = f"/library/metadata/{quote(str(rating_key), safe='')}"

        def fetch() -> MediaInfo:
            srv = self._server_obj()
            data = srv.query(path)
            elems = [e for e in (data if data is not None else []) if e.tag in ("Video", "Track", "Photo", "Directory")]
            if not elems:
                raise PlexNotFound(f"the Plex server has no item with rating key {rating_key}")
            item = srv._buildItem(elems[0], initpath=path)
            item._autoReload = False  # never fetch again for a missing attribute
            return media_info(item, elems[0], data, str(rating_key))

        return self._call(f"metadata of item {rating_key}", fetch)

    def metadata_many(self, rating_keys: list[str]) -> dict[str, MediaInfo]:
        """Several items in one request (`/library/metadata/1,2,3`, as plexapi's fetchItems asks);
        keys the server does not know are simply absent from the answer."""
        keys = [str(k) for k in rating_keys if str(k).isdigit()]  # only rating keys go into the path
        if not keys:
            return {}
        path = f"/library/metadata/{','.join(keys)}"

        def fetch() -> dict[str, MediaInfo]:
            srv = self._server_obj()
            try:
                data = srv.query(path)
            except self._plexapi.exceptions.NotFound:
                return {}
            out: dict[str, MediaInfo] = {}
            for elem in data if data is not None else []:
                if elem.tag not in ("Video", "Track", "Photo", "Directory"):
                    continue
                item = srv._buildItem(elem, initpath=path)
                item._autoReload = False
                info = media_info(item, elem, data, elem.attrib.get("ratingKey", ""))
                if info.rating_key in keys:
                    out[info.rating_key] = info
            return out

        return self._call(f"metadata of {len(keys)} items", fetch)

    def stop(self, session_id: str, reason: str) -> None:
        """Terminate a playback, showing `reason` on the viewer's screen (a Plex Pass feature)."""
        if not session_id:
            raise PlexNotFound("cannot stop this playback: the server gave it no session id")
        pex = self._plexapi.exceptions

        def terminate() -> None:
            srv = self._server_obj()
            try:
                srv.query("/status/sessions/terminate", params={"sessionId": session_id, "reason": reason})
            except pex.Unauthorized as exc:
                raise self._terminate_refused(exc) from exc
            except pex.NotFound as exc:
                raise PlexNotFound(f"no live session {session_id} on the server (it may have ended already)") from exc

        self._call(f"stopping session {session_id}", terminate)

    def identity(self) -> tuple[str, str]:
        """(machine id, version) from `/identity`, which needs no token: is anything there at all?"""

        def fetch() -> tuple[str, str]:
            from plexapi.server import Identity

            response = self._session.get(f"{self.url}/identity", timeout=self.timeout)
            if response.status_code != 200:
                raise PlexResponseError(f"the Plex server answered /identity with HTTP {response.status_code}")
            data = self._plexapi.utils.parseXMLString(response.text)
            if data is None:
                raise PlexResponseError("the Plex server sent an empty /identity")
            ident = Identity(None, data, "/identity")
            return ident.machineIdentifier or "", ident.version or ""

        return self._call("server identity", fetch)

    def clients(self) -> list[Device]:
        """Players that advertise themselves (`/clients`; many modern apps do not)."""
        from plexapi.client import PlexClient as PlexApiClient

        def fetch() -> list[Device]:
            srv = self._server_obj()
            players = [PlexApiClient(server=srv, data=e, initpath="/clients", connect=False) for e in self._list("/clients")]
            return [
                Device(client_id=p.machineIdentifier, product=p.product, platform=p.platform, device=p.title,
                       ip=p.address)
                for p in players if p.machineIdentifier
            ]

        return self._call("players", fetch)

    def accounts(self) -> dict[str, str]:
        """Server account id → name (`/accounts`); the nameless system account 0 is left out."""
        from plexapi.server import SystemAccount

        def fetch() -> dict[str, str]:
            srv = self._server_obj()
            items = [srv._buildItem(e, SystemAccount, "/accounts") for e in self._list("/accounts")]
            return {str(a.id): a.name for a in items if a.name and a.id is not None}

        return self._call("accounts", fetch)

    def debug_logging_enabled(self) -> bool:
        """The server pref `logDebug`: without it PMS writes no playback lines to its log."""
        return self._call("the logDebug setting", lambda: bool(self._log_debug_setting()[1].value))

    def set_debug_logging(self, enabled: bool) -> None:
        def change() -> None:
            settings, setting = self._log_debug_setting()
            if bool(setting.value) == bool(enabled):
                return
            setting.set(bool(enabled))
            settings.save()

        self._call("changing the logDebug setting", change)

    def listen(self, *, on_notices: Callable[..., None], on_state: Callable[[bool, str | None], None]) -> Any:
        """A NotificationSocket on this server (not started): Plex's live play notices."""
        from plextray.plex.notifications import NotificationSocket

        return NotificationSocket(self.url, self._token, on_notices=on_notices, on_state=on_state)

    def close(self) -> None:
        self._session.close()

    def __enter__(self) -> "PlexClient":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"PlexClient({self.url!r})"

    # ---------------------------------------------------------------- plexapi plumbing

    def _connect(self) -> Any:
        """GET / through plexapi's PlexServer; keep it for the calls that follow."""
        srv = self._plexapi.server.PlexServer(self.url, self._token, session=self._session, timeout=self.timeout)
        with self._lock:
            self._server = srv
        return srv

    def _server_obj(self) -> Any:
        with self._lock:
            srv = self._server
        return srv if srv is not None else self._connect()

    def _list(self, path: str) -> list[Element]:
        """All child elements of a list endpoint, page by page as plexapi does (container headers)."""
        srv = self._server_obj()
        elems: list[Element] = []
        start = 0
        while True:
            headers = {"X-Plex-Container-Start": str(start), "X-Plex-Container-Size": str(PAGE_SIZE)}
            data = srv.query(path, headers=headers)
            if data is None:
                return elems
            page = list(data)
            elems.extend(page)
            total = to_int(data.attrib.get("totalSize")) or to_int(data.attrib.get("size")) or len(page)
            start += PAGE_SIZE
            if not page or start >= total or len(page) != PAGE_SIZE:  # done, or paging ignored
                return elems

    def _map_session(self, srv: Any, elem: Element) -> LiveSession:
        """plexapi builds the item; a missing <User> (plexapi would raise) becomes an empty one, and
        an item plexapi cannot make a session of is read straight from its XML."""
        if elem.find("User") is None:
            elem.append(Element("User"))
        try:
            item = srv._buildItem(elem, initpath="/status/sessions")
            if not isinstance(item, self._plexapi.base.PlexSession):
                raise TypeError(f"plexapi built a {type(item).__name__}")
            item._autoReload = False
            return live_session(item, elem)
        except Exception as exc:  # an item type plexapi does not know as a session
            log.debug("reading a %s session item from its XML (%s)", elem.tag, type(exc).__name__)
            return session_from_xml(elem)

    def _log_debug_setting(self) -> tuple[Any, Any]:
        from plexapi.settings import Settings

        srv = self._server_obj()
        settings = Settings(srv, srv.query(Settings.key), Settings.key)  # fresh, not plexapi's cached copy
        try:
            return settings, settings.get("logDebug")
        except self._plexapi.exceptions.NotFound as exc:
            raise PlexResponseError("the Plex server has no logDebug setting") from exc

    def _terminate_refused(self, exc: Exception) -> PlexError:
        """401 on terminate: no Plex Pass (the server says so, or lacks session_kick) or a bad token."""
        needs_pass = PlexPassRequired(
            "the Plex server refused to stop the stream: stopping playback needs Plex Pass "
            "(the server does not have the feature enabled)"
        )
        if NO_FEATURE_TEXT in str(exc).lower():
            return needs_pass
        info = self.server_info()  # raises PlexAuthError if the token itself is refused
        return needs_pass if not info.plex_pass else self._auth_error()

    def _auth_error(self) -> PlexAuthError:
        return PlexAuthError(
            f"the Plex server at {self.url} refused the token (token refused or expired): "
            "run `plextray login` again or set PLEX_TOKEN"
        )

    def _call(self, what: str, fn: Callable[[], T]) -> T:
        """Run fn, turning every foreign error into a plextray error with a token-free message."""
        try:
            return fn()
        except PlexError as exc:
            exc.args = (self._clean(str(exc)),)
            raise
        except Exception as exc:
            translated = self._translate(exc, what)
            if translated is None:
                raise
            translated.args = (self._clean(str(translated)),)
            raise translated from exc

    def _translate(self, exc: Exception, what: str) -> PlexError | None:
        if isinstance(exc, self._plexapi.exceptions.Unauthorized):
            return self._auth_error()
        return translate_error(exc, what=what, url=self.url, timeout=self.timeout)

    def _clean(self, message: str) -> str:
        return redact(message.replace(self._token, "[REDACTED]") if self._token else message)


def translate_error(exc: Exception, *, what: str, url: str, timeout: float) -> PlexError | None:
    """plexapi/requests exception → plextray error (None: not a foreign error we know; re-raise it)."""
    requests = load_requests()

    pex = load_plexapi().exceptions
    if isinstance(exc, requests.exceptions.Timeout):
        return PlexTimeout(f"the Plex server at {url} did not answer within {timeout:g} s ({what})")
    if isinstance(exc, (requests.exceptions.ConnectionError, requests.exceptions.ChunkedEncodingError)):
        return PlexUnreachable(f"cannot reach the Plex server at {url} ({_connection_reason(exc)})")
    if isinstance(exc, (requests.exceptions.InvalidURL, requests.exceptions.MissingSchema, requests.exceptions.InvalidSchema)):
        return PlexUnreachable(f"not a usable Plex server URL: {url} (expected e.g. http://host:32400)")
    if isinstance(exc, requests.exceptions.RequestException):
        return PlexUnreachable(f"cannot talk to the Plex server at {url} ({type(exc).__name__})")
    if isinstance(exc, pex.Unauthorized):
        return PlexAuthError(f"{url} refused the credentials (token refused or expired) ({what})")
    if isinstance(exc, pex.NotFound):
        return PlexNotFound(f"{what}: not found on the Plex server")
    if isinstance(exc, pex.BadRequest):
        status = _STATUS.match(str(exc))
        code = int(status.group(1)) if status else None
        if code == 503:
            return PlexResponseError(f"the Plex server is starting or restarting (503 Service Unavailable) ({what})")
        if code is not None and code >= 500:
            return PlexResponseError(f"the Plex server failed with HTTP {code} ({what})")
        return PlexResponseError(f"the Plex server rejected the request with HTTP {code or '?'} ({what})")
    if isinstance(exc, ParseError):
        return PlexResponseError(f"the Plex server sent malformed XML ({what})")
    if isinstance(exc, (pex.PlexApiException, ValueError, TypeError, AttributeError, KeyError)):
        return PlexResponseError(f"the Plex server's answer could not be understood ({what}: {type(exc).__name__})")
    return None


def run_translated(what: str, fn: Callable[[], T], *, url: str, timeout: float) -> T:
    """Run a plexapi call made outside PlexClient (e.g. plex.tv PIN login) with errors translated."""
    try:
        return fn()
    except PlexError:
        raise
    except Exception as exc:
        translated = translate_error(exc, what=what, url=url, timeout=timeout)
        if translated is None:
            raise
        translated.args = (redact(str(translated)),)
        raise translated from exc


def _connection_reason(exc: Exception) -> str:
    text = str(exc).lower()
    if "certificate" in text or "ssl" in type(exc).__name__.lower():
        return ("its TLS certificate is not trusted: use the server's http:// address on your network, "
                "or its https://….plex.direct:32400 address")
    for needle, reason in (
        ("refused", "connection refused"),
        ("reset", "connection reset"),
        ("name or service not known", "host name not found"),
        ("nodename nor servname", "host name not found"),
        ("getaddrinfo failed", "host name not found"),
        ("temporary failure in name resolution", "host name not found"),
        ("no route to host", "no route to host"),
        ("remotedisconnected", "connection closed by the server"),
        ("remote end closed", "connection closed by the server"),
        ("aborted", "connection aborted"),
    ):
        if needle in text:
            return reason
    return "connection failed"
