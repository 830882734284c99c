"""plextray's own exceptions. Foreign errors are translated into these once, at the edge."""


class PlexTrayError(Exception):
    """Base of every error plextray reports to a person (message is shown as-is, no traceback)."""

    exit_status = 1


class ConfigError(PlexTrayError):
    """The app's configuration is missing or invalid."""

    exit_status = 2


class LogDirError(PlexTrayError):
    """Plex's log folder could not be found or read."""

    exit_status = 2


class ArchiveError(PlexTrayError):
    """An archive could not be written or read."""


class DiskFullError(ArchiveError):
    """No space left: saving stopped, nothing committed past the last good checkpoint."""


class ProfileError(PlexTrayError):
    """profiles.json is invalid; the message names the JSON path and the problem."""

    exit_status = 2


class PlexError(PlexTrayError):
    """Talking to the Plex server failed."""


class PlexUnreachable(PlexError):
    """The server did not answer (down, restarting, wrong URL)."""


class PlexTimeout(PlexUnreachable):
    """The server answered too slowly."""


class PlexAuthError(PlexError):
    """The token was refused (wrong or expired)."""


class PlexPassRequired(PlexError):
    """The server refused a Plex Pass feature (e.g. stopping a stream)."""


class PlexNotFound(PlexError):
    """The item or session does not exist on the server."""


class PlexResponseError(PlexError):
    """The server answered with something plextray cannot understand (5xx, malformed XML)."""


class SecretStoreError(PlexTrayError):
    """No usable OS keyring; the message says how to use PLEX_TOKEN instead."""


class DeliveryError(PlexTrayError):
    """An alert or e-mail could not be delivered."""
