"""Pairs: every pair of a batch fitted at once, then assembled chunk by chunk into
records (plain tuples) or :class:`~dynamics.coupling.results.PairResult` objects."""

from __future__ import annotations

import functools
import math
from collections.abc import Iterator, Sequence
from datetime import date
from typing import Any

import numpy as np
from numpy.typing import NDArray

from .chance import chance_thresholds, cross_t, exceeds
from .results import EffectRow, PairRecord, PairResult, RecordStream, gc_paused
from .var1 import (
    CHUNK_PAIRS,
    MIN_LAG_PAIRS,
    Arrays,
    FloatArray,
    as_pairs_array,
    check_method,
    fit_var,
    t975,
    validate_batch,
)
from .windows import WindowPlan
from .wording import missing_text, text_cross, text_inertia, text_sync

__all__ = ["fit_pairs", "iter_pair_records"]

#: One chunk of a fitted block as Python lists, keyed by quantity.
Cols = dict[str, list[Any]]


def _pair_block(y: FloatArray, method: str, chance: bool, seed: Sequence[int]) -> Arrays:
    res = fit_var(y, method)
    if chance:
        thr = chance_thresholds(y, method, np.random.default_rng(list(seed)))
    else:
        thr = np.full((y.shape[0], 2), np.nan)
    res["exceeds"] = exceeds(cross_t(res), thr)
    res["t975"] = t975(res["df"])
    return res


def _as_lists(res: Arrays, lo: int, hi: int) -> Cols:
    """Rows ``lo:hi`` of a fitted block as Python lists (fast to assemble from)."""
    p = min(hi, res["coef"].shape[0]) - lo

    def rows(key: str) -> NDArray[Any]:
        return res[key][lo:hi]

    return {
        "n": rows("n_lag").astype(np.int64).tolist(),
        "enough": rows("enough").tolist(),
        "collinear": rows("collinear").tolist(),
        "deg": rows("deg").tolist(),
        "coef": rows("coef").reshape(p, 4).tolist(),
        "se": rows("se").reshape(p, 4).tolist(),
        "t975": rows("t975").tolist(),
        "sync": rows("synchrony").tolist(),
        "sync_ci": rows("synchrony_ci").tolist(),
        "exceeds": rows("exceeds").tolist(),
        "n_obs": rows("n_obs").astype(np.int64).tolist(),
    }


def _pair_reasons(cols: Cols, k: int, names: tuple[str, str]) -> dict[str, str]:
    """Why effects are missing, keyed 'pair', 'a', 'b' (empty when all is fine)."""
    out: dict[str, str] = {}
    if not cols["enough"][k]:
        out["pair"] = (
            f"only {cols['n'][k]} usable day-to-day pair(s) — days where both people checked "
            f"in on that day and the day before (need at least {MIN_LAG_PAIRS})"
        )
    elif cols["collinear"][k]:
        out["pair"] = "the two series are practically identical, so their effects can't be told apart"
    else:
        for col, key in ((0, "a"), (1, "b")):
            if cols["deg"][k][col]:
                out[key] = f"{names[col]}'s mood did not vary on the usable days (constant series)"
    return out


def _reason_for(reasons: dict[str, str], people: tuple[int, ...]) -> str:
    if "pair" in reasons:
        return reasons["pair"]
    for c in people:
        if "ab"[c] in reasons:
            return reasons["ab"[c]]
    return "the data could not support a number"


# (kind, target i, source j, index into the exceeds pair or -1); the coefficient
# lists are A flattened row-major: A[i, j] is at 2i + j.
_PAIR_CELLS = (
    ("inertia", 0, 0, -1),
    ("inertia", 1, 1, -1),
    ("cross_lagged", 1, 0, 0),
    ("cross_lagged", 0, 1, 1),
)


def _pair_effects(
    cols: Cols, k: int, persons: tuple[str, str], words: tuple[str, str], sentences: bool = True
) -> tuple[list[EffectRow], list[str]]:
    """The effects of row K (and its warnings); without SENTENCES an effect with numbers
    gets ``""`` for its sentence (a missing one still says why)."""
    coef, se, tq = cols["coef"][k], cols["se"][k], cols["t975"][k]
    r = cols["sync"][k]
    isfinite = math.isfinite
    reasons: dict[str, str] = {}
    if not (isfinite(r) and isfinite(tq)):
        reasons = _pair_reasons(cols, k, words)
    ex = cols["exceeds"][k]
    effects: list[EffectRow] = []
    for kind, i, j, e in _PAIR_CELLS:
        est, s = coef[2 * i + j], se[2 * i + j]
        if not (isfinite(est) and isfinite(s) and isfinite(tq)):
            text = missing_text(_reason_for(reasons, (i, j)))
            effects.append((kind, persons[j], persons[i], None, None, None, None, text, None))
            continue
        ci = (est - tq * s, est + tq * s)
        if e < 0:
            text = text_inertia(est, ci, words[i]) if sentences else ""
            effects.append((kind, persons[j], persons[i], est, s, ci, None, text, None))
        else:
            exc = None if ex[e] < 0 else bool(ex[e])
            text = text_cross(est, ci, words[j], words[i], exc, solo=False) if sentences else ""
            effects.append((kind, persons[j], persons[i], est, s, ci, exc, text, None))
    if not isfinite(r):
        text = missing_text(_reason_for(reasons, (0, 1)))
        effects.append(("synchrony", persons[0], persons[1], None, None, None, None, text, None))
    else:
        lo, hi = cols["sync_ci"][k]
        effects.append(
            (
                "synchrony", persons[0], persons[1], r, (1 - r * r) / math.sqrt(cols["n"][k] - 3.0),
                (lo, hi), None, text_sync(r, (lo, hi), words[0], words[1]) if sentences else "", None,
            )
        )  # fmt: skip
    return effects, list(dict.fromkeys(reasons.values()))


