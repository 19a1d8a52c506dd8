"""The plans API: the same operations and rules as the pages, and nobody else's plan."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.test import Client

from conftest import connect
from individuate.accounts.actions import issue_api_token
from individuate.accounts.models import User
from individuate.boundaries.models import AccessEvent
from individuate.core.time import local_today
from individuate.healing.models import SmallStep


def _client(user: User) -> Client:
    _, raw = issue_api_token(user, "test")
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


def _post(client: Client, path: str, body: dict | None = None, method: str = "post"):  # type: ignore[no-untyped-def]
    return getattr(client, method)(f"/api{path}", json.dumps(body or {}), content_type="application/json")


def test_owner_builds_a_plan_through_the_api(alice: User) -> None:
    api = _client(alice)
    assert {p["id"] for p in api.get("/api/plans").json()} >= {"adult-child", "parent"}
    started = _post(api, "/plans/adult-child/start")
    assert started.status_code == 201 and started.json()["plan"] == "adult-child"
    goal = _post(api, "/plans/adult-child/steps/space/goals", {"text": "Answer calls when I choose"})
    assert goal.status_code == 201
    tomorrow = (local_today(alice) + timedelta(days=1)).isoformat()
    step = _post(
        api, f"/plan/goals/{goal.json()['id']}/steps", {"title": "Call back on Sunday", "planned_on": tomorrow}
    )
    assert step.status_code == 201 and step.json()["status"] == "planned"
    done = _post(api, f"/plan/steps/{step.json()['id']}/complete", {"done": True, "guilt": 3, "learned": "It was fine"})
    assert done.status_code == 200 and done.json()["status"] == "done" and done.json()["guilt"] == 3
    plan = api.get("/api/plan").json()
    assert plan[0]["goals"][0]["small_steps"][0]["learned"] == "It was fine"


def test_bad_input_gets_a_clear_error_and_changes_nothing(alice: User) -> None:
    api = _client(alice)
    _post(api, "/plans/adult-child/start")
    goal = _post(api, "/plans/adult-child/steps/space/goals", {"text": "A goal"}).json()
    tomorrow = (local_today(alice) + timedelta(days=1)).isoformat()
    step = _post(api, f"/plan/goals/{goal['id']}/steps", {"title": "A step", "planned_on": tomorrow}).json()
    out_of_range = _post(api, f"/plan/steps/{step['id']}/reflection", {"guilt": 11}, method="put")
    assert out_of_range.status_code == 422
    assert SmallStep.objects.get(pk=step["id"]).guilt is None
    assert _post(api, "/plans/no-such-plan/start").status_code in (404, 422)
    assert _post(api, "/plan/goals/999999/steps", {"title": "x", "planned_on": tomorrow}).status_code == 404


def test_the_bounds_are_in_the_schema(db: None) -> None:
    schema = Client().get("/api/openapi.json").json()
    guilt = schema["components"]["schemas"]["ReflectionIn"]["properties"]["guilt"]
    bounded = [part for part in guilt.get("anyOf", [guilt]) if part.get("type") == "integer"]
    assert bounded and bounded[0]["minimum"] == 0 and bounded[0]["maximum"] == 10


def test_nobody_else_reaches_my_plan(alice: User, mother: User, stranger: User, therapist: User) -> None:
    api = _client(alice)
    _post(api, "/plans/adult-child/start")
    goal = _post(api, "/plans/adult-child/steps/space/goals", {"text": "Private goal"}).json()
    for other in (mother, stranger):
        intruder = _client(other)
        assert "Private goal" not in intruder.get("/api/plan").content.decode()
        assert _post(intruder, f"/plan/goals/{goal['id']}/drop").status_code == 404
        assert intruder.get(f"/api/clients/{alice.pk}/plan").status_code == 404
    connection = connect(therapist, alice)
    assert _client(therapist).get(f"/api/clients/{alice.pk}/plan").status_code == 403  # no plans grant
    connection.grants.create(scope="plans")
    seen = _client(therapist).get(f"/api/clients/{alice.pk}/plan")
    assert seen.status_code == 200 and "Private goal" in seen.content.decode()
    assert AccessEvent.objects.filter(owner=alice, viewer=therapist, kind="plans", allowed=True, via="api").exists()


def test_therapist_suggests_and_client_answers(alice: User, therapist: User) -> None:
    connect(therapist, alice, scopes=("plans",))
    made = _post(
        _client(therapist), f"/clients/{alice.pk}/plan/suggestions", {"plan_step": "space", "title": "Wait an hour"}
    )
    assert made.status_code == 201
    api = _client(alice)
    assert [s["title"] for s in api.get("/api/plan/suggestions").json()] == ["Wait an hour"]
    answered = _post(api, f"/plan/suggestions/{made.json()['id']}", {"accept": False})
    assert answered.status_code == 200 and answered.json()["status"] == "declined"
    again = _post(api, f"/plan/suggestions/{made.json()['id']}", {"accept": False})
    assert again.status_code == 409


@pytest.mark.parametrize("field", ["title", "situation"])
def test_scripts_crud_with_limits(alice: User, field: str) -> None:
    api = _client(alice)
    made = _post(api, "/plan/scripts", {"title": "Sunday visit", "action": "I will come at three"})
    assert made.status_code == 201
    too_long = _post(api, f"/plan/scripts/{made.json()['id']}", {field: "x" * 600}, method="put")
    assert too_long.status_code == 422
    assert api.delete(f"/api/plan/scripts/{made.json()['id']}").status_code == 204
    assert api.get("/api/plan/scripts").json() == []
