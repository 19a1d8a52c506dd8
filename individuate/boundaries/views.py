from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from individuate.core.errors import ActionError
from individuate.core.http import (
    AuthedRequest,
    attempt,
    confirm_first,
    form_errors,
    person_required,
    therapist_required,
)
from individuate.core.records import KINDS, SCOPE_PAGES, sections_for

from . import actions, policy
from .forms import AcceptLinkForm, ClientInviteForm, ConnectRequestForm, InviteForm, TrackedPersonForm
from .models import SCOPE_TITLES, SCOPES, TherapistConnection, TrackedPerson

# ---------------------------------------------------------------- my people


INVALID = 422  # a form shown again with its errors beside the fields


def _others_page(
    request: AuthedRequest,
    form: TrackedPersonForm | None = None,
    *,
    failed: tuple[int, str, Any] | None = None,
    status: int = 200,
) -> HttpResponse:
    """ "My people"; FAILED is (person id, "edit" or "invite", the bound form) when one of a
    person's own forms was sent with a mistake: that form opens again with what was typed
    and each error beside its field."""
    people = [(o, actions.link_state(o)) for o in request.user.others.all()]
    return render(
        request,
        "boundaries/others.html",
        {
            "form": form or TrackedPersonForm(),
            "people": people,
            "invite_form": InviteForm(),
            "role_choices": TrackedPerson.Role.choices,
            "failed_id": failed[0] if failed else None,
            "failed_kind": failed[1] if failed else "",
            "failed_form": failed[2] if failed else None,
        },
        status=status,
    )


@person_required
def others(request: AuthedRequest) -> HttpResponse:
    form = TrackedPersonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if attempt(
            request,
            lambda: actions.add_other(request.user, data["name"], data["role"]),
            f"Added “{' '.join(data['name'].split())}”.",
        ):
            return redirect("boundaries:others")
    if request.method == "POST" and form.errors:
        form_errors(request, form, beside_fields=True)
        return _others_page(request, form, status=INVALID)
    return _others_page(request, form)


def _own_other_or_404(request: AuthedRequest, other_id: int) -> TrackedPerson:
    try:
        return actions.get_own_other(request.user, other_id)
    except ActionError as exc:
        raise Http404(exc.message) from exc


@person_required
@require_POST
def other_edit(request: AuthedRequest, other_id: int) -> HttpResponse:
    other = _own_other_or_404(request, other_id)
    form = TrackedPersonForm(request.POST, auto_id=f"edit-{other.pk}-%s")
    if not form.is_valid():
        form_errors(request, form, beside_fields=True)
        return _others_page(request, failed=(other.pk, "edit", form), status=INVALID)
    attempt(
        request,
        lambda: actions.update_other(request.user, other_id, form.cleaned_data["name"], form.cleaned_data["role"]),
        "Saved.",
    )
    return redirect("boundaries:others")


@person_required
@require_POST
def other_remove(request: AuthedRequest, other_id: int) -> HttpResponse:
    try:
        other, consequences = actions.removal_consequences(request.user, other_id)
    except ActionError as exc:
        raise Http404(exc.message) from exc
    asked = confirm_first(
        request,
        title=f"Remove “{other.name}”?",
        consequences=consequences,
        action=f"Remove {other.name} and delete this",
        cancel_url=reverse("boundaries:others"),
    )
    if asked is not None:
        return asked
    attempt(request, lambda: actions.remove_other(request.user, other_id), f"Removed “{other.name}”.")
    return redirect("boundaries:others")


@person_required
@require_POST
def family_invite(request: AuthedRequest, other_id: int) -> HttpResponse:
    other = _own_other_or_404(request, other_id)
    form = InviteForm(request.POST)
    if not form.is_valid():
        form_errors(request, form, beside_fields=True)
        return _others_page(request, failed=(other.pk, "invite", form), status=INVALID)
    attempt(
        request,
        lambda: actions.invite_family_member(request.user, other_id, form.cleaned_data["email"]),
        "Invitation sent. They decide whether to link; if they don't, this stays “not linked”.",
    )
    return redirect("boundaries:others")


@person_required
@require_POST
def family_unlink(request: AuthedRequest, other_id: int) -> HttpResponse:
    try:
        other = actions.get_own_other(request.user, other_id)
    except ActionError as exc:
        raise Http404(exc.message) from exc
    linked = actions.link_state(other) == "linked"
    asked = confirm_first(
        request,
        title=f"End the link with “{other.name}”?" if linked else f"Withdraw the invitation for “{other.name}”?",
        consequences=[
            "End the link: joint reports with them stop, and neither of you can start a new one."
            if linked
            else "Withdraw the invitation: the link in their e-mail stops working.",
            "They are not told. Your own records about them stay yours.",
            "To link again, you send a new invitation and they accept it.",
        ],
        action="End the link" if linked else "Withdraw the invitation",
        cancel_url=reverse("boundaries:others"),
    )
    if asked is not None:
        return asked
    attempt(
        request,
        lambda: actions.unlink(request.user, other_id),
        "Done. The link has ended; they are not told.",
    )
    return redirect("boundaries:others")


