"""Small time-series charts written straight as SVG text: lines with gaps, stacked weekly
bars, and an estimate with its 95 % band.

The check-in pages draw a chart on nearly every visit (a new check-in is new data), and
matplotlib took 40–100 ms a chart; these take well under a millisecond. The look
follows :mod:`individuate.core.charts` (colours, muted axes, text stays text), each chart
scales to its container by its ``viewBox``, and it is decorative for assistive technology:
every template that shows one also has the same numbers as a table.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from html import escape

LINE, MUTED = "#e4dad0", "#5f5650"
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

#: The drawing's own units (CSS scales it): about a phone's width at 11-unit text.
WIDTH = 380
LEFT, RIGHT, TOP = 52, 12, 10


@dataclass(frozen=True)
class Series:
    """One named, coloured series: a value per date, None where there is none (a gap)."""

    label: str
    colour: str
    values: Sequence[float | None]


def _num(x: float) -> str:
    return format(round(x, 6) + 0.0, "g")  # + 0.0: never "-0"


def nice_ticks(low: float, high: float, most: int = 5, whole: bool = False) -> list[float]:
    """Round tick values covering ``low``–``high`` (steps of 1, 2, 2.5 or 5 × 10ⁿ;
    whole numbers only when ``whole``, for counts)."""
    if not (math.isfinite(low) and math.isfinite(high)) or high <= low:
        return [low] if math.isfinite(low) else [0.0]
    raw = (high - low) / max(1, most - 1)
    power = 10 ** math.floor(math.log10(raw))
    steps = [m * power for m in (1, 2, 2.5, 5, 10) if not whole or (m * power >= 1 and float(m * power).is_integer())]
    step = next((s for s in steps if s >= raw), max(steps[-1], 1.0))
    first = math.floor(low / step + 1e-9)
    last = math.ceil(high / step - 1e-9)
    ticks = [round(k * step, 10) for k in range(first, last + 1)]
    return ticks


class _Frame:
    """Scales from dates and values to drawing units, and the axes' SVG."""

    def __init__(self, dates: Sequence[date], y_low: float, y_high: float, plot_height: int, pad_days: float) -> None:
        self.first, self.last = min(dates), max(dates)
        self.pad = pad_days
        self.span = max((self.last - self.first).days + 2 * pad_days, 1.0)
        self.y_low, self.y_high = y_low, y_high if y_high > y_low else y_low + 1
        self.bottom = TOP + plot_height

    def x(self, day: date, shift: float = 0.0) -> float:
        offset = (day - self.first).days + self.pad + shift
        return LEFT + (WIDTH - LEFT - RIGHT) * offset / self.span

    def y(self, value: float) -> float:
        share = (value - self.y_low) / (self.y_high - self.y_low)
        return self.bottom - (self.bottom - TOP) * share

    def axes(self, y_ticks: Sequence[float], y_label: str = "", grid: bool = True) -> list[str]:
        parts = []
        for tick in y_ticks:
            y = self.y(tick)
            if grid:
                parts.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" stroke="{LINE}"/>')
            parts.append(f'<text x="{LEFT - 5}" y="{y + 4:.1f}" text-anchor="end" fill="{MUTED}">{_num(tick)}</text>')
        parts.append(
            f'<line x1="{LEFT}" x2="{LEFT}" y1="{TOP}" y2="{self.bottom}" stroke="{LINE}"/>'
            f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{self.bottom}" y2="{self.bottom}" stroke="{LINE}"/>'
        )
        if y_label:
            middle = (TOP + self.bottom) / 2
            parts.append(
                f'<text transform="translate(12 {middle:.1f}) rotate(-90)" text-anchor="middle" '
                f'fill="{MUTED}" font-size="12">{escape(y_label)}</text>'
            )
        parts.extend(self._date_ticks())
        return parts

    def _date_ticks(self) -> list[str]:
        """A tick and a name at each month's first day; a short span shows its two ends."""
        months = []
        day = date(self.first.year, self.first.month, 1)
        while day <= self.last:
            if day >= self.first:
                months.append((day, MONTHS[day.month - 1]))
            day = date(day.year + (day.month == 12), day.month % 12 + 1, 1)
        if not months:
            months = [(self.first, f"{self.first.day} {MONTHS[self.first.month - 1]}")]
            if self.last != self.first:
                months.append((self.last, f"{self.last.day} {MONTHS[self.last.month - 1]}"))
        out = []
        for day, name in months:
            x = self.x(day)
            out.append(
                f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{self.bottom}" y2="{self.bottom + 4}" stroke="{MUTED}"/>'
                f'<text x="{x:.1f}" y="{self.bottom + 18}" text-anchor="middle" fill="{MUTED}">{name}</text>'
            )
        return out


def _legend(series: Sequence[Series], y: float) -> list[str]:
    """Swatches and names in one centred row (names are ours: short)."""
    widths = [16 + 7.2 * len(s.label) + 14 for s in series]
    x = (WIDTH - sum(widths)) / 2
    out = []
    for s, w in zip(series, widths, strict=True):
        out.append(
            f'<rect x="{x:.1f}" y="{y - 9:.1f}" width="11" height="11" rx="2" fill="{s.colour}"/>'
            f'<text x="{x + 16:.1f}" y="{y + 1:.1f}" fill="{MUTED}" font-size="12">{escape(s.label)}</text>'
        )
        x += w
    return out


