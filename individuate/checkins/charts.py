"""Check-in and coupling charts (shared styling in individuate/charts.py)."""

from __future__ import annotations

from datetime import date
from typing import Any

import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import numpy as np

from individuate.core.charts import AMBER, LINE, MUTED, PLUM, RED, TEAL, cached_chart, svg_of

from .models import ContactEvent

SERIES = (
    ("mood", "mood", TEAL),
    ("guilt", "guilt", PLUM),
    ("anger", "anger", RED),
    ("anxiety", "anxiety", AMBER),
)


def _date_axis(ax: plt.Axes) -> None:
    ax.xaxis_date()
    ax.xaxis.set_major_locator(mdates.MonthLocator())
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%b"))


@cached_chart
def moods_chart(days: list[dict[str, Any]]) -> str:
    fig, ax = plt.subplots(figsize=(3.8, 2.4))
    x = mdates.date2num([d["date"] for d in days])
    for key, label, colour in SERIES:
        ax.plot(
            x,
            [np.nan if d[key] is None else d[key] for d in days],  # not set that day: a gap
            color=colour,
            linewidth=1.6,
            marker="o",
            markersize=2.5,
            label=label,
        )
    ax.set_ylim(0, 10)
    ax.set_yticks([0, 5, 10])
    ax.grid(axis="y", color=LINE)
    _date_axis(ax)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.15), ncol=4, frameon=False, fontsize=8)
    return svg_of(fig)


@cached_chart
def contacts_chart(weeks: list[dict[str, Any]]) -> str:
    fig, ax = plt.subplots(figsize=(3.8, 2.3))
    x = mdates.date2num([w["week"] for w in weeks])
    bottom = np.zeros(len(weeks))
    for key, label, colour in (
        (ContactEvent.Reply.AT_ONCE, "at once", RED),
        (ContactEvent.Reply.OWN_TERMS, "on my terms", TEAL),
        (ContactEvent.Reply.DECLINED, "declined", PLUM),
    ):
        values = np.array([w[key] for w in weeks], dtype=float)
        ax.bar(x, values, width=5, bottom=bottom, color=colour, label=label)
        bottom += values
    ax.set_ylabel("contacts / week")
    _date_axis(ax)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.15), ncol=3, frameon=False, fontsize=8)
    return svg_of(fig)


@cached_chart
def coupling_chart(series: list[dict[str, Any]], other: str) -> str:
    """The link between own mood and how the other seems, per 28-day window, with its 95% band."""
    fig, ax = plt.subplots(figsize=(3.8, 2.3))
    x = mdates.date2num([date.fromisoformat(s["end"]) if isinstance(s["end"], str) else s["end"] for s in series])
    estimate = [s["estimate"] for s in series]
    low = [s["ci95"][0] if s["ci95"] else np.nan for s in series]
    high = [s["ci95"][1] if s["ci95"] else np.nan for s in series]
    ax.fill_between(x, low, high, color=TEAL, alpha=0.15, linewidth=0)
    ax.plot(x, estimate, color=TEAL, marker="o", markersize=3, linewidth=2)
    ax.axhline(0, color=MUTED, linewidth=0.8)
    ax.set_ylabel(f"moves with {other[:15]}")
    _date_axis(ax)
    return svg_of(fig)
