"""Home Assistant over a real Mosquitto broker: the real engine against the Plex emulator publishes
discovery and states; buttons and the switch pressed over MQTT act through the engine's commands."""

from __future__ import annotations

import json
import sqlite3
import time
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from support.household import FakeClock, RecordingAlerter, RecordingNotifier, emma_profiles, wait_for, write_profiles
from support.mosquitto import Broker, Watcher

from plextray.app import build_engine
from plextray.config import AppConfig, MqttSettings
from plextray.core.model import WatchSession
from plextray.emulator.household import demo_household
from plextray.emulator.server import PlexEmulator
from plextray.paths import AppPaths
from plextray.store.db import connect
from plextray.store.violations import EnforcementStore
from plextray.store.history import HistoryStore
from support.ha_discovery_schema import validate_discovery

TOKEN = "ha-token-7c1e9b20"
MONDAY_4PM = datetime(2026, 11, 23, 16, 0, 0)
NODE = "home"
BASE = f"plextray/{NODE}"
QUOTA_60 = {"type": "quota", "minutes": 60, "per": "day", "actions": ["stop"]}
RATING_PG = {"type": "rating", "max": "PG", "unrated": "block", "actions": ["stop"]}


@pytest.fixture
def broker(tmp_path):
    running = Broker(tmp_path / "mosquitto").start()
    yield running
    running.stop()


@pytest.fixture
def watcher(broker):
    client = Watcher(broker)
    yield client
    client.close()


