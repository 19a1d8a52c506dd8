"""The practice app's records in a person's data export."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import Q

from individuate.boundaries.policy import may_name_client, therapist_may_see_clients
from individuate.core.records import iso

from .models import Appointment, AvailabilityException, ContactRequest, PracticeProfile, WeeklyHours

if TYPE_CHECKING:
    from individuate.accounts.models import User


def export_appointments(owner: User) -> list[dict[str, Any]]:
    """A therapist's export names a client, and carries what the client wrote, only where
    the pages would show it (two-factor on, the connection active)."""
    appointments = (
        Appointment.objects.filter(Q(client=owner) | Q(therapist=owner))
        .select_related("therapist", "client")
        .prefetch_related("events")
        .order_by("start")
    )
    named: dict[int, bool] = {}
    rows = []
    for a in appointments:
        as_client = a.client_id == owner.pk
        if not as_client and a.client_id not in named:
            named[a.client_id] = may_name_client(owner, a.client)
        shown = as_client or named[a.client_id]
        rows.append(
            {
                "with": a.therapist.name if as_client else (a.client.name if shown else "a client"),
                "role": "client" if as_client else "therapist",
                "start": iso(a.start),
                "end": iso(a.end),
                "status": a.status,
                "reason": a.reason if shown else "",
                "history": [
                    {
                        "at": iso(e.at),
                        "what": e.kind,
                        "by_you": e.actor_id == owner.pk,
                        "note": e.note if shown or e.actor_id == owner.pk else "",
                    }
                    for e in a.events.all()
                ],
            }
        )
    return rows


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
