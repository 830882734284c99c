"""A test alert to each URL, waited for: what the settings window's and `plextray alert test`'s
"send a test" buttons share, so neither front end reaches into the other."""

from __future__ import annotations

import socket
from collections.abc import Sequence

from plextray.alerts.dispatcher import AlertDispatcher, AlertResult


def send_test(urls: Sequence[str], *, attempts: int = 2, timeout: float = 60.0) -> list[AlertResult]:
    """Deliver one test alert to each URL and wait up to `timeout` s for the outcomes (a URL still
    being tried when it runs out has no result)."""
    alerts = AlertDispatcher(list(urls), max_attempts=attempts, base_delay=1.0)
    alerts.send("plextray test alert", f"This is a test alert from plextray on {socket.gethostname()}.")
    alerts.wait_idle(timeout)
    alerts.close(0.5)
    return alerts.results
