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
from .results import (
    EffectRow,
    PairRecord,
    PairResult,
    RecordStream,
    Style,
    _string,
    effect_template,
    gc_paused,
    pair_template,
    pair_text,
)
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
from .wording import (
    cross_template,
    inertia_template,
    missing_text,
    sync_template,
    text_cross,
    text_inertia,
    text_sync,
)

__all__ = ["fit_pairs", "iter_pair_records", "reprs"]

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

    if window is not None:
        return RecordStream(p, chunk, records)
    templates: dict[tuple[int, int], dict[tuple[Any, ...], str]] = {}

    def texts(lo: int, hi: int, depth: int, st: Style) -> tuple[list[str], bool]:
        return _texts(full, persons, pair_ids, words, lo, hi, depth, st, templates)

    return RecordStream(p, chunk, records, texts)


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
    for k in range(len(cols["n"])):
        yield _record(cols, wcols, plan, persons, pair_ids, words, lo, k, window_words)


def _record(
    cols: Cols,
    wcols: list[Cols],
    plan: WindowPlan,
    persons: Sequence[tuple[str, str]],
    pair_ids: Sequence[str],
    words: Sequence[tuple[str, str]],
    lo: int,
    k: int,
    window_words: bool = True,
) -> PairRecord:
    """Row ``lo + k`` (row ``k`` of the chunk's ``cols``) as a record (without
    ``window_words``, its windows' effects with numbers get ``""`` for their sentence)."""
    who = persons[lo + k]
    pa = (str(who[0]), str(who[1]))
    if words is persons:
        wd = pa
    else:
        said = words[lo + k]
        wd = (str(said[0]), str(said[1]))
    effects, warns = _pair_effects(cols, k, pa, wd)
    in_window = functools.partial(_window_effects, persons=pa, words=wd, sentences=window_words)
    windows, changes = plan.of_row(k, wcols, in_window, ("cross_lagged",), offset=lo)
    n_obs = cols["n_obs"][k]
    return PairRecord(
        str(pair_ids[lo + k]), pa, {pa[0]: n_obs[0], pa[1]: n_obs[1]}, cols["n"][k], effects, warns, windows, changes
    )


# --------------------------------------------------------------------------- fast text
#
# A pair fitted without windows whose every number exists (the usual case) is written
# straight from the fitted arrays: its numbers are laid out in a (rows, 5, 7) array —
# per effect of _PAIR_CELLS and then synchrony: estimate, se, the ci95's two ends and
# the three numbers its sentence shows (wording.shown) — and put into one %-template
# per pair, which depends only on the pair's labels and its *variant* (per effect: the
# sign, whether the range includes 0, exceeds_chance) and is built once from the very
# templates of .wording and .results. Any other row goes the exact way (_record).

_CELL_AT = [2 * i + j for _, i, j, _ in _PAIR_CELLS]
_CROSS_EXCEEDS = [e for _, _, _, e in _PAIR_CELLS]
_EXCEEDS = (None, False, True)
#: Pair templates kept at most (per style), ~3 kB each.
_MAX_TEMPLATES = 4096


