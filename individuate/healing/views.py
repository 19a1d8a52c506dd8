from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.views.decorators.http import require_POST

from individuate.accounts.models import User
from individuate.boundaries import policy
from individuate.boundaries.visibility import who_can_see
from individuate.core.errors import ActionError
from individuate.core.http import AuthedRequest, attempt, confirm_first, person_required, therapist_required
from individuate.core.time import local_today

from . import actions, charts, progress
from .content import example_scripts, example_scripts_for, plans
from .models import Goal, PlanEnrollment, Script, SmallStep, StepSuggestion


def _saved(text: str = "Saved") -> HttpResponse:
    return HttpResponse(format_html('<span class="save-state">{} ✓</span>', text))


def _not_saved(exc: ActionError) -> HttpResponse:
    return HttpResponse(format_html('<span class="save-state error" role="alert">Not saved: {}</span>', exc.message))


def _plan_context(owner: User, enrollment: PlanEnrollment) -> dict[str, Any]:
    plan = actions.get_plan(enrollment.plan)
    goals = Goal.objects.filter(enrollment=enrollment, dropped_at__isnull=True).prefetch_related("small_steps__script")
    by_step: dict[str, list[Goal]] = {}
    for goal in goals:
        by_step.setdefault(goal.step, []).append(goal)
    return {
        "plan": plan,
        "enrollment": enrollment,
        "goals_by_step": by_step,
        "who_can_see": who_can_see(owner, "plans", "your goals and small steps"),
    }


@person_required
def plan_home(request: AuthedRequest) -> HttpResponse:
    enrollments = list(PlanEnrollment.objects.filter(owner=request.user))
    if not enrollments:
        return render(
            request,
            "healing/choose.html",
            {
                "plans": list(plans().values()),
                "recommended": actions.default_plan_for(request.user),
                "suggestions": StepSuggestion.objects.filter(client=request.user, status=StepSuggestion.Status.PENDING),
                "today": local_today(request.user),
            },
        )
    enrollment = enrollments[0]
    if len(enrollments) > 1 and request.GET.get("plan"):
        enrollment = next((e for e in enrollments if e.plan == request.GET["plan"]), enrollment)
    context = _plan_context(request.user, enrollment)
    context["others"] = [e for e in enrollments if e.pk != enrollment.pk]
    context["suggestions"] = StepSuggestion.objects.filter(client=request.user, status=StepSuggestion.Status.PENDING)
    context["today"] = local_today(request.user)
    context["upcoming"] = SmallStep.objects.filter(
        goal__enrollment__owner=request.user, status=SmallStep.Status.PLANNED
    ).select_related("goal")[:5]
    return render(request, "healing/plan.html", context)


@person_required
@require_POST
def plan_start(request: AuthedRequest, plan_id: str) -> HttpResponse:
    attempt(
        request,
        lambda: actions.start_plan(request.user, plan_id),
        "Your plan has started. Take it one small step at a time.",
    )
    return redirect(f"/plan/?plan={plan_id}")


@person_required
def plan_step(request: AuthedRequest, plan_id: str, step_id: str) -> HttpResponse:
    enrollment = actions.enrollment_of(request.user, plan_id)
    if enrollment is None:
        return redirect("healing:plan")
    plan = actions.get_plan(plan_id)
    try:
        step = plan.step(step_id)
    except KeyError as exc:
        raise Http404("No such step.") from exc
    context = _plan_context(request.user, enrollment)
    answers = {a.exercise: a.text for a in enrollment.answers.all()}
    context.update(
        {
            "step": step,
            "exercises": [(e, answers.get(e.id, "")) for e in step.exercises],
            "goals": context["goals_by_step"].get(step.id, []),
            "scripts": Script.objects.filter(owner=request.user),
            "today": local_today(request.user),
        }
    )
    return render(request, "healing/step.html", context)


@person_required
@require_POST
def exercise_save(request: AuthedRequest, plan_id: str) -> HttpResponse:
    try:
        actions.save_exercise(request.user, plan_id, request.POST.get("exercise", ""), request.POST.get("text", ""))
    except ActionError as exc:
        return _not_saved(exc)
    return _saved()


