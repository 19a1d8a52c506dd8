"""The check-in charts written as SVG text: well-formed, gaps kept, labels escaped."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import date, timedelta

from individuate.checkins.charts import contacts_chart, coupling_chart, moods_chart
from individuate.core.svgplot import Series, line_chart, nice_ticks

SVG = "{http://www.w3.org/2000/svg}"


def _parse(svg: str) -> ET.Element:
    root = ET.fromstring(svg)  # noqa: S314 - our own output
    assert root.tag == SVG + "svg"
    assert root.get("aria-hidden") == "true" and root.get("class") == "chart" and root.get("width") == "100%"
    return root


def test_a_day_without_a_value_breaks_the_line() -> None:
    days = [date(2026, 10, 1) + timedelta(days=k) for k in range(6)]
    svg = line_chart(days, [Series("mood", "#000", [1, 2, None, 4, 5, 6])], (0, 10), (0, 5, 10))
    root = _parse(svg)
    lines = root.findall(f"{SVG}polyline")
    assert len(lines) == 2  # 1–2, then 4–6: nothing drawn across the missing day
    assert [len(line.get("points", "").split()) for line in lines] == [2, 3]
    assert len(root.findall(f"{SVG}circle")) == 5


def test_a_value_is_placed_on_its_scale() -> None:
    days = [date(2026, 10, 1), date(2026, 10, 2)]
    root = _parse(line_chart(days, [Series("mood", "#000", [0, 10])], (0, 10), (0, 5, 10)))
    ys = [float(c.get("cy", "nan")) for c in root.findall(f"{SVG}circle")]
    assert ys[0] > ys[1]  # 0 at the bottom, 10 at the top
    labels = [t.text for t in root.findall(f"{SVG}text")]
    assert {"0", "5", "10", "mood"} <= set(labels)


def test_a_persons_label_is_text_not_markup() -> None:
    series = [
        {"end": "2026-10-01", "estimate": 0.2, "ci95": [0.1, 0.3]},
        {"end": "2026-10-29", "estimate": 0.1, "ci95": None},
    ]
    svg = coupling_chart(series, '<script>"x"')
    root = _parse(svg)
    assert "<script>" not in svg
    assert any((t.text or "").startswith('moves with <script>"x"') for t in root.iter(f"{SVG}text"))
    assert len(root.findall(f"{SVG}polygon")) == 1  # the band only where a range is known


def test_the_check_in_charts_are_well_formed() -> None:
    days = [
        {"date": date(2026, 9, 1) + timedelta(days=k), "mood": k % 11, "guilt": None, "anger": 3.5, "anxiety": 2}
        for k in range(90)
    ]
    weeks = [
        {"week": date(2026, 9, 7) + timedelta(weeks=k), "at_once": k % 3, "own_terms": 1, "declined": 0}
        for k in range(12)
    ]
    months = [t.text for t in _parse(moods_chart(days)).iter(f"{SVG}text")]
    assert [m for m in months if m in ("Oct", "Nov")] == ["Oct", "Nov"]
    bars = _parse(contacts_chart(weeks)).findall(f"{SVG}rect")
    assert len(bars) == 12 + 8 + 3  # 12 "on my terms", 8 weeks with "at once", 3 legend swatches


def test_count_axes_have_whole_steps() -> None:
    assert nice_ticks(0, 5, most=4, whole=True) == [0, 2, 4, 6]
    assert nice_ticks(0, 1, most=4, whole=True) == [0, 1]
    assert nice_ticks(-0.2, 0.5, most=4) == [-0.25, 0.0, 0.25, 0.5]
