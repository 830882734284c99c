"""`/:/websockets/notifications`: PMS's push channel, as python-plexapi's AlertListener and Tautulli use it.

Why: clients that watch plays live (plexapi `startAlertListener`, Tautulli) get a `playing`
message on every state change instead of polling. Shapes follow notes C10 (real PMS 1.3+ JSON):
`{"NotificationContainer":{"type":"playing","size":1,"PlaySessionStateNotification":[{...}]}}`
with the keys in PMS's order. A minimal RFC 6455 server: text frames out; ping, pong and close in.
"""

from __future__ import annotations

import base64
import hashlib
import json
import queue
import select
import socket
import threading
from typing import Any

_GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
_HANG_UP = b""  # put in a listener's box: close that socket (a network blip, a proxy timeout)


class NotificationHub:
    """Fans each notification out to every connected listener. Thread-safe."""

    def __init__(self) -> None:
        self._subscribers: set[queue.Queue[bytes]] = set()
        self._lock = threading.Lock()
        self.accepting = True  # False: new sockets are refused (503), as behind a restarting proxy

    def subscribe(self) -> queue.Queue[bytes]:
        box: queue.Queue[bytes] = queue.Queue()
        with self._lock:
            self._subscribers.add(box)
        return box

    def unsubscribe(self, box: queue.Queue[bytes]) -> None:
        with self._lock:
            self._subscribers.discard(box)

    def listeners(self) -> int:
        with self._lock:
            return len(self._subscribers)

    def hang_up(self) -> int:
        """Close every open notification socket (the server stays up). Returns how many."""
        with self._lock:
            boxes = list(self._subscribers)
        for box in boxes:
            box.put(_HANG_UP)
        return len(boxes)

    def publish(self, container: dict[str, Any]) -> None:
        payload = json.dumps({"NotificationContainer": container}, separators=(",", ":")).encode()
        with self._lock:
            boxes = list(self._subscribers)
        for box in boxes:
            box.put(payload)

    def playing(self, *, session_key: str, client_id: str, rating_key: str, view_offset: int, state: str) -> None:
        self.publish({"type": "playing", "size": 1, "PlaySessionStateNotification": [{
            "sessionKey": session_key, "clientIdentifier": client_id, "guid": "", "ratingKey": rating_key,
            "url": "", "key": f"/library/metadata/{rating_key}", "viewOffset": view_offset, "state": state,
        }]})


def accept_key(client_key: str) -> str:
    return base64.b64encode(hashlib.sha1(client_key.encode() + _GUID).digest()).decode()


def frame(payload: bytes, opcode: int = 0x1) -> bytes:
    """One final, unmasked frame (servers never mask)."""
    size = len(payload)
    if size < 126:
        header = bytes([0x80 | opcode, size])
    elif size < 65536:
        header = bytes([0x80 | opcode, 126]) + size.to_bytes(2, "big")
    else:
        header = bytes([0x80 | opcode, 127]) + size.to_bytes(8, "big")
    return header + payload


def _read_exact(conn: socket.socket, count: int) -> bytes | None:
    data = b""
    while len(data) < count:
        chunk = conn.recv(count - len(data))
        if not chunk:
            return None
        data += chunk
    return data


def _read_frame(conn: socket.socket) -> tuple[int, bytes] | None:
    """(opcode, payload) of one client frame (clients always mask), None at end of stream."""
    head = _read_exact(conn, 2)
    if head is None:
        return None
    opcode, size = head[0] & 0x0F, head[1] & 0x7F
    if size == 126:
        raw = _read_exact(conn, 2)
        size = int.from_bytes(raw or b"\0\0", "big")
    elif size == 127:
        raw = _read_exact(conn, 8)
        size = int.from_bytes(raw or b"\0" * 8, "big")
    mask = _read_exact(conn, 4) if head[1] & 0x80 else b"\0\0\0\0"
    payload = _read_exact(conn, size) if size else b""
    if mask is None or payload is None:
        return None
    return opcode, bytes(b ^ mask[i % 4] for i, b in enumerate(payload))


def _refuse(h: Any, status: int, title: str) -> None:
    body = f"<html><head><title>{title}</title></head><body><h1>{status} {title}</h1></body></html>".encode()
    h.send_response(status)
    h.send_header("Content-Type", "text/html")
    h.send_header("Content-Length", str(len(body)))
    h.end_headers()
    h.wfile.write(body)


def serve(hub: NotificationHub, h: Any, stopping: threading.Event) -> None:
    """Upgrade this HTTP request to a WebSocket and stream notifications until either side closes."""
    key = h.headers.get("Sec-WebSocket-Key")
    if not hub.accepting:
        _refuse(h, 503, "Service Unavailable")
        return
    if not key or "websocket" not in (h.headers.get("Upgrade") or "").lower():
        _refuse(h, 400, "Bad Request")
        return
    h.send_response(101, "Switching Protocols")
    h.send_header("Upgrade", "websocket")
    h.send_header("Connection", "Upgrade")
    h.send_header("Sec-WebSocket-Accept", accept_key(key))
    h.end_headers()
    h.wfile.flush()
    h.close_connection = True
    conn: socket.socket = h.connection
    box = hub.subscribe()
    try:
        while not stopping.is_set():
            readable, _, _ = select.select([conn], [], [], 0.05)
            if readable:
                incoming = _read_frame(conn)
                if incoming is None or incoming[0] == 0x8:  # gone, or a close frame: answer it and stop
                    if incoming is not None:
                        conn.sendall(frame(incoming[1][:2], 0x8))
                    return
                if incoming[0] == 0x9:
                    conn.sendall(frame(incoming[1], 0xA))
            while True:
                try:
                    payload = box.get_nowait()
                except queue.Empty:
                    break
                if payload == _HANG_UP:
                    conn.sendall(frame(b"\x03\xe9", 0x8))  # close 1001: going away
                    return
                conn.sendall(frame(payload))
    except OSError:  # the emulator went down or the client vanished
        return
    finally:
        hub.unsubscribe(box)
