"""Start at login: the per-user entry each OS reads, written and removed by plextray itself.

Linux: an XDG autostart `.desktop` file (or, with `systemd=True`, a systemd --user unit running
the headless service, for hosts without a desktop); Windows: a value under HKCU's Run key; macOS:
a LaunchAgent plist. Paths follow XDG_CONFIG_HOME / HOME so tests can point them at a temp dir.
A user who disabled the desktop entry in their session settings (`Hidden=true`) is respected:
status reports it as disabled.
"""

from __future__ import annotations

import os
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

APP_ID = "plextray"
AGENT_LABEL = "com.plextray.agent"
RUN_VALUE_NAME = "PlexTray"
RUN_KEY = r"Software\Microsoft\Windows\CurrentVersion\Run"


@dataclass(frozen=True, slots=True)
class AutostartStatus:
    enabled: bool
    kind: str  # xdg | systemd | windows-run | launchagent
    location: str  # file path, or the registry key and value


def launch_command(*, headless: bool = False) -> list[str]:
    """How to start this installation of plextray: the frozen exe, the `plextray` script, or python -m."""
    extra = ["run", "--headless"] if headless else []
    if getattr(sys, "frozen", False):
        return [sys.executable, *extra]
    script = Path(sys.executable).with_name("plextray.exe" if os.name == "nt" else "plextray")
    if script.exists():
        return [str(script), *extra]
    found = shutil.which("plextray")
    if found:
        return [str(Path(found).resolve()) if not os.path.isabs(found) else found, *extra]
    python = sys.executable
    if os.name == "nt" and not headless:
        windowless = Path(python).with_name("pythonw.exe")
        python = str(windowless) if windowless.exists() else python
    return [python, "-m", "plextray", *extra]


def config_home() -> Path:
    return Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config")


def _home() -> Path:
    return Path(os.environ.get("HOME") or Path.home())


# ---- file contents (installer/ holds the same files rendered for a `plextray` on PATH) ----


def _desktop_quote(arg: str) -> str:
    """Quote an Exec argument as the Desktop Entry spec requires."""
    if arg and not any(ch in arg for ch in ' \t\n"\'\\><~|&;$*?#()`'):
        return arg
    escaped = "".join("\\" + ch if ch in '"`$\\' else ch for ch in arg)
    return f'"{escaped}"'


def desktop_entry(command: list[str]) -> str:
    exec_line = " ".join(_desktop_quote(arg) for arg in command).replace("%", "%%")
    return (
        "[Desktop Entry]\n"
        "Type=Application\n"
        "Name=PlexTray\n"
        "Comment=Keep Plex's logs and enforce viewing rules from the system tray\n"
        f"Exec={exec_line}\n"
        "Icon=plextray\n"
        "Terminal=false\n"
        "Categories=Utility;\n"
        "X-GNOME-Autostart-enabled=true\n"
        "X-GNOME-Autostart-Delay=5\n"
        "X-LXQt-Need-Tray=true\n"
    )


HOME_SPECIFIER = "%h/"  # the installer's unit starts `%h/.local/bin/plextray`: the one specifier meant as one


def _systemd_quote(arg: str) -> str:
    """One ExecStart= word that systemd reads back as exactly `arg`.

    systemd expands `%x` specifiers and `$VAR` / `${VAR}` in every word, decodes C escapes, splits on
    whitespace and takes a lone `;` for a separator: so `%` → `%%`, `$` → `$$`, `\\`, `"` and control
    characters escaped, and a word with whitespace, quotes, `;`, escapes or nothing in it goes in double quotes.
    """
    special = {"\\": "\\\\", '"': '\\"', "%": "%%", "$": "$$"}
    escaped = "".join(special.get(ch) or (f"\\x{ord(ch):02x}" if _is_control(ch) else ch) for ch in arg)
    if not arg or any(ch.isspace() or ch in "\"'\\;" or _is_control(ch) for ch in arg):
        return f'"{escaped}"'
    return escaped


def _is_control(ch: str) -> bool:
    return ord(ch) < 32 or ord(ch) == 127


