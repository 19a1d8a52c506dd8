"""What other apps may read of a person's own check-in records (after the policy allowed it)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import TYPE_CHECKING

from .models import ContactEvent

# The answers a contact can have, for other apps (they do not import checkins models).
ContactReply = ContactEvent.Reply

if TYPE_CHECKING:
    from individuate.accounts.models import User


def guilt_after_contacts(owner: User, since: date, responses: Iterable[str]) -> list[tuple[date, int | None]]:
    """(local date, guilt afterwards) for the owner's contacts since SINCE with these
    responses — only the guilt the person actually set, and not deleted contacts."""
    return list(
        ContactEvent.objects.filter(
            owner=owner,
            local_date__gte=since,
            response__in=list(responses),
            guilt_after__isnull=False,
            deleted_at__isnull=True,
        ).values_list("local_date", "guilt_after")
    )
