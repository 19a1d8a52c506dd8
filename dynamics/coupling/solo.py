"""Solo: one participant's own mood against how they perceive the other's, every
participant of a batch at once (the same batched least squares as the pairs).

Effects: ``concurrent`` (same-day within-person slope of own on perceived, with its
correlation), ``lagged`` (perceived yesterday → own today, controlling own yesterday)
and ``inertia`` (own yesterday → own today; Kendall-corrected when
``method="corrected"``). ``exceeds_chance`` of concurrent and lagged comes from
circular shifts of perceived against own, per participant.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Iterator, Sequence
from datetime import date
from typing import Any

import numpy as np
from numpy.typing import NDArray

from .chance import exceeds, shifted_thresholds
from .results import EffectRow, PairRecord, PairResult, RecordStream, gc_paused
from .var1 import (
    CHUNK_PAIRS,
    CONSTANT_TOL,
    MIN_LAG_PAIRS,
    Arrays,
    FloatArray,
    centre,
    check_method,
    concat_chunks,
    kendall_1d,
    lag_ls,
    t975,
    validate_batch,
)
from .windows import WindowPlan
from .wording import missing_text, solo_other_words, text_concurrent, text_cross, text_inertia

__all__ = ["fit_solo", "iter_solo_records"]

Cols = dict[str, list[Any]]


def _concurrent_sums(
    oc: FloatArray, pc: FloatArray, joint: NDArray[np.bool_]
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray, FloatArray, FloatArray, FloatArray, FloatArray]:
    """own(t) against perceived(t) over the days both were given: the day counts (and
    them floored at 1), both series centred on those days, their sums of squares and
    cross-products, and the constant-series tolerance."""
    nj = joint.sum(axis=1).astype(np.float64)
    nnj = np.maximum(nj, 1.0)
    om = np.where(joint, oc, 0.0).sum(axis=1) / nnj
    pm = np.where(joint, pc, 0.0).sum(axis=1) / nnj
    od = np.where(joint, oc - om[:, None], 0.0)
    pd = np.where(joint, pc - pm[:, None], 0.0)
    return nj, nnj, od, pd, (pd * pd).sum(axis=1), (od * od).sum(axis=1), (od * pd).sum(axis=1), CONSTANT_TOL * nnj


def _solo_chunk(own: FloatArray, perc: FloatArray, method: str) -> Arrays:
    """Vectorised solo effects for one chunk of participants (rows of own/perc)."""
    y = np.stack([own, perc], axis=2)
    yc, obs, n_obs = centre(y)
    oc, pc = yc[:, :, 0], yc[:, :, 1]
    oo, op = obs[:, :, 0], obs[:, :, 1]

    # concurrent: own(t) on perceived(t) over the days both were given
    nj, nnj, od, pd, spp, soo, sop, tol = _concurrent_sums(oc, pc, oo & op)
    conc_deg_p, conc_deg_o = spp <= tol, soo <= tol
    conc_ok = (nj >= MIN_LAG_PAIRS) & ~conc_deg_p & ~conc_deg_o
    with np.errstate(invalid="ignore", divide="ignore"):
        slope = sop / spp
        r = sop / np.sqrt(spp * soo)
        resid = od - slope[:, None] * pd
        s2 = (resid * resid).sum(axis=1) / (nj - 2.0)
        conc_se = np.sqrt(s2 / spp)
    for arr in (slope, r, conc_se):
        arr[~conc_ok] = np.nan

    # lagged: own(t) on [1, own(t-1), perceived(t-1)] over days with those three
    valid = oo[:, 1:] & oo[:, :-1] & op[:, :-1]
    ls = lag_ls(yc[:, :-1, :], yc[:, 1:, :1], valid)
    n = ls["n"]
    enough = n >= MIN_LAG_PAIRS
    own_deg = ls["deg_x"][:, 0] | ls["deg_y"][:, 0]
    perc_deg = ls["deg_x"][:, 1]
    base = enough & ~own_deg & ~ls["collinear"]
    lag_ok = base & ~perc_deg
    df = np.where(base, ls["df"], np.nan)
    s2l = ls["ssr"][:, 0, 0] / np.where(df > 0, df, np.nan)
    inertia = np.where(base, ls["b"][:, 0, 0], np.nan)
    lagged = np.where(lag_ok, ls["b"][:, 1, 0], np.nan)
    se_inertia = np.where(base, np.sqrt(s2l * ls["cinv_diag"][:, 0]), np.nan)
    se_lagged = np.where(lag_ok, np.sqrt(s2l * ls["cinv_diag"][:, 1]), np.nan)
    if method == "corrected":
        # n = the days with an own mood, as for pairs (see _var_chunk and the README)
        inertia = kendall_1d(inertia, np.maximum(n, n_obs[:, 0]))
    return {
        "concurrent": slope,
        "concurrent_se": conc_se,
        "concurrent_r": r,
        "concurrent_df": np.where(conc_ok, nj - 2.0, np.nan),
        "n_joint": nj,
        "conc_deg_own": conc_deg_o & (nj >= MIN_LAG_PAIRS),
        "conc_deg_perc": conc_deg_p & (nj >= MIN_LAG_PAIRS),
        "lagged": lagged,
        "lagged_se": se_lagged,
        "inertia": inertia,
        "inertia_se": se_inertia,
        "lag_df": df,
        "n_lag": n,
        "lag_enough": enough,
        "lag_own_deg": own_deg & enough,
        "lag_perc_deg": perc_deg & enough & ~own_deg,
        "lag_collinear": ls["collinear"] & enough,
        "n_obs": n_obs,
    }


def _fit_solo_arrays(own: FloatArray, perc: FloatArray, method: str) -> Arrays:
    parts = [
        _solo_chunk(own[i : i + CHUNK_PAIRS], perc[i : i + CHUNK_PAIRS], method)
        for i in range(0, own.shape[0], CHUNK_PAIRS)
    ]
    if not parts:
        e = np.full((0, own.shape[1]), np.nan)
        return _solo_chunk(e, e, method)
    return concat_chunks(parts)


def _solo_t(res: Arrays) -> FloatArray:
    with np.errstate(invalid="ignore", divide="ignore"):
        out: FloatArray = np.abs(
            np.stack([res["concurrent"] / res["concurrent_se"], res["lagged"] / res["lagged_se"]], axis=1)
        )
    return out


def _solo_tstat(method: str) -> Any:
    def tstat(own: FloatArray, perc: FloatArray) -> FloatArray:
        return _solo_t(_fit_solo_arrays(own, perc, method))

    return tstat


def _solo_t_centred(oc: FloatArray, pc: FloatArray) -> FloatArray:
    """|t| of concurrent and lagged, as ``_solo_t(_fit_solo_arrays(...))``, for rows that
    are already person-mean centred (NaN = missing) — the time-shifted copies of the
    chance level: a circular shift keeps the set of a row's values, hence its mean, so the
    rows are centred once instead of once per shift, and nothing but the two t's is made."""
    oo, op = np.isfinite(oc), np.isfinite(pc)
    nj, nnj, od, pd, spp, soo, sop, tol = _concurrent_sums(oc, pc, oo & op)
    conc_ok = (nj >= MIN_LAG_PAIRS) & (spp > tol) & (soo > tol)
    yc = np.stack([oc, pc], axis=2)
    valid = oo[:, 1:] & oo[:, :-1] & op[:, :-1]
    ls = lag_ls(yc[:, :-1, :], yc[:, 1:, :1], valid)
    lag_ok = (ls["n"] >= MIN_LAG_PAIRS) & ~(ls["deg_x"][:, 0] | ls["deg_y"][:, 0]) & ~ls["collinear"]
    lag_ok &= ~ls["deg_x"][:, 1]
    with np.errstate(invalid="ignore", divide="ignore"):
        slope = sop / spp
        resid = od - slope[:, None] * pd
        conc_se = np.sqrt((resid * resid).sum(axis=1) / (nj - 2.0) / spp)
        df = ls["df"]
        s2l = ls["ssr"][:, 0, 0] / np.where(df > 0, df, np.nan)
        t_conc = np.where(conc_ok, np.abs(slope / conc_se), np.nan)
        t_lag = np.where(lag_ok, np.abs(ls["b"][:, 1, 0] / np.sqrt(s2l * ls["cinv_diag"][:, 1])), np.nan)
    out: FloatArray = np.stack([t_conc, t_lag], axis=1)
    return out


