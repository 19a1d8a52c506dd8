"""The boundaries app's records as the export and the client pages see them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import Q

from .actions import link_state
from .models import AccessEvent, ConsentGrant, FamilyLink, TherapistConnection
from .sharing import Section

if TYPE_CHECKING:
    from individuate.accounts.models import User


def _iso(value: Any) -> str | None:
    return value.isoformat() if value else None


def export_others(owner: User) -> list[dict[str, Any]]:
    return [
        {"name": o.name, "role": o.role, "created_at": _iso(o.created_at), "link": link_state(o)}
        for o in owner.others.all()
    ]


def export_family_links(owner: User) -> list[dict[str, Any]]:
    # Only this person's side: which of *their* others, the state, the dates.
    rows = []
    for link in FamilyLink.objects.filter(Q(inviter=owner) | Q(invitee=owner)).select_related(
        "inviter_other", "invitee_other"
    ):
        mine = link.inviter_other if link.inviter_id == owner.pk else link.invitee_other
        rows.append(
            {
                "my_other": mine.name if mine else None,
                "i_invited": link.inviter_id == owner.pk,
                "invitee_email": link.invitee_email if link.inviter_id == owner.pk else None,
                "status": link.status,
                "created_at": _iso(link.created_at),
                "responded_at": _iso(link.responded_at),
                "ended_at": _iso(link.ended_at),
            }
        )
    return rows


def export_connections(owner: User) -> list[dict[str, Any]]:
    qs = TherapistConnection.objects.filter(Q(client=owner) | Q(therapist=owner)).select_related(
        "therapist", "client"
    )
    return [
        {
            "therapist": c.therapist.name,
            "client": c.client.name if c.client else c.invite_email,
            "status": c.status,
            "initiated_by": c.initiated_by,
            "created_at": _iso(c.created_at),
            "accepted_at": _iso(c.accepted_at),
            "ended_at": _iso(c.ended_at),
        }
        for c in qs
    ]


def export_grants(owner: User) -> list[dict[str, Any]]:
    qs = ConsentGrant.objects.filter(connection__client=owner).select_related(
        "connection__therapist"
    )
    return [
        {
            "therapist": g.connection.therapist.name,
            "scope": g.scope,
            "granted_at": _iso(g.granted_at),
            "revoked_at": _iso(g.revoked_at),
        }
        for g in qs
    ]


def export_access_log(owner: User) -> list[dict[str, Any]]:
    return [
        {"at": _iso(e.at), "who": e.viewer_label, "kind": e.kind, "via": e.via, "reason": e.reason}
        for e in AccessEvent.objects.filter(owner=owner, allowed=True)
    ]


def others_section(owner: User) -> Section:
    return Section(
        title="The people this client tracks",
        columns=[("name", "Name"), ("role", "Role")],
        rows=[{"name": o.name, "role": o.get_role_display()} for o in owner.others.all()],
        empty="No one added yet.",
    )
