"""Alert URLs are read from the keyring at the first alert, once, not when the engine is built:
a plextray that never alerts (and whose token is not in the keyring) never loads keyring for them."""

from __future__ import annotations

import time

import pytest
from support.alert_endpoint import Endpoint
from support.household import RecordingNotifier
from support.memkeyring import MemoryKeyring

from plextray.alerts.deferred import DeferredAlerter
from plextray.app import build_engine
from plextray.engine.actions import ActionRunner
from plextray.paths import AppPaths
from plextray.plex.credentials import save_alert_urls


class CountingKeyring(MemoryKeyring):
    def __init__(self) -> None:
        super().__init__()
        self.reads: list[str] = []

    def get_password(self, service: str, username: str) -> str | None:
        self.reads.append(username)
        return super().get_password(service, username)


@pytest.fixture
def counting_keyring(use_keyring):
    return use_keyring(CountingKeyring())


def _wait(condition, timeout: float = 10.0) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end and not condition():
        time.sleep(0.02)
    return bool(condition())


def test_the_keyring_is_read_at_the_first_alert_and_only_once(plextray_home, counting_keyring):
    paths = AppPaths(plextray_home)
    endpoint = Endpoint()
    try:
        save_alert_urls([endpoint.url()])
        counting_keyring.reads.clear()
        built = build_engine(paths, notifier=RecordingNotifier(), log_dir=None, with_mail=False)
        try:
            assert "alert_urls" not in counting_keyring.reads  # building the engine did not ask
            built.engine._runner.alert(("c", "1"), None, "plextray alert", "Emma · rating R > PG")
            assert _wait(lambda: len(endpoint.delivered) == 1)
            built.engine._runner.alert(("c", "2"), None, "plextray alert", "Emma · bedtime")
            assert _wait(lambda: len(endpoint.delivered) == 2)
            assert counting_keyring.reads.count("alert_urls") == 1
        finally:
            built.engine.stop()
            built.close()
    finally:
        endpoint.close()
    assert [d["title"] for d in endpoint.delivered] == ["plextray alert", "plextray alert"]


def test_with_no_alert_url_set_up_the_alert_is_recorded_as_skipped():
    results = []
    runner = ActionRunner(results.append, notifier=RecordingNotifier(), alerter=DeferredAlerter(lambda: ()))
    try:
        runner.alert(("c", "1"), 7, "plextray alert", "Emma · rating R > PG")
        assert _wait(lambda: bool(results))
    finally:
        runner.close()
    assert results[0].kind == "alert" and results[0].outcome == "skipped"
    assert results[0].detail == "no alert destination configured"


def test_after_close_no_keyring_read_and_no_dispatcher_starts():
    loads = []
    alerter = DeferredAlerter(lambda: loads.append(1) or ("json://127.0.0.1:9/hook",))
    alerter.close()
    alerter.send("plextray alert", "after quit")
    assert loads == [] and alerter.configured is False


def test_a_keyring_that_had_no_urls_is_asked_again_a_minute_later():
    """Locked at the first alert (the tray starts at login, the keyring unlocks later), or set up
    since: the URLs are read again at a later alert, not given up for the life of the process."""
    now = [1000.0]
    answers = [(), ("json://127.0.0.1:9/hook",)]
    built = []
    alerter = DeferredAlerter(lambda: answers.pop(0), build=lambda urls: built.append(urls) or object(),
                              clock=lambda: now[0])
    assert alerter.configured is False
    now[0] += 30
    assert alerter.configured is False and answers  # within the minute: not asked again
    now[0] += 31
    assert alerter.configured is True and built == [("json://127.0.0.1:9/hook",)]
    now[0] += 3600
    assert alerter.configured is True and len(built) == 1  # found once, kept

