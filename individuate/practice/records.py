"""The practice app's records in a person's data export."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import Q

from individuate.boundaries.policy import therapist_may_see_clients
from individuate.core.records import iso

from .models import Appointment, AvailabilityException, ContactRequest, PracticeProfile, WeeklyHours

if TYPE_CHECKING:
    from individuate.accounts.models import User


def _other_side(owner: User, appointment: Appointment) -> str:
    if appointment.client_id == owner.pk:
        return appointment.therapist.name
    # A therapist's export names a client only where the pages would show the name.
    return appointment.client.name if therapist_may_see_clients(owner) else f"client {appointment.client_id}"


def export_appointments(owner: User) -> list[dict[str, Any]]:
    appointments = (
        Appointment.objects.filter(Q(client=owner) | Q(therapist=owner))
        .select_related("therapist", "client")
        .prefetch_related("events")
        .order_by("start")
    )
    return [
        {
            "with": _other_side(owner, a),
            "role": "client" if a.client_id == owner.pk else "therapist",
            "start": iso(a.start),
            "end": iso(a.end),
            "status": a.status,
            "reason": a.reason,
            "history": [
                {"at": iso(e.at), "what": e.kind, "by_you": e.actor_id == owner.pk, "note": e.note}
                for e in a.events.all()
            ],
        }
        for a in appointments
    ]


def export_practice(owner: User) -> list[dict[str, Any]]:
    profile = PracticeProfile.objects.filter(therapist=owner).first()
    if profile is None:
        return []
    return [
        {
            "public_address": profile.slug,
            "approach": profile.approach,
            "services": profile.services,
            "time_zone": profile.time_zone,
            "session_minutes": profile.session_minutes,
            "buffer_minutes": profile.buffer_minutes,
            "min_notice_hours": profile.min_notice_hours,
            "horizon_days": profile.horizon_days,
            "late_cancel_hours": profile.late_cancel_hours,
            "instant_booking": profile.instant_booking,
            "weekly_hours": [
                {"weekday": h.weekday, "start": iso(h.start), "end": iso(h.end)}
                for h in WeeklyHours.objects.filter(therapist=owner)
            ],
            "exceptions": [
                {"day": iso(x.day), "kind": x.kind, "start": iso(x.start), "end": iso(x.end)}
                for x in AvailabilityException.objects.filter(therapist=owner)
            ],
        }
    ]


def export_contact_requests(owner: User) -> list[dict[str, Any]]:
    if not therapist_may_see_clients(owner):
        return []  # the same rule as the inbox: nothing without two-factor
    return [
        {
            "received": iso(r.created_at),
            "name": r.name,
            "email": r.email,
            "phone": r.phone,
            "message": r.message,
            "preferred_times": r.preferred_times,
            "handled": iso(r.handled_at),
        }
        for r in ContactRequest.objects.filter(therapist=owner)
    ]
