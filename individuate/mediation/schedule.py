"""Who has the children each night of a parenting plan, and the numbers that follow.

Pure Python (no Django): a plan document (a dict, see ``docs/mediation.md``) is parsed
into a :class:`Schedule`; every figure is computed night by night so it can be checked
by hand against :func:`audit_csv`.

A *night* is named by the date of its evening: the night of 2027-03-12 runs from the
evening of 12 March to the morning of 13 March. A range ``[start, end)`` holds the
nights ``start`` … ``end - 1 day``.

Layers, highest priority first: one-time changes > holidays > vacations > regular.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, TypeGuard
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

# Each letter is who has the child that night; A is the parent ``regular.first`` names.
PATTERNS: dict[str, str] = {
    "alternating-weeks": "AAAAAAABBBBBBB",
    "2-2-3": "AABBAAABBAABBB",
    "2-2-5-5": "AABBAAAAABBBBB",
    "3-4-4-3": "AAABBBBAAAABBB",
    "every-other-weekend": "AAAABBAAAAAAAA",
    "every-other-weekend-midweek": "AABABBAAABAAAA",
}
PATTERN_LABELS: dict[str, str] = {
    "alternating-weeks": "Alternating weeks",
    "2-2-3": "2-2-3",
    "2-2-5-5": "2-2-5-5",
    "3-4-4-3": "3-4-4-3",
    "every-other-weekend": "Every other weekend",
    "every-other-weekend-midweek": "Every other weekend and a midweek night",
    "custom": "Custom cycle",
}
CUSTOM = "custom"
MAX_CUSTOM_NIGHTS = 28
# Dates a plan may name. Outside this window a date is almost certainly a typo (2207 for 2027).
EARLIEST = date(2000, 1, 1)
LATEST = date(2099, 12, 31)
MAX_BLOCK_NIGHTS = 366
MAX_HOLIDAY_NIGHTS = 31
MAX_OFFSET_DAYS = 31
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MONTHS = (
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
DAYS_IN_MONTH = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)  # 29 February is allowed (see docs)
DEFAULT_EXCHANGE_TIME = time(18, 0)
TOP_LEVEL_KEYS = {
    "parents",
    "regular",
    "holidays",
    "vacations",
    "one_time",
    "timezone",
    "exchange",
    "school",
    "children",
    "sections",
    "title",
}
# The parenting_time command prints a key per parent beside these, so no parent may be called so.
RESERVED_NAMES = {"exchanges", "from", "to", "nights", "parents", "method"}

LAYER_ONE_TIME = "one-time"
LAYER_HOLIDAY = "holiday"
LAYER_VACATION = "vacation"
LAYER_REGULAR = "regular"

METHOD_OVERNIGHTS = (
    "overnights: each night counts for the parent who has the children that night; "
    "percent = that parent's overnights / nights in the range, to one decimal"
)
METHOD_HOURS = (
    "hours: every calendar day counts 24 hours; on a day the children change homes the day is split at "
    "that day's exchange time; percent = a parent's hours / all hours{school}, to one decimal"
)


class PlanError(ValueError):
    """The plan document is not valid; ``errors`` lists every problem, each in plain words."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("; ".join(errors))
        self.errors = errors


def percent(part: int | float | Decimal, whole: int | float | Decimal) -> Decimal:
    """``part / whole`` as a percentage to one decimal, halves rounded up (as people do by hand)."""
    if not whole:
        return Decimal("0.0")
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def nth_weekday(year: int, month: int, weekday: int, nth: int) -> date:
    """The ``nth`` (1…4, or -1 for the last, -2 the one before) ``weekday`` (0 = Monday) of a month."""
    if nth > 0:
        first = date(year, month, 1)
        return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (nth - 1))
    last = date(year + (month == 12), month % 12 + 1, 1) - timedelta(days=1)
    return last - timedelta(days=(last.weekday() - weekday) % 7 + 7 * (-nth - 1))


