"""The healing app's records for the export and for therapists with the plans grant."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import Q

from individuate.boundaries.policy import may_name_client
from individuate.core.records import Section, iso

from .models import ExerciseAnswer, Goal, Script, SmallStep, StepSuggestion

if TYPE_CHECKING:
    from individuate.accounts.models import User


def export_plan(owner: User) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for goal in Goal.objects.filter(enrollment__owner=owner).select_related("enrollment"):
        rows.append(
            {
                "plan": goal.enrollment.plan,
                "step": goal.step,
                "goal": goal.text,
                "created_at": iso(goal.created_at),
                "dropped_at": iso(goal.dropped_at),
            }
        )
    return rows


def export_small_steps(owner: User) -> list[dict[str, Any]]:
    return [
        {
            "goal": s.goal.text,
            "title": s.title,
            "planned_on": iso(s.planned_on),
            "status": s.status,
            "how_it_went": s.how_it_went,
            "learned": s.learned,
            "guilt": s.guilt,
            "anger": s.anger,
            "completed_at": iso(s.completed_at),
            "script": s.script.title if s.script else None,
        }
        for s in SmallStep.objects.filter(goal__enrollment__owner=owner).select_related("goal", "script")
    ]


def export_exercises(owner: User) -> list[dict[str, Any]]:
    return [
        {
            "plan": a.enrollment.plan,
            "exercise": a.exercise,
            "text": a.text,
            "updated_at": iso(a.updated_at),
        }
        for a in ExerciseAnswer.objects.filter(enrollment__owner=owner).select_related("enrollment")
    ]


def export_scripts(owner: User) -> list[dict[str, Any]]:
    return [
        {
            "title": s.title,
            "situation": s.situation,
            "feeling": s.feeling,
            "action": s.action,
            "reassurance": s.reassurance,
        }
        for s in Script.objects.filter(owner=owner)
    ]


def plans_section(owner: User) -> Section:
    return Section(
        title="Small steps",
        columns=[
            ("goal", "Goal"),
            ("step", "Small step"),
            ("date", "Planned"),
            ("status", "Status"),
            ("guilt", "Guilt after"),
        ],
        rows=[
            {
                "goal": s.goal.text,
                "step": s.title,
                "date": s.planned_on.isoformat(),
                "status": s.get_status_display(),
                "guilt": s.guilt,
            }
            for s in SmallStep.objects.filter(goal__enrollment__owner=owner).select_related("goal")
        ],
        empty="No plan yet.",
    )


def export_suggestions(owner: User) -> list[dict[str, Any]]:
    """Steps a therapist suggested to you — or, for a therapist, the ones you suggested."""
    rows = []
    for s in StepSuggestion.objects.filter(Q(client=owner) | Q(therapist=owner)).select_related("therapist", "client"):
        received = s.client_id == owner.pk
        client = "" if received else (s.client.name if may_name_client(owner, s.client) else "a client")
        rows.append(
            {
                "direction": "received" if received else "sent",
                "with": s.therapist.name if received else client,
                "plan_step": s.plan_step,
                "title": s.title,
                "note": s.note,
                "status": s.status,
                "created_at": iso(s.created_at),
                "responded_at": iso(s.responded_at),
            }
        )
    return rows
