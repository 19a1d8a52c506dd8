"""A mediation case: a mediator, two parents, their children, and the plan they write together."""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone


def new_token() -> tuple[str, str]:
    """A secret for a URL and the SHA-256 we keep of it (so a database leak opens nothing)."""
    raw = secrets.token_urlsafe(24)
    return raw, hash_token(raw)


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class Case(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"

    # A mediator deleting their account leaves the parents their plan (read-only, no mediator).
    mediator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="mediation_cases"
    )
    title = models.CharField(max_length=120)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    # Each parent only ever talks to the mediator; nothing one parent writes reaches the other.
    separate_sessions = models.BooleanField(default=False)
    # The parents must not meet: every exchange at a neutral place or through a third person.
    must_not_meet = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title


class Party(models.Model):
    """One of the two parents: an account once they join, or a name only."""

    class Role(models.TextChoices):
        A = "A", "Parent A"
        B = "B", "Parent B"

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="parties")
    role = models.CharField(max_length=1, choices=Role.choices)
    name = models.CharField(max_length=60, help_text="The name the plan uses for this parent.")
    # If the parent deletes their account the plan keeps their name; the case goes on as name-only.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="mediation_parties"
    )
    invited_email = models.EmailField(blank=True)
    invite_token_hash = models.CharField(max_length=64, blank=True, db_index=True)
    invited_at = models.DateTimeField(null=True, blank=True)
    joined_at = models.DateTimeField(null=True, blank=True)
    # The parent's own address and phone; the other parent sees it only when shared.
    contact_details = models.TextField(blank=True, max_length=1000)
    share_contact = models.BooleanField(default=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["case", "role"], name="mediation_one_party_per_role")]
        ordering = ["role"]

    def __str__(self) -> str:
        return f"{self.name} ({self.role})"


class Child(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="children")
    first_name = models.CharField(max_length=40)
    birth_date = models.DateField()

    class Meta:
        ordering = ["birth_date"]

    def __str__(self) -> str:
        return self.first_name


class CaseSession(models.Model):
    """A practice appointment that belongs to this case."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="sessions")
    appointment = models.ForeignKey("practice.Appointment", on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["case", "appointment"], name="mediation_session_once")]

    def __str__(self) -> str:
        return f"case {self.case_id} session {self.appointment_id}"


class PlanVersion(models.Model):
    """Every saved state of the plan; the highest number is the draft. Never changed once written."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    document = models.JSONField()
    sha256 = models.CharField(max_length=64)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="mediation_versions"
    )
    author_label = models.CharField(max_length=120)
    summary = models.CharField(max_length=300)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["case", "number"], name="mediation_version_number")]
        ordering = ["number"]

    def __str__(self) -> str:
        return f"case {self.case_id} version {self.number}"


class Comment(models.Model):
    """A parent's (or the mediator's) comment on a section — with a proposed change, a proposal."""

    class Status(models.TextChoices):
        COMMENT = "comment", "Comment"
        OPEN = "open", "Proposal, waiting"
        ACCEPTED = "accepted", "Proposal accepted"
        DECLINED = "declined", "Proposal declined"

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="comments")
    version = models.ForeignKey(PlanVersion, on_delete=models.CASCADE, related_name="comments")
    section = models.CharField(max_length=40)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mediation_comments")
    text = models.TextField(max_length=4000)
    proposal = models.JSONField(null=True, blank=True)  # a section value (plan_document.section_value)
    # A mediator's comment for one parent only (in separate sessions, a reply to that parent); null: both.
    to_party = models.ForeignKey(Party, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.COMMENT)
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField(max_length=500, blank=True)
    accepted_into = models.ForeignKey(PlanVersion, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.status} on {self.section}"

    @property
    def section_title(self) -> str:
        from .plan_document import section_title

        return section_title(self.section)


class Agreement(models.Model):
    """A parent's agreement to one exact version, bound to its SHA-256."""

    version = models.ForeignKey(PlanVersion, on_delete=models.CASCADE, related_name="agreements")
    party = models.ForeignKey(Party, on_delete=models.CASCADE, related_name="agreements")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mediation_agreements")
    typed_name = models.CharField(max_length=120)
    signed_on = models.DateField()
    sha256 = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["version", "party"], name="mediation_agree_once")]

    def __str__(self) -> str:
        return f"agreement to version {self.version_id}"


class PrivateNote(models.Model):
    """A parent's note to the mediator only; the other parent never sees it."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="private_notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mediation_notes")
    text = models.TextField(max_length=4000)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"note {self.pk}"


class FeedToken(models.Model):
    """A parent's private calendar-feed address; revoking it stops the old address at once."""

    party = models.ForeignKey(Party, on_delete=models.CASCADE, related_name="feed_tokens")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"feed of party {self.party_id}"
