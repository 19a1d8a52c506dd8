from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms

from .models import ContactEvent

if TYPE_CHECKING:
    from individuate.boundaries.models import TrackedPerson


NOT_SET = ""


class ScaleField(forms.TypedChoiceField):
    """A 0–10 scale that starts *not set*: nothing is stored unless the person taps a number.

    Radio buttons rather than a slider, because a slider always submits a value — an
    untouched one would be saved as if the person had chosen it.
    """

    def __init__(self, label: str, low: str, high: str, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        super().__init__(
            label=label,
            choices=[(NOT_SET, "Not set")] + [(n, str(n)) for n in range(11)],
            coerce=int,
            empty_value=None,
            initial=NOT_SET,
            widget=forms.RadioSelect(attrs={"data-low": low, "data-high": high}),
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

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        scales = [data.get(name) for name in ("mood", "guilt", "anger", "anxiety")] + list(self.perceived().values())
        if not self.errors and all(value is None for value in scales):
            raise forms.ValidationError("Nothing is set yet: tap a number on at least one scale.")
        return data


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
