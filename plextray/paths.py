"""Where plextray keeps its state: one root, from platformdirs, overridable by PLEXTRAY_HOME."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from plextray import const


def app_home() -> Path:
    """The root of all app state. PLEXTRAY_HOME wins (tests, headless installs)."""
    override = os.environ.get(const.ENV_HOME)
    if override:
        return Path(override).expanduser()
    import platformdirs

    return Path(platformdirs.user_data_dir(const.APP_NAME, appauthor=False))


@dataclass(frozen=True, slots=True)
class AppPaths:
    """Every file and folder plextray writes, derived from one root."""

    home: Path

    @classmethod
    def default(cls) -> "AppPaths":
        return cls(app_home())

    @property
    def config(self) -> Path:
        return self.home / const.CONFIG_FILE

    @property
    def profiles(self) -> Path:
        return self.home / const.PROFILES_FILE

    @property
    def archives(self) -> Path:
        return self.home / const.ARCHIVE_DIR

    @property
    def database(self) -> Path:
        return self.home / const.DB_FILE

    @property
    def log_dir(self) -> Path:
        return self.home / "logs"

    @property
    def app_log(self) -> Path:
        return self.log_dir / const.APP_LOG_FILE

    @property
    def reports(self) -> Path:
        return self.home / "reports"

    def ensure(self) -> "AppPaths":
        """Create the root (owner-only: Plex's lines can carry tokens) and its folders."""
        for folder in (self.home, self.archives, self.log_dir):
            folder.mkdir(parents=True, exist_ok=True)
            try:
                folder.chmod(0o700)
            except OSError:
                pass
        return self
