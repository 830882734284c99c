"""The digest's chart as a PNG (Pillow): mail clients show an attached image, most drop inline SVG.

Drawn at twice the size it is shown (560 px wide in the mail) so it is sharp on phones; the same
person colours and patterns as the HTML report, lanes labelled by name, text at least 12 px as
shown. The figures it draws are also in the mail as a table (for screen readers and for
clients that block images). Pillow is imported when a chart is drawn, not with this module: the
headless service imports no imaging library until it mails (tests/project/test_architecture.py).
"""

from __future__ import annotations

import io
from datetime import date
from typing import TYPE_CHECKING, Any

from plextray.core.report_fold import DayReport, PeriodReport, parse_local
from plextray.reports.charts import LIMIT_COLOUR, PATTERNS, STOP_COLOUR, WINDOW_FILL, colours, limit_moment, patterns

if TYPE_CHECKING:
    from PIL import Image, ImageDraw

SCALE = 2
WIDTH = 560  # as shown in the mail


def _font(size: int) -> Any:
    from PIL import ImageFont

    for path in ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", "DejaVuSans.ttf", "Arial.ttf"):
        try:
            return ImageFont.truetype(path, size * SCALE)
        except OSError:
            continue
    return ImageFont.load_default(size=size * SCALE)


def _rgb(colour: str) -> tuple[int, int, int]:
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


def _fill(draw: "ImageDraw.ImageDraw", box: tuple[float, float, float, float], colour: str, pattern: int) -> None:
    """A bar in the person's colour with their pattern in white (as the HTML's SVG patterns)."""
    x0, y0, x1, y1 = box
    draw.rectangle(box, fill=_rgb(colour))
    kind = PATTERNS[pattern % len(PATTERNS)]
    step = 8 * SCALE
    white = (255, 255, 255)
    if kind in ("stripes", "cross"):
        offset = -(y1 - y0)
        while x0 + offset < x1:  # lines past the tile's edge are clipped by the tile
            draw.line([(x0 + offset, y1), (x0 + offset + (y1 - y0), y0)], fill=white, width=SCALE)
            if kind == "cross":
                draw.line([(x0 + offset, y0), (x0 + offset + (y1 - y0), y1)], fill=white, width=SCALE)
            offset += step
    elif kind in ("dots", "grid", "waves", "zigzag"):
        y = y0 + step / 2
        while y < y1:
            x = x0 + step / 2
            while x < x1:
                draw.ellipse((x - SCALE * 1.5, y - SCALE * 1.5, x + SCALE * 1.5, y + SCALE * 1.5), fill=white)
                x += step
            y += step
    elif kind == "lines":
        y = y0 + step / 2
        while y < y1:
            draw.line([(x0, y), (x1, y)], fill=white, width=SCALE)
            y += step
    # the bar's own outline keeps a thin bar visible whatever its pattern
    draw.rectangle(box, outline=_rgb(colour), width=SCALE)


def _clip(draw: "ImageDraw.ImageDraw", box: tuple[float, float, float, float], colour: str, pattern: int,
          image: "Image.Image") -> None:
    from PIL import Image, ImageDraw

    x0, y0, x1, y1 = (int(v) for v in box)
    if x1 - x0 < 1 or y1 - y0 < 1:
        return
    tile = Image.new("RGB", (x1 - x0, y1 - y0), _rgb(colour))
    _fill(ImageDraw.Draw(tile), (0, 0, x1 - x0 - 1, y1 - y0 - 1), colour, pattern)
    image.paste(tile, (x0, y0))


