from __future__ import annotations

from datetime import date as Date
from datetime import datetime
from typing import Any

from ninja import Router, Schema, Status
from pydantic import Field

from individuate.core.http import AuthedRequest
from individuate.core.schemas import PAGE_SIZE, Limit, Message, Offset, Scale, Text, page_of, paginate

from . import actions
from .models import CheckIn, ContactEvent, CouplingReport

router = Router(tags=["check-ins"])


class CheckInIn(Schema):
    # A scale left out (or null) is stored as not set; at least one must be given.
    mood: Scale | None = None
    guilt: Scale | None = None
    anger: Scale | None = None
    anxiety: Scale | None = None
    perceived: dict[int, Scale] = Field(default_factory=dict, max_length=50)
    note: Text = Field(default="", max_length=1000)


class CheckInOut(Schema):
    id: int
    at: datetime
    local_date: Date
    mood: int | None
    guilt: int | None
    anger: int | None
    anxiety: int | None
    perceived: dict[int, int]
    note: str


class ContactIn(Schema):
    other_id: int
    kind: ContactEvent.Kind
    response: ContactEvent.Reply
    guilt_after: Scale | None = None
    note: Text = Field(default="", max_length=1000)
    at: datetime | None = None


class ContactOut(Schema):
    id: int
    other_id: int
    at: datetime
    kind: str
    response: str
    guilt_after: int | None
    note: str


class JournalIn(Schema):
    text: Text = Field(min_length=1, max_length=20000)
    date: Date | None = None


class JournalOut(Schema):
    id: int
    date: Date
    text: str


def _checkin_out(c: CheckIn) -> dict[str, Any]:
    """A plain dict (ninja validates it against CheckInOut): building schema objects first
    and having ninja read them back attribute by attribute cost a third of a page."""
    return {
        "id": c.pk,
        "at": c.at,
        "local_date": c.local_date,
        "mood": c.mood,
        "guilt": c.guilt,
        "anger": c.anger,
        "anxiety": c.anxiety,
        "perceived": {p.other_id: p.value for p in c.perceived.all()},
        "note": c.note,
    }


@router.post("/checkins", response={201: CheckInOut, 404: Message, 422: Message}, summary="Check in now")
def create_checkin(request: AuthedRequest, payload: CheckInIn) -> Status[Any]:
    data = payload.dict()
    checkin = actions.save_checkin(request.user, **data)
    return Status(201, _checkin_out(checkin))


@router.put(
    "/checkins/{checkin_id}",
    response={200: CheckInOut, 404: Message, 409: Message, 422: Message},
    summary="Change one of today's check-ins",
)
def update_checkin(request: AuthedRequest, checkin_id: int, payload: CheckInIn) -> dict[str, Any]:
    return _checkin_out(actions.save_checkin(request.user, checkin_id=checkin_id, **payload.dict()))


@router.get("/checkins", response=page_of(CheckInOut), summary="My check-ins, newest first (paginated)")
def list_checkins(
    request: AuthedRequest, since: Date | None = None, limit: Limit = PAGE_SIZE, offset: Offset = 0
) -> dict[str, Any]:
    qs = CheckIn.objects.filter(owner=request.user).prefetch_related("perceived")
    if since:
        qs = qs.filter(local_date__gte=since)
    return paginate(qs, limit, offset, _checkin_out)


@router.post("/contacts", response={201: ContactOut, 404: Message, 422: Message}, summary="Log a contact")
def create_contact(request: AuthedRequest, payload: ContactIn) -> Status[Any]:
    return Status(201, _contact_out(actions.add_contact(request.user, **payload.dict())))


def _contact_out(c: ContactEvent) -> ContactOut:
    return ContactOut(
        id=c.pk,
        other_id=c.other_id,
        at=c.at,
        kind=c.kind,
        response=c.response,
        guilt_after=c.guilt_after,
        note=c.note,
    )


@router.get("/contacts", response=page_of(ContactOut), summary="My contact log, newest first (paginated)")
def list_contacts(request: AuthedRequest, limit: Limit = PAGE_SIZE, offset: Offset = 0) -> dict[str, Any]:
    return paginate(ContactEvent.objects.filter(owner=request.user), limit, offset, _contact_out)


@router.post("/journal", response={201: JournalOut, 422: Message}, summary="Write a journal entry")
def create_journal(request: AuthedRequest, payload: JournalIn) -> Status[Any]:
    e = actions.save_journal(request.user, text=payload.text, on=payload.date)
    return Status(201, JournalOut(id=e.pk, date=e.date, text=e.text))


@router.get("/journal", response=page_of(JournalOut), summary="My journal; ?q= searches it (paginated)")
def list_journal(request: AuthedRequest, q: Text = "", limit: Limit = PAGE_SIZE, offset: Offset = 0) -> dict[str, Any]:
    return paginate(
        actions.search_journal(request.user, q), limit, offset, lambda e: JournalOut(id=e.pk, date=e.date, text=e.text)
    )


@router.delete("/journal/{entry_id}", response={204: None, 404: Message})
def delete_journal(request: AuthedRequest, entry_id: int) -> Status[None]:
    actions.delete_journal(request.user, entry_id)
    return Status(204, None)


@router.get("/coupling", response=list[dict[str, Any]], summary="My solo coupling reports")
def my_coupling(request: AuthedRequest) -> list[dict[str, Any]]:
    from .coupling import report_json

    return [
        {"other_id": r.other_id, "computed_at": r.computed_at.isoformat(), **report_json(r)}
        for r in CouplingReport.objects.filter(owner=request.user, kind=CouplingReport.Kind.SOLO)
    ]
