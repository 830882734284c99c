"""Save config.json the one safe way: alert URLs (they hold bot tokens) go to the keyring first.

It sits above both the settings file (plextray.config, which knows nothing of keyrings) and the
keyring code (plextray.plex.credentials, which reads config.json), so neither imports the other
back. Every caller that writes the settings uses `save_config`: a config loaded from an older
config.json may still carry alert URLs, and writing it here moves them out of the file.
"""

from __future__ import annotations

from pathlib import Path

from plextray.config import AppConfig, write_config
from plextray.plex.credentials import keep_alert_urls_out


def save_config(path: Path, config: AppConfig) -> None:
    """Write config.json; alert URLs the config carries go to the keyring instead (where there is
    no secure keyring they stay in the file rather than be lost)."""
    write_config(path, keep_alert_urls_out(config))


__all__ = ["save_config"]
