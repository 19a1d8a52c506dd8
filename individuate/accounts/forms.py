from __future__ import annotations

from typing import Any

from django import forms
from django.http import HttpRequest

from .models import TIMEZONE_CHOICES, TherapistProfile, User


class SignupExtraForm(forms.Form):
    """Extra fields on allauth's sign-up form (allauth calls ``signup``)."""

    display_name = forms.CharField(
        label="What should we call you?",
        max_length=80,
        required=False,
        help_text="Only you see this — and a therapist, if you connect with one.",
    )
    perspective = forms.ChoiceField(
        label="I come here as",
        choices=User.Perspective.choices,
        required=False,
        help_text="You can change this later.",
    )
    time_zone = forms.ChoiceField(choices=TIMEZONE_CHOICES, initial="UTC", required=False, widget=forms.HiddenInput)

    def signup(self, request: HttpRequest, user: User) -> None:
        user.display_name = self.cleaned_data.get("display_name", "")
        user.perspective = self.cleaned_data.get("perspective", "")
        user.time_zone = self.cleaned_data.get("time_zone") or "UTC"
        user.save(update_fields=["display_name", "perspective", "time_zone"])


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["display_name", "perspective", "time_zone"]
        labels = {"display_name": "What should we call you?", "time_zone": "Your time zone"}
        widgets = {"time_zone": forms.Select(choices=TIMEZONE_CHOICES)}


class TherapistProfileForm(forms.ModelForm):
    class Meta:
        model = TherapistProfile
        fields = [
            "display_name",
            "credentials",
            "contact_email",
            "contact_phone",
            "accepting_clients",
        ]
        labels = {
            "display_name": "Name shown to clients",
            "accepting_clients": "Accepting new clients",
        }


class ApiTokenForm(forms.Form):
    name = forms.CharField(label="Token name", max_length=60, help_text="e.g. “my laptop”.")


class DeleteAccountForm(forms.Form):
    password = forms.CharField(label="Your password", widget=forms.PasswordInput, strip=False)
    confirm = forms.CharField(label="Type DELETE to confirm", max_length=10, help_text="This cannot be undone.")

    def __init__(self, user: User, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self) -> str:
        from .actions import LOCKED_OUT, reauthentication_locked, record_reauthentication_failure

        password = self.cleaned_data["password"]
        if reauthentication_locked(self.user):
            raise forms.ValidationError(LOCKED_OUT)
        if not self.user.check_password(password):
            record_reauthentication_failure(self.user)
            raise forms.ValidationError("That is not your password.")
        return password

    def clean_confirm(self) -> str:
        confirm = self.cleaned_data["confirm"]
        if confirm.strip() != "DELETE":
            raise forms.ValidationError("Type DELETE in capitals to confirm.")
        return confirm
