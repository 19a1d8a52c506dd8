"""Plans: content loads, goals and small steps validate, and nobody else sees them."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from conftest import connect
from individuate.accounts.actions import issue_api_token
from individuate.accounts.models import User
from individuate.boundaries.policy import AccessDenied
from individuate.checkins.actions import local_today
from individuate.core.errors import ActionError
from individuate.healing import actions
from individuate.healing.content import ContentError, example_scripts, parse_plan, plans
from individuate.healing.models import Goal, PlanEnrollment, Script, SmallStep, StepSuggestion


def test_content_loads_with_the_required_steps() -> None:
    loaded = plans()
    assert [s.id for s in loaded["adult-child"].steps] == ["space", "small-steps", "independence"]
    assert [s.id for s in loaded["parent"].steps] == ["acknowledgement", "own-help", "letting-go"]
    assert all(len(s.exercises) >= 3 and s.paragraphs for p in loaded.values() for s in p.steps)
    assert len(example_scripts()) >= 5


def test_broken_plan_file_names_file_and_field() -> None:
    with pytest.raises(ContentError, match=r"adult-child.yaml: steps\[0\].exercises\[0\].kind"):
        parse_plan(
            Path("adult-child.yaml"),
            """
id: adult-child
version: "1"
title: t
audience: adult_child
intro: i
steps:
  - {id: space, number: 1, title: S, summary: s, explanation: e, exercises: [{id: a, title: t, prompt: p, kind: poem}]}
