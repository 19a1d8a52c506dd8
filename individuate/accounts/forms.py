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
    agree = forms.BooleanField(
        label="I agree to the terms of use",
        required=True,
        error_messages={"required": "Please read and agree to the terms of use to create an account."},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from django.urls import reverse
        from django.utils.html import format_html

        self.fields["agree"].help_text = format_html(
            'Read the <a href="{}" target="_blank">terms of use</a> and the '
            '<a href="{}" target="_blank">privacy policy</a>: what is kept about you and who can see it.',
            reverse("terms"),
            reverse("privacy"),
        )

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
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError("That is not your password.")
        return password

    def clean_confirm(self) -> str:
        confirm = self.cleaned_data["confirm"]
        if confirm.strip() != "DELETE":
            raise forms.ValidationError("Type DELETE in capitals to confirm.")
        return confirm


class TherapistApplicationForm(forms.Form):
    """A professional's application; the operator checks it before anything is listed."""

    display_name = forms.CharField(label="Your name as clients will see it", max_length=120)
    credentials = forms.CharField(
        label="Qualifications",
        max_length=200,
        help_text="e.g. licensed family therapist, accredited family mediator.",
    )
    registration = forms.CharField(
        label="Professional registration",
        max_length=200,
        help_text="The body you are registered or licensed with and your number, so the operator can check it.",
    )
    services = forms.CharField(
        label="What you offer",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="e.g. individual counselling, family mediation, parenting plans; online or in person; languages.",
    )
    contact_email = forms.EmailField(
        label="Practice e-mail",
        required=False,
        help_text="Where clients' booking e-mails go. Empty: your login e-mail.",
    )
    contact_phone = forms.CharField(label="Practice phone", max_length=40, required=False)
