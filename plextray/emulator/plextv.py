"""A stand-in for plex.tv's PIN service (`/api/v2/pins`), for tests and the first-run window's demo.

The real flow: an app asks plex.tv for a PIN (id + 4-character code), shows the code, the parent
types it at plex.tv/link while signed in, and the app's polling of the PIN then returns the
account's token. Here `link(code)` plays the parent's part; the token handed out is the one the
stand-in was given (an emulated server's token), so a sign-in ends with a working connection.
Answers are XML, as plex.tv's are to plexapi's MyPlexPinLogin.
"""

from __future__ import annotations

import itertools
import re
import secrets
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from xml.sax.saxutils import quoteattr


class PlexTvStandIn:
    def __init__(self, token: str, *, host: str = "127.0.0.1") -> None:
        self.token = token
        self._pins: dict[str, dict[str, str]] = {}  # id -> {"code": ..., "token": ...}
        self._ids = itertools.count(1000)
        self._lock = threading.Lock()
        self.requests: list[tuple[str, str]] = []
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - stdlib name
                stand_in._serve(self, "POST")

            def do_GET(self) -> None:  # noqa: N802
                stand_in._serve(self, "GET")

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002
                pass

        self._httpd = ThreadingHTTPServer((host, 0), Handler)
        self._httpd.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> "PlexTvStandIn":
        self._thread = threading.Thread(target=self._httpd.serve_forever, name="plextv-stand-in", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def __enter__(self) -> "PlexTvStandIn":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def codes(self) -> list[str]:
        with self._lock:
            return [pin["code"] for pin in self._pins.values()]

    def link(self, code: str) -> bool:
        """The parent enters `code` at plex.tv/link: the PIN's next poll returns the token."""
        with self._lock:
            for pin in self._pins.values():
                if pin["code"] == code.strip().upper():
                    pin["token"] = self.token
                    return True
        return False

    def _serve(self, handler: BaseHTTPRequestHandler, method: str) -> None:
        path = handler.path.split("?", 1)[0]
        self.requests.append((method, path))
        if method == "POST" and path == "/api/v2/pins":
            pin_id = str(next(self._ids))
            code = "".join(secrets.choice("ABCDEFGHJKLMNPQRSTUVWXYZ23456789") for _ in range(4))
            with self._lock:
                self._pins[pin_id] = {"code": code, "token": ""}
            self._reply(handler, 201, pin_id, code, "")
            return
        match = re.fullmatch(r"/api/v2/pins/(\d+)", path)
        if method == "GET" and match:
            with self._lock:
                pin = self._pins.get(match.group(1))
            if pin is None:
                handler.send_error(404)
                return
            self._reply(handler, 200, match.group(1), pin["code"], pin["token"])
            return
        handler.send_error(404)

    @staticmethod
    def _reply(handler: BaseHTTPRequestHandler, status: int, pin_id: str, code: str, token: str) -> None:
        body = (f'<?xml version="1.0" encoding="UTF-8"?>\n<pin id={quoteattr(pin_id)} code={quoteattr(code)} '
                f'authToken={quoteattr(token)} />\n').encode()
        handler.send_response(status)
        handler.send_header("Content-Type", "application/xml")
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)
