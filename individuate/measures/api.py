from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from django.urls import reverse
from ninja import Router, Schema, Status
from pydantic import Field, StrictInt

from individuate.core.crisis import crisis_resources
from individuate.core.http import AuthedRequest
from individuate.core.schemas import PAGE_SIZE, Limit, Message, Offset, Text, page_of, paginate

from . import actions
from .instruments import Instrument
from .models import Assignment, Response
from .registry import instruments

router = Router(tags=["measures"])


class OptionOut(Schema):
    value: int
    label: str


class ItemOut(Schema):
    id: str
    number: int
    text: str
    options: list[OptionOut]
    subscale: str | None
    required: bool
    scored: bool


class InstrumentOut(Schema):
    id: str
    title: str
    version: str
    kind: str
    summary: str
    minutes: int
    instructions: str
    screening_note: str
    attribution: str
    items: list[ItemOut]


class ResultOut(Schema):
    total: float
    band: str
    subscales: dict[str, float]
    flags: list[str]


class CrisisResourceOut(Schema):
    name: str
    how: str
    detail: str
    urgent: bool
    tel: str = Field(description="A tel: link when `how` is a phone number, else empty")
    url: str


class SafetyOut(Schema):
    flags: list[str]
    message: str
    crisis_url: str
    intro: str = Field(description="The most urgent sentence, to show first")
    resources: list[CrisisResourceOut] = Field(description="This deployment's crisis resources, urgent ones first")


class ResponseOut(Schema):
    id: int
    instrument: str
    status: str
    layout: str
    answers: dict[str, int]
    missing_items: list[int]
    started_at: datetime
    completed_at: datetime | None
    result: ResultOut | None
    safety: SafetyOut | None


class StartIn(Schema):
    instrument: Text = Field(max_length=64)
    layout: Literal["one", "all"] | None = None


class AnswersIn(Schema):
    answers: dict[Text, StrictInt | None] = Field(max_length=200)


def _instrument_out(i: Instrument) -> InstrumentOut:
    return InstrumentOut(
        id=i.id,
        title=i.title,
        version=i.version,
        kind=i.kind,
        summary=i.summary,
        minutes=i.minutes,
        instructions=i.instructions,
        screening_note=i.screening_note,
        attribution=i.attribution,
        items=[
            ItemOut(
                id=it.id,
                number=it.number,
                text=it.text,
                options=[OptionOut(value=o.value, label=o.label) for o in it.options],
                subscale=it.subscale,
                required=it.required,
                scored=it.scored,
            )
            for it in i.items
        ],
    )


def _response_out(r: Response) -> ResponseOut:
    instrument = actions.get_instrument(r.instrument)
    flags = sorted({f.flag for f in r.safety_flags.all()})
    messages = [f.message for f in instrument.flags if f.id in flags]
    return ResponseOut(
        id=r.pk,
        instrument=r.instrument,
        status=r.status,
        layout=r.layout,
        answers=r.answers,
        missing_items=[] if r.is_completed else actions.missing_items(r),
        started_at=r.started_at,
        completed_at=r.completed_at,
        result=ResultOut(total=r.total, band=r.band, subscales=r.subscales, flags=r.flags)
        if r.is_completed and r.total is not None
        else None,
        safety=_safety_out(flags, messages) if flags else None,
    )


def _safety_out(flags: list[str], messages: list[str]) -> SafetyOut:
    crisis = crisis_resources()
    return SafetyOut(
        flags=flags,
        message=" ".join(messages),
        crisis_url=reverse("core:crisis"),
        intro=crisis["intro"],
        resources=[CrisisResourceOut(**r) for r in crisis["urgent"] + crisis["others"]],
    )


@router.get("/instruments", response=list[InstrumentOut], summary="Questionnaires offered here, with items")
def list_instruments(request: AuthedRequest) -> list[InstrumentOut]:
    return [_instrument_out(i) for i in instruments().values()]


@router.get("/instruments/{instrument_id}", response={200: InstrumentOut, 404: Message})
def get_instrument(request: AuthedRequest, instrument_id: str) -> InstrumentOut:
    return _instrument_out(actions.get_instrument(instrument_id))


@router.post(
    "/responses",
    response={201: ResponseOut, 403: Message, 404: Message, 422: Message},
    summary="Start a questionnaire (or resume the unfinished one)",
)
def start(request: AuthedRequest, payload: StartIn) -> Status[Any]:
    return Status(201, _response_out(actions.start_response(request.user, payload.instrument, payload.layout)))


@router.get("/responses", response=page_of(ResponseOut), summary="My questionnaires, newest first (paginated)")
def history(
    request: AuthedRequest, instrument: Text | None = None, limit: Limit = PAGE_SIZE, offset: Offset = 0
) -> dict[str, Any]:
    qs = Response.objects.filter(owner=request.user).prefetch_related("safety_flags")
    if instrument:
        qs = qs.filter(instrument=instrument)
    return paginate(qs, limit, offset, _response_out)


