"""The mediation API: the same operations and rules as the pages.

Status codes: 200 read/changed, 201 created, 401 not logged in, 403 allowed in the case
but not this (a mediator without two-factor, a parent doing the mediator's work), 404 no
such case for you (also for everyone outside it), 409 conflict (an outdated version,
already agreed, an invitation already used), 422 invalid input (the message says what).
"""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from ninja import Query, Router, Schema, Status
from pydantic import Field

from individuate.core.errors import ActionError
from individuate.core.http import AuthedRequest
from individuate.core.schemas import PAGE_SIZE, Limit, Message, Offset, page_of, paginate

from . import access, actions, plan_document, schedule
from .models import Comment, PlanVersion, PrivateNote

router = Router(tags=["mediation"])
VIA = "api"


class ChildIn(Schema):
    first_name: str = Field(min_length=1, max_length=40)
    birth_date: date


class CaseIn(Schema):
    title: str = Field(min_length=1, max_length=120)
    parent_a: str = Field(min_length=1, max_length=60)
    parent_b: str = Field(min_length=1, max_length=60)
    children: list[ChildIn] = Field(default_factory=list, max_length=8)
    starts: date
    separate_sessions: bool = False
    must_not_meet: bool = False


class PartyOut(Schema):
    role: str
    name: str
    joined: bool
    contact_details: str | None = Field(description="Only your own, or the other parent's if they shared them")


class ChildOut(Schema):
    first_name: str
    birth_date: date


class CaseOut(Schema):
    id: int
    title: str
    your_role: str
    separate_sessions: bool
    must_not_meet: bool
    parties: list[PartyOut]
    children: list[ChildOut]
    draft_version: int
    agreed_version: int | None


class CaseListOut(Schema):
    id: int
    title: str
    your_role: str


class InvitationIn(Schema):
    role: Literal["A", "B"]
    email: str = Field(min_length=3, max_length=254)


class JoinIn(Schema):
    token: str = Field(min_length=1, max_length=100)


class AgreementOut(Schema):
    parent: str
    typed_name: str
    signed_on: date
    sha256: str


class VersionOut(Schema):
    number: int
    sha256: str
    author: str
    summary: str
    created_at: str
    agreements: list[AgreementOut]
    document: dict[str, Any] | None = None


class VersionIn(Schema):
    document: dict[str, Any]
    based_on: int | None = Field(default=None, description="The draft number you edited; 409 if it moved on")


class SectionIn(Schema):
    value: dict[str, Any]
    based_on: int | None = None


class ChangeOut(Schema):
    section: str
    path: str
    before: str | None
    after: str | None
    text: str


class PlanCommentIn(Schema):
    section: str = Field(max_length=40)
    text: str = Field(min_length=1, max_length=4000)
    proposal: dict[str, Any] | None = Field(default=None, description="A section value; makes this a proposal")
    to: Literal["A", "B"] | None = Field(default=None, description="Mediator only: for this parent only")


class PlanCommentOut(Schema):
    id: int
    section: str
    author: str
    text: str
    proposal: dict[str, Any] | None
    status: str
    version: int
    to: str | None = Field(default=None, description="The parent (A or B) a mediator's comment is for; null: both")


class DecisionIn(Schema):
    accept: bool
    note: str = Field(default="", max_length=500)


class AgreeIn(Schema):
    version: int
    typed_name: str = Field(max_length=120)
    sha256: str = Field(default="", max_length=64)


class NoteIn(Schema):
    text: str = Field(min_length=1, max_length=4000)


class NoteOut(Schema):
    id: int
    author: str
    text: str
    created_at: str


class CaseContactIn(Schema):
    details: str = Field(default="", max_length=1000)
    share: bool = False


class ParentTime(Schema):
    overnights: int
    percent: float


class ParentingTimeOut(Schema):
    start: date = Field(alias="from")
    end: date = Field(alias="to")
    nights: int
    parents: dict[str, ParentTime]
    exchanges: int
    method: str


class HoursOut(Schema):
    hours: dict[str, float]
    third_party_hours: float
    percent: dict[str, float]
    method: str


