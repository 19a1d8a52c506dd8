"""What the accounts app does: profiles, therapists, API tokens, export, deletion."""

from __future__ import annotations

from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from individuate.core.errors import ActionError

from .models import ApiToken, AuditEvent, TherapistProfile, User

MAX_TOKENS = 10


def therapists_accepting_clients() -> QuerySet[User]:
    return (
        User.objects.filter(role=User.Role.THERAPIST, is_active=True, therapist_profile__accepting_clients=True)
        .select_related("therapist_profile")
        .order_by("therapist_profile__display_name")
    )


def get_therapist(therapist_id: int, *, accepting: bool = False) -> User:
    therapists = User.objects.filter(pk=therapist_id, role=User.Role.THERAPIST, is_active=True)
    if accepting:
        therapists = therapists.filter(therapist_profile__accepting_clients=True)
    therapist = therapists.select_related("therapist_profile").first()
    if therapist is None or not hasattr(therapist, "therapist_profile"):
        raise ActionError("There is no such therapist.", "not_found")
    return therapist


def make_therapist(user: User, display_name: str, credentials: str = "", phone: str = "") -> User:
    """Turn an account into a therapist (operator action, also used by seed_demo)."""
    with transaction.atomic():
        user.role = User.Role.THERAPIST
        user.save(update_fields=["role"])
        TherapistProfile.objects.update_or_create(
            user=user,
            defaults={
                "display_name": display_name,
                "credentials": credentials,
                "contact_email": user.email,
                "contact_phone": phone,
            },
        )
    return user


# ---------------------------------------------------------------- API tokens


def issue_api_token(user: User, name: str) -> tuple[ApiToken, str]:
    name = " ".join((name or "").split())
    if not name:
        raise ActionError("Give the token a name, e.g. “my laptop”.")
    if len(name) > 60:
        raise ActionError("A token name can be at most 60 characters.")
    if user.api_tokens.active().count() >= MAX_TOKENS:
        raise ActionError(f"You can have at most {MAX_TOKENS} active tokens.", "conflict")
    return ApiToken.issue(user, name)


def revoke_api_token(user: User, token_id: int) -> None:
    changed = user.api_tokens.active().filter(pk=token_id).update(revoked_at=timezone.now())
    if not changed:
        raise ActionError("No such active token.", "not_found")


def revoke_all_api_tokens(sender: object = None, *, user: User, **kwargs: object) -> int:
    """Signal receiver (password changed or reset) and plain function alike."""
    return user.api_tokens.active().update(revoked_at=timezone.now())


# ---------------------------------------------------------------- deletion


def erase_account_traces(user: User) -> None:
    """What deleting an account removes beyond the cascade: admin log entries about it;
    and an anonymous audit entry is written."""
    LogEntry.objects.filter(content_type=ContentType.objects.get_for_model(User), object_id=str(user.pk)).delete()
    AuditEvent.objects.create(action="account_deleted", role=user.role)
