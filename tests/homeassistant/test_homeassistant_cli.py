"""`plextray mqtt password|check` and the `mqtt` settings: the password reaches the keyring only, a
password in the URL is refused, and `check` tells a good login from a refused one on a real broker."""

from __future__ import annotations

import io
import json

import pytest
from support.memkeyring import MemoryKeyring
from support.mosquitto import Broker

from plextray.cli import main
from plextray.config import AppConfig, MqttSettings, load_config
from plextray.errors import ConfigError
from plextray.homeassistant.settings import parse_broker


def write_config(home, **mqtt):
    home.mkdir(parents=True, exist_ok=True)
    (home / "config.json").write_text(json.dumps({"mqtt": mqtt}))


def test_urls_users_ports_and_tls_are_read_and_a_password_in_the_url_is_refused():
    broker = parse_broker(MqttSettings(url="mqtts://ha@broker.lan", node_id="NAS box"))
    assert (broker.host, broker.port, broker.tls, broker.username, broker.node) == ("broker.lan", 8883, True, "ha", "nas_box")
    plain = parse_broker(MqttSettings(url="mqtt://10.0.0.2", username="plextray"))
    assert (plain.port, plain.tls, plain.username, plain.discovery_prefix) == (1883, False, "plextray", "homeassistant")
    with pytest.raises(ConfigError, match="password"):
        parse_broker(MqttSettings(url="mqtt://ha:secret@broker.lan"))
    with pytest.raises(ConfigError, match="mqtt:// or mqtts://"):
        parse_broker(MqttSettings(url="http://broker.lan"))
    with pytest.raises(ConfigError, match="'\\+' or '#'"):
        parse_broker(MqttSettings(url="mqtt://b", discovery_prefix="home/#"))


def test_the_mqtt_section_round_trips_and_rejects_unknown_keys(tmp_path):
    config = AppConfig(mqtt=MqttSettings(url="mqtt://b:1883", discovery_prefix="ha"))
    assert AppConfig.from_dict(json.loads(json.dumps(config.to_dict()))) == config
    assert AppConfig.from_dict({}).mqtt.configured is False
    with pytest.raises(ConfigError, match="unknown mqtt setting"):
        AppConfig.from_dict({"mqtt": {"url": "mqtt://b", "pasword": "x"}})
    with pytest.raises(ConfigError, match="must be a string"):
        AppConfig.from_dict({"mqtt": {"url": 1883}})


def test_password_goes_to_the_keyring_and_check_tells_good_from_refused(tmp_path, plextray_home, use_keyring,
                                                                       monkeypatch, capsys):
    keyring = use_keyring(MemoryKeyring())
    broker = Broker(tmp_path / "auth", users={"ha": "s3cret-pass"}).start()
    try:
        write_config(plextray_home, url=f"mqtt://ha@127.0.0.1:{broker.port}", node_id="cli")
        monkeypatch.setattr("sys.stdin", io.StringIO("wrong-pass\n"))
        assert main(["mqtt", "password"]) == 0
        assert keyring.store[("plextray", "mqtt:ha@127.0.0.1")] == "wrong-pass"
        assert "wrong-pass" not in (plextray_home / "config.json").read_text()
        assert main(["mqtt", "check"]) == 1
        assert "refused the login" in capsys.readouterr().err
        monkeypatch.setattr("sys.stdin", io.StringIO("s3cret-pass\n"))
        assert main(["mqtt", "password"]) == 0
        assert main(["mqtt", "check"]) == 0
        out = capsys.readouterr()
        assert "Connected to mqtt://ha@127.0.0.1" in out.out
        assert "s3cret-pass" not in out.out + out.err
        assert load_config(plextray_home / "config.json").mqtt.username == ""
    finally:
        broker.stop()
