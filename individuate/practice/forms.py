from __future__ import annotations

import time as _time
from typing import Any

from django import forms
from django.core import signing
from django.core.validators import MaxValueValidator, MinValueValidator

from individuate.accounts.forms import TimeZoneField

from .models import AvailabilityException, PracticeProfile

MIN_FILL_SECONDS = 3
SIGNER_SALT = "practice.contact-form"


PHOTO_MAX_MB = 5
PHOTO_FORMATS = {"JPEG", "PNG", "WEBP"}


class ContactRequestForm(forms.Form):
    """The public "request an appointment" form: works without an account; a honeypot
    field and a signed start time keep simple bots out (rate limits are in the action)."""

    name = forms.CharField(label="Your name", max_length=120)
    email = forms.EmailField(label="Your e-mail address", max_length=254)
    phone = forms.CharField(label="Phone", max_length=40, required=False)
    message = forms.CharField(
        label="A short message",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="No need for details — just what you would like help with, in a sentence or two.",
    )
    preferred_times = forms.CharField(label="Times that suit you", max_length=300, required=False)
    website = forms.CharField(
        label="Leave this empty",
        required=False,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off", "class": "hp", "aria-hidden": "true"}),
    )
    started = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial["started"] = signing.dumps(_time.time(), salt=SIGNER_SALT)

    def clean_website(self) -> str:
        if self.cleaned_data.get("website"):
            raise forms.ValidationError("Please leave this field empty.")
        return ""

    def clean_started(self) -> float:
        try:
            started = float(signing.loads(self.cleaned_data["started"], salt=SIGNER_SALT, max_age=86400))
        except (signing.BadSignature, ValueError, TypeError) as exc:
            raise forms.ValidationError("This form has expired. Please reload the page.") from exc
        if _time.time() - started < MIN_FILL_SECONDS:
            raise forms.ValidationError("That was very fast — please take a moment and send it again.")
        return started


class PublicPageForm(forms.ModelForm):
    """What visitors read on the therapist's public page (the photo is saved by an action)."""

    services = forms.MultipleChoiceField(
        choices=PracticeProfile.Service.choices, widget=forms.CheckboxSelectMultiple, required=False
    )
    new_photo = forms.ImageField(
        label="Photo",
        required=False,
        help_text=f"JPEG, PNG or WebP, up to {PHOTO_MAX_MB} MB. It is shown at most 480 pixels wide.",
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )
    remove_photo = forms.BooleanField(label="Remove the current photo", required=False)

    class Meta:
        model = PracticeProfile
        fields = ["headline", "approach", "services"]
        widgets = {"approach": forms.Textarea(attrs={"rows": 6})}

    def clean_new_photo(self) -> Any:
        photo = self.cleaned_data.get("new_photo")
        if photo and photo.size > PHOTO_MAX_MB * 1024 * 1024:
            raise forms.ValidationError(f"The photo is larger than {PHOTO_MAX_MB} MB. Please choose a smaller one.")
        image = getattr(photo, "image", None)  # set by ImageField once Pillow could read it
        if photo and (image is None or image.format not in PHOTO_FORMATS):
            raise forms.ValidationError("Please choose a JPEG, PNG or WebP picture.")
        return photo


class PracticeProfileForm(forms.ModelForm):
    time_zone = TimeZoneField(label="Your time zone")

    class Meta:
        model = PracticeProfile
        fields = [
            "time_zone",
            "session_minutes",
            "buffer_minutes",
            "min_notice_hours",
            "horizon_days",
            "granularity_minutes",
            "late_cancel_hours",
            "instant_booking",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, low, high in (
            ("session_minutes", 15, 240),
            ("buffer_minutes", 0, 120),
            ("min_notice_hours", 0, 336),
            ("horizon_days", 1, 365),
            ("granularity_minutes", 5, 120),
            ("late_cancel_hours", 0, 168),
        ):
            field: forms.IntegerField = self.fields[name]  # type: ignore[assignment]
            field.validators.extend([MinValueValidator(low), MaxValueValidator(high)])
            field.widget.attrs.update({"min": low, "max": high})


class ReasonForm(forms.Form):
    reason = forms.CharField(label="Reason", max_length=500)


class AvailabilityExceptionForm(forms.Form):
    day = forms.DateField(label="Day", error_messages={"invalid": "Give a date like 2027-03-12."})
    kind = forms.ChoiceField(label="What", choices=AvailabilityException.Kind.choices)
    start = forms.TimeField(label="From", required=False, error_messages={"invalid": "Give a time like 09:00."})
    end = forms.TimeField(label="Until", required=False, error_messages={"invalid": "Give a time like 17:00."})
