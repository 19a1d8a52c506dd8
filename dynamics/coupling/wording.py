"""The words: every effect's ``interpretation`` in plain English for the people it is
about. Numbers in, sentences out; nothing here computes a statistic.

Values are taken to be moods where higher = better (the product's 0–10 scale); the
labels "you"/"me"/"I" become "you"/"your".

Each sentence is a ``%``-template of the numbers it shows (``%.2f`` slots, labels
already in), chosen by its labels and its *variant* — the sign of the effect, whether
its range includes 0 and what is known about chance. ``text_*`` fill the template with
:func:`shown` numbers; the CLI's fast writer (``dynamics.coupling.pairs``) fills the
very same templates, JSON-escaped once, so the words have one source.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from typing import Any

__all__ = [
    "add_window_words",
    "concurrent_template",
    "cross_template",
    "effect_words",
    "includes_zero",
    "inertia_template",
    "missing_text",
    "shown",
    "solo_other_words",
    "stronger_than_chance",
    "sync_template",
    "text_concurrent",
    "text_cross",
    "text_inertia",
    "text_sync",
]

_YOU = {"you", "me", "i", "yourself", "myself"}


@functools.lru_cache(maxsize=4096)
def is_you(label: str) -> bool:
    return label.strip().lower() in _YOU


def subject(label: str) -> str:
    return "you" if is_you(label) else label


@functools.lru_cache(maxsize=4096)
def poss(label: str) -> str:
    if is_you(label):
        return "your"
    return label + ("'" if label.endswith("s") else "'s")


def cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _lit(text: str) -> str:
    """``text`` as literal text inside a ``%``-template."""
    return text.replace("%", "%%")


def includes_zero(ci: tuple[float, float]) -> bool:
    return ci[0] <= 0.0 <= ci[1]


def stronger_than_chance(ci: tuple[float, float], exceeds: bool | None) -> bool | None:
    """The one rule for "stronger than chance", used by the sentence and by the badge:
    the 95 % range leaves out 0 *and* the effect beats the chance level. ``None`` when
    the chance level was not computed and the range leaves out 0."""
    if includes_zero(ci) or exceeds is False:
        return False
    return True if exceeds is True else None


def shown(b: float, ci: tuple[float, float]) -> tuple[float, float, float]:
    """The numbers a slope's sentence shows: its size and range, turned round (−b, −hi,
    −lo) when it is negative — the sentence then says "higher" instead of "lower"."""
    if b >= 0:
        return b, ci[0], ci[1]
    return -b, -ci[1], -ci[0]


def _chance_note(zero: bool, exceeds: bool | None) -> str:
    if zero:
        return " The range includes 0: within chance."
    if exceeds is False:
        return " It is no larger than what people who are not linked show by chance: within chance."
    return ""


@functools.lru_cache(maxsize=4096)
def cross_template(src: str, tgt: str, negative: bool, zero: bool, ex: bool | None, solo: bool) -> str:
    """:func:`text_cross`'s sentence; slots: the :func:`shown` size and range."""
    if solo:
        lead = f"on days after you saw {_lit(src)} as more upset than usual (1 point lower)"
    else:
        lead = f"on days after {_lit(subject(src))} seemed more upset than usual (1 point lower)"
    whose = _lit(poss(tgt))
    if not negative:
        body = (
            f"{whose} own mood tended to be about %.2f points lower the next day (95 %% range %.2f to %.2f), "
            f"allowing for {whose} mood the day before."
        )
    else:
        body = (
            f"{whose} own mood tended to be about %.2f points higher the next day (95 %% range %.2f to %.2f), "
            f"allowing for {whose} mood the day before — moving the opposite way."
        )
    head = "No clear carry-over: " if zero else ""
    return f"{head}{cap(lead) if not head else lead}, {body}{_lit(_chance_note(zero, ex))}"


def text_cross(b: float, ci: tuple[float, float], src: str, tgt: str, ex: bool | None, solo: bool) -> str:
    return cross_template(src, tgt, not b >= 0, includes_zero(ci), ex, solo) % shown(b, ci)


@functools.lru_cache(maxsize=4096)
def concurrent_template(src: str, negative: bool, zero: bool, ex: bool | None) -> str:
    """:func:`text_concurrent`'s sentence; slots: the :func:`shown` size and range, then
    the correlation."""
    lead = f"on days when you saw {_lit(src)} as more upset than usual (1 point lower)"
    if not negative:
        body = "your own mood tended to be about %.2f points lower the same day (95 %% range %.2f to %.2f)"
    else:
        body = "your own mood tended to be about %.2f points higher the same day (95 %% range %.2f to %.2f)"
    head = "No clear link: " if zero else ""
    return f"{head}{cap(lead) if not head else lead}, {body}; correlation %.2f.{_lit(_chance_note(zero, ex))}"


def text_concurrent(b: float, ci: tuple[float, float], r: float, src: str, ex: bool | None) -> str:
    return concurrent_template(src, not b >= 0, includes_zero(ci), ex) % (*shown(b, ci), r)


