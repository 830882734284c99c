"""PlaybackParser: the entry points (a line, a block of lines) and the choice of what to read.

Lines without one of the table's markers are not decoded at all (`feed_block` finds the markers
in a whole block at C speed, one regex search per scan pass). Nor are lines that would add
nothing (`_unread`): the `Completed:` line of a report already made (found by its `#id`), and
the `[Req#id]` repeated follow-ups ([Now] User, [Now] Device, Statistics) that say what their
report already holds, as every report of a play does. Events are the same either way (tests/
test_parsing_equivalence.py pins them); only damage in such a line goes uncounted.
"""

from __future__ import annotations

import re

from plextray.core.logline import MAX_LINE_BYTES
from plextray.core.model import PlaybackEvent
from plextray.core.parsing.fast import CONTROL_OR_CR, FastReader, completed_reqid
from plextray.core.parsing.model import Report
from plextray.core.parsing.shapes import FAST_REQ_ID, SHAPES, TIMELINE, LineShape, Shapes

# A 0.9.x line's time stamp ("…, 2013 20:01:02:345 [" or without milliseconds): 0.9.x-only
# markers count only on such lines
OLD_STAMP = re.compile(rb", \d{4} \d\d:\d\d:\d\d(?::\d{3})? \[")


class PlaybackParser(FastReader):
    """Stateful, pure correlator: feed lines in log order, get PlaybackEvents. Never raises.

    `shapes` is the table of line shapes it reads (default: plextray's `TABLE`)."""

    def __init__(self, shapes: Shapes = SHAPES) -> None:
        super().__init__(shapes)
        self._repeat_passes = tuple(sorted(shapes.repeat_passes))

    def feed(self, line: bytes | str) -> list[PlaybackEvent]:
        """One line (with or without its newline) -> the events it creates or updates."""
        return [event for _, event in self.feed_reports(line)]

    def feed_reports(self, line: bytes | str) -> list[tuple[int, PlaybackEvent]]:
        """Like feed, with each event's report number (an update repeats its report's number)."""
        self.stats.lines += 1
        try:
            self._feed_one(line)
        except Exception:  # a parser bug must not stop the import; count the line and go on
            self.stats.skipped_garbled += 1
        out, self._out = self._out, []
        return out

    def feed_block(self, block: bytes, begin: int = 0, stop: int | None = None) -> list[tuple[int, PlaybackEvent]]:
        """A block of whole lines (as from LineBlocks) -> (report number, event), in log order.

        `block[begin:stop]` is read, without copying it (the import hands over whole chunks of
        megabytes). Only lines carrying a marker are looked at, found by one regex scan per pass."""
        stats, shapes = self.stats, self._shapes
        self._settled = None
        if stop is None:
            stop = len(block)
        if stop <= begin:
            return []
        stats.lines += block.count(b"\n", begin, stop) + (0 if block[stop - 1] == 10 else 1)
        has_nul = block.find(b"\x00", begin, stop) >= 0
        if has_nul:
            stats.skipped_binary += sum(1 for line in block[begin:stop].split(b"\n") if b"\x00" in line)
        spans: dict[int, int] = {}
        find, rfind = block.find, block.rfind
        old = OLD_STAMP.search(block, begin, min(stop, begin + (1 << 16))) is not None
        # lines that may add nothing, then not read (see _unread): line start -> the Completed
        # line's #id (a str), or where a `[Req#id] ` repeated follow-up's marker is (an int)
        unread: dict[int, str | int] = {}
        # a repeated follow-up's shape, by line start (a dict of its own, not a tuple per line:
        # tuples kept to the end of a block set off the garbage collector over and over)
        follow_shape: dict[int, LineShape] = {}
        timeline_pass, repeat_passes, repeated = shapes.timeline_pass, shapes.repeat_passes, shapes.repeated
        for index, marker in enumerate(shapes.old_scan if old else shapes.modern_scan):
            end = -1
            hits = marker.finditer(block, begin, stop)
            # one loop per kind of pass, alike but for what each records: this runs per hit, where
            # asking the pass's kind, or calling a shared helper, costs more than the lines it saves
            if index == timeline_pass:
                for hit in hits:
                    pos = hit.start()
                    if pos < end:
                        continue  # a second marker of a line already found
                    start = rfind(b"\n", begin, pos) + 1 or begin
                    end = find(b"\n", pos, stop)
                    if end < 0:
                        end = stop
                    if end - start <= MAX_LINE_BYTES and find(b" - Completed: [", start, pos) >= 0:
                        found = FAST_REQ_ID.search(block, pos, end)  # (completed_reqid, inlined)
                        if found is not None:
                            unread[start] = found.group(1).decode("ascii")
                    spans[start] = end
            elif index in repeat_passes:
                for hit in hits:
                    pos = hit.start()
                    if pos < end:
                        continue
                    start = rfind(b"\n", begin, pos) + 1 or begin
                    end = find(b"\n", pos, stop)
                    if end < 0:
                        end = stop
                    # the first marker of a line decides: one found by an earlier pass is read
                    if start not in spans and end - start <= MAX_LINE_BYTES and block[pos - 2 : pos] == b"] ":
                        unread[start] = pos
                        follow_shape[start] = repeated[hit.group()]
                    spans[start] = end
            else:
                for hit in hits:
                    pos = hit.start()
                    if pos < end:
                        continue
                    start = rfind(b"\n", begin, pos) + 1 or begin
                    end = find(b"\n", pos, stop)
                    if end < 0:
                        end = stop
                    spans[start] = end
        fast_line = shapes.fast_line.match if self.fast_paths else None
        fast_reads, fast_shapes, general, dispatch_fast = (
            self._fast_reads,
            self._fast_shapes,
            self._examine_general,
            self._dispatch_fast,
        )
        by_req, adds_nothing = self._by_req, self._adds_nothing
        for start in sorted(spans):
            skip = unread.get(start)
            if skip is not None:
                if isinstance(skip, str):
                    known = by_req.get(skip)
                    if isinstance(known, Report) and not known.held:
                        continue  # the Completed line of a report already made
                elif adds_nothing(block, start, skip, spans[start], follow_shape[start]):
                    continue
            line = block[start : spans[start]]
            if has_nul and b"\x00" in line:
                continue  # already counted above
            self._settled = None  # (see FastReader._settled)
            try:
                # _examine, inlined: this loop runs for every marker line
                matched = fast_line(line) if fast_line is not None else None
                if (
                    matched is not None
                    and line.isascii()
                    and len(line) <= MAX_LINE_BYTES
                    and line.translate(None, CONTROL_OR_CR) == line
                ):
                    group = matched.lastindex or 0  # _fast, inlined
                    read = fast_reads[group]
                    if read is None or not read(matched, line, fast_shapes[group]):
                        dispatch_fast(matched, line)
                else:
                    general(line)
            except Exception:
                stats.skipped_garbled += 1
        out, self._out = self._out, []
        return out

    def _feed_one(self, line: bytes | str) -> None:
        stats, shapes = self.stats, self._shapes
        self._settled = None  # (see FastReader._settled)
        if isinstance(line, str):
            line = line.encode("utf-8", "surrogatepass")
        if len(line) > MAX_LINE_BYTES:
            stats.skipped_too_long += 1
            return
        if b"\x00" in line:
            stats.skipped_binary += 1
            return
        for index, marker in enumerate(shapes.markers):
            if marker in line:
                # 0.9.x-only markers count only on 0.9.x lines, as in feed_block
                if (index < shapes.modern_count or OLD_STAMP.search(line)) and not self._unread(line):
                    self._examine(line)
                return

    def _unread(self, line: bytes) -> bool:
        """feed_block's choice, for one line: True for a line not read at all (nor its damage
        counted) because it would add nothing — the Completed line of a report already made,
        or a repeated follow-up that says what its report and the parser already hold
        (_adds_nothing). Every report of a play repeats those lines."""
        end = len(line) - 1 if line.endswith(b"\n") else len(line)
        shapes = self._shapes
        pos = line.find(TIMELINE, 0, end) if shapes.timeline_pass >= 0 else -1
        if pos >= 0:
            reqid = completed_reqid(line, 0, pos, end)
            known = self._by_req.get(reqid) if reqid is not None else None
            return isinstance(known, Report) and not known.held
        for index in self._repeat_passes:
            hit = shapes.old_scan[index].search(line, 0, end)
            if hit is not None:
                pos = hit.start()
                shape = shapes.repeated[hit.group()]
                return line[pos - 2 : pos] == b"] " and self._adds_nothing(line, 0, pos, end, shape)
        return False
