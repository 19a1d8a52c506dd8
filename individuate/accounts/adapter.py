from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from django import forms
from django.conf import settings
from django.http import HttpRequest


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return bool(getattr(settings, "SIGNUP_OPEN", True))

    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        # allauth names the site after the request's host ("127.0.0.1:8000"); ours has a name.
        context = {"site_name": settings.SITE_NAME, **context}
        super().send_mail(template_prefix, email, context)

    def reauthenticate(self, user: object, password: str) -> bool:
        """The password re-entry ("sudo mode") locks out after repeated wrong passwords."""
        from individuate.core.errors import ActionError

        from .actions import attempt_reauthentication
        from .models import User

        assert isinstance(user, User)
        try:
            return attempt_reauthentication(
                user, lambda: bool(super(AccountAdapter, self).reauthenticate(user, password))
            )
        except ActionError as exc:
            raise forms.ValidationError(exc.message) from exc

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
                return reverse("accounts:therapist_apply")
        return super().get_login_redirect_url(request)
