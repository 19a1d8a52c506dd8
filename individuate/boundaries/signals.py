"""Signals other apps listen to, so consent changes reach them without boundaries
knowing their models."""

from django.dispatch import Signal

# Sent when a client stops sharing a scope with a therapist, or the connection ends.
# kwargs: client (User), therapist (User), scopes (set[str]), ended (bool: the whole connection ended)
consent_withdrawn = Signal()
