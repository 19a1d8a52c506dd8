"""Measures charts (see individuate/charts.py for the shared styling)."""

from __future__ import annotations

import math
import textwrap
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import matplotlib.dates as mdates
import matplotlib.pyplot as plt

from individuate.core.charts import BAND_COLOURS, LINE, MUTED, PLUM, TEAL, TEXT, cached_chart
from individuate.core.charts import svg_of as _svg

from .instruments import Instrument


def _band_spans(instrument: Instrument) -> list[tuple[float, float, str]]:
    """Each band from its lowest score up to where the next begins (whole-number scores
    leave no gaps between 4 and 5), with its label."""
    bands = list(instrument.bands)
    return [
        (band.min, bands[n + 1].min if n + 1 < len(bands) else band.max, band.label) for n, band in enumerate(bands)
    ]


def _shade_bands(ax: plt.Axes, instrument: Instrument, horizontal: bool) -> None:
    for n, (low, high, _) in enumerate(_band_spans(instrument)):
        colour = BAND_COLOURS[min(n, len(BAND_COLOURS) - 1)]
        if horizontal:
            ax.axvspan(low, high, color=colour, zorder=0)
        else:
            ax.axhspan(low, high, color=colour, zorder=0)


def _wrapped(label: str, width: int = 10) -> str:
    """Short lines, broken at spaces or after a dash ("none–" / "minimal"), never mid-word."""
    text = textwrap.fill(label.replace("–", "– "), width, break_long_words=False, break_on_hyphens=False)
    return text.replace("– ", "–")


def _overlaps(a: Any, b: Any, pad: float = 3.0) -> bool:
    return bool(a.x0 < b.x1 + pad and b.x0 < a.x1 + pad and a.y0 < b.y1 + pad and b.y0 < a.y1 + pad)


def _band_labels(fig: plt.Figure, ax: plt.Axes, instrument: Instrument) -> list[Any]:
    """Band names above the scale, each centred in its band and wrapped to short lines;
    a name that would touch its neighbour moves up a row, so no two ever overlap."""
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]  # Agg's canvas has one
    axes_height = ax.get_window_extent(renderer).height
    rows: list[list[Any]] = []
    row_bottoms = [1.04]
    placed = []
    for low, high, label in _band_spans(instrument):
        text = ax.text(
            (low + high) / 2,
            0,
            _wrapped(label),
            ha="center",
            va="bottom",
            fontsize=10,
            color=TEXT,
            linespacing=1.05,
            transform=ax.get_xaxis_transform(),
            clip_on=False,
        )
        for row_number in range(len(rows) + 1):
            if row_number == len(rows):
                # a new row just above the tallest name of the row below
                below = rows[-1] if rows else []
                tallest = max((t.get_window_extent(renderer).height for t in below), default=0.0)
                rows.append([])
                if below:
                    row_bottoms.append(row_bottoms[-1] + (tallest + 2) / axes_height)
            text.set_y(row_bottoms[row_number])
            box = text.get_window_extent(renderer)
            if not any(_overlaps(box, other.get_window_extent(renderer)) for other in rows[row_number]):
                rows[row_number].append(text)
                break
        placed.append(text)
    return placed


@cached_chart
def profile_chart(instrument: Instrument, subscales: dict[str, float], total: float) -> str:
    """Subscale means as bars (our screeners), or the total on its band scale (PHQ/GAD)."""
    lo, hi = instrument.total_range()
    if instrument.subscales:
        labels = [textwrap.fill(s.label, 20) for s in instrument.subscales]
        values = [subscales.get(s.id, 0.0) for s in instrument.subscales]
        fig, ax = plt.subplots(figsize=(2.6, 0.5 * len(labels) + 0.7))
        positions = range(len(labels))[::-1]
        ax.barh(list(positions), values, color=TEAL, height=0.6, zorder=2)
        ax.set_yticks(list(positions), labels)
        ax.set_xlim(lo, hi)
        ax.set_xticks([lo, (lo + hi) / 2, hi])
        ax.set_xlabel("average, 1 (less) to 5 (more)")
        for y, value in zip(positions, values, strict=True):
            ax.text(value + 0.05, y, f"{value:.1f}", va="center", color=TEXT, fontsize=10)
        ax.grid(axis="x", color=LINE, zorder=0)
        ax.spines["left"].set_visible(False)
        ax.tick_params(axis="y", length=0)
    else:
        fig, ax = plt.subplots(figsize=(3.8, 0.9))
        ax.set_xlim(lo, hi)
        ax.set_ylim(0, 1)
        _shade_bands(ax, instrument, horizontal=True)
        _band_labels(fig, ax, instrument)
        ax.plot([total], [0.62], marker="v", markersize=14, color=PLUM, zorder=3)
        ax.text(total, 0.1, f"{total:g}", ha="center", color=TEXT, fontsize=11, fontweight="bold")
        ax.set_yticks([])
        ax.spines["left"].set_visible(False)
        ax.set_xlabel(f"total score ({lo:g}–{hi:g})")
    return _svg(fig)


def history_chart(
    instrument: Instrument,
    dates: Sequence[datetime],
    totals: Sequence[float],
    reliable: Sequence[bool] = (),
) -> str:
    """Totals over time on the band background; reliable changes ringed."""
    lo, hi = instrument.total_range()
    # Narrow, so that on a phone (where it is shrunk to the screen) the text stays readable.
    fig, ax = plt.subplots(figsize=(3.0, 2.2))
    _shade_bands(ax, instrument, horizontal=False)
    when_axis = mdates.date2num(list(dates))
    ax.plot(when_axis, list(totals), color=TEAL, marker="o", linewidth=2, zorder=3)
    for when, total, is_reliable in zip(when_axis, totals, reliable, strict=False):
        if is_reliable:
            ax.plot(
                [when],
                [total],
                marker="o",
                markersize=13,
                markerfacecolor="none",
                markeredgecolor=PLUM,
                markeredgewidth=2,
                zorder=4,
            )
    ax.set_ylim(lo, hi)
    ax.set_ylabel("total")
    ax.xaxis_date()
    span = (max(dates) - min(dates)).days if dates else 0
    if span > 90:  # months, not crowded day numbers
        ax.xaxis.set_major_locator(mdates.MonthLocator(interval=max(1, math.ceil(span / 30 / 4))))
        ax.xaxis.set_major_formatter(mdates.DateFormatter("%b"))
    else:
        ax.xaxis.set_major_locator(mdates.AutoDateLocator(minticks=2, maxticks=4))
        ax.xaxis.set_major_formatter(mdates.DateFormatter("%-d %b"))
    for low, high, label in _band_spans(instrument):
        ax.text(
            1.02,
            (low + high) / 2,
            _wrapped(label),
            transform=ax.get_yaxis_transform(),
            fontsize=10,
            color=MUTED,
            va="center",
            linespacing=1.0,
        )
    return _svg(fig)