def _fast_numbers(res: Arrays, lo: int, hi: int) -> tuple[FloatArray, NDArray[np.int64], NDArray[np.bool_]]:
    """Rows ``lo:hi``: the numbers of their text, their variant codes (4 bits an effect:
    negative, range includes 0, exceeds_chance as 0 = null / 1 = false / 2 = true), and
    which rows have every number."""
    p = min(hi, res["coef"].shape[0]) - lo
    est = res["coef"][lo:hi].reshape(p, 4)[:, _CELL_AT]
    se = res["se"][lo:hi].reshape(p, 4)[:, _CELL_AT]
    tq = res["t975"][lo:hi, None]
    r, sci = res["synchrony"][lo:hi], res["synchrony_ci"][lo:hi]
    nums = np.empty((p, 5, 7))
    half = tq * se
    lower, upper = est - half, est + half  # as _pair_effects: est ∓ tq · se
    neg = ~(est >= 0)
    nums[:, :4, 0], nums[:, :4, 1], nums[:, :4, 2], nums[:, :4, 3] = est, se, lower, upper
    nums[:, :4, 4] = np.where(neg, -est, est)
    nums[:, :4, 5] = np.where(neg, -upper, lower)
    nums[:, :4, 6] = np.where(neg, -lower, upper)
    with np.errstate(invalid="ignore", divide="ignore"):
        nums[:, 4, 1] = (1 - r * r) / np.sqrt(res["n_lag"][lo:hi].astype(np.int64) - 3.0)
    nums[:, 4, 0], nums[:, 4, 2], nums[:, 4, 3] = r, sci[:, 0], sci[:, 1]
    nums[:, 4, 4:] = nums[:, 4, [0, 2, 3]]
    ok = np.asarray(np.isfinite(nums).all(axis=(1, 2)), dtype=bool)
    # the variant of each effect, from the same numbers
    negative = np.concatenate([neg, ~(r >= 0)[:, None]], axis=1)
    zero = (nums[:, :, 2] <= 0.0) & (nums[:, :, 3] >= 0.0)  # wording.includes_zero
    ex = res["exceeds"][lo:hi]
    chance = np.zeros((p, 5), dtype=np.int64)
    for col, e in enumerate(_CROSS_EXCEEDS):
        if e >= 0:
            chance[:, col] = np.where(ex[:, e] < 0, 0, np.where(ex[:, e] != 0, 2, 1))
    v = negative.astype(np.int64) | zero.astype(np.int64) << 1 | chance << 2
    code: NDArray[np.int64] = (v << (4 * np.arange(5, dtype=np.int64))).sum(axis=1)
    return nums, code, ok


@functools.lru_cache(maxsize=4096)
def _effect_template(col: int, pa: tuple[str, str], wd: tuple[str, str], v: int, depth: int, st: Style) -> str:
    """The %-template of effect ``col`` (of _PAIR_CELLS, 4 = synchrony) in variant ``v``."""
    if col == 4:
        sentence = sync_template(wd[0], wd[1], bool(v & 1), bool(v & 2))
        return effect_template("synchrony", pa[0], pa[1], None, sentence, depth, st, "%s")
    kind, i, j, e = _PAIR_CELLS[col]
    if e < 0:
        exc, sentence = None, inertia_template(wd[i], bool(v & 1), bool(v & 2))
    else:
        exc = _EXCEEDS[v >> 2]
        sentence = cross_template(wd[j], wd[i], bool(v & 1), bool(v & 2), exc, solo=False)
    return effect_template(kind, pa[j], pa[i], exc, sentence, depth, st, "%s")


def _fast_template(pa: tuple[str, str], wd: tuple[str, str], code: int, depth: int, st: Style) -> str:
    """The %-template of a pair of labels ``pa`` (words ``wd``) and variant ``code``."""
    effects = [_effect_template(col, pa, wd, code >> (4 * col) & 15, depth + 2, st) for col in range(5)]
    return pair_template(pa, effects, depth, st)


def _texts(
    full: Arrays,
    persons: Sequence[tuple[str, str]],
    pair_ids: Sequence[str],
    words: Sequence[tuple[str, str]],
    lo: int,
    hi: int,
    depth: int,
    st: Style,
    templates: dict[tuple[int, int], dict[tuple[Any, ...], str]],
) -> tuple[list[str], bool]:
    """Rows ``lo:hi`` (no windows) as :func:`pair_text` writes their records, and whether
    any got a number; ``templates`` caches the pairs' %-templates."""
    nums, codes, oks = _fast_numbers(full, lo, hi)
    at = np.flatnonzero(oks)
    # the arguments of each row's template: its counts, then per effect the reprs of its
    # four numbers and the three its sentence shows
    nums = nums[at]
    texts = np.empty(nums.shape, dtype=object)
    texts[:, :, :4] = reprs(nums[:, :, :4].ravel()).reshape(at.size, 5, 4)
    texts[:, :, 4:] = nums[:, :, 4:]
    args = np.empty((at.size, 38), dtype=object)
    args[:, :3] = np.column_stack([full["n_obs"][lo:hi][at], full["n_lag"][lo:hi][at]]).astype(np.int64)
    args[:, 3:] = texts.reshape(at.size, 35)
    fast = iter(args.tolist())
    same_words = words is persons
    out: list[str] = []
    cols: Cols | None = None
    fitted = False
    cache = templates.setdefault((id(st), depth), {})
    for k, (who, ok, code) in enumerate(zip(_rows(persons, lo, hi), oks.tolist(), codes.tolist(), strict=True)):
        pa = (str(who[0]), str(who[1]))
        row = next(fast) if ok else None
        if row is not None and pa[0] != pa[1]:
            if same_words:
                key: tuple[Any, ...] = (pa, code)
            else:
                said = words[lo + k]
                key = (pa, (str(said[0]), str(said[1])), code)
            tmpl = cache.get(key)
            if tmpl is None:
                if len(cache) >= _MAX_TEMPLATES:  # labels of their own in every pair: keep memory bounded
                    cache.clear()
                tmpl = cache[key] = _fast_template(pa, pa if same_words else key[1], code, depth, st)
            out.append(tmpl % (_string(str(pair_ids[lo + k])), *row))
            fitted = True
            continue
        if cols is None:
            cols = _as_lists(full, lo, hi)
        rec = _record(cols, [], _NO_WINDOWS, persons, pair_ids, words, lo, k)
        fitted = fitted or any(e[3] is not None for e in rec.effects)
        out.append(pair_text(rec, depth, st))
    return out, fitted


