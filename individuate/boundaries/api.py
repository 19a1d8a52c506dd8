from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from ninja import Router, Schema, Status
from pydantic import Field

from individuate.accounts.models import User
from individuate.core.errors import ActionError
from individuate.core.http import AuthedRequest
from individuate.core.records import sections_for
from individuate.core.schemas import PAGE_SIZE, Limit, Message, Offset, Text, page_of, paginate

from . import actions, policy
from .models import TherapistConnection, TrackedPerson

router = Router(tags=["boundaries"])

Role = Literal["parent", "child", "partner", "other"]


class TrackedPersonIn(Schema):
    name: Text = Field(min_length=1, max_length=60)
    role: Role


class TrackedPersonOut(Schema):
    id: int
    name: str
    role: str
    link: Literal["linked", "invited", "not linked"]


class InviteIn(Schema):
    email: Text = Field(min_length=3, max_length=254)


class AcceptLinkIn(Schema):
    other_id: int | None = None
    new_name: Text = Field(default="", max_length=60)
    new_role: Role | Literal[""] = ""


class ConnectionRequestIn(Schema):
    therapist_id: int
    message: Text = Field(default="", max_length=500)


class ClientInviteIn(Schema):
    email: Text = Field(min_length=3, max_length=254)
    message: Text = Field(default="", max_length=500)


class AnswerIn(Schema):
    accept: bool


class GrantIn(Schema):
    scope: Text = Field(max_length=40)


class ConnectionOut(Schema):
    id: int
    therapist_id: int
    therapist_name: str
    client_id: int | None
    client_name: str | None
    status: str
    initiated_by: str
    scopes: list[str]


class AccessEventOut(Schema):
    at: datetime
    who: str
    kind: str
    via: str


class Section(Schema):
    title: str
    columns: list[str]
    rows: list[dict]  # type: ignore[type-arg]


class RecordsOut(Schema):
    owner_id: int
    kind: str
    sections: list[Section]


def _other_out(other: TrackedPerson) -> TrackedPersonOut:
    return TrackedPersonOut(id=other.pk, name=other.name, role=other.role, link=actions.link_state(other))


def _connection_out(c: TherapistConnection, viewer: User) -> ConnectionOut:
    show_client = c.client is not None and (
        viewer.pk == c.client_id
        or c.status == TherapistConnection.Status.ACTIVE
        or c.initiated_by == TherapistConnection.Initiator.CLIENT
    )
    return ConnectionOut(
        id=c.pk,
        therapist_id=c.therapist_id,
        therapist_name=c.therapist.name,
        client_id=c.client_id,
        client_name=c.client.name if show_client and c.client else None,
        status=c.status,
        initiated_by=c.initiated_by,
        scopes=sorted(c.active_scopes()) if c.status == TherapistConnection.Status.ACTIVE else [],
    )


# ---------------------------------------------------------------- others and links


@router.get("/others", response=list[TrackedPersonOut], summary="The people I track")
def list_others(request: AuthedRequest) -> list[TrackedPersonOut]:
    return [_other_out(o) for o in request.user.others.all()]


@router.post("/others", response={201: TrackedPersonOut, 409: Message, 422: Message}, summary="Add someone")
def create_other(request: AuthedRequest, payload: TrackedPersonIn) -> Status[TrackedPersonOut]:
    return Status(201, _other_out(actions.add_other(request.user, payload.name, payload.role)))


@router.put("/others/{other_id}", response={200: TrackedPersonOut, 404: Message, 409: Message, 422: Message})
def update_other(request: AuthedRequest, other_id: int, payload: TrackedPersonIn) -> TrackedPersonOut:
    return _other_out(actions.update_other(request.user, other_id, payload.name, payload.role))


@router.delete("/others/{other_id}", response={204: None, 404: Message})
def delete_other(request: AuthedRequest, other_id: int) -> Status[None]:
    actions.remove_other(request.user, other_id)
    return Status(204, None)


@router.post(
    "/others/{other_id}/invite",
    response={201: TrackedPersonOut, 404: Message, 409: Message, 422: Message},
    summary="Invite this person's account to link (they must accept)",
)
def invite_other(request: AuthedRequest, other_id: int, payload: InviteIn) -> Status[TrackedPersonOut]:
    link, _ = actions.invite_family_member(request.user, other_id, payload.email)
    return Status(201, _other_out(link.inviter_other))


@router.post("/others/{other_id}/unlink", response={200: TrackedPersonOut, 404: Message, 409: Message})
def unlink_other(request: AuthedRequest, other_id: int) -> TrackedPersonOut:
    actions.unlink(request.user, other_id)
    return _other_out(actions.get_own_other(request.user, other_id))


@router.post(
    "/family-invitations/{token}/accept",
    response={200: TrackedPersonOut, 403: Message, 404: Message, 409: Message, 422: Message},
)
def accept_family(request: AuthedRequest, token: str, payload: AcceptLinkIn) -> TrackedPersonOut:
    if not payload.other_id and not payload.new_name:
        raise ActionError("Give other_id (one of your people) or new_name and new_role.")
    link = actions.accept_family_invitation(
        request.user,
        token,
        other_id=payload.other_id,
        new_name=payload.new_name,
        new_role=payload.new_role,
    )
    assert link.invitee_other is not None
    return _other_out(link.invitee_other)


@router.post(
    "/family-invitations/{token}/decline",
    response={204: None, 403: Message, 404: Message, 409: Message},
)
def decline_family(request: AuthedRequest, token: str) -> Status[None]:
    actions.decline_family_invitation(request.user, token)
    return Status(204, None)


