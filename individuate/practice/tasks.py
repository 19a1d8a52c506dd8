"""The practice app's background work: appointment e-mails and the 24-hour reminder.

Arguments are ids, flags and times only, resolved when the task runs."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django_tasks import task

from .models import Appointment
from .notify import appointment_info, send_appointment_email

if TYPE_CHECKING:
    from individuate.accounts.models import User


@task()
def send_appointment_emails(
    appointment_id: int, event: str, has_note: bool = False, previous: list[str] | None = None
) -> None:
    appointment = Appointment.objects.select_related("therapist", "client").filter(pk=appointment_id).first()
    if appointment is None:
        return
    from .actions import note_shown_to

    info = appointment_info(appointment)
    before = (datetime.fromisoformat(previous[0]), datetime.fromisoformat(previous[1])) if previous else None

    # A typed reason may hold private detail: it stays on the site; the e-mail only says it is
    # there — to the person it was written for, who sees it on their appointments page (not
    # to its author, and not to a therapist who may not name the client).
    def reason(recipient: User) -> str:
        waiting = has_note and note_shown_to(appointment, recipient)
        return "A short note is waiting for you on the site." if waiting else ""

    send_appointment_email(
        event,
        info,
        to=appointment.client.email,
        recipient_tz=info.attendee_tz,
        reason=reason(appointment.client),
        manage_path=reverse("practice:appointments"),
        previous=before,
    )
    send_appointment_email(
        event,
        info,
        to=info.therapist_email,
        recipient_tz=info.therapist_tz,
        reason=reason(appointment.therapist),
        manage_path=reverse("portal:practice_dashboard"),
        previous=before,
    )


@task()
def send_reminder(appointment_id: int, sequence: int) -> None:
    """The 24-hour reminder — only if the appointment is still confirmed and unchanged."""
    with transaction.atomic():
        appointment = (
            Appointment.objects.select_for_update(of=("self",))
            .filter(pk=appointment_id, status=Appointment.Status.CONFIRMED, sequence=sequence, reminded_at__isnull=True)
            .first()
        )
        if appointment is None:
            return
        appointment.reminded_at = timezone.now()
        appointment.save(update_fields=["reminded_at"])
    send_appointment_emails.call(appointment.pk, "reminder")
