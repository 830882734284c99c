"""`plextray autostart enable|disable|status` in a temporary XDG_CONFIG_HOME / HOME."""

from __future__ import annotations

import os
import plistlib
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from plextray.autostart import Autostart, _desktop_quote, desktop_entry, launch_command, systemd_unit

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def xdg(tmp_path, monkeypatch):
    config = tmp_path / "config"
    monkeypatch.setenv("XDG_CONFIG_HOME", str(config))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    return config


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "plextray", "autostart", *args], capture_output=True, text=True,
                          timeout=60, cwd=ROOT, env=dict(os.environ))


def test_enable_status_disable_on_linux(xdg):
    entry = xdg / "autostart" / "plextray.desktop"
    assert "disabled" in cli("status").stdout
    result = cli("enable")
    assert result.returncode == 0, result.stderr
    assert entry.exists() and str(entry) in result.stdout
    text = entry.read_text()
    assert "Exec=" in text and "Type=Application" in text
    assert subprocess.run(["desktop-file-validate", str(entry)], capture_output=True, text=True).returncode == 0
    assert cli("status").stdout.startswith("start at login: enabled (xdg: ")
    assert cli("disable").stdout.strip() == "start at login: disabled"
    assert not entry.exists()
    assert cli("disable").stdout.strip() == "start at login: disabled (it was not enabled)"


def test_exec_line_starts_this_installation(xdg):
    Autostart(platform="linux").enable()
    text = (xdg / "autostart" / "plextray.desktop").read_text()
    exec_line = next(line for line in text.splitlines() if line.startswith("Exec="))
    command = launch_command()
    assert Path(command[0]).exists()
    assert exec_line == "Exec=" + " ".join(_desktop_quote(arg) for arg in command).replace("%", "%%")


def test_paths_with_spaces_are_quoted_and_valid(xdg, tmp_path):
    entry = xdg / "autostart" / "plextray.desktop"
    Autostart(platform="linux", command=["/opt/Plex Tray/bin/plextray", "--flag"]).enable()
    assert 'Exec="/opt/Plex Tray/bin/plextray" --flag' in entry.read_text()
    assert subprocess.run(["desktop-file-validate", str(entry)], capture_output=True).returncode == 0


def test_user_disabled_entry_counts_as_disabled(xdg):
    auto = Autostart(platform="linux", command=["/usr/bin/plextray"])
    auto.enable()
    entry = xdg / "autostart" / "plextray.desktop"
    entry.write_text(entry.read_text() + "Hidden=true\n")  # what GNOME's "Startup Applications" writes
    assert auto.is_enabled() is False
    auto.enable()
    assert auto.is_enabled() is True


def test_systemd_unit_for_headless_hosts(xdg, tmp_path):
    result = cli("enable", "--systemd")
    assert result.returncode == 0, result.stderr
    unit = xdg / "systemd" / "user" / "plextray.service"
    wants = xdg / "systemd" / "user" / "default.target.wants" / "plextray.service"
    assert unit.exists() and wants.is_symlink() and wants.resolve() == unit.resolve()
    exec_start = next(line for line in unit.read_text().splitlines() if line.startswith("ExecStart="))
    assert exec_start.endswith("run --headless")
    if shutil.which("systemd-analyze"):
        runtime = tmp_path / "runtime"
        runtime.mkdir(mode=0o700)
        verify = subprocess.run(["systemd-analyze", "--user", "verify", str(unit)], capture_output=True, text=True,
                                timeout=60, env={**os.environ, "XDG_RUNTIME_DIR": str(runtime)})
        assert verify.returncode == 0, verify.stderr
    assert "enabled (systemd: " in cli("status", "--systemd").stdout
    assert cli("disable", "--systemd").returncode == 0
    assert not unit.exists() and not wants.is_symlink()


def test_macos_launch_agent(xdg, tmp_path):
    auto = Autostart(platform="darwin", command=["/Applications/PlexTray.app/Contents/MacOS/plextray"])
    auto.enable()
    plist = tmp_path / "home" / "Library" / "LaunchAgents" / "com.plextray.agent.plist"
    data = plistlib.loads(plist.read_bytes())
    assert data["Label"] == "com.plextray.agent" and data["RunAtLoad"] is True
    assert data["ProgramArguments"] == ["/Applications/PlexTray.app/Contents/MacOS/plextray"]
    assert data["KeepAlive"] == {"SuccessfulExit": False}  # Quit means quit: no relaunch
    assert auto.is_enabled()
    assert auto.disable() and not plist.exists()


def test_desktop_entry_escapes_percent_and_dollar():
    text = desktop_entry(["/home/a/100%/plextray", "$HOME"])
    assert 'Exec=/home/a/100%%/plextray "\\$HOME"' in text


# ---- ExecStart= as systemd reads it: `%` is a specifier, `$` a variable, quotes group words


def _verify_user_unit(unit: Path, tmp_path: Path) -> subprocess.CompletedProcess:
    runtime = tmp_path / "runtime"
    runtime.mkdir(mode=0o700, exist_ok=True)
    return subprocess.run(["systemd-analyze", "--user", "verify", str(unit)], capture_output=True, text=True,
                          timeout=60, env={**os.environ, "XDG_RUNTIME_DIR": str(runtime)})


