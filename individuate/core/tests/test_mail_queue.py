"""Queued e-mail carries ids, not addresses or names, so deleting one person removes
exactly their mail and never anyone else's."""

from __future__ import annotations

import json

import pytest
from django.core import mail
from django.test import override_settings
from django_tasks_db.models import DBTaskResult

from conftest import make_user
from individuate.core.mail import queue_email
from individuate.core.models import OutgoingEmail
from individuate.core.privacy import delete_account

DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.mark.django_db(transaction=True)
@override_settings(TASKS=DB_TASKS)
def test_deleting_al_keeps_alices_queued_email() -> None:
    al = make_user("al@example.com", "Al")
    alice = make_user("alice.mail@example.com", "Alice")
    queue_email("checkins/checkin-reminder", to=alice, context={"checkin_path": "/checkin/"})
    queue_email("checkins/checkin-reminder", to=al, context={"checkin_path": "/checkin/"})
    assert DBTaskResult.objects.count() == 2
    for row in DBTaskResult.objects.all():  # the queue holds one id, nothing personal
        dumped = json.dumps(row.args_kwargs)
        assert "@" not in dumped and "Al" not in dumped

    delete_account(al)

    assert list(OutgoingEmail.objects.values_list("recipient__email", flat=True)) == ["alice.mail@example.com"]
    from django.core.management import call_command

    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", "--verbosity", "0")
    assert [m.to for m in mail.outbox] == [["alice.mail@example.com"]]
    assert OutgoingEmail.objects.count() == 0  # sent mail is not kept


@pytest.mark.django_db
def test_deleting_the_person_an_email_is_about_cancels_it() -> None:
    inviter = make_user("inviter@example.com", "Inviter")
    with override_settings(TASKS=DB_TASKS):
        queue_email("boundaries/family-invitation", to="someone@example.org", about=inviter, context={})
        delete_account(inviter)
    assert OutgoingEmail.objects.count() == 0
