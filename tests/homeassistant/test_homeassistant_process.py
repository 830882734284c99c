"""`plextray run --headless` as a real process with MQTT configured: Home Assistant sees it `online`
while it runs, and `offline` after SIGTERM (said on the way out) or `kill -9` (the broker's last will)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys

import pytest
from support.household import emma_profiles
from support.mosquitto import Broker, Watcher

from plextray.emulator.household import demo_household
from plextray.emulator.server import PlexEmulator

TOKEN = "ha-proc-token-51d2"
AVAILABILITY = "plextray/proc/availability"


@pytest.fixture
def broker(tmp_path):
    running = Broker(tmp_path / "mosquitto").start()
    yield running
    running.stop()


def start_headless(tmp_path, home, broker, emulator) -> subprocess.Popen:
    ids = demo_household(emulator)
    home.mkdir(parents=True, exist_ok=True)
    quota = {"type": "quota", "minutes": 45, "per": "day", "actions": ["stop"]}
    (home / "profiles.json").write_text(json.dumps(emma_profiles([quota], kid_device=ids["kid_tablet"])))
    (home / "config.json").write_text(json.dumps({"mqtt": {"url": broker.url, "node_id": "proc"}}))
    env = dict(os.environ, PLEX_URL=emulator.url, PLEX_TOKEN=TOKEN, PLEXTRAY_HOME=str(home))
    env.pop("DISPLAY", None)
    return subprocess.Popen(
        [sys.executable, "-m", "plextray", "run", "--headless", "--log-dir", str(tmp_path / "Logs")],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )


@pytest.mark.parametrize("how", ["sigterm", "kill -9"])
def test_availability_turns_offline_when_the_process_ends(tmp_path, plextray_home, broker, how):
    watcher = Watcher(broker)
    with PlexEmulator(token=TOKEN, log_dir=tmp_path / "Logs") as emulator:
        proc = start_headless(tmp_path, plextray_home, broker, emulator)
        try:
            watcher.wait(AVAILABILITY, "online", timeout=30)
            watcher.wait("plextray/proc/emma/minutes_left", "45")
            if how == "sigterm":
                proc.send_signal(signal.SIGTERM)
                out, err = proc.communicate(timeout=30)
                assert proc.returncode == 0, err
                assert "stopped." in out
            else:
                proc.kill()  # SIGKILL: no code of ours runs; the broker publishes the last will
                proc.wait(10)
            watcher.wait(AVAILABILITY, "offline", timeout=15)
            # mosquitto's log tells who said it: a clean DISCONNECT drops the will, so after SIGTERM
            # `offline` was plextray's own message; after kill -9 the socket just closed: the will
            broker_log = (broker.folder / "broker.log").read_text()
            clean = "Client plextray-proc disconnected." in broker_log
            assert clean == (how == "sigterm"), broker_log[-2000:]
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait(10)
            watcher.close()
    late = Watcher(broker)  # retained: Home Assistant starting later sees it offline too
    try:
        late.wait(AVAILABILITY, "offline", timeout=5)
    finally:
        late.close()
