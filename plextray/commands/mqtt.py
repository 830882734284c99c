"""`plextray mqtt password|check`: the MQTT password into the keyring, and a one-off connection test.

The broker's address and user are settings (`plextray config set mqtt.url mqtt://USER@HOST:1883`);
the password is a secret and never goes to config.json, so it has its own command.
"""

from __future__ import annotations

import argparse
import getpass
import sys
import threading

from plextray.errors import ConfigError, PlexTrayError


class MqttError(PlexTrayError):
    """The broker could not be reached or refused the login."""

    exit_status = 1


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = subparsers.add_parser(
        "mqtt",
        help="Home Assistant over MQTT: store the broker's password, or check the connection",
        description="Home Assistant over MQTT is configured in config.json's `mqtt` section (url, username, "
        "discovery_prefix, node_id). `password` stores the broker password in the system keyring (read from "
        "standard input when it is not a terminal); `check` connects once and says whether the broker took the login.",
    )
    parser.add_argument("action", choices=("password", "check"))
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    from plextray.config import load_config
    from plextray.homeassistant.settings import parse_broker, store_password, with_password
    from plextray.paths import AppPaths

    settings = load_config(AppPaths.default().config).mqtt
    if not settings.configured:
        raise ConfigError("MQTT is not set up: plextray config set mqtt.url mqtt://HOST:1883 first")
    broker = parse_broker(settings)
    if args.action == "password":
        if sys.stdin.isatty():
            password = getpass.getpass(f"Password for {broker.describe()}: ")
        else:
            password = sys.stdin.readline().rstrip("\r\n")
        if not password:
            raise ConfigError("no password given; nothing stored")
        store_password(broker, password)
        print(f"Stored the password for {broker.describe()} in the system keyring.")
        return 0
    print(check(with_password(broker)))
    return 0


def check(broker: object, timeout: float = 10.0) -> str:
    """Connect once; a sentence on success, MqttError with the broker's answer otherwise."""
    import paho.mqtt.client as mqtt
    from paho.mqtt.enums import CallbackAPIVersion

    from plextray.homeassistant.settings import Broker

    assert isinstance(broker, Broker)
    done = threading.Event()
    answer: list[str] = []
    client = mqtt.Client(callback_api_version=CallbackAPIVersion.VERSION2, client_id=f"plextray-check-{broker.node}")
    if broker.username:
        client.username_pw_set(broker.username, broker.password)
    if broker.tls:
        client.tls_set()

    def on_connect(_c: object, _u: object, _f: object, reason_code: object, _p: object) -> None:
        answer.append(str(reason_code))
        done.set()

    client.on_connect = on_connect
    try:
        client.connect(broker.host, broker.port, keepalive=10)
    except (OSError, ValueError) as exc:
        raise MqttError(f"cannot reach {broker.describe()}: {getattr(exc, 'strerror', None) or exc}") from None
    client.loop_start()
    try:
        if not done.wait(timeout):
            raise MqttError(f"{broker.describe()} did not answer within {timeout:g} s")
    finally:
        client.disconnect()
        client.loop_stop()
    if answer[0] != "Success":
        raise MqttError(f"{broker.describe()} refused the login: {answer[0]}")
    return f"Connected to {broker.describe()}: Home Assistant discovery goes under {broker.discovery_prefix}/."
