"""A real Mosquitto broker for tests, on 127.0.0.1 and a free port, and a client that watches it.

`Broker` writes its own config (listener, anonymous or password file, no persistence), starts
`mosquitto -c`, and can be stopped and started again on the same port (a broker restart).
`Watcher` subscribes to everything and keeps the last payload of each topic, retained or not,
as Home Assistant's view of the broker.
"""

from __future__ import annotations

import getpass
import json
import shutil
import socket
import subprocess
import threading
import time
from pathlib import Path
from typing import Any

import pytest

MOSQUITTO = shutil.which("mosquitto") or "/usr/sbin/mosquitto"
MOSQUITTO_PASSWD = shutil.which("mosquitto_passwd") or "/usr/bin/mosquitto_passwd"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Broker:
    def __init__(self, folder: Path, *, users: dict[str, str] | None = None) -> None:
        if not Path(MOSQUITTO).exists():
            pytest.fail("mosquitto is not installed: tests/run.sh installs Debian's mosquitto")
        self.folder = folder
        self.folder.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.users = users or {}
        self.proc: subprocess.Popen[bytes] | None = None
        lines = [f"listener {self.port} 127.0.0.1", "persistence false", f"log_dest file {folder / 'broker.log'}",
                 "log_type all"]
        if getpass.getuser() == "root":
            lines.append("user root")  # else mosquitto drops to a `mosquitto` user that cannot read this folder
        if self.users:
            passwd = folder / "passwd"
            passwd.write_text("")
            for user, password in self.users.items():
                subprocess.run([MOSQUITTO_PASSWD, "-b", str(passwd), user, password], check=True, capture_output=True)
            lines += ["allow_anonymous false", f"password_file {passwd}"]
        else:
            lines.append("allow_anonymous true")
        self.config = folder / "mosquitto.conf"
        self.config.write_text("\n".join(lines) + "\n")

    @property
    def url(self) -> str:
        return f"mqtt://127.0.0.1:{self.port}"

    def start(self) -> "Broker":
        self.proc = subprocess.Popen([MOSQUITTO, "-c", str(self.config)], stdout=subprocess.DEVNULL,
                                     stderr=subprocess.PIPE)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"mosquitto exited: {self.proc.stderr.read().decode() if self.proc.stderr else ''}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return self
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("mosquitto did not listen within 10 s")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        self.proc = None


class Watcher:
    """A paho client subscribed to `#`: `last[topic]` is each topic's latest payload (text)."""

    def __init__(self, broker: Broker, *, username: str | None = None, password: str | None = None) -> None:
        import paho.mqtt.client as mqtt

        self.last: dict[str, str] = {}
        self.history: list[tuple[str, str, bool]] = []  # (topic, payload, retained)
        self._lock = threading.Lock()
        self._subscribed = threading.Event()
        self.client = mqtt.Client(callback_api_version=mqtt.CallbackAPIVersion.VERSION2,
                                  client_id=f"ha-watcher-{time.monotonic_ns()}")
        if username:
            self.client.username_pw_set(username, password)
        self.client.on_connect = lambda c, *_: c.subscribe("#", qos=1)
        self.client.on_subscribe = lambda *_: self._subscribed.set()
        self.client.on_message = self._on_message
        self.client.connect("127.0.0.1", broker.port)
        self.client.loop_start()
        assert self._subscribed.wait(10), "the watcher could not subscribe"

    def _on_message(self, _client: Any, _userdata: Any, message: Any) -> None:
        text = message.payload.decode("utf-8")
        with self._lock:
            self.last[message.topic] = text
            self.history.append((message.topic, text, bool(message.retain)))

    def get(self, topic: str) -> str | None:
        with self._lock:
            return self.last.get(topic)

    def json(self, topic: str) -> Any:
        text = self.get(topic)
        return json.loads(text) if text else None

    def matching(self, start: str, end: str = "") -> dict[str, str]:
        with self._lock:
            return {t: p for t, p in self.last.items() if t.startswith(start) and t.endswith(end)}

    def wait(self, topic: str, value: str | None = None, timeout: float = 15.0, *, test=None) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            got = self.get(topic)
            if got is not None and (value is None or got == value) and (test is None or test(got)):
                return got
            time.sleep(0.02)
        raise AssertionError(f"{topic} is {self.get(topic)!r}, expected {value!r}")

    def press(self, topic: str, payload: str = "PRESS", *, retain: bool = False) -> None:
        self.client.publish(topic, payload, qos=1, retain=retain).wait_for_publish(5)

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()
