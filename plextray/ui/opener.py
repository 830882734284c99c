"""Open a folder in the OS file manager (Explorer, Finder, the XDG default) without waiting for it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from plextray.errors import PlexTrayError


def open_folder(path: Path) -> None:
    path.mkdir(parents=True, exist_ok=True)
    if sys.platform == "win32":  # pragma: no cover - Windows only
        os.startfile(str(path))  # type: ignore[attr-defined]
        return
    tool = "open" if sys.platform == "darwin" else "xdg-open"
    if shutil.which(tool) is None:
        raise PlexTrayError(f"cannot open {path}: `{tool}` is not installed")
    subprocess.Popen([tool, str(path)], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                     stderr=subprocess.DEVNULL, start_new_session=True)
