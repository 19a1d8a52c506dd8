from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from django.urls import reverse
from ninja import Router, Schema, Status
from pydantic import Field, StrictInt

from individuate.core.http import AuthedRequest
from individuate.core.schemas import Text

from . import actions
from .instruments import Instrument
from .models import Response
from .registry import instruments

router = Router(tags=["measures"])


class Message(Schema):
    detail: str


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


class SafetyOut(Schema):
    flags: list[str]
    message: str
    crisis_url: str


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
        safety=SafetyOut(flags=flags, message=" ".join(messages), crisis_url=reverse("crisis")) if flags else None,
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


@router.get("/responses", response=list[ResponseOut], summary="My questionnaires, newest first")
def history(request: AuthedRequest, instrument: str | None = None) -> list[ResponseOut]:
    qs = Response.objects.filter(owner=request.user).prefetch_related("safety_flags")
    if instrument:
        qs = qs.filter(instrument=instrument)
    return [_response_out(r) for r in qs[:500]]


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