def _rows(seq: Sequence[Any], lo: int, hi: int) -> Sequence[Any]:
    """``seq[lo:hi]`` (one slice is cheaper than one index a row), for any sequence."""
    try:
        return seq[lo:hi]
    except TypeError:  # pragma: no cover - a sequence without slices
        return [seq[k] for k in range(lo, hi)]


def reprs(x: FloatArray) -> NDArray[np.object_]:
    """``repr`` of each float of ``x`` (1-D), as an object array of ``str``.

    Python's repr (the shortest string that reads back as the same float, the nearest
    of those) costs ~0.3 µs a float; pyarrow's cast to string writes the very same
    digits, in C, at a third of the cost, and lays them out the same way for the floats
    ``1e-3 ≤ |x| < 1e7`` that are not whole numbers (plain decimals: repr's exponent
    form and its ".0" are outside that range). Those go through pyarrow — once
    :func:`_arrow_writes_repr` has checked that this pyarrow does write them as repr
    does — and all others through repr."""
    out = np.empty(x.size, dtype=object)
    if x.size >= _ARROW_MIN and _arrow_writes_repr():
        import pyarrow as pa
        import pyarrow.compute as pc

        a = np.abs(x)
        plain = (a >= 1e-3) & (a < 1e7) & (x != np.floor(x))
        out[plain] = pc.cast(_arrow_floats(x[plain]), pa.string()).to_pylist()
        rest = ~plain
        out[rest] = [float.__repr__(v) for v in x[rest].tolist()]
    else:
        out[:] = [float.__repr__(v) for v in x.tolist()]
    return out


def _arrow_floats(x: FloatArray) -> Any:
    """``x`` as a pyarrow array, sharing its memory (``pa.array`` would import pandas)."""
    import pyarrow as pa

    x = np.ascontiguousarray(x, dtype=np.float64)
    return pa.Array.from_buffers(pa.float64(), x.size, [None, pa.py_buffer(x)])


#: Floats from which :func:`reprs` uses pyarrow (below, its fixed costs outweigh it).
_ARROW_MIN = 1024


@functools.cache
def _arrow_writes_repr() -> bool:
    """Whether pyarrow (if installed) writes floats of :func:`reprs`' range as repr does,
    on a sample of every magnitude of the range and of rounded and computed values."""
    try:
        import pyarrow as pa
        import pyarrow.compute as pc
    except ImportError:  # pragma: no cover - pyarrow is a dependency
        return False
    rng = np.random.default_rng(20240101)
    x = np.concatenate(
        [
            rng.uniform(-1, 1, 2000) * 10.0 ** rng.uniform(-3, 7, 2000),
            np.round(rng.normal(size=500), 2),
            1.0 / np.arange(3.0, 500.0),
            [1e-3, -1e-3, 0.1, 0.2, 0.3, 2.675, 1e7 - 0.5, np.nextafter(1e7, 0), np.nextafter(1e-3, 1)],
        ]
    )
    a = np.abs(x)
    x = x[(a >= 1e-3) & (a < 1e7) & (x != np.floor(x))]
    try:
        return bool(pc.cast(_arrow_floats(x), pa.string()).to_pylist() == [float.__repr__(v) for v in x.tolist()])
    except pa.ArrowException:  # pragma: no cover
        return False


_NO_WINDOWS = WindowPlan(None, None, [], np.zeros(0, np.int64), np.zeros(0, np.int64))


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