def _window_effects(
    cols: Cols, k: int, persons: tuple[str, str], words: tuple[str, str], sentences: bool = True
) -> list[EffectRow]:
    return _pair_effects(cols, k, persons, words, sentences)[0]


def iter_pair_records(
    y: NDArray[Any],
    *,
    persons: Sequence[tuple[str, str]],
    pair_ids: Sequence[str],
    start: date | None = None,
    method: str = "corrected",
    window: int | None = None,
    step: int | None = None,
    chance: bool = True,
    seed: int = 0,
    labels: Sequence[tuple[str, str]] | None = None,
    chunk: int = CHUNK_PAIRS,
    window_words: bool = True,
) -> RecordStream:
    """:func:`fit_pairs` as a stream: the numbers of every pair are fitted at once (as
    arrays), then each record is assembled — ``chunk`` pairs at a time — as it is
    consumed, so no per-pair Python objects are held for the whole batch. The
    arguments are checked and everything is fitted before the first record is
    yielded; the records are those of :func:`fit_pairs`, in the same order.

    ``window_words=False``: the rolling windows' effects that have numbers get ``""`` for
    their sentence, which is not made — for records written with ``pair_text(...,
    window_words=False)`` (the sentences are made from the numbers when they are read:
    :func:`~dynamics.coupling.wording.add_window_words`)."""
    check_method(method)
    arr = as_pairs_array(y)
    p = arr.shape[0]
    validate_batch(p, persons=persons, pair_ids=pair_ids, labels=labels)
    plan = WindowPlan.make(arr, start, window, step)
    words = labels if labels is not None else persons
    full = _pair_block(arr, method, chance, (seed, 0))
    wins = []
    for w_i, s0 in enumerate(plan.starts):
        assert window is not None
        wins.append(_pair_block(arr[:, s0 : s0 + window], method, chance, (seed, 1 + w_i)))

    def records(lo: int, hi: int) -> Iterator[PairRecord]:
        return _records(full, wins, plan, persons, pair_ids, words, lo, hi, window_words)

    return RecordStream(p, chunk, records)


def _records(
    full: Arrays,
    wins: list[Arrays],
    plan: WindowPlan,
    persons: Sequence[tuple[str, str]],
    pair_ids: Sequence[str],
    words: Sequence[tuple[str, str]],
    lo: int,
    hi: int,
    window_words: bool = True,
) -> Iterator[PairRecord]:
    cols = _as_lists(full, lo, hi)
    wcols = [_as_lists(w, lo, hi) for w in wins]
    same_words = words is persons
    for k in range(len(cols["n"])):
        who = persons[lo + k]
        pa = (str(who[0]), str(who[1]))
        if same_words:
            wd = pa
        else:
            said = words[lo + k]
            wd = (str(said[0]), str(said[1]))
        effects, warns = _pair_effects(cols, k, pa, wd)
        in_window = functools.partial(_window_effects, persons=pa, words=wd, sentences=window_words)
        windows, changes = plan.of_row(k, wcols, in_window, ("cross_lagged",), offset=lo)
        n_obs = cols["n_obs"][k]
        yield PairRecord(
            str(pair_ids[lo + k]),
            pa,
            {pa[0]: n_obs[0], pa[1]: n_obs[1]},
            cols["n"][k],
            effects,
            warns,
            windows,
            changes,
        )


def fit_pairs(
    y: NDArray[Any],
    *,
    persons: Sequence[tuple[str, str]],
    pair_ids: Sequence[str],
    start: date | None = None,
    method: str = "corrected",
    window: int | None = None,
    step: int | None = None,
    chance: bool = True,
    seed: int = 0,
    labels: Sequence[tuple[str, str]] | None = None,
) -> list[PairResult]:
    """Fit every pair of ``y`` (``(P, T, 2)``, NaN = missing, day 0 = ``start``).

    ``persons`` are the two person ids/labels of each pair (used in ``from``/``to``);
    ``labels`` are the words used in the interpretations (default: ``persons``;
    "you"/"me" become "you"/"your"). With ``window`` (and ``step``, default =
    ``window``) every pair also gets rolling windows — those overlapping the days it
    was observed — and a first-vs-last-window ``change`` test of each cross-lagged
    effect; ``start`` is then required for the window dates. ``chance`` computes
    ``exceeds_chance`` (pseudo-pairs for ≥ 20 pairs, else time-shifted surrogates),
    seeded by ``seed``.
    """
    records = iter_pair_records(
        y, persons=persons, pair_ids=pair_ids, start=start, method=method, window=window,
        step=step, chance=chance, seed=seed, labels=labels,
    )  # fmt: skip
    with gc_paused():
        return [PairResult.from_record(r) for r in records]
