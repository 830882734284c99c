"""`plextray config get|set|unset|list`: every config.json setting by a dotted name, checked like
the settings window checks it, secrets to the keyring, and every key documented in the README."""

from __future__ import annotations

import io
import json
import stat
import sys

import pytest

from conftest import ROOT

from plextray.cli import main
from plextray.config import AppConfig, load_config
from plextray.config_keys import all_keys, find_key
from plextray.plex.credentials import load_alert_urls

README = (ROOT / "README.md").read_text(encoding="utf-8")

pytestmark = pytest.mark.usefixtures("restore_root_logging")


@pytest.fixture
def plex_logs(tmp_path):
    folder = tmp_path / "Logs"
    folder.mkdir()
    (folder / "Plex Media Server.log").write_text("")
    return folder


def run(capsys, *args: str, stdin: str = "") -> tuple[int, str, str]:
    sys.stdin = io.StringIO(stdin)
    try:
        status = main(["config", *args])
    finally:
        sys.stdin = sys.__stdin__
    out = capsys.readouterr()
    return status, out.out, out.err


SAMPLES = {  # a valid value per key as typed; any key without one gets one from its type
    "server.url": ["http://192.168.1.10:32400"],
    "alerts.urls": ["ntfy://ntfy.sh/kids-alerts", "json://127.0.0.1:8080/hook"],
    "smtp.security": ["ssl"],
    "smtp.port": ["465"],
    "smtp.from": ["plextray@home.example"],
    "smtp.to": ["dad@example.org", "mum@example.org"],
    "digest.time": ["07:30"],
}


def sample(key, plex_logs) -> list[str]:
    if key.name == "log_dir":
        return [str(plex_logs)]
    if key.name in SAMPLES:
        return SAMPLES[key.name]
    text = key.kind
    if text.startswith("list"):
        return ["one", "two"]
    if text.startswith("yes/no"):
        return ["yes"]
    if text.startswith("whole number"):
        return ["7"]
    if text.startswith("number"):
        return ["2.5"]
    return ["some-text"]


def test_every_key_round_trips_through_set_get_list_and_unset(capsys, plextray_home, plex_logs, memory_keyring):
    keys = all_keys()
    assert {"smtp.host", "smtp.port", "smtp.to", "digest.time", "alerts.urls", "log_dir"} <= {k.name for k in keys}
    for key in keys:
        typed = sample(key, plex_logs)
        status, out, err = run(capsys, "set", key.name, *typed)
        assert status == 0, (key.name, err)
        status, out, _ = run(capsys, "get", key.name)
        expected = "yes" if typed == ["yes"] else "\n".join(typed)
        assert out.rstrip("\n") == expected, key.name
        # the file keeps its format: the same JSON key, loadable by the app
        data = json.loads((plextray_home / "config.json").read_text())
        if key.path == ("alert_urls",):  # secrets: in the keyring, never the file (checked below)
            assert "alert_urls" not in data or data["alert_urls"] == [], key.name
            continue
        node = data
        for part in key.path:
            node = node[part]
        assert node is not None, key.name
    assert stat.S_IMODE((plextray_home / "config.json").stat().st_mode) == 0o600
    config = load_config(plextray_home / "config.json")
    assert config.email.recipients == ("dad@example.org", "mum@example.org") and config.email.port == 465
    assert load_alert_urls(config) == ("ntfy://ntfy.sh/kids-alerts", "json://127.0.0.1:8080/hook")
    status, out, _ = run(capsys, "list", "--json")
    listed = json.loads(out)
    assert set(listed) >= {k.name for k in keys} | {"plex.token", "smtp.password"}
    assert listed["smtp.host"] == "some-text" and listed["digest.time"] == "07:30"
    assert all("kids-alerts" not in url for url in listed["alerts.urls"])  # listings hide apprise secrets
    for key in keys:
        assert run(capsys, "unset", key.name)[0] == 0
    assert load_config(plextray_home / "config.json") == AppConfig()


