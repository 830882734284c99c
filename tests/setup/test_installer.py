"""installer/: the Linux files pass their validators, the others parse, and install.sh really installs."""

from __future__ import annotations

import ast
import os
import plistlib
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from plextray.autostart import desktop_entry, launch_agent, systemd_unit

ROOT = Path(__file__).resolve().parents[2]
INSTALLER = ROOT / "installer"


def test_desktop_entry_validates():
    result = subprocess.run(["desktop-file-validate", str(INSTALLER / "plextray.desktop")], capture_output=True, text=True)
    assert result.returncode == 0 and result.stdout.strip() == "", result.stdout + result.stderr
    # The shipped file is what `plextray autostart enable` writes for a `plextray` on PATH.
    assert (INSTALLER / "plextray.desktop").read_text() == desktop_entry(["plextray"])


def test_systemd_user_unit_verifies(tmp_path):
    """%h/.local/bin/plextray must exist for verify: a temporary HOME where install.sh would link it."""
    home = tmp_path / "home"
    binary = home / ".local" / "bin" / "plextray"
    binary.parent.mkdir(parents=True)
    binary.write_text("#!/bin/sh\nexit 0\n")
    binary.chmod(0o755)
    runtime = tmp_path / "runtime"
    runtime.mkdir(mode=0o700)
    unit = tmp_path / "plextray.service"
    shutil.copy(INSTALLER / "plextray.service", unit)
    result = subprocess.run(["systemd-analyze", "--user", "verify", str(unit)], capture_output=True, text=True,
                            timeout=60, env={**os.environ, "HOME": str(home), "XDG_RUNTIME_DIR": str(runtime)})
    assert result.returncode == 0, result.stderr
    assert "ExecStart=%h/.local/bin/plextray run --headless" in unit.read_text()
    assert unit.read_text() == systemd_unit(["%h/.local/bin/plextray", "run", "--headless"])


def test_systemd_verify_catches_a_missing_binary(tmp_path):
    """The verify step can fail: without the binary it complains."""
    runtime = tmp_path / "runtime"
    runtime.mkdir(mode=0o700)
    unit = tmp_path / "plextray.service"
    shutil.copy(INSTALLER / "plextray.service", unit)
    result = subprocess.run(["systemd-analyze", "--user", "verify", str(unit)], capture_output=True, text=True,
                            timeout=60, env={**os.environ, "HOME": str(tmp_path / "empty"), "XDG_RUNTIME_DIR": str(runtime)})
    assert result.returncode != 0 and "is not executable" in result.stderr


def test_launch_agent_plist():
    data = plistlib.loads((INSTALLER / "com.plextray.agent.plist").read_bytes())
    assert data["Label"] == "com.plextray.agent"
    assert data["RunAtLoad"] is True and data["KeepAlive"] == {"SuccessfulExit": False}
    assert (INSTALLER / "com.plextray.agent.plist").read_bytes() == launch_agent(data["ProgramArguments"])


def test_pyinstaller_spec_is_windowed_with_hidden_backends():
    source = (INSTALLER / "plextray.spec").read_text()
    ast.parse(source)  # valid Python
    for needle in ('"plyer.platforms.linux.notification"', '"plyer.platforms.win.notification"',
                   '"plyer.platforms.macosx.notification"', 'collect_submodules("pystray")',
                   'collect_submodules("keyring.backends")', 'excludes=["keyrings.alt"]', "console=False",
                   'copy_metadata("keyring")', '"LSUIElement": True',
                   '"desktop_notifier.backends.winrt"', '"desktop_notifier.backends.macos"'):
        assert needle in source, needle


def test_inno_setup_script_is_per_user_with_start_at_login():
    text = (INSTALLER / "plextray.iss").read_text()
    assert "PrivilegesRequired=lowest" in text
    assert "DefaultDirName={localappdata}\\Programs\\{#AppName}" in text
    assert 'Name: "autostart"' in text
    run_line = next(line for line in text.splitlines() if line.startswith("Root: HKCU"))
    # Same key and value name as plextray.autostart, so the tray's "Start at login" tick agrees.
    from plextray.autostart import RUN_KEY, RUN_VALUE_NAME

    assert f'Subkey: "{RUN_KEY}"' in run_line and f'ValueName: "{RUN_VALUE_NAME}"' in run_line
    assert "Tasks: autostart" in run_line and "uninsdeletevalue" in run_line
    # the toasts' AppUserModelId key (desktop-notifier writes it under the app name): removed, never made
    from plextray.notify import DesktopNotifier

    app_id = DesktopNotifier().app_name  # what plextray.notify_toasts hands the library
    assert (f'Root: HKCU; Subkey: "Software\\Classes\\AppUserModelId\\{app_id}"; Flags: uninsdeletekey dontcreatekey'
            in text.splitlines())


