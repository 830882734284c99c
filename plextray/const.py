"""Names and defaults shared across plextray. No logic lives here."""

APP_NAME = "plextray"
KEYRING_SERVICE = "plextray"
KEYRING_TOKEN_USER = "plex_token"

ENV_HOME = "PLEXTRAY_HOME"
ENV_PLEX_URL = "PLEX_URL"
ENV_PLEX_TOKEN = "PLEX_TOKEN"

PROFILES_FILE = "profiles.json"
CONFIG_FILE = "config.json"
DB_FILE = "history.sqlite3"
ARCHIVE_DIR = "archives"
APP_LOG_FILE = "plextray.log"

PLEX_LOG_NAME = "Plex Media Server.log"
PLEX_ROTATED_COUNT = 5

# Exit statuses of the command line.
EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_USAGE = 2
