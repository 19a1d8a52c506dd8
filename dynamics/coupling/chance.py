"""The chance level: is an effect larger than what people who are not linked show?

Decisions are made on the standardised scale, |estimate / se| against the 95th
percentile of the same statistic in a null distribution (see ``dynamics/README.md``,
"Exceeds chance"):

* batches of ≥ :data:`MIN_PSEUDO_BATCH` pairs: **pseudo-pairs** (person a of one pair
  with person b of another, aligned by day index) — one threshold for the batch;
* smaller batches, and solo participants: **time-shifted surrogates** (the second
  series circularly shifted against the first), a threshold per row and direction.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
from numpy.typing import NDArray

from .var1 import CHUNK_PAIRS, Arrays, FloatArray, fit_var

__all__ = [
    "MAX_SURROGATES",
    "MIN_PSEUDO_BATCH",
    "MIN_PSEUDO_DRAWS",
    "MIN_SHIFT",
    "MIN_SURROGATES",
    "N_PSEUDO_PAIRS",
    "chance_thresholds",
    "cross_t",
    "exceeds",
    "shifted_thresholds",
]

#: A batch with at least this many pairs gets its chance level from pseudo-pairs.
MIN_PSEUDO_BATCH = 20
#: Number of pseudo-pairs fitted per batch (each gives two cross-lagged null draws).
N_PSEUDO_PAIRS = 400
#: Pseudo-pair null draws needed before that null is trusted (else surrogates).
MIN_PSEUDO_DRAWS = 100
#: Time-shifted surrogates shift b against a circularly by at least this many days.
MIN_SHIFT = 7
#: At most this many surrogate shifts per pair (or per solo participant).
MAX_SURROGATES = 99
#: At least this many usable surrogates for a 95th percentile to mean anything.
MIN_SURROGATES = 19

#: |t| of a batch of rows, columns = the two effects tested: (first (N, T), second (N, T)) -> (N, 2).
TStat = Callable[[FloatArray, FloatArray], FloatArray]


def cross_t(res: Arrays) -> FloatArray:
    """|t| of the cross-lagged effects, columns (a→b, b→a); NaN where not estimated."""
    coef, se = res["coef"], res["se"]
    with np.errstate(invalid="ignore", divide="ignore"):
        out: FloatArray = np.abs(np.stack([coef[:, 1, 0] / se[:, 1, 0], coef[:, 0, 1] / se[:, 0, 1]], axis=1))
    return out


def _null_95(tv: FloatArray) -> FloatArray:
    """95th percentile over axis 1 of (Q, S, 2) null |t| values, ignoring NaN;
    NaN where fewer than MIN_SURROGATES draws are finite."""
    finite = np.isfinite(tv)
    enough = finite.sum(axis=1) >= MIN_SURROGATES
    filled = np.where(finite | ~enough[:, None, :], np.where(finite, tv, 0.0), np.nan)
    thr = np.nanpercentile(filled, 95, axis=1)
    return np.where(enough, thr, np.nan)


def _shifts(t_len: int, rng: np.random.Generator) -> NDArray[np.int64]:
    """Circular shifts of at least MIN_SHIFT days either way, at most MAX_SURROGATES."""
    cand = np.arange(MIN_SHIFT, t_len - MIN_SHIFT + 1)
    if cand.size > MAX_SURROGATES:
        cand = np.sort(rng.choice(cand, size=MAX_SURROGATES, replace=False))
    return cand.astype(np.int64)


def shifted_thresholds(first: FloatArray, second: FloatArray, tstat: TStat, rng: np.random.Generator) -> FloatArray:
    """Per row and effect: the 95th percentile of |t| with ``second`` circularly shifted
    against ``first`` (both (N, T)); NaN where too few surrogates are usable."""
    p, t_len = first.shape
    out = np.full((p, 2), np.nan)
    shifts = _shifts(t_len, rng)
    s = shifts.size
    if s < MIN_SURROGATES or p == 0:
        return out
    idx = (np.arange(t_len)[None, :] - shifts[:, None]) % t_len  # (S, T)
    per = max(1, CHUNK_PAIRS // s)
    for lo in range(0, p, per):
        aa, bb = first[lo : lo + per], second[lo : lo + per]
        q = aa.shape[0]
        sa = np.broadcast_to(aa[:, None, :], (q, s, t_len)).reshape(q * s, t_len)
        sb = bb[:, idx].reshape(q * s, t_len)
        out[lo : lo + q] = _null_95(tstat(sa, sb).reshape(q, s, 2))
    return out


def _pair_tstat(method: str) -> TStat:
    def tstat(a: FloatArray, b: FloatArray) -> FloatArray:
        return cross_t(fit_var(np.stack([a, b], axis=2), method))

    return tstat


def _pseudo_threshold(y: FloatArray, method: str, rng: np.random.Generator) -> float:
    """95th percentile of |t| of cross-lagged effects in pseudo-pairs (a of one pair,
    b of another, aligned by day index); NaN if too few pseudo-pairs can be fitted."""
    p = y.shape[0]
    i = rng.integers(0, p, size=N_PSEUDO_PAIRS)
    j = rng.integers(0, p - 1, size=N_PSEUDO_PAIRS)
    j = j + (j >= i)
    tv = _pair_tstat(method)(y[i, :, 0], y[j, :, 1]).ravel()
    tv = tv[np.isfinite(tv)]
    if tv.size < MIN_PSEUDO_DRAWS:
        return math.nan
    return float(np.percentile(tv, 95))


def chance_thresholds(y: FloatArray, method: str, rng: np.random.Generator) -> FloatArray:
    """(P, 2) |t| thresholds for (a→b, b→a): pseudo-pairs in big batches, else surrogates."""
    p = y.shape[0]
    if p >= MIN_PSEUDO_BATCH:
        thr = _pseudo_threshold(y, method, rng)
        if math.isfinite(thr):
            return np.full((p, 2), thr)
    return shifted_thresholds(y[:, :, 0], y[:, :, 1], _pair_tstat(method), rng)


def exceeds(tv: FloatArray, thr: FloatArray) -> NDArray[np.int8]:
    """1 / 0 where decidable, −1 where unknown (no estimate or no chance level)."""
    known = np.isfinite(tv) & np.isfinite(thr)
    return np.where(known, (tv > thr).astype(np.int8), np.int8(-1)).astype(np.int8)
