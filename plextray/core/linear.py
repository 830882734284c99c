"""Linear-time readers for the log-line shapes whose regexes backtracked quadratically.

Why: every field of a playback line is chosen by whoever talks to Plex, and a line may be up to
1 MB (logline.MAX_LINE_BYTES). `(.+?) \\((.*)\\)\\.?\\s*$` tries every ` (` and, for each, scans to
the end of the line: 8,000 repeats of ` (` took 0.35 s, a 1 MB line about 25 minutes — while
the engine waits to stop a play. `Token \\(([^)]*)\\)` rescans the rest of the line from every
`Token (`. These stand-ins read the same fields with a few `find`s (each one pass over the
line) and keep the `match`/`search` + `group` interface, so the parser's call sites are
unchanged. tests/test_parsing_linear.py holds them to the regexes they replace.
"""

from __future__ import annotations

from typing import AnyStr, Generic, cast


class Found(Generic[AnyStr]):
    """The part of `re.Match` the parser reads: `group(name or number)`."""

    __slots__ = ("_groups",)

    def __init__(self, groups: dict[int | str, AnyStr]) -> None:
        self._groups: dict[int | str, AnyStr] = groups

    def group(self, key: int | str = 0) -> AnyStr:
        found: AnyStr = self._groups[key]
        return found


def _literal(like: AnyStr, text: str) -> AnyStr:
    return cast(AnyStr, text.encode("ascii") if isinstance(like, bytes) else text)


class DeviceShape(Generic[AnyStr]):
    """`head (?P<platform>.+?) \\((?P<name>.*)\\)\\.?\\s*$`, matched at the start (`re.match`).

    The name is everything from the first ` (` (after at least one character) to the last `)`,
    which only a `.` and whitespace may follow; neither field holds a newline."""

    def __init__(self, head: AnyStr) -> None:
        self.head: AnyStr = head
        self._open: AnyStr = _literal(head, " (")
        self._close: AnyStr = _literal(head, ")")
        self._dot: AnyStr = _literal(head, ".")
        self._newline: AnyStr = _literal(head, "\n")

    def match(self, text: AnyStr) -> Found[AnyStr] | None:
        if not text.startswith(self.head):
            return None
        body = text[len(self.head) :]
        stripped = body.rstrip()  # `\s*$`: str.rstrip and `\s` agree on what whitespace is
        if stripped.endswith(self._dot):
            stripped = stripped[:-1]
        if not stripped.endswith(self._close):
            return None
        close = len(stripped) - 1
        opening = body.find(self._open, 1, close)
        if opening < 0 or body.find(self._newline, 0, close) >= 0:
            return None
        platform, name = body[:opening], body[opening + 2 : close]
        return Found({0: text, "platform": platform, "name": name, 1: platform, 2: name})


class BracketedAfter(Generic[AnyStr]):
    """`<head>\\(([^)]*)\\)` found anywhere (`re.search`): what stands between the first `head(`
    and the first `)` after it. (A later `head(` can only match if this one does.)"""

    def __init__(self, head: AnyStr) -> None:
        self.head: AnyStr = head + _literal(head, "(")
        self._close: AnyStr = _literal(head, ")")

    def inside(self, text: AnyStr) -> AnyStr | None:
        """`search(text).group(1)` without the match object (one call per request line)."""
        start = text.find(self.head)
        if start < 0:
            return None
        start += len(self.head)
        end = text.find(self._close, start)
        return None if end < 0 else text[start:end]

    def search(self, text: AnyStr) -> Bracketed[AnyStr] | None:
        start = text.find(self.head)
        if start < 0:
            return None
        end = text.find(self._close, start + len(self.head))
        if end < 0:
            return None
        return Bracketed(text, start, start + len(self.head), end)


class Bracketed(Generic[AnyStr]):
    """BracketedAfter's match: no slice is cut until a group is asked for (it runs per request line)."""

    __slots__ = ("_text", "_start", "_inside", "_end")

    def __init__(self, text: AnyStr, start: int, inside: int, end: int) -> None:
        self._text: AnyStr = text
        self._start, self._inside, self._end = start, inside, end

    def group(self, key: int = 0) -> AnyStr:
        if key == 1:
            return self._text[self._inside : self._end]
        if key == 0:
            return self._text[self._start : self._end + 1]
        raise IndexError("no such group")
