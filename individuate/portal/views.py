"""The pages that compose several apps: dashboards, the therapist's client list and week."""

from __future__ import annotations

import zoneinfo
from datetime import timedelta
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone

from individuate.boundaries import actions as boundaries
from individuate.boundaries import policy
from individuate.boundaries import queries as boundary_queries
from individuate.boundaries.forms import ClientInviteForm
from individuate.boundaries.policy import therapist_may_see_clients
from individuate.core.http import AuthedRequest, therapist_required
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
            },
        )
    invitations = boundary_queries.open_invitation_counts(user)
    return render(
        request,
        "portal/dashboard_person.html",
        {
            "people": [(o, boundaries.link_state(o)) for o in user.others.all()],
            "connections": boundaries.connections_of_client(user).filter(status__in=["pending", "active"]),
            "family_invitations_count": invitations["family"],
            "therapist_invitations_count": invitations["therapist"],
            "recent_access": boundaries.access_log(user)[:5],
            "due_measures": measures.due_assignments(user),
        },
    )


@therapist_required
def clients(request: AuthedRequest) -> HttpResponse:
    mfa_on = policy.therapist_may_see_clients(request.user)
    context: dict[str, Any] = {"mfa_on": mfa_on, "invite_form": ClientInviteForm()}
    if mfa_on:
        context["connections"] = boundaries.clients_of_therapist(request.user)
        context["attention"] = clients_needing_attention(request.user)
        context["pending"] = boundaries.pending_for_therapist(request.user)
    return render(request, "portal/clients.html", context)


@therapist_required
def practice_dashboard(request: AuthedRequest) -> HttpResponse:
    therapist = request.user
    profile = practice.profile_of(therapist)
    zone = zoneinfo.ZoneInfo(profile.time_zone)
    now = timezone.now().astimezone(zone)
    week_end = now + timedelta(days=7 - now.weekday())
    mine = list(practice.upcoming_for(therapist).filter(therapist=therapist))
    today = [a for a in mine if a.status == "confirmed" and a.start.astimezone(zone).date() == now.date()]
    week = [
        a
        for a in mine
        if a.status == "confirmed" and now.date() < a.start.astimezone(zone).date() and a.start < week_end
    ]
    may_see = policy.therapist_may_see_clients(therapist)
    clients = []
    if may_see:
        attention = clients_needing_attention(therapist)
        people = [c.client for c in boundaries.clients_of_therapist(therapist) if c.client is not None]
        # One decision per client and kind, logged in one insert each; then one query per kind.
        measures_ok = policy.check_many(therapist, people, "measures", via="page", path=request.path)
        plans_ok = policy.check_many(therapist, people, "plans", via="page", path=request.path)
        results = latest_results_by_client([p.pk for p in people if measures_ok[p.pk].allowed])
        summaries = steps_summaries([p.pk for p in people if plans_ok[p.pk].allowed])
        for client in people:
            row: dict[str, Any] = {"client": client, "attention": client.pk in attention}
            if measures_ok[client.pk].allowed:
                row["measures"] = results.get(client.pk, [])
            if plans_ok[client.pk].allowed:
                row["plan"] = summaries.get(client.pk)
            clients.append(row)
    return render(
        request,
        "portal/practice_week.html",
        {
            "profile": profile,
            "zone": profile.time_zone,
            "today": today,
            "week": week,
            "may_see": may_see,
            "requests": [a for a in mine if a.status == "requested"] if may_see else [],
            "inbox": practice.open_contact_requests(therapist) if may_see else [],
            "clients": clients,
            "feed_url": request.build_absolute_uri(f"/practice/feed/{profile.feed_token}.ics"),
        },
    )