@person_required
@require_POST
def goal_add(request: AuthedRequest, plan_id: str, step_id: str) -> HttpResponse:
    attempt(
        request,
        lambda: actions.add_goal(request.user, plan_id, step_id, request.POST.get("text", "")),
        "Goal added.",
    )
    return redirect("healing:plan_step", plan_id, step_id)


@person_required
@require_POST
def goal_drop(request: AuthedRequest, goal_id: int) -> HttpResponse:
    goal = Goal.objects.filter(pk=goal_id, enrollment__owner=request.user).select_related("enrollment").first()
    attempt(request, lambda: actions.drop_goal(request.user, goal_id), "Goal set aside.")
    return redirect("healing:plan_step", goal.enrollment.plan, goal.step) if goal else redirect("healing:plan")


@person_required
@require_POST
def step_add(request: AuthedRequest, goal_id: int) -> HttpResponse:
    goal = Goal.objects.filter(pk=goal_id, enrollment__owner=request.user).select_related("enrollment").first()
    attempt(
        request,
        lambda: actions.add_small_step(
            request.user,
            goal_id,
            request.POST.get("title", ""),
            request.POST.get("planned_on", ""),
            request.POST.get("script") or None,
        ),
        "Small step planned.",
    )
    return redirect("healing:plan_step", goal.enrollment.plan, goal.step) if goal else redirect("healing:plan")


def _own_step_or_404(request: AuthedRequest, step_id: int) -> SmallStep:
    step = (
        SmallStep.objects.filter(pk=step_id, goal__enrollment__owner=request.user)
        .select_related("goal__enrollment", "script")
        .first()
    )
    if step is None:
        raise Http404("Not found.")
    return step


@person_required
def small_step(request: AuthedRequest, step_id: int) -> HttpResponse:
    step = _own_step_or_404(request, step_id)
    if request.method == "POST":
        action = request.POST.get("action")
        data = {k: request.POST.get(k, "") for k in ("how_it_went", "learned", "guilt", "anger")}
        if action in ("done", "not_done"):
            if attempt(
                request,
                lambda: actions.complete_step(request.user, step_id, done=action == "done", **data),
                "Thank you — that took courage.",
            ):
                return redirect("healing:plan_progress")
        elif action == "reschedule":
            attempt(
                request,
                lambda: actions.reschedule_step(request.user, step_id, request.POST.get("planned_on", "")),
                "Moved.",
            )
        elif action == "repeat":
            attempt(
                request,
                lambda: actions.repeat_step(request.user, step_id, request.POST.get("planned_on", "")),
                "Planned again.",
            )
        elif action == "drop":
            attempt(
                request,
                lambda: actions.drop_step(request.user, step_id),
                "Dropped. That's allowed.",
            )
        elif action == "script":
            attempt(
                request,
                lambda: actions.link_script(request.user, step_id, request.POST.get("script") or None),
                "Saved.",
            )
        else:
            messages.error(request, "Choose what to do with this step.")
        return redirect("healing:small_step", step_id)
    return render(
        request,
        "healing/small_step.html",
        {
            "step": step,
            "scripts": Script.objects.filter(owner=request.user),
            "today": local_today(request.user),
        },
    )


@person_required
@require_POST
def reflection_save(request: AuthedRequest, step_id: int) -> HttpResponse:
    data = {k: request.POST.get(k, "") for k in ("how_it_went", "learned", "guilt", "anger")}
    try:
        actions.save_reflection(request.user, step_id, **data)
    except ActionError as exc:
        return _not_saved(exc)
    return _saved("Draft saved")


@person_required
def scripts(request: AuthedRequest) -> HttpResponse:
    if request.method == "POST":
        example_id = request.POST.get("example")
        example = next((e for e in example_scripts() if e.id == example_id), None)
        fields: dict[str, str] = {"title": request.POST.get("title", "")}
        if example is not None:
            fields = {k: getattr(example, k) for k in ("title", "situation", "feeling", "action", "reassurance")}
        script = attempt(request, lambda: actions.save_script(request.user, None, **fields), "")
        if script is not None:
            return redirect("healing:script", script.pk)
    return render(
        request,
        "healing/scripts.html",
        {
            "scripts": Script.objects.filter(owner=request.user),
            "examples": example_scripts_for(request.user.perspective),
        },
    )


