"""Input a fuzzer found crashing the app: each refused clearly, at one depth, changing nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from individuate.accounts.models import User
from individuate.boundaries.models import TrackedPerson
from individuate.checkins import actions as checkins
from individuate.checkins.models import JournalEntry
from individuate.healing import actions as healing
from individuate.healing.models import SmallStep


def _as(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize(
    "path",
    ["/api/journal?q=%00", "/api/responses?instrument=%00", "/api/others?x=a%00b"],
)
def test_nul_in_an_api_query_is_a_422_with_the_error_shape(alice: User, path: str) -> None:
    response = _as(alice).get(path)
    assert response.status_code == 422
    assert set(response.json()) == {"detail"} and "NUL" in response.json()["detail"]


def test_nul_in_a_page_query_or_form_is_a_400_and_changes_nothing(alice: User) -> None:
    client = _as(alice)
    assert client.get("/journal/?q=%00").status_code == 400
    response = client.post(reverse("boundaries:others"), {"name": "my\x00 dad", "role": "parent"})
    assert response.status_code == 400 and not TrackedPerson.objects.filter(name__contains="dad").exists()


def test_nul_in_a_json_body_is_a_422(alice: User) -> None:
    response = _as(alice).post("/api/others", {"name": "a\x00b", "role": "parent"}, content_type="application/json")
    assert response.status_code == 422 and "NUL" in response.json()["detail"]
    assert alice.others.count() == 1


def test_an_ordinary_percent_sign_is_still_fine(alice: User) -> None:
    checkins.save_journal(alice, text="100%00 sure")
    assert _as(alice).get("/journal/", {"q": "%00"}).status_code == 200  # sent as %2500
    assert JournalEntry.objects.filter(owner=alice).count() == 1


def test_a_non_numeric_script_id_is_a_clear_form_error(alice: User) -> None:
    plan = healing.default_plan_for(alice)
    healing.start_plan(alice, plan)
    goal = healing.add_goal(alice, plan, healing.get_plan(plan).steps[0].id, "Call less often")
    client = _as(alice)
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    response = client.post(
        f"/plan/goals/{goal.pk}/steps/", {"title": "Say no once", "planned_on": tomorrow, "script": "abc"}, follow=True
    )
    assert response.status_code == 200 and "Choose one of your scripts" in response.content.decode()
    assert not SmallStep.objects.exists()
    step = healing.add_small_step(alice, goal.pk, "Say no once", tomorrow)
    response = client.post(f"/plan/steps/{step.pk}/", {"action": "script", "script": "abc"}, follow=True)
    assert response.status_code == 200 and "Choose one of your scripts" in response.content.decode()


def test_a_tracked_person_named_like_mathtext_draws_as_plain_text() -> None:
    """The patterns page draws each report with the person's name on its axis."""
    from individuate.checkins.charts import coupling_chart

    series = [{"end": f"2026-0{m}-01", "estimate": 0.1 * m, "ci95": [0.0, 0.2 * m]} for m in range(1, 6)]
    svg = coupling_chart(series, "$\\frac{1}{$")
    assert "frac{1}{" in svg


def test_validation_errors_have_the_documented_shape(alice: User) -> None:
    response = _as(alice).delete("/api/journal/not-a-number")
    assert response.status_code == 422
    assert isinstance(response.json()["detail"], str) and "entry_id" in response.json()["detail"]


def test_the_schema_documents_the_errors_of_every_operation(db: None) -> None:
    schema = Client().get("/api/openapi.json").json()
    assert schema["components"]["schemas"]["Error"]["properties"]["detail"]["type"] == "string"
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            documented = set(operation["responses"])
            if operation.get("security"):
                assert "401" in documented, (method, path)
            if operation.get("parameters") or operation.get("requestBody") or "{" in path:
                assert "422" in documented, (method, path)
