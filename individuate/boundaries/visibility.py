"""Who can see a person's records of one kind, in one truthful sentence.

Pages that say who can read what (a questionnaire, a plan) compute it here from the
person's actual grants, so a promise like "only you can see this" is never shown
while a therapist holds the grant.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .models import SCOPE_TITLES, TherapistConnection

if TYPE_CHECKING:
    from individuate.accounts.models import User


def grant_holders(owner: User, scope: str) -> list[User]:
    """Therapists with an active connection and an unrevoked SCOPE grant from OWNER.

    Wider than :func:`policy.therapists_with_scope` on purpose: a holder who has not
    yet switched on two-factor cannot read today but will as soon as they do, so a
    sentence about who can see the records names them too.
    """
    connections = TherapistConnection.objects.filter(
        client=owner,
        status=TherapistConnection.Status.ACTIVE,
        grants__scope=scope,
        grants__revoked_at__isnull=True,
        therapist__is_active=True,
    ).select_related("therapist__therapist_profile")
    return list({c.therapist_id: c.therapist for c in connections}.values())


def _names(people: list[User]) -> str:
    names = [p.name for p in people]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def who_can_see(owner: User, scope: str, what: str = "this") -> str:
    """E.g. "You and Dr Lee can see your answers: you share “Measures” with them.
    No family member can." — or "Only you can see …" when nobody holds the grant."""
    title = SCOPE_TITLES[scope]
    holders = grant_holders(owner, scope)
    if not holders:
        return (
            f"Only you can see {what}. No family member can, and no therapist: you do not share “{title}” with anyone."
        )
    return f"You and {_names(holders)} can see {what}: you share “{title}” with them. No family member can."
