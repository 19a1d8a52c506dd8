"""The healing plans as JSON: the same operations as the plan pages, for the owner;
a therapist reads a client's plan and suggests steps only through the policy."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from ninja import Router, Schema, Status
from pydantic import Field, WithJsonSchema

from individuate.core.http import AuthedRequest
from individuate.core.schemas import Message, Scale, Text

from . import actions
from .content import plans
from .models import Goal, PlanEnrollment, Script, SmallStep, StepSuggestion

router = Router(tags=["plans"])

# Both models call their choices ``Status``; the API names them apart.
StepStatus = Annotated[
    SmallStep.Status, WithJsonSchema({"title": "StepStatus", "type": "string", "enum": SmallStep.Status.values})
]
SuggestionStatus = Annotated[
    StepSuggestion.Status,
    WithJsonSchema({"title": "SuggestionStatus", "type": "string", "enum": StepSuggestion.Status.values}),
]

ERRORS: dict[int, type[Schema]] = {400: Message, 403: Message, 404: Message, 409: Message, 422: Message}


class PlanStepOut(Schema):
    id: str
    number: int
    title: str
    summary: str
    suggested_goals: list[str]


class PlanOut(Schema):
    id: str
    title: str
    audience: str
    intro: str
    steps: list[PlanStepOut]


class SmallStepOut(Schema):
    id: int
    goal_id: int
    title: str
    planned_on: date
    status: StepStatus
    script_id: int | None
    how_it_went: str
    learned: str
    guilt: int | None
    anger: int | None
    completed_at: datetime | None


class GoalOut(Schema):
    id: int
    plan_step: str
    text: str
    dropped: bool
    small_steps: list[SmallStepOut]


class EnrollmentOut(Schema):
    plan: str
    started_at: datetime
    exercises: dict[str, str]
    goals: list[GoalOut]


class ScriptIn(Schema):
    title: Text = Field(default="", max_length=120)
    situation: Text = Field(default="", max_length=500)
    feeling: Text = Field(default="", max_length=500)
    action: Text = Field(default="", max_length=500)
    reassurance: Text = Field(default="", max_length=500)


class ScriptOut(ScriptIn):
    id: int
    message: str


class TextIn(Schema):
    text: Text = Field(max_length=4000)


class SmallStepIn(Schema):
    title: Text = Field(max_length=200)
    planned_on: date
    script_id: int | None = None


class ReflectionIn(Schema):
    how_it_went: Text = Field(default="", max_length=2000)
    learned: Text = Field(default="", max_length=2000)
    guilt: Scale | None = None
    anger: Scale | None = None


class CompleteIn(ReflectionIn):
    done: bool


class PlannedOnIn(Schema):
    planned_on: date


class SuggestionOut(Schema):
    id: int
    plan_step: str
    title: str
    note: str
    status: SuggestionStatus
    created_at: datetime


class SuggestionAnswerIn(Schema):
    accept: bool
    title: Text = Field(default="", max_length=200)
    planned_on: date | None = None


class SuggestionIn(Schema):
    plan_step: Text = Field(max_length=40)
    title: Text = Field(max_length=200)
    note: Text = Field(default="", max_length=500)


def _step(s: SmallStep) -> SmallStepOut:
    return SmallStepOut(
        id=s.pk,
        goal_id=s.goal_id,
        title=s.title,
        planned_on=s.planned_on,
        status=SmallStep.Status(s.status),
        script_id=s.script_id,
        how_it_went=s.how_it_went,
        learned=s.learned,
        guilt=s.guilt,
        anger=s.anger,
        completed_at=s.completed_at,
    )


def _goal(g: Goal) -> GoalOut:
    return GoalOut(
        id=g.pk,
        plan_step=g.step,
        text=g.text,
        dropped=g.dropped_at is not None,
        small_steps=[_step(s) for s in g.small_steps.all()],
    )


def _enrollment(e: PlanEnrollment) -> EnrollmentOut:
    return EnrollmentOut(
        plan=e.plan,
        started_at=e.started_at,
        exercises={a.exercise: a.text for a in e.answers.all()},
        goals=[_goal(g) for g in e.goals.all()],
    )


def _enrollments(owner: Any) -> list[EnrollmentOut]:
    rows = PlanEnrollment.objects.filter(owner=owner).prefetch_related("answers", "goals__small_steps")
    return [_enrollment(e) for e in rows]


def _script(s: Script) -> ScriptOut:
    return ScriptOut(
        id=s.pk,
        title=s.title,
        situation=s.situation,
        feeling=s.feeling,
        action=s.action,
        reassurance=s.reassurance,
        message=s.message,
    )


def _suggestion(s: StepSuggestion) -> SuggestionOut:
    return SuggestionOut(
        id=s.pk,
        plan_step=s.plan_step,
        title=s.title,
        note=s.note,
        status=StepSuggestion.Status(s.status),
        created_at=s.created_at,
    )


# ---------------------------------------------------------------- the owner's plan


@router.get("/plans", response=list[PlanOut], summary="The guided plans one can start")
def list_plans(request: AuthedRequest) -> list[PlanOut]:
    return [
        PlanOut(
            id=p.id,
            title=p.title,
            audience=p.audience,
            intro=p.intro,
            steps=[
                PlanStepOut(
                    id=s.id, number=s.number, title=s.title, summary=s.summary, suggested_goals=list(s.suggested_goals)
                )
                for s in p.steps
            ],
        )
        for p in plans().values()
    ]


@router.get("/plan", response=list[EnrollmentOut], summary="My plans: goals, small steps and exercises")
def my_plan(request: AuthedRequest) -> list[EnrollmentOut]:
    return _enrollments(request.user)


@router.post("/plans/{plan_id}/start", response={201: EnrollmentOut, **ERRORS}, summary="Start a plan")
def start_plan(request: AuthedRequest, plan_id: str) -> Status[EnrollmentOut]:
    enrollment = actions.start_plan(request.user, plan_id)
    return Status(201, _enrollment(enrollment))


@router.put(
    "/plans/{plan_id}/exercises/{exercise_id}", response={200: Message, **ERRORS}, summary="Save an exercise answer"
)
def save_exercise(request: AuthedRequest, plan_id: str, exercise_id: str, payload: TextIn) -> Message:
    actions.save_exercise(request.user, plan_id, exercise_id, payload.text)
    return Message(detail="Saved.")


@router.post(
    "/plans/{plan_id}/steps/{step_id}/goals", response={201: GoalOut, **ERRORS}, summary="Add a goal to a plan step"
)
def add_goal(request: AuthedRequest, plan_id: str, step_id: str, payload: TextIn) -> Status[GoalOut]:
    goal = actions.add_goal(request.user, plan_id, step_id, payload.text)
    return Status(201, _goal(goal))


@router.post("/plan/goals/{goal_id}/drop", response={200: Message, **ERRORS}, summary="Drop a goal (kept in history)")
def drop_goal(request: AuthedRequest, goal_id: int) -> Message:
    actions.drop_goal(request.user, goal_id)
    return Message(detail="Goal dropped.")


@router.post("/plan/goals/{goal_id}/steps", response={201: SmallStepOut, **ERRORS}, summary="Plan a small step")
def add_small_step(request: AuthedRequest, goal_id: int, payload: SmallStepIn) -> Status[SmallStepOut]:
    step = actions.add_small_step(request.user, goal_id, payload.title, payload.planned_on, payload.script_id)
    return Status(201, _step(step))


@router.post("/plan/steps/{step_id}/reschedule", response={200: SmallStepOut, **ERRORS}, summary="Move a small step")
def reschedule_step(request: AuthedRequest, step_id: int, payload: PlannedOnIn) -> SmallStepOut:
    return _step(actions.reschedule_step(request.user, step_id, payload.planned_on))


@router.post("/plan/steps/{step_id}/repeat", response={201: SmallStepOut, **ERRORS}, summary="Plan a step again")
def repeat_step(request: AuthedRequest, step_id: int, payload: PlannedOnIn) -> Status[SmallStepOut]:
    return Status(201, _step(actions.repeat_step(request.user, step_id, payload.planned_on)))


@router.post("/plan/steps/{step_id}/drop", response={200: SmallStepOut, **ERRORS}, summary="Drop a small step")
def drop_step(request: AuthedRequest, step_id: int) -> SmallStepOut:
    return _step(actions.drop_step(request.user, step_id))


@router.put("/plan/steps/{step_id}/reflection", response={200: SmallStepOut, **ERRORS}, summary="Save a reflection")
def save_reflection(request: AuthedRequest, step_id: int, payload: ReflectionIn) -> SmallStepOut:
    return _step(actions.save_reflection(request.user, step_id, **payload.dict()))


@router.post("/plan/steps/{step_id}/complete", response={200: SmallStepOut, **ERRORS}, summary="Mark done or not done")
def complete_step(request: AuthedRequest, step_id: int, payload: CompleteIn) -> SmallStepOut:
    return _step(actions.complete_step(request.user, step_id, **payload.dict()))


@router.get("/plan/scripts", response=list[ScriptOut], summary="My boundary scripts")
def list_scripts(request: AuthedRequest) -> list[ScriptOut]:
    return [_script(s) for s in Script.objects.filter(owner=request.user)]


@router.post("/plan/scripts", response={201: ScriptOut, **ERRORS}, summary="Write a boundary script")
def add_script(request: AuthedRequest, payload: ScriptIn) -> Status[ScriptOut]:
    return Status(201, _script(actions.save_script(request.user, None, **payload.dict())))


@router.put("/plan/scripts/{script_id}", response={200: ScriptOut, **ERRORS}, summary="Change a boundary script")
def change_script(request: AuthedRequest, script_id: int, payload: ScriptIn) -> ScriptOut:
    return _script(actions.save_script(request.user, script_id, **payload.dict()))


@router.delete("/plan/scripts/{script_id}", response={204: None, **ERRORS}, summary="Delete a boundary script")
def delete_script(request: AuthedRequest, script_id: int) -> Status[None]:
    actions.delete_script(request.user, script_id)
    return Status(204, None)


@router.get("/plan/suggestions", response=list[SuggestionOut], summary="Steps my therapists suggested")
def my_suggestions(request: AuthedRequest) -> list[SuggestionOut]:
    return [_suggestion(s) for s in StepSuggestion.objects.filter(client=request.user)]


@router.post("/plan/suggestions/{suggestion_id}", response={200: SuggestionOut, **ERRORS}, summary="Accept or decline")
def answer_suggestion(request: AuthedRequest, suggestion_id: int, payload: SuggestionAnswerIn) -> SuggestionOut:
    suggestion = actions.answer_suggestion(
        request.user, suggestion_id, accept=payload.accept, title=payload.title, planned_on=payload.planned_on
    )
    return _suggestion(suggestion)


# ---------------------------------------------------------------- therapist side (policy-checked)


@router.get(
    "/clients/{client_id}/plan", response={200: list[EnrollmentOut], **ERRORS}, summary="A client's plans (plans grant)"
)
def client_plan(request: AuthedRequest, client_id: int) -> list[EnrollmentOut]:
    client = actions.client_for_plans(request.user, client_id, via="api", path=request.path)
    return _enrollments(client)


@router.post(
    "/clients/{client_id}/plan/suggestions",
    response={201: SuggestionOut, **ERRORS},
    summary="Suggest a small step to a client (plans grant)",
)
def suggest(request: AuthedRequest, client_id: int, payload: SuggestionIn) -> Status[SuggestionOut]:
    suggestion = actions.suggest_step(
        request.user, client_id, payload.plan_step, payload.title, payload.note, path=request.path
    )
    return Status(201, _suggestion(suggestion))