# ---------------------------------------------------------------- therapist connections


@router.get(
    "/connections",
    response={200: list[ConnectionOut], 403: Message},
    summary="My therapist connections (therapists: two-factor required)",
)
def list_connections(request: AuthedRequest) -> list[ConnectionOut]:
    user = request.user
    if user.is_therapist:
        if not policy.therapist_may_see_clients(user):
            raise ActionError(actions.MFA_REQUIRED, "forbidden")
        qs = TherapistConnection.objects.filter(therapist=user, status__in=actions.OPEN_CONNECTION)
    else:
        qs = actions.connections_of_client(user)
    return [_connection_out(c, user) for c in qs.select_related("therapist", "client")]


@router.post(
    "/connections",
    response={201: ConnectionOut, 403: Message, 404: Message, 409: Message, 422: Message},
    summary="Ask a therapist to connect",
)
def request_connection(request: AuthedRequest, payload: ConnectionRequestIn) -> Status[ConnectionOut]:
    connection = actions.request_therapist(request.user, payload.therapist_id, payload.message)
    return Status(201, _connection_out(connection, request.user))


@router.post(
    "/connections/invite",
    response={201: ConnectionOut, 403: Message, 409: Message, 422: Message},
    summary="Therapist: invite a client by e-mail",
)
def invite_client(request: AuthedRequest, payload: ClientInviteIn) -> Status[ConnectionOut]:
    connection, _ = actions.invite_client(request.user, payload.email, payload.message)
    return Status(201, _connection_out(connection, request.user))


@router.post(
    "/connections/{connection_id}/answer",
    response={200: ConnectionOut, 403: Message, 404: Message, 409: Message},
    summary="Therapist: accept or decline a client's request",
)
def answer_connection(request: AuthedRequest, connection_id: int, payload: AnswerIn) -> ConnectionOut:
    connection = actions.answer_connection_request(request.user, connection_id, payload.accept)
    return _connection_out(connection, request.user)


@router.post("/connections/{connection_id}/end", response={204: None, 404: Message, 409: Message})
def end_connection(request: AuthedRequest, connection_id: int) -> Status[None]:
    actions.end_connection(request.user, connection_id)
    return Status(204, None)


@router.post(
    "/connection-invitations/{token}/accept",
    response={200: ConnectionOut, 403: Message, 404: Message, 409: Message},
)
def accept_connection(request: AuthedRequest, token: str) -> ConnectionOut:
    return _connection_out(actions.accept_connection_invitation(request.user, token), request.user)


@router.post(
    "/connection-invitations/{token}/decline",
    response={204: None, 403: Message, 404: Message, 409: Message},
)
def decline_connection(request: AuthedRequest, token: str) -> Status[None]:
    actions.decline_connection_invitation(request.user, token)
    return Status(204, None)


@router.post(
    "/connections/{connection_id}/grants",
    response={201: ConnectionOut, 403: Message, 404: Message, 409: Message, 422: Message},
    summary="Share one scope with a connected therapist",
)
def grant(request: AuthedRequest, connection_id: int, payload: GrantIn) -> Status[ConnectionOut]:
    consent = actions.grant_scope(request.user, connection_id, payload.scope)
    return Status(201, _connection_out(consent.connection, request.user))


@router.delete(
    "/connections/{connection_id}/grants/{scope}",
    response={204: None, 403: Message, 404: Message, 409: Message, 422: Message},
    summary="Stop sharing one scope (effective on the therapist's next request)",
)
def revoke(request: AuthedRequest, connection_id: int, scope: str) -> Status[None]:
    actions.revoke_scope(request.user, connection_id, scope)
    return Status(204, None)


# ---------------------------------------------------------------- access log and shared records


@router.get("/access-log", response=page_of(AccessEventOut), summary="Who read my records (paginated)")
def access_log(request: AuthedRequest, limit: Limit = PAGE_SIZE, offset: Offset = 0) -> dict[str, Any]:
    return paginate(
        actions.access_log(request.user),
        limit,
        offset,
        lambda e: AccessEventOut(at=e.at, who=e.viewer_label, kind=e.kind, via=e.via),
    )


def _records(request: AuthedRequest, owner_id: int, kind: str, kinds: list[str]) -> RecordsOut:
    owner = policy.require_owner(request.user, owner_id, kind, via="api", path=request.path)
    sections = [s for k in kinds for s in sections_for(owner, k)]
    return RecordsOut(
        owner_id=owner.pk,
        kind=kind,
        sections=[Section(title=s.title, columns=[c for c, _ in s.columns], rows=s.rows) for s in sections],
    )


@router.get(
    "/people/{owner_id}/profile",
    response={200: RecordsOut, 401: Message, 403: Message, 404: Message},
    summary="A client's profile (connected therapist)",
)
def person_profile(request: AuthedRequest, owner_id: int) -> RecordsOut:
    return _records(request, owner_id, "profile", ["profile"])


@router.get(
    "/people/{owner_id}/records/{kind}",
    response={200: RecordsOut, 401: Message, 403: Message, 404: Message},
    summary="A person's shared records of one scope (policy-checked, logged)",
)
def person_records(request: AuthedRequest, owner_id: int, kind: str) -> RecordsOut:
    kinds = policy.shareable_kinds(kind)
    if kinds is None:
        raise ActionError(f"There is no shareable record kind {kind!r}.", "not_found")
    return _records(request, owner_id, kind, kinds)
