"""keyring and apprise never bind PyGObject into plextray's process just by probing for it."""

from __future__ import annotations

import subprocess
import sys

PROBE = r"""
import sys
from plextray.keyring_loader import load_keyring
from plextray.alerts.apprise_loader import load_apprise
keyring = load_keyring()
keyring.get_keyring()
load_apprise()
print("gi" in sys.modules, "dbus" in sys.modules)
import gi  # still importable afterwards by whoever needs it (the StatusNotifierItem tray)
print("gi-ok")
"""


def test_the_keyring_and_apprise_load_without_binding_pygobject():
    import gi  # noqa: F401  (installed by tests/run.sh: the trap this guards against is real here)

    run = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    assert run.stdout.split() == ["False", "False", "gi-ok"]