@pytest.mark.parametrize("args, words", [
    (["set", "smtp.port", "99999"], "1 to 65535"),
    (["set", "smtp.port", "twelve"], "expected a whole number"),
    (["set", "digest.time", "7.30pm"], "HH:MM"),
    (["set", "smtp.security", "tls"], "starttls, ssl, none"),
    (["set", "smtp.to", "not-an-address"], "not an e-mail address"),
    (["set", "server.url", "plex.lan"], "http://"),
    (["set", "alerts.urls", "ntfy.sh/topic"], "apprise URL"),
    (["set", "keep_days", "0"], "at least 1"),
    (["set", "smtp.hots", "x"], "Did you mean smtp.host"),
    (["get", "nonsense"], "no setting called"),
])
def test_bad_values_are_refused_and_nothing_changes(capsys, plextray_home, args, words):
    assert run(capsys, "set", "smtp.host", "mail.example.org")[0] == 0
    before = (plextray_home / "config.json").read_bytes()
    status, out, err = run(capsys, *args)
    assert status == 2 and words in err, err
    assert (plextray_home / "config.json").read_bytes() == before


def test_log_dir_must_be_plex_s_log_folder(capsys, plextray_home, plex_logs):
    status, _, err = run(capsys, "set", "log_dir", str(plex_logs.parent))
    assert status == 2 and str(plex_logs) in err


def test_file_paths_work_as_names_too():
    assert find_key("email.host") is find_key("smtp.host") or find_key("email.host") == find_key("smtp.host")
    assert find_key("alert_urls").name == "alerts.urls"


def test_new_sections_get_keys_without_changes():
    """A section another module adds to AppConfig (e.g. mqtt) is walked like email is."""
    from dataclasses import dataclass, field, make_dataclass

    @dataclass(frozen=True)
    class Broker:
        host: str = ""
        port: int = 1883

    Extended = make_dataclass("Extended", [("mqtt", Broker, field(default_factory=Broker))], bases=(AppConfig,),
                              frozen=True, slots=True)
    names = {k.name for k in all_keys(Extended)}
    assert {"mqtt.host", "mqtt.port", "smtp.host"} <= names


def test_secrets_go_to_the_keyring_never_the_file(capsys, plextray_home, memory_keyring):
    run(capsys, "set", "smtp.host", "mail.example.org")
    run(capsys, "set", "smtp.username", "dad")
    status, out, err = run(capsys, "set", "smtp.password", stdin="s3cret-Pa55\n")
    assert status == 0, err
    assert memory_keyring.store[("plextray", "smtp:dad@mail.example.org")] == "s3cret-Pa55"
    assert b"s3cret" not in (plextray_home / "config.json").read_bytes()
    assert "(set, in the keyring" in run(capsys, "get", "smtp.password")[1]
    status, _, err = run(capsys, "set", "smtp.password", "on-the-command-line")
    assert status == 2 and "never as an argument" in err
    assert run(capsys, "unset", "smtp.password")[0] == 0
    assert ("plextray", "smtp:dad@mail.example.org") not in memory_keyring.store
    status, _, err = run(capsys, "set", "plex.token", stdin="a-plex-token-123\n")
    assert status == 0 and memory_keyring.store[("plextray", "plex_token")] == "a-plex-token-123"
    assert "(set, in the system keyring" in run(capsys, "get", "plex.token")[1]


def test_alert_urls_go_to_the_keyring_when_there_is_one(capsys, plextray_home, memory_keyring):
    """apprise URLs carry tokens: with a keyring they leave config.json, and the app still finds them."""
    (plextray_home).mkdir(parents=True, exist_ok=True)
    (plextray_home / "config.json").write_text(json.dumps({"alert_urls": ["ntfy://ntfy.sh/old-topic"]}))
    status, out, err = run(capsys, "set", "alerts.urls", "pover://user@secret-token-9", "ntfy://ntfy.sh/old-topic")
    assert status == 0 and "the system keyring" in out and "secret-token-9" not in out, err
    assert b"secret-token" not in (plextray_home / "config.json").read_bytes()
    assert json.loads(memory_keyring.store[("plextray", "alert_urls")]) == ["pover://user@secret-token-9",
                                                                             "ntfy://ntfy.sh/old-topic"]
    assert run(capsys, "get", "alerts.urls")[1] == "pover://user@secret-token-9\nntfy://ntfy.sh/old-topic\n"
    assert load_alert_urls(load_config(plextray_home / "config.json"))[0] == "pover://user@secret-token-9"
    assert run(capsys, "unset", "alerts.urls")[0] == 0
    assert ("plextray", "alert_urls") not in memory_keyring.store
    assert load_alert_urls(load_config(plextray_home / "config.json")) == ()


def test_the_readme_documents_every_key():
    for key in all_keys():
        assert f"`{key.name}`" in README, f"README does not document the setting {key.name}"
    for secret in ("plex.token", "smtp.password"):
        assert f"`{secret}`" in README
