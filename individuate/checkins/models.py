"""Daily check-ins, contacts and the journal — each person's own, private by default."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from individuate.boundaries.models import FamilyLink, TrackedPerson

SCALE = [MinValueValidator(0), MaxValueValidator(10)]


class CheckIn(models.Model):
    """How I feel right now, and how I think each person I track feels today."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="checkins")
    at = models.DateTimeField(default=timezone.now)
    local_date = models.DateField(help_text="The day in the person's own time zone.")
    # Each scale is empty (NULL) unless the person set it: nothing is filled in for them.
    mood = models.PositiveSmallIntegerField(
        validators=SCALE, null=True, blank=True, help_text="0 very low … 10 very good; empty when not set"
    )
    guilt = models.PositiveSmallIntegerField(validators=SCALE, null=True, blank=True)
    anger = models.PositiveSmallIntegerField(validators=SCALE, null=True, blank=True)
    anxiety = models.PositiveSmallIntegerField(validators=SCALE, null=True, blank=True)
    note = models.CharField(max_length=1000, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["owner", "local_date"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(mood__lte=10, guilt__lte=10, anger__lte=10, anxiety__lte=10),
                name="checkin_scale_0_10",
            )
        ]

    def __str__(self) -> str:
        return f"check-in {self.local_date} ({self.owner_id})"


class PerceivedMood(models.Model):
    checkin = models.ForeignKey(CheckIn, on_delete=models.CASCADE, related_name="perceived")
    other = models.ForeignKey(TrackedPerson, on_delete=models.CASCADE, related_name="perceived_moods")
    value = models.PositiveSmallIntegerField(validators=SCALE)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["checkin", "other"], name="perceived_once_per_checkin"),
            models.CheckConstraint(condition=Q(value__lte=10), name="perceived_scale_0_10"),
        ]

    def __str__(self) -> str:
        return f"{self.other_id}: {self.value}"


UNDO_MINUTES = 10


class LiveManager(models.Manager):  # type: ignore[type-arg]
    """Rows not deleted. The default manager, so pages, exports, progress and the API never
    see a deleted row; ``all_objects`` reaches them for undo and purging."""

    def get_queryset(self) -> models.QuerySet:  # type: ignore[type-arg]
        return super().get_queryset().filter(deleted_at__isnull=True)


class AllRowsManager(models.Manager):  # type: ignore[type-arg]
    """Deleted rows too: for undo, purging and the operator."""


class ContactEvent(models.Model):
    """One contact with someone I track, and how I answered it."""

    class Kind(models.TextChoices):
        CALL = "call", "Call"
        MESSAGE = "message", "Message"
        VISIT = "visit", "Visit"
        REQUEST = "request", "Request or expectation"

    class Reply(models.TextChoices):
        AT_ONCE = "at_once", "At once / did what was asked"
        OWN_TERMS = "own_terms", "Later, on my own terms"
        DECLINED = "declined", "Declined"

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="contact_events")
    other = models.ForeignKey(TrackedPerson, on_delete=models.CASCADE, related_name="contact_events")
    at = models.DateTimeField(default=timezone.now)
    local_date = models.DateField()
    kind = models.CharField(max_length=12, choices=Kind.choices)
    response = models.CharField("How I responded", max_length=12, choices=Reply.choices)
    guilt_after = models.PositiveSmallIntegerField(validators=SCALE, null=True, blank=True)
    note = models.CharField(max_length=1000, blank=True)
    # Deleting keeps the row for UNDO_MINUTES so it can be undone; then it is purged.
    deleted_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = LiveManager()
    all_objects = AllRowsManager()

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["owner", "local_date"])]
        constraints = [models.CheckConstraint(condition=Q(guilt_after__lte=10), name="contact_guilt_0_10")]

    def __str__(self) -> str:
        return f"{self.kind} {self.local_date}"


class JournalEntry(models.Model):
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="journal_entries")
    date = models.DateField()
    text = models.TextField(max_length=20000)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    deleted_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = LiveManager()
    all_objects = AllRowsManager()

    class Meta:
        ordering = ["-date", "-id"]

    def __str__(self) -> str:
        return f"journal {self.date}"


class ReminderSetting(models.Model):
    """A daily check-in reminder at the person's chosen local time."""

    owner = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="checkin_reminder")
    enabled = models.BooleanField(default=False)
    time = models.TimeField(default="20:00")
    # Each (re)schedule gets a new token; a queued reminder with an old token does nothing.
    token = models.UUIDField(default=uuid.uuid4)
    last_sent_on = models.DateField(null=True, blank=True)

    def __str__(self) -> str:
        return f"reminder {self.time} ({'on' if self.enabled else 'off'})"


class JointConsent(models.Model):
    """One side's choices about a joint coupling report with a linked person."""

    link = models.ForeignKey(FamilyLink, on_delete=models.CASCADE, related_name="joint_consents")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="joint_consents")
    opted_in = models.BooleanField(default=False)
    share_with_other = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["link", "user"], name="joint_consent_once_per_side")]

    def __str__(self) -> str:
        return f"joint consent {self.link_id}/{self.user_id}"


class CouplingReport(models.Model):
    """A stored result of the coupling engine (recomputed nightly and on demand)."""

    class Kind(models.TextChoices):
        SOLO = "solo", "Solo"
        JOINT = "joint", "Joint"

    kind = models.CharField(max_length=8, choices=Kind.choices)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="coupling_reports",
    )
    other = models.ForeignKey(
        TrackedPerson, on_delete=models.CASCADE, null=True, blank=True, related_name="coupling_reports"
    )
    link = models.ForeignKey(
        FamilyLink, on_delete=models.CASCADE, null=True, blank=True, related_name="coupling_reports"
    )
    computed_at = models.DateTimeField(default=timezone.now)
    result = models.JSONField(default=dict)

    class Meta:
        ordering = ["-computed_at"]
        constraints = [
            models.UniqueConstraint(fields=["other"], condition=Q(kind="solo"), name="one_solo_report_per_other"),
            models.UniqueConstraint(fields=["link"], condition=Q(kind="joint"), name="one_joint_report_per_link"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} report {self.computed_at:%Y-%m-%d}"


class CouplingPopulation(models.Model):
    """The population a kind of report's pooled estimates are shrunk toward: estimated once
    per nightly run from the deployment's eligible pairs (or a seeded sample of them) and
    read by every chunk and by the on-demand refresh, so nobody's estimate depends on which
    chunk they fell in.

    Aggregate only: the mean and covariance of the lagged effects across at least
    ``COUPLING_POPULATION_MIN_PAIRS`` pairs — nothing of any one person. With fewer pairs the
    built-in literature prior is stored instead (``source`` "prior")."""

    class Source(models.TextChoices):
        BATCH = "batch", "Estimated from this deployment"
        PRIOR = "prior", "Built-in prior from the literature"

    kind = models.CharField(max_length=8, choices=CouplingReport.Kind.choices, unique=True)
    source = models.CharField(max_length=8, choices=Source.choices)
    n_pairs = models.PositiveIntegerField(help_text="Usable pairs the estimate came from")
    eligible = models.PositiveIntegerField(help_text="Eligible pairs of the deployment at the time")
    min_pairs = models.PositiveIntegerField()
    computed_at = models.DateTimeField(default=timezone.now)
    # {"mean": [4], "cov": [[4×4]], "mean_cov": [[4×4]], "roles": [a, b], "effects": [...], "note": "..."}
    model = models.JSONField(default=dict)

    def __str__(self) -> str:
        return f"{self.kind} population ({self.source}, {self.n_pairs} pairs)"
