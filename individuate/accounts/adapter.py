from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.http import HttpRequest


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return bool(getattr(settings, "SIGNUP_OPEN", True))

    def get_login_redirect_url(self, request: HttpRequest) -> str:
        """A therapist without two-factor is led to set it up before anything else; an
        applicant sees where their application stands."""
        from allauth.mfa.utils import is_mfa_enabled
        from django.urls import reverse

        user = request.user
        if getattr(user, "is_therapist", False) and not is_mfa_enabled(user):
            return reverse("mfa_activate_totp")
        if user.is_authenticated and not getattr(user, "is_therapist", False):
            from .actions import pending_application

            if pending_application(user) is not None:  # type: ignore[arg-type]
                return reverse("therapist_apply")
        return super().get_login_redirect_url(request)