def _solo_block(own: FloatArray, perc: FloatArray, method: str, chance: bool, seed: Sequence[int]) -> Arrays:
    """Solo fit + chance of every row."""
    res = _fit_solo_arrays(own, perc, method)
    if chance:
        # (N, 2) |t| thresholds (concurrent, lagged) from circular shifts of perceived
        yc = centre(np.stack([own, perc], axis=2))[0]
        thr = shifted_thresholds(yc[:, :, 0], yc[:, :, 1], _solo_t_centred, np.random.default_rng(list(seed)))
    else:
        thr = np.full((own.shape[0], 2), np.nan)
    res["exceeds"] = exceeds(_solo_t(res), thr)
    res["t_conc"] = t975(res["concurrent_df"])
    res["t_lag"] = t975(res["lag_df"])
    return res


def _as_lists(res: Arrays, lo: int, hi: int) -> Cols:
    return {k: v[lo:hi].tolist() for k, v in res.items()}


def _f(v: float) -> float | None:
    return v if math.isfinite(v) else None


def _tri(v: int) -> bool | None:
    return None if v < 0 else bool(v)


def _solo_effects(res: Cols, k: int, pid: str, other: str, words: bool = True) -> tuple[list[EffectRow], list[str]]:
    """The effects of row K (and its warnings); without WORDS an effect with numbers gets
    ``""`` for its sentence (a missing one still says why)."""
    words_other = solo_other_words(other)
    warns: list[str] = []
    n_joint, n_lag = int(res["n_joint"][k]), int(res["n_lag"][k])

    def conc_reason() -> str:
        if n_joint < MIN_LAG_PAIRS:
            return (
                f"only {n_joint} day(s) with both your mood and your sense of {words_other}'s "
                f"mood (need at least {MIN_LAG_PAIRS})"
            )
        if res["conc_deg_own"][k]:
            return "your own mood did not vary on those days (constant series)"
        return f"your sense of {words_other}'s mood did not vary on those days (constant series)"

    def lag_reason(for_lagged: bool) -> str:
        if not res["lag_enough"][k]:
            return (
                f"only {n_lag} usable day-to-day pair(s) — a day with your mood after a day "
                f"with both ratings (need at least {MIN_LAG_PAIRS})"
            )
        if res["lag_own_deg"][k]:
            return "your own mood did not vary on the usable days (constant series)"
        if res["lag_collinear"][k]:
            return "your mood and your sense of the other's mood were practically identical"
        if for_lagged and res["lag_perc_deg"][k]:
            return f"your sense of {words_other}'s mood did not vary on the usable days (constant series)"
        return "the data could not support a number"

    ex = res["exceeds"][k]
    effects: list[EffectRow] = []
    est, s, tq = _f(res["concurrent"][k]), _f(res["concurrent_se"][k]), _f(res["t_conc"][k])
    if est is None or s is None or tq is None:
        reason = conc_reason()
        warns.append(reason)
        effects.append(("concurrent", other, pid, None, None, None, None, missing_text(reason), None))
    else:
        ci = (est - tq * s, est + tq * s)
        r = float(res["concurrent_r"][k])
        exc = _tri(int(ex[0]))
        text = text_concurrent(est, ci, r, words_other, exc) if words else ""
        effects.append(("concurrent", other, pid, est, s, ci, exc, text, r))
    tq = _f(res["t_lag"][k])
    est, s = _f(res["lagged"][k]), _f(res["lagged_se"][k])
    if est is None or s is None or tq is None:
        reason = lag_reason(True)
        warns.append(reason)
        effects.append(("lagged", other, pid, None, None, None, None, missing_text(reason), None))
    else:
        ci = (est - tq * s, est + tq * s)
        exc = _tri(int(ex[1]))
        text = text_cross(est, ci, words_other, "you", exc, solo=True) if words else ""
        effects.append(("lagged", other, pid, est, s, ci, exc, text, None))
    est, s = _f(res["inertia"][k]), _f(res["inertia_se"][k])
    if est is None or s is None or tq is None:
        reason = lag_reason(False)
        warns.append(reason)
        effects.append(("inertia", pid, pid, None, None, None, None, missing_text(reason), None))
    else:
        ci = (est - tq * s, est + tq * s)
        text = text_inertia(est, ci, "you") if words else ""
        effects.append(("inertia", pid, pid, est, s, ci, None, text, None))
    return effects, list(dict.fromkeys(warns))


