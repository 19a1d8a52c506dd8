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
