"""Everything a reader needs to see a plan at once — used by the pages and the PDF alike."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from . import plan_document, schedule
from .schedule import MONTHS, Night, Schedule


@dataclass(frozen=True)
class SectionView:
    key: str
    title: str
    guidance: str
    fields: list[tuple[str, str]]  # (label, value in plain words)


@dataclass(frozen=True)
class MonthView:
    year: int
    month: int
    name: str
    weeks: list[list[Night | None]]


def letter_of(sched: Schedule, parent: str) -> str:
    """A for the parent named first in the plan, B for the other (for patterns and labels)."""
    return "A" if parent == sched.parents[0] else "B"


def months(sched: Schedule, year: int, first_month: int = 1, count: int = 12) -> list[MonthView]:
    result = []
    for i in range(count):
        y, m = year + (first_month - 1 + i) // 12, (first_month - 1 + i) % 12 + 1
        result.append(MonthView(y, m, f"{MONTHS[m - 1]} {y}", schedule.month_grid(sched, y, m)))
    return result


def _display(field: plan_document.Field, value: Any) -> str:
    if value in (None, ""):
        return ""
    if field.kind == "choice" and value == plan_document.JOINT:
        return "Both parents decide together"
    if field.kind == "choice" and field.choices == ("@parents",):
        return f"{value} decides, after hearing the other parent"
    if field.kind == "yesno":
        return "Yes" if value else "No"
    return str(value)


def sections(document: dict[str, Any]) -> list[SectionView]:
    stored = document.get("sections", {}) if isinstance(document.get("sections"), dict) else {}
    views = []
    for section in plan_document.SECTIONS:
        values = stored.get(section.key, {})
        fields = [(f.label, _display(f, values.get(f.name))) for f in section.fields]
        views.append(SectionView(section.key, section.title, section.guidance, [f for f in fields if f[1]]))
    return views


def first_year(starts: date) -> int:
    """The year the figures open on: the start's year, or the next one when the plan starts
    in the second half of a year (a plan that starts on 7 December is read from January)."""
    return starts.year if starts.month <= 6 else starts.year + 1


def build(document: dict[str, Any], year: int | None = None) -> dict[str, Any]:
    """The plan in plain words and figures for ``year`` (default: ``first_year`` of its start)."""
    sched = schedule.parse(document)
    year = year or first_year(sched.starts)
    average = schedule.two_year_average(sched, year)
    hours = schedule.hours_time(sched, date(year, 1, 1), date(year + 1, 1, 1))
    return {
        "schedule": sched,
        "title": document.get("title") or "Parenting plan",
        "parents": sched.parents,
        "letters": {sched.parents[0]: "A", sched.parents[1]: "B"},
        "children": document.get("children", []),
        "regular": schedule.describe_regular(sched),
        "holidays": [(rule.name, rule.describe()) for rule in sched.holidays],
        "vacations": [block.describe() for block in sched.vacations],
        "one_time": [block.describe() for block in sched.one_time],
        "exchange_time": sched.exchange_time.strftime("%H:%M"),
        "exchange_times": {schedule.WEEKDAYS[d]: t.strftime("%H:%M") for d, t in sched.exchange_times.items()},
        "exchange_place": sched.exchange_place,
        "timezone": sched.timezone,
        "year": year,
        "figures": [schedule.year_time(sched, year), schedule.year_time(sched, year + 1)],
        "average": average,
        "hours": hours,
        "method_overnights": schedule.METHOD_OVERNIGHTS,
        "months": months(sched, year),
        "sections": sections(document),
    }