def _window_effects(res: Cols, k: int, pid: str, other: str, words: bool = True) -> list[EffectRow]:
    return _solo_effects(res, k, pid, other, words)[0]


def iter_solo_records(
    own: NDArray[Any],
    perceived: NDArray[Any],
    *,
    ids: Sequence[str],
    other_labels: Sequence[str],
    start: date | None = None,
    method: str = "corrected",
    window: int | None = None,
    step: int | None = None,
    chance: bool = True,
    seed: int = 0,
    chunk: int = CHUNK_PAIRS,
    window_words: bool = True,
) -> RecordStream:
    """:func:`fit_solo` as a stream of records (see
    :func:`~dynamics.coupling.pairs.iter_pair_records`, also for ``window_words``)."""
    check_method(method)
    o = np.asarray(own, dtype=np.float64)
    pc = np.asarray(perceived, dtype=np.float64)
    if o.ndim != 2 or o.shape != pc.shape:
        raise ValueError(f"own and perceived must both be (N, T); got {o.shape} and {pc.shape}")
    if o.shape[1] < 2:
        raise ValueError("own/perceived need at least 2 days")
    o = np.where(np.isinf(o), np.nan, o)
    pc = np.where(np.isinf(pc), np.nan, pc)
    validate_batch(o.shape[0], ids=ids, other_labels=other_labels)
    plan = WindowPlan.make(np.stack([o, pc], axis=2), start, window, step)
    full = _solo_block(o, pc, method, chance, (seed, 0))
    wins = []
    for w_i, s0 in enumerate(plan.starts):
        assert window is not None
        sl = slice(s0, s0 + window)
        wins.append(_solo_block(o[:, sl], pc[:, sl], method, chance, (seed, 1 + w_i)))

    def records(lo: int, hi: int) -> Iterator[PairRecord]:
        return _records(full, wins, plan, ids, other_labels, lo, hi, window_words)

    return RecordStream(o.shape[0], chunk, records)


