from __future__ import annotations

from django.conf import settings
from django.db import models


class OutgoingEmail(models.Model):
    """An e-mail waiting for the worker. The task carries only this row's id."""

    template = models.CharField(max_length=100)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    # Only for someone without an account here (e.g. an invitation).
    address = models.EmailField(blank=True)
    # The person the e-mail is about: deleting their account cancels it too.
    about = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    context = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(recipient__isnull=False) | ~models.Q(address=""), name="outgoing_email_has_recipient"
            )
        ]

    def __str__(self) -> str:
        return f"{self.template} #{self.pk}"


class LimitKey(models.Model):
    """One row per rate-limited key (e.g. "family-invite:inviter:12"), locked with
    SELECT … FOR UPDATE while its events are counted, so concurrent requests queue up
    instead of all reading the same count (see ``core.limits``)."""

    key = models.CharField(max_length=120, unique=True)

    def __str__(self) -> str:
        return self.key


class LimitEvent(models.Model):
    """One counted use of a limited action. Holds a key, never a person's words or address
    (an address is hashed into the key); pruned once older than every window."""

    key = models.ForeignKey(LimitKey, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"{self.key_id} @ {self.at:%Y-%m-%d %H:%M}"