@functools.lru_cache(maxsize=4096)
def inertia_template(who: str, negative: bool, zero: bool) -> str:
    """:func:`text_inertia`'s sentence; slots: the :func:`shown` size and range."""
    whose = _lit(cap(poss(who)))
    if not negative:
        text = (
            f"{whose} mood carries over from one day to the next: after a day 1 point "
            f"below usual, the next day was on average %.2f points below usual too "
            f"(%.2f to %.2f)."
        )
    else:
        text = (
            f"{whose} mood tends to swing back: after a day 1 point below usual, the "
            f"next day was on average %.2f points above usual (%.2f to %.2f)."
        )
    if zero:
        text += " The range includes no carry-over at all."
    return text


def text_inertia(b: float, ci: tuple[float, float], who: str) -> str:
    return inertia_template(who, not b >= 0, includes_zero(ci)) % shown(b, ci)


@functools.lru_cache(maxsize=4096)
def sync_template(a: str, b: str, negative: bool, zero: bool) -> str:
    """:func:`text_sync`'s sentence; slots: the correlation and its range (as they are)."""
    pair = f"{_lit(poss(a))} and {_lit(poss(b))} moods"
    if not negative:
        text = (
            f"On the same day, {pair} tended to move together: when one was better than "
            f"usual, so was the other (correlation %.2f, %.2f to %.2f)."
        )
    else:
        text = f"On the same day, {pair} tended to move in opposite directions (correlation %.2f, %.2f to %.2f)."
    if zero:
        text += " But the range includes 0, so this could be chance."
    return text


def text_sync(r: float, ci: tuple[float, float], a: str, b: str) -> str:
    return sync_template(a, b, not r >= 0, includes_zero(ci)) % (r, ci[0], ci[1])


def missing_text(reason: str) -> str:
    return f"Not estimated: {reason}."


# --------------------------------------------------------------------------- words from stored numbers

_SOLO_KINDS = frozenset({"concurrent", "lagged"})


def solo_other_words(other: str) -> str:
    """How a solo fit names the other person in its sentences (its ``other_labels`` entry)."""
    return "the other person" if other.strip().lower() == "perceived" else other


def effect_words(effect: Mapping[str, Any], *, solo: bool, words: Mapping[str, str]) -> str:
    """The ``interpretation`` the fitters write for an EFFECT (its JSON, with numbers), made
    again from its numbers: the same function and arguments as ``solo._solo_effects`` and
    ``pairs._pair_effects``. SOLO: an effect of a solo fit (``words`` maps "other" to
    the other's label); else of a pair (``words`` maps each person id to its label)."""
    kind, est, ci_list, ex = effect["kind"], effect["estimate"], effect["ci95"], effect["exceeds_chance"]
    ci = (ci_list[0], ci_list[1])
    if solo:
        other = words["other"]
        if kind == "concurrent":
            return text_concurrent(est, ci, effect["correlation"], other, ex)
        if kind == "lagged":
            return text_cross(est, ci, other, "you", ex, solo=True)
        if kind == "inertia":
            return text_inertia(est, ci, "you")
    else:
        src, tgt = words[effect["from"]], words[effect["to"]]
        if kind == "inertia":
            return text_inertia(est, ci, tgt)
        if kind == "cross_lagged":
            return text_cross(est, ci, src, tgt, ex, solo=False)
        if kind == "synchrony":
            return text_sync(est, ci, src, tgt)
    raise ValueError(f"no words for a {'solo' if solo else 'pair'} effect of kind {kind!r}")


def add_window_words(result: Mapping[str, Any], labels: Sequence[str] | None = None) -> dict[str, Any]:
    """RESULT (one pair's JSON, as ``PairResult.as_json()``) with every rolling window's
    effect that was stored without its ``interpretation`` (``pair_text(...,
    window_words=False)``) given it back — the identical sentence, in the same place among
    the keys. LABELS: the words the fit used for the two persons (its ``labels``; default:
    ``persons``, as the fitters do); a solo fit's are always its ``persons``. The result is
    a new dict; RESULT is not changed. Effects that kept their sentence are left as they are."""
    windows = result.get("windows")
    if not windows or all("interpretation" in e for w in windows for e in w["effects"]):
        return dict(result)
    persons = list(result["persons"])
    solo = any(e.get("kind") in _SOLO_KINDS for e in result.get("effects", []))
    if solo:
        words = {"other": solo_other_words(str(persons[1]))}
    else:
        said = list(labels) if labels is not None else persons
        if str(persons[0]) == str(persons[1]) and str(said[0]) != str(said[1]):
            raise ValueError("the two persons of a pair share an id: their effects cannot be told apart")
        words = {str(persons[0]): str(said[0]), str(persons[1]): str(said[1])}
    out = dict(result)
    out["windows"] = [
        {**w, "effects": [e if "interpretation" in e else _with_words(e, solo, words) for e in w["effects"]]}
        for w in windows
    ]
    return out


def _with_words(effect: Mapping[str, Any], solo: bool, words: Mapping[str, str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in effect.items():
        if key == "correlation":
            out["interpretation"] = effect_words(effect, solo=solo, words=words)
        out[key] = value
    if "interpretation" not in out:
        out["interpretation"] = effect_words(effect, solo=solo, words=words)
    return out