class CalcIn(Schema):
    document: dict[str, Any]
    start: date = Field(alias="from")
    end: date = Field(alias="to")


class DifferenceOut(Schema):
    date: date
    before: str
    after: str


class CompareOut(Schema):
    differences: list[DifferenceOut]
    overnights_change: dict[str, int]
    percent_change: dict[str, float]
    exchanges_change: int


def _case(request: AuthedRequest, case_id: int, kind: str = access.PLAN) -> access.Role:
    return access.open_case(request.user, case_id, kind, via=VIA, path=request.path)


def _role_name(role: access.Role) -> str:
    return "mediator" if role.mediator else f"parent {role.party.role}"  # type: ignore[union-attr]


def _case_out(request: AuthedRequest, role: access.Role) -> dict[str, Any]:
    case = role.case
    parties = []
    for party in case.parties.all():
        shown = None
        if access.decide(request.user, case, access.CONTACT, party=party).allowed:
            shown = access.check(request.user, case, access.CONTACT, via=VIA, path=request.path, party=party)
        parties.append(
            {
                "role": party.role,
                "name": party.name,
                "joined": party.user_id is not None,
                "contact_details": party.contact_details if shown is not None else None,
            }
        )
    agreed = actions.agreed_version(case)
    return {
        "id": case.pk,
        "title": case.title,
        "your_role": _role_name(role),
        "separate_sessions": case.separate_sessions,
        "must_not_meet": case.must_not_meet,
        "parties": parties,
        "children": [{"first_name": c.first_name, "birth_date": c.birth_date} for c in case.children.all()],
        "draft_version": actions.draft(case).number,
        "agreed_version": agreed.number if agreed else None,
    }


def _version_out(version: PlanVersion, with_document: bool = False) -> dict[str, Any]:
    return {
        "number": version.number,
        "sha256": version.sha256,
        "author": version.author_label,
        "summary": version.summary,
        "created_at": version.created_at.isoformat(),
        "agreements": [
            {"parent": a.party.name, "typed_name": a.typed_name, "signed_on": a.signed_on, "sha256": a.sha256}
            for a in version.agreements.select_related("party")
        ],
        "document": version.document if with_document else None,
    }


def _comment_out(comment: Comment) -> dict[str, Any]:
    return {
        "id": comment.pk,
        "section": comment.section,
        "author": f"{comment.author.name} (mediator)" if comment.author.is_therapist else comment.author.name,
        "text": comment.text,
        "proposal": comment.proposal,
        "status": comment.status,
        "version": comment.version.number,
        "to": comment.to_party.role if comment.to_party is not None else None,
    }


def _note_out(note: PrivateNote) -> dict[str, Any]:
    return {"id": note.pk, "author": note.author.name, "text": note.text, "created_at": note.created_at.isoformat()}


def _time_out(t: schedule.ParentingTime) -> dict[str, Any]:
    return {
        "from": t.start,
        "to": t.end,
        "nights": t.nights,
        "parents": {p: {"overnights": t.overnights[p], "percent": float(t.percent[p])} for p in t.overnights},
        "exchanges": t.exchanges,
        "method": t.method,
    }


def _parse(document: dict[str, Any]) -> schedule.Schedule:
    try:
        return schedule.parse(document)
    except schedule.PlanError as error:
        raise ActionError("The plan is not valid: " + " ".join(error.errors)) from error


def _range(start: date, end: date) -> None:
    if end <= start:
        raise ActionError("'to' must be after 'from'.")
    if (end - start).days > 366 * 10:
        raise ActionError("Ask for at most ten years at a time.")
    if start < schedule.EARLIEST or end > schedule.LATEST:
        raise ActionError(f"Dates lie between {schedule.EARLIEST} and {schedule.LATEST}.")


# --- cases ----------------------------------------------------------------------------


