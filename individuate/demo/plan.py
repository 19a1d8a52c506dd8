"""The demo adult child's plan under way: goals, done steps with reflections, scripts."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from individuate.accounts.models import User
from individuate.core.time import local_today
from individuate.healing import actions
from individuate.healing.content import example_scripts
from individuate.healing.models import SmallStep


def seed_plan(child: User, parent: User) -> None:
    if actions.enrollment_of(child, "adult-child") is not None:
        return
    actions.start_plan(child, "adult-child")
    actions.save_exercise(
        child, "adult-child", _first_exercise("space"), "Non-urgent calls: within a day, not within a minute."
    )
    sunday = next(e for e in example_scripts() if e.id == "weekly-visit")
    script = actions.save_script(
        child,
        title=sunday.title,
        situation=sunday.situation,
        feeling=sunday.feeling,
        action=sunday.action,
        reassurance=sunday.reassurance,
    )
    rule = actions.add_goal(child, "adult-child", "space", "Answer non-urgent calls on my own terms")
    ritual = actions.add_goal(child, "adult-child", "small-steps", "Change the standing Sunday lunch")
    actions.add_goal(child, "adult-child", "independence", "One evening a week that is only mine")
    today = local_today(child)
    done = [
        (rule, "Leave the phone in the hall during dinner", 70, 7, "Harder than I thought. Nothing bad happened."),
        (
            rule,
            "Call back the next morning instead of at once",
            45,
            5,
            "She asked if I was angry. I said no, just busy.",
        ),
        (ritual, "Say I'll come every other Sunday", 21, 4, "I used my script. She was quiet, then said fine."),
    ]
    for goal, title, days_ago, guilt, learned in done:
        step = actions.add_small_step(child, goal.pk, title, today)
        SmallStep.objects.filter(pk=step.pk).update(
            planned_on=today - timedelta(days=days_ago),
            status=SmallStep.Status.DONE,
            completed_at=timezone.now() - timedelta(days=days_ago),
            guilt=guilt,
            anger=2,
            how_it_went=learned,
            learned="The guilt fades faster each time.",
            script=script if goal == ritual else None,
        )
    actions.add_small_step(
        child, ritual.pk, "Spend this Sunday with friends", today + timedelta(days=(6 - today.weekday()) % 7)
    )
    actions.start_plan(parent, "parent")


def _first_exercise(step_id: str) -> str:
    from individuate.healing.content import plans

    return plans()["adult-child"].step(step_id).exercises[0].id