@dataclass(frozen=True)
class HolidayRule:
    name: str
    month: int
    day: int | None = None
    weekday: int | None = None
    nth: int | None = None
    start_offset: int = 0
    nights: int = 1
    every_year: str | None = None
    even_years: str | None = None
    odd_years: str | None = None

    def anchor(self, year: int) -> date:
        """The holiday's own date in ``year`` (before the start offset)."""
        if self.day is not None:
            day = self.day
            if self.month == 2 and day == 29 and not _is_leap(year):
                day = 28
            return date(year, self.month, day)
        assert self.weekday is not None and self.nth is not None
        return nth_weekday(year, self.month, self.weekday, self.nth)

    def parent_in(self, year: int) -> str:
        if self.every_year is not None:
            return self.every_year
        chosen = self.even_years if year % 2 == 0 else self.odd_years
        assert chosen is not None
        return chosen

    def nights_in(self, year: int) -> list[date]:
        first = self.anchor(year) + timedelta(days=self.start_offset)
        return [first + timedelta(days=i) for i in range(self.nights)]

    def describe(self) -> str:
        if self.day is not None:
            when = f"{self.day} {MONTHS[self.month - 1]}"
        else:
            assert self.nth is not None and self.weekday is not None
            ordinal = {1: "first", 2: "second", 3: "third", 4: "fourth", -1: "last", -2: "second-to-last"}.get(
                self.nth, f"{self.nth}."
            )
            when = f"the {ordinal} {_weekday_name(self.weekday)} of {MONTHS[self.month - 1]}"
        if self.start_offset < 0:
            when += f", starting {-self.start_offset} night{'s' if self.start_offset != -1 else ''} before"
        elif self.start_offset > 0:
            when += f", starting {self.start_offset} night{'s' if self.start_offset != 1 else ''} after"
        nights = f"{self.nights} night{'s' if self.nights != 1 else ''}"
        if self.every_year is not None:
            who = f"{self.every_year} every year"
        else:
            who = f"{self.even_years} in even years, {self.odd_years} in odd years"
        return f"{when}; {nights}; {who}"


@dataclass(frozen=True)
class Block:
    """A vacation or one-time change: ``parent`` has the nights ``start`` … ``start + nights - 1``."""

    parent: str
    start: date
    nights: int
    name: str = ""

    @property
    def end(self) -> date:  # exclusive
        return self.start + timedelta(days=self.nights)

    def describe(self) -> str:
        last = self.end - timedelta(days=1)
        label = f"{self.name}: " if self.name else ""
        return f"{label}{self.parent}, nights of {self.start.isoformat()} to {last.isoformat()} ({self.nights})"


@dataclass(frozen=True)
class School:
    days: tuple[int, ...]
    start: time
    end: time

    @property
    def hours(self) -> float:
        return _hours(self.end) - _hours(self.start)


@dataclass(frozen=True)
class Night:
    date: date
    parent: str
    layer: str
    rule: str


@dataclass(frozen=True)
class Schedule:
    parents: tuple[str, str]
    pattern: str
    cycle: str
    starts: date
    first: str
    holidays: tuple[HolidayRule, ...] = ()
    vacations: tuple[Block, ...] = ()
    one_time: tuple[Block, ...] = ()
    timezone: str = "UTC"
    exchange_time: time = DEFAULT_EXCHANGE_TIME
    exchange_times: Mapping[int, time] = field(default_factory=dict)
    exchange_place: str = ""
    school: School | None = None

    def other(self, parent: str) -> str:
        return self.parents[1] if parent == self.parents[0] else self.parents[0]

    def letter_parent(self, letter: str) -> str:
        return self.first if letter == "A" else self.other(self.first)

    def exchange_time_on(self, day: date) -> time:
        return self.exchange_times.get(day.weekday(), self.exchange_time)

    def regular(self, night: date) -> Night:
        index = (night - self.starts).days % len(self.cycle)
        letter = self.cycle[index]
        rule = f"{self.pattern} night {index + 1} of {len(self.cycle)} ({letter})"
        return Night(night, self.letter_parent(letter), LAYER_REGULAR, rule)

    def nights(self, start: date, end: date) -> list[Night]:
        """Who has the children each night of ``[start, end)``, and which layer decided it."""
        if end <= start:
            return []
        decided: dict[date, Night] = {}
        # Lowest priority first; each higher layer overwrites.
        for block_layer, blocks in ((LAYER_VACATION, self.vacations),):
            for i, block in enumerate(blocks):
                self._lay(decided, block, block_layer, i, start, end)
        for night, parent, rule in self._holiday_nights(start, end):
            decided[night] = Night(night, parent, LAYER_HOLIDAY, rule)
        for i, block in enumerate(self.one_time):
            self._lay(decided, block, LAYER_ONE_TIME, i, start, end)
        result = []
        day = start
        while day < end:
            result.append(decided.get(day) or self.regular(day))
            day += timedelta(days=1)
        return result

    def night(self, night: date) -> Night:
        return self.nights(night, night + timedelta(days=1))[0]

    @staticmethod
    def _lay(decided: dict[date, Night], block: Block, layer: str, index: int, start: date, end: date) -> None:
        key = "vacations" if layer == LAYER_VACATION else "one_time"
        rule = f"{key}[{index}]" + (f" {block.name}" if block.name else "")
        for i in range(block.nights):
            night = block.start + timedelta(days=i)
            if start <= night < end:
                decided[night] = Night(night, block.parent, layer, rule)

    def _holiday_nights(self, start: date, end: date) -> list[tuple[date, str, str]]:
        taken: dict[date, tuple[str, str]] = {}
        # Where holidays overlap, the one listed first wins — also when the later one began
        # the year before (a winter break from 27 December over a rule for 1 January): so
        # the rules are the outer loop. A holiday starts at most a month before its date and
        # lasts at most a month, so one year either side of the range finds every occurrence.
        for rule in self.holidays:
            for year in range(start.year - 1, end.year + 2):
                parent = rule.parent_in(year)
                for night in rule.nights_in(year):
                    if start <= night < end and night not in taken:
                        taken[night] = (parent, f"{rule.name} {year}")
        return [(night, parent, label) for night, (parent, label) in taken.items()]


