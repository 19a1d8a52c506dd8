"""Check-in and coupling charts, drawn as SVG text (:mod:`individuate.core.svgplot`)."""

from __future__ import annotations

from datetime import date
from typing import Any

from individuate.core.charts import AMBER, PLUM, RED, TEAL, cached_chart
from individuate.core.svgplot import Series, band_chart, line_chart, stacked_bars

from .models import ContactEvent

SERIES = (
    ("mood", "mood", TEAL),
    ("guilt", "guilt", PLUM),
    ("anger", "anger", RED),
    ("anxiety", "anxiety", AMBER),
)


@cached_chart
def moods_chart(days: list[dict[str, Any]]) -> str:
    dates = [d["date"] for d in days]
    series = [Series(label, colour, [d[key] for d in days]) for key, label, colour in SERIES]
    return line_chart(dates, series, y_range=(0, 10), y_ticks=(0, 5, 10))


@cached_chart
def contacts_chart(weeks: list[dict[str, Any]]) -> str:
    stacks = [
        Series(label, colour, [w[key] for w in weeks])
        for key, label, colour in (
            (ContactEvent.Reply.AT_ONCE, "at once", RED),
            (ContactEvent.Reply.OWN_TERMS, "on my terms", TEAL),
            (ContactEvent.Reply.DECLINED, "declined", PLUM),
        )
    ]
    return stacked_bars([w["week"] for w in weeks], stacks, "contacts / week")


@cached_chart
def coupling_chart(series: list[dict[str, Any]], other: str) -> str:
    """The link between own mood and how the other seems, per 28-day window, with its 95% band."""
    dates = [date.fromisoformat(s["end"]) if isinstance(s["end"], str) else s["end"] for s in series]
    return band_chart(
        dates,
        [s["estimate"] for s in series],
        [tuple(s["ci95"]) if s["ci95"] else None for s in series],
        TEAL,
        f"moves with {other[:15]}",
    )