def test_systemd_unit_escapes_percent_and_quotes_spaces_in_the_path(xdg, tmp_path, plextray_home):
    folder = tmp_path / "100%sure dir"  # `%s` is systemd's "user shell" specifier: unescaped it runs /bin/bash…
    folder.mkdir()
    binary = folder / "plex tray"
    binary.write_text("#!/bin/sh\nexit 0\n")
    binary.chmod(0o755)
    Autostart(platform="linux", systemd=True, command=[str(binary), "run", "--headless"]).enable()
    unit = xdg / "systemd" / "user" / "plextray.service"
    assert unit.read_text() == (
        "[Unit]\n"
        "Description=plextray: keep Plex's logs and enforce viewing rules (headless)\n"
        "After=network-online.target\n"
        "Wants=network-online.target\n"
        "\n"
        "[Service]\n"
        "Type=simple\n"
        f'Environment="PLEXTRAY_HOME={plextray_home}"\n'
        f"EnvironmentFile=-{plextray_home}/plextray.env\n"
        f'ExecStart="{tmp_path}/100%%sure dir/plex tray" run --headless\n'
        "Restart=on-failure\n"
        "RestartSec=10\n"
        "\n"
        "[Install]\n"
        "WantedBy=default.target\n"
    )
    if shutil.which("systemd-analyze") is None:
        pytest.skip("systemd-analyze is not installed: the unit text was checked, systemd's reading was not")
    verify = _verify_user_unit(unit, tmp_path)
    assert verify.returncode == 0, verify.stderr


def test_systemd_unit_arguments_keep_percent_dollar_quotes_and_backslashes_literal():
    unit = systemd_unit(["/opt/plextray/bin/plextray", "run", "--note=50% off", "$HOME", 'say "hi"', "a\\b", "", ";"])
    (line,) = [line for line in unit.splitlines() if line.startswith("ExecStart=")]
    assert line == ('ExecStart=/opt/plextray/bin/plextray run "--note=50%% off" $$HOME "say \\"hi\\"" "a\\\\b" "" ";"')


def test_systemd_unit_keeps_the_installers_home_specifier():
    """installer/plextray.service starts `%h/.local/bin/plextray`: that one `%h` is meant as systemd's home."""
    assert "ExecStart=%h/.local/bin/plextray run --headless\n" in systemd_unit(
        ["%h/.local/bin/plextray", "run", "--headless"])
    assert 'ExecStart="%h/Plex Tray/100%%/plextray" run\n' in systemd_unit(["%h/Plex Tray/100%/plextray", "run"])


def test_systemd_unit_carries_plextray_home_and_an_owner_only_environment_file(xdg, tmp_path, monkeypatch):
    """The headless unit runs on the same state folder as the shell that enabled it, and takes
    PLEX_URL / PLEX_TOKEN from an EnvironmentFile= only its owner can read."""
    home = tmp_path / "state 100%"  # a space and a specifier character: both must survive systemd's reading
    monkeypatch.setenv("PLEXTRAY_HOME", str(home))
    monkeypatch.setenv("PLEX_URL", "http://192.168.1.10:32400")
    monkeypatch.setenv("PLEX_TOKEN", "unit-token-77aa")
    result = cli("enable", "--systemd")
    assert result.returncode == 0, result.stderr
    unit = (xdg / "systemd" / "user" / "plextray.service").read_text()
    escaped = str(home).replace("%", "%%")
    assert f'Environment="PLEXTRAY_HOME={escaped}"\n' in unit
    assert f"EnvironmentFile=-{escaped}/plextray.env\n" in unit
    assert "unit-token-77aa" not in unit  # the unit file is world-readable; the token is not in it
    env_file = home / "plextray.env"
    assert stat.S_IMODE(env_file.stat().st_mode) == 0o600
    assert "PLEX_URL=http://192.168.1.10:32400\nPLEX_TOKEN=unit-token-77aa\n" in env_file.read_text()
    runtime = tmp_path / "runtime"
    runtime.mkdir(mode=0o700)
    verify = subprocess.run(["systemd-analyze", "--user", "verify", str(xdg / "systemd" / "user" / "plextray.service")],
                            capture_output=True, text=True, timeout=60, env={**os.environ, "XDG_RUNTIME_DIR": str(runtime)})
    assert verify.returncode == 0, verify.stderr
    # enabling again keeps the user's edits to the environment file
    env_file.write_text("PLEX_URL=http://10.0.0.2:32400\n")
    env_file.chmod(0o644)
    assert cli("enable", "--systemd").returncode == 0
    assert env_file.read_text() == "PLEX_URL=http://10.0.0.2:32400\n"
    assert stat.S_IMODE(env_file.stat().st_mode) == 0o600


def test_environment_file_without_variables_has_commented_examples(tmp_path, monkeypatch):
    from plextray.autostart import write_env_file

    monkeypatch.delenv("PLEX_URL", raising=False)
    monkeypatch.delenv("PLEX_TOKEN", raising=False)
    text = write_env_file(tmp_path).read_text()
    assert "#PLEX_URL=http://127.0.0.1:32400\n#PLEX_TOKEN=your-plex-token\n" in text
