"""The result charts stay readable: no two labels on a chart ever overlap."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta
from typing import Any

import pytest

from individuate.measures import charts
from individuate.measures.registry import instruments


@pytest.fixture(autouse=True)
def _close_figures() -> Any:
    import matplotlib.pyplot as plt

    yield
    plt.close("all")


def _drawn(monkeypatch: pytest.MonkeyPatch, draw: Any) -> Any:
    """Draw a chart and keep its figure (instead of the SVG) to measure where text landed."""
    kept: list[Any] = []

    def keep(fig: Any) -> str:
        kept.append(fig)
        return ""

    monkeypatch.setattr(charts, "_svg", keep)
    draw()
    return kept[0]


def _label_boxes(fig: Any) -> list[tuple[str, Any]]:
    renderer = fig.canvas.get_renderer()
    boxes = []
    for ax in fig.axes:
        (x0, x1), (y0, y1) = sorted(ax.get_xlim()), sorted(ax.get_ylim())
        ticks = [t for t in ax.get_xticklabels() if x0 <= t.get_position()[0] <= x1]
        ticks += [t for t in ax.get_yticklabels() if y0 <= t.get_position()[1] <= y1]
        texts = list(ax.texts) + [t for t in ticks if t.get_text()]
        boxes += [(t.get_text(), t.get_window_extent(renderer)) for t in texts if t.get_visible()]
    return boxes


def _assert_apart(boxes: list[tuple[str, Any]]) -> None:
    for (a, box_a), (b, box_b) in itertools.combinations(boxes, 2):
        assert not box_a.overlaps(box_b), f"{a!r} overlaps {b!r}"


@pytest.mark.parametrize("instrument_id", ["phq9", "gad7"])
@pytest.mark.parametrize("total", [0, 6, 12, 17, 21])
def test_band_names_on_the_result_scale_never_overlap(
    monkeypatch: pytest.MonkeyPatch, instrument_id: str, total: int
) -> None:
    instrument = instruments()[instrument_id]
    fig = _drawn(monkeypatch, lambda: charts.profile_chart(instrument, {}, total))
    names = [text for text, _ in _label_boxes(fig)]
    for band in instrument.bands:  # every band is named on the chart
        assert band.label in {n.replace("–\n", "–").replace("\n", " ") for n in names}
    _assert_apart([(t, b) for t, b in _label_boxes(fig) if t != f"{total:g}"])


@pytest.mark.parametrize("instrument_id", ["phq9", "gad7", "enmeshment-child", "enmeshment-parent"])
@pytest.mark.parametrize("weeks", [2, 6, 26])
def test_history_chart_labels_and_dates_never_overlap(
    monkeypatch: pytest.MonkeyPatch, instrument_id: str, weeks: int
) -> None:
    instrument = instruments()[instrument_id]
    low, high = instrument.total_range()
    count = max(2, weeks // 2)
    dates = [datetime(2026, 6, 1) + timedelta(weeks=weeks) * n / (count - 1) for n in range(count)]
    totals = [low + (high - low) * n / count for n in range(count)]
    fig = _drawn(monkeypatch, lambda: charts.history_chart(instrument, dates, totals, [False] * count))
    boxes = _label_boxes(fig)
    assert len(boxes) >= len(instrument.bands) + 2
    _assert_apart(boxes)
