"""Render what Home Assistant receives from plextray, as a PNG for the README.

    python installer/ha_picture.py [OUTPUT.png]

Honest by construction: a real mosquitto broker, the Plex emulator and the real engine with MQTT
on; a child plays an episode and "+15 min" is pressed over MQTT; then every retained message is
read back from the broker and drawn — each entity's name from its discovery config, its state
from its state topic. It is a drawing of that data, not a screenshot of Home Assistant.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TOKEN = "picture-token-1f2e"
NODE = "nas"


def start_broker(folder: Path) -> tuple[subprocess.Popen[bytes], int]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    conf = folder / "mosquitto.conf"
    conf.write_text(f"listener {port} 127.0.0.1\nallow_anonymous true\npersistence false\n"
                    + ("user root\n" if os.geteuid() == 0 else ""))
    binary = shutil.which("mosquitto") or "/usr/sbin/mosquitto"
    proc = subprocess.Popen([binary, "-c", str(conf)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(200):
        try:
            socket.create_connection(("127.0.0.1", port), 0.2).close()
            return proc, port
        except OSError:
            time.sleep(0.05)
    raise SystemExit("mosquitto did not start")


def retained(port: int) -> dict[str, str]:
    import paho.mqtt.client as mqtt
    from paho.mqtt.enums import CallbackAPIVersion

    seen: dict[str, str] = {}
    lock = threading.Lock()
    client = mqtt.Client(callback_api_version=CallbackAPIVersion.VERSION2, client_id="picture")

    def on_message(_c: object, _u: object, message: mqtt.MQTTMessage) -> None:
        with lock:
            seen[message.topic] = message.payload.decode("utf-8")

    client.on_connect = lambda c, *_: c.subscribe("#")
    client.on_message = on_message
    client.connect("127.0.0.1", port)
    client.loop_start()
    time.sleep(1.5)
    client.disconnect()
    client.loop_stop()
    return {t: p for t, p in seen.items() if p}


def run_household(home: Path, logs: Path, port: int) -> dict[str, str]:
    import paho.mqtt.publish as publish

    from plextray.app import build_engine
    from plextray.config import AppConfig, MqttSettings
    from plextray.core.model import WatchSession
    from plextray.emulator.household import demo_household
    from plextray.emulator.server import PlexEmulator
    from plextray.paths import AppPaths
    from plextray.store.db import connect
    from plextray.store.history import HistoryStore

    clock = _Clock(datetime.combine(datetime.now().date(), datetime.min.time()).replace(hour=17, minute=40))
    emulator = PlexEmulator(token=TOKEN, log_dir=logs, clock=clock).start()
    ids = demo_household(emulator)
    kid, teen = ids["kid_tablet"], ids["teen_phone"]
    paths = AppPaths(home).ensure()
    paths.profiles.write_text(json.dumps({"version": 1, "people": [
        {"name": "Emma", "devices": [kid], "restrictions": [
            {"type": "quota", "minutes": 90, "per": "day", "actions": ["notify", "stop"]},
            {"type": "time", "from": "20:30", "to": "07:00", "actions": ["stop"]}]},
        {"name": "Leo", "devices": [teen], "restrictions": [
            {"type": "quota", "minutes": 120, "per": "day", "actions": ["notify", "stop"]}]}]}))
    conn = connect(paths.database)
    now = clock()
    earlier = []
    for client_id, minutes in ((kid, 50), (teen, 35)):
        start = max(now - timedelta(hours=2), datetime.combine(now.date(), datetime.min.time()))
        earlier.append(WatchSession(key=f"{client_id}@1001@{start.isoformat()}", client_id=client_id, rating_key="1001",
                                    start=start.isoformat(), end=(start + timedelta(minutes=minutes)).isoformat(),
                                    start_utc=start.timestamp(), end_utc=start.timestamp() + minutes * 60,
                                    watched_ms=minutes * 60_000, state="stopped", live=False))
    HistoryStore(conn).upsert_sessions(earlier)
    conn.close()
    os.environ["PLEX_URL"], os.environ["PLEX_TOKEN"] = emulator.url, TOKEN
    config = AppConfig(mqtt=MqttSettings(url=f"mqtt://127.0.0.1:{port}", node_id=NODE))
    built = build_engine(paths, notifier=_Quiet(), log_dir=logs, with_mail=False, config=config, wall_clock=clock)
    built.start()
    try:
        time.sleep(2.0)
        emulator.play(kid, "2201")
        time.sleep(1.0)
        publish.single(f"plextray/{NODE}/emma/add_15/set", "PRESS", hostname="127.0.0.1", port=port)
        time.sleep(4.0)
        return retained(port)
    finally:
        built.engine.stop()
        built.close()
        emulator.stop()


class _Clock:
    """The household's wall clock: late afternoon today (before bedtime), running."""

    def __init__(self, start: datetime) -> None:
        self._start, self._mono = start, time.monotonic()

    def __call__(self) -> datetime:
        return self._start + timedelta(seconds=time.monotonic() - self._mono)


