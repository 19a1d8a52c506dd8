"""The mediation app's records in a person's export, and what deleting an account takes."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import Q

from individuate.core.records import iso

from .models import Agreement, Case, Comment, Party, PlanVersion, PrivateNote

if TYPE_CHECKING:
    from individuate.accounts.models import User


def export_cases(owner: User) -> list[dict[str, Any]]:
    """Each case the person is in: their part, and the versions of the shared plan they wrote."""
    rows = []
    for case in Case.objects.filter(Q(mediator=owner) | Q(parties__user=owner)).distinct():
        mine = case.parties.filter(user=owner).first()
        rows.append(
            {
                "case": case.title,
                "role": "mediator" if case.mediator_id == owner.pk else f"parent {mine.role if mine else ''}",
                "name_in_plan": mine.name if mine else None,
                "contact_details": mine.contact_details if mine else None,
                "contact_shared": mine.share_contact if mine else None,
                "versions_you_wrote": [
                    {
                        "number": v.number,
                        "at": iso(v.created_at),
                        "summary": v.summary,
                        "sha256": v.sha256,
                        "plan": v.document,
                    }
                    for v in PlanVersion.objects.filter(case=case, author=owner)
                ],
            }
        )
    return rows


def export_comments(owner: User) -> list[dict[str, Any]]:
    return [
        {
            "case": c.case.title,
            "section": c.section,
            "at": iso(c.created_at),
            "text": c.text,
            "proposal": c.proposal,
            "status": c.status,
        }
        for c in Comment.objects.filter(author=owner).select_related("case")
    ]


def export_agreements(owner: User) -> list[dict[str, Any]]:
    return [
        {
            "case": a.version.case.title,
            "version": a.version.number,
            "typed_name": a.typed_name,
            "on": iso(a.signed_on),
            "sha256": a.sha256,
        }
        for a in Agreement.objects.filter(user=owner).select_related("version__case")
    ]


def export_notes(owner: User) -> list[dict[str, Any]]:
    return [
        {"case": n.case.title, "at": iso(n.created_at), "text": n.text}
        for n in PrivateNote.objects.filter(author=owner).select_related("case")
    ]


def erase_party_details(owner: User) -> None:
    """The plan keeps the parent's name (it is the other parent's plan too); their details go."""
    Party.objects.filter(user=owner).update(contact_details="", share_contact=False, invited_email="", user=None)
