from __future__ import annotations

from django import forms

from .models import TrackedPerson


class TrackedPersonForm(forms.Form):
    name = forms.CharField(label="Name", max_length=60, help_text="How you call them, e.g. “my mother” or “Dad”.")
    role = forms.ChoiceField(label="They are my", choices=TrackedPerson.Role.choices)


class InviteForm(forms.Form):
    email = forms.EmailField(label="Their e-mail address", max_length=254)


class ClientInviteForm(forms.Form):
    email = forms.EmailField(label="Client's e-mail address", max_length=254)
    message = forms.CharField(
        label="A short note",
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ConnectRequestForm(forms.Form):
    message = forms.CharField(
        label="A short note to the therapist",
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="No need for details here — you can share those once connected.",
    )


class AcceptLinkForm(forms.Form):
    """The invitee chooses which of their own people stands for the inviter."""

    other = forms.TypedChoiceField(label="Who is this for you?", coerce=int, required=False, empty_value=None)
    new_name = forms.CharField(label="Or add them as", max_length=60, required=False)
    new_role = forms.ChoiceField(label="They are my", choices=TrackedPerson.Role.choices, required=False)

    def __init__(self, *args, others=(), **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        choice: forms.TypedChoiceField = self.fields["other"]  # type: ignore[assignment]
        choice.choices = [("", "— someone new —")] + [(o.pk, o.name) for o in others]

    def clean(self) -> dict:  # type: ignore[type-arg]
        data = super().clean() or {}
        if not data.get("other") and not data.get("new_name"):
            raise forms.ValidationError("Choose one of your people, or give a name for someone new.")
        return data
