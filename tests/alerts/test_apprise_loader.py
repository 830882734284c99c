"""apprise is loaded without its desktop plugins: no PyGObject or dbus bound into plextray's process."""

from __future__ import annotations

import subprocess
import sys

PROBE = r"""
import sys
from plextray.alerts.apprise_loader import load_apprise
from plextray.alerts.dispatcher import validate_url
apprise = load_apprise()
print("gi" in sys.modules, "dbus" in sys.modules)
print(validate_url("glib://") is not None, validate_url("json://127.0.0.1:9/hook") is None)
import gi  # still importable by anyone else afterwards (the tray's StatusNotifierItem backend)
print("gi-ok")
"""


def test_apprise_never_binds_pygobject_or_dbus_and_desktop_urls_are_refused():
    import gi  # noqa: F401  (PyGObject is installed by tests/run.sh: the trap this guards against)

    run = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    assert run.stdout.split() == ["False", "False", "True", "True", "gi-ok"]
