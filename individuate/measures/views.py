from __future__ import annotations

import csv
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.views.decorators.http import require_POST

from individuate.accounts.models import User
from individuate.boundaries import policy
from individuate.core.crisis import crisis_resources
from individuate.core.errors import ActionError
from individuate.core.http import (
    AuthedRequest,
    attempt,
    confirm_first,
    form_errors,
    person_required,
    therapist_required,
)

from . import actions, reports
from .forms import AssignForm, StartForm
from .models import Assignment, Response
from .registry import instruments


@person_required
def measures(request: AuthedRequest) -> HttpResponse:
    user = request.user
    latest = {r.instrument: r for r in actions.completed_responses(user)}
    return render(
        request,
        "measures/index.html",
        {
            "instruments": list(instruments().values()),
            "due": actions.due_assignments(user),
            "upcoming": actions.upcoming_assignments(user),
            "open": {r.instrument: r for r in actions.open_responses(user)},
            "latest": latest,
            "start_form": StartForm(),
        },
    )


@person_required
@require_POST
def measure_start(request: AuthedRequest, instrument_id: str) -> HttpResponse:
    form = StartForm(request.POST)
    layout = form.cleaned_data["layout"] if form.is_valid() else None
    response = attempt(request, lambda: actions.start_response(request.user, instrument_id, layout), "")
    return redirect("response_take", response.pk) if response is not None else redirect("measures")


def _take_context(response: Response, q: int | None = None) -> dict[str, Any]:
    instrument = actions.get_instrument(response.instrument)
    items = list(instrument.items)
    answered = sum(1 for i in items if i.id in response.answers)
    context: dict[str, Any] = {
        "response": response,
        "instrument": instrument,
        "items": items,
        "answered": answered,
        "count": len(items),
        "percent": round(100 * answered / len(items)),
    }
    if q is not None:
        q = min(max(q, 1), len(items))
        context.update({"q": q, "item": items[q - 1], "is_last": q == len(items)})
    return context


@person_required
def response_take(request: AuthedRequest, response_id: int) -> HttpResponse:
    try:
        response = actions.get_own_response(request.user, response_id)
    except ActionError as exc:
        raise Http404(exc.message) from exc
    if response.is_completed:
        return redirect("response_result", response.pk)
    if request.method == "POST":
        return _take_post(request, response)
    if response.layout == Response.Layout.ALL:
        return render(request, "measures/take_all.html", _take_context(response))
    instrument = actions.get_instrument(response.instrument)
    first_open = next((n for n, item in enumerate(instrument.items, 1) if item.id not in response.answers), 1)
    try:
        q = int(request.GET.get("q", first_open))
    except ValueError:
        q = first_open
    return render(request, "measures/take_one.html", _take_context(response, q))


def _take_post(request: AuthedRequest, response: Response) -> HttpResponse:
    instrument = actions.get_instrument(response.instrument)
    answers = {i.id: request.POST[i.id] for i in instrument.items if i.id in request.POST}
    try:
        _, raised = actions.save_answers(request.user, response.pk, answers)
    except ActionError as exc:
        messages.error(request, exc.message)
        return redirect(request.get_full_path())
    nav = request.POST.get("nav", "next")
    try:
        q = int(request.POST.get("q", "1"))
    except ValueError:
        q = 1
    if nav == "back":
        target = f"{reverse('response_take', args=[response.pk])}?q={max(q - 1, 1)}"
    elif nav == "next" and q < len(instrument.items):
        target = f"{reverse('response_take', args=[response.pk])}?q={q + 1}"
    else:
        target = reverse("response_review", args=[response.pk])
    if raised:
        # Crisis resources first, before anything else; then back to where they were.
        support = reverse("response_support", args=[response.pk])
        return redirect(f"{support}?{urlencode({'next': target})}")
    return redirect(target)


@person_required
@require_POST
def response_answer(request: AuthedRequest, response_id: int) -> HttpResponse:
    """htmx autosave of one answer; on a safety flag, send the browser to support."""
    item, value = request.POST.get("item", ""), request.POST.get("value", "")
    try:
        response, raised = actions.save_answers(request.user, response_id, {item: value})
    except ActionError as exc:
        # 200 so htmx puts it where "saved" would be: the person must see it failed.
        return HttpResponse(
            format_html('<span class="save-state error" role="alert">Not saved: {}</span>', exc.message)
        )
    if raised:
        reply = HttpResponse("")
        reply["HX-Redirect"] = reverse("response_support", args=[response.pk])
        return reply
    answered = len(response.answers)
    return render(request, "measures/_saved.html", {"response": response, "answered": answered})


