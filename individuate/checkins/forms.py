from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms

from .models import ContactEvent

if TYPE_CHECKING:
    from individuate.boundaries.models import TrackedPerson


class ScaleField(forms.IntegerField):
    def __init__(self, label: str, low: str, high: str, **kwargs: Any) -> None:
        super().__init__(
            label=label,
            min_value=0,
            max_value=10,
            initial=5,
            widget=forms.NumberInput(
                attrs={
                    "type": "range",
                    "min": 0,
                    "max": 10,
                    "step": 1,
                    "data-low": low,
                    "data-high": high,
                }
            ),
            **kwargs,
        )


class CheckInForm(forms.Form):
    mood = ScaleField("My mood", "very low", "very good")
    guilt = ScaleField("Guilt", "none", "a lot")
    anger = ScaleField("Anger", "none", "a lot")
    anxiety = ScaleField("Anxiety", "none", "a lot")
    note = forms.CharField(
        label="A note (optional)",
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, others: list[TrackedPerson] | tuple[TrackedPerson, ...] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.others = list(others)
        for other in self.others:
            self.fields[f"perceived_{other.pk}"] = ScaleField(
                f"How do you think {other.name} feels today?",
                "very low",
                "very good",
                required=False,
            )

    def perceived(self) -> dict[int, int | None]:
        return {o.pk: self.cleaned_data.get(f"perceived_{o.pk}") for o in self.others}


class ContactForm(forms.Form):
    other = forms.TypedChoiceField(label="With", coerce=int, widget=forms.RadioSelect)
    kind = forms.ChoiceField(label="What", choices=ContactEvent.Kind.choices, widget=forms.RadioSelect)
    response = forms.ChoiceField(label="How I responded", choices=ContactEvent.Reply.choices, widget=forms.RadioSelect)
    guilt_after = ScaleField("Guilt afterwards", "none", "a lot")
    note = forms.CharField(
        label="A note (optional)",
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, others: list[TrackedPerson] | tuple[TrackedPerson, ...] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: forms.TypedChoiceField = self.fields["other"]  # type: ignore[assignment]
        field.choices = [(o.pk, o.name) for o in others]
        if len(others) == 1:
            field.initial = others[0].pk


class JournalForm(forms.Form):
    date = forms.DateField(label="Date", widget=forms.DateInput(attrs={"type": "date"}))
    text = forms.CharField(label="What's on your mind", max_length=20000, widget=forms.Textarea(attrs={"rows": 10}))


class ReminderForm(forms.Form):
    enabled = forms.BooleanField(label="Send me a daily reminder to check in", required=False)
    time = forms.TimeField(label="At", required=False, widget=forms.TimeInput(attrs={"type": "time"}))
