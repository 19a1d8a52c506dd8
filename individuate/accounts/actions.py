"""What the accounts app does: profiles, therapists, API tokens, export, deletion."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from typing import Any

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from individuate.boundaries.models import AccessEvent, TherapistConnection
from individuate.core.records import EXPORTERS
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


# ---------------------------------------------------------------- your data is yours


def export_records(user: User) -> dict[str, list[dict[str, Any]]]:
    """Every record the user owns, by kind, from every app's registered exporter."""
    return {name: exporter(user) for name, exporter in sorted(EXPORTERS.items())}


def _csv(rows: list[dict[str, Any]]) -> str:
    buffer = io.StringIO()
    columns: list[str] = []
    for row in rows:
        columns.extend(key for key in row if key not in columns)
    writer = csv.DictWriter(buffer, fieldnames=columns or ["(no records)"])
    writer.writeheader()
    for row in rows:
        writer.writerow({k: json.dumps(v) if isinstance(v, (dict, list)) else v for k, v in row.items()})
    return buffer.getvalue()


def export_zip(user: User) -> bytes:
    records = export_records(user)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "README.txt",
            "Everything Individuate holds about you, exported on "
            f"{timezone.now():%Y-%m-%d %H:%M} UTC.\n"
            "Each kind of record is here twice: as JSON and as CSV.\n"
            "access_log lists every time someone else read your records.\n",
        )
        for name, rows in records.items():
            archive.writestr(f"{name}.json", json.dumps(rows, indent=2, default=str))
            archive.writestr(f"{name}.csv", _csv(rows))
    return buffer.getvalue()


@transaction.atomic
def delete_account(user: User) -> None:
    """Remove the account and everything it owns. Connections and links end with it.

    What remains: an audit entry with no personal data, and in other people's
    access logs an entry that now reads "a deleted account".
    """
    addresses = {user.email.lower()} | {
        e.lower() for e in EmailAddress.objects.filter(user=user).values_list("email", flat=True)
    }
    AccessEvent.objects.filter(viewer=user).update(viewer_label="a deleted account")
    # A therapist's unanswered invitations to this person's addresses end with them.
    TherapistConnection.objects.filter(invite_email__in=addresses, client__isnull=True, status="pending").update(
        status="ended", ended_at=timezone.now(), invite_email="", token_hash=None
    )
    _forget_queued_work(addresses | ({user.display_name} if user.display_name else set()))
    LogEntry.objects.filter(content_type=ContentType.objects.get_for_model(User), object_id=str(user.pk)).delete()
    AuditEvent.objects.create(action="account_deleted", role=user.role)
    user.delete()


def _forget_queued_work(needles: set[str]) -> None:
    """Task-queue rows keep their arguments (e.g. an e-mail address); drop any that
    mention the deleted person, sent or not."""
    if "django_tasks_db" not in settings.INSTALLED_APPS:
        return
    from django_tasks_db.models import DBTaskResult

    lowered = [n.lower() for n in needles if n]
    doomed = [
        pk
        for pk, args in DBTaskResult.objects.values_list("pk", "args_kwargs").iterator()
        if any(n in json.dumps(args).lower() for n in lowered)
    ]
    DBTaskResult.objects.filter(pk__in=doomed).delete()
