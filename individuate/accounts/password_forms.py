"""allauth's password forms with our lock-out. In their own module: allauth's forms module
imports the sign-up form class from ``forms.py``, so ``forms.py`` cannot import it back."""

from __future__ import annotations

from allauth.account.forms import ChangePasswordForm as AllauthChangePasswordForm
from django import forms


class ChangePasswordForm(AllauthChangePasswordForm):
    """allauth's form, with the same lock-out after wrong current passwords as re-entry."""

    def clean_oldpassword(self) -> str:
        from .actions import LOCKED_OUT, reauthentication_locked, record_reauthentication_failure

        if reauthentication_locked(self.user):
            raise forms.ValidationError(LOCKED_OUT)
        try:
            return str(super().clean_oldpassword())
        except forms.ValidationError:
            record_reauthentication_failure(self.user)
            raise
