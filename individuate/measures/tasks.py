"""Background work for measures: reminders for assigned questionnaires."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.urls import reverse
from django_tasks import task

from individuate.core.mail import address_of, send_now


@task()
@transaction.atomic
def remind_assignment(assignment_id: int, due_on: str) -> None:
    """Send the client a reminder for one due date — unless it was done or dropped."""
    from .actions import assignment_still_consented
    from .models import Assignment

    assignment = (
        Assignment.objects.select_for_update(of=("self",))
        .filter(pk=assignment_id, active=True, due_on=date.fromisoformat(due_on))
        .select_related("client", "therapist")
        .first()
    )
    if assignment is None or assignment.last_reminded_on == assignment.due_on:
        return
    if not assignment_still_consented(assignment):  # the client stopped sharing measures
        return
    assignment.last_reminded_on = assignment.due_on
    assignment.save(update_fields=["last_reminded_on"])
    # Sent from here (we are already in the worker); no clinical detail.
    send_now("measures/measure-due", [address_of(assignment.client)], {"measures_path": reverse("measures:measures")})
