"""The parenting plan as one JSON document: its sections, their fields, hashing and diffs.

The schedule keys (``parents``, ``regular``, ``holidays``, ``vacations``, ``one_time``,
``exchange``, ``school``, ``timezone``) are read by :mod:`.schedule`; the written parts of
the plan live under ``sections``: ``{"communication": {"between_parents": "…"}, …}``.
A *section value* (what a parent proposes, what the editor saves) is one section's
fields plus, for the schedule sections, the top-level keys that section owns.
"""

from __future__ import annotations

import copy
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from . import schedule

JOINT = "joint"
TEXT_LIMIT = 4000


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    kind: str  # "text", "line", "choice", "number", "yesno"
    choices: tuple[str, ...] = ()  # for "choice"; "@parents" means joint or either parent
    minimum: int = 0
    maximum: int = 0
    help: str = ""


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    guidance: str
    fields: tuple[Field, ...]
    owns: tuple[str, ...] = ()  # top-level document keys edited in this section


NOTES = Field("notes", "Anything else you agreed", "text")
AREAS = ("education", "health_care", "religion", "activities")

SECTIONS: tuple[Section, ...] = (
    Section(
        "decision_making",
        "Decisions about the children",
        "Big decisions shape a child's life for years. Say for each area whether the parents decide "
        "together or one parent decides after hearing the other. Day-to-day choices stay with whichever "
        "parent the children are with.",
        (
            Field("education", "School and learning", "choice", ("@parents",)),
            Field("health_care", "Health care (non-emergency)", "choice", ("@parents",)),
            Field("religion", "Religion and beliefs", "choice", ("@parents",)),
            Field("activities", "Activities and clubs", "choice", ("@parents",)),
            Field(
                "emergencies",
                "In an emergency",
                "text",
                help="For example: the parent who is with the children acts at once and tells the other within hours.",
            ),
            NOTES,
        ),
    ),
    Section(
        "regular_schedule",
        "Regular schedule",
        "The rhythm of ordinary weeks. Pick a pattern that fits the children's age and the distance "
        "between the homes; younger children usually do better with shorter stretches away from either parent.",
        (NOTES,),
        owns=("regular",),
    ),
    Section(
        "holidays",
        "Holidays and special days",
        "Holidays replace the regular schedule for the nights they cover. Many families alternate a holiday "
        "by year so each parent has it every other year; some keep a day with the same parent every year.",
        (NOTES,),
        owns=("holidays",),
    ),
    Section(
        "vacations",
        "Vacations",
        "Longer time away with one parent, such as a summer trip. A vacation replaces the regular "
        "schedule; a holiday inside it still follows the holiday rule. Give notice of dates early.",
        (
            Field("notice_days", "Days of notice before a vacation", "number", minimum=0, maximum=365),
            NOTES,
        ),
        owns=("vacations", "one_time"),
    ),
    Section(
        "exchanges",
        "Exchanges",
        "How the children move between homes. Calm, predictable hand-overs matter more than anything else here. "
        "A neutral public place, or a hand-over at school, avoids the parents having to meet.",
        (
            Field(
                "who_drives",
                "Who brings the children",
                "choice",
                ("receiving parent", "delivering parent", "alternate"),
            ),
            Field("illness", "When a child is ill on an exchange day", "text"),
            NOTES,
        ),
        owns=("exchange", "school", "timezone"),
    ),
    Section(
        "communication",
        "Communication",
        "How the parents talk about the children, and how the children keep in touch with the parent they "
        "are not with. Keep messages short, about the children, and never through them.",
        (
            Field("between_parents", "How the parents communicate", "text"),
            Field("reply_within_hours", "Reply within (hours)", "number", minimum=0, maximum=168),
            Field("child_calls", "The children's calls with the other parent", "text"),
            NOTES,
        ),
    ),
    Section(
        "child_voice",
        "The children's own time and voice",
        "Children have their own friends, interests and feelings about the plan. Say how their wishes are "
        "heard as they grow, without asking them to choose between their parents.",
        (Field("how_heard", "How the children's wishes are heard", "text"), NOTES),
    ),
    Section(
        "relocation",
        "Moving home",
        "A move can undo a plan. Agree how much notice a parent gives before moving, and that the plan is "
        "reviewed before a move that changes the schedule.",
        (Field("notice_days", "Days of notice before a move", "number", minimum=0, maximum=365), NOTES),
    ),
    Section(
        "first_refusal",
        "Right of first refusal",
        "When the parent with the children cannot look after them for a while, the other parent is asked "
        "first before anyone else. Set from how many hours this applies, or 0 for not at all.",
        (Field("after_hours", "Applies for absences longer than (hours)", "number", minimum=0, maximum=72), NOTES),
    ),
    Section(
        "dispute_resolution",
        "When you disagree",
        "Disagreements will come. Agree to talk first, then come back to mediation, and only then go to court.",
        (Field("steps", "What you do when you disagree", "text"), NOTES),
    ),
    Section(
        "review",
        "Review and changes",
        "Children grow and lives change. Set when you review the plan together, and agree that a change is "
        "made in writing and agreed by both parents.",
        (Field("every_months", "Review every (months)", "number", minimum=1, maximum=60), NOTES),
    ),
)
SECTION_BY_KEY = {s.key: s for s in SECTIONS}

