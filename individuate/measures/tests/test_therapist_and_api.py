"""Therapist view, assignments and reminders, psychometrics, API and the command line."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import numpy as np
import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from conftest import connect, make_therapist_user
from individuate.accounts.actions import issue_api_token
from individuate.accounts.models import User
from individuate.boundaries.models import AccessEvent
from individuate.boundaries.policy import AccessDenied
from individuate.core.errors import ActionError
from individuate.measures import actions
from individuate.measures.models import Assignment, Response, SafetyFlag

PHQ9 = {f"phq9_{n}": 1 for n in range(1, 10)} | {"phq9_9": 0}


def _complete(owner: User, instrument: str, answers: dict[str, int]) -> Response:
    response = actions.start_response(owner, instrument)
    actions.save_answers(owner, response.pk, answers)
    return actions.submit_response(owner, response.pk)


def _api(user: User) -> tuple[Client, dict[str, str]]:
    _, raw = issue_api_token(user, "t")
    return Client(), {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


@pytest.mark.parametrize(
    ("viewer", "expected"),
    [("granted", 200), ("no_grant", 403), ("family", 404), ("stranger", 404), ("outsider", 404)],
)
def test_client_measures_page_goes_through_the_policy(
    viewer: str,
    expected: int,
    alice: User,
    mother: User,
    stranger: User,
    therapist: User,
    outsider: User,
) -> None:
    _complete(alice, "phq9", PHQ9 | {"phq9_1": 3})
    if viewer == "granted":
        connect(therapist, alice, ("measures",))
    elif viewer == "no_grant":
        connect(therapist, alice, ("checkins",))
    who = {
        "granted": therapist,
        "no_grant": therapist,
        "family": mother,
        "stranger": stranger,
        "outsider": outsider,
    }[viewer]
    client = Client()
    client.force_login(who)
    page = client.get(reverse("measures:client_measures", args=[alice.pk]))
    csv_export = client.get(reverse("measures:client_measures_csv", args=[alice.pk]))
    api = Client().get(f"/api/people/{alice.pk}/records/measures", **_api(who)[1])
    if who.is_therapist:
        assert page.status_code == expected and csv_export.status_code == expected
    else:
        assert page.status_code in (403, 404) and csv_export.status_code in (403, 404)
    assert api.status_code == expected
    shown = "PHQ-9" in page.content.decode() or "phq9" in api.content.decode()
    assert shown is (expected == 200)
    if expected == 200:
        assert AccessEvent.objects.filter(owner=alice, viewer=who, kind="measures", allowed=True).count() == 3
        assert csv_export.content.decode().splitlines()[1].split(",")[1] == "phq9"


def test_therapist_sees_reliable_change_and_flags(alice: User, therapist: User) -> None:
    connect(therapist, alice, ("measures",))
    _complete(alice, "phq9", PHQ9 | {"phq9_1": 3, "phq9_2": 3, "phq9_3": 3, "phq9_9": 1})  # 15
    _complete(alice, "phq9", PHQ9)  # 8: a change of -7 ≥ 6 (reliable change)
    _complete(alice, "phq9", PHQ9 | {"phq9_1": 2})  # 9: +1, not reliable
    client = Client()
    client.force_login(therapist)
    page = client.get(reverse("measures:client_measures", args=[alice.pk])).content.decode()
    assert page.count(">reliable</span>") == 1
    # The flag in words: questionnaire by name, the item's wording, the answer's label, a link.
    flag = SafetyFlag.objects.get(owner=alice)
    text = re.sub(r"<[^>]+>", " ", page)  # what a person reads, without attributes
    assert "PHQ-9 · depression" in text and "phq9" not in text and "PHQ9" not in text
    assert "Thoughts that you would be better off dead or of hurting yourself" in page
    assert "answered “Several days”" in page and "Mark as seen" in page
    answers_url = reverse("measures:client_response", args=[alice.pk, flag.response_id])
    assert answers_url in page
    answers = client.get(answers_url).content.decode()
    assert "safety answer" in answers and "Several days" in answers and "Nearly every day" in answers
    overview = client.get(reverse("boundaries:shared_overview", args=[alice.pk])).content.decode()
    assert "Safety answers" in overview and "Several days" in overview
    rows = client.get(reverse("measures:client_measures_csv", args=[alice.pk])).content.decode().splitlines()
    assert [r.split(",")[5:7] for r in rows[1:]] == [["", "no"], ["-7", "yes"], ["+1", "no"]]
    dashboard = client.get(reverse("portal:dashboard")).content.decode()
    assert "need" in dashboard and "your attention" in dashboard
    client.post(reverse("measures:flag_seen", args=[alice.pk, flag.pk]))
    assert flag.seen.get().therapist == therapist
    assert actions.clients_needing_attention(therapist) == set()


def test_assignment_due_today_shows_and_emails_the_client(alice: User, therapist: User) -> None:
    connect(therapist, alice, ("measures",))
    mail.outbox.clear()
    client = Client()
    client.force_login(therapist)
    client.post(
        reverse("measures:assignment_create", args=[alice.pk]),
        {
            "instrument": "gad7",
            "recurrence": "weekly",
            "starts_on": timezone.localdate().isoformat(),
        },
    )
    assignment = Assignment.objects.get(client=alice)
    assert [m.to for m in mail.outbox] == [["alice@example.com"]]
    assert "GAD" not in mail.outbox[0].body and "waiting for you" in mail.outbox[0].subject
    me = Client()
    me.force_login(alice)
    assert "GAD-7 · anxiety" in me.get(reverse("portal:dashboard")).content.decode()
    _complete(alice, "gad7", {f"gad7_{n}": 0 for n in range(1, 8)})
    assignment.refresh_from_db()
    assert assignment.due_on == timezone.localdate() + timedelta(days=7)
    assert actions.due_assignments(alice) == []


def test_assignment_needs_the_measures_grant_and_valid_input(alice: User, therapist: User) -> None:
    connect(therapist, alice, ("checkins",))
    with pytest.raises(AccessDenied):
        actions.assign(therapist, alice.pk, "phq9", "weekly", timezone.localdate())
    connect_grant = therapist.client_connections.get()
    connect_grant.grants.create(scope="measures")
    with pytest.raises(ActionError, match="past"):
        actions.assign(therapist, alice.pk, "phq9", "weekly", timezone.localdate() - timedelta(days=10))
    with pytest.raises(ActionError, match="Recurrence"):
        actions.assign(therapist, alice.pk, "phq9", "daily", timezone.localdate())
    actions.assign(therapist, alice.pk, "phq9", "once", timezone.localdate() + timedelta(days=3))
    with pytest.raises(ActionError) as exc:
        actions.assign(therapist, alice.pk, "phq9", "weekly", timezone.localdate() + timedelta(days=3))
    assert exc.value.code == "conflict"
    assert Assignment.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_future_reminder_is_queued_for_the_due_day() -> None:
    from django_tasks_db.models import DBTaskResult

    from conftest import make_user

    client_user = make_user("kim@example.com", "Kim")
    client_user.time_zone = "Asia/Kolkata"
    client_user.save()
    therapist = make_therapist_user("t2@example.com", "Dr. Two")
    connect(therapist, client_user, ("measures",))
    due = timezone.localdate() + timedelta(days=5)
    with override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}):
        actions.assign(therapist, client_user.pk, "phq9", "monthly", due)
    row = DBTaskResult.objects.get(task_path="individuate.measures.tasks.remind_assignment")
    local = row.run_after.astimezone(__import__("zoneinfo").ZoneInfo("Asia/Kolkata"))
    assert (local.date(), local.hour, local.minute) == (due, 9, 0)
    assert not mail.outbox


def test_psychometrics_page(db: None, alice: User, therapist: User) -> None:
    rng = np.random.default_rng(1)
    for n in range(35):
        from conftest import make_user

        person = make_user(f"p{n}@example.com")
        trait = rng.uniform(0, 1)
        answers = {f"gad7_{k}": int(np.clip(round(trait * 3 + rng.normal(0, 0.5)), 0, 3)) for k in range(1, 8)}
        _complete(person, "gad7", answers)
    client = Client()
    client.force_login(therapist)
    page = client.get(reverse("measures:psychometrics")).content.decode()
    assert "Cronbach" in page and "35 completed" in page
    assert "Needs at least 30" in page  # the others
    as_person = Client()
    as_person.force_login(alice)
    assert as_person.get(reverse("measures:psychometrics")).status_code == 403


def test_api_round_trip(alice: User) -> None:
    client, auth = _api(alice)
    listing = client.get("/api/instruments", **auth).json()
    assert {i["id"] for i in listing} == {"phq9", "gad7", "enmeshment-child", "enmeshment-parent"}
    started = client.post("/api/responses", {"instrument": "phq9"}, content_type="application/json", **auth)
    assert started.status_code == 201
    rid = started.json()["id"]
    bad = client.patch(
        f"/api/responses/{rid}/answers",
        {"answers": {"phq9_1": 1, "phq9_2": 8}},
        content_type="application/json",
        **auth,
    )
    assert bad.status_code == 422 and "Item 2" in bad.json()["detail"]
    assert client.get(f"/api/responses/{rid}", **auth).json()["answers"] == {}
    early = client.post(f"/api/responses/{rid}/submit", **auth)
    assert early.status_code == 422 and "not answered" in early.json()["detail"]
    saved = client.patch(
        f"/api/responses/{rid}/answers",
        {"answers": PHQ9 | {"phq9_9": 1}},
        content_type="application/json",
        **auth,
    )
    assert saved.json()["safety"]["flags"] == ["self_harm"] and saved.json()["safety"]["crisis_url"] == "/crisis/"
    done = client.post(f"/api/responses/{rid}/submit", **auth).json()
    assert done["result"] == {"total": 9.0, "band": "mild", "subscales": {}, "flags": ["self_harm"]}
    assert client.post(f"/api/responses/{rid}/submit", **auth).status_code == 409
    assert [r["id"] for r in client.get("/api/responses?instrument=phq9", **auth).json()["items"]] == [rid]
    assert (
        client.post("/api/responses", {"instrument": "beck"}, content_type="application/json", **auth).status_code
        == 404
    )


def test_api_someone_elses_response_is_404(alice: User, stranger: User) -> None:
    response = actions.start_response(alice, "gad7")
    client, auth = _api(stranger)
    assert client.get(f"/api/responses/{response.pk}", **auth).status_code == 404
    patch = client.patch(
        f"/api/responses/{response.pk}/answers",
        {"answers": {"gad7_1": 3}},
        content_type="application/json",
        **auth,
    )
    assert patch.status_code == 404
    response.refresh_from_db()
    assert response.answers == {}


def test_score_measure_command(capsys: pytest.CaptureFixture[str]) -> None:
    call_command("score_measure", "phq9", "--answers", "1,2,0,1,2,1,0,1,2")
    out = json.loads(capsys.readouterr().out)
    assert out == {
        "instrument": "phq9",
        "total": 10,
        "band": "moderate",
        "subscales": {},
        "flags": ["self_harm"],
    }
    call_command("score_measure", "enmeshment-child", "--answers", ",".join(["3"] * 28))
    child = json.loads(capsys.readouterr().out)
    assert child["total"] == 3 and set(child["subscales"]) >= {"identity", "self_worth"} and child["flags"] == []
    for bad, fragment in (
        (["phq9", "--answers", "1,2,9"], "Item 3"),
        (["nope", "--answers", "1"], "Unknown instrument"),
    ):
        with pytest.raises(SystemExit) as exc:
            call_command("score_measure", *bad)
        assert exc.value.code == 2
        assert fragment in capsys.readouterr().err


def test_consent_withdrawn_stops_assignments_and_reminders(alice: User, therapist: User) -> None:
    from individuate.boundaries import actions as boundaries

    connection = connect(therapist, alice, ("measures",))
    actions.assign(therapist, alice.pk, "phq9", "weekly", timezone.localdate())
    assert actions.due_assignments(alice)
    boundaries.revoke_scope(alice, connection.pk, "measures")
    assert not Assignment.objects.filter(active=True).exists()
    assert actions.due_assignments(alice) == []
    with pytest.raises(AccessDenied):
        actions.end_assignment(therapist, Assignment.objects.get().pk)


def test_each_therapist_sees_flags_for_themselves(alice: User, therapist: User, outsider: User) -> None:
    connect(therapist, alice, ("measures",))
    connect(outsider, alice, ("measures",))
    _complete(alice, "phq9", PHQ9 | {"phq9_9": 1})
    flag = SafetyFlag.objects.get()
    actions.mark_flag_seen(therapist, flag.pk)
    assert actions.clients_needing_attention(therapist) == set()
    assert actions.clients_needing_attention(outsider) == {alice.pk}
    other = Client()
    other.force_login(outsider)
    page = other.get(reverse("measures:client_measures", args=[alice.pk])).content.decode()
    assert "Mark as seen" in page and "Dr. Test Therapist" not in page


def test_flag_survives_changing_the_answer_back(alice: User) -> None:
    response = actions.start_response(alice, "phq9")
    actions.save_answers(alice, response.pk, {"phq9_9": 2})
    actions.save_answers(alice, response.pk, PHQ9)  # item 9 back to 0
    done = actions.submit_response(alice, response.pk)
    assert done.flags == ["self_harm"]
    client = Client()
    client.force_login(alice)
    assert "Call 112" in client.get(reverse("measures:response_result", args=[done.pk])).content.decode()


def test_autosave_error_is_shown_and_escaped(alice: User) -> None:
    response = actions.start_response(alice, "phq9", "all")
    client = Client()
    client.force_login(alice)
    reply = client.post(
        reverse("measures:response_answer", args=[response.pk]),
        {"item": "phq9_1", "value": "<img src=x onerror=alert(1)>"},
    )
    body = reply.content.decode()
    assert reply.status_code == 200 and "Not saved" in body and "<img" not in body


def test_import_alerts_unless_already_seen(alice: User, therapist: User) -> None:
    connect(therapist, alice, ("measures",))
    mail.outbox.clear()
    actions.import_completed(alice, "phq9", {k: str(v) for k, v in (PHQ9 | {"phq9_9": 1}).items()}, timezone.now())
    assert len(mail.outbox) == 1 and actions.clients_needing_attention(therapist) == {alice.pk}
    actions.import_completed(alice, "phq9", PHQ9 | {"phq9_9": 1}, timezone.now(), seen_by=therapist)
    assert len(mail.outbox) == 1


def test_stale_unfinished_sitting_starts_fresh(alice: User) -> None:
    old = actions.start_response(alice, "gad7")
    actions.save_answers(alice, old.pk, {"gad7_1": 3})
    Response.objects.filter(pk=old.pk).update(updated_at=timezone.now() - timedelta(days=20))
    fresh = actions.start_response(alice, "gad7")
    assert fresh.answers == {} and Response.objects.count() == 1


# ---------------------------------------------------------------- therapist side of the API


def _bearer(user: User) -> Client:
    _, raw = issue_api_token(user, "t")
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


def test_therapist_api_reads_and_assigns_only_with_the_measures_grant(
    alice: User, therapist: User, outsider: User
) -> None:
    response = actions.start_response(alice, "phq9")
    actions.save_answers(alice, response.pk, {f"phq9_{i}": 1 for i in range(1, 10)})
    actions.submit_response(alice, response.pk)
    api = _bearer(therapist)
    connection = connect(therapist, alice)
    assert api.get(f"/api/clients/{alice.pk}/responses").status_code == 403  # connected, not shared
    assert _bearer(outsider).get(f"/api/clients/{alice.pk}/responses").status_code == 404
    connection.grants.create(scope="measures")
    listed = api.get(f"/api/clients/{alice.pk}/responses")
    assert listed.status_code == 200 and [r["instrument"] for r in listed.json()] == ["phq9"]
    flags = api.get(f"/api/clients/{alice.pk}/flags").json()
    assert flags and flags[0]["seen_by_me"] is False
    assert api.post(f"/api/clients/{alice.pk + 999}/flags/{flags[0]['id']}/seen").status_code == 404
    assert api.post(f"/api/clients/{alice.pk}/flags/{flags[0]['id']}/seen").status_code == 200
    assert api.get(f"/api/clients/{alice.pk}/flags").json()[0]["seen_by_me"] is True
    bad = api.post(
        f"/api/clients/{alice.pk}/assignments",
        json.dumps({"instrument": "gad7", "recurrence": "hourly", "starts_on": "2030-01-01"}),
        content_type="application/json",
    )
    assert bad.status_code == 422
    made = api.post(
        f"/api/clients/{alice.pk}/assignments",
        json.dumps({"instrument": "gad7", "recurrence": "weekly", "starts_on": timezone.localdate().isoformat()}),
        content_type="application/json",
    )
    assert made.status_code == 201
    assert [a["instrument"] for a in api.get(f"/api/clients/{alice.pk}/assignments").json()] == ["gad7"]
    assert api.delete(f"/api/clients/{alice.pk}/assignments/{made.json()['id']}").status_code == 204
    assert api.get(f"/api/clients/{alice.pk}/assignments").json() == []
    assert AccessEvent.objects.filter(owner=alice, viewer=therapist, via="api", allowed=True).exists()
