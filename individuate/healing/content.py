"""Plans and example scripts as data (YAML in ``plans/``), validated when loaded.

A therapist or a translator adapts wording by editing these files; the loader
names the file and field of any mistake.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

PLANS_DIR = Path(__file__).resolve().parent / "plans"
EXERCISE_KINDS = ("reflection", "rule", "plan")
LINK_NAMES = (
    "measures:measures",
    "boundaries:therapists",
    "checkins:contacts",
    "checkins:checkin",
    "checkins:coupling",
    "checkins:journal",
)


class ContentError(ValueError):
    pass


@dataclass(frozen=True)
class Exercise:
    id: str
    title: str
    prompt: str
    kind: str
    example: str = ""


@dataclass(frozen=True)
class Link:
    label: str
    url_name: str


@dataclass(frozen=True)
class Step:
    id: str
    number: int
    title: str
    summary: str
    explanation: str
    exercises: tuple[Exercise, ...]
    suggested_goals: tuple[str, ...]
    links: tuple[Link, ...]

    @property
    def paragraphs(self) -> list[str]:
        return [p.strip() for p in self.explanation.split("\n\n") if p.strip()]


@dataclass(frozen=True)
class Safety:
    """What to do when a step is met with danger: shown on the plan and on every step."""

    title: str
    text: str

    @property
    def paragraphs(self) -> list[str]:
        return [p.strip() for p in self.text.split("\n\n") if p.strip()]


@dataclass(frozen=True)
class Plan:
    id: str
    version: str
    title: str
    audience: str
    intro: str
    steps: tuple[Step, ...]
    safety: Safety | None = None

    def step(self, step_id: str) -> Step:
        for step in self.steps:
            if step.id == step_id:
                return step
        raise KeyError(step_id)

    def exercise(self, exercise_id: str) -> Exercise:
        for step in self.steps:
            for exercise in step.exercises:
                if exercise.id == exercise_id:
                    return exercise
        raise KeyError(exercise_id)


AUDIENCES = ("adult_child", "parent")


@dataclass(frozen=True)
class ExampleScript:
    id: str
    title: str
    situation: str
    feeling: str
    action: str
    reassurance: str
    audience: str = "adult_child"  # whose side it is written from: "adult_child" or "parent"


def _need(data: Any, key: str, where: str, source: str, kind: type = str, default: Any = ...) -> Any:
    if not isinstance(data, dict):
        raise ContentError(f"{source}: {where}: expected a mapping")
    if key not in data:
        if default is ...:
            raise ContentError(f"{source}: {where + '.' if where else ''}{key}: is missing")
        return default
    value = data[key]
    if kind is str and isinstance(value, (int, float)) and not isinstance(value, bool) and key == "version":
        value = str(value)
    if not isinstance(value, kind) or (isinstance(value, str) and not value.strip()):
        raise ContentError(f"{source}: {where + '.' if where else ''}{key}: must be a non-empty {kind.__name__}")
    return value


def _only(data: dict[str, Any], allowed: set[str], where: str, source: str) -> None:
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise ContentError(f"{source}: {where or '(file)'}: unknown field(s): {', '.join(unknown)}")


def parse_plan(path: Path, text: str) -> Plan:
    source = path.name
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ContentError(f"{source}: not valid YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise ContentError(f"{source}: (file): expected a mapping")
    _only(data, {"id", "version", "title", "audience", "intro", "steps", "safety"}, "", source)
    ident = _need(data, "id", "", source)
    if ident != path.stem:
        raise ContentError(f"{source}: id: {ident!r} must match the file name")
    audience = _need(data, "audience", "", source)
    if audience not in ("adult_child", "parent"):
        raise ContentError(f"{source}: audience: must be adult_child or parent")
    steps = []
    for n, raw in enumerate(_need(data, "steps", "", source, list)):
        where = f"steps[{n}]"
        _only(
            raw,
            {
                "id",
                "number",
                "title",
                "summary",
                "explanation",
                "exercises",
                "suggested_goals",
                "links",
            },
            where,
            source,
        )
        exercises = []
        for m, ex in enumerate(_need(raw, "exercises", where, source, list)):
            w = f"{where}.exercises[{m}]"
            _only(ex, {"id", "title", "prompt", "kind", "example"}, w, source)
            kind = _need(ex, "kind", w, source)
            if kind not in EXERCISE_KINDS:
                raise ContentError(f"{source}: {w}.kind: must be one of {', '.join(EXERCISE_KINDS)}")
            exercises.append(
                Exercise(
                    _need(ex, "id", w, source),
                    _need(ex, "title", w, source),
                    _need(ex, "prompt", w, source).strip(),
                    kind,
                    str(ex.get("example") or "").strip(),
                )
            )
        links = []
        for m, link in enumerate(raw.get("links") or []):
            w = f"{where}.links[{m}]"
            url_name = _need(link, "url_name", w, source)
            if url_name not in LINK_NAMES:
                raise ContentError(f"{source}: {w}.url_name: must be one of {', '.join(LINK_NAMES)}")
            links.append(Link(_need(link, "label", w, source), url_name))
        goals = _need(raw, "suggested_goals", where, source, list, [])
        if not all(isinstance(g, str) and g.strip() for g in goals):
            raise ContentError(f"{source}: {where}.suggested_goals: must be a list of sentences")
        number = _need(raw, "number", where, source, int)
        if number != n + 1:
            raise ContentError(f"{source}: {where}.number: must be {n + 1}")
        steps.append(
            Step(
                id=_need(raw, "id", where, source),
                number=number,
                title=_need(raw, "title", where, source),
                summary=_need(raw, "summary", where, source).strip(),
                explanation=_need(raw, "explanation", where, source).strip(),
                exercises=tuple(exercises),
                suggested_goals=tuple(g.strip() for g in goals),
                links=tuple(links),
            )
        )
    ids = [e.id for s in steps for e in s.exercises]
    if len(ids) != len(set(ids)) or len({s.id for s in steps}) != len(steps):
        raise ContentError(f"{source}: steps: step and exercise ids must be unique")
    if not steps:
        raise ContentError(f"{source}: steps: at least one step")
    safety = None
    if "safety" in data:
        raw_safety = _need(data, "safety", "", source, dict)
        _only(raw_safety, {"title", "text"}, "safety", source)
        safety = Safety(_need(raw_safety, "title", "safety", source), _need(raw_safety, "text", "safety", source))
    return Plan(
        ident,
        _need(data, "version", "", source),
        _need(data, "title", "", source),
        audience,
        _need(data, "intro", "", source).strip(),
        tuple(steps),
        safety,
    )


def parse_scripts(path: Path, text: str) -> tuple[ExampleScript, ...]:
    source = path.name
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ContentError(f"{source}: not valid YAML: {exc}") from exc
    out = []
    for n, raw in enumerate(_need(data, "scripts", "", source, list)):
        where = f"scripts[{n}]"
        _only(raw, {"id", "title", "situation", "feeling", "action", "reassurance", "for"}, where, source)
        audience = str(_need(raw, "for", where, source, str, "adult_child"))
        if audience not in AUDIENCES:
            raise ContentError(f"{source}: {where}.for: must be one of {', '.join(AUDIENCES)}")
        texts = {
            k: str(_need(raw, k, where, source)).strip()
            for k in ("id", "title", "situation", "feeling", "action", "reassurance")
        }
        out.append(ExampleScript(**texts, audience=audience))
    return tuple(out)


def example_scripts_for(perspective: str) -> tuple[ExampleScript, ...]:
    """The examples written from this person's side (a parent's for a parent); everyone's
    when they have not said which side they are on."""
    examples = example_scripts()
    if perspective in AUDIENCES:
        return tuple(e for e in examples if e.audience == perspective)
    return examples


@lru_cache(maxsize=1)
def plans() -> dict[str, Plan]:
    return {
        p.stem: parse_plan(p, p.read_text(encoding="utf-8"))
        for p in sorted(PLANS_DIR.glob("*.yaml"))
        if p.stem != "scripts"
    }


@lru_cache(maxsize=1)
def example_scripts() -> tuple[ExampleScript, ...]:
    path = PLANS_DIR / "scripts.yaml"
    return parse_scripts(path, path.read_text(encoding="utf-8"))
