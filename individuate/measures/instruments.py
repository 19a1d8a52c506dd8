"""Questionnaires as data: one YAML file per instrument, validated when loaded.

The schema is documented in docs/measures.md. A malformed file raises
:class:`InstrumentError` naming the file and the field, so a practice that drops
in a broken file finds out at start-up, not from a client.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

BUILTIN_DIR = Path(__file__).resolve().parent / "instruments"
KINDS = ("public-domain", "original", "licensed")


class InstrumentError(ValueError):
    pass


@dataclass(frozen=True)
class Option:
    value: int
    label: str


@dataclass(frozen=True)
class Item:
    id: str
    number: int
    text: str
    options: tuple[Option, ...]
    subscale: str | None = None
    reverse: bool = False
    scored: bool = True
    required: bool = True

    @property
    def values(self) -> tuple[int, ...]:
        return tuple(o.value for o in self.options)

    def keyed(self, value: int) -> int:
        """The value as it counts: reverse-keyed items are flipped within their range."""
        return min(self.values) + max(self.values) - value if self.reverse else value


@dataclass(frozen=True)
class Feedback:
    min: float
    max: float
    text: str
    # Other wording for this range when the total falls in a given band, e.g. low
    # readiness with "few signs" overall must not read as if there were a problem.
    when_band: tuple[tuple[str, str], ...] = ()

    def text_for(self, band: str | None) -> str:
        return dict(self.when_band).get(band or "", self.text)


@dataclass(frozen=True)
class Subscale:
    id: str
    label: str
    method: str
    in_total: bool
    about: str
    feedback: tuple[Feedback, ...]

    def feedback_for(self, value: float, band: str | None = None) -> str:
        return _in_range(self.feedback, value).text_for(band) if self.feedback else ""


@dataclass(frozen=True)
class Band:
    min: float
    max: float
    label: str
    text: str = ""


@dataclass(frozen=True)
class Flag:
    id: str
    item: str
    min_value: int
    message: str


@dataclass(frozen=True)
class Instrument:
    id: str
    title: str
    version: str
    kind: str
    summary: str
    instructions: str
    screening_note: str
    attribution: str
    licence: str
    items: tuple[Item, ...]
    total_method: str
    subscales: tuple[Subscale, ...]
    bands: tuple[Band, ...]
    flags: tuple[Flag, ...]
    reliable_change: float | None
    minutes: int
    source: str = field(default="", compare=False)
    topic: str = ""

    @property
    def name(self) -> str:
        """What people read: "PHQ-9 · depression" — the id ("phq9") is never shown."""
        return f"{self.title} · {self.topic}" if self.topic else self.title

    @property
    def scored_items(self) -> tuple[Item, ...]:
        return tuple(i for i in self.items if i.scored)

    def item(self, item_id: str) -> Item:
        for candidate in self.items:
            if candidate.id == item_id:
                return candidate
        raise KeyError(item_id)

    def total_items(self) -> tuple[Item, ...]:
        excluded = {s.id for s in self.subscales if not s.in_total}
        return tuple(i for i in self.scored_items if i.subscale not in excluded)

    def total_range(self) -> tuple[float, float]:
        items = self.total_items()
        lows = [min(i.values) for i in items]
        highs = [max(i.values) for i in items]
        if self.total_method == "sum":
            return float(sum(lows)), float(sum(highs))
        return float(min(lows)), float(max(highs))

    def band_for(self, total: float) -> Band:
        return _in_range(self.bands, total)


def _in_range(ranges: tuple[Any, ...], value: float) -> Any:
    """Ranges are contiguous; a value on a shared edge belongs to the higher range."""
    for candidate in reversed(ranges):
        if value >= candidate.min - 1e-9:
            return candidate
    return ranges[0]


# ---------------------------------------------------------------- loading


class _Reader:
    def __init__(self, path: Path, data: Any) -> None:
        self.path = path
        self.data = data

    def fail(self, where: str, message: str) -> InstrumentError:
        return InstrumentError(f"{self.path.name}: {where}: {message}")

    def get(self, obj: Any, key: str, where: str, kind: type | tuple[type, ...], default: Any = ...) -> Any:
        if not isinstance(obj, dict):
            raise self.fail(where, "expected a mapping")
        if key not in obj:
            if default is ...:
                raise self.fail(f"{where}.{key}" if where else key, "is missing")
            return default
        value = obj[key]
        wants_float = kind is float or (isinstance(kind, tuple) and float in kind)
        if wants_float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            name = kind.__name__ if isinstance(kind, type) else "/".join(k.__name__ for k in kind)
            raise self.fail(f"{where}.{key}" if where else key, f"must be {name}, got {value!r}")
        if isinstance(value, str) and not value.strip() and default is ...:
            raise self.fail(f"{where}.{key}" if where else key, "must not be empty")
        return value


def _ranges(
    r: _Reader,
    raw: Any,
    where: str,
    lo: float,
    hi: float,
    cls: type,
    text_key: str,
    integer_steps: bool = False,
) -> tuple[Any, ...]:
    if not isinstance(raw, list) or not raw:
        raise r.fail(where, "must be a non-empty list")
    out: list[Any] = []
    for n, entry in enumerate(raw):
        w = f"{where}[{n}]"
        low = r.get(entry, "min", w, float)
        high = r.get(entry, "max", w, float)
        if high < low:
            raise r.fail(w, f"max {high} is below min {low}")
        if cls is Band:
            out.append(Band(low, high, r.get(entry, "label", w, str), r.get(entry, "text", w, str, "")))
        else:
            when = r.get(entry, "when_band", w, dict, {})
            for label, text in when.items():
                if not isinstance(text, str) or not text.strip():
                    raise r.fail(f"{w}.when_band.{label}", "must be a non-empty text")
            out.append(Feedback(low, high, r.get(entry, text_key, w, str), tuple((str(k), v) for k, v in when.items())))
    out.sort(key=lambda b: b.min)
    if not math.isclose(out[0].min, lo) or not math.isclose(out[-1].max, hi):
        raise r.fail(where, f"must cover {lo:g}–{hi:g}, covers {out[0].min:g}–{out[-1].max:g}")
    for prev, nxt in zip(out, out[1:], strict=False):
        integer_step = integer_steps and math.isclose(nxt.min, prev.max + 1) and float(prev.max).is_integer()
        if not (math.isclose(nxt.min, prev.max) or integer_step):
            raise r.fail(where, f"gap or overlap between {prev.max:g} and {nxt.min:g}")
    return tuple(out)


ALLOWED_KEYS = {
    "": {
        "id",
        "title",
        "topic",
        "version",
        "kind",
        "minutes",
        "summary",
        "instructions",
        "screening_note",
        "attribution",
        "licence",
        "reliable_change",
        "response_sets",
        "items",
        "scoring",
        "bands",
        "flags",
    },
    "items": {"id", "text", "responses", "subscale", "reverse", "scored", "required"},
    "scoring": {"total", "subscales"},
    "subscales": {"id", "label", "method", "in_total", "about", "feedback"},
    "bands": {"min", "max", "label", "text"},
    "feedback": {"min", "max", "text", "when_band"},
    "flags": {"id", "item", "min_value", "message"},
}


def _check_keys(r: _Reader, obj: Any, kind: str, where: str) -> None:
    if isinstance(obj, dict):
        unknown = sorted(set(obj) - ALLOWED_KEYS[kind])
        if unknown:
            raise r.fail(where or "(file)", f"unknown field(s): {', '.join(map(str, unknown))}")


def parse_instrument(path: Path, text: str) -> Instrument:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise InstrumentError(f"{path.name}: not valid YAML: {exc}") from exc
    r = _Reader(path, data)
    if not isinstance(data, dict):
        raise r.fail("(file)", "expected a mapping at the top")
    _check_keys(r, data, "", "")
    _check_keys(r, data.get("scoring"), "scoring", "scoring")
    for key in ("items", "bands", "flags"):
        for n, entry in enumerate(data.get(key) or []):
            _check_keys(r, entry, key, f"{key}[{n}]")
    for n, entry in enumerate((data.get("scoring") or {}).get("subscales") or []):
        _check_keys(r, entry, "subscales", f"scoring.subscales[{n}]")
        for m, fb in enumerate((entry or {}).get("feedback") or []):
            _check_keys(r, fb, "feedback", f"scoring.subscales[{n}].feedback[{m}]")
    ident = r.get(data, "id", "", str)
    if ident != path.stem:
        raise r.fail("id", f"{ident!r} must match the file name {path.stem!r}")
    kind = r.get(data, "kind", "", str)
    if kind not in KINDS:
        raise r.fail("kind", f"must be one of {', '.join(KINDS)}")

    raw_sets = r.get(data, "response_sets", "", dict)
    response_sets: dict[str, tuple[Option, ...]] = {}
    for name, options in raw_sets.items():
        if not isinstance(options, list) or len(options) < 2:
            raise r.fail(f"response_sets.{name}", "needs at least two options")
        parsed = tuple(
            Option(
                r.get(o, "value", f"response_sets.{name}[{n}]", int),
                r.get(o, "label", f"response_sets.{name}[{n}]", str),
            )
            for n, o in enumerate(options)
        )
        if len({o.value for o in parsed}) != len(parsed):
            raise r.fail(f"response_sets.{name}", "values must be distinct")
        response_sets[name] = parsed

    scoring = r.get(data, "scoring", "", dict)
    total_method = r.get(scoring, "total", "scoring", str)
    if total_method not in ("sum", "mean"):
        raise r.fail("scoring.total", "must be sum or mean")
    subscales: list[Subscale] = []
    for n, raw in enumerate(r.get(scoring, "subscales", "scoring", list, [])):
        w = f"scoring.subscales[{n}]"
        method = r.get(raw, "method", w, str, "mean")
        if method not in ("sum", "mean"):
            raise r.fail(f"{w}.method", "must be sum or mean")
        subscales.append(
            Subscale(
                id=r.get(raw, "id", w, str),
                label=r.get(raw, "label", w, str),
                method=method,
                in_total=r.get(raw, "in_total", w, bool, True),
                about=r.get(raw, "about", w, str, ""),
                feedback=(),
            )
        )
    subscale_ids = {s.id for s in subscales}
    if len(subscale_ids) != len(subscales):
        raise r.fail("scoring.subscales", "ids must be distinct")

    raw_items = r.get(data, "items", "", list)
    items: list[Item] = []
    for n, raw in enumerate(raw_items):
        w = f"items[{n}]"
        set_name = r.get(raw, "responses", w, str)
        if set_name not in response_sets:
            raise r.fail(f"{w}.responses", f"unknown response set {set_name!r}")
        subscale = r.get(raw, "subscale", w, (str, type(None)), None)
        if subscale is not None and subscale not in subscale_ids:
            raise r.fail(f"{w}.subscale", f"unknown subscale {subscale!r}")
        scored = r.get(raw, "scored", w, bool, True)
        required = r.get(raw, "required", w, bool, scored)
        if scored and not required:
            raise r.fail(f"{w}.required", "a scored item must be required (totals need every answer)")
        items.append(
            Item(
                id=r.get(raw, "id", w, str),
                number=n + 1,
                text=r.get(raw, "text", w, str),
                options=response_sets[set_name],
                subscale=subscale,
                reverse=r.get(raw, "reverse", w, bool, False),
                scored=scored,
                required=required,
            )
        )
    if len({i.id for i in items}) != len(items):
        raise r.fail("items", "item ids must be distinct")
    if not any(i.scored for i in items):
        raise r.fail("items", "at least one item must be scored")
    for s in subscales:
        members = [i for i in items if i.subscale == s.id and i.scored]
        if not members:
            raise r.fail(f"scoring.subscales.{s.id}", "has no scored items")

    instrument = Instrument(
        id=ident,
        title=r.get(data, "title", "", str),
        version=str(r.get(data, "version", "", (str, int, float))),
        kind=kind,
        summary=r.get(data, "summary", "", str),
        instructions=r.get(data, "instructions", "", str),
        screening_note=r.get(data, "screening_note", "", str),
        attribution=r.get(data, "attribution", "", str),
        licence=r.get(data, "licence", "", str),
        items=tuple(items),
        total_method=total_method,
        subscales=tuple(subscales),
        bands=(),
        flags=(),
        reliable_change=r.get(data, "reliable_change", "", (float, type(None)), None),
        minutes=r.get(data, "minutes", "", int, 5),
        source=str(path),
        topic=r.get(data, "topic", "", str, ""),
    )
    lo, hi = instrument.total_range()
    bands = _ranges(r, data.get("bands"), "bands", lo, hi, Band, "label", integer_steps=total_method == "sum")
    feedback_subscales = []
    raw_subscales = r.get(scoring, "subscales", "scoring", list, [])
    for n, s in enumerate(subscales):
        members = [i for i in items if i.subscale == s.id and i.scored]
        s_lo = sum(min(i.values) for i in members) if s.method == "sum" else min(min(i.values) for i in members)
        s_hi = sum(max(i.values) for i in members) if s.method == "sum" else max(max(i.values) for i in members)
        raw_feedback = raw_subscales[n].get("feedback")
        feedback = (
            _ranges(r, raw_feedback, f"scoring.subscales[{n}].feedback", s_lo, s_hi, Feedback, "text")
            if raw_feedback is not None
            else ()
        )
        labels = {b.label for b in bands}
        for m, entry in enumerate(feedback):
            for label, _ in entry.when_band:
                if label not in labels:
                    raise r.fail(
                        f"scoring.subscales[{n}].feedback[{m}].when_band",
                        f"{label!r} is not a band (bands: {', '.join(sorted(labels))})",
                    )
        feedback_subscales.append(Subscale(s.id, s.label, s.method, s.in_total, s.about, feedback))
    flags = []
    item_ids = {i.id for i in items}
    for n, raw in enumerate(r.get(data, "flags", "", list, [])):
        w = f"flags[{n}]"
        flag = Flag(
            id=r.get(raw, "id", w, str),
            item=r.get(raw, "item", w, str),
            min_value=r.get(raw, "min_value", w, int),
            message=r.get(raw, "message", w, str),
        )
        if flag.item not in item_ids:
            raise r.fail(f"{w}.item", f"unknown item {flag.item!r}")
        flags.append(flag)
    for where, value, limit in (
        ("id", ident, 64),
        ("version", instrument.version, 20),
        *((f"items[{n}].id", item.id, 64) for n, item in enumerate(items)),
        *((f"flags[{n}].id", flag.id, 40) for n, flag in enumerate(flags)),
        *((f"bands[{n}].label", band.label, 40) for n, band in enumerate(bands)),
    ):
        if len(value) > limit:
            raise r.fail(where, f"at most {limit} characters")
    return Instrument(
        **{
            **instrument.__dict__,
            "bands": bands,
            "subscales": tuple(feedback_subscales),
            "flags": tuple(flags),
        }
    )


def load_directory(directory: Path) -> dict[str, Instrument]:
    found: dict[str, Instrument] = {}
    for path in sorted(directory.glob("*.yaml")):
        instrument = parse_instrument(path, path.read_text(encoding="utf-8"))
        if instrument.id in found:
            raise InstrumentError(f"{path.name}: id: {instrument.id!r} is defined twice")
        found[instrument.id] = instrument
    return found


def load_all(extra_dirs: list[Path] | tuple[Path, ...] = ()) -> dict[str, Instrument]:
    instruments = load_directory(BUILTIN_DIR)
    for directory in extra_dirs:
        for ident, instrument in load_directory(directory).items():
            if ident in instruments:
                raise InstrumentError(f"{Path(instrument.source).name}: id: {ident!r} is already defined")
            instruments[ident] = instrument
    return instruments
