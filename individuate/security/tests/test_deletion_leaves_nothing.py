"""Deleting an account leaves none of the words the person typed anywhere in the database.

The person plants a distinct marker in every field they can type into — through the real
actions, with the task queue on the database backend and its worker run, so finished task
rows exist as they do in production. After deletion every text column of every table (a
dump, in effect, on SQLite and PostgreSQL alike) is searched for every marker.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from conftest import PASSWORD, connect, fresh_login, make_therapist_user, make_user
from individuate.accounts.actions import issue_api_token
from individuate.accounts.models import AuditEvent, User
from individuate.boundaries import actions as boundaries
from individuate.checkins import actions as checkins
from individuate.healing import actions as healing
from individuate.practice import actions as practice
from individuate.practice.tests.test_booking import _open_all_week, _slot

DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def _plant(person: User, therapist: User) -> list[str]:
    markers = [f"QXPLANT{n:02d}" for n in range(1, 15)]
    m = iter(markers)
    person.display_name = next(m)
    person.save()
    other = boundaries.add_other(person, f"{next(m)} mother", "parent")
    checkins.save_checkin(person, mood=3, guilt=4, anger=2, anxiety=3, perceived={other.pk: 2}, note=next(m))
    checkins.add_contact(person, other_id=other.pk, kind="call", response="declined", guilt_after=5, note=next(m))
    checkins.save_journal(person, text=f"Today {next(m)} happened.")
    plan = healing.default_plan_for(person)
    healing.start_plan(person, plan)
    step_id = healing.get_plan(plan).steps[0].id
    goal = healing.add_goal(person, plan, step_id, next(m))
    small = healing.add_small_step(person, goal.pk, next(m), timezone.localdate())
    healing.complete_step(person, small.pk, done=True, how_it_went=next(m), learned=next(m), guilt=3)
    healing.save_script(person, title=next(m), situation=next(m))
    issue_api_token(person, next(m))
    boundaries.invite_family_member(person, other.pk, f"{next(m).lower()}@example.com")
    _open_all_week(therapist, instant=True)
    connect(therapist, person, scopes=("checkins", "journal", "plans"))
    appointment = practice.book(person, therapist.pk, _slot(days=3))
    practice.cancel(person, appointment.pk, f"Cancelled because {next(m)}")
    reader = Client()
    reader.force_login(therapist)
    assert reader.get(reverse("boundaries:shared_records", args=[person.pk, "journal"])).status_code == 200
    return markers


def _every_text_value() -> list[tuple[str, str]]:
    found = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            qn = connection.ops.quote_name(table)
            cursor.execute(f"SELECT * FROM {qn}")  # noqa: S608 - table names from the introspection
            for row in cursor.fetchall():
                for value in row:
                    if isinstance(value, bytes | memoryview):
                        value = bytes(value).decode("utf-8", "replace")
                    found.append((table, str(value)))
    return found


@pytest.mark.django_db(transaction=True)
def test_deleting_an_account_leaves_no_planted_string_in_any_table() -> None:
    person = make_user("qxplant-person@example.com")
    therapist = make_therapist_user("qx.therapist@example.com", "Dr. Planted")
    with override_settings(TASKS=DB_TASKS):
        markers = _plant(person, therapist)
        call_command("db_worker", batch=True, queue_name="*", verbosity=0, startup_delay=False)
    from django_tasks_db.models import DBTaskResult

    assert DBTaskResult.objects.filter(status="SUCCESSFUL").count() >= 3  # e-mails and the like were sent
    before = _every_text_value()
    missing = [mk for mk in markers if not any(mk.lower() in v.lower() for _, v in before)]
    assert not missing, f"every marker is stored somewhere first: {missing}"
    person_id = person.pk

    client = fresh_login(person)
    response = client.post(reverse("accounts:delete_account"), {"password": PASSWORD, "confirm": "DELETE"})
    assert response.status_code == 302 and not User.objects.filter(pk=person_id).exists()

    leftovers = sorted(
        {(t, mk) for t, v in _every_text_value() for mk in markers + ["qxplant"] if mk in v.lower() or mk in v}
    )
    assert leftovers == [], leftovers
    assert AuditEvent.objects.filter(action="account_deleted").count() == 1


@pytest.mark.django_db(transaction=True)
def test_finished_task_rows_are_pruned_by_the_nightly_run() -> None:
    from django_tasks_db.models import DBTaskResult

    from individuate.checkins.tasks import recompute_coupling

    person = make_user("pruned@example.com")
    with override_settings(TASKS=DB_TASKS):
        issue = boundaries.add_other(person, "my dad", "parent")
        boundaries.invite_family_member(person, issue.pk, "dad@example.com")
        call_command("db_worker", batch=True, queue_name="*", verbosity=0, startup_delay=False)
        assert DBTaskResult.objects.filter(status="SUCCESSFUL").exists()
        DBTaskResult.objects.update(finished_at=timezone.now() - timedelta(days=3))
        recompute_coupling.call()
    assert not DBTaskResult.objects.filter(status="SUCCESSFUL").exists()