@router.get("/mediation/cases", response=page_of(CaseListOut), summary="My mediation cases (paginated)")
def list_cases(request: AuthedRequest, limit: Limit = PAGE_SIZE, offset: Offset = 0) -> dict[str, Any]:
    def out(case: Any) -> dict[str, Any]:
        role = access.role_of(request.user, case)
        return {"id": case.pk, "title": case.title, "your_role": _role_name(role) if role else ""}

    return paginate(access.cases_of(request.user).order_by("-created_at"), limit, offset, out)


@router.post("/mediation/cases", response={201: CaseOut, 403: Message, 422: Message})
def create_case(request: AuthedRequest, payload: CaseIn) -> Status[dict[str, Any]]:
    case = actions.open_case(
        request.user,
        title=payload.title,
        parent_a=payload.parent_a,
        parent_b=payload.parent_b,
        children=[(c.first_name, c.birth_date) for c in payload.children],
        starts=payload.starts,
        separate_sessions=payload.separate_sessions,
        must_not_meet=payload.must_not_meet,
    )
    return Status(201, _case_out(request, _case(request, case.pk)))


@router.get("/mediation/cases/{case_id}", response={200: CaseOut, 403: Message, 404: Message})
def get_case(request: AuthedRequest, case_id: int) -> dict[str, Any]:
    return _case_out(request, _case(request, case_id))


@router.post(
    "/mediation/cases/{case_id}/invitations",
    response={202: Message, 403: Message, 404: Message, 409: Message, 422: Message},
)
def invite(request: AuthedRequest, case_id: int, payload: InvitationIn) -> Status[dict[str, str]]:
    role = _case(request, case_id)
    party, _ = actions.invite_parent(request.user, role.case, payload.role, payload.email)
    return Status(202, {"detail": f"Invitation sent to {party.name}."})


@router.post("/mediation/join", response={200: CaseListOut, 403: Message, 404: Message, 409: Message})
def join(request: AuthedRequest, payload: JoinIn) -> dict[str, Any]:
    party = actions.join_case(request.user, payload.token)
    return {"id": party.case_id, "title": party.case.title, "your_role": f"parent {party.role}"}


# --- versions ----------------------------------------------------------------------------


@router.get(
    "/mediation/cases/{case_id}/versions",
    response={200: page_of(VersionOut), 403: Message, 404: Message},
    summary="The plan's versions, oldest first (paginated)",
)
def list_versions(request: AuthedRequest, case_id: int, limit: Limit = PAGE_SIZE, offset: Offset = 0) -> dict[str, Any]:
    role = _case(request, case_id)
    return paginate(role.case.versions.order_by("number"), limit, offset, _version_out)


@router.get("/mediation/cases/{case_id}/versions/{number}", response={200: VersionOut, 403: Message, 404: Message})
def get_version(request: AuthedRequest, case_id: int, number: int) -> dict[str, Any]:
    role = _case(request, case_id)
    return _version_out(actions.version(role.case, number), with_document=True)


@router.post(
    "/mediation/cases/{case_id}/versions",
    response={201: VersionOut, 403: Message, 404: Message, 409: Message, 422: Message},
)
def save_version(request: AuthedRequest, case_id: int, payload: VersionIn) -> Status[dict[str, Any]]:
    role = _case(request, case_id)
    version = actions.save_document(request.user, role.case, payload.document, based_on=payload.based_on)
    return Status(201, _version_out(version, with_document=True))


@router.put(
    "/mediation/cases/{case_id}/sections/{section}",
    response={201: VersionOut, 403: Message, 404: Message, 409: Message, 422: Message},
)
def save_section(request: AuthedRequest, case_id: int, section: str, payload: SectionIn) -> Status[dict[str, Any]]:
    role = _case(request, case_id)
    version = actions.save_section(request.user, role.case, section, payload.value, based_on=payload.based_on)
    return Status(201, _version_out(version, with_document=True))


@router.get("/mediation/cases/{case_id}/diff", response={200: list[ChangeOut], 403: Message, 404: Message})
def diff(request: AuthedRequest, case_id: int, before: int, after: int) -> list[dict[str, Any]]:
    role = _case(request, case_id)
    a, b = actions.version(role.case, before), actions.version(role.case, after)
    return [
        {"section": c.section, "path": c.path, "before": c.before, "after": c.after, "text": c.describe()}
        for c in plan_document.diff(a.document, b.document)
    ]