class _Quiet:
    def notify(self, title: str, message: str) -> bool:
        return True


def draw(messages: dict[str, str], out: Path) -> None:
    from PIL import Image, ImageDraw, ImageFont

    configs = [json.loads(p) for t, p in messages.items() if t.endswith("/config")]
    groups: dict[str, list[tuple[str, str]]] = {}
    rank = ["minutes_left", "minutes_today", "watching", "now_watching", "last_stop", "add_15", "add_30",
            "no_bedtime", "monitoring", "problems", "send_report"]

    def place(config: dict) -> int:
        return next((i for i, w in enumerate(rank) if config["unique_id"].endswith("_" + w)
                     and not config["unique_id"].endswith("now_" + w)), 99)

    for config in sorted(configs, key=place):
        entity = config["default_entity_id"]
        domain, object_id = entity.split(".", 1)
        topic = config.get("state_topic")
        state = messages.get(topic, "") if topic else "PRESS"
        if config.get("unit_of_measurement") and state:
            state = f"{state} {config['unit_of_measurement']}"
        if domain == "switch":
            state = "on" if state == "ON" else "off"
        if domain == "binary_sensor":
            state = "on" if state == "ON" else "off"
        parts = object_id.split("_")
        person = parts[1].capitalize() if config["unique_id"].count("_") > 2 and parts[1] not in (
            "monitoring", "problems", "send") else "Household"
        name = config["name"]
        if person != "Household" and name.lower().startswith(person.lower() + " "):
            name = name[len(person) + 1:]
            name = name[:1].upper() + name[1:]
        groups.setdefault(person, []).append((name, state))
    font_dir = Path("/usr/share/fonts/truetype/dejavu")
    regular = ImageFont.truetype(str(font_dir / "DejaVuSans.ttf"), 17)
    bold = ImageFont.truetype(str(font_dir / "DejaVuSans-Bold.ttf"), 19)
    small = ImageFont.truetype(str(font_dir / "DejaVuSans.ttf"), 13)
    order = [g for g in groups if g != "Household"] + ["Household"]
    card_w, row_h, pad = 420, 34, 16
    heights = [pad * 2 + 30 + row_h * len(groups[g]) for g in order]
    width = pad + (card_w + pad) * len(order)
    height = pad + max(heights) + 44
    image = Image.new("RGB", (width, height), (236, 239, 241))
    ink = ImageDraw.Draw(image)
    for index, group in enumerate(order):
        x = pad + index * (card_w + pad)
        ink.rounded_rectangle((x, pad, x + card_w, pad + heights[index]), 12, fill=(255, 255, 255), outline=(210, 214, 218))
        ink.text((x + pad, pad + pad), group, font=bold, fill=(33, 33, 33))
        y = pad + pad + 34
        for name, state in groups[group]:
            ink.text((x + pad, y + 6), name, font=regular, fill=(33, 33, 33))
            if state == "PRESS":
                box = (x + card_w - pad - 78, y + 3, x + card_w - pad, y + row_h - 5)
                ink.rounded_rectangle(box, 6, outline=(3, 169, 244))
                ink.text((box[0] + 14, y + 7), "PRESS", font=small, fill=(3, 169, 244))
            else:
                shown = state if len(state) <= 26 else state[:25] + "…"
                w = ink.textlength(shown, font=regular)
                ink.text((x + card_w - pad - w, y + 6), shown, font=regular, fill=(97, 97, 97))
            y += row_h
    ink.text((pad, height - 30), "Drawn by installer/ha_picture.py from the discovery configs and retained states "
             "plextray published on a real MQTT broker (not a Home Assistant screenshot).", font=small, fill=(97, 97, 97))
    out.parent.mkdir(parents=True, exist_ok=True)
    image.save(out)


def main() -> None:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "assets" / "screenshots" / "home-assistant.png"
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        broker, port = start_broker(folder)
        try:
            messages = run_household(folder / "home", folder / "Logs", port)
        finally:
            broker.terminate()
            broker.wait(5)
    draw(messages, out)
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