@person_required
def script(request: AuthedRequest, script_id: int) -> HttpResponse:
    item = Script.objects.filter(pk=script_id, owner=request.user).first()
    if item is None:
        raise Http404("Not found.")
    if request.method == "POST":
        if request.POST.get("action") == "delete":
            asked = confirm_first(
                request,
                title=f"Delete the script “{item.title}”?",
                consequences=[
                    f"Delete your boundary script “{item.title}” and everything you wrote in it.",
                    "Small steps that used it keep their own notes; they just no longer link to it.",
                ],
                action="Delete the script",
                cancel_url=reverse("healing:script", args=[item.pk]),
            )
            if asked is not None:
                return asked
            attempt(request, lambda: actions.delete_script(request.user, script_id), "Deleted.")
            return redirect("healing:scripts")
        fields = {k: request.POST[k] for k in actions.SCRIPT_FIELDS if k in request.POST}
        try:
            item = actions.save_script(request.user, script_id, **fields)
        except ActionError as exc:
            if request.headers.get("HX-Request"):
                return _not_saved(exc)
            messages.error(request, exc.message)
            return redirect("healing:script", script_id)
        if request.headers.get("HX-Request"):
            return render(request, "healing/_message.html", {"script": item})
        messages.success(request, "Saved.")
        return redirect("healing:script", script_id)
    return render(request, "healing/script.html", {"script": item})


@person_required
def plan_progress(request: AuthedRequest) -> HttpResponse:
    data = progress.summary(request.user)
    data["shares_svg"] = charts.shares_chart(data["shares"]) if data["shares"] else ""
    data["guilt_svg"] = charts.guilt_chart(data["guilt"], data["guilt_trend"]) if data["guilt"] else ""
    return render(request, "healing/progress.html", data)


@person_required
@require_POST
def suggestion_answer(request: AuthedRequest, suggestion_id: int) -> HttpResponse:
    accept = request.POST.get("decision") == "accept"
    attempt(
        request,
        lambda: actions.answer_suggestion(
            request.user,
            suggestion_id,
            accept=accept,
            title=request.POST.get("title", ""),
            planned_on=request.POST.get("planned_on") or None,
        ),
        "Added to your plan." if accept else "Declined. Your therapist sees only “not accepted”.",
    )
    return redirect("healing:plan")


# ---------------------------------------------------------------- therapist


def _client_or_denied(request: AuthedRequest, client_id: int) -> User:
    return policy.require_owner(request.user, client_id, "plans", via="page", path=request.path)


@therapist_required
def client_plan(request: AuthedRequest, client_id: int) -> HttpResponse:
    client = _client_or_denied(request, client_id)
    enrollments = []
    for enrollment in PlanEnrollment.objects.filter(owner=client):
        enrollments.append(_plan_context(client, enrollment))
    # The plans grant opens the plan; each other part of the progress page needs its own grant.
    parts = frozenset(
        scope
        for scope in ("checkins", "measures", "coupling")
        if policy.check(request.user, client, scope, via="page", path=request.path).allowed
    )
    data = progress.summary(client, parts, about=client.name)
    return render(
        request,
        "healing/client_plan.html",
        {
            "client": client,
            "enrollments": enrollments,
            "progress": data,
            "shares_svg": charts.shares_chart(data["shares"]) if data["shares"] else "",
            "suggestions": StepSuggestion.objects.filter(client=client, therapist=request.user),
            "plan_steps": [(p, s) for p in actions.plans_of(client) for s in p.steps],
        },
    )


@therapist_required
@require_POST
def client_suggest(request: AuthedRequest, client_id: int) -> HttpResponse:
    attempt(
        request,
        lambda: actions.suggest_step(
            request.user,
            client_id,
            request.POST.get("plan_step", ""),
            request.POST.get("title", ""),
            request.POST.get("note", ""),
            path=request.path,
        ),
        "Suggested. It waits for their answer: accept, change or decline.",
    )
    return redirect("healing:client_plan", client_id)
