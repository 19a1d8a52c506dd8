"""A therapist's practice: profile, hours, appointments, requests from the public."""

from __future__ import annotations

import secrets
import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone


def new_feed_token() -> str:
    return secrets.token_urlsafe(24)


class PracticeProfile(models.Model):
    """Booking rules and the public page of one therapist."""

    class Service(models.TextChoices):
        COUNSELLING = "counselling", "Individual counselling"
        MEDIATION = "mediation", "Family mediation"
        PARENTING_PLAN = "parenting_plan", "Parenting plans"

    therapist = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="practice")
    slug = models.SlugField(max_length=60, unique=True)
    headline = models.CharField(
        "A line under your name",
        max_length=160,
        blank=True,
        help_text="e.g. “Counselling for adult children and parents”",
    )
    photo = models.ImageField(upload_to="therapists/", blank=True)
    approach = models.TextField("My approach, in my own words", max_length=3000, blank=True)
    services = models.JSONField(default=list, blank=True)
    time_zone = models.CharField(max_length=64, default="UTC")
    session_minutes = models.PositiveSmallIntegerField("Length of a session (minutes)", default=50)
    buffer_minutes = models.PositiveSmallIntegerField(
        "Break after each session (minutes)",
        default=10,
        help_text="Kept free after a session, so two sessions never run back to back.",
    )
    min_notice_hours = models.PositiveSmallIntegerField(
        "Minimum notice before a booking (hours)",
        default=24,
        help_text="Clients cannot book a time that starts sooner than this. 24 means “from tomorrow, this time”.",
    )
    horizon_days = models.PositiveSmallIntegerField(
        "How far ahead clients can book (days)",
        default=60,
        help_text="Times further in the future than this are not offered.",
    )
    granularity_minutes = models.PositiveSmallIntegerField(
        "Sessions can start every … minutes",
        default=30,
        help_text="30 offers start times on the hour and the half hour.",
    )
    late_cancel_hours = models.PositiveSmallIntegerField(
        "A cancellation counts as late within (hours)",
        default=24,
        help_text="Cancelling closer to the start than this is shown as a late cancellation.",
    )
    instant_booking = models.BooleanField(
        "Connected clients book without waiting for me",
        default=False,
        help_text="Off: you confirm each request. On: a free time is booked at once.",
    )
    feed_token = models.CharField(max_length=64, unique=True, default=new_feed_token)

    def __str__(self) -> str:
        return f"practice of {self.therapist_id}"


class WeeklyHours(models.Model):
    therapist = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="weekly_hours")
    weekday = models.PositiveSmallIntegerField(
        choices=[
            (i, d) for i, d in enumerate(["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"])
        ]
    )
    start = models.TimeField()
    end = models.TimeField()

    class Meta:
        ordering = ["weekday", "start"]
        constraints = [
            models.CheckConstraint(condition=models.Q(end__gt=models.F("start")), name="hours_end_after_start")
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.start:%H:%M}–{self.end:%H:%M}"


class AvailabilityException(models.Model):
    class Kind(models.TextChoices):
        OFF = "off", "Day off / time off"
        EXTRA = "extra", "Extra hours"

    therapist = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="availability_exceptions"
    )
    day = models.DateField()
    kind = models.CharField(max_length=8, choices=Kind.choices)
    start = models.TimeField(null=True, blank=True)
    end = models.TimeField(null=True, blank=True)

    class Meta:
        ordering = ["day", "start"]

    def __str__(self) -> str:
        return f"{self.day} {self.kind}"


class Appointment(models.Model):
    """One session. Confirmed sessions of one therapist never overlap — the database
    enforces it (an exclusion constraint on PostgreSQL; serialised writes on SQLite)."""

    class Status(models.TextChoices):
        REQUESTED = "requested", "Requested"
        CONFIRMED = "confirmed", "Confirmed"
        DECLINED = "declined", "Declined"
        CANCELLED = "cancelled", "Cancelled"

    therapist = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="appointments_given")
    client = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="appointments")
    start = models.DateTimeField()
    end = models.DateTimeField()
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.REQUESTED)
    uid = models.UUIDField(default=uuid.uuid4, unique=True)
    sequence = models.PositiveIntegerField(default=0)
    reason = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    reminded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["start"]
        indexes = [models.Index(fields=["therapist", "status", "start"])]
        constraints = [
            models.CheckConstraint(condition=models.Q(end__gt=models.F("start")), name="appointment_end_after_start")
        ]

    def __str__(self) -> str:
        return f"appointment {self.pk} {self.status}"


class AppointmentEvent(models.Model):
    """The history of an appointment: who did what, when."""

    appointment = models.ForeignKey(Appointment, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(max_length=20)
    note = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.at:%Y-%m-%d}"


class ContactRequest(models.Model):
    """A message from the public page: someone, maybe without an account, asks for an appointment."""

    therapist = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="contact_requests")
    name = models.CharField(max_length=120)
    email = models.EmailField()
    phone = models.CharField(max_length=40, blank=True)
    message = models.TextField(max_length=2000)
    preferred_times = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    handled_at = models.DateTimeField(null=True, blank=True)
    ip_hash = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"request from {self.name}"
