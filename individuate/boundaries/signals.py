"""Signals other apps listen to, so consent changes reach them without boundaries
knowing their models."""

from django.dispatch import Signal

# Sent when a client stops sharing a scope with a therapist, or the connection ends.
# kwargs: client (User), therapist (User), scopes (set[str]), ended (bool: the whole connection ended)
consent_withdrawn = Signal()

# Sent *before* a connection ends, to say what else ending it will do (the confirmation
# page lists it). kwargs: client (User), therapist (User), viewer (User: who is ending it).
# Each receiver returns a plain sentence, or "" when nothing of its own is affected.
connection_ending = Signal()

# Sent *before* a person stops tracking someone (removing them deletes what is about them).
# kwargs: owner (User), other (TrackedPerson). Receivers return a sentence, or "".
tracked_person_removing = Signal()
