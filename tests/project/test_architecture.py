"""Headless code never imports the GUI: the service must run on a NAS with no display and no Tk.

Every module under plextray/ except plextray.ui is imported in a fresh interpreter where tkinter,
pystray, PIL, plyer and Xlib are blocked; importing any of them fails the test and names the
module that did it. Modules are discovered by walking the package, so new ones are covered too.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
GUI_MODULES = ("tkinter", "_tkinter", "pystray", "PIL", "plyer", "Xlib", "gi")
EXEMPT_PREFIXES = ("plextray.ui",)  # the GUI itself

PROBE = r"""
import importlib, json, pkgutil, sys, traceback
BLOCKED = tuple(json.loads(sys.argv[1]))
EXEMPT = tuple(json.loads(sys.argv[2]))

class Blocker:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in BLOCKED:
            raise ImportError(f"GUI module {name!r} imported by headless code")
        return None

sys.meta_path.insert(0, Blocker())
package = importlib.import_module(sys.argv[3])
names = sorted(m.name for m in pkgutil.walk_packages(package.__path__, package.__name__ + "."))
checked, failures = [], {}
for name in names:
    if name.startswith(EXEMPT) or name.endswith(".__main__"):  # __main__ would run the CLI
        continue
    try:
        importlib.import_module(name)
        checked.append(name)
    except ImportError as exc:
        if "GUI module" in str(exc):
            failures[name] = str(exc)
        else:
            failures[name] = "cannot import: " + str(exc)
    except Exception as exc:
        failures[name] = f"{type(exc).__name__}: {exc}"
loaded = sorted(m for m in sys.modules if m.split(".")[0] in BLOCKED)
print(json.dumps({"checked": checked, "failures": failures, "loaded": loaded}))
"""


def run_probe(package: str = "plextray", cwd: Path = ROOT) -> dict:
    result = subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps(GUI_MODULES), json.dumps(EXEMPT_PREFIXES), package],
        capture_output=True, text=True, timeout=120, cwd=cwd,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_headless_modules_never_import_the_gui():
    report = run_probe()
    assert report["failures"] == {}, report["failures"]
    assert report["loaded"] == []
    checked = set(report["checked"])
    # The layers the headless service is built from are all among the checked modules.
    for required in ("plextray.core.model", "plextray.control", "plextray.notify", "plextray.autostart",
                     "plextray.cli", "plextray.store.db", "plextray.profiles.store"):
        assert required in checked
    for optional in ("plextray.engine", "plextray.service", "plextray.logs", "plextray.plex"):
        if (ROOT / "plextray" / optional.split(".")[1]).exists() or (ROOT / "plextray" / (optional.split(".")[1] + ".py")).exists():
            assert any(name == optional or name.startswith(optional + ".") for name in checked), optional


def test_the_blocker_catches_a_gui_import(tmp_path):
    """The probe itself must be able to fail: a module importing tkinter is reported by name."""
    pkg = tmp_path / "leaky_pkg"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "gui_leak.py").write_text("import tkinter\n")
    (pkg / "fine.py").write_text("import json\n")
    report = run_probe("leaky_pkg", cwd=tmp_path)
    assert report["checked"] == ["leaky_pkg.fine"]
    assert "tkinter" in report["failures"]["leaky_pkg.gui_leak"]
