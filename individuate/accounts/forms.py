from __future__ import annotations

from typing import Any

from django import forms
from django.http import HttpRequest

from .models import TIMEZONE_CHOICES, TherapistProfile, User

# Offered first in the time-zone picker; every other zone follows, alphabetically.
COMMON_ZONES = (
    "Europe/London",
    "Europe/Dublin",
    "Europe/Berlin",
    "Europe/Paris",
    "Europe/Madrid",
    "Europe/Amsterdam",
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Los_Angeles",
    "America/Toronto",
    "America/Vancouver",
    "Australia/Sydney",
    "Asia/Kolkata",
    "Asia/Tokyo",
    "UTC",
)


class TimeZoneInput(forms.TextInput):
    """A text box that suggests zones as you type (a datalist: common zones first)."""

    template_name = "includes/time_zone_input.html"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__({"autocomplete": "off", "spellcheck": "false", **(attrs or {})})

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        list_id = f"{context['widget']['attrs'].get('id') or name}-zones"
        context["widget"]["attrs"]["list"] = list_id
        context["list_id"] = list_id
        zones = [z for z, _ in TIMEZONE_CHOICES]
        context["zones"] = [z for z in COMMON_ZONES if z in zones] + [z for z in zones if z not in COMMON_ZONES]
        return context


class TimeZoneField(forms.ChoiceField):
    widget = TimeZoneInput
    default_error_messages = {
        "invalid_choice": "Choose a time zone from the list, e.g. Europe/London or America/New_York.",
    }

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("help_text", "Start typing a city, e.g. “London” or “New York”.")
        super().__init__(choices=TIMEZONE_CHOICES, **kwargs)


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
            reverse("core:terms"),
            reverse("core:privacy"),
        )

    def signup(self, request: HttpRequest, user: User) -> None:
        user.display_name = self.cleaned_data.get("display_name", "")
        user.perspective = self.cleaned_data.get("perspective", "")
        user.time_zone = self.cleaned_data.get("time_zone") or "UTC"
        user.save(update_fields=["display_name", "perspective", "time_zone"])


class ProfileForm(forms.ModelForm):
    time_zone = TimeZoneField(label="Your time zone")

    class Meta:
        model = User
        fields = ["display_name", "perspective", "time_zone"]
        labels = {"display_name": "What should we call you?"}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.is_therapist:
            del self.fields["perspective"]  # "adult child or parent" is a client's question


class TherapistProfileForm(forms.ModelForm):
    class Meta:
        model = TherapistProfile
        fields = [
            "display_name",
            "credentials",
            "accepting_clients",
        ]
        labels = {
            "display_name": "Name shown to clients",
            "accepting_clients": "Accepting new clients",
        }


class TherapistContactForm(forms.ModelForm):
    """The contact details on the therapist's public page (edited with the rest of it)."""

    class Meta:
        model = TherapistProfile
        fields = ["contact_email", "contact_phone"]
        labels = {"contact_email": "E-mail address for clients", "contact_phone": "Phone number for clients"}
        help_texts = {"contact_email": "Shown on your public page. Leave empty to show none."}


class ApiTokenForm(forms.Form):
    name = forms.CharField(label="Token name", max_length=60, help_text="e.g. “my laptop”.")


class DeleteAccountForm(forms.Form):
    password = forms.CharField(label="Your password", widget=forms.PasswordInput, strip=False)
    confirm = forms.CharField(label="Type DELETE to confirm", max_length=10, help_text="This cannot be undone.")

    def __init__(self, user: User, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self) -> str:
        from individuate.core.errors import ActionError

        from .actions import attempt_reauthentication

        password = self.cleaned_data["password"]
        try:
            ok = attempt_reauthentication(self.user, lambda: self.user.check_password(password))
        except ActionError as exc:
            raise forms.ValidationError(exc.message) from exc
        if not ok:
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
