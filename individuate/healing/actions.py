"""What the healing app does. Every function validates fully and stores all or nothing."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from individuate.accounts.models import User
from individuate.boundaries import policy
from individuate.core.errors import ActionError
from individuate.core.time import local_today

from .content import Plan, plans
from .models import ExerciseAnswer, Goal, PlanEnrollment, Script, SmallStep, StepSuggestion

SCRIPT_FIELDS = ("title", "situation", "feeling", "action", "reassurance")


def _text(value: Any, name: str, limit: int, *, required: bool = True) -> str:
    text = " ".join(str(value or "").split()) if limit <= 500 else str(value or "").strip()
    if "\x00" in text:
        raise ActionError(f"{name} contains an invalid character.")
    if required and not text:
        raise ActionError(f"{name} cannot be empty.")
    if len(text) > limit:
        raise ActionError(f"{name} can be at most {limit} characters.")
    return text


def _scale(value: Any, name: str) -> int | None:
    if value in (None, ""):
        return None
    try:
        number = int(value)
    except (TypeError, ValueError) as exc:
        raise ActionError(f"{name} must be a whole number from 0 to 10.") from exc
    if isinstance(value, bool) or not 0 <= number <= 10 or str(value).strip() != str(number):
        raise ActionError(f"{name} must be a whole number from 0 to 10.")
    return number


def get_plan(plan_id: str) -> Plan:
    plan = plans().get(plan_id)
    if plan is None:
        raise ActionError(f"There is no plan {plan_id!r}.", "not_found")
    return plan


def default_plan_for(user: User) -> str:
    return "parent" if user.perspective == User.Perspective.PARENT else "adult-child"


@transaction.atomic
def start_plan(owner: User, plan_id: str) -> PlanEnrollment:
    if owner.is_therapist:
        raise ActionError("Plans are for clients.", "forbidden")
    get_plan(plan_id)
    enrollment, _ = PlanEnrollment.objects.get_or_create(owner=owner, plan=plan_id)
    return enrollment


def enrollment_of(owner: User, plan_id: str) -> PlanEnrollment | None:
    return PlanEnrollment.objects.filter(owner=owner, plan=plan_id).first()


def _own_enrollment(owner: User, plan_id: str) -> PlanEnrollment:
    enrollment = enrollment_of(owner, plan_id)
    if enrollment is None:
        raise ActionError("Start the plan first.", "not_found")
    return enrollment


@transaction.atomic
def save_exercise(owner: User, plan_id: str, exercise_id: str, text: str) -> ExerciseAnswer:
    enrollment = _own_enrollment(owner, plan_id)
    try:
        get_plan(plan_id).exercise(exercise_id)
    except KeyError as exc:
        raise ActionError("No such exercise.", "not_found") from exc
    answer, _ = ExerciseAnswer.objects.select_for_update().get_or_create(enrollment=enrollment, exercise=exercise_id)
    answer.text = _text(text, "Your answer", 4000, required=False)
    answer.save(update_fields=["text", "updated_at"])
    return answer


@transaction.atomic
def add_goal(owner: User, plan_id: str, step_id: str, text: str) -> Goal:
    enrollment = _own_enrollment(owner, plan_id)
    try:
        get_plan(plan_id).step(step_id)
    except KeyError as exc:
        raise ActionError("No such step in this plan.", "not_found") from exc
    clean = _text(text, "A goal", 300)
    if Goal.objects.filter(enrollment=enrollment, step=step_id, text__iexact=clean, dropped_at__isnull=True).exists():
        raise ActionError("You already have this goal.", "conflict")
    return Goal.objects.create(enrollment=enrollment, step=step_id, text=clean)


def _own_goal(owner: User, goal_id: int) -> Goal:
    goal = Goal.objects.filter(pk=goal_id, enrollment__owner=owner).first()
    if goal is None:
        raise ActionError("Not found.", "not_found")
    return goal


def drop_goal(owner: User, goal_id: int) -> None:
    goal = _own_goal(owner, goal_id)
    goal.dropped_at = timezone.now()
    goal.save(update_fields=["dropped_at"])


def _future(owner: User, planned_on: Any) -> date:
    if isinstance(planned_on, str):
        try:
            planned_on = date.fromisoformat(planned_on)
        except ValueError as exc:
            raise ActionError("Give a date like 2026-12-01.") from exc
    if not isinstance(planned_on, date):
        raise ActionError("Give a date for the step.")
    today = local_today(owner)
    if planned_on < today:
        raise ActionError("A planned step cannot be in the past.")
    if planned_on > today + timedelta(days=366):
        raise ActionError("Plan within the next year.")
    return planned_on


def _own_script(owner: User, script_id: Any) -> Script | None:
    if script_id in (None, ""):
        return None
    if not str(script_id).isdigit():
        raise ActionError("Choose one of your scripts from the list.")
    script = Script.objects.filter(pk=int(script_id), owner=owner).first()
    if script is None:
        raise ActionError("No such script.", "not_found")
    return script


@transaction.atomic
def add_small_step(owner: User, goal_id: int, title: str, planned_on: Any, script_id: Any = None) -> SmallStep:
    goal = _own_goal(owner, goal_id)
    clean = _text(title, "A step", 200)
    day = _future(owner, planned_on)
    script = _own_script(owner, script_id)
    if SmallStep.objects.filter(
        goal=goal, title__iexact=clean, planned_on=day, status=SmallStep.Status.PLANNED
    ).exists():
        raise ActionError("This step is already planned for that day.", "conflict")
    return SmallStep.objects.create(goal=goal, title=clean, planned_on=day, script=script)


def _own_step(owner: User, step_id: int, *, lock: bool = False) -> SmallStep:
    qs = SmallStep.objects.filter(pk=step_id, goal__enrollment__owner=owner)
    step = (qs.select_for_update() if lock else qs).first()
    if step is None:
        raise ActionError("Not found.", "not_found")
    return step


@transaction.atomic
def reschedule_step(owner: User, step_id: int, planned_on: Any) -> SmallStep:
    step = _own_step(owner, step_id, lock=True)
    if step.status not in (SmallStep.Status.PLANNED, SmallStep.Status.NOT_DONE):
        raise ActionError("Only a planned or not-done step can be moved.", "conflict")
    step.planned_on, step.status, step.completed_at = _future(owner, planned_on), SmallStep.Status.PLANNED, None
    step.save(update_fields=["planned_on", "status", "completed_at"])
    return step


@transaction.atomic
def drop_step(owner: User, step_id: int) -> SmallStep:
    step = _own_step(owner, step_id, lock=True)
    if step.status == SmallStep.Status.DROPPED:
        raise ActionError("This step is already dropped.", "conflict")
    step.status = SmallStep.Status.DROPPED
    step.save(update_fields=["status"])
    return step


@transaction.atomic
def repeat_step(owner: User, step_id: int, planned_on: Any) -> SmallStep:
    step = _own_step(owner, step_id)
    day = _future(owner, planned_on)
    if SmallStep.objects.filter(
        goal=step.goal, title__iexact=step.title, planned_on=day, status=SmallStep.Status.PLANNED
    ).exists():
        raise ActionError("This step is already planned for that day.", "conflict")
    return SmallStep.objects.create(
        goal=step.goal, title=step.title, planned_on=day, script=step.script, repeat_of=step
    )


@transaction.atomic
def save_reflection(
    owner: User,
    step_id: int,
    *,
    how_it_went: str = "",
    learned: str = "",
    guilt: Any = None,
    anger: Any = None,
) -> SmallStep:
    """Autosave of the reflection while it is being written; the status does not change."""
    step = _own_step(owner, step_id, lock=True)
    step.how_it_went = _text(how_it_went, "How it went", 2000, required=False)
    step.learned = _text(learned, "What I learned", 2000, required=False)
    step.guilt = _scale(guilt, "Guilt")
    step.anger = _scale(anger, "Anger")
    step.save(update_fields=["how_it_went", "learned", "guilt", "anger"])
    return step


@transaction.atomic
def complete_step(
    owner: User,
    step_id: int,
    *,
    done: bool,
    how_it_went: str = "",
    learned: str = "",
    guilt: Any = None,
    anger: Any = None,
) -> SmallStep:
    step = _own_step(owner, step_id, lock=True)
    if step.status in (SmallStep.Status.DONE, SmallStep.Status.NOT_DONE):
        raise ActionError("This step already has its outcome. Repeat it to try again.", "conflict")
    if step.status == SmallStep.Status.DROPPED:
        raise ActionError("This step was dropped.", "conflict")
    save_reflection(owner, step_id, how_it_went=how_it_went, learned=learned, guilt=guilt, anger=anger)
    step.refresh_from_db()
    step.status = SmallStep.Status.DONE if done else SmallStep.Status.NOT_DONE
    step.completed_at = timezone.now()
    step.save(update_fields=["status", "completed_at"])
    return step


# ---------------------------------------------------------------- scripts


@transaction.atomic
def save_script(owner: User, script_id: int | None = None, **fields: Any) -> Script:
    unknown = set(fields) - set(SCRIPT_FIELDS)
    if unknown:
        raise ActionError(f"Unknown field(s): {', '.join(sorted(unknown))}.")
    clean = {k: _text(v, k.capitalize(), 120 if k == "title" else 500, required=False) for k, v in fields.items()}
    if script_id is None:
        if not clean.get("title"):
            raise ActionError("Give the script a title, e.g. “The Sunday visit”.")
        return Script.objects.create(owner=owner, **clean)
    script = Script.objects.select_for_update().filter(pk=script_id, owner=owner).first()
    if script is None:
        raise ActionError("Not found.", "not_found")
    if "title" in clean and not clean["title"]:
        raise ActionError("A script needs a title.")
    for key, value in clean.items():
        setattr(script, key, value)
    script.save()
    return script


def delete_script(owner: User, script_id: int) -> None:
    deleted, _ = Script.objects.filter(pk=script_id, owner=owner).delete()
    if not deleted:
        raise ActionError("Not found.", "not_found")


@transaction.atomic
def link_script(owner: User, step_id: int, script_id: Any) -> SmallStep:
    step = _own_step(owner, step_id, lock=True)
    step.script = _own_script(owner, script_id)
    step.save(update_fields=["script"])
    return step


# ---------------------------------------------------------------- therapist suggestions


def plans_of(client: User) -> list[Plan]:
    """The plans a therapist may suggest steps in: those the client started, or the one
    meant for them (adult child or parent) when they have not started any."""
    started = list(PlanEnrollment.objects.filter(owner=client).values_list("plan", flat=True))
    ids = [pid for pid in started if pid in plans()] or [default_plan_for(client)]
    return [plans()[pid] for pid in ids]


@transaction.atomic
def client_for_plans(therapist: User, client_id: int, *, via: str, path: str = "") -> User:
    """The client whose plans THERAPIST may read (policy-checked and logged)."""
    return policy.require_owner(therapist, client_id, "plans", via=via, path=path)


def suggest_step(
    therapist: User, client_id: int, plan_step: str, title: str, note: str = "", *, path: str = ""
) -> StepSuggestion:
    client = policy.require_owner(therapist, client_id, "plans", via="page", path=path)
    if not any(plan_step in {s.id for s in p.steps} for p in plans_of(client)):
        raise ActionError("Choose a step of this client's own plan.")
    return StepSuggestion.objects.create(
        therapist=therapist,
        client=client,
        plan_step=plan_step,
        title=_text(title, "A step", 200),
        note=_text(note, "A note", 500, required=False),
    )


def pending_suggestions(client: User) -> QuerySet[StepSuggestion]:
    """Steps a therapist suggested that the client has not answered yet (their own view)."""
    return StepSuggestion.objects.filter(client=client, status=StepSuggestion.Status.PENDING).select_related(
        "therapist"
    )


@transaction.atomic
def answer_suggestion(
    client: User, suggestion_id: int, *, accept: bool, title: str = "", planned_on: Any = None
) -> StepSuggestion:
    suggestion = StepSuggestion.objects.select_for_update().filter(pk=suggestion_id, client=client).first()
    if suggestion is None:
        raise ActionError("Not found.", "not_found")
    if suggestion.status != StepSuggestion.Status.PENDING:
        raise ActionError("You already answered this suggestion.", "conflict")
    if accept:
        plan_id = next(pid for pid, p in plans().items() if suggestion.plan_step in {s.id for s in p.steps})
        enrollment = start_plan(client, plan_id)
        goal = Goal.objects.filter(enrollment=enrollment, step=suggestion.plan_step, dropped_at__isnull=True).first()
        if goal is None:
            goal = Goal.objects.create(
                enrollment=enrollment,
                step=suggestion.plan_step,
                text="Steps my therapist suggested",
            )
        suggestion.resulting_step = add_small_step(
            client, goal.pk, title or suggestion.title, planned_on or local_today(client)
        )
        suggestion.status = StepSuggestion.Status.ACCEPTED
    else:
        suggestion.status = StepSuggestion.Status.DECLINED
    suggestion.responded_at = timezone.now()
    suggestion.save(update_fields=["status", "responded_at", "resulting_step"])
    return suggestion
