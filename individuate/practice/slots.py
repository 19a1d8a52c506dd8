"""Free appointment slots from a therapist's weekly hours: pure Python, no Django.

Everything a therapist sets up (weekly hours, dated exceptions) is *wall-clock* time in the
therapist's own IANA zone; everything going in or out as a moment (``now``, busy intervals,
slot starts) is an aware ``datetime``. Slots come back as aware UTC datetimes.

How a day's hours become slots
------------------------------
For each local date: take the weekday's ranges, subtract every "off" exception of that date
(an "off" with no ranges removes the whole day), then add every "extra" range, and merge
overlapping or touching ranges. Starts are generated on the local wall clock at
``range.start + k * granularity``; a start is offered when the whole session
``[start, start + session)`` lies inside the range *in real time* and it does not overlap any
busy interval widened by ``buffer_minutes`` on both sides (touching is fine, so a session ending
at 10:50 with a 10-minute buffer allows the next one at 11:00).

Daylight saving
---------------
* Wall-clock times are turned into instants with ``datetime.combine(day, t, tzinfo=zone)`` and
  converted to UTC; session lengths are real durations (a 50-minute session is 50 real minutes
  even across a change), so the end of a slot is computed in UTC.
* A wall-clock start that does not exist (spring-forward gap) is never offered. A range *boundary*
  inside the gap is moved to the moment the clocks jump (so 02:30–05:00 on the change night opens
  at 03:00 summer time).
* An ambiguous wall-clock time (fall-back, the repeated hour) means its first occurrence
  (``fold=0``), for starts and range boundaries alike. So a start grid never yields a second copy
  of the repeated hour: on the autumn night, 02:00 and 02:30 summer time are offered, 02:00 and
  02:30 winter time are not.
* ``time.max`` as a range end means "until midnight" (the start of the next day).
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

__all__ = [
    "DatedException",
    "Rules",
    "SlotError",
    "TimeRange",
    "check_slot",
    "free_slots",
    "local_label",
    "validate_zone",
]

_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_KINDS = ("off", "extra")
_Span = tuple[datetime, datetime]


class SlotError(ValueError):
    """A time that cannot be booked, or rules that cannot be used; ``str(exc)`` is a message for
    people, ``exc.code`` a stable word for programs: "naive", "zone", "past", "notice",
    "horizon", "grid", "hours", "overlap" or "rules"."""

    def __init__(self, message: str, code: str = "invalid") -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class TimeRange:
    """A wall-clock range within one local day; ``time.max`` as the end means until midnight."""

    start: time
    end: time

    def __post_init__(self) -> None:
        if not isinstance(self.start, time) or not isinstance(self.end, time):
            raise SlotError("A time range needs a start and an end time.", "rules")
        if self.start.tzinfo is not None or self.end.tzinfo is not None:
            raise SlotError("Hours are wall-clock times in the therapist's zone; give them without a zone.", "rules")
        if self.end <= self.start:
            raise SlotError("Each range must end after it starts.", "rules")


@dataclass(frozen=True)
class DatedException:
    """A change to one local date: "off" removes ranges (no ranges: the whole day), "extra" adds them."""

    day: date
    kind: str
    ranges: tuple[TimeRange, ...] = ()

    def __post_init__(self) -> None:
        if self.kind not in _KINDS:
            raise SlotError(f'An exception is either "off" or "extra", not {self.kind!r}.', "rules")
        if self.kind == "extra" and not self.ranges:
            raise SlotError("Extra hours need at least one range.", "rules")
        object.__setattr__(self, "ranges", tuple(self.ranges))


@dataclass(frozen=True)
class Rules:
    time_zone: str
    weekly: dict[int, tuple[TimeRange, ...]]
    exceptions: tuple[DatedException, ...] = ()
    session_minutes: int = 50
    buffer_minutes: int = 10
    min_notice_minutes: int = 24 * 60
    horizon_days: int = 60
    granularity_minutes: int = 30
    _zone: ZoneInfo = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_zone", validate_zone(self.time_zone))
        for weekday in self.weekly:
            if not (isinstance(weekday, int) and 0 <= weekday <= 6):
                raise SlotError("Weekday must be 0 (Monday) to 6 (Sunday).", "rules")
        if self.session_minutes <= 0:
            raise SlotError("A session must last at least a minute.", "rules")
        if self.granularity_minutes <= 0:
            raise SlotError("The start-time grid must be at least a minute.", "rules")
        if self.buffer_minutes < 0 or self.min_notice_minutes < 0 or self.horizon_days < 0:
            raise SlotError("Buffer, notice and horizon cannot be negative.", "rules")

    @property
    def zone(self) -> ZoneInfo:
        return self._zone


# ---------------------------------------------------------------- public helpers


def validate_zone(name: str) -> ZoneInfo:
    """The ZoneInfo for an IANA name, or SlotError("Unknown time zone …")."""
    if not isinstance(name, str) or not name or name != name.strip():
        raise SlotError(f"Unknown time zone {name!r}.", "zone")
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError) as exc:  # OSError: e.g. a directory like "Europe"
        raise SlotError(f"Unknown time zone {name!r}.", "zone") from exc


def local_label(moment: datetime, zone: str) -> str:
    """``moment`` on the wall clock of ``zone``: "Tue 31 Mar 2026, 10:00 (Europe/Berlin, UTC+02:00)"."""
    _require_aware(moment)
    local = moment.astimezone(validate_zone(zone))
    offset = local.utcoffset() or timedelta(0)
    sign = "-" if offset < timedelta(0) else "+"
    minutes = abs(int(offset.total_seconds())) // 60
    return (
        f"{_DAYS[local.weekday()]} {local.day} {_MONTHS[local.month - 1]} {local.year}, "
        f"{local:%H:%M} ({zone}, UTC{sign}{minutes // 60:02d}:{minutes % 60:02d})"
    )


# ---------------------------------------------------------------- slots


def free_slots(
    rules: Rules,
    *,
    busy: Sequence[tuple[datetime, datetime]],
    now: datetime,
    start: datetime,
    end: datetime,
) -> list[datetime]:
    """All bookable session starts (aware UTC, sorted) in ``[start, end)`` that are also within
    ``[now + min_notice, now + horizon_days]``."""
    for moment in (now, start, end):
        _require_aware(moment)
    now = now.astimezone(UTC)
    lo = max(start.astimezone(UTC), now + timedelta(minutes=rules.min_notice_minutes))
    hi_incl = now + timedelta(days=rules.horizon_days)
    hi_excl = end.astimezone(UTC)
    if lo >= hi_excl or lo > hi_incl:
        return []
    zone = rules.zone
    session = timedelta(minutes=rules.session_minutes)
    blocked_starts, blocked_ends = _blocked(busy, timedelta(minutes=rules.buffer_minutes))
    by_day = _exceptions_by_day(rules.exceptions)

    out: list[datetime] = []
    day = lo.astimezone(zone).date()
    last = min(hi_excl, hi_incl).astimezone(zone).date()
    while day <= last:
        for slot in _day_starts(rules, zone, day, by_day.get(day, ())):
            if slot < lo or slot >= hi_excl or slot > hi_incl:
                continue
            if not _overlaps(blocked_starts, blocked_ends, slot, slot + session):
                out.append(slot)
        day += timedelta(days=1)
    out.sort()
    return out


def check_slot(
    rules: Rules,
    *,
    busy: Sequence[tuple[datetime, datetime]],
    now: datetime,
    start: datetime,
) -> datetime:
    """The UTC end of the session starting at ``start`` if it is bookable, else SlotError with the
    reason. Agrees with :func:`free_slots`: ``start`` passes exactly when it is one of its slots."""
    if not isinstance(start, datetime) or start.tzinfo is None or start.utcoffset() is None:
        raise SlotError("Please give a time zone with the start time.", "naive")
    _require_aware(now)
    now = now.astimezone(UTC)
    start = start.astimezone(UTC)
    session = timedelta(minutes=rules.session_minutes)

    if start < now:
        raise SlotError("This time is in the past.", "past")
    if start < now + timedelta(minutes=rules.min_notice_minutes):
        raise SlotError(
            f"This time is too soon: sessions must be booked at least {_phrase(rules.min_notice_minutes)} ahead.",
            "notice",
        )
    if start > now + timedelta(days=rules.horizon_days):
        raise SlotError(
            f"This time is too far ahead: sessions can be booked at most {_phrase(rules.horizon_days * 1440)} ahead.",
            "horizon",
        )

    zone = rules.zone
    day = start.astimezone(zone).date()
    exceptions = _exceptions_by_day(rules.exceptions).get(day, ())
    if start not in set(_day_starts(rules, zone, day, exceptions)):
        inside = any(lo <= start and start + session <= hi for lo, hi in _day_spans(rules, zone, day, exceptions))
        if inside:
            raise SlotError(
                f"This time is not on the start-time grid: sessions start every {_phrase(rules.granularity_minutes)} "
                "from the beginning of the therapist's hours.",
                "grid",
            )
        raise SlotError("This time is outside the therapist's hours.", "hours")

    blocked_starts, blocked_ends = _blocked(busy, timedelta(minutes=rules.buffer_minutes))
    if _overlaps(blocked_starts, blocked_ends, start, start + session):
        gap = f" (including the {rules.buffer_minutes}-minute break between sessions)" if rules.buffer_minutes else ""
        raise SlotError(f"This time overlaps another session{gap}.", "overlap")
    return start + session


# ---------------------------------------------------------------- internals


def _require_aware(moment: datetime) -> None:
    if not isinstance(moment, datetime) or moment.tzinfo is None or moment.utcoffset() is None:
        raise SlotError("Please give a time zone with every date and time.", "naive")


def _phrase(minutes: int) -> str:
    """90 → "90 minutes", 60 → "1 hour", 1440 → "24 hours", 86400 → "60 days"."""
    if minutes and minutes % 1440 == 0 and minutes > 1440:
        n, word = minutes // 1440, "day"
    elif minutes and minutes % 60 == 0:
        n, word = minutes // 60, "hour"
    else:
        n, word = minutes, "minute"
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _exceptions_by_day(exceptions: Iterable[DatedException]) -> dict[date, list[DatedException]]:
    by_day: dict[date, list[DatedException]] = {}
    for exc in exceptions:
        by_day.setdefault(exc.day, []).append(exc)
    return by_day


def _wall_ranges(rules: Rules, day: date, exceptions: Sequence[DatedException]) -> list[tuple[time, time]]:
    """The open wall-clock ranges of one local date: weekly − off + extra, merged and sorted."""
    ranges = [(r.start, r.end) for r in rules.weekly.get(day.weekday(), ())]
    for exc in exceptions:
        if exc.kind != "off":
            continue
        if not exc.ranges:
            ranges = []
            continue
        for off in exc.ranges:
            pieces: list[tuple[time, time]] = []
            for a, b in ranges:
                if min(b, off.start) > a:
                    pieces.append((a, min(b, off.start)))
                if max(a, off.end) < b:
                    pieces.append((max(a, off.end), b))
            ranges = pieces
    for exc in exceptions:
        if exc.kind == "extra":
            ranges.extend((r.start, r.end) for r in exc.ranges)
    ranges.sort()
    merged: list[tuple[time, time]] = []
    for a, b in ranges:
        if merged and a <= merged[-1][1]:
            if b > merged[-1][1]:
                merged[-1] = (merged[-1][0], b)
        else:
            merged.append((a, b))
    return merged


def _exists(wall: datetime, zone: ZoneInfo) -> tuple[datetime, bool]:
    """UTC instant of a naive wall-clock datetime (fold=0) and whether that wall time exists."""
    instant = wall.replace(tzinfo=zone).astimezone(UTC)
    return instant, instant.astimezone(zone).replace(tzinfo=None) == wall


def _boundary(wall: datetime, zone: ZoneInfo) -> datetime:
    """UTC instant of a range boundary; inside a spring-forward gap, the moment the clocks jump."""
    instant, exists = _exists(wall, zone)
    if exists:
        return instant
    # fold=1 gives the earlier instant (before the jump), fold=0 the later (after): search between.
    before = wall.replace(tzinfo=zone, fold=1).astimezone(UTC)
    offset = before.astimezone(zone).utcoffset()
    lo, hi = 0, int((instant - before).total_seconds())  # offset changes somewhere in (lo, hi]
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if (before + timedelta(seconds=mid)).astimezone(zone).utcoffset() == offset:
            lo = mid
        else:
            hi = mid
    return before + timedelta(seconds=hi)


def _end_wall(day: date, end: time) -> datetime:
    return datetime.combine(day + timedelta(days=1), time(0)) if end == time.max else datetime.combine(day, end)


def _day_spans(rules: Rules, zone: ZoneInfo, day: date, exceptions: Sequence[DatedException]) -> list[_Span]:
    return [
        (_boundary(datetime.combine(day, a), zone), _boundary(_end_wall(day, b), zone))
        for a, b in _wall_ranges(rules, day, exceptions)
    ]


def _day_starts(rules: Rules, zone: ZoneInfo, day: date, exceptions: Sequence[DatedException]) -> list[datetime]:
    """Session starts (UTC) of one local date that fit the hours, before notice/horizon/busy."""
    session = timedelta(minutes=rules.session_minutes)
    step = timedelta(minutes=rules.granularity_minutes)
    starts: list[datetime] = []
    for a, b in _wall_ranges(rules, day, exceptions):
        wall = datetime.combine(day, a)
        end_wall = _end_wall(day, b)
        span_lo = _boundary(wall, zone)
        span_hi = _boundary(end_wall, zone)
        while wall < end_wall:
            instant, exists = _exists(wall, zone)
            if exists and instant >= span_lo and instant + session <= span_hi:
                starts.append(instant)
            wall += step
    return starts


def _blocked(busy: Sequence[tuple[datetime, datetime]], buffer: timedelta) -> tuple[list[datetime], list[datetime]]:
    """Busy intervals widened by the buffer, in UTC, merged into disjoint sorted intervals."""
    widened: list[tuple[datetime, datetime]] = []
    for b_start, b_end in busy:
        _require_aware(b_start)
        _require_aware(b_end)
        if b_end > b_start:
            widened.append((b_start.astimezone(UTC) - buffer, b_end.astimezone(UTC) + buffer))
    widened.sort()
    starts: list[datetime] = []
    ends: list[datetime] = []
    for a, b in widened:
        if starts and a <= ends[-1]:
            ends[-1] = max(ends[-1], b)
        else:
            starts.append(a)
            ends.append(b)
    return starts, ends


def _overlaps(starts: list[datetime], ends: list[datetime], lo: datetime, hi: datetime) -> bool:
    """Whether [lo, hi) overlaps one of the disjoint sorted intervals (touching does not count)."""
    i = bisect.bisect_left(starts, hi) - 1  # the last interval starting before hi
    return i >= 0 and ends[i] > lo
