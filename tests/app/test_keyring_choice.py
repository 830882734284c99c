"""keyring is chosen without loading secretstorage (and cryptography) where no Secret Service can
answer, and picks the very backend it would have picked with them; where one answers, it is used."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

CHOOSE = r"""
import json, sys
from plextray.keyring_loader import load_keyring
keyring = load_keyring()
backend = type(keyring.get_keyring())
print(json.dumps({"backend": backend.__module__ + "." + backend.__qualname__,
                  "loaded": sorted(m for m in ("secretstorage", "cryptography") if m in sys.modules)}))
"""

# keyring's own choice, with every backend module free to import what it probes for (but PyGObject,
# which plextray always keeps out: tests/app/test_desktop_bindings.py)
PLAIN = r"""
import json
import keyring
from plextray.desktop_bindings import refused
with refused():
    backend = type(keyring.get_keyring())
print(json.dumps({"backend": backend.__module__ + "." + backend.__qualname__}))
"""

OWNER = r"""
import asyncio
from dbus_fast.aio import MessageBus
async def main():
    bus = await MessageBus().connect()
    await bus.request_name("org.freedesktop.secrets")
    print("owned", flush=True)
    await bus.wait_for_disconnect()
asyncio.run(main())
"""


# a session bus with no service directories: nothing on it is activatable, whatever the machine has
# installed (a developer's gnome-keyring would otherwise make the Secret Service activatable)
BARE_BUS = """<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:tmpdir={tmp}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"""


@contextmanager
def bare_bus(tmp_path: Path) -> Iterator[str]:
    if not shutil.which("dbus-daemon"):
        pytest.skip("dbus-daemon is not installed (tests/run.sh installs it)")
    config = tmp_path / "bus.conf"
    config.write_text(BARE_BUS.format(tmp=tmp_path))
    bus = subprocess.Popen(["dbus-daemon", f"--config-file={config}", "--nofork", "--print-address=1"],
                           stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        yield bus.stdout.readline().strip()
    finally:
        bus.terminate()
        bus.wait(5)


def _run(code: str, env: dict[str, str]) -> dict:
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, env=env)
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout.strip().splitlines()[-1])


def _env(**changes: str | None) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("PYTHON_KEYRING_BACKEND", None)
    for key, value in changes.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return env


def test_without_a_session_bus_the_keyring_is_chosen_without_secretstorage():
    env = _env(DBUS_SESSION_BUS_ADDRESS=None)
    chosen = _run(CHOOSE, env)
    assert chosen["loaded"] == []
    assert chosen["backend"] == _run(PLAIN, env)["backend"]


def test_a_bus_without_a_secret_service_skips_secretstorage_too(tmp_path):
    with bare_bus(tmp_path) as address:
        env = _env(DBUS_SESSION_BUS_ADDRESS=address)
        chosen = _run(CHOOSE, env)
        assert chosen["loaded"] == []
        assert chosen["backend"] == _run(PLAIN, env)["backend"]


def test_a_secret_service_on_the_bus_is_the_keyring_used(tmp_path):
    """A bus where the Secret Service's name is owned: keyring's SecretService backend."""
    with bare_bus(tmp_path) as address:
        env = _env(DBUS_SESSION_BUS_ADDRESS=address)
        owner = subprocess.Popen([sys.executable, "-c", OWNER], env=env, stdout=subprocess.PIPE, text=True)
        try:
            assert owner.stdout.readline().strip() == "owned"
            chosen = _run(CHOOSE, env)
        finally:
            owner.terminate()
            owner.wait(5)
    assert chosen["backend"] == "keyring.backends.SecretService.Keyring"
    assert "secretstorage" in chosen["loaded"]