# --- parsing and validation -------------------------------------------------------------


def parse(document: Any) -> Schedule:
    """The :class:`Schedule` of a plan document; :class:`PlanError` lists every problem."""
    errors: list[str] = []
    schedule = _parse(document, errors)
    if errors or schedule is None:
        raise PlanError(errors or ["The plan could not be read."])
    return schedule


def validate(document: Any) -> list[str]:
    """Every problem with a plan document, in plain words; an empty list when it is valid."""
    errors: list[str] = []
    _parse(document, errors)
    return errors


def _parse(doc: Any, errors: list[str]) -> Schedule | None:
    if not isinstance(doc, dict):
        errors.append("The plan must be a JSON object (curly braces) with at least “parents” and “regular”.")
        return None
    unknown = sorted(set(doc) - TOP_LEVEL_KEYS)
    if unknown:
        errors.append(
            f"Unknown field{'s' if len(unknown) > 1 else ''} {', '.join(map(repr, unknown))}; "
            f"the plan knows {', '.join(sorted(TOP_LEVEL_KEYS))}."
        )
    parents = _parse_parents(doc.get("parents"), errors)
    regular = doc.get("regular")
    pattern, cycle, starts, first = "", "", None, parents[0] if parents else ""
    if not isinstance(regular, dict):
        errors.append('regular: give the regular schedule, e.g. {"pattern": "2-2-5-5", "starts": "2027-01-04"}.')
    else:
        pattern, cycle = _parse_cycle(regular, errors)
        starts = _parse_date(regular.get("starts"), "regular.starts", errors)
        if "first" in regular:
            first = _parse_parent(regular.get("first"), parents, "regular.first", errors) or first
        extra = sorted(set(regular) - {"pattern", "starts", "first", "cycle"})
        if extra:
            errors.append(f"regular: unknown field {', '.join(map(repr, extra))}.")
    holidays = _parse_holidays(doc.get("holidays", []), parents, errors)
    vacations = _parse_blocks(doc.get("vacations", []), "vacations", parents, errors)
    one_time = _parse_blocks(doc.get("one_time", []), "one_time", parents, errors)
    timezone = _parse_timezone(doc.get("timezone", "UTC"), errors)
    exchange_time, exchange_times, place = _parse_exchange(doc.get("exchange", {}), errors)
    school = _parse_school(doc.get("school"), errors)
    _parse_children(doc.get("children", []), errors)
    if "sections" in doc and not isinstance(doc["sections"], dict):
        errors.append("sections: must be an object of section name to its fields.")
    if "title" in doc and not isinstance(doc["title"], str):
        errors.append("title: must be text.")
    if errors or parents is None or starts is None:
        return None
    return Schedule(
        parents=parents,
        pattern=pattern,
        cycle=cycle,
        starts=starts,
        first=first,
        holidays=tuple(holidays),
        vacations=tuple(vacations),
        one_time=tuple(one_time),
        timezone=timezone,
        exchange_time=exchange_time,
        exchange_times=exchange_times,
        exchange_place=place,
        school=school,
    )


