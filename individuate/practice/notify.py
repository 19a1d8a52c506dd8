"""Appointment e-mails: three templates per event, with the calendar invite attached.

``practice/emails/appointment-<event>-subject.txt``, ``-body.txt`` and ``-body.html``, rendered
by :func:`individuate.core.mail.render_email`. Each recipient reads the time in their own
zone. The invite (``invite.ics``) is METHOD:CANCEL when the session will not happen
(declined, cancelled) and METHOD:REQUEST otherwise, so calendars add, update or remove
the one entry with the appointment's UID.

Nothing clinical goes into these e-mails: only that there is a session, with whom, when.
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.core.mail.message import SafeMIMEText

from individuate.core.mail import render_email

from .calendar import AppointmentInfo, appointment_ics, local_range, zone_label
from .models import Appointment, PracticeProfile

EVENTS = ("requested", "confirmed", "declined", "cancelled", "rescheduled", "reminder")
CANCEL_EVENTS = ("declined", "cancelled")


def _is_therapist(to: str, info: AppointmentInfo) -> bool:
    return bool(info.therapist_email) and to.strip().casefold() == info.therapist_email.strip().casefold()


def method_for(event: str) -> str:
    return "CANCEL" if event in CANCEL_EVENTS else "REQUEST"


def appointment_context(
    event: str,
    info: AppointmentInfo,
    *,
    to: str,
    recipient_tz: str,
    reason: str = "",
    manage_path: str = "/",
    previous: tuple[datetime, datetime] | None = None,
) -> dict[str, str | bool]:
    """The template context — JSON-serialisable, in the recipient's time zone."""
    return {
        "event": event,
        "status": info.status,
        "when": local_range(info.start, info.end, recipient_tz),
        "previous_when": local_range(previous[0], previous[1], recipient_tz) if previous else "",
        "recipient_tz": zone_label(recipient_tz),
        "therapist_name": info.therapist_name or "your therapist",
        "for_therapist": _is_therapist(to, info),
        "location": info.location,
        "reason": reason.strip(),
        "link": f"{settings.SITE_ROOT}{manage_path}",
    }


def _invite(ics: bytes, method: str) -> SafeMIMEText:
    part = SafeMIMEText(ics.decode(), "calendar", "utf-8")
    part.set_param("method", method, requote=False)  # "text/calendar; method=REQUEST", as Outlook expects
    part.add_header("Content-Disposition", "attachment", filename="invite.ics")
    return part


def appointment_message(
    event: str,
    info: AppointmentInfo,
    *,
    to: str,
    recipient_tz: str,
    reason: str = "",
    manage_path: str = "/",
    previous: tuple[datetime, datetime] | None = None,
) -> EmailMultiAlternatives:
    """The e-mail for one event, to one person, with ``invite.ics`` attached.

    ``previous`` (optional, for "rescheduled") is the old (start, end), shown as "was …".
    """
    if event not in EVENTS:
        raise ValueError(f"unknown appointment event {event!r}")
    context = appointment_context(
        event, info, to=to, recipient_tz=recipient_tz, reason=reason, manage_path=manage_path, previous=previous
    )
    subject, text, html = render_email(f"practice/appointment-{event}", context)
    message = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, [to])
    message.attach_alternative(html, "text/html")
    method = method_for(event)
    viewer = "therapist" if context["for_therapist"] else "attendee"
    message.attach(_invite(appointment_ics(info, method=method, viewer=viewer), method))
    return message


def send_appointment_email(
    event: str,
    info: AppointmentInfo,
    *,
    to: str,
    recipient_tz: str,
    reason: str = "",
    manage_path: str = "/",
    previous: tuple[datetime, datetime] | None = None,
) -> None:
    """Build and send at once (call it from a task: see ``practice.actions``)."""
    if not to:
        return
    appointment_message(
        event, info, to=to, recipient_tz=recipient_tz, reason=reason, manage_path=manage_path, previous=previous
    ).send()


def appointment_info(appointment: Appointment) -> AppointmentInfo:
    therapist, client = appointment.therapist, appointment.client
    zone = PracticeProfile.objects.filter(therapist=therapist).values_list("time_zone", flat=True).first()
    return AppointmentInfo(
        uid=f"appt-{appointment.uid}@individuate",
        sequence=appointment.sequence,
        start=appointment.start,
        end=appointment.end,
        status=appointment.status,
        therapist_name=therapist.name,
        therapist_email=therapist.mail_address,
        therapist_tz=zone or therapist.time_zone or "UTC",
        attendee_email=client.email,
        attendee_tz=client.time_zone or "UTC",
        summary=f"Session with {therapist.name}",
    )
