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
from individuate.boundaries.visibility import who_can_see
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
from .forms import AssignForm, FollowupForm, StartForm
from .models import Response
from .registry import instruments


@person_required
def measures(request: AuthedRequest) -> HttpResponse:
    user = request.user
    latest = {r.instrument: r for r in actions.completed_responses(user)}
    changes = {}
    for instrument_id in latest:
        instrument = instruments().get(instrument_id)
        if instrument is not None:
            points = reports.history(user, instrument, reports.reliable_change_for(instrument))
            if len(points) >= 2:
                changes[instrument_id] = points[-1]
    return render(
        request,
        "measures/index.html",
        {
            "instruments": actions.instruments_for(user),
            "due": actions.due_assignments(user),
            "upcoming": actions.upcoming_assignments(user),
            "open": {r.instrument: r for r in actions.open_responses(user)},
            "latest": latest,
            "changes": changes,
            "start_form": StartForm(),
        },
    )


@person_required
@require_POST
def measure_start(request: AuthedRequest, instrument_id: str) -> HttpResponse:
    form = StartForm(request.POST)
    layout = form.cleaned_data["layout"] if form.is_valid() else None
    response = attempt(request, lambda: actions.start_response(request.user, instrument_id, layout), "")
    return redirect("measures:response_take", response.pk) if response is not None else redirect("measures:measures")


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
        "who_can_see": who_can_see(response.owner, "measures", "your answers"),
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
        return redirect("measures:response_result", response.pk)
    if response.status == Response.Status.CLOSED:
        messages.info(request, "That questionnaire was left unfinished for weeks and was closed. Start a fresh one.")
        return redirect("measures:measures")
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
        target = f"{reverse('measures:response_take', args=[response.pk])}?q={max(q - 1, 1)}"
    elif nav == "next" and q < len(instrument.items):
        target = f"{reverse('measures:response_take', args=[response.pk])}?q={q + 1}"
    else:
        target = reverse("measures:response_review", args=[response.pk])
    if raised:
        # Crisis resources first, before anything else; then back to where they were.
        support = reverse("measures:response_support", args=[response.pk])
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
        # The answer and its flag are stored: crisis resources now, in either layout.
        reply = HttpResponse("")
        reply["HX-Redirect"] = reverse("measures:response_support", args=[response.pk])
        return reply
    answered = len(response.answers)
    return render(request, "measures/_saved.html", {"response": response, "answered": answered})


def _safe_next(response: Response, next_url: str) -> str:
    if next_url.startswith("/measures/") and "//" not in next_url:
        return next_url
    return reverse("measures:response_take", args=[response.pk])


def _support_context(request: AuthedRequest, response: Response) -> dict[str, Any]:
    instrument = actions.get_instrument(response.instrument)
    stored = list(response.safety_flags.all())
    return {
        "response": response,
        "flags": [f for f in instrument.flags if f.id in {s.flag for s in stored}],
        "safety": stored[0] if stored else None,
        "resources": crisis_resources(),
        "next_url": _safe_next(response, request.GET.get("next", "") or request.POST.get("next", "")),
        "has_therapist": _has_measures_therapist(request.user),
    }


@person_required
def response_support(request: AuthedRequest, response_id: int) -> HttpResponse:
    try:
        response = actions.get_own_response(request.user, response_id)
    except ActionError as exc:
        raise Http404(exc.message) from exc
    context = _support_context(request, response)
    context["followup"] = FollowupForm()
    return render(request, "measures/support.html", context)


@person_required
@require_POST
def response_followup(request: AuthedRequest, response_id: int) -> HttpResponse:
    """The follow-up about right now: "yes" to either question leads to the emergency screen."""
    try:
        response = actions.get_own_response(request.user, response_id)
    except ActionError as exc:
        raise Http404(exc.message) from exc
    form = FollowupForm(request.POST)
    if not form.is_valid():
        context = _support_context(request, response)
        context["followup"] = form
        return render(request, "measures/support.html", context, status=400)
    data = form.cleaned_data
    safety = attempt(
        request,
        lambda: actions.record_followup(
            request.user, response.pk, data["thinking_now"] == "yes", data["plan_or_act"] == "yes"
        ),
        "",
    )
    next_url = _safe_next(response, request.POST.get("next", ""))
    if safety is None:
        return redirect(next_url)
    if safety.urgent:
        return redirect(f"{reverse('measures:response_urgent', args=[response.pk])}?{urlencode({'next': next_url})}")
    messages.success(
        request, "Thank you for answering. If that changes, help is one tap away: “In crisis?” on every page."
    )
    return redirect(next_url)