def _parse_parents(value: Any, errors: list[str]) -> tuple[str, str] | None:
    if not isinstance(value, list) or len(value) != 2 or not all(isinstance(p, str) for p in value):
        errors.append('parents: give the two parents\' names as a list of two texts, e.g. ["Alex", "Sam"].')
        return None
    names = [p.strip() for p in value]
    if not all(names):
        errors.append("parents: a parent's name is empty.")
        return None
    if names[0] == names[1]:
        errors.append(f"parents: both parents are called {names[0]!r}; give them different names.")
        return None
    for name in names:
        if len(name) > 60:
            errors.append(f"parents: {name[:20]!r}… is longer than 60 characters.")
            return None
        if name in RESERVED_NAMES:
            errors.append(f"parents: {name!r} cannot be used as a parent's name; add a surname or initial.")
            return None
    return names[0], names[1]


def _parse_parent(value: Any, parents: tuple[str, str] | None, where: str, errors: list[str]) -> str | None:
    if parents is None:
        return None
    if value not in parents:
        errors.append(f"{where}: {value!r} is not one of the parents ({parents[0]} or {parents[1]}).")
        return None
    return str(value)


def _parse_cycle(regular: dict[str, Any], errors: list[str]) -> tuple[str, str]:
    pattern = regular.get("pattern")
    if pattern == CUSTOM:
        raw = regular.get("cycle")
        if not isinstance(raw, str):
            errors.append('regular.cycle: a custom pattern needs a cycle of nights, e.g. "AABB".')
            return CUSTOM, ""
        cycle = re.sub(r"\s+", "", raw)
        if not cycle:
            errors.append("regular.cycle: the cycle is empty; give at least one night (A or B).")
        elif len(cycle) > MAX_CUSTOM_NIGHTS:
            errors.append(
                f"regular.cycle: the cycle has {len(cycle)} nights; a custom cycle has at most {MAX_CUSTOM_NIGHTS}."
            )
        bad = sorted(set(cycle) - {"A", "B"})
        if bad:
            errors.append(
                f"regular.cycle: only the letters A and B may be used (found {', '.join(map(repr, bad))}); "
                "A is the first parent's night, B the other's."
            )
        return CUSTOM, cycle
    if not isinstance(pattern, str) or pattern not in PATTERNS:
        errors.append(f"regular.pattern: unknown pattern {pattern!r}; choose one of {', '.join(PATTERNS)} or custom.")
        return str(pattern), ""
    if "cycle" in regular:
        errors.append(f"regular.cycle: only the custom pattern takes a cycle; {pattern} has its own.")
    return str(pattern), PATTERNS[pattern]


def parse_date(value: Any, where: str = "date") -> date:
    """An ISO date within the plan's window, or :class:`PlanError`."""
    errors: list[str] = []
    parsed = _parse_date(value, where, errors)
    if parsed is None:
        raise PlanError(errors)
    return parsed


def _parse_date(value: Any, where: str, errors: list[str]) -> date | None:
    if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        errors.append(f"{where}: give a date as YYYY-MM-DD (got {value!r}).")
        return None
    try:
        parsed = date.fromisoformat(value)
    except ValueError:
        year, month, day = (int(p) for p in value.split("-"))
        if year == 0:
            errors.append(f"{where}: there is no year 0 (got {value!r}).")
        elif 1 <= month <= 12:
            errors.append(f"{where}: {MONTHS[month - 1]} {year} has no day {day}.")
        else:
            errors.append(f"{where}: there is no month {month} (got {value!r}).")
        return None
    if not EARLIEST <= parsed <= LATEST:
        errors.append(
            f"{where}: {value} is too far away; dates in a plan lie between {EARLIEST.isoformat()} and "
            f"{LATEST.isoformat()}."
        )
        return None
    return parsed


