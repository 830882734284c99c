"""Keep secrets out of everything plextray writes: a logging filter and a `redact()` for messages.

Known secret values (the Plex token, SMTP passwords) are registered at run time; token-shaped
parameters in URLs and header dumps are masked whatever their value.
"""

from __future__ import annotations

import logging
import re
import threading

MASK = "[REDACTED]"

_PATTERNS = (
    # ?X-Plex-Token=abc / &token=abc / auth_token=abc in URLs
    re.compile(r"(?i)((?:x-plex-token|auth_token|token|password|passwd)=)([^&\s\"'<>]+)"),
    # header dumps: "X-Plex-Token => abc", "X-Plex-Token: abc"
    re.compile(r"(?i)(x-plex-token\s*(?:=>|:)\s*)([^\s/,\"']+)"),
    # smtp/apprise URLs with credentials: scheme://user:pass@host (the scheme's length bounded:
    # unbounded, every letter of a long word started a scan to its end, quadratic in log records)
    re.compile(r"([a-z][a-z0-9+.-]{0,31}://[^:/\s@]+:)([^@\s/]+)(@)"),
)

_known: set[str] = set()
_lock = threading.Lock()


def register_secret(value: str | None) -> None:
    """Mask this exact value wherever it appears from now on (tokens, passwords)."""
    if value and len(value) >= 4:
        with _lock:
            _known.add(value)


def redact(text: str) -> str:
    """Return text with every known secret and every token-shaped parameter masked."""
    if not text:
        return text
    with _lock:
        known = sorted(_known, key=len, reverse=True)
    for value in known:
        if value in text:
            text = text.replace(value, MASK)
    for pattern in _PATTERNS:
        if pattern.groups == 3:
            text = pattern.sub(lambda m: m.group(1) + MASK + m.group(3), text)
        else:
            text = pattern.sub(lambda m: m.group(1) + MASK, text)
    return text


class RedactingFilter(logging.Filter):
    """Rewrites each record's message (and exception text) with secrets masked."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a bad format string must not hide the record
            message = str(record.msg)
        record.msg = redact(message)
        record.args = ()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True


_FILTER = RedactingFilter()


def install_redaction(logger: logging.Logger | None = None) -> None:
    """Attach the filter to every handler of the root logger (and of `logger` if given)."""
    targets = [logging.getLogger()] + ([logger] if logger else [])
    for target in targets:
        for handler in target.handlers:
            if _FILTER not in handler.filters:
                handler.addFilter(_FILTER)
