from __future__ import annotations

import json

import pytest

from plextray.config import AppConfig, EmailSettings, load_config
from plextray.config_save import save_config
from plextray.errors import ConfigError


def test_missing_file_gives_defaults(tmp_path):
    assert load_config(tmp_path / "config.json") == AppConfig()


def test_round_trip(tmp_path, use_keyring):
    from keyring.backends.fail import Keyring as NoKeyring

    use_keyring(NoKeyring())  # with no keyring, alert URLs stay in the file (tests/alerts/test_hostile_secrets.py)
    path = tmp_path / "config.json"
    config = AppConfig(
        server_url="http://127.0.0.1:32400",
        alert_urls=("ntfy://topic",),
        email=EmailSettings(host="smtp.example", recipients=("a@example.org",), digest_time="21:00"),
    )
    save_config(path, config)
    assert load_config(path) == config
    assert (path.stat().st_mode & 0o777) == 0o600


def test_broken_json_names_file_and_position(tmp_path):
    path = tmp_path / "config.json"
    path.write_text('{"server_url": ')
    with pytest.raises(ConfigError, match=r"config.json: not valid JSON \(line 1"):
        load_config(path)
    assert path.read_text() == '{"server_url": '


def test_unknown_setting_is_an_error(tmp_path):
    path = tmp_path / "config.json"
    path.write_text(json.dumps({"server": "x"}))
    with pytest.raises(ConfigError, match="unknown setting"):
        load_config(path)