# --- discussion -----------------------------------------------------------------------------


@router.get(
    "/mediation/cases/{case_id}/comments",
    response={200: page_of(PlanCommentOut), 403: Message, 404: Message},
    summary="Comments and proposals you may read (paginated)",
)
def list_comments(request: AuthedRequest, case_id: int, limit: Limit = PAGE_SIZE, offset: Offset = 0) -> dict[str, Any]:
    role = _case(request, case_id)
    page = paginate(access.visible_comments(request.user, role), limit, offset, lambda c: c)
    access.log_comment_reads(request.user, role, page["items"], via=VIA, path=request.path)
    return {**page, "items": [_comment_out(c) for c in page["items"]]}


@router.post(
    "/mediation/cases/{case_id}/comments", response={201: PlanCommentOut, 403: Message, 404: Message, 422: Message}
)
def add_comment(request: AuthedRequest, case_id: int, payload: PlanCommentIn) -> Status[dict[str, Any]]:
    role = _case(request, case_id)
    created = actions.comment(
        request.user, role.case, payload.section, payload.text, proposal=payload.proposal, to=payload.to
    )
    return Status(201, _comment_out(created))


@router.post(
    "/mediation/cases/{case_id}/comments/{comment_id}/decision",
    response={200: PlanCommentOut, 403: Message, 404: Message, 409: Message, 422: Message},
)
def decide(request: AuthedRequest, case_id: int, comment_id: int, payload: DecisionIn) -> dict[str, Any]:
    role = _case(request, case_id)
    return _comment_out(
        actions.decide_proposal(request.user, role.case, comment_id, accept=payload.accept, note=payload.note)
    )


@router.post(
    "/mediation/cases/{case_id}/agreements",
    response={201: AgreementOut, 403: Message, 404: Message, 409: Message, 422: Message},
)
def agree(request: AuthedRequest, case_id: int, payload: AgreeIn) -> Status[dict[str, Any]]:
    role = _case(request, case_id)
    made = actions.agree(request.user, role.case, payload.version, typed_name=payload.typed_name, sha256=payload.sha256)
    return Status(
        201,
        {"parent": made.party.name, "typed_name": made.typed_name, "signed_on": made.signed_on, "sha256": made.sha256},
    )


# --- private notes and contact details ----------------------------------------------------------


@router.get(
    "/mediation/cases/{case_id}/notes",
    response={200: page_of(NoteOut), 403: Message, 404: Message},
    summary="Private notes to the mediator you may read (paginated)",
)
def list_notes(request: AuthedRequest, case_id: int, limit: Limit = PAGE_SIZE, offset: Offset = 0) -> dict[str, Any]:
    role = _case(request, case_id)

    def out(note: PrivateNote) -> dict[str, Any]:
        access.require(request.user, role.case, access.NOTE, via=VIA, path=request.path, owner=note.author)
        return _note_out(note)

    return paginate(access.visible_notes(request.user, role), limit, offset, out)


@router.get("/mediation/cases/{case_id}/notes/{note_id}", response={200: NoteOut, 403: Message, 404: Message})
def get_note(request: AuthedRequest, case_id: int, note_id: int) -> dict[str, Any]:
    role = _case(request, case_id)
    note = PrivateNote.objects.select_related("author").filter(case=role.case, pk=note_id).first()
    if note is None:
        raise ActionError("There is no such note.", "not_found")
    access.require(request.user, role.case, access.NOTE, via=VIA, path=request.path, owner=note.author)
    return {"id": note.pk, "author": note.author.name, "text": note.text, "created_at": note.created_at.isoformat()}


@router.post("/mediation/cases/{case_id}/notes", response={201: NoteOut, 403: Message, 404: Message, 422: Message})
def add_note(request: AuthedRequest, case_id: int, payload: NoteIn) -> Status[dict[str, Any]]:
    role = _case(request, case_id)
    note = actions.add_private_note(request.user, role.case, payload.text)
    return Status(
        201, {"id": note.pk, "author": note.author.name, "text": note.text, "created_at": note.created_at.isoformat()}
    )


