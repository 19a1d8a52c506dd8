"""Progress charts (shared styling in individuate/charts.py)."""

from __future__ import annotations

from typing import Any

import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import numpy as np

from individuate.core.charts import LINE, PLUM, RED, TEAL, cached_chart, svg_of


def _dates(ax: plt.Axes) -> None:
    ax.xaxis_date()
    ax.xaxis.set_major_locator(mdates.MonthLocator())
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%b"))


@cached_chart
def shares_chart(rows: list[dict[str, Any]]) -> str:
    fig, ax = plt.subplots(figsize=(3.8, 2.3))
    x = mdates.date2num([r["week"] for r in rows])
    bottom = np.zeros(len(rows))
    for key, label, colour in (
        ("share_at_once", "at once", RED),
        ("share_own_terms", "on my terms", TEAL),
        ("share_declined", "declined", PLUM),
    ):
        values = np.array([r[key] for r in rows]) * 100
        ax.bar(x, values, width=5, bottom=bottom, color=colour, label=label)
        bottom += values
    ax.set_ylim(0, 100)
    ax.set_ylabel("% of contacts")
    _dates(ax)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.15), ncol=3, frameon=False, fontsize=8)
    return svg_of(fig)


@cached_chart
def guilt_chart(rows: list[dict[str, Any]], slope: float | None) -> str:
    fig, ax = plt.subplots(figsize=(3.8, 2.2))
    x = mdates.date2num([r["week"] for r in rows])
    y = [r["mean"] for r in rows]
    ax.plot(x, y, color=PLUM, marker="o", markersize=3, linewidth=2)
    if slope is not None and len(rows) >= 2:
        fit = np.polyfit((x - x[0]) / 7, y, 1)
        ax.plot(x, np.polyval(fit, (x - x[0]) / 7), color=PLUM, linestyle="--", linewidth=1)
    ax.set_ylim(0, 10)
    ax.set_ylabel("guilt (0–10)")
    ax.grid(axis="y", color=LINE)
    _dates(ax)
    return svg_of(fig)
