"""The pages that compose several apps: dashboards, the therapist's client list and week."""

from __future__ import annotations

import zoneinfo
from datetime import timedelta
from typing import Any

from allauth.account.models import EmailAddress
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone

from individuate.boundaries import actions as boundaries
from individuate.boundaries import policy
from individuate.boundaries.forms import ClientInviteForm
from individuate.boundaries.models import FamilyLink, TherapistConnection
from individuate.boundaries.policy import therapist_may_see_clients
from individuate.core.http import AuthedRequest, therapist_required
from individuate.healing.progress import steps_summary
from individuate.measures import actions as measures
from individuate.measures.actions import clients_needing_attention, completed_responses
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
    emails = list(EmailAddress.objects.filter(user=user, verified=True).values_list("email", flat=True))
    now = timezone.now()
    return render(
        request,
        "portal/dashboard_person.html",
        {
            "people": [(o, boundaries.link_state(o)) for o in user.others.all()],
            "connections": boundaries.connections_of_client(user).filter(status__in=["pending", "active"]),
            "family_invitations_count": FamilyLink.objects.filter(
                invitee_email__in=emails, status="pending", expires_at__gt=now
            ).count(),
            "therapist_invitations_count": TherapistConnection.objects.filter(
                invite_email__in=emails, client__isnull=True, status="pending", expires_at__gt=now
            ).count(),
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
        for connection in boundaries.clients_of_therapist(therapist):
            client = connection.client
            if client is None:
                continue
            row: dict[str, Any] = {"client": client, "attention": client.pk in attention}
            if policy.check(therapist, client, "measures", via="page", path=request.path).allowed:
                latest = {}
                for r in completed_responses(client):
                    latest[r.instrument] = r
                row["measures"] = list(latest.values())[-3:]
            if policy.check(therapist, client, "plans", via="page", path=request.path).allowed:
                row["plan"] = steps_summary(client)
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