DEFAULT_TEXT: dict[str, dict[str, Any]] = {
    "decision_making": {
        "emergencies": (
            "The parent who is with the children acts at once and tells the other parent as soon as possible."
        )
    },
    "dispute_resolution": {
        "steps": "First talk to each other; if that fails, return to mediation; go to court only after that."
    },
    "review": {"every_months": 12},
}


def new_document(parents: tuple[str, str] | list[str], starts: str, *, title: str = "Parenting plan") -> dict[str, Any]:
    """A first draft: alternating weeks, no holidays yet, joint decisions, the default texts."""
    return {
        "title": title,
        "parents": list(parents),
        "regular": {"pattern": "alternating-weeks", "starts": starts, "first": parents[0]},
        "holidays": [],
        "vacations": [],
        "one_time": [],
        "exchange": {"time": "18:00"},
        "sections": {
            "decision_making": {area: JOINT for area in AREAS} | DEFAULT_TEXT["decision_making"],
            **{k: dict(v) for k, v in DEFAULT_TEXT.items() if k != "decision_making"},
        },
    }


def canonical(document: dict[str, Any]) -> bytes:
    """The document's bytes for hashing: sorted keys, no spaces, UTF-8."""
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def sha256(document: dict[str, Any]) -> str:
    return hashlib.sha256(canonical(document)).hexdigest()


def seal(plan_sha256: str, agreements: list[dict[str, str]]) -> str:
    """The SHA-256 of the plan's fingerprint and the agreements to it, as printed on the PDF.

    ``agreements`` are ``{"parent", "typed_name", "signed_on" (YYYY-MM-DD), "sha256"}``, in the
    order of the plan's ``parents``; the bytes hashed are
    ``canonical({"plan_sha256": …, "agreements": […]})`` — recomputable by hand.
    """
    return sha256({"plan_sha256": plan_sha256, "agreements": agreements})


def validate(document: Any) -> list[str]:
    """Every problem with the whole document: the schedule's and the sections'."""
    errors = schedule.validate(document)
    if not isinstance(document, dict):
        return errors
    raw_parents = document.get("parents")
    parents: list[str] = [str(p) for p in raw_parents] if isinstance(raw_parents, list) else []
    sections = document.get("sections", {})
    if isinstance(sections, dict):
        for key, value in sections.items():
            errors += validate_fields(key, value, parents)
    return errors


def validate_fields(key: str, value: Any, parents: list[str]) -> list[str]:
    section = SECTION_BY_KEY.get(key)
    if section is None:
        return [f"sections: there is no section {key!r}; the sections are {', '.join(SECTION_BY_KEY)}."]
    if not isinstance(value, dict):
        return [f"sections.{key}: must be an object of fields."]
    errors = []
    known = {f.name: f for f in section.fields}
    for name, item in value.items():
        field = known.get(name)
        where = f"{section.title} — "
        if field is None:
            errors.append(f"{where}there is no field {name!r} here.")
            continue
        where += field.label
        if field.kind in ("text", "line"):
            if not isinstance(item, str):
                errors.append(f"{where}: must be text.")
            elif len(item) > TEXT_LIMIT:
                errors.append(f"{where}: at most {TEXT_LIMIT} characters (this has {len(item)}).")
        elif field.kind == "choice":
            options = choices(field, parents)
            if item not in options:
                errors.append(f"{where}: choose one of {', '.join(options)} (got {item!r}).")
        elif field.kind == "number":
            if not isinstance(item, int) or isinstance(item, bool) or not field.minimum <= item <= field.maximum:
                errors.append(f"{where}: a whole number from {field.minimum} to {field.maximum} (got {item!r}).")
        elif field.kind == "yesno" and not isinstance(item, bool):
            errors.append(f"{where}: yes or no.")
    return errors


def choices(field: Field, parents: list[str]) -> list[str]:
    if field.choices == ("@parents",):
        return [JOINT, *[str(p) for p in parents]]
    return list(field.choices)


def section_value(document: dict[str, Any], key: str) -> dict[str, Any]:
    """One section's fields, plus the top-level document keys it owns."""
    section = SECTION_BY_KEY[key]
    value = copy.deepcopy(document.get("sections", {}).get(key, {}))
    for owned in section.owns:
        if owned in document:
            value[owned] = copy.deepcopy(document[owned])
    return value