def _invalid_invitation(request: HttpRequest, exc: ActionError) -> HttpResponse:
    return render(request, "boundaries/invitation_invalid.html", {"message": exc.message}, status=exc.status)


@person_required
def family_accept(request: AuthedRequest, token: str) -> HttpResponse:
    try:
        link = actions.peek_family_invitation(request.user, token)
    except ActionError as exc:
        return _invalid_invitation(request, exc)
    free_others = [o for o in request.user.others.all() if actions.link_state(o) == "not linked"]
    form = AcceptLinkForm(request.POST or None, others=free_others)
    if request.method == "POST":
        if request.POST.get("decision") == "decline":
            if attempt(
                request,
                lambda: actions.decline_family_invitation(request.user, token),
                "Declined. Nobody is told.",
            ):
                return redirect("boundaries:others")
        elif form.is_valid():
            data = form.cleaned_data
            if attempt(
                request,
                lambda: actions.accept_family_invitation(
                    request.user,
                    token,
                    other_id=data.get("other"),
                    new_name=data.get("new_name", ""),
                    new_role=data.get("new_role", ""),
                ),
                "Linked. Neither of you can see the other's entries — linking only lets you "
                "both take part in shared features you each opt into.",
            ):
                return redirect("boundaries:others")
    return render(request, "boundaries/family_accept.html", {"link": link, "form": form})


def family_never_ask(request: HttpRequest, token: str) -> HttpResponse:
    """The "never ask me again" link of an invitation e-mail: no account needed. A GET only
    asks (mail scanners open links); the button records it."""
    done = False
    if request.method == "POST":
        try:
            actions.never_ask_again(token)
        except ActionError as exc:
            return _invalid_invitation(request, exc)
        done = True
    return render(request, "boundaries/never_ask.html", {"done": done})


# ---------------------------------------------------------------- therapists (client side)


def therapists(request: HttpRequest) -> HttpResponse:
    connected: set[int] = set()
    if request.user.is_authenticated:
        connected = set(
            TherapistConnection.objects.filter(client=request.user, status__in=actions.OPEN_CONNECTION).values_list(
                "therapist_id", flat=True
            )
        )
    return render(
        request,
        "boundaries/therapists.html",
        {
            "therapists": actions.therapist_directory(),
            "connected": connected,
            "form": ConnectRequestForm(),
        },
    )


@person_required
@require_POST
def connection_request(request: AuthedRequest, therapist_id: int) -> HttpResponse:
    # Sent from the directory or from the therapist's own page: go back there on a problem.
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        back = reverse("boundaries:therapists")
    form = ConnectRequestForm(request.POST)
    if not form.is_valid():
        form_errors(request, form)
        return redirect(back)
    if attempt(
        request,
        lambda: actions.request_therapist(request.user, therapist_id, form.cleaned_data["message"]),
        "Request sent. You'll see here when the therapist accepts; then you can book a session. "
        "Nothing is shared until you choose.",
    ):
        return redirect("boundaries:my_therapists")
    return redirect(back)


@person_required
def my_therapists(request: AuthedRequest) -> HttpResponse:
    connections = list(actions.connections_of_client(request.user))
    rows = [(c, c.active_scopes() if c.status == TherapistConnection.Status.ACTIVE else set()) for c in connections]
    scopes = [(key, SCOPE_TITLES[key], label) for key, label in SCOPES.items()]
    return render(
        request,
        "boundaries/my_therapists.html",
        {"rows": rows, "scopes": scopes, "invitations": actions.therapist_invitations_for(request.user)},
    )


@person_required
@require_POST
def invitation_answer(request: AuthedRequest, connection_id: int) -> HttpResponse:
    """A therapist's invitation answered inside the app (the e-mailed link does the same)."""
    decision = request.POST.get("decision")
    if decision not in ("accept", "decline"):
        messages.error(request, "Choose accept or decline.")
        return redirect("boundaries:my_therapists")
    attempt(
        request,
        lambda: actions.answer_connection_invitation(request.user, connection_id, accept=decision == "accept"),
        "Connected. Nothing is shared yet — choose below what this therapist may see."
        if decision == "accept"
        else "Declined.",
    )
    return redirect("boundaries:my_therapists")