def _records(
    full: Arrays,
    wins: list[Arrays],
    plan: WindowPlan,
    ids: Sequence[str],
    other_labels: Sequence[str],
    lo: int,
    hi: int,
    window_words: bool = True,
) -> Iterator[PairRecord]:
    res = _as_lists(full, lo, hi)
    wres = [_as_lists(w, lo, hi) for w in wins]
    for k in range(len(res["n_obs"])):
        pid, other = str(ids[lo + k]), str(other_labels[lo + k])
        effects, warns = _solo_effects(res, k, pid, other)
        in_window = functools.partial(_window_effects, pid=pid, other=other, words=window_words)
        windows, changes = plan.of_row(k, wres, in_window, ("lagged", "concurrent"), offset=lo)
        n_obs = res["n_obs"][k]
        yield PairRecord(
            pid, (pid, other), {pid: int(n_obs[0]), other: int(n_obs[1])}, int(res["n_lag"][k]),
            effects, warns, windows, changes,
        )  # fmt: skip


def fit_solo(
    own: NDArray[Any],
    perceived: NDArray[Any],
    *,
    ids: Sequence[str],
    other_labels: Sequence[str],
    start: date | None = None,
    method: str = "corrected",
    window: int | None = None,
    step: int | None = None,
    chance: bool = True,
    seed: int = 0,
) -> list[PairResult]:
    """One participant's own mood against how they perceive the other's, per row.

    ``own`` and ``perceived`` are ``(N, T)`` (NaN = missing, day 0 = ``start``).
    Effects: ``concurrent`` (within-person slope of own on perceived, same day, with
    its correlation), ``lagged`` (perceived yesterday → own today, controlling own
    yesterday) and ``inertia`` (own yesterday → own today; Kendall-corrected when
    ``method="corrected"``). ``exceeds_chance`` of concurrent and lagged comes from
    circular shifts of perceived against own. Result ``persons`` = (id, other label).
    """
    records = iter_solo_records(
        own, perceived, ids=ids, other_labels=other_labels, start=start, method=method,
        window=window, step=step, chance=chance, seed=seed,
    )  # fmt: skip
    with gc_paused():
        return [PairResult.from_record(r) for r in records]
