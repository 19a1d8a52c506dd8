"""Charts are drawn once per distinct data, and again when the data changes."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.cache import cache

from individuate.checkins.charts import moods_chart
from individuate.core.charts import cached_chart


def test_a_chart_is_drawn_once_per_distinct_data() -> None:
    cache.clear()
    drawn: list[tuple[int, ...]] = []

    @cached_chart
    def chart(values: tuple[int, ...]) -> str:
        drawn.append(values)
        return f"<svg>{sum(values)}</svg>"

    assert chart((1, 2)) == "<svg>3</svg>"
    assert chart((1, 2)) == "<svg>3</svg>"
    assert drawn == [(1, 2)]
    assert chart((1, 3)) == "<svg>4</svg>"  # new data (a new check-in): drawn afresh
    assert drawn == [(1, 2), (1, 3)]


def test_a_real_chart_from_the_cache_is_the_chart_of_its_data() -> None:
    cache.clear()
    days: list[dict[str, Any]] = [
        {"date": date(2026, 11, d), "mood": d % 10, "guilt": 3, "anger": 2, "anxiety": None, "perceived": {}}
        for d in range(1, 20)
    ]
    first = moods_chart(days)
    assert first.startswith("<svg") and moods_chart(days) == first
    days[-1] = {**days[-1], "mood": 0}
    assert moods_chart(days) != first