def exec_start_line(command: list[str]) -> str:
    """The ExecStart= value: each word quoted for systemd; a leading `%h/` is kept as systemd's home specifier."""
    words = [_systemd_quote(arg) for arg in command]
    if command and command[0].startswith(HOME_SPECIFIER):  # not a real path: real ones are absolute
        rest = _systemd_quote(command[0][len(HOME_SPECIFIER):])
        words[0] = f'"{HOME_SPECIFIER}{rest[1:]}' if rest.startswith('"') else HOME_SPECIFIER + rest
    return " ".join(words)


ENV_FILE = "plextray.env"  # in PLEXTRAY_HOME: PLEX_URL / PLEX_TOKEN for the systemd unit (mode 0600)


def _systemd_value(text: str) -> str:
    """A quoted Environment=/EnvironmentFile= value: specifiers (`%`) and C escapes kept literal."""
    special = {"\\": "\\\\", '"': '\\"', "%": "%%"}
    return '"' + "".join(special.get(ch) or (f"\\x{ord(ch):02x}" if _is_control(ch) else ch) for ch in text) + '"'


def systemd_unit(command: list[str], *, home: Path | None = None) -> str:
    """The headless service's unit. With `home`: it carries PLEXTRAY_HOME and reads PLEX_URL /
    PLEX_TOKEN from `home`/plextray.env (optional: the `-` lets it start on the keyring alone)."""
    exec_start = exec_start_line(command)
    env = ""
    if home is not None:
        env = (f"Environment={_systemd_value(f'PLEXTRAY_HOME={home}')}\n"
               f"EnvironmentFile=-{str(home / ENV_FILE).replace('%', '%%')}\n")  # one path a line, unquoted
    return (
        "[Unit]\n"
        "Description=plextray: keep Plex's logs and enforce viewing rules (headless)\n"
        "After=network-online.target\n"
        "Wants=network-online.target\n"
        "\n"
        "[Service]\n"
        "Type=simple\n"
        f"{env}"
        f"ExecStart={exec_start}\n"
        "Restart=on-failure\n"
        "RestartSec=10\n"
        "\n"
        "[Install]\n"
        "WantedBy=default.target\n"
    )


def launch_agent(command: list[str]) -> bytes:
    import plistlib  # macOS only; with its XML parser, nearly 1 MB a tray elsewhere would carry

    return plistlib.dumps(
        {
            "Label": AGENT_LABEL,
            "ProgramArguments": command,
            "RunAtLoad": True,
            "KeepAlive": {"SuccessfulExit": False},  # restart after a crash, not after Quit
            "ProcessType": "Interactive",
            "LimitLoadToSessionType": "Aqua",
        }
    )


# ---- the per-OS mechanisms ---------------------------------------------------------------


class Autostart:
    """Start-at-login for this OS. `systemd=True` (Linux) manages the headless user unit instead."""

    def __init__(self, *, platform: str | None = None, systemd: bool = False, command: list[str] | None = None):
        self.platform = platform or sys.platform
        self.systemd = systemd
        self._command = command

    @property
    def kind(self) -> str:
        if self.platform == "win32":
            return "windows-run"
        if self.platform == "darwin":
            return "launchagent"
        return "systemd" if self.systemd else "xdg"

    def command(self) -> list[str]:
        return self._command or launch_command(headless=self.kind == "systemd")

    def path(self) -> Path:
        if self.kind == "xdg":
            return config_home() / "autostart" / f"{APP_ID}.desktop"
        if self.kind == "systemd":
            return config_home() / "systemd" / "user" / f"{APP_ID}.service"
        if self.kind == "launchagent":
            return _home() / "Library" / "LaunchAgents" / f"{AGENT_LABEL}.plist"
        return Path("HKEY_CURRENT_USER") / RUN_KEY / RUN_VALUE_NAME

    def _wants_link(self) -> Path:
        return config_home() / "systemd" / "user" / "default.target.wants" / f"{APP_ID}.service"

    def status(self) -> AutostartStatus:
        return AutostartStatus(self.is_enabled(), self.kind, str(self.path()))

    def is_enabled(self) -> bool:
        if self.kind == "windows-run":
            return _read_run_value() is not None
        path = self.path()
        if self.kind == "systemd":
            return path.exists() and self._wants_link().exists()
        if not path.exists():
            return False
        if self.kind == "xdg":
            return not _desktop_disabled(path.read_text(encoding="utf-8", errors="replace"))
        return True

    def enable(self) -> str:
        """Write the entry; returns where it went."""
        command = self.command()
        if self.kind == "windows-run":
            _write_run_value(subprocess_list2cmdline(command))
            return str(self.path())
        path = self.path()
        path.parent.mkdir(parents=True, exist_ok=True)
        if self.kind == "xdg":
            _write_atomic(path, desktop_entry(command).encode())
        elif self.kind == "systemd":
            from plextray.paths import app_home

            from plextray.paths import AppPaths

            home = app_home().resolve()
            AppPaths(home).ensure()  # owner-only, like every start makes it
            write_env_file(home)
            _write_atomic(path, systemd_unit(command, home=home).encode())
            link = self._wants_link()  # what `systemctl --user enable` does, without needing a running manager
            link.parent.mkdir(parents=True, exist_ok=True)
            if link.is_symlink() or link.exists():
                link.unlink()
            link.symlink_to(path)
        else:
            _write_atomic(path, launch_agent(command))
        return str(path)

    def disable(self) -> bool:
        """Remove the entry; False when there was nothing to remove."""
        if self.kind == "windows-run":
            return _delete_run_value()
        removed = False
        targets = [self._wants_link(), self.path()] if self.kind == "systemd" else [self.path()]
        for target in targets:
            if target.is_symlink() or target.exists():
                target.unlink()
                removed = True
        return removed

    def set_enabled(self, enabled: bool) -> None:
        if enabled:
            self.enable()
        else:
            self.disable()


