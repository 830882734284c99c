"""AlertDispatcher against a real HTTP endpoint on 127.0.0.1, through apprise's json:// plugin."""

from __future__ import annotations

import logging
import time

import pytest
from support.alert_endpoint import Endpoint

from plextray.alerts import alert_message
from plextray.alerts.dispatcher import AlertDispatcher, private_url, register_url_secrets, validate_url
from plextray.secrets import redact

SECRET = "s3cretPassw0rd"


@pytest.fixture
def endpoint():
    made = []

    def make(**kwargs):
        made.append(Endpoint(**kwargs))
        return made[-1]

    yield make
    for e in made:
        e.close()


def test_alert_payload_has_title_reason_and_action(endpoint):
    ep = endpoint()
    alerts = AlertDispatcher([ep.url()], base_delay=0.05)
    title, body = alert_message("Emma", "Emma · rating R > PG on Emma's iPad", ["notified", "stopped at 22:41"], "22:41")
    alerts.send(title, body)
    assert alerts.wait_idle(10)
    alerts.close(1)
    assert len(ep.delivered) == 1
    payload = ep.delivered[0]
    assert payload["title"] == "plextray: Emma"
    assert "Emma · rating R > PG on Emma's iPad" in payload["message"]
    assert "Done: notified, stopped at 22:41" in payload["message"]
    assert ep.requests[0][1] == "/hook"
    assert [(r.delivered, r.attempts) for r in alerts.results] == [(True, 1)]


def test_failing_endpoint_is_retried_with_exponential_backoff_then_delivered(endpoint):
    ep = endpoint(fail_first=3)
    alerts = AlertDispatcher([ep.url()], max_attempts=5, base_delay=0.2)
    alerts.send("plextray: Leo", "quota 120 min reached\nDone: stopped")
    assert alerts.wait_idle(15)
    alerts.close(1)
    times = [t for t, _, _ in ep.requests]
    assert len(times) == 4 and len(ep.delivered) == 1
    gaps = [b - a for a, b in zip(times, times[1:])]
    assert gaps[0] >= 0.18 and gaps[1] >= 0.38 and gaps[2] >= 0.78  # 0.2, 0.4, 0.8
    assert alerts.results[0].delivered and alerts.results[0].attempts == 4


def test_gives_up_after_max_attempts_and_logs_no_secret(endpoint, caplog):
    ep = endpoint(fail_first=100)
    url = ep.url(creds=f"bob:{SECRET}@")
    caplog.set_level(logging.DEBUG)
    alerts = AlertDispatcher([url], max_attempts=3, base_delay=0.05)
    alerts.send("plextray: Emma", "something")
    assert alerts.wait_idle(10)
    alerts.close(1)
    assert len(ep.requests) == 3 and ep.delivered == []
    (result,) = alerts.results
    assert not result.delivered and result.attempts == 3
    assert SECRET not in caplog.text and SECRET not in repr(result)
    assert "failed after 3 attempts" in caplog.text
    assert result.url.startswith("json://bob:") and SECRET not in private_url(url)


def test_send_returns_immediately_when_endpoint_hangs(endpoint):
    ep = endpoint()
    ep.hang.set()
    alerts = AlertDispatcher([ep.url()], max_attempts=1)
    started = time.monotonic()
    for i in range(5):
        alerts.send(f"alert {i}", "body")
    assert time.monotonic() - started < 0.1
    deadline = time.monotonic() + 5
    while not ep.requests and time.monotonic() < deadline:
        time.sleep(0.01)
    assert ep.requests  # the worker is stuck in the endpoint, the caller is not
    ep.release.set()
    ep.hang.clear()
    assert alerts.wait_idle(15)
    alerts.close(1)
    assert len(ep.delivered) == 5


def test_one_dead_url_does_not_hold_back_another(endpoint):
    good, bad = endpoint(), endpoint(fail_first=100)
    alerts = AlertDispatcher([bad.url(), good.url()], max_attempts=3, base_delay=0.5)
    alerts.send("t", "b")
    deadline = time.monotonic() + 5
    while not good.delivered and time.monotonic() < deadline:
        time.sleep(0.01)
    assert good.delivered and len(bad.requests) == 1  # delivered while the bad one waits to retry
    assert alerts.wait_idle(10)
    alerts.close(1)
    assert sorted(r.delivered for r in alerts.results) == [False, True]


def test_validate_url():
    assert validate_url("json://127.0.0.1:8080/x") is None
    assert validate_url("ntfy://my-topic") is None
    assert "not a URL" in validate_url("hello")
    assert "does not understand" in validate_url("nosuch://x")


def test_cli_alert_test(endpoint, capsys):
    from plextray.cli import main

    ep = endpoint()
    assert main(["alert", "test", "--url", ep.url()]) == 0
    assert "sent  json://127.0.0.1" in capsys.readouterr().out
    assert ep.delivered[0]["title"] == "plextray test alert"
    assert main(["alert", "test"]) == 2
    assert "no alert URLs are set" in capsys.readouterr().err


def test_token_in_the_url_path_never_reaches_the_log(endpoint, caplog):
    token = "a1B2c3D4e5F6g7H8tok"
    ep = endpoint(fail_first=100)
    caplog.set_level(logging.DEBUG)
    alerts = AlertDispatcher([ep.url(path=f"/hook/{token}")], max_attempts=2, base_delay=0.05)
    alerts.send("t", "b")
    assert alerts.wait_idle(10)
    alerts.close(1)
    assert ep.requests[0][1] == f"/hook/{token}"  # the real URL was used
    assert "failed after 2 attempts" in caplog.text and token not in caplog.text
    assert token not in repr(alerts.results)


BOT_TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"


def test_telegram_bot_token_in_the_host_part_is_masked():
    """tgram://BOT_TOKEN/CHAT_ID: the token is the URL's host:port part (no user info), and apprise
    logs (at debug) and requests' errors show it inside https://api.telegram.org/bot<token>/…"""
    register_url_secrets(f"tgram://{BOT_TOKEN}/987654321")
    line = (f"Socket Exception: HTTPSConnectionPool(host='api.telegram.org', port=443): Max retries exceeded "
            f"with url: /bot{BOT_TOKEN}/sendMessage")
    assert BOT_TOKEN not in redact(line)
    assert "AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw" not in redact(f"token part alone: AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw")
