"""One log record, one line: the formatter of the app log and of stderr.

Why: device names, products and titles reach log messages from Plex's log and from the server's
/status/sessions, and a client chooses them. A newline in one split a record in two, so a client
could write a forged record (`… WARNING plextray.engine: all good`) into the parent's log; an
escape sequence in it ran when the log was shown in a terminal. Each message is escaped with
safe_text.for_log (`\\n`, `\\x1b` shown as text) and cut to MESSAGE_LIMIT characters; a
traceback keeps its lines, each indented and escaped, so no continuation line can pass for a
record of its own (records start at the first column with their time).
"""

from __future__ import annotations

import logging

from plextray.safe_text import for_log

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
MESSAGE_LIMIT = 4000  # characters of one message (each untrusted value in it is usually far shorter)


class OneLineFormatter(logging.Formatter):
    def __init__(self, fmt: str = FORMAT) -> None:
        super().__init__(fmt)

    def format(self, record: logging.LogRecord) -> str:
        try:
            message = record.getMessage()
        except Exception:  # a bad format string must not hide the record
            message = str(record.msg)
        line = logging.makeLogRecord(
            {**record.__dict__, "msg": for_log(message, MESSAGE_LIMIT), "args": (),
             "exc_info": None, "exc_text": None, "stack_info": None}  # fmt: skip
        )
        text = super().format(line)
        extra = record.exc_text or (self.formatException(record.exc_info) if record.exc_info else "")
        if record.stack_info:
            extra = f"{extra}\n{self.formatStack(record.stack_info)}" if extra else self.formatStack(record.stack_info)
        if extra:
            text += "\n" + "\n".join("    " + for_log(part, None) for part in extra.splitlines())
        return text
