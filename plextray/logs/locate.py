"""Where Plex Media Server writes its logs, on every platform it ships for.

Order of precedence: an explicit folder (`--log-dir`), Plex's own variables
`PLEX_MEDIA_SERVER_LOG_DIR` and `PLEX_MEDIA_SERVER_APPLICATION_SUPPORT_DIR`
(+ `Plex Media Server/Logs`), then the platform defaults (Windows, macOS, Linux packages,
snap, Docker). A folder that holds `Plex Media Server.log` wins over one that merely exists.
When nothing usable is found the error names every folder tried and how to fix it, because
the usual cause on Linux is simply that the files belong to the `plex` user.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from pathlib import Path

from plextray import const
from plextray.errors import LogDirError

ENV_LOG_DIR = "PLEX_MEDIA_SERVER_LOG_DIR"
ENV_APP_SUPPORT = "PLEX_MEDIA_SERVER_APPLICATION_SUPPORT_DIR"
_APP_SUPPORT_TAIL = ("Plex Media Server", "Logs")

LINUX_DEB = Path("/var/lib/plexmediaserver/Library/Application Support/Plex Media Server/Logs")
LINUX_SNAP = Path("/var/snap/plexmediaserver/common/Library/Application Support/Plex Media Server/Logs")
DOCKER = Path("/config/Library/Application Support/Plex Media Server/Logs")


def candidate_log_dirs(
    *, environ: Mapping[str, str] | None = None, platform: str | None = None, home: Path | None = None,
    winreg: object = None,
) -> list[Path]:
    """Every folder plextray looks in, most specific first (no override)."""
    env = os.environ if environ is None else environ
    platform = platform or sys.platform
    home = home or Path.home()
    found: list[Path] = []
    if env.get(ENV_LOG_DIR):
        found.append(Path(env[ENV_LOG_DIR]))
    if env.get(ENV_APP_SUPPORT):
        found.append(Path(env[ENV_APP_SUPPORT]).joinpath(*_APP_SUPPORT_TAIL))
    if platform.startswith("win"):
        from plextray.plex.windows_registry import registry_log_dir

        moved = registry_log_dir(winreg=winreg)  # PMS's data folder moved off %LOCALAPPDATA%
        if moved is not None:
            found.append(moved)
        local = env.get("LOCALAPPDATA") or str(home / "AppData" / "Local")
        found.append(Path(local) / "Plex Media Server" / "Logs")
    elif platform == "darwin":
        found.append(home / "Library" / "Logs" / "Plex Media Server")
    else:
        found += [LINUX_DEB, LINUX_SNAP, DOCKER]
    unique: list[Path] = []
    for path in found:
        if path not in unique:
            unique.append(path)
    return unique


def _problem(path: Path) -> str | None:
    """Why `path` cannot be used as Plex's log folder, or None when it can."""
    try:
        if not path.is_dir():
            return "does not exist" if not path.exists() else "is not a folder"
        os.listdir(path)
    except PermissionError:
        return "exists but is not readable by this user"
    except OSError as exc:
        return f"cannot be read ({exc.strerror or exc})"
    log = path / const.PLEX_LOG_NAME
    if log.exists() and not os.access(log, os.R_OK):
        return f"holds {const.PLEX_LOG_NAME} but it is not readable by this user"
    return None


def _fix(platform: str, unreadable: bool) -> str:
    point = f"point plextray at Plex's Logs folder with --log-dir DIR or {ENV_LOG_DIR}=DIR"
    if unreadable and not platform.startswith("win"):
        return (
            "Plex's logs belong to the user Plex runs as ('plex' on Linux): add yourself to its group "
            f"(sudo usermod -aG plex $USER, then log out and in again) or run plextray as that user, or {point}."
        )
    if unreadable:
        return f"Run plextray as the user Plex runs as, or {point}."
    return f"Is Plex Media Server installed on this computer? If its logs are elsewhere, {point}."


# where Plex's Logs folder sits below the folders people point at by mistake
_BELOW = (("Logs",), ("Plex Media Server", "Logs"), ("Library", "Application Support", "Plex Media Server", "Logs"),
          ("Application Support", "Plex Media Server", "Logs"))


def logs_below(folder: Path) -> Path | None:
    """Plex's Logs folder somewhere below `folder` (one the user pointed at too high), if any."""
    for tail in _BELOW:
        candidate = folder.joinpath(*tail)
        try:
            if (candidate / const.PLEX_LOG_NAME).is_file():
                return candidate
        except OSError:
            continue
    return None


def require_plex_log(folder: Path) -> Path:
    """`folder` if it is Plex's log folder (it holds `Plex Media Server.log`); LogDirError otherwise,
    naming the Logs folder below it when there is one. A folder chosen by hand that holds no log
    is a mistake to report, not a folder to watch in silence."""
    folder = Path(folder).expanduser()
    problem = _problem(folder)
    if problem is not None:
        raise LogDirError(f"Plex log folder {folder} {problem}. {_fix(sys.platform, 'readable' in problem)}")
    if (folder / const.PLEX_LOG_NAME).is_file():
        return folder
    below = logs_below(folder)
    if below is not None:
        raise LogDirError(f"{folder} is not Plex's log folder (it holds no {const.PLEX_LOG_NAME}); "
                          f"Plex's logs are in the folder below it: {below}")
    raise LogDirError(f"{folder} is not Plex's log folder: it holds no {const.PLEX_LOG_NAME}. "
                      f"{_fix(sys.platform, False)}")


def find_log_dir(override: Path | None = None) -> Path:
    """The folder holding `Plex Media Server.log`; raises LogDirError naming what was tried.
    A folder given explicitly must hold the log (require_plex_log)."""
    platform = sys.platform
    if override is not None:
        return require_plex_log(override)
    tried: list[tuple[Path, str]] = []
    usable: list[Path] = []
    for path in candidate_log_dirs(platform=platform):
        problem = _problem(path)
        if problem is None:
            if (path / const.PLEX_LOG_NAME).exists():
                return path
            usable.append(path)
        else:
            tried.append((path, problem))
    if usable:
        return usable[0]
    listing = "; ".join(f"{path} ({problem})" for path, problem in tried)
    unreadable = any("readable" in problem for _path, problem in tried)
    raise LogDirError(f"Plex Media Server's log folder was not found. Tried: {listing}. {_fix(platform, unreadable)}")
