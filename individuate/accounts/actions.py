"""What the accounts app does: profiles, therapists, API tokens, export, deletion."""

from __future__ import annotations

import secrets
from collections.abc import Callable
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
        User.objects.filter(
            role=User.Role.THERAPIST,
            is_active=True,
            therapist_profile__accepting_clients=True,
            therapist_profile__approved_at__isnull=False,
        )
        .select_related("therapist_profile")
        .order_by("therapist_profile__display_name")
    )


def get_therapist(therapist_id: int, *, accepting: bool = False) -> User:
    therapists = User.objects.filter(
        pk=therapist_id, role=User.Role.THERAPIST, is_active=True, therapist_profile__approved_at__isnull=False
    )
    if accepting:
        therapists = therapists.filter(therapist_profile__accepting_clients=True)
    therapist = therapists.select_related("therapist_profile").first()
    if therapist is None or not hasattr(therapist, "therapist_profile"):
        raise ActionError("There is no such therapist.", "not_found")
    return therapist


def make_therapist(user: User, display_name: str, credentials: str = "", phone: str = "") -> User:
    """Turn an account into an approved therapist (operator action, also used by seed_demo)."""
    with transaction.atomic():
        user.role = User.Role.THERAPIST
        user.save(update_fields=["role"])
        profile, _ = TherapistProfile.objects.update_or_create(
            user=user,
            defaults={
                "display_name": display_name,
                "credentials": credentials,
                "contact_email": user.email,
                "contact_phone": phone,
            },
        )
        if profile.approved_at is None:
            profile.approved_at = timezone.now()
            profile.save(update_fields=["approved_at"])
    return user


# ---------------------------------------------------------------- re-authentication

REAUTH_FAILURES = 5
REAUTH_LOCKOUT = timedelta(minutes=15)
LOCKED_OUT = "Too many wrong attempts. Wait 15 minutes and try again."
EXPORT_TOKEN_SALT = "individuate.accounts.export-token"


def _failures_key(user: User) -> str:
    return f"reauth-failed:user:{user.pk}"


def attempt_reauthentication(user: User, check: Callable[[], bool]) -> bool:
    """Run ``check`` (a password or code comparison) as one attempt at re-authentication
    (password re-entry, the password change, account deletion, export tokens).

    The attempt is counted *before* the check, under the key's lock, and forgotten again
    if it succeeds: so a burst of guesses at once gets no more than ``REAUTH_FAILURES``
    checks between them, not one each against the same count. Raises ``ActionError``
    ("too_many") while the account is locked out. A ``check`` that raises counts as wrong."""
    key = _failures_key(user)
    with transaction.atomic():
        limits.lock(key)
        if limits.count(key, REAUTH_LOCKOUT) >= REAUTH_FAILURES:
            raise ActionError(LOCKED_OUT, "too_many")
        attempt = limits.record(key)
    ok = bool(check())
    if ok:
        attempt.delete()
    return ok


def verify_credentials(user: User, *, password: str = "", code: str = "") -> None:
    """A fresh proof that this is the account's owner: the password, or where two-factor is
    on, a current authenticator code. Wrong answers count towards a lock-out."""
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import TOTP

    def check() -> bool:
        if password:
            return user.check_password(password)
        if code:
            authenticator = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
            return authenticator is not None and bool(TOTP(authenticator).validate_code(code.strip()))
        return False

    if not attempt_reauthentication(user, check):
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


# ---------------------------------------------------------------- therapist applications


def _one_line(value: str, label: str, limit: int, *, required: bool = False) -> str:
    value = " ".join((value or "").split())
    if required and not value:
        raise ActionError(f"{label} is required.")
    if len(value) > limit or "\x00" in value:
        raise ActionError(f"{label} can be at most {limit} characters.")
    return value


def operator_recipients() -> list[User | str]:
    """Who hears of a new application: active staff accounts, and settings.ADMINS."""
    from django.conf import settings

    staff: list[User | str] = list(User.objects.filter(is_staff=True, is_active=True).order_by("pk"))
    known = {u.email.lower() for u in staff if isinstance(u, User)}
    for _, address in getattr(settings, "ADMINS", []):
        if address.lower() not in known:
            staff.append(address)
            known.add(address.lower())
    return staff


@transaction.atomic
def apply_as_therapist(
    user: User,
    *,
    display_name: str,
    credentials: str,
    registration: str,
    services: str,
    contact_email: str = "",
    contact_phone: str = "",
) -> TherapistProfile:
    """A professional asks for a therapist account. Nothing is listed, and no client can be
    reached, until the operator approves it (:func:`approve_therapist`)."""
    from django.core.exceptions import ValidationError
    from django.core.validators import validate_email
    from django.urls import reverse

    from individuate.core.mail import queue_email

    if user.is_therapist:
        raise ActionError("This account is already a therapist account.", "conflict")
    user = User.objects.select_for_update().get(pk=user.pk)
    existing = TherapistProfile.objects.filter(user=user).first()
    if existing is not None and existing.applied_at is not None:
        raise ActionError("Your application is already waiting for the operator.", "conflict")
    contact_email = (contact_email or "").strip()
    if contact_email:
        try:
            validate_email(contact_email)
        except ValidationError as exc:
            raise ActionError("Enter a valid contact e-mail address, or leave it empty.") from exc
    text = (services or "").strip()
    if not text:
        raise ActionError("Say what you offer (e.g. individual counselling, family mediation).")
    if len(text) > 2000 or "\x00" in text:
        raise ActionError("What you offer can be at most 2000 characters.")
    profile, _ = TherapistProfile.objects.update_or_create(
        user=user,
        defaults={
            "display_name": _one_line(display_name, "Your name as clients will see it", 120, required=True),
            "credentials": _one_line(credentials, "Qualifications", 200, required=True),
            "registration": _one_line(registration, "Professional registration", 200, required=True),
            "services": text,
            "contact_email": contact_email,
            "contact_phone": _one_line(contact_phone, "Phone", 40),
            "accepting_clients": True,
            "applied_at": timezone.now(),
            "approved_at": None,
        },
    )
    review_path = reverse("admin:accounts_therapistprofile_change", args=[profile.pk])
    for recipient in operator_recipients():
        queue_email(
            "accounts/therapist-application",
            to=recipient,
            context={"applicant": profile.display_name, "review_path": review_path},
            about=user,
        )
    return profile


@transaction.atomic
def approve_therapist(profile_id: int) -> TherapistProfile:
    """The operator approves an application: the account becomes a therapist, is told, and
    is led to switch on two-factor first (no client is shown before that)."""
    from django.urls import reverse

    from individuate.core.mail import queue_email

    profile = TherapistProfile.objects.select_for_update().select_related("user").filter(pk=profile_id).first()
    if profile is None:
        raise ActionError("There is no such application.", "not_found")
    if profile.approved_at is not None:
        return profile
    profile.approved_at = timezone.now()
    profile.save(update_fields=["approved_at"])
    user = profile.user
    user.role = User.Role.THERAPIST
    user.save(update_fields=["role"])
    queue_email(
        "accounts/therapist-approved",
        to=user,
        context={"name": profile.display_name, "mfa_path": reverse("mfa_activate_totp")},
    )
    return profile


def pending_application(user: User) -> TherapistProfile | None:
    profile = TherapistProfile.objects.filter(user=user, applied_at__isnull=False, approved_at__isnull=True).first()
    return profile


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
