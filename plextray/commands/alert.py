"""`plextray alert test`: send a test alert to every configured apprise URL and say how it went."""

from __future__ import annotations

import argparse

from plextray.errors import ConfigError, DeliveryError
from plextray.paths import AppPaths


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("alert", help="alerts to the parent's phone (apprise URLs in the settings)")
    sub = parser.add_subparsers(dest="alert_command", metavar="ACTION", required=True)
    test = sub.add_parser("test", help="send a test alert to every configured URL")
    test.add_argument("--url", action="append", metavar="URL", help="send to this URL instead (repeatable)")
    test.set_defaults(handler=run_test)


def run_test(args: argparse.Namespace) -> int:
    from plextray.alerts.probe import send_test
    from plextray.config import load_config
    from plextray.plex.credentials import load_alert_urls

    urls = args.url or list(load_alert_urls(load_config(AppPaths.default().config)))
    if not urls:
        raise ConfigError("no alert URLs are set: add one in the settings (Alerts) or pass --url")
    results = send_test(urls)
    failed = [r for r in results if not r.delivered]
    for r in results:
        print(f"{'sent' if r.delivered else 'FAILED'}  {r.url}" + (f"  ({r.error})" if r.error else ""))
    if len(results) < len(urls):
        raise DeliveryError("some alerts were still being delivered when the test gave up")
    if failed:
        raise DeliveryError(f"{len(failed)} of {len(results)} alert URL(s) failed")
    return 0
