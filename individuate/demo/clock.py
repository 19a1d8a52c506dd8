"""The demo's calendar: its data ends no later than today in every time zone.

"Today" differs around the world; the earliest zone (UTC−12) is the last to reach a
date, so demo dates end there and demo times end now — no result is ever dated in
anyone's future.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.utils import timezone

EARLIEST_ZONE = ZoneInfo("Etc/GMT+12")  # POSIX sign: this is UTC−12


def earliest_today() -> date:
    return timezone.now().astimezone(EARLIEST_ZONE).date()


def not_after_now(when: datetime) -> datetime:
    return min(when, timezone.now())