def with_section(document: dict[str, Any], key: str, value: dict[str, Any]) -> dict[str, Any]:
    """A copy of ``document`` with one section replaced by ``value``; the rest is untouched."""
    section = SECTION_BY_KEY[key]
    result = copy.deepcopy(document)
    fields = {k: copy.deepcopy(v) for k, v in value.items() if k not in section.owns}
    for owned in section.owns:
        if owned in value:
            result[owned] = copy.deepcopy(value[owned])
    sections = result.setdefault("sections", {})
    if fields:
        sections[key] = fields
    else:
        sections.pop(key, None)
    return result


def section_of(path: str) -> str:
    """Which section a flattened path (``regular.pattern``, ``sections.review.every_months``) belongs to."""
    if path.startswith("sections."):
        return path.split(".")[1]
    top = path.split(".")[0].split("[")[0]
    for section in SECTIONS:
        if top in section.owns:
            return section.key
    return "plan"


def _describe_item(key: str, item: dict[str, Any], parents: Any) -> str:
    """A holiday, vacation or one-time change in plain words (its JSON if it cannot be read)."""
    errors: list[str] = []
    names = tuple(parents) if isinstance(parents, list) and len(parents) == 2 else None
    if key == "holidays":
        rules = schedule._parse_holidays([item], names, errors)
        if rules and not errors:
            return rules[0].describe()
    elif key in ("vacations", "one_time"):
        blocks = schedule._parse_blocks([item], key, names, errors)
        if blocks and not errors:
            return blocks[0].describe()
    return json.dumps(item, ensure_ascii=False, sort_keys=True)


def _flatten(value: Any, prefix: str, out: dict[str, str], parents: Any = None) -> None:
    if isinstance(value, dict):
        for k in sorted(value):
            _flatten(value[k], f"{prefix}.{k}" if prefix else str(k), out, parents)
    elif isinstance(value, list) and prefix in ("holidays", "vacations", "one_time"):
        seen: dict[str, int] = {}
        for i, item in enumerate(value):
            if not isinstance(item, dict):
                out[f"{prefix}[{i}]"] = json.dumps(item, ensure_ascii=False)
                continue
            label = str(item.get("name") or (f"from {item['from']}" if "from" in item else i))
            seen[label] = seen.get(label, 0) + 1
            if seen[label] > 1:  # two rules of one name stay two entries
                label = f"{label} ({seen[label]})"
            out[f"{prefix}[{label}]"] = _describe_item(prefix, item, parents)
    elif isinstance(value, list):
        out[prefix] = json.dumps(value, ensure_ascii=False)
    else:
        out[prefix] = json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else value


@dataclass(frozen=True)
class Change:
    section: str  # section key, or "plan"
    path: str
    before: str | None
    after: str | None

    @property
    def label(self) -> str:
        return label_of(self.path)

    def describe(self) -> str:
        if self.before is None:
            return f"{self.label}: added “{self.after}”"
        if self.after is None:
            return f"{self.label}: removed (was “{self.before}”)"
        return f"{self.label}: “{self.before}” → “{self.after}”"


_ITEM_LABELS = {"holidays": "Holiday", "vacations": "Vacation", "one_time": "One-time change"}
_PATH_LABELS = {
    "title": "Title",
    "parents": "The parents' names",
    "timezone": "Time zone",
    "regular.pattern": "Pattern",
    "regular.cycle": "Custom cycle of nights",
    "regular.starts": "The schedule starts on",
    "regular.first": "Parent of the first night",
    "exchange.time": "Exchange time",
    "exchange.place": "Exchange place",
    "school.days": "School days",
    "school.from": "School starts at",
    "school.to": "School ends at",
}


def label_of(path: str) -> str:
    """A flattened path in plain words: ``sections.communication.reply_within_hours`` is
    "Reply within (hours)", ``holidays[Mother's Day]`` is "Holiday “Mother's Day”"."""
    parts = path.split(".")
    if parts[0] == "sections" and len(parts) == 3:
        section = SECTION_BY_KEY.get(parts[1])
        field = next((f for f in section.fields if f.name == parts[2]), None) if section else None
        if field is not None:
            return field.label
    top, _, rest = path.partition("[")
    if rest and top in _ITEM_LABELS:
        return f"{_ITEM_LABELS[top]} “{rest[:-1]}”"
    return _PATH_LABELS.get(path, path)


def diff(before: dict[str, Any], after: dict[str, Any]) -> list[Change]:
    """What changed between two documents, one line per field, in section order."""
    a: dict[str, str] = {}
    b: dict[str, str] = {}
    _flatten(before, "", a, before.get("parents"))
    _flatten(after, "", b, after.get("parents"))
    order = {s.key: i for i, s in enumerate(SECTIONS)}
    changes = [
        Change(section_of(path), path, a.get(path), b.get(path))
        for path in sorted(set(a) | set(b))
        if a.get(path) != b.get(path)
    ]
    return sorted(changes, key=lambda c: (order.get(c.section, -1), c.path))


def section_title(key: str) -> str:
    section = SECTION_BY_KEY.get(key)
    return section.title if section else "The plan"
