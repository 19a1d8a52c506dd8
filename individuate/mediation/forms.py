"""Forms: they turn what was typed into a plan *section value*; the schedule validates the rest."""

from __future__ import annotations

from typing import Any

from django import forms

from . import plan_document
from .holidays import CATALOGUE
from .models import Party
from .schedule import PATTERN_LABELS, PATTERNS, WEEKDAYS

WEEKDAY_CHOICES = [("", "—")] + [(d, d.capitalize()) for d in WEEKDAYS]
NTH_CHOICES = [
    ("", "—"),
    ("1", "first"),
    ("2", "second"),
    ("3", "third"),
    ("4", "fourth"),
    ("-1", "last"),
    ("-2", "second-to-last"),
]


class CaseForm(forms.Form):
    title = forms.CharField(label="Case title", max_length=120, help_text="For example the family's surname.")
    parent_a = forms.CharField(label="First parent's name in the plan", max_length=60)
    parent_b = forms.CharField(label="Second parent's name in the plan", max_length=60)
    starts = forms.DateField(label="The schedule starts on", widget=forms.DateInput(attrs={"type": "date"}))
    child_1 = forms.CharField(label="First child: first name", max_length=40)
    born_1 = forms.DateField(label="First child: birth date", widget=forms.DateInput(attrs={"type": "date"}))
    child_2 = forms.CharField(label="Second child: first name", max_length=40, required=False)
    born_2 = forms.DateField(
        label="Second child: birth date", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    child_3 = forms.CharField(label="Third child: first name", max_length=40, required=False)
    born_3 = forms.DateField(
        label="Third child: birth date", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    separate_sessions = forms.BooleanField(
        label="Separate sessions: each parent talks only to me; nothing one writes reaches the other", required=False
    )
    must_not_meet = forms.BooleanField(label="The parents must not meet (exchanges at a neutral place)", required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for i in (2, 3):
            if bool(data.get(f"child_{i}")) != bool(data.get(f"born_{i}")):
                raise forms.ValidationError("Give each child's first name and birth date together.")
        return data

    def children(self) -> list[tuple[str, Any]]:
        data = self.cleaned_data
        return [(data[f"child_{i}"], data[f"born_{i}"]) for i in (1, 2, 3) if data.get(f"child_{i}")]


class CaseSettingsForm(forms.Form):
    separate_sessions = forms.BooleanField(label="Separate sessions", required=False)
    must_not_meet = forms.BooleanField(label="The parents must not meet", required=False)


class InviteForm(forms.Form):
    role = forms.ChoiceField(choices=Party.Role.choices, widget=forms.HiddenInput)
    email = forms.EmailField(label="E-mail address")


class CommentForm(forms.Form):
    section = forms.ChoiceField(choices=[(s.key, s.title) for s in plan_document.SECTIONS], widget=forms.HiddenInput)
    text = forms.CharField(label="Your comment", max_length=4000, widget=forms.Textarea(attrs={"rows": 3}))
    to = forms.ChoiceField(choices=[("", "Both parents"), *Party.Role.choices], required=False)


class AgreeForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    sha256 = forms.CharField(max_length=64, widget=forms.HiddenInput)
    typed_name = forms.CharField(label="Type your full name", max_length=120)
    confirm = forms.BooleanField(label="I have read this version of the plan and agree to it")


class NoteForm(forms.Form):
    text = forms.CharField(
        label="A note only the mediator reads", max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )


class ContactForm(forms.Form):
    details = forms.CharField(
        label="Your address and phone", max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    share = forms.BooleanField(label="Show these to the other parent (and in the PDF)", required=False)


class DecisionForm(forms.Form):
    accept = forms.TypedChoiceField(choices=[("1", "Accept"), ("0", "Decline")], coerce=lambda v: v == "1")
    note = forms.CharField(max_length=500, required=False)


class ImportForm(forms.Form):
    document = forms.FileField(label="A plan document (JSON)")


# --- section forms ---------------------------------------------------------------------------


def _field(field: plan_document.Field, parents: list[str]) -> forms.Field:
    if field.kind == "choice":
        options = plan_document.choices(field, parents)
        labels = {plan_document.JOINT: "Both parents together"}
        return forms.ChoiceField(
            label=field.label, required=False, choices=[("", "—")] + [(o, labels.get(o, o)) for o in options]
        )
    if field.kind == "number":
        return forms.IntegerField(label=field.label, required=False, min_value=field.minimum, max_value=field.maximum)
    if field.kind == "yesno":
        return forms.BooleanField(label=field.label, required=False)
    return forms.CharField(
        label=field.label,
        required=False,
        max_length=plan_document.TEXT_LIMIT,
        help_text=field.help,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class SectionForm(forms.Form):
    """The written fields of a section, plus the schedule fields the section owns."""

    def __init__(
        self,
        section: plan_document.Section,
        parents: list[str],
        value: dict[str, Any],
        *args: Any,
        children: list[dict[str, str]] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.section, self.parents = section, parents
        self.children = [c for c in children or [] if c.get("name") and c.get("born")]
        if section.key == "regular_schedule":
            regular = value.get("regular", {})
            self.fields["pattern"] = forms.ChoiceField(
                label="Pattern",
                choices=[(k, f"{PATTERN_LABELS[k]} ({v[:7]} {v[7:]})") for k, v in PATTERNS.items()]
                + [("custom", "Custom cycle")],
                initial=regular.get("pattern"),
            )
            self.fields["cycle"] = forms.CharField(
                label="Custom cycle (A and B, up to 28 nights)",
                required=False,
                max_length=60,
                initial=regular.get("cycle", ""),
                help_text="Only for a custom pattern. One letter per night: A for the parent who starts the cycle.",
            )
            self.fields["starts"] = forms.CharField(
                label="The cycle starts on the night of",
                initial=regular.get("starts"),
                widget=forms.DateInput(attrs={"type": "date"}),
            )
            self.fields["first"] = forms.ChoiceField(
                label="The cycle starts with (A)",
                choices=[(p, p) for p in parents],
                initial=regular.get("first", parents[0]),
            )
        if section.key == "exchanges":
            exchange = value.get("exchange", {})
            school = value.get("school") or {}
            self.fields["time"] = forms.CharField(
                label="Exchange time",
                initial=exchange.get("time", "18:00"),
                widget=forms.TimeInput(attrs={"type": "time"}),
            )
            self.fields["place"] = forms.CharField(
                label="Where (a neutral public place if the parents should not meet)",
                required=False,
                max_length=200,
                initial=exchange.get("place", ""),
            )
            self.fields["timezone"] = forms.CharField(
                label="Time zone", initial=value.get("timezone", "UTC"), max_length=60
            )
            self.fields["school_from"] = forms.CharField(
                label="School or day-care from (optional)",
                required=False,
                initial=school.get("from", ""),
                widget=forms.TimeInput(attrs={"type": "time"}),
            )
            self.fields["school_to"] = forms.CharField(
                label="until",
                required=False,
                initial=school.get("to", ""),
                widget=forms.TimeInput(attrs={"type": "time"}),
            )
        for field in section.fields:
            self.fields[field.name] = _field(field, parents)
            self.fields[field.name].initial = value.get(field.name)
        if section.key == "holidays":
            self.fields["add"] = forms.MultipleChoiceField(
                label="Add from the common holidays",
                required=False,
                widget=forms.CheckboxSelectMultiple,
                choices=[(k, v[0]) for k, v in CATALOGUE.items()]
                + [(f"birthday:{i}", f"{c['name']}'s birthday") for i, c in enumerate(self.children)],
            )

    def section_value(
        self, rows: list[dict[str, Any]] | None = None, extra_rows: list[dict[str, Any]] | None = None
    ) -> dict[str, Any]:
        data = self.cleaned_data
        value: dict[str, Any] = {}
        for field in self.section.fields:
            item = data.get(field.name)
            if item not in (None, ""):
                value[field.name] = item
        if self.section.key == "regular_schedule":
            regular = {"pattern": data["pattern"], "starts": data["starts"], "first": data["first"]}
            if data["pattern"] == "custom":
                regular["cycle"] = data.get("cycle", "")
            value["regular"] = regular
        if self.section.key == "exchanges":
            exchange = {"time": data["time"][:5]}
            if data.get("place"):
                exchange["place"] = data["place"]
            value["exchange"] = exchange
            value["timezone"] = data["timezone"]
            if data.get("school_from") or data.get("school_to"):
                value["school"] = {"from": data.get("school_from", "")[:5], "to": data.get("school_to", "")[:5]}
        if self.section.key == "holidays":
            from .holidays import birthday_rule, holiday_rule

            added = []
            for key in data.get("add", []):
                if key.startswith("birthday:"):
                    child = self.children[int(key.split(":")[1])]
                    added.append(birthday_rule(child["name"], child["born"], self.parents))
                else:
                    added.append(holiday_rule(key, self.parents))
            value["holidays"] = (rows or []) + added
        if self.section.key == "vacations":
            value["vacations"] = rows or []
            value["one_time"] = extra_rows or []
        return value


class HolidayRow(forms.Form):
    name = forms.CharField(label="Holiday", max_length=80)
    month = forms.IntegerField(label="Month (1–12)", min_value=1, max_value=12)
    day = forms.IntegerField(label="Day of the month", required=False, min_value=1, max_value=31)
    weekday = forms.ChoiceField(label="or weekday", choices=WEEKDAY_CHOICES, required=False)
    nth = forms.ChoiceField(label="which one", choices=NTH_CHOICES, required=False)
    start_offset = forms.IntegerField(label="Start offset (nights)", initial=0, min_value=-31, max_value=31)
    nights = forms.IntegerField(label="Nights", initial=1, min_value=0, max_value=31)
    who = forms.ChoiceField(label="Who has it", choices=[])

    def __init__(self, *args: Any, parents: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        a, b = parents
        self.fields["who"].choices = [  # type: ignore[attr-defined]
            (f"every:{a}", f"{a} every year"),
            (f"every:{b}", f"{b} every year"),
            (f"even:{a}", f"{a} in even years, {b} in odd"),
            (f"even:{b}", f"{b} in even years, {a} in odd"),
        ]
        self.parents = parents

    def has_changed(self) -> bool:
        # A row without a name is an empty row: left out, not an error.
        return bool(self.is_bound and str(self.data.get(self.add_prefix("name"), "")).strip())

    def rule(self) -> dict[str, Any]:
        data = self.cleaned_data
        rule: dict[str, Any] = {"name": data["name"], "start_offset": data["start_offset"], "nights": data["nights"]}
        if data.get("weekday"):
            rule["date"] = {"month": data["month"], "weekday": data["weekday"], "nth": int(data["nth"] or 1)}
        else:
            rule["date"] = {"month": data["month"], "day": data.get("day") or 1}
        how, parent = data["who"].split(":", 1)
        if how == "every":
            rule["every_year"] = parent
        else:
            rule["even_years"] = parent
            rule["odd_years"] = self.parents[1] if parent == self.parents[0] else self.parents[0]
        return rule

    @staticmethod
    def initial_of(rule: dict[str, Any]) -> dict[str, Any]:
        when = rule.get("date", {})
        who = f"every:{rule['every_year']}" if rule.get("every_year") else f"even:{rule.get('even_years')}"
        return {
            "name": rule.get("name"),
            "month": when.get("month"),
            "day": when.get("day"),
            "weekday": when.get("weekday", ""),
            "nth": str(when.get("nth", "")),
            "start_offset": rule.get("start_offset", 0),
            "nights": rule.get("nights", 1),
            "who": who,
        }


class BlockRow(forms.Form):
    parent = forms.ChoiceField(label="With", choices=[])
    start = forms.DateField(label="From the night of", widget=forms.DateInput(attrs={"type": "date"}))
    nights = forms.IntegerField(label="Nights", min_value=1, max_value=366)
    name = forms.CharField(label="Name", max_length=80, required=False)

    def __init__(self, *args: Any, parents: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["parent"].choices = [(p, p) for p in parents]  # type: ignore[attr-defined]

    def has_changed(self) -> bool:
        return bool(self.is_bound and str(self.data.get(self.add_prefix("start"), "")).strip())

    def block(self) -> dict[str, Any]:
        data = self.cleaned_data
        block = {"parent": data["parent"], "from": data["start"].isoformat(), "nights": data["nights"]}
        if data.get("name"):
            block["name"] = data["name"]
        return block

    @staticmethod
    def initial_of(block: dict[str, Any]) -> dict[str, Any]:
        return {
            "parent": block.get("parent"),
            "start": block.get("from"),
            "nights": block.get("nights"),
            "name": block.get("name", ""),
        }


HolidayRows = forms.formset_factory(HolidayRow, extra=1, can_delete=True, max_num=40)
BlockRows = forms.formset_factory(BlockRow, extra=1, can_delete=True, max_num=40)
