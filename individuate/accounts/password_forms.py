"""allauth's password forms with our lock-out. In their own module: allauth's forms module
imports the sign-up form class from ``forms.py``, so ``forms.py`` cannot import it back."""

from __future__ import annotations

from allauth.account.forms import ChangePasswordForm as AllauthChangePasswordForm
from django import forms


class ChangePasswordForm(AllauthChangePasswordForm):
    """allauth's form, with the same lock-out after wrong current passwords as re-entry."""

    def clean_oldpassword(self) -> str:
        from individuate.core.errors import ActionError

        from .actions import attempt_reauthentication

        cleaned: list[str] = []

        def check() -> bool:
            cleaned.append(str(super(ChangePasswordForm, self).clean_oldpassword()))  # raises if wrong
            return True

        try:
            attempt_reauthentication(self.user, check)
        except ActionError as exc:
            raise forms.ValidationError(exc.message) from exc
        return cleaned[0]
