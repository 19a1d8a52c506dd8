"""The pages that compose several apps: dashboards, the therapist's client list and week."""

from __future__ import annotations

import zoneinfo
from datetime import timedelta
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from individuate.accounts.models import User
from individuate.boundaries import actions as boundaries
from individuate.boundaries import policy
from individuate.boundaries import queries as boundary_queries
from individuate.boundaries.forms import ClientInviteForm
from individuate.boundaries.policy import therapist_may_see_clients
from individuate.checkins import actions as checkins
from individuate.core.http import AuthedRequest, attempt, form_errors, therapist_required
from individuate.healing import actions as healing
from individuate.healing.progress import steps_summaries
from individuate.measures import actions as measures
from individuate.measures.actions import clients_needing_attention, latest_results_by_client
from individuate.practice import actions as practice


@login_required
def dashboard(request: AuthedRequest) -> HttpResponse:
    user = request.user
    if user.is_therapist:
        mfa_on = therapist_may_see_clients(user)
        return render(
            request,
            "portal/dashboard_therapist.html",
            {
                "mfa_on": mfa_on,
                "client_count": boundaries.clients_of_therapist(user).count(),
                "attention_count": len(measures.clients_needing_attention(user)),
                "pending": boundaries.pending_for_therapist(user) if mfa_on else [],
                "booking_requests": _booking_requests(user).count() if mfa_on else 0,
            },
        )
    invitations = boundary_queries.open_invitation_counts(user)
    mood = checkins.daily_series(user, days=7)
    return render(
        request,
        "portal/dashboard_person.html",
        {
            "people": [(o, boundaries.link_state(o)) for o in user.others.all()],
            "connections": boundaries.open_connections_of_client(user),
            "family_invitations_count": invitations["family"],
            "therapist_invitations": boundaries.therapist_invitations_for(user),
            "recent_access": boundaries.access_summary(user)[:5],
            "due_measures": measures.due_assignments(user),
            # "What now?": today's check-in, the next session, what the therapist asked for, recent mood.
            "checked_in_today": checkins.todays_checkins(user).first(),
            "next_session": practice.upcoming_for(user).filter(client=user, status__in=practice.OPEN).first(),
            "suggestions": healing.pending_suggestions(user),
            "recent_mood": [day for day in mood if day.get("mood") is not None],
        },
    )


def _booking_requests(therapist: Any) -> Any:
    return practice.upcoming_for(therapist).filter(therapist=therapist, status=practice.AppointmentStatus.REQUESTED)


@therapist_required
def clients(request: AuthedRequest) -> HttpResponse:
    """The client list; its "Invite a client" form posts here, so a mistake is shown
    beside the field with what was typed kept (422), not as a message on a fresh page."""
    form = ClientInviteForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            if attempt(
                request,
                lambda: boundaries.invite_client(request.user, data["email"], data["message"]),
                "Invitation sent.",
            ):
                return redirect("portal:clients")
        else:
            form_errors(request, form, beside_fields=True)
        status = 422
    mfa_on = policy.therapist_may_see_clients(request.user)
    context: dict[str, Any] = {"mfa_on": mfa_on, "invite_form": form}
    if mfa_on:
        context["connections"] = boundaries.clients_of_therapist(request.user)
        context["attention"] = clients_needing_attention(request.user)
        context["pending"] = boundaries.pending_for_therapist(request.user)
    return render(request, "portal/clients.html", context, status=status)


#: Clients shown on the week view; the Clients page lists everyone.
WEEK_CLIENT_ROWS = 25


def _week_rows(everyone: list[tuple[int, str]], attention: set[int], seen_this_week: set[int]) -> list[Any]:
    """The clients the week view shows: those needing attention, then those with a
    session this week, then the rest by name — at most :data:`WEEK_CLIENT_ROWS`.
    ``everyone`` is (id, display name) pairs; the chosen ones come back as users."""

    def key(row: tuple[int, str]) -> tuple[bool, bool, str]:
        pk, name = row
        return (pk not in attention, pk not in seen_this_week, (name or f"Person {pk}").lower())

    chosen = [pk for pk, _ in sorted(everyone, key=key)[:WEEK_CLIENT_ROWS]]
    users = User.objects.in_bulk(chosen)
    return [users[pk] for pk in chosen if pk in users]


@therapist_required
def practice_dashboard(request: AuthedRequest) -> HttpResponse:
    therapist = request.user
    profile = practice.profile_of(therapist)
    zone = zoneinfo.ZoneInfo(profile.time_zone)
    now = timezone.now().astimezone(zone)
    week_end = now + timedelta(days=7 - now.weekday())
    mine = list(practice.upcoming_for(therapist).filter(therapist=therapist))
    today = [
        a
        for a in mine
        if a.status == practice.AppointmentStatus.CONFIRMED and a.start.astimezone(zone).date() == now.date()
    ]
    week = [
        a
        for a in mine
        if a.status == practice.AppointmentStatus.CONFIRMED
        and now.date() < a.start.astimezone(zone).date()
        and a.start < week_end
    ]
    may_see = policy.therapist_may_see_clients(therapist)
    clients = []
    client_total = 0
    if may_see:
        attention = set(clients_needing_attention(therapist))
        # Names only for everyone (to choose the rows); user records only for the rows shown.
        everyone = list(boundaries.clients_of_therapist(therapist).values_list("client_id", "client__display_name"))
        client_total = len(everyone)
        people = _week_rows(everyone, attention, {a.client_id for a in [*today, *week]})
        # One decision per client and kind from a few queries, every read logged in one insert.
        decided = policy.decide_kinds(therapist, people, ["measures", "plans"])
        measures_ok, plans_ok = decided["measures"], decided["plans"]
        shown: dict[str, list[Any]] = {"measures": [], "plans": []}
        results = latest_results_by_client([p.pk for p in people if measures_ok[p.pk].allowed])
        summaries = steps_summaries([p.pk for p in people if plans_ok[p.pk].allowed])
        for client in people:
            row: dict[str, Any] = {"client": client, "attention": client.pk in attention}
            # Decided for everyone at once; a read is logged only for a client of whom
            # something is actually on this page (a client with no results shows nothing).
            if measures_ok[client.pk].allowed:
                row["measures"] = results.get(client.pk, [])
                if row["measures"]:
                    shown["measures"].append(client)
            if plans_ok[client.pk].allowed:
                row["plan"] = summaries.get(client.pk)
                if row["plan"]:
                    shown["plans"].append(client)
            clients.append(row)
        policy.log_kinds(
            therapist, {kind: (owners, decided[kind]) for kind, owners in shown.items()}, via="page", path=request.path
        )
    return render(
        request,
        "portal/practice_week.html",
        {
            "profile": profile,
            "zone": profile.time_zone,
            "today": today,
            "week": week,
            "may_see": may_see,
            "requests": [a for a in mine if a.status == practice.AppointmentStatus.REQUESTED] if may_see else [],
            "connection_requests": len(boundaries.pending_for_therapist(therapist)) if may_see else 0,
            "inbox": practice.open_contact_requests(therapist) if may_see else [],
            "clients": clients,
            "client_total": client_total,
            "feed_url": request.build_absolute_uri(f"/practice/feed/{profile.feed_token}.ics"),
        },
    )
