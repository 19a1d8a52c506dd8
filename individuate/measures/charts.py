"""Measures charts (see individuate/charts.py for the shared styling)."""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from datetime import datetime

import matplotlib.dates as mdates
import matplotlib.pyplot as plt

from individuate.core.charts import BAND_COLOURS, LINE, MUTED, PLUM, TEAL, TEXT, cached_chart
from individuate.core.charts import svg_of as _svg

from .instruments import Instrument


def _shade_bands(ax: plt.Axes, instrument: Instrument, horizontal: bool) -> None:
    for n, band in enumerate(instrument.bands):
        colour = BAND_COLOURS[min(n, len(BAND_COLOURS) - 1)]
        if horizontal:
            ax.axvspan(band.min, band.max, color=colour, zorder=0)
        else:
            ax.axhspan(band.min, band.max, color=colour, zorder=0)


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
        fig, ax = plt.subplots(figsize=(3.8, 1.2))
        _shade_bands(ax, instrument, horizontal=True)
        for band in instrument.bands:
            ax.text((band.min + band.max) / 2, 0.72, band.label, ha="center", fontsize=9, color=MUTED)
        ax.plot([total], [0.35], marker="v", markersize=14, color=PLUM, zorder=3)
        ax.text(total, 0.08, f"{total:g}", ha="center", color=TEXT, fontsize=11, fontweight="bold")
        ax.set_xlim(lo, hi)
        ax.set_ylim(0, 1)
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
    fig, ax = plt.subplots(figsize=(3.6, 2.2))
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
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%d %b"))
    ax.xaxis.set_major_locator(mdates.AutoDateLocator(maxticks=6))
    for band in instrument.bands:
        ax.text(
            1.01,
            (band.min + band.max) / 2,
            band.label,
            transform=ax.get_yaxis_transform(),
            fontsize=8,
            color=MUTED,
            va="center",
        )
    return _svg(fig)
