"""A person's answers to questionnaires, the flags they raise, and assignments."""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class Response(models.Model):
    """One sitting of one instrument: saved answer by answer, then scored once."""

    class Status(models.TextChoices):
        IN_PROGRESS = "in_progress", "In progress"
        COMPLETED = "completed", "Completed"
        # Left unfinished for weeks with a safety flag: closed (answers and flag kept) so
        # that a fresh sitting asks about the last two weeks again.
        CLOSED = "closed", "Closed unfinished"

    class Layout(models.TextChoices):
        ONE = "one", "One question per screen"
        ALL = "all", "All questions on one page"

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="measure_responses")
    instrument = models.CharField(max_length=64)
    instrument_version = models.CharField(max_length=20)
    layout = models.CharField(max_length=8, choices=Layout.choices, default=Layout.ONE)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.IN_PROGRESS)
    answers = models.JSONField(default=dict, blank=True)
    started_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    completed_at = models.DateTimeField(null=True, blank=True, db_index=True)
    total = models.FloatField(null=True, blank=True)
    band = models.CharField(max_length=40, blank=True)
    subscales = models.JSONField(default=dict, blank=True)
    flags = models.JSONField(default=list, blank=True)
    assignment = models.ForeignKey(
        "Assignment", on_delete=models.SET_NULL, null=True, blank=True, related_name="responses"
    )

    class Meta:
        ordering = ["-started_at", "-id"]
        constraints = [
            # One unfinished sitting per instrument: starting again resumes it.
            models.UniqueConstraint(
                fields=["owner", "instrument"],
                condition=Q(status="in_progress"),
                name="response_one_in_progress_per_instrument",
            )
        ]
        indexes = [models.Index(fields=["owner", "instrument", "status", "completed_at"])]

    def __str__(self) -> str:
        return f"{self.instrument} #{self.pk} ({self.status})"

    @property
    def is_completed(self) -> bool:
        return self.status == self.Status.COMPLETED


class SafetyFlag(models.Model):
    """An answer that must never be silently dropped (e.g. PHQ-9 item 9 above 0).

    Raised the moment the answer is saved, not when the questionnaire is
    submitted, so closing the page right after answering still leaves it.
    """

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="safety_flags")
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="safety_flags")
    flag = models.CharField(max_length=40)
    item = models.CharField(max_length=64)
    value = models.PositiveSmallIntegerField(help_text="The answer that raised the flag.")
    highest_value = models.PositiveSmallIntegerField(default=0)
    latest_value = models.PositiveSmallIntegerField(null=True, blank=True)
    raised_at = models.DateTimeField(default=timezone.now)
    rose_at = models.DateTimeField(null=True, blank=True)
    # The short follow-up about right now, offered after the flag (None: not answered).
    thinking_now = models.BooleanField(null=True, blank=True)
    plan_or_act = models.BooleanField(null=True, blank=True)
    followed_up_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-raised_at"]
        constraints = [models.UniqueConstraint(fields=["response", "flag"], name="safetyflag_once_per_response")]

    def __str__(self) -> str:
        return f"{self.flag} on {self.response_id}"

    @property
    def urgent(self) -> bool:
        """The follow-up said yes: thoughts of suicide right now, or a plan or an act."""
        return bool(self.thinking_now or self.plan_or_act)


class SafetyFlagSeen(models.Model):
    """One therapist has seen one flag. Per therapist, so one therapist's click never
    clears the marker for another, and nobody learns of the client's other therapists."""

    flag = models.ForeignKey(SafetyFlag, on_delete=models.CASCADE, related_name="seen")
    therapist = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["flag", "therapist"], name="flag_seen_once_per_therapist")]

    def __str__(self) -> str:
        return f"flag {self.flag_id} seen by {self.therapist_id}"


class Assignment(models.Model):
    """A therapist asks a client to complete an instrument, once or repeatedly."""

    class Recurrence(models.TextChoices):
        ONCE = "once", "Once"
        WEEKLY = "weekly", "Every week"
        BIWEEKLY = "biweekly", "Every 2 weeks"
        MONTHLY = "monthly", "Every 4 weeks"

    PERIOD_DAYS: dict[str, int] = {Recurrence.WEEKLY: 7, Recurrence.BIWEEKLY: 14, Recurrence.MONTHLY: 28}

    therapist = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="measure_assignments_given"
    )
    client = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="measure_assignments")
    instrument = models.CharField(max_length=64)
    recurrence = models.CharField(max_length=12, choices=Recurrence.choices)
    due_on = models.DateField()
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)
    last_reminded_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["due_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["therapist", "client", "instrument"],
                condition=Q(active=True),
                name="assignment_one_active_per_instrument",
            )
        ]

    def __str__(self) -> str:
        return f"{self.instrument} for {self.client_id} ({self.recurrence})"

    def next_due_after(self, completed_on: date) -> date | None:
        """The next due date once the one due on or before ``completed_on`` is done."""
        if self.recurrence == self.Recurrence.ONCE:
            return None
        step = timedelta(days=self.PERIOD_DAYS[self.recurrence])
        due = self.due_on
        while due <= completed_on:
            due += step
        return due