def _int(value: Any) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def _parse_holidays(value: Any, parents: tuple[str, str] | None, errors: list[str]) -> list[HolidayRule]:
    if not isinstance(value, list):
        errors.append("holidays: must be a list.")
        return []
    rules = []
    for i, item in enumerate(value):
        where = f"holidays[{i}]"
        if not isinstance(item, dict):
            errors.append(f"{where}: must be an object.")
            continue
        name = item.get("name")
        if not isinstance(name, str) or not name.strip():
            errors.append(f"{where}: give the holiday a name.")
            name = "?"
        where = f"holidays[{i}] ({name})"
        before = len(errors)
        spec = item.get("date")
        month: Any = None
        day: Any = None
        weekday: Any = None
        nth: Any = None
        if not isinstance(spec, dict):
            errors.append(
                f'{where}: date must be {{"month": 12, "day": 24}} or {{"month": 11, "weekday": "thu", "nth": 4}}.'
            )
        else:
            month = spec.get("month")
            if not _int(month) or not 1 <= month <= 12:
                errors.append(f"{where}: month must be 1 to 12 (got {month!r}).")
                month = None
            if "day" in spec:
                day = spec.get("day")
                if "weekday" in spec or "nth" in spec:
                    errors.append(f"{where}: give either a day of the month or a weekday with nth, not both.")
                elif not _int(day) or day < 1:
                    errors.append(f"{where}: day must be a number from 1 (got {day!r}).")
                elif month is not None and day > DAYS_IN_MONTH[month - 1]:
                    errors.append(
                        f"{where}: {MONTHS[month - 1]} has only {DAYS_IN_MONTH[month - 1]} days, so there is no "
                        f"{day} {MONTHS[month - 1]}."
                    )
            elif "weekday" in spec:
                raw_weekday, nth = spec.get("weekday"), spec.get("nth")
                if raw_weekday not in WEEKDAYS:
                    errors.append(f"{where}: weekday must be one of {', '.join(WEEKDAYS)} (got {raw_weekday!r}).")
                else:
                    weekday = WEEKDAYS.index(raw_weekday)
                if not _int(nth) or nth not in (1, 2, 3, 4, -1, -2):
                    errors.append(f"{where}: nth must be 1, 2, 3 or 4, or -1 for the last (-2 the one before).")
            else:
                errors.append(f"{where}: date needs a day, or a weekday and nth.")
        offset = item.get("start_offset", 0)
        if not _int(offset) or abs(offset) > MAX_OFFSET_DAYS:
            errors.append(f"{where}: start_offset must be a whole number of days from -31 to 31 (got {offset!r}).")
        nights = item.get("nights", 1)
        if not _int(nights) or nights < 1:
            errors.append(f"{where}: a holiday needs at least 1 night (got {nights!r}).")
        elif nights > MAX_HOLIDAY_NIGHTS:
            errors.append(f"{where}: a holiday has at most {MAX_HOLIDAY_NIGHTS} nights; use a vacation for longer.")
        every = item.get("every_year")
        even, odd = item.get("even_years"), item.get("odd_years")
        if every is not None and (even is not None or odd is not None):
            errors.append(f"{where}: give either every_year, or even_years and odd_years — not both.")
        elif every is not None:
            _parse_parent(every, parents, f"{where}.every_year", errors)
        elif even is not None and odd is not None:
            _parse_parent(even, parents, f"{where}.even_years", errors)
            _parse_parent(odd, parents, f"{where}.odd_years", errors)
        else:
            errors.append(f"{where}: say who has it: every_year, or both even_years and odd_years.")
        extra = sorted(set(item) - {"name", "date", "start_offset", "nights", "every_year", "even_years", "odd_years"})
        if extra:
            errors.append(f"{where}: unknown field {', '.join(map(repr, extra))}.")
        if len(errors) == before and month is not None:
            rules.append(
                HolidayRule(
                    name=name.strip(),
                    month=month,
                    day=day,
                    weekday=weekday,
                    nth=nth,
                    start_offset=offset,
                    nights=nights,
                    every_year=every,
                    even_years=even,
                    odd_years=odd,
                )
            )
    return rules


