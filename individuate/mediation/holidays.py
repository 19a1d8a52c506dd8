"""A starting set of yearly holidays a mediator picks from; every rule stays editable.

Each entry is a holiday rule in the plan document's own shape (see ``docs/mediation.md``);
:func:`common_holidays` fills in who has it, alternating by year where that is the
usual way, so that a first draft is even and the parents change what they wish.
"""

from __future__ import annotations

from typing import Any

# key -> (name, date, start_offset, nights, how it is usually shared)
# "alternate": one parent in even years, the other in odd years;
# "first" / "second": every year with the parent named first / second.
CATALOGUE: dict[str, tuple[str, dict[str, Any], int, int, str]] = {
    "new-years-eve": ("New Year's Eve", {"month": 12, "day": 31}, 0, 1, "alternate"),
    "mlk-day": ("Martin Luther King Jr. Day weekend", {"month": 1, "weekday": "mon", "nth": 3}, -3, 3, "alternate"),
    "presidents-day": ("Presidents' Day weekend", {"month": 2, "weekday": "mon", "nth": 3}, -3, 3, "alternate"),
    "spring-break": (
        "Spring break (second week of April)",
        {"month": 4, "weekday": "sat", "nth": 2},
        0,
        7,
        "alternate",
    ),
    "mothers-day": ("Mother's Day", {"month": 5, "weekday": "sun", "nth": 2}, -1, 1, "first"),
    "memorial-day": ("Memorial Day weekend", {"month": 5, "weekday": "mon", "nth": -1}, -3, 3, "alternate"),
    "fathers-day": ("Father's Day", {"month": 6, "weekday": "sun", "nth": 3}, -1, 1, "second"),
    "independence-day": ("Independence Day", {"month": 7, "day": 4}, 0, 1, "alternate"),
    "labor-day": ("Labor Day weekend", {"month": 9, "weekday": "mon", "nth": 1}, -3, 3, "alternate"),
    "halloween": ("Halloween", {"month": 10, "day": 31}, 0, 1, "alternate"),
    "thanksgiving": ("Thanksgiving", {"month": 11, "weekday": "thu", "nth": 4}, -1, 4, "alternate"),
    "christmas-eve": ("Christmas Eve", {"month": 12, "day": 24}, 0, 1, "alternate"),
    "christmas-day": ("Christmas Day", {"month": 12, "day": 25}, 0, 1, "alternate"),
    "winter-break-first-half": ("Winter break, first half", {"month": 12, "day": 20}, 0, 7, "alternate"),
    "winter-break-second-half": ("Winter break, second half", {"month": 12, "day": 27}, 0, 7, "alternate"),
}


def holiday_rule(key: str, parents: tuple[str, str] | list[str], *, swap: bool = False) -> dict[str, Any]:
    """One catalogue holiday as a plan rule; ``swap`` gives the even years to the second parent."""
    name, when, offset, nights, sharing = CATALOGUE[key]
    first, second = (parents[1], parents[0]) if swap else (parents[0], parents[1])
    rule: dict[str, Any] = {"name": name, "date": dict(when), "start_offset": offset, "nights": nights}
    if sharing == "alternate":
        rule.update(even_years=first, odd_years=second)
    else:
        rule["every_year"] = parents[0] if sharing == "first" else parents[1]
    return rule


def birthday_rule(child_name: str, born: str, parents: tuple[str, str] | list[str]) -> dict[str, Any]:
    """A child's birthday night, alternating by year (29 February falls on 28 February in other years)."""
    _, month, day = (int(p) for p in born.split("-"))
    return {
        "name": f"{child_name}'s birthday",
        "date": {"month": month, "day": day},
        "start_offset": 0,
        "nights": 1,
        "even_years": parents[0],
        "odd_years": parents[1],
    }


def common_holidays(
    parents: tuple[str, str] | list[str], children: list[dict[str, str]] | None = None
) -> list[dict[str, Any]]:
    """The whole catalogue (and each child's birthday) as editable rules."""
    rules = [holiday_rule(key, parents) for key in CATALOGUE]
    rules += [birthday_rule(c["name"], c["born"], parents) for c in children or [] if c.get("born")]
    return rules