""",
        )


@pytest.fixture
def plan(alice: User) -> PlanEnrollment:
    return actions.start_plan(alice, "adult-child")


def test_goal_and_small_step_lifecycle(alice: User, plan: PlanEnrollment) -> None:
    goal = actions.add_goal(alice, "adult-child", "small-steps", "Change the nightly call")
    today = local_today(alice)
    step = actions.add_small_step(alice, goal.pk, "Call on Sunday instead", today)
    actions.save_reflection(alice, step.pk, how_it_went="She sighed", guilt="6")
    step.refresh_from_db()
    assert (step.status, step.how_it_went, step.guilt) == ("planned", "She sighed", 6)
    done = actions.complete_step(
        alice, step.pk, done=True, how_it_went="She sighed, then was fine", learned="It passes", guilt=4, anger=1
    )
    assert (done.status, done.guilt, done.learned) == ("done", 4, "It passes")
    with pytest.raises(ActionError) as exc:
        actions.complete_step(alice, step.pk, done=False)
    assert exc.value.code == "conflict"
    again = actions.repeat_step(alice, step.pk, today + timedelta(days=7))
    assert again.repeat_of == step and again.status == "planned"
    moved = actions.reschedule_step(alice, again.pk, today + timedelta(days=8))
    assert moved.planned_on == today + timedelta(days=8)
    actions.drop_step(alice, again.pk)
    assert SmallStep.objects.get(pk=again.pk).status == "dropped"


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda a, g: actions.add_small_step(a, g.pk, "   ", local_today(a)), "cannot be empty"),
        (lambda a, g: actions.add_small_step(a, g.pk, "x" * 201, local_today(a)), "at most 200"),
        (lambda a, g: actions.add_small_step(a, g.pk, "Visit", local_today(a) - timedelta(days=1)), "past"),
        (lambda a, g: actions.add_small_step(a, g.pk, "Visit", "next tuesday"), "date"),
        (lambda a, g: actions.add_goal(a, "adult-child", "space", ""), "cannot be empty"),
        (lambda a, g: actions.add_goal(a, "adult-child", "nowhere", "x"), "No such step"),
        (lambda a, g: actions.save_reflection(a, 999999, how_it_went="x"), "Not found"),
    ],
)
def test_bad_input_changes_nothing(alice: User, plan: PlanEnrollment, call, message: str) -> None:  # type: ignore[no-untyped-def]
    goal = actions.add_goal(alice, "adult-child", "space", "Answer on my own terms")
    before = (Goal.objects.count(), SmallStep.objects.count())
    with pytest.raises(ActionError, match=message):
        call(alice, goal)
    assert (Goal.objects.count(), SmallStep.objects.count()) == before


def test_double_submission_is_a_conflict(alice: User, plan: PlanEnrollment) -> None:
    goal = actions.add_goal(alice, "adult-child", "space", "A response rule")
    with pytest.raises(ActionError) as exc:
        actions.add_goal(alice, "adult-child", "space", "a response RULE")
    assert exc.value.code == "conflict"
    actions.add_small_step(alice, goal.pk, "Silence the phone at work", local_today(alice))
    with pytest.raises(ActionError):
        actions.add_small_step(alice, goal.pk, "Silence the phone at work", local_today(alice))
    assert Goal.objects.count() == 1 and SmallStep.objects.count() == 1


def test_someone_elses_goal_step_or_script_by_id(alice: User, plan: PlanEnrollment, stranger: User) -> None:
    goal = actions.add_goal(alice, "adult-child", "space", "Mine")
    step = actions.add_small_step(alice, goal.pk, "Mine too", local_today(alice))
    script = actions.save_script(alice, title="Mine", situation="When…")
    actions.start_plan(stranger, "adult-child")
    for attempt in (
        lambda: actions.add_small_step(stranger, goal.pk, "x", local_today(stranger)),
        lambda: actions.complete_step(stranger, step.pk, done=True),
        lambda: actions.save_script(stranger, script.pk, title="hijack"),
        lambda: actions.drop_goal(stranger, goal.pk),
        lambda: actions.link_script(alice, step.pk, actions.save_script(stranger, title="theirs").pk),
    ):
        with pytest.raises(ActionError):
            attempt()
    step.refresh_from_db()
    script.refresh_from_db()
    goal.refresh_from_db()
    assert (step.status, script.title, goal.dropped_at) == ("planned", "Mine", None)
    client = Client()
    client.force_login(stranger)
    assert client.get(reverse("healing:small_step", args=[step.pk])).status_code == 404
    assert client.get(reverse("healing:script", args=[script.pk])).status_code == 404
    assert client.post(reverse("healing:script", args=[script.pk]), {"title": "x"}).status_code == 404


def test_script_builder_composes_and_autosaves(alice: User) -> None:
    client = Client()
    client.force_login(alice)
    client.post(reverse("healing:scripts"), {"example": example_scripts()[0].id})
    script = Script.objects.get(owner=alice)
    assert script.message.startswith(example_scripts()[0].situation)
    reply = client.post(
        reverse("healing:script", args=[script.pk]), {"feeling": "I feel tired of the rush."}, HTTP_HX_REQUEST="true"
    )
    assert "I feel tired of the rush." in reply.content.decode() and "Saved" in reply.content.decode()
    too_long = client.post(reverse("healing:script", args=[script.pk]), {"action": "x" * 501}, HTTP_HX_REQUEST="true")
    assert "Not saved" in too_long.content.decode()
    script.refresh_from_db()
    assert script.feeling == "I feel tired of the rush." and script.action == example_scripts()[0].action


def test_exercise_autosave(alice: User, plan: PlanEnrollment) -> None:
    client = Client()
    client.force_login(alice)
    exercise = plans()["adult-child"].steps[0].exercises[0]
    reply = client.post(
        reverse("healing:exercise_save", args=["adult-child"]), {"exercise": exercise.id, "text": "Within a day."}
    )
    assert "Saved" in reply.content.decode()
    assert plan.answers.get(exercise=exercise.id).text == "Within a day."
    page = client.get(reverse("healing:plan_step", args=["adult-child", "space"])).content.decode()
    assert "Within a day." in page


def test_therapist_suggestion_accept_and_decline(alice: User, therapist: User, outsider: User) -> None:
    with pytest.raises(AccessDenied):
        actions.suggest_step(therapist, alice.pk, "space", "Mute the phone at dinner")
    connect(therapist, alice, ("plans",))
    first = actions.suggest_step(therapist, alice.pk, "space", "Mute the phone at dinner")
    second = actions.suggest_step(therapist, alice.pk, "small-steps", "Skip one nightly call")
    accepted = actions.answer_suggestion(alice, first.pk, accept=True, title="Mute my phone at dinner on weekdays")
    assert accepted.resulting_step.title == "Mute my phone at dinner on weekdays"
    actions.answer_suggestion(alice, second.pk, accept=False)
    client = Client()
    client.force_login(therapist)
    page = client.get(reverse("healing:client_plan", args=[alice.pk])).content.decode()
    assert "Not accepted" in page and "Mute my phone at dinner on weekdays" in page
    with pytest.raises(ActionError):
        actions.answer_suggestion(alice, second.pk, accept=True)
    other = Client()
    other.force_login(outsider)
    assert other.get(reverse("healing:client_plan", args=[alice.pk])).status_code == 404
    assert StepSuggestion.objects.filter(status="declined").count() == 1


def test_suggestions_offer_only_the_clients_own_plan_and_speak_about_the_client(alice: User, therapist: User) -> None:
    connect(therapist, alice, ("plans",))
    client = Client()
    client.force_login(therapist)
    page = client.get(reverse("healing:client_plan", args=[alice.pk])).content.decode()
    assert 'value="space"' in page and 'value="acknowledgement"' not in page  # adult child: not the parent's plan
    with pytest.raises(ActionError, match="own plan"):
        actions.suggest_step(therapist, alice.pk, "acknowledgement", "Say sorry")
    assert "Alice decides" in page and "Your client" not in page
    plan = actions.start_plan(alice, "adult-child")
    goal = actions.add_goal(alice, "adult-child", "space", "Fewer calls")
    actions.add_small_step(alice, goal.pk, "Mute the phone", local_today(alice))
    page = client.get(reverse("healing:client_plan", args=[alice.pk])).content.decode()
    assert "Alice planned 1 small step and did 0; they wrote 0 reflections." in page
    assert "You planned" not in page
    assert plan.owner == alice


def test_parents_plan_leaves_no_trace_for_the_linked_child(alice: User, mother: User) -> None:
    enrollment = actions.start_plan(mother, "parent")
    goal = actions.add_goal(mother, "parent", "own-help", "parent-secret-goal")
    actions.add_small_step(mother, goal.pk, "parent-secret-step", local_today(mother))
    actions.save_exercise(mother, "parent", plans()["parent"].steps[0].exercises[0].id, "parent-secret-answer")
    assert enrollment.pk
    child = Client()
    child.force_login(alice)
    _, raw = issue_api_token(alice, "t")
    seen = ""
    for url in (
        reverse("healing:plan"),
        reverse("healing:plan_progress"),
        reverse("portal:dashboard"),
        reverse("healing:scripts"),
        reverse("boundaries:others"),
        reverse("boundaries:access_log"),
    ):
        seen += child.get(url).content.decode()
    for url in (
        f"/api/people/{mother.pk}/records/plans",
        f"/api/people/{mother.pk}/profile",
        "/api/others",
        "/api/access-log",
    ):
        seen += Client().get(url, HTTP_AUTHORIZATION=f"Bearer {raw}").content.decode()
    assert "parent-secret" not in seen and "Margit" not in seen
    assert child.get(reverse("boundaries:shared_records", args=[mother.pk, "plans"])).status_code == 404


def test_plans_grant_alone_does_not_open_checkins_or_measures(alice: User, therapist: User) -> None:
    from individuate.checkins import actions as checkins

    actions.start_plan(alice, "adult-child")
    checkins.add_contact(alice, other_id=alice.others.get().pk, kind="call", response="declined", guilt_after=8)
    connect(therapist, alice, ("plans",))
    client = Client()
    client.force_login(therapist)
    page = client.get(reverse("healing:client_plan", args=[alice.pk])).content.decode()
    assert "contacts at once" not in page and "Guilt after saying no" not in page and 'class="chart"' not in page
    therapist.client_connections.get().grants.create(scope="checkins")
    page = client.get(reverse("healing:client_plan", args=[alice.pk])).content.decode()
    assert 'class="chart"' in page


def test_a_parent_sees_scripts_from_a_parents_side_and_the_parent_screener_first(mother: User, alice: User) -> None:
    parent = Client()
    parent.force_login(mother)
    page = parent.get(reverse("healing:scripts")).content.decode()
    assert "Calls when it suits you" in page and "The standing Sunday visit" not in page
    measures_page = parent.get(reverse("measures:measures")).content.decode()
    assert measures_page.index("Me and my grown-up child") < measures_page.index("PHQ-9")
    assert measures_page.index("PHQ-9") < measures_page.index("Me and my parent")
    child = Client()
    child.force_login(alice)
    page = child.get(reverse("healing:scripts")).content.decode()
    assert "The standing Sunday visit" in page and "Calls when it suits you" not in page
    measures_page = child.get(reverse("measures:measures")).content.decode()
    assert measures_page.index("Me and my parent") < measures_page.index("Me and my grown-up child")


def test_script_file_rejects_an_unknown_side() -> None:
    from individuate.healing.content import parse_scripts

    text = "scripts:\n  - {id: a, for: uncle, title: t, situation: s, feeling: f, action: a, reassurance: r}\n"
    with pytest.raises(ContentError, match="for: must be one of"):
        parse_scripts(Path("scripts.yaml"), text)