def _parse_blocks(value: Any, key: str, parents: tuple[str, str] | None, errors: list[str]) -> list[Block]:
    if not isinstance(value, list):
        errors.append(f"{key}: must be a list.")
        return []
    blocks: list[tuple[int, Block]] = []
    for i, item in enumerate(value):
        where = f"{key}[{i}]"
        if not isinstance(item, dict):
            errors.append(f"{where}: must be an object with parent, from and nights.")
            continue
        before = len(errors)
        parent = _parse_parent(item.get("parent"), parents, f"{where}.parent", errors)
        start = _parse_date(item.get("from"), f"{where}.from", errors)
        nights = item.get("nights")
        if not _int(nights) or not 1 <= nights <= MAX_BLOCK_NIGHTS:
            errors.append(f"{where}: nights must be a whole number from 1 to {MAX_BLOCK_NIGHTS} (got {nights!r}).")
        name = item.get("name", "")
        if not isinstance(name, str):
            errors.append(f"{where}: name must be text.")
        extra = sorted(set(item) - {"parent", "from", "nights", "name"})
        if extra:
            errors.append(f"{where}: unknown field {', '.join(map(repr, extra))}.")
        if len(errors) == before and parent is not None and start is not None and _int(nights):
            blocks.append((i, Block(parent, start, nights, name.strip())))
    ordered = sorted(blocks, key=lambda ib: ib[1].start)
    for (i, a), (j, b) in zip(ordered, ordered[1:], strict=False):
        if b.start < a.end:
            errors.append(
                f"{key}[{j}] (from {b.start.isoformat()}) overlaps {key}[{i}] "
                f"(nights of {a.start.isoformat()} to {(a.end - timedelta(days=1)).isoformat()}); "
                "move one or join them."
            )
    return [block for _, block in blocks]


def _parse_timezone(value: Any, errors: list[str]) -> str:
    if not isinstance(value, str) or not value:
        errors.append("timezone: give a time zone name such as Europe/Berlin or America/New_York.")
        return "UTC"
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        errors.append(f"timezone: {value!r} is not a known time zone (e.g. Europe/Berlin, America/New_York).")
        return "UTC"
    return value


def _parse_time(value: Any, where: str, errors: list[str]) -> time | None:
    if not isinstance(value, str) or not re.fullmatch(r"\d{2}:\d{2}", value):
        errors.append(f"{where}: give a time as HH:MM, e.g. 18:00 (got {value!r}).")
        return None
    try:
        return time.fromisoformat(value)
    except ValueError:
        errors.append(f"{where}: {value} is not a time of day.")
        return None


def _parse_exchange(value: Any, errors: list[str]) -> tuple[time, dict[int, time], str]:
    if not isinstance(value, dict):
        errors.append('exchange: must be an object, e.g. {"time": "18:00"}.')
        return DEFAULT_EXCHANGE_TIME, {}, ""
    default = DEFAULT_EXCHANGE_TIME
    if "time" in value:
        default = _parse_time(value["time"], "exchange.time", errors) or DEFAULT_EXCHANGE_TIME
    times: dict[int, time] = {}
    raw_times = value.get("times", {})
    if not isinstance(raw_times, dict):
        errors.append("exchange.times: must map weekdays (mon…sun) to times.")
    else:
        for weekday, raw in raw_times.items():
            if weekday not in WEEKDAYS:
                errors.append(f"exchange.times: {weekday!r} is not a weekday ({', '.join(WEEKDAYS)}).")
                continue
            parsed = _parse_time(raw, f"exchange.times.{weekday}", errors)
            if parsed is not None:
                times[WEEKDAYS.index(weekday)] = parsed
    place = value.get("place", "")
    if not isinstance(place, str) or len(place) > 200:
        errors.append("exchange.place: must be text of at most 200 characters.")
        place = ""
    extra = sorted(set(value) - {"time", "times", "place"})
    if extra:
        errors.append(f"exchange: unknown field {', '.join(map(repr, extra))}.")
    return default, times, place


def _parse_school(value: Any, errors: list[str]) -> School | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        errors.append("school: must be an object with days, from and to.")
        return None
    days = value.get("days", ["mon", "tue", "wed", "thu", "fri"])
    if not isinstance(days, list) or not all(d in WEEKDAYS for d in days):
        errors.append(f"school.days: must be a list of weekdays ({', '.join(WEEKDAYS)}).")
        return None
    start = _parse_time(value.get("from"), "school.from", errors)
    end = _parse_time(value.get("to"), "school.to", errors)
    if start is None or end is None:
        return None
    if end <= start:
        errors.append("school: the school day must end after it starts.")
        return None
    return School(tuple(sorted({WEEKDAYS.index(d) for d in days})), start, end)


def _parse_children(value: Any, errors: list[str]) -> None:
    if not isinstance(value, list):
        errors.append('children: must be a list of {"name": …, "born": "YYYY-MM-DD"}.')
        return
    for i, child in enumerate(value):
        if not isinstance(child, dict) or not isinstance(child.get("name"), str) or not child["name"].strip():
            errors.append(f"children[{i}]: give the child's first name.")
            continue
        if "born" in child:
            _parse_date(child["born"], f"children[{i}].born", errors)


