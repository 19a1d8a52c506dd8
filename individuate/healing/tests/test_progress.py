"""Each progress number against a hand-computed fixture."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from individuate.accounts.models import User
from individuate.checkins.actions import local_today, zone_of
from individuate.checkins.models import ContactEvent
from individuate.healing import actions, progress


def _contact(alice: User, days_ago: int, response: str, guilt: int) -> None:
    day = local_today(alice) - timedelta(days=days_ago)
    at = datetime.combine(day, datetime.min.time().replace(hour=12), tzinfo=zone_of(alice))
    ContactEvent.objects.create(
        owner=alice, other=alice.others.get(), at=at, local_date=day, kind="call", response=response, guilt_after=guilt
    )


@pytest.fixture
def two_weeks(alice: User) -> None:
    """Week A (two weeks back): at_once×3, own_terms×1 (guilt 8). Week B (this week): at_once×1,
    own_terms×1 (guilt 5), declined×2 (guilt 6, 4)."""
    monday = local_today(alice) - timedelta(days=local_today(alice).weekday())
    a = (local_today(alice) - (monday - timedelta(days=14))).days  # days ago of week A's Monday
    b = (local_today(alice) - monday).days
    for response, guilt in (("at_once", 2), ("at_once", 3), ("at_once", 1), ("own_terms", 8)):
        _contact(alice, a, response, guilt)
    for response, guilt in (("at_once", 1), ("own_terms", 5), ("declined", 6), ("declined", 4)):
        _contact(alice, b, response, guilt)


def test_contact_shares_per_week(alice: User, two_weeks: None) -> None:
    rows = progress.contact_shares(alice)
    assert [(r["total"], r["share_at_once"], r["share_own_terms"], r["share_declined"]) for r in rows] == [
        (4, 0.75, 0.25, 0.0),
        (4, 0.25, 0.25, 0.5),
    ]


def test_guilt_after_saying_no_and_its_trend(alice: User, two_weeks: None) -> None:
    rows = progress.guilt_after_saying_no(alice)
    assert [(r["mean"], r["n"]) for r in rows] == [(8.0, 1), (5.0, 3)]
    # two points two weeks apart: (5 − 8) / 2 = −1.5 a week
    assert progress.weekly_trend(rows, "mean") == pytest.approx(-1.5)
    assert progress.weekly_trend(rows[:1], "mean") is None


def test_steps_summary(alice: User) -> None:
    actions.start_plan(alice, "adult-child")
    goal = actions.add_goal(alice, "adult-child", "small-steps", "One ritual at a time")
    today = local_today(alice)
    s1 = actions.add_small_step(alice, goal.pk, "one", today)
    s2 = actions.add_small_step(alice, goal.pk, "two", today)
    s3 = actions.add_small_step(alice, goal.pk, "three", today)
    actions.add_small_step(alice, goal.pk, "four", today + timedelta(days=2))
    actions.complete_step(alice, s1.pk, done=True, learned="it passes")
    actions.complete_step(alice, s2.pk, done=False)
    actions.drop_step(alice, s3.pk)
    assert progress.steps_summary(alice) == {
        "planned": 3,
        "open": 1,
        "done": 1,
        "not_done": 1,
        "dropped": 1,
        "reflections": 1,
    }


def test_summary_sentences_and_page(alice: User, two_weeks: None) -> None:
    from django.test import Client
    from django.urls import reverse

    data = progress.summary(alice)
    assert data["sentences"][0] == "You answered 75% of contacts at once in the first week shown and 25% in the latest."
    assert "easing (-1.5 points a week, latest week 5.0)" in data["sentences"][1]
    client = Client()
    client.force_login(alice)
    page = client.get(reverse("healing:plan_progress")).content.decode()
    assert page.count('class="chart"') == 2 and "75%" in page


def test_screener_and_coupling_feed_progress(alice: User) -> None:
    from individuate.measures import actions as measures
    from individuate.measures.registry import instruments

    child = instruments()["enmeshment-child"]
    for value, days in ((5, 60), (2, 1)):
        answers = {i.id: (6 - value if i.reverse else value) for i in child.items}
        measures.import_completed(alice, "enmeshment-child", answers, timezone.now() - timedelta(days=days))
    history = progress.screener_history(alice)
    assert [h["total"] for h in history] == [5.0, 2.0]
    assert "from 5.00 to 2.00" in progress.summary(alice)["sentences"][-1]
