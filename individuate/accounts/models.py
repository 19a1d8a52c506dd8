from __future__ import annotations

import hashlib
import secrets
import zoneinfo

from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

TIMEZONE_CHOICES = [(name, name) for name in sorted(zoneinfo.available_timezones())]


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(f"Unknown time zone “{value}”.")


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra: object) -> User:
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra: object) -> User:
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra: object) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra)


class User(AbstractUser):
    """An account: a person (client) or a therapist. Logs in with e-mail."""

    class Role(models.TextChoices):
        PERSON = "person", "Person"
        THERAPIST = "therapist", "Therapist"

    class Perspective(models.TextChoices):
        UNSAID = "", "I'd rather not say"
        ADULT_CHILD = "adult_child", "An adult child"
        PARENT = "parent", "A parent"
        BOTH = "both", "Both"

    username = None  # type: ignore[assignment]
    first_name = None  # type: ignore[assignment]
    last_name = None  # type: ignore[assignment]
    email = models.EmailField("e-mail address", unique=True)  # type: ignore[misc]
    display_name = models.CharField(
        max_length=80,
        blank=True,
        help_text="What we call you in the app. Not shown to anyone else.",
    )
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.PERSON)
    perspective = models.CharField("I come here as", max_length=16, choices=Perspective.choices, blank=True)
    time_zone = models.CharField(max_length=64, default="UTC", validators=[validate_time_zone])
    is_demo = models.BooleanField(default=False, help_text="Fictional demo account created by seed_demo.")

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []  # type: ignore[misc]
    objects = UserManager()  # type: ignore[misc,assignment]

    def __str__(self) -> str:
        return self.display_name or self.email

    @property
    def is_therapist(self) -> bool:
        return self.role == self.Role.THERAPIST

    @property
    def name(self) -> str:
        if self.is_therapist and hasattr(self, "therapist_profile"):
            return self.therapist_profile.display_name
        # Never the e-mail address: it may carry a real name the person did not choose to show.
        return self.display_name or f"Person {self.pk}"

    @property
    def mail_address(self) -> str:
        """Where e-mail for this person goes: a therapist's practice address if they gave one."""
        profile = getattr(self, "therapist_profile", None) if self.is_therapist else None
        return (profile.contact_email if profile is not None else "") or self.email


class TherapistProfile(models.Model):
    """A practitioner's public details. Created by the operator or at therapist sign-up."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="therapist_profile")
    display_name = models.CharField(max_length=120)
    credentials = models.CharField(
        max_length=200, blank=True, help_text="e.g. licensed family therapist, accredited mediator"
    )
    contact_email = models.EmailField(blank=True)
    contact_phone = models.CharField(max_length=40, blank=True)
    accepting_clients = models.BooleanField(default=True)

    def __str__(self) -> str:
        return self.display_name


def _hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiTokenQuerySet(models.QuerySet["ApiToken"]):
    def active(self) -> ApiTokenQuerySet:
        return self.filter(revoked_at__isnull=True)


class ApiToken(models.Model):
    """A personal API token. Only a hash is stored; the token is shown once."""

    PREFIX = "ind_"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=60)
    token_hash = models.CharField(max_length=64, unique=True)
    hint = models.CharField(max_length=12, help_text="The first characters, to recognise it.")
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.hint}…)"

    @classmethod
    def issue(cls, user: User, name: str) -> tuple[ApiToken, str]:
        raw = cls.PREFIX + secrets.token_urlsafe(32)
        token = cls.objects.create(user=user, name=name, token_hash=_hash_token(raw), hint=raw[:8])
        return token, raw

    @classmethod
    def find(cls, raw: str) -> ApiToken | None:
        if not raw.startswith(cls.PREFIX):
            return None
        return (
            cls.objects.active()
            .select_related("user")
            .filter(token_hash=_hash_token(raw), user__is_active=True)
            .first()
        )


class AuditEvent(models.Model):
    """Operator-facing audit trail that holds no personal data (e.g. an account deletion)."""

    action = models.CharField(max_length=40)
    role = models.CharField(max_length=16, blank=True)
    detail = models.CharField(max_length=200, blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action}"