# --- figures ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ParentingTime:
    start: date
    end: date
    nights: int
    overnights: dict[str, int]
    percent: dict[str, Decimal]
    exchanges: int
    method: str = METHOD_OVERNIGHTS

    def as_json(self) -> dict[str, Any]:
        """The parenting_time command's output: a key per parent, plus the range, nights and exchanges."""
        per_parent = {p: {"overnights": self.overnights[p], "percent": float(self.percent[p])} for p in self.overnights}
        return {
            "from": self.start.isoformat(),
            "to": self.end.isoformat(),
            "nights": self.nights,
            **per_parent,
            "parents": per_parent,
            "exchanges": self.exchanges,
            "method": self.method,
        }


def count_exchanges(nights: list[Night]) -> int:
    """Pairs of consecutive nights inside the list where the parent changes."""
    return sum(1 for a, b in zip(nights, nights[1:], strict=False) if a.parent != b.parent)


def parenting_time(schedule: Schedule, start: date, end: date) -> ParentingTime:
    """Overnights, percent and exchanges for the nights ``[start, end)``."""
    nights = schedule.nights(start, end)
    overnights = {p: sum(1 for n in nights if n.parent == p) for p in schedule.parents}
    return ParentingTime(
        start=start,
        end=end,
        nights=len(nights),
        overnights=overnights,
        percent={p: percent(overnights[p], len(nights)) for p in schedule.parents},
        exchanges=count_exchanges(nights),
    )


def year_time(schedule: Schedule, year: int) -> ParentingTime:
    """Parenting time in one calendar year (the nights of 1 January to 31 December)."""
    return parenting_time(schedule, date(year, 1, 1), date(year + 1, 1, 1))


@dataclass(frozen=True)
class TwoYearAverage:
    first_year: int
    overnights: dict[str, Decimal]  # per year, to one decimal
    percent: dict[str, Decimal]
    exchanges: Decimal  # per year
    total: ParentingTime


def two_year_average(schedule: Schedule, first_year: int) -> TwoYearAverage:
    """Both years together, per year: so a holiday alternating by year evens out."""
    total = parenting_time(schedule, date(first_year, 1, 1), date(first_year + 2, 1, 1))
    half = Decimal("0.1")
    return TwoYearAverage(
        first_year=first_year,
        overnights={p: (Decimal(n) / 2).quantize(half, rounding=ROUND_HALF_UP) for p, n in total.overnights.items()},
        percent=total.percent,
        exchanges=(Decimal(total.exchanges) / 2).quantize(half, rounding=ROUND_HALF_UP),
        total=total,
    )


@dataclass(frozen=True)
class HoursTime:
    start: date
    end: date
    hours: dict[str, float]
    third_party: float
    percent: dict[str, Decimal]
    method: str


def _hours(t: time) -> float:
    return t.hour + t.minute / 60


def hours_time(schedule: Schedule, start: date, end: date, *, leave_out_school: bool = True) -> HoursTime:
    """Time by hours over the days ``[start, end)``.

    The morning of a day belongs to whoever had the night before; on a day the parent
    changes, the hand-over is at that day's exchange time. With ``leave_out_school`` and
    a ``school`` in the plan, school hours on school days count for neither parent.
    """
    nights = schedule.nights(start - timedelta(days=1), end)
    hours = {p: 0.0 for p in schedule.parents}
    third_party = 0.0
    school = schedule.school if leave_out_school else None
    for before, tonight in zip(nights, nights[1:], strict=False):
        day = tonight.date
        if before.parent == tonight.parent:
            segments = [(0.0, 24.0, tonight.parent)]
        else:
            at = _hours(schedule.exchange_time_on(day))
            segments = [(0.0, at, before.parent), (at, 24.0, tonight.parent)]
        for seg_start, seg_end, parent in segments:
            length = seg_end - seg_start
            if school is not None and day.weekday() in school.days:
                overlap = max(0.0, min(seg_end, _hours(school.end)) - max(seg_start, _hours(school.start)))
                length -= overlap
                third_party += overlap
            hours[parent] += length
    counted = sum(hours.values())
    note = " except school hours, which count for neither parent" if school is not None else ""
    return HoursTime(
        start=start,
        end=end,
        hours={p: round(h, 2) for p, h in hours.items()},
        third_party=round(third_party, 2),
        percent={p: percent(Decimal(str(round(h, 4))), Decimal(str(round(counted, 4)))) for p, h in hours.items()},
        method=METHOD_HOURS.format(school=note),
    )


