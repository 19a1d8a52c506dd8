"""Progress from the person's own records, not from ticked boxes.

Every number here is a plain function of stored records, each tested against a
hand-computed fixture (tests/test_progress.py).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

import numpy as np

from individuate.checkins.actions import contacts_by_week
from individuate.checkins.coupling import solo_reports, window_series
from individuate.checkins.queries import ContactReply, guilt_after_contacts
from individuate.core.time import local_today, week_start
from individuate.measures.actions import completed_responses

from .models import SmallStep

if TYPE_CHECKING:
    from individuate.accounts.models import User

WEEKS = 12


def contact_shares(owner: User, weeks: int = WEEKS) -> list[dict[str, Any]]:
    """Per week: counts and shares answered at once / on my own terms / declined."""
    rows = []
    for week in contacts_by_week(owner, weeks):
        total = week["at_once"] + week["own_terms"] + week["declined"]
        rows.append(
            {
                **week,
                "total": total,
                "share_at_once": week["at_once"] / total,
                "share_own_terms": week["own_terms"] / total,
                "share_declined": week["declined"] / total,
            }
        )
    return rows


def guilt_after_saying_no(owner: User, weeks: int = WEEKS) -> list[dict[str, Any]]:
    """Per week: mean guilt after contacts I declined or answered later on my own terms."""
    today = local_today(owner)
    since = today - timedelta(days=today.weekday(), weeks=weeks - 1)  # a Monday: whole weeks only
    by_week: dict[date, list[int]] = {}
    for local_date, guilt in guilt_after_contacts(owner, since, [ContactReply.DECLINED, ContactReply.OWN_TERMS]):
        if guilt is not None:  # an unset guilt is missing, not a number
            by_week.setdefault(week_start(local_date), []).append(guilt)
    return [{"week": w, "mean": sum(v) / len(v), "n": len(v)} for w, v in sorted(by_week.items())]


def weekly_trend(rows: list[dict[str, Any]], key: str) -> float | None:
    """Least-squares change per week (weeks as real time, gaps included); None if < 2 weeks."""
    if len(rows) < 2:
        return None
    first = rows[0]["week"]
    x = np.array([(r["week"] - first).days / 7 for r in rows], dtype=float)
    y = np.array([r[key] for r in rows], dtype=float)
    return float(np.polyfit(x, y, 1)[0])


def steps_summary(owner: User) -> dict[str, int]:
    steps = SmallStep.objects.filter(goal__enrollment__owner=owner)
    counts = {status: 0 for status in SmallStep.Status.values}
    reflections = 0
    for step in steps:
        counts[step.status] += 1
        reflections += step.has_reflection
    return {
        "planned": counts["planned"] + counts["done"] + counts["not_done"],
        "open": counts["planned"],
        "done": counts["done"],
        "not_done": counts["not_done"],
        "dropped": counts["dropped"],
        "reflections": reflections,
    }


def steps_summaries(owner_ids: list[int]) -> dict[int, dict[str, int]]:
    """:func:`steps_summary` for many owners in one query (only those the policy allowed)."""
    rows = SmallStep.objects.filter(goal__enrollment__owner_id__in=owner_ids).values_list(
        "goal__enrollment__owner_id", "status", "how_it_went", "learned"
    )
    counts: dict[int, dict[str, int]] = {
        oid: {**dict.fromkeys(SmallStep.Status.values, 0), "reflections": 0} for oid in owner_ids
    }
    for owner_id, status, how, learned in rows:
        counts[owner_id][status] += 1
        counts[owner_id]["reflections"] += bool((how or "").strip() or (learned or "").strip())
    return {
        oid: {
            "planned": c["planned"] + c["done"] + c["not_done"],
            "open": c["planned"],
            "done": c["done"],
            "not_done": c["not_done"],
            "dropped": c["dropped"],
            "reflections": c["reflections"],
        }
        for oid, c in counts.items()
    }


def screener_history(owner: User) -> list[dict[str, Any]]:
    return [
        {
            "date": r.completed_at.date() if r.completed_at else None,
            "instrument": r.instrument,
            "total": r.total,
            "band": r.band,
        }
        for r in completed_responses(owner)
        if r.instrument.startswith("enmeshment-")
    ]


def coupling_trend(owner: User) -> list[dict[str, Any]]:
    out = []
    for report in solo_reports(owner):
        series = window_series(report.result, "concurrent")
        if len(series) >= 2:
            out.append(
                {
                    "other": report.other.name if report.other else "",
                    "first": series[0]["estimate"],
                    "last": series[-1]["estimate"],
                    "change": series[-1]["estimate"] - series[0]["estimate"],
                }
            )
    return out


ALL_PARTS = frozenset({"checkins", "measures", "coupling"})


def summary(owner: User, parts: frozenset[str] = ALL_PARTS, *, about: str = "") -> dict[str, Any]:
    """The progress summary. ``parts`` limits what a therapist sees to the scopes the
    client shares; the person themselves always gets everything. ``about`` is the
    client's name when someone else reads it: the sentences then speak about them."""
    who, whose, they = (about, f"{about}'s", "they") if about else ("You", "Your", "you")
    whose_mid = whose if about else "your"
    shares = contact_shares(owner) if "checkins" in parts else []
    guilt = guilt_after_saying_no(owner) if "checkins" in parts else []
    steps = steps_summary(owner)
    screener = screener_history(owner) if "measures" in parts else []
    coupling = coupling_trend(owner) if "coupling" in parts else []
    sentences = []
    if len(shares) >= 2:
        first = shares[0]["share_at_once"]
        last = shares[-1]["share_at_once"]
        sentences.append(
            f"{who} answered {first:.0%} of contacts at once in the first week shown and {last:.0%} in the latest."
        )
    slope = weekly_trend(guilt, "mean")
    if slope is not None:
        direction = "easing" if slope < -0.05 else "rising" if slope > 0.05 else "about the same"
        sentences.append(
            f"Guilt after saying no or answering later is {direction} "
            f"({slope:+.1f} points a week, latest week {guilt[-1]['mean']:.1f})."
        )
    if steps["planned"]:
        sentences.append(
            f"{who} planned {steps['planned']} small step{'s' if steps['planned'] != 1 else ''} "
            f"and did {steps['done']}; {they} wrote {steps['reflections']} "
            f"reflection{'s' if steps['reflections'] != 1 else ''}."
        )
    if len(screener) >= 2:
        sentences.append(
            f"{whose} screener average went from {screener[0]['total']:.2f} to {screener[-1]['total']:.2f} "
            f"({screener[-1]['band']})."
        )
    for row in coupling:
        sentences.append(
            f"How closely {whose_mid} mood moves with {row['other']}'s went "
            f"from {row['first']:.2f} to {row['last']:.2f}."
        )
    return {
        "shares": shares,
        "guilt": guilt,
        "guilt_trend": slope,
        "steps": steps,
        "screener": screener,
        "coupling": coupling,
        "sentences": sentences,
    }
