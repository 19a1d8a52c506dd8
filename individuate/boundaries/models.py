"""Relationships between accounts, consent, and the record of who read what.

Nothing here holds anyone's diary-like data; this app decides who may see the
data the other apps hold (see ``policy.py``).
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

SCOPES: dict[str, str] = {
    "measures": "Questionnaires and their scores",
    "checkins": "Daily check-ins, contacts and the people you track",
    "journal": "Journal entries",
    "plans": "Healing plan, goals and steps",
    "coupling": "Coupling reports (how your moods follow another's)",
}
SCOPE_TITLES: dict[str, str] = {
    "measures": "Measures",
    "checkins": "Check-ins",
    "journal": "Journal",
    "plans": "Plans",
    "coupling": "Coupling",
}
SCOPE_CHOICES = [(key, key) for key in SCOPES]


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def new_token() -> tuple[str, str]:
    raw = secrets.token_urlsafe(32)
    return raw, hash_token(raw)


def invitation_expiry() -> datetime:
    return timezone.now() + timedelta(days=settings.INVITATION_DAYS)


class TrackedPerson(models.Model):
    """Someone in a person's life they want to work on, e.g. "my mother"."""

    class Role(models.TextChoices):
        PARENT = "parent", "Parent"
        CHILD = "child", "Child"
        PARTNER = "partner", "Partner"
        SOMEONE_ELSE = "other", "Someone else"

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="others")
    name = models.CharField(max_length=60)
    role = models.CharField(max_length=16, choices=Role.choices)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [models.UniqueConstraint(fields=["owner", "name"], name="other_unique_name_per_owner")]

    def __str__(self) -> str:
        return self.name


class FamilyLink(models.Model):
    """An invitation, then a link, between one person's TrackedPerson and another account.

    Both sides must accept; either side may end it at any time, silently.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Invitation sent"
        ACTIVE = "active", "Linked"
        DECLINED = "declined", "Declined"
        CANCELLED = "cancelled", "Cancelled"
        ENDED = "ended", "Ended"

    inviter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="family_links_sent")
    inviter_other = models.ForeignKey(TrackedPerson, on_delete=models.CASCADE, related_name="links_as_inviter")
    invitee_email = models.EmailField()
    invitee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="family_links_received",
    )
    invitee_other = models.ForeignKey(
        TrackedPerson, on_delete=models.CASCADE, null=True, blank=True, related_name="links_as_invitee"
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(default=invitation_expiry)
    responded_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    # Whether the invited person said no (declined, or ended the link). Never
    # shown to the inviter; it only stops further invitation e-mails to them.
    refused_by_invitee = models.BooleanField(default=False)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["inviter_other"],
                condition=Q(status__in=["pending", "active"]),
                name="familylink_one_open_per_inviter_other",
            ),
            models.UniqueConstraint(
                fields=["invitee_other"],
                condition=Q(status="active"),
                name="familylink_one_active_per_invitee_other",
            ),
        ]

    def __str__(self) -> str:
        return f"FamilyLink #{self.pk} ({self.status})"

    @property
    def is_expired(self) -> bool:
        return self.status == self.Status.PENDING and self.expires_at <= timezone.now()


class TherapistConnection(models.Model):
    """A person and a therapist who have both agreed to work together."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for an answer"
        ACTIVE = "active", "Connected"
        DECLINED = "declined", "Declined"
        ENDED = "ended", "Ended"

    class Initiator(models.TextChoices):
        THERAPIST = "therapist", "Therapist"
        CLIENT = "client", "Client"

    therapist = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="client_connections")
    client = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="therapist_connections",
    )
    invite_email = models.EmailField(blank=True)
    initiated_by = models.CharField(max_length=16, choices=Initiator.choices)
    message = models.CharField(max_length=500, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    token_hash = models.CharField(max_length=64, unique=True, null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(default=invitation_expiry)
    accepted_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    # The client declined the invitation or ended the connection: no more
    # invitation e-mails from this therapist to that address.
    refused_by_invitee = models.BooleanField(default=False)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["therapist", "client"],
                condition=Q(status__in=["pending", "active"]),
                name="connection_one_open_per_pair",
            ),
            models.UniqueConstraint(
                fields=["therapist", "invite_email"],
                condition=Q(status="pending", client__isnull=True),
                name="connection_one_open_invite_per_email",
            ),
        ]

    def __str__(self) -> str:
        return f"TherapistConnection #{self.pk} ({self.status})"

    @property
    def is_expired(self) -> bool:
        return self.status == self.Status.PENDING and self.expires_at <= timezone.now()

    def active_scopes(self) -> set[str]:
        return set(self.grants.filter(revoked_at__isnull=True).values_list("scope", flat=True))


class ConsentGrant(models.Model):
    """One scope a client has shared with a connected therapist, from granted to revoked."""

    connection = models.ForeignKey(TherapistConnection, on_delete=models.CASCADE, related_name="grants")
    scope = models.CharField(max_length=16, choices=SCOPE_CHOICES)
    granted_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-granted_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["connection", "scope"],
                condition=Q(revoked_at__isnull=True),
                name="grant_one_active_per_scope",
            )
        ]

    def __str__(self) -> str:
        return f"{self.scope} ({'active' if self.revoked_at is None else 'revoked'})"


class AccessEvent(models.Model):
    """One read of a person's records by someone else, allowed or denied.

    The owner reads the allowed ones (their access log); the operator also sees
    denials in the admin.
    """

    class Via(models.TextChoices):
        PAGE = "page", "Page"
        API = "api", "API"

    at = models.DateTimeField(default=timezone.now, db_index=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="access_events",
    )
    viewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="access_events_as_viewer",
    )
    viewer_label = models.CharField(max_length=160)
    kind = models.CharField(max_length=40)
    via = models.CharField(max_length=8, choices=Via.choices)
    allowed = models.BooleanField()
    reason = models.CharField(max_length=40)
    path = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["owner", "allowed", "-at"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.viewer_label} {self.kind} {self.reason}"


class DoNotInvite(models.Model):
    """An address that gets no family invitations: its owner declined one, ended a link,
    or followed "never ask me again". Holds a hash of the normalised mailbox, never the
    address, and no account — so it outlives the deletion of either person's account."""

    class Reason(models.TextChoices):
        DECLINED = "declined", "Declined an invitation"
        ENDED = "ended", "Ended a link"
        NEVER = "never", "Asked never to be invited"

    address_hash = models.CharField(max_length=64, db_index=True)
    reason = models.CharField(max_length=16, choices=Reason.choices)
    created_at = models.DateTimeField(default=timezone.now)
    until = models.DateTimeField(null=True, blank=True)  # empty: for ever

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"do not invite ({self.reason})"