def test_make_icons_writes_every_state(tmp_path):
    result = subprocess.run([sys.executable, str(INSTALLER / "make_icons.py"), str(tmp_path)], capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    from PIL import Image

    with Image.open(tmp_path / "plextray.ico") as ico:
        assert (16, 16) in ico.info["sizes"] and (256, 256) in ico.info["sizes"]
    states = sorted(p.name for p in tmp_path.glob("state-*.png"))
    assert states == ["state-monitoring.png", "state-needs_setup.png", "state-paused.png", "state-starting.png",
                      "state-unreachable.png", "state-violation.png"]


def test_icons_differ_per_state():
    from plextray.core.model import EngineState
    from plextray.ui.icons import icon_image

    images = {state: icon_image(state, 32).tobytes() for state in EngineState}
    assert len(set(images.values())) == len(EngineState)
    assert icon_image(EngineState.PAUSED, 16).size == (16, 16)


def test_install_sh_syntax_and_help():
    assert subprocess.run(["bash", "-n", str(INSTALLER / "install.sh")]).returncode == 0
    result = subprocess.run(["bash", str(INSTALLER / "install.sh"), "--help"], capture_output=True, text=True)
    assert result.returncode == 0 and "One-command install" in result.stdout
    bad = subprocess.run(["bash", str(INSTALLER / "install.sh"), "--bogus"], capture_output=True, text=True)
    assert bad.returncode == 2 and "unknown option" in bad.stderr


@pytest.mark.slow
def test_install_sh_installs_and_explains_headless(tmp_path):
    """A real install into a temp HOME: venv, pip install of this checkout, ~/.local/bin/plextray link.

    To keep it quick and offline-friendly, the venv (which install.sh reuses when it exists) is
    made first and given this interpreter's site-packages through a .pth file, so plextray's
    dependencies are already there and only the build backend may come from the package index.
    """
    import site
    import sysconfig

    home = tmp_path / "home"
    home.mkdir()
    app_dir = home / ".local" / "share" / "plextray-app"
    subprocess.run([sys.executable, "-m", "venv", str(app_dir)], check=True, timeout=120)
    inner = subprocess.run([str(app_dir / "bin" / "python"), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                           capture_output=True, text=True, check=True).stdout.strip()
    outer = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"], *site.getsitepackages()}
    Path(inner, "outer-site.pth").write_text("\n".join(sorted(outer)) + "\n")
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "XDG_DATA_HOME")}
    env.update(HOME=str(home), PYTHON=sys.executable)
    result = subprocess.run(["bash", str(INSTALLER / "install.sh")], capture_output=True, text=True, timeout=300,
                            env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    link = home / ".local" / "bin" / "plextray"
    assert link.is_symlink() and link.resolve() == (app_dir / "bin" / "plextray").resolve()
    assert "plextray run --headless" in result.stdout and "no desktop here" in result.stdout
    version = subprocess.run([str(link), "--version"], capture_output=True, text=True, timeout=60, env=env)
    assert version.stdout.startswith("plextray ")
    status = subprocess.run([str(link), "autostart", "status"], capture_output=True, text=True, timeout=60,
                            env={**env, "XDG_CONFIG_HOME": str(tmp_path / "cfg")})
    assert status.stdout.startswith("start at login: disabled"), status.stderr


@pytest.mark.slow
def test_pyinstaller_build_runs(tmp_path, xdisplay):
    """Build the windowed one-folder app from the spec and run it: commands are all there (they are
    discovered with pkgutil), no display gives the one-line message, and the tray starts under
    Xvfb and quits cleanly on SIGTERM."""
    import signal
    import time

    build = subprocess.run(
        [sys.executable, "-m", "PyInstaller", "--noconfirm", "--distpath", str(tmp_path / "dist"),
         "--workpath", str(tmp_path / "work"), str(INSTALLER / "plextray.spec")],
        capture_output=True, text=True, timeout=600, cwd=tmp_path, env={**os.environ, "PYSTRAY_BACKEND": "dummy"},
    )
    assert build.returncode == 0, build.stderr[-3000:]
    exe = tmp_path / "dist" / "plextray" / "plextray"
    env = {k: v for k, v in os.environ.items() if k not in ("PYSTRAY_BACKEND", "DISPLAY")}
    env.update(PLEXTRAY_HOME=str(tmp_path / "home"), XDG_CONFIG_HOME=str(tmp_path / "cfg"))
    help_text = subprocess.run([str(exe), "--help"], capture_output=True, text=True, timeout=60, env=env).stdout
    for command in ("run", "autostart", "report"):
        assert command in help_text
    headless = subprocess.run([str(exe)], capture_output=True, text=True, timeout=60, env=env)
    assert headless.returncode != 0 and "plextray run --headless" in headless.stderr
    _frozen_alert_reaches_a_webhook(exe, env)
    logs = tmp_path / "plex-logs"
    logs.mkdir()
    (logs / "Plex Media Server.log").write_text("")
    tray = subprocess.Popen([str(exe), "run", "--log-dir", str(logs)], env={**env, "DISPLAY": xdisplay},
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        # Wait for the icon's X window (its name is the tooltip) instead of a fixed sleep.
        deadline = time.monotonic() + 30
        found = False
        while not found and tray.poll() is None and time.monotonic() < deadline:
            search = subprocess.run(["xdotool", "search", "--name", "^plextray: "], capture_output=True, text=True,
                                    env={**env, "DISPLAY": xdisplay}, timeout=10)
            found = search.returncode == 0 and search.stdout.strip() != ""
            time.sleep(0.1)
        assert found and tray.poll() is None, "the frozen tray did not show its icon"
        tray.send_signal(signal.SIGTERM)
        _, err = tray.communicate(timeout=20)
    finally:
        if tray.poll() is None:
            tray.kill()
    assert tray.returncode == 0, err[-2000:]


def _frozen_alert_reaches_a_webhook(exe: Path, env: dict[str, str]) -> None:
    """apprise finds its plugins by listing its plugins folder: in the frozen app that folder must
    exist on disk, or every alert URL fails ("No such file or directory: …/apprise/plugins")."""
    import http.server
    import json
    import threading

    received: list[dict] = []

    class Hook(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            received.append(json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0)))))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Hook)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"json://127.0.0.1:{server.server_address[1]}/hook"
        result = subprocess.run([str(exe), "alert", "test", "--url", url], capture_output=True, text=True,
                                timeout=120, env=env)
    finally:
        server.shutdown()
        server.server_close()
    assert result.returncode == 0, result.stdout + result.stderr[-2000:]
    assert [r.get("title") for r in received] == ["plextray test alert"]
