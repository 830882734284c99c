"""The history edge: Plex's log lines (archives or live) into the SQLite history of watch sessions."""

from plextray.history.importer import Importer, ImportSummary

__all__ = ["Importer", "ImportSummary"]
