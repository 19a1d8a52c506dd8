"""What a fit returns: typed results, their JSON shape, and a streaming JSON writer.

* :class:`Effect`, :class:`Window`, :class:`PairResult` — the public result objects
  (``PairResult.as_json()`` is one entry of the CLI's ``pairs`` list);
* :class:`EffectJSON`, :class:`WindowJSON`, :class:`ChangeJSON`, :class:`PairJSON`,
  :class:`ErrorJSON` — that JSON, typed (it is read by key on the Django side);
* :class:`PairRecord` — the same content as plain tuples, which the batch fitters
  produce chunk by chunk; :func:`pair_text` writes one record as JSON text exactly as
  ``json.dumps(result.as_json(), indent=2)`` nested in the CLI's document would (or
  compact, for JSON Lines) without building the dicts.
"""

from __future__ import annotations

import contextlib
import gc
import json
import math
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from typing import NamedTuple, NotRequired, TypedDict

__all__ = [
    "ChangeJSON",
    "Effect",
    "EffectJSON",
    "EffectRow",
    "ErrorJSON",
    "PairJSON",
    "PairRecord",
    "PairResult",
    "RecordStream",
    "Style",
    "Window",
    "WindowJSON",
    "WindowRow",
    "effect_template",
    "error_text",
    "gc_paused",
    "pair_template",
    "pair_text",
    "record_texts",
]

# ``from`` is a Python keyword, so these two use the functional TypedDict syntax.
EffectJSON = TypedDict(
    "EffectJSON",
    {
        "kind": str,
        "from": str,
        "to": str,
        "estimate": float | None,
        "se": float | None,
        "ci95": list[float] | None,
        "exceeds_chance": bool | None,
        "interpretation": str,
        "correlation": NotRequired[float],  # solo "concurrent" only
    },
)
ChangeJSON = TypedDict(
    "ChangeJSON",
    {
        "from": str,
        "to": str,
        "first": float | None,
        "last": float | None,
        "difference": float | None,
        "se": float | None,
        "z": float | None,
        "p": float | None,
    },
)


class WindowJSON(TypedDict):
    start: str
    end: str
    effects: list[EffectJSON]


class PairJSON(TypedDict):
    pair_id: str
    persons: list[str]
    n_observations: dict[str, int]
    n_lag_pairs: int
    effects: list[EffectJSON]
    warnings: list[str]
    windows: NotRequired[list[WindowJSON]]  # only when fitted with a window
    change: NotRequired[dict[str, list[ChangeJSON]] | None]


class ErrorJSON(TypedDict):
    pair_id: str  # "" for a problem of the whole file
    message: str


#: (kind, source, target, estimate, se, ci95, exceeds_chance, interpretation, correlation)
EffectRow = tuple[str, str, str, float | None, float | None, tuple[float, float] | None, bool | None, str, float | None]
#: (start, end, effects)
WindowRow = tuple[date, date, list[EffectRow]]


#: ``texts(lo, hi, depth, style)``: rows ``lo:hi`` as :func:`pair_text` writes them, and
#: whether any of them got a number.
TextsOf = Callable[[int, int, int, "Style"], tuple[list[str], bool]]


class RecordStream:
    """The records of a fitted batch, assembled ``chunk`` rows at a time as they are
    iterated (so no per-pair Python objects exist for the whole batch at once).
    ``records(lo, hi)`` assembles rows ``lo:hi`` alone, in any order — e.g. in worker
    processes; :meth:`texts` writes them as JSON text (a batch fitter may give a faster
    way to the same text)."""

    def __init__(
        self, n: int, chunk: int, records: Callable[[int, int], Iterator[PairRecord]], texts: TextsOf | None = None
    ) -> None:
        self.n, self.chunk, self.records = n, max(1, chunk), records
        self._texts = texts

    def __len__(self) -> int:
        return self.n

    def bounds(self, size: int | None = None) -> list[tuple[int, int]]:
        """``lo:hi`` slices of ``size`` rows (default: the stream's chunk)."""
        step = max(1, size or self.chunk)
        return [(lo, min(lo + step, self.n)) for lo in range(0, self.n, step)]

    def __iter__(self) -> Iterator[PairRecord]:
        for lo, hi in self.bounds():
            yield from self.records(lo, hi)

    def texts(self, lo: int, hi: int, depth: int, st: Style) -> tuple[list[str], bool]:
        """Rows ``lo:hi`` as :func:`pair_text` at ``depth``, and whether any got a number."""
        if self._texts is not None:
            return self._texts(lo, hi, depth, st)
        return record_texts(self.records(lo, hi), depth, st)


