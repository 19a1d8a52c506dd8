from __future__ import annotations

from django import forms

from .models import Assignment, Response


class StartForm(forms.Form):
    layout = forms.ChoiceField(
        label="How would you like to answer?",
        choices=Response.Layout.choices,
        widget=forms.RadioSelect,
        initial=Response.Layout.ONE,
    )


class AssignForm(forms.Form):
    instrument = forms.ChoiceField(label="Questionnaire")
    recurrence = forms.ChoiceField(label="How often", choices=Assignment.Recurrence.choices)
    starts_on = forms.DateField(label="First due on", widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, instruments=(), **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        field: forms.ChoiceField = self.fields["instrument"]  # type: ignore[assignment]
        field.choices = [(i.id, i.name) for i in instruments]


YES_NO = [("yes", "Yes"), ("no", "No")]


class FollowupForm(forms.Form):
    """The short follow-up after a positive self-harm answer. Written for Individuate:
    not a validated instrument, only a way to show the right help first."""

    thinking_now = forms.ChoiceField(
        label="Are you having thoughts of suicide right now?",
        choices=YES_NO,
        widget=forms.RadioSelect,
        error_messages={"required": "Please choose yes or no."},
    )
    plan_or_act = forms.ChoiceField(
        label="In the past few days, have you made a plan to end your life, or done anything towards it?",
        choices=YES_NO,
        widget=forms.RadioSelect,
        error_messages={"required": "Please choose yes or no."},
    )
