"""A parent's custody periods and exchanges as an iCalendar feed (RFC 5545).

Times are local to the plan's time zone and carry a VTIMEZONE, so a calendar app shows
18:00 as 18:00 on both sides of a daylight-saving change.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar

from .schedule import Schedule, periods

EXCHANGE_MINUTES = 30


def _at(schedule: Schedule, day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, schedule.exchange_time_on(day), tzinfo=zone)


def custody_calendar(
    schedule: Schedule,
    parent: str,
    start: date,
    end: date,
    *,
    feed_id: str = "plan",
    children: str = "The children",
    name: str = "",
    stamp: datetime | None = None,
) -> bytes:
    """``parent``'s custody periods and every exchange in the nights ``[start, end)``, as ICS bytes.

    ``feed_id`` keeps event UIDs stable across refreshes of the same feed, so a calendar
    app updates events instead of duplicating them; ``stamp`` (when the plan version was
    written) is every event's DTSTAMP and LAST-MODIFIED, so a changed plan reads as newer.
    """
    if parent not in schedule.parents:
        raise ValueError(f"{parent!r} is not a parent in this plan")
    zone = ZoneInfo(schedule.timezone)
    cal = icalendar.Calendar()
    cal.add("prodid", "-//Individuate//Parenting plan//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", name or f"Parenting time — {parent}")
    cal.add("x-wr-timezone", schedule.timezone)
    stamp = stamp.astimezone(UTC) if stamp is not None else datetime(2000, 1, 1, tzinfo=UTC)
    other = schedule.other(parent)
    runs = periods(schedule.nights(start, end))
    for i, period in enumerate(runs):
        if period.parent == parent:
            event = icalendar.Event()
            event.add("uid", _uid(feed_id, parent, "period", period.first_night))
            event.add("dtstamp", stamp)
            event.add("last-modified", stamp)
            event.add("dtstart", _at(schedule, period.first_night, zone))
            event.add("dtend", _at(schedule, period.end, zone))
            event.add("summary", f"{children} with {parent}")
            event.add(
                "description",
                f"{period.nights} night{'s' if period.nights != 1 else ''} with {parent}, "
                f"from the night of {period.first_night.isoformat()} to the morning of {period.end.isoformat()}.",
            )
            event.add("transp", "TRANSPARENT")
            cal.add_component(event)
        if i == 0:
            continue  # the range starts here; the hand-over happened before it
        giver = runs[i - 1].parent
        exchange = icalendar.Event()
        at = _at(schedule, period.first_night, zone)
        exchange.add("uid", _uid(feed_id, parent, "exchange", period.first_night))
        exchange.add("dtstamp", stamp)
        exchange.add("last-modified", stamp)
        exchange.add("dtstart", at)
        exchange.add("dtend", at + timedelta(minutes=EXCHANGE_MINUTES))
        direction = "hand over to" if giver == parent else "pick up from"
        exchange.add("summary", f"Exchange: {direction} {other}")
        if schedule.exchange_place:
            exchange.add("location", schedule.exchange_place)
        cal.add_component(exchange)
    cal.add_missing_timezones()
    return cal.to_ical()


def _uid(feed_id: str, parent: str, what: str, day: date) -> str:
    digest = hashlib.sha256(f"{feed_id}|{parent}|{what}|{day.isoformat()}".encode()).hexdigest()[:24]
    return f"{digest}@individuate"