def record_texts(records: Iterable[PairRecord], depth: int, st: Style) -> tuple[list[str], bool]:
    """:func:`pair_text` of each record, and whether any has a number."""
    out, fitted = [], False
    for rec in records:
        if not fitted:
            fitted = any(e[3] is not None for e in rec.effects)
        out.append(pair_text(rec, depth, st))
    return out, fitted


class PairRecord(NamedTuple):
    """One pair's (or participant's) result as plain tuples and lists."""

    pair_id: str
    persons: tuple[str, str]
    n_observations: dict[str, int]
    n_lag_pairs: int
    effects: list[EffectRow]
    warnings: list[str]
    windows: list[WindowRow] | None  # None: fitted without a window
    change: dict[str, list[ChangeJSON]] | None


@dataclass(frozen=True)
class Effect:
    """One effect, with its words for people.

    ``estimate``/``se``/``ci95`` are ``None`` when the data cannot support a number.
    ``correlation`` is only set for the solo ``concurrent`` effect.
    """

    kind: str  # "inertia" | "cross_lagged" | "synchrony" | "concurrent" | "lagged"
    source: str
    target: str
    estimate: float | None
    se: float | None
    ci95: tuple[float, float] | None
    exceeds_chance: bool | None
    interpretation: str
    correlation: float | None = None

    def as_json(self) -> EffectJSON:
        out: EffectJSON = {
            "kind": self.kind,
            "from": self.source,
            "to": self.target,
            "estimate": self.estimate,
            "se": self.se,
            "ci95": None if self.ci95 is None else [self.ci95[0], self.ci95[1]],
            "exceeds_chance": self.exceeds_chance,
            "interpretation": self.interpretation,
        }
        if self.correlation is not None:
            out["correlation"] = self.correlation
        return out


@dataclass(frozen=True)
class Window:
    """The effects fitted on the days ``start`` … ``end`` (both included)."""

    start: date
    end: date
    effects: tuple[Effect, ...]

    def as_json(self) -> WindowJSON:
        return {
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "effects": [e.as_json() for e in self.effects],
        }


@dataclass(frozen=True)
class PairResult:
    pair_id: str
    persons: tuple[str, str]
    n_observations: dict[str, int]
    n_lag_pairs: int
    effects: tuple[Effect, ...]
    warnings: tuple[str, ...]
    windows: tuple[Window, ...] = ()
    change: dict[str, list[ChangeJSON]] | None = None

    @classmethod
    def from_record(cls, rec: PairRecord) -> PairResult:
        return cls(
            pair_id=rec.pair_id,
            persons=rec.persons,
            n_observations=rec.n_observations,
            n_lag_pairs=rec.n_lag_pairs,
            effects=tuple(Effect(*row) for row in rec.effects),
            warnings=tuple(rec.warnings),
            windows=tuple(Window(s, e, tuple(Effect(*row) for row in rows)) for s, e, rows in rec.windows or ()),
            change=rec.change,
        )

    def as_json(self) -> PairJSON:
        out: PairJSON = {
            "pair_id": self.pair_id,
            "persons": [self.persons[0], self.persons[1]],
            "n_observations": dict(self.n_observations),
            "n_lag_pairs": self.n_lag_pairs,
            "effects": [e.as_json() for e in self.effects],
            "warnings": list(self.warnings),
        }
        if self.windows or self.change is not None:
            out["windows"] = [w.as_json() for w in self.windows]
            out["change"] = self.change
        return out


# --------------------------------------------------------------------------- JSON text

_string: Callable[[str], str] = json.encoder.encode_basestring_ascii  # the C one, as json.dumps uses


def _number(x: float | int | None) -> str:
    if x is None:
        return "null"
    if isinstance(x, int):
        return int.__repr__(x)
    if not math.isfinite(x):
        raise ValueError(f"Out of range float values are not JSON compliant: {x!r}")
    return float.__repr__(x)


def _value(x: object) -> str:
    if isinstance(x, str):
        return _string(x)
    assert x is None or isinstance(x, float | int)
    return _number(x)


def _bool(x: bool | None) -> str:
    return "null" if x is None else ("true" if x else "false")


class Style:
    """Where the text goes between tokens: ``json.dumps(indent=2)``'s layout, or its
    compact one (``indent=None``, separators ``", "`` and ``": "``)."""

    def __init__(self, pretty: bool, depth: int = 12) -> None:
        if pretty:
            self.open = ["\n" + "  " * d for d in range(depth)]
            self.sep = [",\n" + "  " * d for d in range(depth)]
        else:
            self.open = [""] * depth
            self.sep = [", "] * depth

    def container(self, brackets: str, items: Sequence[str], depth: int) -> str:
        """``items`` (already text, one level deeper) inside ``brackets`` at ``depth``."""
        if not items:
            return brackets
        return brackets[0] + self.open[depth + 1] + self.sep[depth + 1].join(items) + self.open[depth] + brackets[1]