@person_required
@require_POST
def scope_toggle(request: AuthedRequest, connection_id: int, scope: str) -> HttpResponse:
    wanted = request.POST.get("share")
    if wanted == "on":
        attempt(
            request,
            lambda: actions.grant_scope(request.user, connection_id, scope),
            f"Now sharing {SCOPE_TITLES.get(scope, scope).lower()}.",
        )
    elif wanted == "off":
        attempt(
            request,
            lambda: actions.revoke_scope(request.user, connection_id, scope),
            f"Stopped sharing {SCOPE_TITLES.get(scope, scope).lower()}.",
        )
    else:
        messages.error(request, "Say whether to share (on) or stop sharing (off).")
    return redirect("boundaries:my_therapists")


@login_required
@require_POST
def connection_end(request: AuthedRequest, connection_id: int) -> HttpResponse:
    back = "portal:clients" if request.user.is_therapist else "boundaries:my_therapists"
    try:
        connection, consequences = actions.ending_consequences(request.user, connection_id)
    except ActionError as exc:
        messages.error(request, exc.message)
        return redirect(back)
    pending = connection.status == TherapistConnection.Status.PENDING
    asked = confirm_first(
        request,
        title="Withdraw this request?" if pending else "End this connection?",
        consequences=consequences,
        action="Withdraw the request" if pending else "End the connection",
        cancel_url=reverse(back),
    )
    if asked is not None:
        return asked
    attempt(
        request,
        lambda: actions.end_connection(request.user, connection_id),
        "The connection has ended.",
    )
    return redirect("portal:clients" if request.user.is_therapist else "boundaries:my_therapists")


@login_required
def connection_accept(request: AuthedRequest, token: str) -> HttpResponse:
    try:
        connection = actions.peek_connection_invitation(request.user, token)
    except ActionError as exc:
        return _invalid_invitation(request, exc)
    if request.method == "POST":
        if request.POST.get("decision") == "decline":
            if attempt(
                request,
                lambda: actions.decline_connection_invitation(request.user, token),
                "Declined.",
            ):
                return redirect("portal:dashboard")
        elif attempt(
            request,
            lambda: actions.accept_connection_invitation(request.user, token),
            "Connected. Nothing is shared yet — choose below what this therapist may see.",
        ):
            return redirect("boundaries:my_therapists")
    return render(request, "boundaries/connection_accept.html", {"connection": connection})


@person_required
def access_log(request: AuthedRequest) -> HttpResponse:
    return render(request, "boundaries/access_log.html", {"rows": actions.access_summary(request.user)[:500]})


# ---------------------------------------------------------------- therapist side


@therapist_required
@require_POST
def client_invite(request: AuthedRequest) -> HttpResponse:
    form = ClientInviteForm(request.POST)
    if form.is_valid():
        attempt(
            request,
            lambda: actions.invite_client(request.user, form.cleaned_data["email"], form.cleaned_data["message"]),
            "Invitation sent.",
        )
    else:
        form_errors(request, form)
    return redirect("portal:clients")


@therapist_required
@require_POST
def connection_answer(request: AuthedRequest, connection_id: int) -> HttpResponse:
    decision = request.POST.get("decision")
    if decision not in ("accept", "decline"):
        messages.error(request, "Choose accept or decline.")
    else:
        attempt(
            request,
            lambda: actions.answer_connection_request(request.user, connection_id, decision == "accept"),
            "Connected." if decision == "accept" else "Declined.",
        )
    return redirect("portal:clients")


@login_required
def shared_overview(request: AuthedRequest, owner_id: int) -> HttpResponse:
    owner = policy.require_owner(request.user, owner_id, "profile", via="page", path=request.path)
    connection = policy.active_connection(request.user, owner)
    granted = connection.active_scopes() if connection else set(SCOPES)
    safety = []
    if "measures" in granted and policy.check(request.user, owner, "measures", via="page", path=request.path).allowed:
        safety = sections_for(owner, "safety_flags")
    return render(
        request,
        "boundaries/shared_overview.html",
        {
            "owner": owner,
            "sections": sections_for(owner, "profile"),
            "safety": safety,
            "scopes": [
                (scope, SCOPE_TITLES[scope], label, scope in granted, SCOPE_PAGES.get(scope))
                for scope, label in SCOPES.items()
            ],
        },
    )


@login_required
def shared_records(request: AuthedRequest, owner_id: int, kind: str) -> HttpResponse:
    kinds = policy.shareable_kinds(kind)
    if kinds is None:
        raise Http404("No such kind of record.")
    owner = policy.require_owner(request.user, owner_id, kind, via="page", path=request.path)
    sections = [s for k in kinds for s in sections_for(owner, k)]
    return render(
        request,
        "boundaries/shared_records.html",
        {"owner": owner, "kind": KINDS[kind], "sections": sections},
    )
