"""A webhook on 127.0.0.1 that records every POST (apprise's json:// plugin talks to it)."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Endpoint:
    """A webhook that records every POST; can fail the first N requests or hang."""

    def __init__(self, fail_first: int = 0, status: int = 500):
        self.fail_first = fail_first
        self.status = status
        self.hang = threading.Event()
        self.release = threading.Event()
        self.requests: list[tuple[float, str, dict]] = []
        self.delivered: list[dict] = []
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                length = int(self.headers.get("Content-Length", 0))
                payload = json.loads(self.rfile.read(length) or b"{}")
                owner.requests.append((time.monotonic(), self.path, payload))
                if owner.hang.is_set():
                    owner.release.wait(10)
                if len(owner.requests) <= owner.fail_first:
                    self.send_response(owner.status)
                    self.end_headers()
                    return
                owner.delivered.append(payload)
                self.send_response(200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path="/hook", creds=""):
        return f"json://{creds}127.0.0.1:{self.port}{path}?cto=2&rto=2"

    def close(self):
        self.release.set()
        self.server.shutdown()
        self.server.server_close()