def audit_csv(schedule: Schedule, start: date, end: date) -> str:
    """One row per night: date, weekday, parent, deciding layer, rule — the figures, checkable by hand."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["date", "weekday", "parent", "layer", "rule"])
    for night in schedule.nights(start, end):
        writer.writerow([night.date.isoformat(), WEEKDAYS[night.date.weekday()], night.parent, night.layer, night.rule])
    return out.getvalue()


@dataclass(frozen=True)
class NightDifference:
    date: date
    before: str
    after: str
    before_layer: str
    after_layer: str


@dataclass(frozen=True)
class Comparison:
    before: ParentingTime
    after: ParentingTime
    differences: list[NightDifference]
    overnights_change: dict[str, int]
    percent_change: dict[str, Decimal]
    exchanges_change: int


def compare(before: Schedule, after: Schedule, start: date, end: date) -> Comparison:
    """The nights two plans give to different parents, and how the figures change.

    Both plans must name the same two parents (in any order).
    """
    if set(before.parents) != set(after.parents):
        raise PlanError([f"The two plans name different parents ({before.parents} and {after.parents})."])
    a_nights, b_nights = before.nights(start, end), after.nights(start, end)
    differences = [
        NightDifference(a.date, a.parent, b.parent, a.layer, b.layer)
        for a, b in zip(a_nights, b_nights, strict=True)
        if a.parent != b.parent
    ]
    a_time, b_time = parenting_time(before, start, end), parenting_time(after, start, end)
    return Comparison(
        before=a_time,
        after=b_time,
        differences=differences,
        overnights_change={p: b_time.overnights[p] - a_time.overnights[p] for p in before.parents},
        percent_change={p: b_time.percent[p] - a_time.percent[p] for p in before.parents},
        exchanges_change=b_time.exchanges - a_time.exchanges,
    )


@dataclass(frozen=True)
class Period:
    """An unbroken run of nights with one parent."""

    parent: str
    first_night: date
    nights: int

    @property
    def end(self) -> date:  # the morning after the last night: the day of the next exchange
        return self.first_night + timedelta(days=self.nights)


def periods(nights: Iterable[Night]) -> list[Period]:
    result: list[Period] = []
    for night in nights:
        if result and result[-1].parent == night.parent and result[-1].end == night.date:
            last = result[-1]
            result[-1] = Period(last.parent, last.first_night, last.nights + 1)
        else:
            result.append(Period(night.parent, night.date, 1))
    return result


def month_grid(schedule: Schedule, year: int, month: int) -> list[list[Night | None]]:
    """The nights of a month as weeks Monday…Sunday (``None`` outside the month), for calendars."""
    first = date(year, month, 1)
    end = date(year + (month == 12), month % 12 + 1, 1)
    nights = schedule.nights(first, end)
    cells: list[Night | None] = [None] * first.weekday() + list(nights)
    cells += [None] * (-len(cells) % 7)
    return [cells[i : i + 7] for i in range(0, len(cells), 7)]


def _is_leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def _weekday_name(weekday: int) -> str:
    return ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")[weekday]


def describe_regular(schedule: Schedule) -> str:
    """The regular schedule in plain words, e.g. for the PDF."""
    a, b = schedule.first, schedule.other(schedule.first)
    runs = []
    for letter, count in _runs(schedule.cycle):
        who = a if letter == "A" else b
        runs.append(f"{count} night{'s' if count != 1 else ''} with {who}")
    label = PATTERN_LABELS.get(schedule.pattern, schedule.pattern)
    return (
        f"{label}: a cycle of {len(schedule.cycle)} nights starting on the night of "
        f"{_weekday_name(schedule.starts.weekday())} {schedule.starts.isoformat()}: {', then '.join(runs)}; "
        "then the cycle repeats."
    )


def _runs(cycle: str) -> list[tuple[str, int]]:
    runs: list[tuple[str, int]] = []
    for letter in cycle:
        if runs and runs[-1][0] == letter:
            runs[-1] = (letter, runs[-1][1] + 1)
        else:
            runs.append((letter, 1))
    return runs
