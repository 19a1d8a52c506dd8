"""A person's own calendar: their zone, their today, their week."""

from __future__ import annotations

import zoneinfo
from datetime import date, timedelta
from typing import TYPE_CHECKING

from django.utils import timezone

if TYPE_CHECKING:
    from individuate.accounts.models import User


def zone_named(name: str | None) -> zoneinfo.ZoneInfo:
    """The zone called NAME, or UTC for an empty or unknown name."""
    try:
        return zoneinfo.ZoneInfo(name or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


def zone_of(user: User) -> zoneinfo.ZoneInfo:
    return zone_named(user.time_zone)


def local_today(user: User) -> date:
    return timezone.now().astimezone(zone_of(user)).date()


def week_start(day: date) -> date:
    """The Monday of DAY's week."""
    return day - timedelta(days=day.weekday())