class House:
    """The emulator, Emma's profiles, an earlier play of 20 minutes today, and the engine with MQTT on."""

    def __init__(self, tmp_path: Path, home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        self.clock = FakeClock(MONDAY_4PM)
        self.logs = tmp_path / "Logs"
        self.home = home
        self.emulator = PlexEmulator(token=TOKEN, log_dir=self.logs, clock=self.clock).start()
        self.ids = demo_household(self.emulator)
        self.kid = self.ids["kid_tablet"]
        self.built = None
        monkeypatch.setenv("PLEX_URL", self.emulator.url)
        monkeypatch.setenv("PLEX_TOKEN", TOKEN)

    def seed_earlier_play(self, minutes: int) -> None:
        conn = connect(AppPaths(self.home).database)
        start = MONDAY_4PM - timedelta(hours=3)
        end = start + timedelta(minutes=minutes)
        HistoryStore(conn).upsert_sessions([WatchSession(
            key=f"{self.kid}@1001@{start.isoformat()}", client_id=self.kid, rating_key="1001",
            start=start.isoformat(), end=end.isoformat(), start_utc=start.timestamp(), end_utc=end.timestamp(),
            watched_ms=minutes * 60_000, state="stopped", live=False, device="Kid Tablet")])
        conn.close()

    def start(self, restrictions: list[dict], broker_url: str, **mqtt: str) -> None:
        write_profiles(self.home, emma_profiles(restrictions, kid_device=self.kid))
        config = AppConfig(mqtt=MqttSettings(url=broker_url, node_id=NODE, **mqtt))
        self.built = build_engine(AppPaths(self.home), notifier=RecordingNotifier(), alerter=RecordingAlerter(),
                                  log_dir=self.logs, wall_clock=self.clock, config=config, with_mail=False)
        self.built.start()

    @property
    def engine(self):
        return self.built.engine

    @property
    def bridge(self):
        return next(job for job in self.built.jobs if type(job).__name__ == "HomeAssistantBridge")

    def grants(self) -> list[sqlite3.Row]:
        conn = sqlite3.connect(self.home / "history.sqlite3")
        conn.row_factory = sqlite3.Row
        with conn:
            return conn.execute("SELECT * FROM grants ORDER BY id").fetchall()

    def close(self) -> None:
        if self.built is not None:
            self.built.engine.stop()
            self.built.close()
        self.emulator.stop()


@pytest.fixture
def house(tmp_path, plextray_home, monkeypatch, broker):  # the broker outlives the house: a clean goodbye
    world = House(tmp_path, plextray_home, monkeypatch)
    yield world
    world.close()


def configs(watcher: Watcher) -> dict[str, dict]:
    return {t: json.loads(p) for t, p in watcher.matching("homeassistant/", "/config").items() if p}


def test_discovery_follows_home_assistants_schema_and_states_are_retained(house, broker, watcher):
    house.seed_earlier_play(20)
    house.start([QUOTA_60], broker.url)
    watcher.wait(f"{BASE}/emma/minutes_left", "40")
    assert watcher.wait(f"{BASE}/availability") == "online"
    found = configs(watcher)
    validate_discovery(found)  # the documented schema of each component: required keys, ids, availability
    ids = {payload["unique_id"] for payload in found.values()}
    for what in ("minutes_today", "minutes_left", "now_watching", "watching", "last_stop", "add_15", "add_30",
                 "no_bedtime"):
        assert f"plextray_emma_{what}" in ids
    assert {f"plextray_monitoring", f"plextray_problems", f"plextray_send_report"} <= ids
    assert f"plextray_parents_minutes_left" not in ids  # no daily quota: no "minutes left"
    assert f"plextray_parents_add_15" in ids
    assert {p["device"]["identifiers"][0] for p in found.values()} == {f"plextray_{NODE}"}
    assert watcher.get(f"{BASE}/emma/minutes_today") == "20"
    assert watcher.get(f"{BASE}/emma/watching") == "OFF"
    assert watcher.get(f"{BASE}/emma/now_watching") == "none"
    assert watcher.get(f"{BASE}/monitoring") == "ON"

    late = Watcher(broker)  # Home Assistant started later: the broker hands it every retained message
    try:
        late.wait(f"{BASE}/emma/minutes_left", "40", timeout=5)
        assert configs(late) == found
        assert late.get(f"{BASE}/availability") == "online"
    finally:
        late.close()


def test_plus_15_pressed_over_mqtt_raises_minutes_left_by_15_and_is_recorded_as_a_grant(house, broker, watcher):
    house.seed_earlier_play(20)
    house.start([QUOTA_60], broker.url)
    before = int(watcher.wait(f"{BASE}/emma/minutes_left", "40"))
    watcher.press(f"{BASE}/emma/add_15/set")
    after = int(watcher.wait(f"{BASE}/emma/minutes_left", str(before + 15)))
    assert after - before == 15
    rows = house.grants()
    assert [(r["person"], r["day"], r["minutes"], r["lift_until"]) for r in rows] == [("Emma", "2026-11-23", 15, None)]
    conn = connect(AppPaths(house.home).database)
    try:  # what the rules read: the same totals as a grant from the tray or `plextray grant`
        assert EnforcementStore(conn).grants_for("Emma", MONDAY_4PM.date()).extra_minutes == 15
    finally:
        conn.close()
    watcher.press(f"{BASE}/emma/add_30/set")
    watcher.wait(f"{BASE}/emma/minutes_left", str(before + 45))


def test_no_bedtime_tonight_lifts_windows_and_a_retained_or_odd_press_does_nothing(house, broker, watcher):
    bedtime = {"type": "time", "from": "20:00", "to": "07:00", "actions": ["stop"]}
    # a retained press, replayed by the broker on every (re)connect, would grant again each time
    watcher.press(f"{BASE}/emma/add_30/set", retain=True)
    house.start([bedtime, QUOTA_60], broker.url)
    watcher.wait(f"{BASE}/emma/minutes_left", "60")
    watcher.press(f"{BASE}/emma/add_15/set", "15")  # not the documented payload_press
    watcher.press(f"{BASE}/nobody/add_30/set")
    watcher.press(f"{BASE}/emma/no_bedtime/set")
    wait_for(lambda: house.grants(), timeout=10)
    time.sleep(0.5)
    rows = house.grants()
    assert [(r["person"], r["minutes"]) for r in rows] == [("Emma", 0)]
    assert rows[0]["lift_until"] == "2026-11-24T07:00:00"
    assert watcher.get(f"{BASE}/emma/minutes_left") == "60"
    watcher.press(f"{BASE}/emma/add_30/set", "", retain=True)  # clear the retained press


def test_monitoring_switch_pauses_and_resumes(house, broker, watcher):
    house.start([RATING_PG], broker.url)
    watcher.wait(f"{BASE}/monitoring", "ON")
    watcher.press(f"{BASE}/monitoring/set", "OFF")
    watcher.wait(f"{BASE}/monitoring", "OFF")
    assert house.engine.snapshot().paused
    house.emulator.play(house.kid, "1002")  # R-rated: paused monitoring lets it play
    watcher.wait(f"{BASE}/emma/watching", "ON")
    time.sleep(1.5)
    assert house.emulator.terminate_calls == []
    watcher.press(f"{BASE}/monitoring/set", "ON")
    watcher.wait(f"{BASE}/monitoring", "ON")
    assert not house.engine.snapshot().paused
    wait_for(lambda: house.emulator.terminate_calls, timeout=10)


def test_now_watching_last_stop_and_problems_follow_the_engine(house, broker, watcher):
    house.start([RATING_PG], broker.url)
    watcher.wait(f"{BASE}/emma/last_stop", "none")
    house.emulator.play(house.kid, "1001")
    assert watcher.wait(f"{BASE}/emma/now_watching", "The Incredible Journey")
    watcher.wait(f"{BASE}/emma/watching", "ON")
    # attributes go out before their state (MQTT keeps one publisher's order), so they are here already
    assert watcher.json(f"{BASE}/emma/now_watching/attributes")["title"] == "The Incredible Journey"
    house.emulator.play(house.kid, "1002")  # R: stopped
    stop = watcher.wait(f"{BASE}/emma/last_stop", test=lambda v: v != "none")
    assert "rating R > PG" in stop and stop.startswith("16:")
    attributes = watcher.json(f"{BASE}/emma/last_stop/attributes")
    assert attributes["time"].startswith("2026-11-23T16:") and "rating R > PG" in attributes["reason"]
    assert watcher.get(f"{BASE}/problems") == "0"
    assert watcher.json(f"{BASE}/problems/attributes") == {"problems": []}


def test_a_person_removed_loses_their_entities(house, broker, watcher):
    house.start([QUOTA_60], broker.url)
    watcher.wait(f"{BASE}/emma/minutes_left", "60")
    parents = {t for t, p in configs(watcher).items() if "/parents_" in t}
    assert len(parents) == 7
    doc = emma_profiles([QUOTA_60], kid_device=house.kid)
    doc["people"] = doc["people"][:1]
    time.sleep(0.05)  # a new mtime for the reload check
    write_profiles(house.home, doc)
    house.engine.reload_profiles()
    for topic in parents:
        watcher.wait(topic, "")  # an empty retained config: Home Assistant removes the entity
    assert all("/parents_" not in t for t in configs(watcher))
    assert any("/emma_" in t for t in configs(watcher))

    late = Watcher(broker)  # nothing of Parents stays retained on the broker
    try:
        late.wait(f"{BASE}/emma/minutes_left", "60", timeout=5)
        assert not any("/parents_" in t for t in late.matching("homeassistant/", "/config"))
    finally:
        late.close()


def test_entities_of_a_person_removed_while_plextray_was_off_are_removed_at_start(house, broker, watcher):
    gone = f"homeassistant/sensor/plextray_{NODE}/oliver_minutes_today/config"
    watcher.press(gone, json.dumps({"name": "Oliver minutes watched today", "state_topic": f"{BASE}/oliver/x",
                                    "unique_id": f"plextray_oliver_minutes_today"}), retain=True)
    house.start([QUOTA_60], broker.url)
    watcher.wait(f"{BASE}/emma/minutes_left", "60")
    watcher.wait(gone, "")


def test_home_assistant_coming_online_gets_discovery_and_states_again(house, broker, watcher):
    house.start([QUOTA_60], broker.url)
    watcher.wait(f"{BASE}/emma/minutes_left", "60")
    config_topic = f"homeassistant/sensor/plextray_{NODE}/emma_minutes_left/config"
    seen = len(watcher.history)
    watcher.press("homeassistant/status", "online")
    wait_for(lambda: any(t == config_topic for t, _, _ in watcher.history[seen:]), timeout=10)
    wait_for(lambda: any(t == f"{BASE}/emma/minutes_left" for t, _, _ in watcher.history[seen:]), timeout=10)


def test_a_broker_restart_is_survived(house, broker, watcher):
    house.start([QUOTA_60], broker.url)
    watcher.wait(f"{BASE}/emma/minutes_left", "60")
    watcher.close()
    broker.stop()  # no persistence: everything retained is lost with it
    wait_for(lambda: not house.bridge.connected, timeout=10)
    broker.start()
    fresh = Watcher(broker)
    try:
        fresh.wait(f"{BASE}/availability", "online", timeout=30)
        fresh.wait(f"{BASE}/emma/minutes_left", "60", timeout=10)
        validate_discovery(configs(fresh))
        fresh.press(f"{BASE}/emma/add_15/set")  # and commands work again
        fresh.wait(f"{BASE}/emma/minutes_left", "75")
    finally:
        fresh.close()


def test_a_broker_that_refuses_the_login_or_goes_away_never_keeps_a_stop_from_happening(
        tmp_path, house, use_keyring, caplog):
    from support.memkeyring import MemoryKeyring

    from plextray.homeassistant.settings import Broker as BrokerAddress, store_password

    refusing = Broker(tmp_path / "auth", users={"ha": "right-password"}).start()
    use_keyring(MemoryKeyring())
    store_password(BrokerAddress("127.0.0.1", refusing.port, False, "ha"), "wrong-password-4411")
    try:
        house.start([RATING_PG], f"mqtt://ha@127.0.0.1:{refusing.port}")
        wait_for(lambda: "refused the connection" in caplog.text, timeout=10)
        house.emulator.play(house.kid, "1002")
        wait_for(lambda: house.emulator.terminate_calls, timeout=10)
        assert not house.bridge.connected
        refusing.stop()  # and now gone altogether
        house.emulator.play(house.kid, "1003")  # PG-13: stopped too
        wait_for(lambda: len(house.emulator.terminate_calls) >= 2, timeout=10)
        assert caplog.text.count("refused the connection") == 1  # said once, not once per retry
        assert "wrong-password-4411" not in caplog.text
    finally:
        refusing.stop()


def test_minutes_move_during_a_play_and_the_quota_stop_shows(house, broker, watcher):
    house.seed_earlier_play(50)
    house.start([QUOTA_60], broker.url)
    watcher.wait(f"{BASE}/emma/minutes_left", "10")
    house.emulator.play(house.kid, "1001")
    watcher.wait(f"{BASE}/emma/watching", "ON")
    house.clock.advance(minutes=6)
    house.emulator.report(house.kid, state="playing", position_ms=6 * 60_000)
    # 50 + 6 min and the few real seconds the test took: 56 watched, 3 whole minutes left (rounded down)
    watcher.wait(f"{BASE}/emma/minutes_today", "56")  # within a few seconds of the play's report
    watcher.wait(f"{BASE}/emma/minutes_left", "3")
    house.clock.advance(minutes=5)
    house.emulator.report(house.kid, state="playing", position_ms=11 * 60_000)
    wait_for(lambda: house.emulator.terminate_calls, timeout=10)  # 61 > 60: stopped
    watcher.wait(f"{BASE}/emma/minutes_left", "0")
    assert "quota" in watcher.wait(f"{BASE}/emma/last_stop", test=lambda v: v != "none")
