"""Alert URLs hold bot tokens, so they live in the keyring like the SMTP password and config.json
really holds no secret (issue 12, part 5): moved there on the first start, delivered from there,
never lost when there is no secure keyring."""

from __future__ import annotations

import json

import pytest
from support.household import RecordingNotifier
from support.memkeyring import MemoryKeyring
from support.alert_endpoint import Endpoint

from plextray.app import build_engine
from plextray.config import AppConfig, load_config
from plextray.config_save import save_config
from plextray.errors import SecretStoreError
from plextray.paths import AppPaths
from plextray.plex.credentials import load_alert_urls, migrate_alert_urls, save_alert_urls
from plextray.secrets import redact

BOT = "tgram://123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw/987654"


@pytest.fixture
def keyring_memory(use_keyring):
    return use_keyring(MemoryKeyring())


def write_old_config(paths: AppPaths, urls: list[str]) -> None:
    """config.json as an older plextray wrote it: the URLs in the file."""
    paths.ensure()
    paths.config.write_text(json.dumps({"server_url": "http://127.0.0.1:32400", "alert_urls": urls}, indent=2))


def test_the_first_start_moves_alert_urls_to_the_keyring_and_delivers_from_there(plextray_home, keyring_memory):
    paths = AppPaths(plextray_home)
    endpoint = Endpoint()
    try:
        write_old_config(paths, [BOT, endpoint.url()])
        built = build_engine(paths, notifier=RecordingNotifier(), log_dir=None, with_mail=False)
        try:
            text = paths.config.read_text()
            assert "AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw" not in text and "alert_urls" not in text
            assert json.loads(text)["server_url"] == "http://127.0.0.1:32400"  # the rest kept
            assert json.loads(keyring_memory.store[("plextray", "alert_urls")]) == [BOT, endpoint.url()]
            assert not [p for p in built.problems if "alert" in p]
            assert "AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw" not in redact(f"failed: {BOT}")  # masked in logs too
            built.engine._runner.alert(("c", "1"), None, "plextray alert", "Emma · rating R > PG")
            assert delivered_within(endpoint)
        finally:
            built.engine.stop()  # (never started: closes its action runner)
            built.close()
    finally:
        endpoint.close()
    assert endpoint.delivered[0]["title"] == "plextray alert"


def delivered_within(endpoint, timeout: float = 10.0) -> bool:
    import time

    end = time.monotonic() + timeout
    while time.monotonic() < end and not endpoint.delivered:
        time.sleep(0.02)
    return bool(endpoint.delivered)


def test_without_a_secure_keyring_they_stay_in_the_file_and_still_work(plextray_home, use_keyring):
    from keyring.backends.fail import Keyring as FailKeyring

    use_keyring(FailKeyring())
    paths = AppPaths(plextray_home)
    write_old_config(paths, [BOT])
    before = paths.config.read_text()
    built = build_engine(paths, notifier=RecordingNotifier(), log_dir=None, with_mail=False)
    built.close()
    assert paths.config.read_text() == before  # nothing lost
    assert any("alert URLs stay in" in problem and "keyring" in problem for problem in built.problems)
    assert load_alert_urls(load_config(paths.config)) == (BOT,)
    with pytest.raises(SecretStoreError, match="alert URLs"):
        save_alert_urls(["ntfy://new-topic"])  # a new one is never written to a file by surprise
    save_alert_urls([])  # no URLs needs no keyring (a settings save with e-mail only)


def test_save_replaces_the_list_and_clears_what_an_old_file_held(plextray_home, keyring_memory):
    paths = AppPaths(plextray_home)
    write_old_config(paths, ["ntfy://old-topic"])
    save_alert_urls([BOT, " ntfy://kids ", BOT, ""], config_path=paths.config)
    assert load_alert_urls(load_config(paths.config)) == (BOT, "ntfy://kids")
    assert "old-topic" not in paths.config.read_text()
    save_alert_urls(["ntfy://kids"])
    assert load_alert_urls() == ("ntfy://kids",)  # exactly the list given: a removed URL is gone
    save_alert_urls([])
    assert ("plextray", "alert_urls") not in keyring_memory.store


def test_save_config_never_writes_them_where_a_keyring_can_take_them(plextray_home, keyring_memory):
    paths = AppPaths(plextray_home).ensure()
    save_config(paths.config, AppConfig(server_url="http://10.0.0.5:32400", alert_urls=(BOT,)))
    assert "tgram" not in paths.config.read_text()
    assert load_alert_urls(load_config(paths.config)) == (BOT,)
    assert migrate_alert_urls(paths.config) is None  # nothing left to move


def test_only_the_keyring_aware_save_writes_config_json():
    """config.py's raw writer keeps alert URLs in the file; only config_save (which moves them to
    the keyring first) and the keyring code (dropping them, so writing none) may call it."""
    import ast
    from pathlib import Path

    package = Path(__file__).resolve().parents[2] / "plextray"
    callers = set()
    for path in package.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
        names |= {n.attr for n in ast.walk(tree) if isinstance(n, ast.Attribute)}
        names |= {a.name for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) for a in n.names}
        if "write_config" in names:
            callers.add(path.relative_to(package).as_posix())
    assert callers == {"config_save.py", "plex/credentials.py"}
