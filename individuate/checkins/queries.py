"""What other apps may read of a person's own check-in records (after the policy allowed it)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import TYPE_CHECKING

from .models import ContactEvent

if TYPE_CHECKING:
    from individuate.accounts.models import User


def guilt_after_contacts(owner: User, since: date, responses: Iterable[str]) -> list[tuple[date, int]]:
    """(local date, guilt afterwards) for the owner's contacts since SINCE with these responses."""
    return list(
        ContactEvent.objects.filter(owner=owner, local_date__gte=since, response__in=list(responses)).values_list(
            "local_date", "guilt_after"
        )
    )
