"""The measures app's records as the export and the shared pages see them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from individuate.core.records import Section, iso

from .models import Assignment, Response, SafetyFlag, SafetyFlagSeen
from .registry import instruments

if TYPE_CHECKING:
    from individuate.accounts.models import User


def export_responses(owner: User) -> list[dict[str, Any]]:
    return [
        {
            "instrument": r.instrument,
            "version": r.instrument_version,
            "status": r.status,
            "started_at": iso(r.started_at),
            "completed_at": iso(r.completed_at),
            "answers": r.answers,
            "total": r.total,
            "band": r.band,
            "subscales": r.subscales,
            "flags": r.flags,
        }
        for r in Response.objects.filter(owner=owner).order_by("started_at")
    ]


def export_flags(owner: User) -> list[dict[str, Any]]:
    return [
        {
            "flag": f.flag,
            "item": f.item,
            "value": f.value,
            "highest_value": f.highest_value,
            "latest_value": f.latest_value,
            "raised_at": iso(f.raised_at),
            "rose_at": iso(f.rose_at),
            "thinking_of_suicide_now": f.thinking_now,
            "plan_or_act": f.plan_or_act,
            "followed_up_at": iso(f.followed_up_at),
            "seen_by_a_therapist": f.seen.exists(),
        }
        for f in SafetyFlag.objects.filter(owner=owner)
    ]


def export_assignments(owner: User) -> list[dict[str, Any]]:
    return [
        {
            "instrument": a.instrument,
            "recurrence": a.recurrence,
            "due_on": iso(a.due_on),
            "active": a.active,
            "created_at": iso(a.created_at),
        }
        for a in Assignment.objects.filter(client=owner)
    ]


def _name(instrument_id: str) -> str:
    instrument = instruments().get(instrument_id)
    return instrument.name if instrument else "A questionnaire no longer offered here"


def safety_flags_section(owner: User) -> Section:
    """For the therapist's client overview (shown only where measures are shared)."""
    from .actions import flag_detail

    flags = SafetyFlag.objects.filter(owner=owner).select_related("response").order_by("-raised_at")[:5]
    return Section(
        title="Safety answers",
        columns=[("date", "Date"), ("questionnaire", "Questionnaire"), ("question", "Question"), ("answer", "Answer")],
        rows=[
            {
                "date": d.raised_at.date().isoformat(),
                "questionnaire": d.questionnaire,
                "question": d.question,
                "answer": d.answer,
            }
            for d in map(flag_detail, flags)
        ],
        empty="No answers that asked for care.",
    )


def measures_section(owner: User) -> Section:
    return Section(
        title="Questionnaire results",
        columns=[
            ("date", "Date"),
            ("instrument", "Questionnaire"),
            ("total", "Total"),
            ("band", "Band"),
            ("flags", "Flags"),
        ],
        rows=[
            {
                "date": r.completed_at.date().isoformat() if r.completed_at else "",
                "instrument": _name(r.instrument),
                "total": round(r.total, 2) if r.total is not None else None,
                "band": r.band,
                "flags": "Asked for care (safety answer)" if r.flags else "",
            }
            for r in Response.objects.filter(owner=owner, status=Response.Status.COMPLETED).order_by("-completed_at")
        ],
        empty="No questionnaires completed yet.",
    )


def export_flags_seen(owner: User) -> list[dict[str, Any]]:
    """A therapist's record of which safety flags they have seen (no client detail)."""
    return [{"flag": s.flag_id, "seen_at": iso(s.at)} for s in SafetyFlagSeen.objects.filter(therapist=owner)]