@person_required
def response_support(request: AuthedRequest, response_id: int) -> HttpResponse:
    try:
        response = actions.get_own_response(request.user, response_id)
    except ActionError as exc:
        raise Http404(exc.message) from exc
    next_url = request.GET.get("next", "")
    if not next_url.startswith("/measures/"):
        next_url = reverse("response_take", args=[response.pk])
    instrument = actions.get_instrument(response.instrument)
    return render(
        request,
        "measures/support.html",
        {
            "response": response,
            "flags": [f for f in instrument.flags if f.id in {s.flag for s in response.safety_flags.all()}],
            "resources": crisis_resources(),
            "next_url": next_url,
            "has_therapist": _has_measures_therapist(request.user),
        },
    )


def _has_measures_therapist(user: User) -> bool:
    return bool(policy.therapists_with_scope(user, "measures"))


@person_required
def response_review(request: AuthedRequest, response_id: int) -> HttpResponse:
    try:
        response = actions.get_own_response(request.user, response_id)
    except ActionError as exc:
        raise Http404(exc.message) from exc
    if response.is_completed:
        return redirect("response_result", response.pk)
    context = _take_context(response)
    context["missing"] = actions.missing_items(response)
    return render(request, "measures/review.html", context)


@person_required
@require_POST
def response_submit(request: AuthedRequest, response_id: int) -> HttpResponse:
    try:
        response = actions.submit_response(request.user, response_id)
    except ActionError as exc:
        messages.error(request, exc.message)
        if exc.code == "conflict":
            return redirect("response_result", response_id)
        return redirect("response_review", response_id)
    return redirect("response_result", response.pk)


@person_required
def response_result(request: AuthedRequest, response_id: int) -> HttpResponse:
    try:
        response = actions.get_own_response(request.user, response_id)
    except ActionError as exc:
        raise Http404(exc.message) from exc
    if not response.is_completed:
        return redirect("response_take", response.pk)
    context = reports.result_context(response)
    context["resources"] = crisis_resources() if response.flags else None
    context["has_therapist"] = _has_measures_therapist(request.user)
    return render(request, "measures/result.html", context)


# ---------------------------------------------------------------- therapist side


def _client_or_denied(request: AuthedRequest, client_id: int) -> User:
    return policy.require_owner(request.user, client_id, "measures", via="page", path=request.path)


@therapist_required
def client_measures(request: AuthedRequest, client_id: int) -> HttpResponse:
    client = _client_or_denied(request, client_id)
    context = reports.client_overview(client, request.user)
    context["assign_form"] = AssignForm(instruments=instruments().values(), initial={"starts_on": timezone.localdate()})
    context["assignments"] = Assignment.objects.filter(client=client, therapist=request.user, active=True)
    return render(request, "measures/client.html", context)


@therapist_required
def client_measures_csv(request: AuthedRequest, client_id: int) -> HttpResponse:
    client = _client_or_denied(request, client_id)
    response = HttpResponse(content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="measures-client-{client.pk}.csv"'
    writer = csv.writer(response)
    writer.writerow(
        [
            "completed_at",
            "instrument",
            "version",
            "total",
            "band",
            "change",
            "reliable_change",
            "flags",
            "subscales",
        ]
    )
    for row in reports.history_rows(client):
        writer.writerow(row)
    return response


@therapist_required
@require_POST
def assignment_create(request: AuthedRequest, client_id: int) -> HttpResponse:
    form = AssignForm(request.POST, instruments=instruments().values())
    if form.is_valid():
        data = form.cleaned_data
        attempt(
            request,
            lambda: actions.assign(
                request.user, client_id, data["instrument"], data["recurrence"], data["starts_on"], path=request.path
            ),
            "Assigned. The client sees it on their dashboard and gets a reminder.",
        )
    else:
        form_errors(request, form)
    return redirect("client_measures", client_id)


@therapist_required
@require_POST
def assignment_end(request: AuthedRequest, client_id: int, assignment_id: int) -> HttpResponse:
    asked = confirm_first(
        request,
        title="Stop this questionnaire schedule?",
        consequences=[
            "Stop asking the client to repeat this questionnaire: no more reminders are sent.",
            "Answers already given stay, for them and for you.",
        ],
        action="Stop the schedule",
        cancel_url=reverse("client_measures", args=[client_id]),
    )
    if asked is not None:
        return asked
    attempt(
        request, lambda: actions.end_assignment(request.user, assignment_id, path=request.path), "Assignment stopped."
    )
    return redirect("client_measures", client_id)


@therapist_required
@require_POST
def flag_seen(request: AuthedRequest, client_id: int, flag_id: int) -> HttpResponse:
    attempt(request, lambda: actions.mark_flag_seen(request.user, flag_id, path=request.path), "Marked as seen.")
    return redirect("client_measures", client_id)


@login_required
def psychometrics(request: AuthedRequest) -> HttpResponse:
    user = request.user
    if not (user.is_staff or policy.therapist_may_see_clients(user)):
        raise PermissionDenied("For therapists (with two-factor) and operators.")
    return render(request, "measures/psychometrics.html", {"reports": reports.psychometrics()})
