"""Headless code never imports the GUI: the service must run on a NAS with no display and no Tk.

Every module under plextray/ except plextray.ui is imported in a fresh interpreter where tkinter,
pystray, PIL, plyer and Xlib are blocked; importing any of them fails the test and names the
module that did it. Modules are discovered by walking the package, so new ones are covered too.

And what the running service loads: `run_headless` against the emulator, monitoring, with its
token from PLEX_TOKEN, has loaded none of what only rare actions need (an alert, a mail, a
report, the keyring). Each costs resident memory for the service's whole life (issue 17: the idle
service's RSS; the figures are benchmarks/idle.py's, never asserted here).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from plextray.emulator.household import demo_household
from plextray.emulator.server import PlexEmulator

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


# loaded when first needed, never by a monitoring service that has not used them
RARE_ACTIONS = ("apprise", "keyring", "secretstorage", "cryptography", "smtplib", "plextray.alerts.dispatcher",
                "plextray.mail.smtp", "plextray.mail.messages", "plextray.reports", "plextray.core.report_fold",
                "plextray.ui", "plextray.setup_flow",
                "charset_normalizer", "chardet")  # requests' charset guesser: Plex declares UTF-8 (plex/client.py)

# the start of both probe scripts: `watch(settle, then)`, on a thread, waits until the process
# is monitoring (60 s at most), lets it idle `settle` seconds, notes what it has loaded, then()
_PROBE_WATCH = r"""
import json, os, signal, sys, threading, time
from pathlib import Path
from plextray.paths import AppPaths

home, logs = Path(sys.argv[1]), Path(sys.argv[2])
seen = {}

def watch(settle, then):
    end, state = time.monotonic() + 60, None
    while time.monotonic() < end and state != "monitoring":
        time.sleep(0.05)
        try:
            state = json.loads((home / "status.json").read_text()).get("state")
        except (OSError, ValueError):
            state = None
    time.sleep(settle)
    seen.update(state=state, modules=sorted(sys.modules))
    then()
"""

SERVICE_PROBE = _PROBE_WATCH + r"""
from plextray.service import run_headless

stop = threading.Event()
# 1 s: a little of the idle life after the first server poll
threading.Thread(target=watch, args=(1.0, stop.set), daemon=True).start()
code = run_headless(AppPaths(home), log_dir=logs, stop_event=stop)
print(json.dumps({"code": code, **seen}))
"""


def _probe_a_monitoring_process(tmp_path, probe: str, *, setting: dict[str, str], dropping: tuple[str, ...]) -> dict:
    """Run `probe` (a script that starts plextray for a household with a rule, against the
    emulator, and prints what it had loaded once monitoring) in a process of its own."""
    logs, home = tmp_path / "Logs", tmp_path / "home"
    emulator = PlexEmulator(token="arch-token-1234", log_dir=logs).start()
    try:
        ids = demo_household(emulator)
        home.mkdir()
        (home / "profiles.json").write_text(json.dumps({"version": 1, "people": [
            {"name": "Emma", "devices": [ids["kid_tablet"]], "accounts": ["Emma"],
             "restrictions": [{"type": "rating", "max": "PG", "actions": ["stop", "alert"]}]}]}))
        env = dict(os.environ, PLEXTRAY_HOME=str(home), PLEX_URL=emulator.url, PLEX_TOKEN="arch-token-1234",
                   PYTHONPATH=str(ROOT), **setting)
        for name in dropping:
            env.pop(name, None)
        run = subprocess.run([sys.executable, "-c", probe, str(home), str(logs)], capture_output=True,
                             text=True, timeout=120, cwd=ROOT, env=env)
    finally:
        emulator.stop()
    assert run.returncode == 0, run.stderr
    report = json.loads(run.stdout.strip().splitlines()[-1])
    assert report["code"] == 0 and report["state"] == "monitoring", report.get("state")
    return report


def test_the_monitoring_service_loads_nothing_only_rare_actions_need(tmp_path):
    report = _probe_a_monitoring_process(tmp_path, SERVICE_PROBE, setting={}, dropping=("DISPLAY",))
    modules = set(report["modules"])
    assert {"plexapi.server", "plextray.engine.engine", "plextray.logs.saver"} <= modules  # it did run
    loaded = sorted(m for m in modules if any(m == rare or m.startswith(rare + ".") for rare in RARE_ACTIONS + GUI_MODULES))
    assert loaded == []


# what an idle tray app (pystray's xorg icon, the XEmbed tray) must not have loaded: Tk and its
# theme come with the first window or the popup menu, the windows' modules with their window,
# Pillow's drawing code (FreeType, HarfBuzz) with a window's icon; plistlib is macOS' autostart
IDLE_TRAY_NEVER = ("tkinter", "_tkinter", "sv_ttk", "PIL.ImageDraw", "PIL.ImageFont", "PIL._imagingft", "PIL.ImageTk",
                   "plistlib", "plextray.ui.settings", "plextray.ui.first_run", "plextray.ui.popup_menu",
                   "plextray.ui.theme")

TRAY_PROBE = _PROBE_WATCH + r"""
from plextray.tray_main import run_tray

def sigterm():  # as a logout ends it: the idle loop must hear it
    os.kill(os.getpid(), signal.SIGTERM)

# 1.5 s: the icon shown, the first dock check: a little of the idle life
threading.Thread(target=watch, args=(1.5, sigterm), daemon=True).start()
code = run_tray(AppPaths(home), log_dir=logs)
print(json.dumps({"code": code, **seen}))
"""


def test_an_idle_tray_loads_no_tk_and_nothing_only_windows_or_rare_actions_need(tmp_path, xdisplay):
    """And SIGTERM still quits it cleanly, though no Tk loop runs."""
    report = _probe_a_monitoring_process(
        tmp_path, TRAY_PROBE,
        setting={"DISPLAY": xdisplay, "PYSTRAY_BACKEND": "xorg", "XDG_CONFIG_HOME": str(tmp_path / "xdg")},
        dropping=("XDG_CURRENT_DESKTOP", "XDG_SESSION_TYPE", "WAYLAND_DISPLAY"))
    modules = set(report["modules"])
    assert {"pystray._xorg", "plextray.ui.tray", "PIL.Image", "plextray.engine.engine"} <= modules  # it did run
    rare = tuple(name for name in RARE_ACTIONS if name != "plextray.ui")  # the tray is plextray.ui
    loaded = sorted(m for m in modules if any(m == never or m.startswith(never + ".") for never in IDLE_TRAY_NEVER + rare))
    assert loaded == []
