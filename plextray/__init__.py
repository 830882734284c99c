"""plextray: keep Plex's logs, know who watched what, and enforce household viewing rules."""

__version__ = "0.1.0"
