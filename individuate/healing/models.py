"""A person's own healing plan: goals, small steps, reflections and boundary scripts."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

SCALE = [MinValueValidator(0), MaxValueValidator(10)]


class PlanEnrollment(models.Model):
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="plans")
    plan = models.CharField(max_length=40)
    started_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["owner", "plan"], name="one_enrollment_per_plan")]

    def __str__(self) -> str:
        return f"{self.plan} ({self.owner_id})"


class ExerciseAnswer(models.Model):
    enrollment = models.ForeignKey(PlanEnrollment, on_delete=models.CASCADE, related_name="answers")
    exercise = models.CharField(max_length=60)
    text = models.TextField(max_length=4000, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["enrollment", "exercise"], name="one_answer_per_exercise")]

    def __str__(self) -> str:
        return f"{self.exercise} ({self.enrollment_id})"


class Goal(models.Model):
    enrollment = models.ForeignKey(PlanEnrollment, on_delete=models.CASCADE, related_name="goals")
    step = models.CharField(max_length=40)
    text = models.CharField(max_length=300)
    created_at = models.DateTimeField(default=timezone.now)
    dropped_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.text


class Script(models.Model):
    """A boundary script: composed here, copied and adapted by the person; never sent."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="scripts")
    title = models.CharField(max_length=120)
    situation = models.CharField(max_length=500, blank=True)
    feeling = models.CharField(max_length=500, blank=True)
    action = models.CharField(max_length=500, blank=True)
    reassurance = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at", "-id"]

    def __str__(self) -> str:
        return self.title

    @property
    def message(self) -> str:
        parts = [self.situation, self.feeling, self.action, self.reassurance]
        return " ".join(p.strip() for p in parts if p and p.strip())


class SmallStep(models.Model):
    class Status(models.TextChoices):
        PLANNED = "planned", "Planned"
        DONE = "done", "Done"
        NOT_DONE = "not_done", "Not done"
        DROPPED = "dropped", "Dropped"

    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="small_steps")
    title = models.CharField(max_length=200)
    planned_on = models.DateField()
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PLANNED)
    script = models.ForeignKey(Script, on_delete=models.SET_NULL, null=True, blank=True, related_name="steps")
    how_it_went = models.TextField(max_length=2000, blank=True)
    learned = models.TextField(max_length=2000, blank=True)
    guilt = models.PositiveSmallIntegerField(null=True, blank=True, validators=SCALE)
    anger = models.PositiveSmallIntegerField(null=True, blank=True, validators=SCALE)
    completed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    repeat_of = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True, related_name="repeats")

    class Meta:
        ordering = ["planned_on", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(guilt__lte=10) | Q(guilt__isnull=True), name="step_guilt_0_10"),
            models.CheckConstraint(condition=Q(anger__lte=10) | Q(anger__isnull=True), name="step_anger_0_10"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def has_reflection(self) -> bool:
        return bool(self.how_it_went.strip() or self.learned.strip())


class StepSuggestion(models.Model):
    """A therapist suggests a small step; the client accepts (maybe edited) or declines."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting"
        ACCEPTED = "accepted", "Accepted"
        DECLINED = "declined", "Not accepted"

    therapist = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    client = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="step_suggestions")
    plan_step = models.CharField(max_length=40)
    title = models.CharField(max_length=200)
    note = models.CharField(max_length=500, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(default=timezone.now)
    responded_at = models.DateTimeField(null=True, blank=True)
    resulting_step = models.ForeignKey(SmallStep, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title
