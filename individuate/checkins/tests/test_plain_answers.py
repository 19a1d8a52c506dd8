"""Patterns and History lead with the answer in words, before the numbers and charts."""

from __future__ import annotations

import re
from datetime import timedelta

from django.test import Client
from django.utils import timezone

from individuate.accounts.models import User
from individuate.checkins import actions, coupling
from individuate.checkins.models import CheckIn


def _result(first: float, last: float, p: float) -> dict:
    windows = [
        {"start": "2026-08-01", "end": "2026-08-28", "effects": [{"kind": "concurrent", "estimate": first, "ci95": [0.3, 0.8]}]},
        {"start": "2026-11-01", "end": "2026-11-28", "effects": [{"kind": "concurrent", "estimate": last, "ci95": [0.1, 0.5]}]},
    ]  # fmt: skip
    change = {"concurrent": [{"first": first, "last": last, "difference": last - first, "z": -2.5, "p": p}]}
    return {
        "effects": [{"kind": "concurrent", "estimate": 0.4, "ci95": [0.3, 0.5]}],
        "windows": windows,
        "change": change,
    }


def test_patterns_answer_says_the_direction_and_the_numbers() -> None:
    text = coupling.plain_answer(_result(0.55, 0.29, 0.01), "my mother")
    assert text == (
        "Over the last 4 weeks your mood moved less with my mother's than in the 4 weeks up to 28 August (0.55 → 0.29)."
    )
    assert "more with" in coupling.plain_answer(_result(0.2, 0.6, 0.01), "Sam")


def test_patterns_answer_calls_a_change_within_chance_so() -> None:
    text = coupling.plain_answer(_result(0.55, 0.29, 0.36), "my mother")
    assert text.endswith("but a difference this size is within chance.")


def test_patterns_answer_without_windows_leads_with_no_clear_link() -> None:
    result = {"effects": [{"kind": "concurrent", "estimate": 0.1, "ci95": [-0.1, 0.3], "exceeds_chance": None}]}
    assert coupling.plain_answer(result, "Sam").startswith("No clear link so far")
    assert coupling.plain_answer({"effects": []}, "Sam").startswith("Not enough days yet")


def test_patterns_answer_never_speaks_of_causes() -> None:
    for p in (0.01, 0.5):
        text = coupling.plain_answer(_result(0.55, 0.29, p), "my mother").lower()
        assert not re.search(r"\b(because|caus|made you|makes you|due to)", text)


def test_patterns_page_puts_the_answer_above_the_chart(alice: User) -> None:
    from individuate.checkins.models import CouplingReport

    other = alice.others.get(name="my mother")
    CouplingReport.objects.create(
        kind="solo", owner=alice, other=other, computed_at=timezone.now(), result=_result(0.55, 0.29, 0.01)
    )
    client = Client()
    client.force_login(alice)
    page = client.get("/patterns/").content.decode()
    answer = page.index("moved less with my mother&#x27;s than in the 4 weeks up to 28 August (0.55 → 0.29)")
    assert answer < page.index('class="chart"')


def _checkin(alice: User, days_ago: int, **scales: int) -> None:
    day = actions.local_today(alice) - timedelta(days=days_ago)
    CheckIn.objects.create(owner=alice, at=timezone.now() - timedelta(days=days_ago), local_date=day, **scales)


def test_history_summarises_each_scale_in_one_line(alice: User) -> None:
    for days_ago in range(30, 56):  # the 4 weeks before: mood 4
        _checkin(alice, days_ago, mood=4, guilt=6)
    for days_ago in range(0, 27):  # the last 4 weeks: mood 7, guilt not set
        _checkin(alice, days_ago, mood=7, anger=3)
    days = actions.daily_series(alice, 90)
    lines = {s["key"]: s for s in actions.scale_summaries(days, actions.local_today(alice))}
    assert set(lines) == {"mood", "guilt", "anger"}, "a scale never set has no line"
    assert lines["mood"]["latest"] == 7 and lines["mood"]["recent"] == 7 and lines["mood"]["change"] == 3
    assert lines["guilt"]["recent"] is None, "guilt was not set lately: no invented average"
    assert actions.history_answer(list(lines.values())) == (
        "Over the last 4 weeks your mood averaged 7.0 out of 10, higher than the 4 weeks before (4.0)."
    )
    client = Client()
    client.force_login(alice)
    page = client.get("/checkin/history/").content.decode()
    assert page.index("your mood averaged 7.0 out of 10") < page.index('class="chart"')
    assert page.count('class="measure-line"') == 3
    assert "(up 3.0)" in page and "not set in the last 4 weeks" in page


def test_history_answer_without_any_mood(alice: User) -> None:
    assert actions.history_answer([]).startswith("No mood set yet")
    client = Client()
    client.force_login(alice)
    page = client.get("/checkin/history/").content.decode()
    assert "No mood set yet" in page and "No contacts logged since" in page