@router.put(
    "/mediation/cases/{case_id}/notes/{note_id}", response={200: NoteOut, 403: Message, 404: Message, 422: Message}
)
def edit_note(request: AuthedRequest, case_id: int, note_id: int, payload: NoteIn) -> dict[str, Any]:
    role = _case(request, case_id)
    note = actions.edit_private_note(request.user, role.case, note_id, payload.text)
    return {"id": note.pk, "author": note.author.name, "text": note.text, "created_at": note.created_at.isoformat()}


@router.put("/mediation/cases/{case_id}/contact", response={200: Message, 403: Message, 404: Message, 422: Message})
def set_contact(request: AuthedRequest, case_id: int, payload: CaseContactIn) -> dict[str, str]:
    role = _case(request, case_id)
    actions.set_contact(request.user, role.case, details=payload.details, share=payload.share)
    return {"detail": "Saved."}


# --- figures -----------------------------------------------------------------------------------


@router.get(
    "/mediation/cases/{case_id}/parenting-time",
    response={200: ParentingTimeOut, 403: Message, 404: Message, 422: Message},
    by_alias=True,
)
def case_parenting_time(
    request: AuthedRequest,
    case_id: int,
    start: date = Query(..., alias="from"),  # noqa: B008
    end: date = Query(..., alias="to"),  # noqa: B008
    version: int | None = None,
) -> dict[str, Any]:
    """Overnights and percent per parent, and exchanges, for the nights [from, to) of a version (default: the draft)."""
    role = _case(request, case_id)
    _range(start, end)
    chosen = actions.version(role.case, version) if version else actions.draft(role.case)
    return _time_out(schedule.parenting_time(_parse(chosen.document), start, end))


@router.get("/mediation/cases/{case_id}/hours", response={200: HoursOut, 403: Message, 404: Message, 422: Message})
def case_hours(
    request: AuthedRequest,
    case_id: int,
    start: date = Query(..., alias="from"),  # noqa: B008
    end: date = Query(..., alias="to"),  # noqa: B008
    version: int | None = None,
    leave_out_school: bool = True,
) -> dict[str, Any]:
    role = _case(request, case_id)
    _range(start, end)
    chosen = actions.version(role.case, version) if version else actions.draft(role.case)
    t = schedule.hours_time(_parse(chosen.document), start, end, leave_out_school=leave_out_school)
    return {
        "hours": t.hours,
        "third_party_hours": t.third_party,
        "percent": {p: float(v) for p, v in t.percent.items()},
        "method": t.method,
    }


@router.get("/mediation/cases/{case_id}/compare", response={200: CompareOut, 403: Message, 404: Message, 422: Message})
def case_compare(
    request: AuthedRequest,
    case_id: int,
    before: int,
    after: int,
    start: date = Query(..., alias="from"),  # noqa: B008
    end: date = Query(..., alias="to"),  # noqa: B008
) -> dict[str, Any]:
    role = _case(request, case_id)
    _range(start, end)
    a, b = actions.version(role.case, before), actions.version(role.case, after)
    result = schedule.compare(_parse(a.document), _parse(b.document), start, end)
    return {
        "differences": [{"date": d.date, "before": d.before, "after": d.after} for d in result.differences],
        "overnights_change": result.overnights_change,
        "percent_change": {p: float(v) for p, v in result.percent_change.items()},
        "exchanges_change": result.exchanges_change,
    }


@router.post("/mediation/parenting-time", response={200: ParentingTimeOut, 422: Message}, by_alias=True)
def parenting_time(request: AuthedRequest, payload: CalcIn) -> dict[str, Any]:
    """The figures of any plan document, without saving it (the same as the parenting_time command)."""
    _range(payload.start, payload.end)
    return _time_out(schedule.parenting_time(_parse(payload.document), payload.start, payload.end))
