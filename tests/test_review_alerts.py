"""Review findings in plextray.alerts: every credential in an apprise URL is masked in logs."""

from __future__ import annotations

from plextray.alerts.dispatcher import register_url_secrets
from plextray.secrets import redact

BOT_TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"


def test_telegram_bot_token_in_the_host_part_is_masked():
    """tgram://BOT_TOKEN/CHAT_ID: the token is the URL's host:port part (no user info), and apprise
    logs (at debug) and requests' errors show it inside https://api.telegram.org/bot<token>/…"""
    register_url_secrets(f"tgram://{BOT_TOKEN}/987654321")
    line = (f"Socket Exception: HTTPSConnectionPool(host='api.telegram.org', port=443): Max retries exceeded "
            f"with url: /bot{BOT_TOKEN}/sendMessage")
    assert BOT_TOKEN not in redact(line)
    assert "AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw" not in redact(f"token part alone: AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw")
