from __future__ import annotations

from datetime import datetime, time
from typing import Any

from django.utils import timezone
from ninja import Router, Schema, Status
from pydantic import Field

from individuate.accounts.actions import get_therapist
from individuate.boundaries import policy
from individuate.core.errors import ActionError
from individuate.core.http import AuthedRequest
from individuate.core.schemas import PAGE_SIZE, Limit, Message, Offset, Text, page_of, paginate

from . import actions
from .models import Appointment, AvailabilityException, WeeklyHours
from .slots import SlotError, validate_zone

router = Router(tags=["practice"])


class RangeOut(Schema):
    weekday: int
    start: time
    end: time


class ExceptionOut(Schema):
    day: str
    kind: str
    start: time | None
    end: time | None


class AvailabilityOut(Schema):
    therapist_id: int
    time_zone: str
    session_minutes: int
    buffer_minutes: int
    min_notice_hours: int
    horizon_days: int
    granularity_minutes: int
    instant_booking: bool
    weekly: list[RangeOut]
    exceptions: list[ExceptionOut]


class SlotsOut(Schema):
    time_zone: str
    slots: list[datetime]


class AppointmentIn(Schema):
    therapist_id: int
    start: datetime


class MoveIn(Schema):
    start: datetime


class ReasonIn(Schema):
    reason: Text = Field(default="", max_length=500)


class AppointmentOut(Schema):
    id: int
    therapist_id: int
    client_id: int
    start: datetime
    end: datetime
    status: str
    sequence: int


def _out(a: Appointment) -> AppointmentOut:
    return AppointmentOut(
        id=a.pk,
        therapist_id=a.therapist_id,
        client_id=a.client_id,
        start=a.start,
        end=a.end,
        status=a.status,
        sequence=a.sequence,
    )


@router.get(
    "/therapists/{therapist_id}/availability",
    response={200: AvailabilityOut, 403: Message, 404: Message},
    summary="Booking rules; the weekly hours and days off only to the therapist themselves",
    description="Like the pages: nothing here is public. A connected client gets the booking rules "
    "(free times come from `/slots`); the therapist also sees their weekly hours and days off.",
)
def availability(request: AuthedRequest, therapist_id: int) -> AvailabilityOut:
    therapist = get_therapist(therapist_id)
    own = therapist.pk == request.user.pk
    if not own and policy.active_connection(therapist, request.user) is None:
        raise ActionError("Connect with this therapist to see when they work.", "forbidden")
    p = actions.profile_of(therapist)
    return AvailabilityOut(
        therapist_id=therapist.pk,
        time_zone=p.time_zone,
        session_minutes=p.session_minutes,
        buffer_minutes=p.buffer_minutes,
        min_notice_hours=p.min_notice_hours,
        horizon_days=p.horizon_days,
        granularity_minutes=p.granularity_minutes,
        instant_booking=p.instant_booking,
        weekly=[
            RangeOut(weekday=h.weekday, start=h.start, end=h.end)
            for h in (WeeklyHours.objects.filter(therapist=therapist) if own else [])
        ],
        exceptions=[
            ExceptionOut(day=e.day.isoformat(), kind=e.kind, start=e.start, end=e.end)
            for e in (AvailabilityException.objects.filter(therapist=therapist) if own else [])
        ],
    )


@router.get(
    "/therapists/{therapist_id}/slots",
    response={200: SlotsOut, 403: Message, 404: Message, 422: Message},
    summary="Free session starts in [start, end), shown in the time zone `tz`",
)
def slots(request: AuthedRequest, therapist_id: int, start: datetime, end: datetime, tz: str = "UTC") -> SlotsOut:
    try:
        zone = validate_zone(tz)
    except SlotError as exc:
        raise ActionError(str(exc)) from exc
    now = timezone.now()
    if not all(abs(d.year - now.year) <= 2 for d in (start, end)):
        raise ActionError("Ask for times within two years of today.")
    if start.tzinfo is None or end.tzinfo is None:
        start, end = start.replace(tzinfo=zone), end.replace(tzinfo=zone)
    therapist = get_therapist(therapist_id)
    if policy.active_connection(therapist, request.user) is None:  # busy times are not public
        raise ActionError("Connect with this therapist to see free times.", "forbidden")
    return SlotsOut(time_zone=tz, slots=[s.astimezone(zone) for s in actions.free_slots(therapist, start, end)])


@router.get("/appointments", response=page_of(AppointmentOut), summary="My upcoming appointments (paginated)")
def my_appointments(request: AuthedRequest, limit: Limit = PAGE_SIZE, offset: Offset = 0) -> dict[str, Any]:
    return paginate(actions.upcoming_for(request.user), limit, offset, _out)


@router.post(
    "/appointments",
    response={201: AppointmentOut, 403: Message, 404: Message, 409: Message, 422: Message},
    summary="Request (or, where allowed, instantly book) a slot; 409 when it is taken",
)
def create(request: AuthedRequest, payload: AppointmentIn) -> Status[Any]:
    return Status(201, _out(actions.book(request.user, payload.therapist_id, payload.start)))


@router.post(
    "/appointments/{appointment_id}/confirm", response={200: AppointmentOut, 403: Message, 404: Message, 409: Message}
)
def confirm(request: AuthedRequest, appointment_id: int) -> AppointmentOut:
    return _out(actions.confirm(request.user, appointment_id))


@router.post(
    "/appointments/{appointment_id}/decline", response={200: AppointmentOut, 403: Message, 404: Message, 409: Message}
)
def decline(request: AuthedRequest, appointment_id: int, payload: ReasonIn) -> AppointmentOut:
    return _out(actions.decline(request.user, appointment_id, payload.reason))


@router.post(
    "/appointments/{appointment_id}/cancel", response={200: AppointmentOut, 404: Message, 409: Message, 422: Message}
)
def cancel(request: AuthedRequest, appointment_id: int, payload: ReasonIn) -> AppointmentOut:
    return _out(actions.cancel(request.user, appointment_id, payload.reason))


@router.post(
    "/appointments/{appointment_id}/reschedule",
    response={200: AppointmentOut, 404: Message, 409: Message, 422: Message},
)
def reschedule(request: AuthedRequest, appointment_id: int, payload: MoveIn) -> AppointmentOut:
    return _out(actions.reschedule(request.user, appointment_id, payload.start))