def _svg(height: float, parts: list[str]) -> str:
    return (
        f'<svg aria-hidden="true" focusable="false" class="chart" width="100%" viewBox="0 0 {WIDTH} {height:.0f}" '
        'xmlns="http://www.w3.org/2000/svg" font-family="sans-serif" font-size="13">' + "".join(parts) + "</svg>"
    )


def _runs(points: Sequence[tuple[float, float] | None]) -> list[list[tuple[float, float]]]:
    runs: list[list[tuple[float, float]]] = [[]]
    for point in points:
        if point is None:
            if runs[-1]:
                runs.append([])
        else:
            runs[-1].append(point)
    return [r for r in runs if r]


def _path(run: Sequence[tuple[float, float]]) -> str:
    return " ".join(f"{x:.1f},{y:.1f}" for x, y in run)


def line_chart(
    dates: Sequence[date], series: Sequence[Series], y_range: tuple[float, float], y_ticks: Sequence[float]
) -> str:
    """Each series as a line through its values (gaps where a day has none), with dots."""
    if not dates:
        return ""
    frame = _Frame(dates, *y_range, plot_height=170, pad_days=1)
    parts = frame.axes(y_ticks)
    for s in series:
        points = [None if v is None else (frame.x(d), frame.y(v)) for d, v in zip(dates, s.values, strict=True)]
        for run in _runs(points):
            if len(run) > 1:
                parts.append(
                    f'<polyline points="{_path(run)}" fill="none" stroke="{s.colour}" stroke-width="1.6" '
                    'stroke-linejoin="round"/>'
                )
            parts.extend(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="1.6" fill="{s.colour}"/>' for x, y in run)
    parts.extend(_legend(series, frame.bottom + 38))
    return _svg(frame.bottom + 48, parts)


def stacked_bars(weeks: Sequence[date], stacks: Sequence[Series], y_label: str) -> str:
    """Weekly bars, each series stacked on the ones before it."""
    if not weeks:
        return ""
    totals = [sum(float(s.values[k] or 0) for s in stacks) for k in range(len(weeks))]
    ticks = nice_ticks(0, max(max(totals), 1.0), most=4, whole=True)
    frame = _Frame(weeks, 0, ticks[-1], plot_height=160, pad_days=4)
    parts = frame.axes(ticks, y_label)
    bottoms = [0.0] * len(weeks)
    bar = (frame.x(weeks[0], 5) - frame.x(weeks[0])) if weeks else 0
    for s in stacks:
        for k, week in enumerate(weeks):
            value = float(s.values[k] or 0)
            if value <= 0:
                continue
            top, base = frame.y(bottoms[k] + value), frame.y(bottoms[k])
            parts.append(
                f'<rect x="{frame.x(week) - bar / 2:.1f}" y="{top:.1f}" width="{bar:.1f}" '
                f'height="{base - top:.1f}" fill="{s.colour}"/>'
            )
            bottoms[k] += value
    parts.extend(_legend(stacks, frame.bottom + 38))
    return _svg(frame.bottom + 48, parts)


def band_chart(
    dates: Sequence[date],
    estimates: Sequence[float | None],
    bands: Sequence[tuple[float, float] | None],
    colour: str,
    y_label: str,
) -> str:
    """An estimate per date as a line with dots, its 95 % range as a shaded band, and 0."""
    if not dates:
        return ""
    values = [v for v in estimates if v is not None and math.isfinite(v)]
    values += [x for b in bands if b is not None for x in b if math.isfinite(x)]
    low, high = min([0.0, *values]), max([0.0, *values])
    ticks = nice_ticks(low, high, most=4)
    frame = _Frame(dates, min(ticks[0], low), max(ticks[-1], high), plot_height=170, pad_days=2)
    parts = frame.axes(ticks, y_label, grid=False)
    ok_bands = [b if b is not None and all(math.isfinite(x) for x in b) else None for b in bands]
    upper = [None if b is None else (frame.x(d), frame.y(b[1])) for d, b in zip(dates, ok_bands, strict=True)]
    lower = [None if b is None else (frame.x(d), frame.y(b[0])) for d, b in zip(dates, ok_bands, strict=True)]
    for top, bottom in zip(_runs(upper), _runs(lower), strict=True):
        parts.append(f'<polygon points="{_path([*top, *reversed(bottom)])}" fill="{colour}" fill-opacity="0.15"/>')
    zero = frame.y(0.0)
    parts.append(
        f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{zero:.1f}" y2="{zero:.1f}" stroke="{MUTED}" stroke-width="0.8"/>'
    )
    points = [
        None if v is None or not math.isfinite(v) else (frame.x(d), frame.y(v))
        for d, v in zip(dates, estimates, strict=True)
    ]
    for run in _runs(points):
        if len(run) > 1:
            parts.append(f'<polyline points="{_path(run)}" fill="none" stroke="{colour}" stroke-width="2"/>')
        parts.extend(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2.4" fill="{colour}"/>' for x, y in run)
    return _svg(frame.bottom + 24, parts)