def write_env_file(home: Path) -> Path:
    """plextray.env for the unit (0600): PLEX_URL / PLEX_TOKEN as set now, else commented examples.
    An existing file is the user's: kept as it is, only made owner-only."""
    import os

    from plextray import const
    from plextray.config import atomic_write_text

    path = home / ENV_FILE
    if path.exists():
        path.chmod(0o600)
        return path
    lines = ["# PLEX_URL and PLEX_TOKEN for the plextray systemd --user unit (read by EnvironmentFile=).",
             "# Keep this file readable by you only (chmod 600). Without a token here plextray uses the",
             "# system keyring, or the token `plextray login --store file` kept beside this file."]
    for name, example in ((const.ENV_PLEX_URL, "http://127.0.0.1:32400"), (const.ENV_PLEX_TOKEN, "your-plex-token")):
        value = (os.environ.get(name) or "").strip()
        if value and "\n" not in value:
            lines.append(f"{name}={value}")
        else:
            lines.append(f"#{name}={example}")
    atomic_write_text(path, "\n".join(lines) + "\n", mode=0o600)
    return path


def _desktop_disabled(text: str) -> bool:
    values = {}
    for line in text.splitlines():
        if "=" in line and not line.lstrip().startswith("#"):
            key, _, value = line.partition("=")
            values[key.strip()] = value.strip().lower()
    return values.get("Hidden") == "true" or values.get("X-GNOME-Autostart-enabled") == "false"


def _write_atomic(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def subprocess_list2cmdline(command: list[str]) -> str:
    import subprocess

    return subprocess.list2cmdline(command)


def _winreg():
    """The registry module (Windows); a function so that tests can hand in a fake one."""
    import winreg

    return winreg


def _read_run_value() -> str | None:
    winreg = _winreg()

    try:
        with winreg.OpenKey(winreg.HKEY_CURRENT_USER, RUN_KEY) as key:
            return str(winreg.QueryValueEx(key, RUN_VALUE_NAME)[0])
    except OSError:
        return None


def _write_run_value(value: str) -> None:
    winreg = _winreg()

    with winreg.CreateKey(winreg.HKEY_CURRENT_USER, RUN_KEY) as key:
        winreg.SetValueEx(key, RUN_VALUE_NAME, 0, winreg.REG_SZ, value)


def _delete_run_value() -> bool:
    winreg = _winreg()

    try:
        with winreg.OpenKey(winreg.HKEY_CURRENT_USER, RUN_KEY, 0, winreg.KEY_SET_VALUE) as key:
            winreg.DeleteValue(key, RUN_VALUE_NAME)
        return True
    except OSError:
        return False