PRETTY = Style(pretty=True)
COMPACT = Style(pretty=False)


def _effect_layout(st: Style, depth: int, *parts: str) -> str:
    """An effect object with numbers, up to (not including) its end, from the text of its
    members: kind, from, to, estimate, se, the ci95's two ends, exceeds_chance and
    interpretation (json.dumps' layout is in one place, here)."""
    o, sep, o2, sep2 = st.open[depth + 1], st.sep[depth + 1], st.open[depth + 2], st.sep[depth + 2]
    kind, source, target, est, se, lo, hi, exc, interpretation = parts
    return (
        "{" + o + '"kind": ' + kind + sep + '"from": ' + source + sep + '"to": ' + target + sep
        + '"estimate": ' + est + sep + '"se": ' + se + sep + '"ci95": [' + o2 + lo + sep2 + hi + o + "]"
        + sep + '"exceeds_chance": ' + exc + sep + '"interpretation": ' + interpretation
    )  # fmt: skip


class _EffectTemplates:
    """``%``-templates of an effect object at one depth: with numbers, and without."""

    def __init__(self, st: Style, depth: int) -> None:
        o, sep = st.open[depth + 1], st.sep[depth + 1]
        head = "{" + o + '"kind": %s' + sep + '"from": %s' + sep + '"to": %s' + sep
        tail = '"interpretation": %s'
        self.close = st.open[depth] + "}"
        self.correlation = sep + '"correlation": '
        self.numbers = _effect_layout(st, depth, "%s", "%s", "%s", "%r", "%r", "%r", "%r", "%s", "%s")
        # the same without its sentence (a window's effect stored numbers only; see pair_text)
        self.bare = self.numbers[: -len(sep + tail)]
        nulls = ("estimate", "se", "ci95", "exceeds_chance")
        self.missing = head + "".join(f'"{k}": null' + sep for k in nulls) + tail + self.close


def _lit(text: str) -> str:
    """``text`` as literal text inside a ``%``-template."""
    return text.replace("%", "%%")


def effect_template(
    kind: str,
    source: str,
    target: str,
    exceeds: bool | None,
    interpretation: str,
    depth: int,
    st: Style,
    number: str = "%r",
) -> str:
    """The text of an effect with numbers (and no correlation) as ``_effect_text`` writes
    it, as a ``%``-template: its slots are the estimate, the se and the ci95's two ends
    (``number``: ``%r`` for floats, ``%s`` for their reprs), then those of
    ``interpretation`` — itself a ``%``-template (of :mod:`.wording`), which JSON's
    escaping leaves one (it never writes a ``%``)."""
    return _effect_layout(
        st, depth, _lit(_string(kind)), _lit(_string(source)), _lit(_string(target)),
        number, number, number, number, _LITERAL[exceeds], _string(interpretation),
    ) + st.open[depth] + "}"  # fmt: skip


_TEMPLATES: dict[tuple[int, int], _EffectTemplates] = {}
_LITERAL = {None: "null", True: "true", False: "false"}


def _effect_text(e: EffectRow, depth: int, st: Style, words: bool = True) -> str:
    """One effect; without ``words`` an effect with numbers leaves out its ``interpretation``
    (it is made from those numbers again: ``wording.add_window_words``). An effect without
    numbers always keeps it: its reason cannot be told from the JSON."""
    t = _TEMPLATES.get((id(st), depth))
    if t is None:
        t = _TEMPLATES[(id(st), depth)] = _EffectTemplates(st, depth)
    ci = e[5]
    if ci is None or e[3] is None or e[4] is None:
        return t.missing % (_string(e[0]), _string(e[1]), _string(e[2]), _string(e[7]))
    if words:
        text = t.numbers % (
            _string(e[0]), _string(e[1]), _string(e[2]), e[3], e[4], ci[0], ci[1], _LITERAL[e[6]], _string(e[7])
        )  # fmt: skip
    else:
        text = t.bare % (_string(e[0]), _string(e[1]), _string(e[2]), e[3], e[4], ci[0], ci[1], _LITERAL[e[6]])
    if e[8] is not None:
        return text + t.correlation + repr(e[8]) + t.close
    return text + t.close


