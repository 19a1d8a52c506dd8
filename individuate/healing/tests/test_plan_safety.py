"""Plans: what to do when a boundary is met with danger, care, and who can see the plan."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from conftest import connect
from individuate.accounts.models import User
from individuate.healing import actions
from individuate.healing.content import plans


def _page(user: User, url: str) -> str:
    client = Client()
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def test_adult_child_plan_says_what_to_do_when_a_boundary_is_met_with_danger() -> None:
    safety = plans()["adult-child"].safety
    assert safety is not None
    text = " ".join(safety.text.split())
    for words in ("harm or kill themselves", "rages", "abusive", "money", "emergency services", "crisis line"):
        assert words in text, words
    assert "Tell your therapist" in text and "You are not alone in keeping them safe" in text
    assert "domestic-abuse service" in text
    assert "plan changes with other helpers first" in text
    space = plans()["adult-child"].step("space")
    assert any("other helpers first" in p for p in space.paragraphs)


def test_parent_plan_keeps_the_safety_exception_to_noticing_the_urge() -> None:
    letting_go = plans()["parent"].step("letting-go")
    paragraphs = [" ".join(p.split()) for p in letting_go.paragraphs]
    urge = next(n for n, p in enumerate(paragraphs) if "rather than obeying" in p)
    exception = paragraphs[urge + 1]
    assert "real worry about their safety" in exception and "emergency services" in exception
    prompt = " ".join(plans()["parent"].exercise("urge-to-check-in").prompt.split())
    assert "real reason to fear for their safety, act on it first" in prompt
    assert plans()["parent"].safety is not None


def test_every_step_page_links_crisis_and_domestic_abuse_help(alice: User) -> None:
    actions.start_plan(alice, "adult-child")
    plan = plans()["adult-child"]
    assert plan.safety is not None
    for step in plan.steps:
        page = _page(alice, reverse("healing:plan_step", args=[plan.id, step.id]))
        assert escape(plan.safety.title) in page
        assert f'href="{reverse("core:crisis")}"' in page and 'href="https://findahelpline.com/"' in page
    assert escape(plan.safety.title) in _page(alice, reverse("healing:plan"))


def test_plan_pages_say_exactly_who_can_see_the_goals(alice: User, therapist: User) -> None:
    actions.start_plan(alice, "adult-child")
    for plan in plans().values():
        assert "Nobody else sees" not in plan.intro and "yours alone" not in plan.intro
    alone = _page(alice, reverse("healing:plan"))
    assert "Only you can see your goals and small steps" in alone
    connect(therapist, alice, ("plans",))
    shared = _page(alice, reverse("healing:plan"))
    assert f"You and {escape(therapist.name)} can see your goals and small steps" in shared
    step = _page(alice, reverse("healing:plan_step", args=["adult-child", "space"]))
    assert f"You and {escape(therapist.name)} can see your goals" in step
    assert "Only you can read your answers to these exercises" in step