@router.get("/responses/{response_id}", response={200: ResponseOut, 404: Message})
def get_response(request: AuthedRequest, response_id: int) -> ResponseOut:
    return _response_out(actions.get_own_response(request.user, response_id))


@router.patch(
    "/responses/{response_id}/answers",
    response={200: ResponseOut, 404: Message, 409: Message, 422: Message},
    summary="Save some answers (all valid or none). `safety` is set when an answer needs care.",
)
def save(request: AuthedRequest, response_id: int, payload: AnswersIn) -> ResponseOut:
    response, _ = actions.save_answers(request.user, response_id, dict(payload.answers))
    return _response_out(response)


@router.post(
    "/responses/{response_id}/submit",
    response={200: ResponseOut, 404: Message, 409: Message, 422: Message},
    summary="Score and complete (every required item must be answered)",
)
def submit(request: AuthedRequest, response_id: int) -> ResponseOut:
    return _response_out(actions.submit_response(request.user, response_id))


# ---------------------------------------------------------------- therapist side (policy-checked)


class FlagOut(Schema):
    id: int
    response_id: int
    instrument: str
    item: str
    value: int
    raised_at: datetime
    seen_by_me: bool


class AssignmentIn(Schema):
    instrument: Text = Field(max_length=64)
    recurrence: Assignment.Recurrence
    starts_on: date


class AssignmentOut(Schema):
    id: int
    instrument: str
    recurrence: str
    due_on: date
    active: bool


THERAPIST_ERRORS: dict[int, type[Schema]] = {401: Message, 403: Message, 404: Message, 409: Message, 422: Message}


def _assignment_out(a: Assignment) -> AssignmentOut:
    return AssignmentOut(id=a.pk, instrument=a.instrument, recurrence=a.recurrence, due_on=a.due_on, active=a.active)


@router.get(
    "/clients/{client_id}/responses",
    response={200: list[ResponseOut], **THERAPIST_ERRORS},
    summary="A client's completed questionnaires (measures grant)",
)
def client_responses(request: AuthedRequest, client_id: int) -> list[ResponseOut]:
    client = actions.client_for_measures(request.user, client_id, via="api", path=request.path)
    return [_response_out(r) for r in actions.completed_responses(client)]


@router.get(
    "/clients/{client_id}/flags",
    response={200: list[FlagOut], **THERAPIST_ERRORS},
    summary="A client's safety flags, new ones first (measures grant)",
)
def client_flags(request: AuthedRequest, client_id: int) -> list[FlagOut]:
    client = actions.client_for_measures(request.user, client_id, via="api", path=request.path)
    return [
        FlagOut(
            id=f.pk,
            response_id=f.response_id,
            instrument=f.response.instrument,
            item=f.item,
            value=f.value,
            raised_at=f.raised_at,
            seen_by_me=seen,
        )
        for f, seen in actions.flags_for_therapist(request.user, client)
    ]


@router.post(
    "/clients/{client_id}/flags/{flag_id}/seen",
    response={200: Message, **THERAPIST_ERRORS},
    summary="Mark a safety flag as seen by me",
)
def client_flag_seen(request: AuthedRequest, client_id: int, flag_id: int) -> Message:
    actions.mark_flag_seen(request.user, flag_id, client_id=client_id, via="api", path=request.path)
    return Message(detail="Marked as seen.")


@router.get(
    "/clients/{client_id}/assignments",
    response={200: list[AssignmentOut], **THERAPIST_ERRORS},
    summary="The questionnaires I asked this client to repeat",
)
def client_assignments(request: AuthedRequest, client_id: int) -> list[AssignmentOut]:
    client = actions.client_for_measures(request.user, client_id, via="api", path=request.path)
    return [_assignment_out(a) for a in actions.assignments_given(request.user, client)]


@router.post(
    "/clients/{client_id}/assignments",
    response={201: AssignmentOut, **THERAPIST_ERRORS},
    summary="Ask a client to take a questionnaire, once or repeatedly (measures grant)",
)
def client_assign(request: AuthedRequest, client_id: int, payload: AssignmentIn) -> Status[AssignmentOut]:
    assignment = actions.assign(
        request.user, client_id, payload.instrument, payload.recurrence, payload.starts_on, via="api", path=request.path
    )
    return Status(201, _assignment_out(assignment))


@router.delete(
    "/clients/{client_id}/assignments/{assignment_id}",
    response={204: None, **THERAPIST_ERRORS},
    summary="Stop an assignment",
)
def client_assignment_end(request: AuthedRequest, client_id: int, assignment_id: int) -> Status[None]:
    actions.end_assignment(request.user, assignment_id, via="api", path=request.path)
    return Status(204, None)