def _effects_text(rows: Sequence[EffectRow], depth: int, st: Style, words: bool = True) -> str:
    return st.container("[]", [_effect_text(e, depth + 1, st, words) for e in rows], depth)


def _change_text(change: dict[str, list[ChangeJSON]] | None, depth: int, st: Style) -> str:
    if change is None:
        return "null"
    kinds = []
    for kind, entries in change.items():
        texts = [
            st.container("{}", [_string(k) + ": " + _value(v) for k, v in entry.items()], depth + 2)
            for entry in entries
        ]
        kinds.append(_string(kind) + ": " + st.container("[]", texts, depth + 1))
    return st.container("{}", kinds, depth)


def _pair_layout(st: Style, depth: int, *parts: str) -> str:
    """A pair's fixed members from their text: id, the two persons, the counts, the lag
    pairs, the effects (inside their brackets) and the warnings."""
    o1, s1, o2, s2 = st.open[depth + 1], st.sep[depth + 1], st.open[depth + 2], st.sep[depth + 2]
    pair_id, first, second, counts, n_lag, effects, warnings = parts
    return (
        "{" + o1 + '"pair_id": ' + pair_id + s1 + '"persons": [' + o2 + first + s2 + second + o1 + "]" + s1
        + '"n_observations": ' + counts + s1 + '"n_lag_pairs": ' + n_lag + s1 + '"effects": [' + o2 + effects + o1
        + "]" + s1 + '"warnings": ' + warnings
    )  # fmt: skip


def _pair_head(st: Style, depth: int) -> str:
    """``%``-template of a pair's fixed members (id, persons, counts, effects, warnings)."""
    key = ("pair", id(st), depth)
    head = _HEADS.get(key)
    if head is None:
        head = _HEADS[key] = _pair_layout(st, depth, "%s", "%s", "%s", "%s", "%d", "%s", "%s")
    return head


def pair_template(persons: tuple[str, str], effects: Sequence[str], depth: int, st: Style) -> str:
    """The text of a pair without warnings or windows as :func:`pair_text` writes it, as a
    ``%``-template: its slots are the pair id (JSON text, ``%s``), the two persons'
    observation counts and the lag pairs (``%d``), then those of each of ``effects``
    (templates of :func:`effect_template` at ``depth + 2``)."""
    if persons[0] == persons[1]:
        raise ValueError("a pair's two persons must differ")
    first, second = _lit(_string(persons[0])), _lit(_string(persons[1]))
    counts = st.container("{}", [first + ": %d", second + ": %d"], depth + 1)
    body = _pair_layout(st, depth, "%s", first, second, counts, "%d", st.sep[depth + 2].join(effects), "[]")
    return body + st.open[depth] + "}"


_HEADS: dict[tuple[str, int, int], str] = {}


def pair_text(rec: PairRecord, depth: int, st: Style, window_words: bool = True) -> str:
    """One record as the JSON text of ``PairResult.from_record(rec).as_json()``.

    With ``window_words=False`` the rolling windows' effects that have numbers are written
    without their ``interpretation`` (about half the text of a report with windows);
    :func:`~dynamics.coupling.wording.add_window_words` puts the very same sentences back
    from the numbers."""
    counts = st.container("{}", [_string(k) + ": " + _number(v) for k, v in rec.n_observations.items()], depth + 1)
    text = _pair_head(st, depth) % (
        _string(rec.pair_id),
        _string(rec.persons[0]),
        _string(rec.persons[1]),
        counts,
        rec.n_lag_pairs,
        st.sep[depth + 2].join([_effect_text(e, depth + 2, st) for e in rec.effects]),
        st.container("[]", [_string(w) for w in rec.warnings], depth + 1),
    )
    if rec.windows or rec.change is not None:
        windows = [
            st.container(
                "{}",
                [
                    '"start": ' + _string(start.isoformat()),
                    '"end": ' + _string(end.isoformat()),
                    '"effects": ' + _effects_text(rows, depth + 3, st, window_words),
                ],
                depth + 2,
            )
            for start, end, rows in rec.windows or ()
        ]
        text += st.sep[depth + 1] + '"windows": ' + st.container("[]", windows, depth + 1)
        text += st.sep[depth + 1] + '"change": ' + _change_text(rec.change, depth + 1, st)
    return text + st.open[depth] + "}"


def error_text(err: ErrorJSON, depth: int, st: Style) -> str:
    return st.container("{}", ['"pair_id": ' + _string(err["pair_id"]), '"message": ' + _string(err["message"])], depth)


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while many small acyclic result objects are
    built (it would otherwise rescan them again and again: ~30 % of the assembly time
    for 100,000 pairs)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
