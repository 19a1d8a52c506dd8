"""What other apps may read of boundaries' records — through these functions, never its models.

These return the person's *own* links and tracked people (or, for the nightly batch,
aggregate link facts); reading another person's records still goes through ``policy``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from allauth.account.models import EmailAddress
from django.db.models import Q, QuerySet
from django.utils import timezone

from .models import FamilyLink, TherapistConnection, TrackedPerson

if TYPE_CHECKING:
    from individuate.accounts.models import User


def tracked_people(ids: Iterable[int], owner: User | None = None) -> list[TrackedPerson]:
    people = TrackedPerson.objects.filter(pk__in=list(ids)).select_related("owner")
    if owner is not None:
        people = people.filter(owner=owner)
    return list(people)


def tracked_person_names(ids: Iterable[int]) -> dict[int, str]:
    """id → the name the owner gave (for the owner's own report wording)."""
    return dict(TrackedPerson.objects.filter(pk__in=list(ids)).values_list("id", "name"))


def largest_link_id() -> int | None:
    return FamilyLink.objects.order_by("-id").values_list("id", flat=True).first()


def active_links() -> QuerySet[FamilyLink]:
    return FamilyLink.objects.filter(status=FamilyLink.Status.ACTIVE).select_related("inviter", "invitee")


def links_of(user: User) -> list[FamilyLink]:
    return list(
        FamilyLink.objects.filter(Q(inviter=user) | Q(invitee=user), status=FamilyLink.Status.ACTIVE)
        .select_related("inviter_other", "invitee_other")
        .prefetch_related("joint_consents")
    )


def open_invitation_counts(user: User) -> dict[str, int]:
    """How many family and therapist invitations wait for this person's verified addresses."""
    emails = list(EmailAddress.objects.filter(user=user, verified=True).values_list("email", flat=True))
    now = timezone.now()
    return {
        "family": FamilyLink.objects.filter(
            invitee_email__in=emails, status=FamilyLink.Status.PENDING, expires_at__gt=now
        ).count(),
        "therapist": TherapistConnection.objects.filter(
            invite_email__in=emails,
            client__isnull=True,
            status=TherapistConnection.Status.PENDING,
            expires_at__gt=now,
        ).count(),
    }
