"""The boundaries app's records as the export and the client pages see them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import Q

from individuate.core.records import Section, iso

from .actions import link_state
from .models import AccessEvent, ConsentGrant, FamilyLink, TherapistConnection
from .policy import may_name_client, therapist_may_see_clients

if TYPE_CHECKING:
    from individuate.accounts.models import User


def export_others(owner: User) -> list[dict[str, Any]]:
    return [
        {"name": o.name, "role": o.role, "created_at": iso(o.created_at), "link": link_state(o)}
        for o in owner.others.all()
    ]


def export_family_links(owner: User) -> list[dict[str, Any]]:
    """Only this person's side: which of *their* people, and the state as they see it."""
    rows = []
    for other in owner.others.all():
        invited = FamilyLink.objects.filter(inviter_other=other).order_by("-created_at").first()
        rows.append(
            {
                "my_other": other.name,
                "state": link_state(other),
                "last_invitation_to": invited.invitee_email if invited else None,
                "last_invitation_at": iso(invited.created_at) if invited else None,
            }
        )
    return rows


def _client_as_exported(owner: User, c: TherapistConnection) -> str:
    """A client's own export names them; a therapist's names a client only as the pages would."""
    if c.client_id == owner.pk:
        return owner.name
    if c.client is None:
        return (
            c.invite_email
            if therapist_may_see_clients(owner) and c.status == TherapistConnection.Status.PENDING
            else "an invited client"
        )
    return c.client.name if may_name_client(owner, c.client) else "a client"


def export_connections(owner: User) -> list[dict[str, Any]]:
    qs = TherapistConnection.objects.filter(Q(client=owner) | Q(therapist=owner)).select_related("therapist", "client")
    return [
        {
            "therapist": c.therapist.name,
            "client": _client_as_exported(owner, c),
            "status": c.status,
            "initiated_by": c.initiated_by,
            "created_at": iso(c.created_at),
            "accepted_at": iso(c.accepted_at),
            "ended_at": iso(c.ended_at),
        }
        for c in qs
    ]


def export_grants(owner: User) -> list[dict[str, Any]]:
    qs = ConsentGrant.objects.filter(connection__client=owner).select_related("connection__therapist")
    return [
        {
            "therapist": g.connection.therapist.name,
            "scope": g.scope,
            "granted_at": iso(g.granted_at),
            "revoked_at": iso(g.revoked_at),
        }
        for g in qs
    ]


def export_access_log(owner: User) -> list[dict[str, Any]]:
    return [
        {"at": iso(e.at), "who": e.viewer_label, "kind": e.kind, "via": e.via, "reason": e.reason}
        for e in AccessEvent.objects.filter(owner=owner, allowed=True)
    ]


def others_section(owner: User) -> Section:
    return Section(
        title="The people this client tracks",
        columns=[("name", "Name"), ("role", "Role")],
        rows=[{"name": o.name, "role": o.get_role_display()} for o in owner.others.all()],
        empty="No one added yet.",
    )
