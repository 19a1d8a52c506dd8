"""What the accounts app does: profiles, therapists, API tokens, export, deletion."""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core import signing
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from individuate.core import limits
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


# ---------------------------------------------------------------- re-authentication

REAUTH_FAILURES = 5
REAUTH_LOCKOUT = timedelta(minutes=15)
LOCKED_OUT = "Too many wrong attempts. Wait 15 minutes and try again."
EXPORT_TOKEN_SALT = "individuate.accounts.export-token"


def _failures_key(user: User) -> str:
    return f"reauth-failed:user:{user.pk}"


def reauthentication_locked(user: User) -> bool:
    """Whether this account is locked out of re-authentication (password re-entry, the
    password change, export tokens) after repeated wrong passwords or codes."""
    with transaction.atomic():
        limits.lock(_failures_key(user))
        return limits.count(_failures_key(user), REAUTH_LOCKOUT) >= REAUTH_FAILURES


def record_reauthentication_failure(user: User) -> None:
    """Counted in its own transaction, so it stays counted when the caller's request fails."""
    with transaction.atomic():
        limits.lock(_failures_key(user))
        limits.record(_failures_key(user))


def verify_credentials(user: User, *, password: str = "", code: str = "") -> None:
    """A fresh proof that this is the account's owner: the password, or where two-factor is
    on, a current authenticator code. Wrong answers count towards a lock-out."""
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import TOTP

    if reauthentication_locked(user):
        raise ActionError(LOCKED_OUT, "too_many")
    ok = False
    if password:
        ok = user.check_password(password)
    elif code:
        authenticator = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
        ok = authenticator is not None and TOTP(authenticator).validate_code(code.strip())
    if not ok:
        record_reauthentication_failure(user)
        raise ActionError("That password (or code) is not right.", "forbidden")


def issue_export_token(user: User, *, password: str = "", code: str = "") -> str:
    """A token for one download of the data export, valid for EXPORT_TOKEN_SECONDS."""
    verify_credentials(user, password=password, code=code)
    return signing.dumps({"u": user.pk, "n": secrets.token_hex(12)}, salt=EXPORT_TOKEN_SALT)


@transaction.atomic
def redeem_export_token(user: User, token: str) -> None:
    try:
        data = signing.loads(token or "", salt=EXPORT_TOKEN_SALT, max_age=settings.EXPORT_TOKEN_SECONDS)
    except signing.SignatureExpired as exc:
        raise ActionError("This export token has expired. Ask for a new one.", "forbidden") from exc
    except signing.BadSignature as exc:
        message = "Get an export token first: POST /api/me/export-token with your password."
        raise ActionError(message, "forbidden") from exc
    if not isinstance(data, dict) or data.get("u") != user.pk:
        raise ActionError("This export token is not yours.", "forbidden")
    if not limits.take(f"export-token:{data.get('n')}", 1, limits.LONGEST_WINDOW):
        raise ActionError("This export token was already used. Ask for a new one.", "forbidden")


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