@person_required
def response_urgent(request: AuthedRequest, response_id: int) -> HttpResponse:
    """Emergency first: the numbers to call now, before anything else."""
    try:
        response = actions.get_own_response(request.user, response_id)
    except ActionError as exc:
        raise Http404(exc.message) from exc
    return render(request, "measures/urgent.html", _support_context(request, response))


def _has_measures_therapist(user: User) -> bool:
    return bool(policy.therapists_with_scope(user, "measures"))


@person_required
def response_review(request: AuthedRequest, response_id: int) -> HttpResponse:
    try:
        response = actions.get_own_response(request.user, response_id)
    except ActionError as exc:
        raise Http404(exc.message) from exc
    if response.is_completed:
        return redirect("measures:response_result", response.pk)
    if response.status == Response.Status.CLOSED:
        return redirect("measures:measures")
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
            return redirect("measures:response_result", response_id)
        return redirect("measures:response_review", response_id)
    return redirect("measures:response_result", response.pk)


@person_required
def response_result(request: AuthedRequest, response_id: int) -> HttpResponse:
    try:
        response = actions.get_own_response(request.user, response_id)
    except ActionError as exc:
        raise Http404(exc.message) from exc
    if response.status == Response.Status.CLOSED:
        return redirect("measures:measures")
    if not response.is_completed:
        return redirect("measures:response_take", response.pk)
    context = reports.result_context(response)
    context["resources"] = crisis_resources() if response.flags else None
    context["has_therapist"] = _has_measures_therapist(request.user)
    context["who_can_see"] = who_can_see(request.user, "measures", "your answers")
    return render(request, "measures/result.html", context)


# ---------------------------------------------------------------- therapist side


def _client_or_denied(request: AuthedRequest, client_id: int) -> User:
    return policy.require_owner(request.user, client_id, "measures", via="page", path=request.path)


def _client_page(request: AuthedRequest, client: User, assign_form: AssignForm | None = None) -> HttpResponse:
    """The client's questionnaires page; with a bound ASSIGN_FORM that had mistakes, the form
    shows again with what was chosen and each error beside its field (status 422)."""
    context = reports.client_overview(client, request.user)
    context["assign_form"] = assign_form or AssignForm(
        instruments=instruments().values(), initial={"starts_on": timezone.localdate()}
    )
    context["assignments"] = actions.assignments_given(request.user, client)
    return render(request, "measures/client.html", context, status=422 if assign_form is not None else 200)


@therapist_required
def client_measures(request: AuthedRequest, client_id: int) -> HttpResponse:
    return _client_page(request, _client_or_denied(request, client_id))


@therapist_required
def client_response(request: AuthedRequest, client_id: int, response_id: int) -> HttpResponse:
    """One sitting, question by question, as the client answered it (e.g. from a safety flag)."""
    client = _client_or_denied(request, client_id)
    response = Response.objects.filter(owner=client, pk=response_id).first()
    instrument = instruments().get(response.instrument) if response else None
    if response is None or instrument is None:
        raise Http404("No such response.")
    flagged = {f.item for f in response.safety_flags.all()}
    rows = []
    for item in instrument.items:
        value = response.answers.get(item.id)
        label = next((o.label for o in item.options if o.value == value), None)
        rows.append({"item": item, "answer": label, "flagged": item.id in flagged})
    return render(
        request,
        "measures/client_response.html",
        {"client": client, "response": response, "instrument": instrument, "rows": rows},
    )


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
    if not form.is_valid():
        client = _client_or_denied(request, client_id)
        form_errors(request, form, beside_fields=True)
        return _client_page(request, client, form)
    data = form.cleaned_data
    attempt(
        request,
        lambda: actions.assign(
            request.user, client_id, data["instrument"], data["recurrence"], data["starts_on"], path=request.path
        ),
        "Assigned. The client sees it on their dashboard and gets a reminder.",
    )
    return redirect("measures:client_measures", client_id)


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
        cancel_url=reverse("measures:client_measures", args=[client_id]),
    )
    if asked is not None:
        return asked
    attempt(
        request, lambda: actions.end_assignment(request.user, assignment_id, path=request.path), "Assignment stopped."
    )
    return redirect("measures:client_measures", client_id)


@therapist_required
@require_POST
def flag_seen(request: AuthedRequest, client_id: int, flag_id: int) -> HttpResponse:
    attempt(request, lambda: actions.mark_flag_seen(request.user, flag_id, path=request.path), "Marked as seen.")
    return redirect("measures:client_measures", client_id)


@login_required
def psychometrics(request: AuthedRequest) -> HttpResponse:
    user = request.user
    if not (user.is_staff or policy.therapist_may_see_clients(user)):
        raise PermissionDenied("For therapists (with two-factor) and operators.")
    return render(request, "measures/psychometrics.html", {"reports": reports.psychometrics()})
