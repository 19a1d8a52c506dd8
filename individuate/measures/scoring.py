"""Scoring by an instrument's own definition: totals, bands, subscales, flags."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from .instruments import Instrument


class ScoringError(ValueError):
    def __init__(self, message: str, item: str | None = None) -> None:
        super().__init__(message)
        self.item = item


@dataclass(frozen=True)
class Score:
    instrument: str
    total: float
    band: str
    subscales: dict[str, float] = field(default_factory=dict)
    flags: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, object]:
        total: float | int = int(self.total) if float(self.total).is_integer() else round(self.total, 2)
        return {
            "instrument": self.instrument,
            "total": total,
            "band": self.band,
            "subscales": {k: round(v, 2) for k, v in self.subscales.items()},
            "flags": list(self.flags),
        }


def validate_answer(instrument: Instrument, item_id: str, value: object) -> int:
    """One answer: the item must exist and the value be one of its options."""
    try:
        item = instrument.item(item_id)
    except KeyError as exc:
        raise ScoringError(f"{instrument.title} has no item {item_id!r}.", item_id) from exc
    if isinstance(value, bool) or not isinstance(value, int):
        try:
            value = int(str(value).strip())
        except ValueError as exc:
            raise ScoringError(f"Item {item.number} needs a number, got {value!r}.", item_id) from exc
    if value not in item.values:
        allowed = ", ".join(str(v) for v in item.values)
        raise ScoringError(f"Item {item.number}: {value} is not one of {allowed}.", item_id)
    return value


def score(instrument: Instrument, answers: Mapping[str, object]) -> Score:
    """Score a complete set of answers; raise ScoringError naming the first bad item."""
    clean: dict[str, int] = {}
    for item_id, value in answers.items():
        if value is None or value == "":
            continue
        clean[item_id] = validate_answer(instrument, item_id, value)
    for item in instrument.items:
        if item.required and item.id not in clean:
            raise ScoringError(f"Item {item.number} is not answered.", item.id)

    def combine(values: list[int], method: str) -> float:
        return float(sum(values)) if method == "sum" else sum(values) / len(values)

    subscales = {
        s.id: combine([i.keyed(clean[i.id]) for i in instrument.scored_items if i.subscale == s.id], s.method)
        for s in instrument.subscales
    }
    total = combine([i.keyed(clean[i.id]) for i in instrument.total_items()], instrument.total_method)
    flags = [f.id for f in instrument.flags if clean.get(f.item, -1) >= f.min_value]
    return Score(
        instrument=instrument.id,
        total=total,
        band=instrument.band_for(total).label,
        subscales=subscales,
        flags=flags,
    )


def answers_from_list(instrument: Instrument, values: list[str]) -> dict[str, object]:
    """Map a positional answer list (as on the command line) onto item ids."""
    if len(values) > len(instrument.items):
        raise ScoringError(f"{instrument.title} has {len(instrument.items)} items, got {len(values)} answers.")
    return {item.id: value for item, value in zip(instrument.items, values, strict=False)}
