"""Calendar files for appointments: invites (iTIP REQUEST / CANCEL) and a subscribable feed.

Times are written in UTC ("Z"): every RFC 5545 client shows a UTC instant in its
user's own zone, so no VTIMEZONE blocks are needed. The DESCRIPTION spells out the
local time on both sides, so the two people can talk about the same moment.

Nothing clinical ever goes into a calendar file: calendars are synced to phones,
shared with assistants and shown on lock screens. The feed is stricter still — it may
be read by anyone holding its URL — so it carries neither client names nor addresses.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from icalendar import Calendar, Event, vCalAddress, vDuration, vText

PRODID = "-//Individuate//Practice booking//EN"
STATUSES = ("requested", "confirmed", "declined", "cancelled")
METHODS = ("REQUEST", "CANCEL")
_ICS_STATUS = {"requested": "TENTATIVE", "confirmed": "CONFIRMED", "declined": "CANCELLED", "cancelled": "CANCELLED"}
_PARTSTAT = {"requested": "NEEDS-ACTION", "confirmed": "ACCEPTED", "declined": "DECLINED", "cancelled": "DECLINED"}
_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


@dataclass(frozen=True)
class AppointmentInfo:
    uid: str  # stable for the appointment, e.g. "appt-42@individuate"
    sequence: int  # incremented on every change
    start: datetime  # aware (any zone)
    end: datetime  # aware
    status: str  # "requested" | "confirmed" | "declined" | "cancelled"
    therapist_name: str
    therapist_email: str
    therapist_tz: str  # IANA
    attendee_email: str  # the client (may be "" when unknown)
    attendee_tz: str
    summary: str = "Session"  # NO clinical detail ever
    location: str = ""

    def __post_init__(self) -> None:
        if self.start.utcoffset() is None or self.end.utcoffset() is None:
            raise ValueError("AppointmentInfo needs aware datetimes")
        if self.end <= self.start:
            raise ValueError("an appointment must end after it starts")
        if self.status not in STATUSES:
            raise ValueError(f"unknown appointment status {self.status!r}")
        if self.sequence < 0:
            raise ValueError("sequence must not be negative")


def zone(name: str) -> tzinfo:
    """The IANA zone of that name, or UTC when it is empty or unknown."""
    try:
        return ZoneInfo(name) if name else UTC
    except (ZoneInfoNotFoundError, ValueError):
        return UTC


def zone_label(name: str) -> str:
    return name if isinstance(zone(name), ZoneInfo) else "UTC"


def local_range(start: datetime, end: datetime, tz_name: str) -> str:
    """ "Tuesday 31 March 2026, 10:00–10:50 (Europe/Berlin)" — in that zone, DST included."""
    tz = zone(tz_name)
    s, e = start.astimezone(tz), end.astimezone(tz)
    day = f"{_DAYS[s.weekday()]} {s.day} {_MONTHS[s.month - 1]} {s.year}"
    end_day = "" if e.date() == s.date() else f"{_DAYS[e.weekday()]} {e.day} {_MONTHS[e.month - 1]} {e.year}, "
    return f"{day}, {s:%H:%M}–{end_day}{e:%H:%M} ({zone_label(tz_name)})"


def _short_day(moment: datetime) -> str:
    return f"{_DAYS[moment.weekday()][:3]} {moment.day} {_MONTHS[moment.month - 1][:3]} {moment.year}"


def both_sides(info: AppointmentInfo, *, viewer: str = "attendee") -> str:
    """ "Tue 31 Mar 2026 10:00 in Europe/Berlin (therapist) · 13:30 in Asia/Kolkata (you)".

    ``viewer`` says who reads it: "attendee" (the client, the default) or "therapist".
    The client's side repeats the date only when it differs from the therapist's.
    """
    t_label, a_label = ("you", "client") if viewer == "therapist" else ("therapist", "you")
    t_local = info.start.astimezone(zone(info.therapist_tz))
    therapist_side = f"{_short_day(t_local)} {t_local:%H:%M} in {zone_label(info.therapist_tz)}"
    if not info.attendee_tz or zone_label(info.attendee_tz) == zone_label(info.therapist_tz):
        return therapist_side
    a_local = info.start.astimezone(zone(info.attendee_tz))
    a_day = "" if a_local.date() == t_local.date() else f"{_short_day(a_local)} "
    return f"{therapist_side} ({t_label}) · {a_day}{a_local:%H:%M} in {zone_label(info.attendee_tz)} ({a_label})"


def _utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC)


def _calendar() -> Calendar:
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    return cal


def _event_core(info: AppointmentInfo, summary: str, status: str) -> Event:
    event = Event()
    event.add("uid", info.uid)
    event.add("sequence", info.sequence)
    event.add("dtstamp", datetime.now(UTC))
    event.add("dtstart", _utc(info.start))
    event.add("dtend", _utc(info.end))
    event.add("summary", summary)
    event.add("status", status)
    event.add("transp", "OPAQUE")
    return event


def appointment_ics(info: AppointmentInfo, *, method: str, viewer: str = "attendee") -> bytes:
    """An iTIP invite (METHOD REQUEST) or cancellation (METHOD CANCEL) for one appointment.

    ``viewer`` ("attendee" or "therapist") only changes who the description calls "you".
    """
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, not {method!r}")
    cal = _calendar()
    cal.add("method", method)
    status = "CANCELLED" if method == "CANCEL" else _ICS_STATUS[info.status]
    event = _event_core(info, info.summary or "Session", status)
    event.add("description", both_sides(info, viewer=viewer))
    if info.location:
        event.add("location", info.location)
    organizer = vCalAddress(f"mailto:{info.therapist_email}")
    if info.therapist_name:
        organizer.params["cn"] = vText(info.therapist_name)
    event.add("organizer", organizer)
    if info.attendee_email:
        attendee = vCalAddress(f"mailto:{info.attendee_email}")
        attendee.params["role"] = vText("REQ-PARTICIPANT")
        attendee.params["partstat"] = vText(_PARTSTAT[info.status])
        attendee.params["rsvp"] = vText("FALSE")  # answers go through the site, not calendar replies
        event.add("attendee", attendee)
    cal.add_component(event)
    return cal.to_ical()


def feed_ics(events: Sequence[AppointmentInfo], *, calendar_name: str) -> bytes:
    """A subscribable calendar (no METHOD) of the confirmed appointments among ``events``.

    Whoever holds the feed URL can read it, so each entry says only "Session" and when:
    no client name or address, no attendees, no location (it may be a video link).
    """
    cal = _calendar()
    cal.add("name", calendar_name)
    cal.add("x-wr-calname", calendar_name)
    cal.add("refresh-interval", vDuration(timedelta(hours=1)), parameters={"value": "DURATION"})
    cal.add("x-published-ttl", "PT1H")
    for info in sorted(events, key=lambda i: i.start):
        if info.status == "confirmed":
            cal.add_component(_event_core(info, "Session", "CONFIRMED"))
    return cal.to_ical()
