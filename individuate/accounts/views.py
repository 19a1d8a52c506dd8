from __future__ import annotations

from allauth.account.decorators import reauthentication_required
from allauth.core import ratelimit
from allauth.mfa.utils import is_mfa_enabled
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from individuate.core import privacy
from individuate.core.errors import ActionError
from individuate.core.http import AuthedRequest, confirm_first

from . import actions
from .forms import ApiTokenForm, DeleteAccountForm, ProfileForm, TherapistApplicationForm, TherapistProfileForm


@login_required
def settings_view(request: AuthedRequest) -> HttpResponse:
    user = request.user
    profile_form = ProfileForm(request.POST or None, instance=user, prefix="p")
    therapist_form = None
    if user.is_therapist and hasattr(user, "therapist_profile"):
        therapist_form = TherapistProfileForm(request.POST or None, instance=user.therapist_profile, prefix="t")
    if request.method == "POST":
        forms_ok = profile_form.is_valid() and (therapist_form is None or therapist_form.is_valid())
        if forms_ok:
            profile_form.save()
            if therapist_form is not None:
                therapist_form.save()
            messages.success(request, "Saved.")
            return redirect("accounts:settings")
        messages.error(request, "Please correct the fields marked below.")
    return render(
        request,
        "accounts/settings.html",
        {
            "profile_form": profile_form,
            "therapist_form": therapist_form,
            "mfa_on": is_mfa_enabled(user),
        },
    )


@login_required
@reauthentication_required(allow_get=True)
def api_tokens(request: AuthedRequest) -> HttpResponse:
    form = ApiTokenForm(request.POST or None)
    new_token = None
    if request.method == "POST" and form.is_valid():
        try:
            _, new_token = actions.issue_api_token(request.user, form.cleaned_data["name"])
            form = ApiTokenForm()
        except ActionError as exc:
            messages.error(request, exc.message)
    return render(
        request,
        "accounts/api_tokens.html",
        {"form": form, "new_token": new_token, "tokens": request.user.api_tokens.all()},
    )


@login_required
@require_POST
def api_token_revoke(request: AuthedRequest, token_id: int) -> HttpResponse:
    token = request.user.api_tokens.active().filter(pk=token_id).first()
    if token is not None:
        asked = confirm_first(
            request,
            title=f"Revoke the token “{token.name}”?",
            consequences=[
                f"Revoke the API token “{token.name}” ({token.hint}…): anything using it stops working at once.",
                "You can make a new token any time.",
            ],
            action="Revoke the token",
            cancel_url=reverse("accounts:api_tokens"),
        )
        if asked is not None:
            return asked
    try:
        actions.revoke_api_token(request.user, token_id)
        messages.success(request, "Token revoked. It stops working immediately.")
    except ActionError as exc:
        messages.error(request, exc.message)
    return redirect("accounts:api_tokens")


@login_required
@reauthentication_required(allow_get=True)
def export(request: AuthedRequest) -> HttpResponse:
    if request.method == "POST":
        response = HttpResponse(privacy.export_zip(request.user), content_type="application/zip")
        stamp = timezone.now().strftime("%Y%m%d")
        response["Content-Disposition"] = f'attachment; filename="individuate-export-{stamp}.zip"'
        return response
    return render(request, "accounts/export.html", {"contents": privacy.export_contents()})


@sensitive_post_parameters("password")
@login_required
def delete_account(request: AuthedRequest) -> HttpResponse:
    form = DeleteAccountForm(request.user, request.POST or None)
    if request.method == "POST" and not ratelimit.consume(request, action="reauthenticate", user=request.user):
        messages.error(request, "Too many attempts. Wait a minute and try again.")
        return render(request, "accounts/delete.html", {"form": form}, status=429)
    if request.method == "POST" and form.is_valid():
        user = request.user
        logout(request)
        privacy.delete_account(user)
        messages.success(request, "Your account and everything in it have been deleted.")
        return redirect("core:home")
    return render(request, "accounts/delete.html", {"form": form})


# ---------------------------------------------------------------- professionals


def for_professionals(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/for_professionals.html")


@login_required
def therapist_apply(request: AuthedRequest) -> HttpResponse:
    user = request.user
    if user.is_therapist:
        return redirect("portal:dashboard")
    pending = actions.pending_application(user)
    form = TherapistApplicationForm(request.POST or None, initial={"display_name": user.display_name})
    if request.method == "POST" and pending is None:
        if form.is_valid():
            try:
                actions.apply_as_therapist(user, **form.cleaned_data)
            except ActionError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(request, "Thank you. Your application is with the operator.")
                return redirect("accounts:therapist_apply")
        else:
            messages.error(request, "Please correct the fields marked below.")
    return render(request, "accounts/therapist_apply.html", {"form": form, "pending": pending})
