"""What Plex Media Server for Windows keeps in the registry: its data folder and its token.

PMS for Windows stores its settings under HKCU\\Software\\Plex, Inc.\\Plex Media Server.
`LocalAppDataPath` is set when the server's data (and so its Logs folder) was moved off the
default %LOCALAPPDATA%; `PlexOnlineToken` is the server owner's token. plextray reads the first
to find the logs, and only *mentions* the second when no token is configured (a token is never
taken without the parent saying so). `winreg` is a parameter so that tests run anywhere.
"""

from __future__ import annotations

from pathlib import Path, PureWindowsPath
from typing import Any

PLEX_KEY = r"Software\Plex, Inc.\Plex Media Server"
DATA_PATH_VALUE = "LocalAppDataPath"
TOKEN_VALUE = "PlexOnlineToken"


def _winreg(winreg: Any) -> Any:
    if winreg is not None:
        return winreg
    try:
        import winreg as real  # Windows only
    except ImportError:
        return None
    return real


def read_plex_value(name: str, *, winreg: Any = None) -> str | None:
    """A string value of PMS's key, or None (not Windows, no PMS, no such value, not a string)."""
    reg = _winreg(winreg)
    if reg is None:
        return None
    try:
        with reg.OpenKey(reg.HKEY_CURRENT_USER, PLEX_KEY) as key:
            value, kind = reg.QueryValueEx(key, name)
    except OSError:
        return None
    if kind not in (reg.REG_SZ, reg.REG_EXPAND_SZ) or not isinstance(value, str) or not value.strip():
        return None
    return value.strip()


def registry_log_dir(*, winreg: Any = None) -> Path | None:
    """`<LocalAppDataPath>\\Plex Media Server\\Logs` when PMS's data folder was moved; else None."""
    base = read_plex_value(DATA_PATH_VALUE, winreg=winreg)
    if base is None:
        return None
    return Path(PureWindowsPath(base) / "Plex Media Server" / "Logs")


def token_hint(*, winreg: Any = None) -> str:
    """A sentence for "no Plex token" on a Windows machine running PMS: where its token is."""
    if read_plex_value(TOKEN_VALUE, winreg=winreg) is None:
        return ""
    return (f" (this computer's Plex Media Server keeps its owner's token in the registry: "
            f"HKEY_CURRENT_USER\\{PLEX_KEY}, value {TOKEN_VALUE}; `plextray login` can store it)")