def _png(image: "Image.Image") -> bytes:
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def day_png(report: DayReport, names: list[str]) -> bytes:
    """The day's timeline: a lane per person, bedtimes shaded, stops marked ✕, the limit line."""
    from PIL import Image, ImageDraw

    s = SCALE
    day = date.fromisoformat(report.day)
    people = [p for p in report.people if p.name in names]
    lane, top, left, right = 50 * s, 28 * s, 8 * s, 8 * s
    width = WIDTH * s
    height = top + lane * max(1, len(people)) + 6 * s
    image = Image.new("RGB", (width, height), (255, 255, 255))
    draw = ImageDraw.Draw(image)
    small, label = _font(15), _font(16)
    plot = width - left - right
    palette, pattern_of = colours(names, report.household), patterns(names, report.household)

    def x_of(iso: str) -> float:
        moment = parse_local(iso)
        minute = 0.0 if moment.date() < day else 1440.0 if moment.date() > day else moment.hour * 60 + moment.minute
        return left + plot * minute / 1440

    for hour in range(0, 25, 6):
        x = left + plot * hour / 24
        draw.line([(x, top - 4 * s), (x, height - 4 * s)], fill=(209, 213, 219), width=1)
        anchor = "la" if hour == 0 else "ra" if hour == 24 else "ma"
        draw.text((x, 4 * s), f"{hour:02d}:00", fill=(75, 85, 99), font=small, anchor=anchor)
    for i, person in enumerate(people):
        y = top + i * lane
        draw.text((left, y), person.name, fill=(17, 24, 39), font=label)
        bar_top, bar_bottom = y + 21 * s, y + 44 * s
        draw.rectangle((left, bar_top, left + plot, bar_bottom), fill=(243, 244, 246))
        for who, _, begin, finish in report.windows:
            if who == person.name:
                draw.rectangle((x_of(begin), bar_top, x_of(finish), bar_bottom), fill=_rgb(WINDOW_FILL))
        for entry in person.entries:
            x0, x1 = x_of(entry.start), max(x_of(entry.end), x_of(entry.start) + 4 * s)
            _clip(draw, (x0, bar_top + 3 * s, x1, bar_bottom - 3 * s), palette[person.name], pattern_of[person.name], image)
            if entry.stopped:
                draw.text((x1, (bar_top + bar_bottom) / 2), "✕", fill=_rgb(STOP_COLOUR), font=label, anchor="mm",
                          stroke_width=2 * s, stroke_fill=(255, 255, 255))
        for q in person.quotas:
            if q.per == "day" and q.unit == "minutes" and q.used >= q.allowed:
                moment = limit_moment(person.entries, q.allowed)
                if moment is not None:
                    x = x_of(moment.isoformat())
                    draw.line([(x, bar_top - 3 * s), (x, bar_bottom + 3 * s)], fill=_rgb(LIMIT_COLOUR), width=2 * s)
    return _png(image)


def period_png(report: PeriodReport, names: list[str]) -> bytes:
    """A lane of daily bars per person with their daily limit as a red line."""
    from PIL import Image, ImageDraw

    s = SCALE
    lane, top, left, right = 74 * s, 4 * s, 8 * s, 8 * s
    width = WIDTH * s
    height = top + lane * max(1, len(names)) + 20 * s
    image = Image.new("RGB", (width, height), (255, 255, 255))
    draw = ImageDraw.Draw(image)
    small, label = _font(15), _font(16)
    palette, pattern_of = colours(names, report.household), patterns(names, report.household)
    limits = dict(report.limits)
    series = {n: report.minutes(n) for n in names}
    plot = width - left - right
    count = max(1, len(report.days))
    slot = plot / count
    bar_h = 44 * s
    for row, name in enumerate(names):
        y = top + row * lane
        base = y + 22 * s + bar_h
        peak = max([60.0, *(m or 0 for m in series[name]), limits.get(name, 0)])  # as the HTML: a scale per lane
        draw.text((left, y), name, fill=(17, 24, 39), font=label)
        draw.line([(left, base), (left + plot, base)], fill=(156, 163, 175), width=s)
        for i, minutes in enumerate(series[name]):
            if not minutes:
                continue
            h = max(2 * s, bar_h * minutes / peak)
            x0 = left + slot * i + slot * 0.15
            _clip(draw, (x0, base - h, x0 + slot * 0.7, base), palette[name], pattern_of[name], image)
        if name in limits:
            ly = base - bar_h * limits[name] / peak
            for x in range(int(left), int(left + plot), 8 * s):
                draw.line([(x, ly), (x + 5 * s, ly)], fill=_rgb(LIMIT_COLOUR), width=s + 1)
    y = top + lane * len(names) + 2 * s
    for i, day in enumerate(report.days):
        when = date.fromisoformat(day.day)
        if count > 7 and i % 2:
            continue
        text = when.strftime("%a") if count <= 7 else str(when.day)
        draw.text((left + slot * i + slot / 2, y), text, fill=(75, 85, 99), font=small, anchor="ma")
    return _png(image)


def shown_size(png: bytes) -> tuple[int, int]:
    """The size the mail shows the chart at (half its pixels)."""
    from PIL import Image

    with Image.open(io.BytesIO(png)) as image:
        return image.width // SCALE, image.height // SCALE


