"""Classical-test-theory reliability for questionnaire scales.

All functions take an ``items`` matrix shaped ``n_respondents × k_items`` (anything
``numpy.asarray`` accepts). Rows containing any NaN are dropped listwise before any
computation. Reverse-keyed items must already be reversed by the caller.

References: Cronbach (1951) for coefficient alpha; Jacobson & Truax (1991) for the
reliable change index.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = [
    "ScaleReliability",
    "alpha_confidence_interval",
    "corrected_item_total",
    "cronbach_alpha",
    "reliability_report",
    "reliable_change_index",
    "reliable_change_threshold",
]

FloatArray = NDArray[np.float64]

# Bootstrap draws are processed in chunks holding at most this many resampled
# respondent slots (chunk_size × n), which bounds memory for large samples.
_BOOT_CHUNK_ELEMENTS = 1 << 22


def _clean_items(items: ArrayLike) -> FloatArray:
    """Return ``items`` as a 2-D float array with NaN rows dropped; validate n, k ≥ 2."""
    x = np.asarray(items, dtype=np.float64)
    if x.ndim != 2:
        raise ValueError(f"items must be a 2-D array (n_respondents × k_items); got {x.ndim} dimension(s)")
    x = x[~np.isnan(x).any(axis=1)]
    n, k = x.shape
    if k < 2:
        raise ValueError(f"need at least 2 items (columns) to assess reliability; got k={k}")
    if n < 2:
        raise ValueError(f"need at least 2 complete respondents (rows without NaN); got n={n}")
    return x


def _alpha_of_clean(x: FloatArray) -> float:
    """Cronbach's alpha of an already-cleaned matrix."""
    k = x.shape[1]
    total = x.sum(axis=1)
    if np.ptp(total) == 0:
        return math.nan
    item_var = x.var(axis=0, ddof=1).sum()
    total_var = total.var(ddof=1)
    return float(k / (k - 1) * (1.0 - item_var / total_var))


def cronbach_alpha(items: ArrayLike) -> float:
    """Cronbach's coefficient alpha of an ``n × k`` item matrix.

    ``alpha = k/(k-1) · (1 - Σ var(item_j) / var(total))`` with sample variances
    (ddof=1). Rows with any NaN are dropped. Returns NaN if the total score has zero
    variance. Raises ``ValueError`` unless there are ≥ 2 items and ≥ 2 complete rows.
    """
    return _alpha_of_clean(_clean_items(items))


def _bootstrap_alphas(x: FloatArray, n_boot: int, rng: np.random.Generator) -> FloatArray:
    """Alphas of ``n_boot`` resamples of the rows of ``x``, computed with array ops.

    Each resample is drawn as a row of an ``(n_boot, n)`` index array and turned into
    per-respondent counts ``w``; the resampled item and total variances then follow
    from the weighted moments ``w @ z`` and ``w @ z²`` (on column-centred data, to
    keep cancellation small). Only the chunking for memory is a Python loop.
    """
    n, k = x.shape
    centred = x - x.mean(axis=0)
    z = np.column_stack([centred, centred.sum(axis=1)])  # k items, then the total
    z2 = z * z
    # Degenerate resamples (e.g. one respondent drawn n times) have ~0 total variance.
    tiny = 1e-12 * max(float(z[:, k].var(ddof=1)), np.finfo(np.float64).tiny)

    chunk = max(1, min(n_boot, _BOOT_CHUNK_ELEMENTS // n))
    out = np.empty(n_boot, dtype=np.float64)
    for start in range(0, n_boot, chunk):
        b = min(chunk, n_boot - start)
        idx = rng.integers(0, n, size=(b, n))
        flat = (idx + n * np.arange(b)[:, None]).ravel()
        counts = np.bincount(flat, minlength=b * n).reshape(b, n).astype(np.float64)
        s1 = counts @ z
        s2 = counts @ z2
        var = (s2 - s1 * s1 / n) / (n - 1)
        item_var = var[:, :k].sum(axis=1)
        total_var = var[:, k]
        with np.errstate(divide="ignore", invalid="ignore"):
            alphas = k / (k - 1) * (1.0 - item_var / total_var)
        out[start : start + b] = np.where(total_var > tiny, alphas, np.nan)
    return out


def alpha_confidence_interval(
    items: ArrayLike,
    *,
    level: float = 0.95,
    n_boot: int = 2000,
    seed: int | None = 0,
) -> tuple[float, float]:
    """Percentile-bootstrap confidence interval for Cronbach's alpha.

    Respondents (complete rows) are resampled with replacement ``n_boot`` times; the
    interval is the ``(1-level)/2`` and ``(1+level)/2`` quantiles of the bootstrap
    alphas (degenerate resamples with zero total variance are ignored). The same
    ``seed`` gives the same interval; ``seed=None`` draws fresh entropy.
    """
    if not 0.0 < level < 1.0:
        raise ValueError(f"level must lie strictly between 0 and 1; got {level}")
    if n_boot < 1:
        raise ValueError(f"n_boot must be at least 1; got {n_boot}")
    x = _clean_items(items)
    alphas = _bootstrap_alphas(x, int(n_boot), np.random.default_rng(seed))
    if np.isnan(alphas).all():
        return (math.nan, math.nan)
    tail = (1.0 - level) / 2.0
    lo, hi = np.nanquantile(alphas, [tail, 1.0 - tail])
    return (float(lo), float(hi))


def corrected_item_total(items: ArrayLike) -> FloatArray:
    """Corrected item–total correlations: each item against the sum of the *other* items.

    Returns a length-``k`` float array of Pearson correlations; an entry is NaN when
    the item or its rest-score has zero variance. Rows with any NaN are dropped.
    """
    x = _clean_items(items)
    rest = x.sum(axis=1, keepdims=True) - x  # column j: total without item j
    xc = x - x.mean(axis=0)
    rc = rest - rest.mean(axis=0)
    cov = (xc * rc).sum(axis=0)
    ss_x = (xc * xc).sum(axis=0)
    ss_r = (rc * rc).sum(axis=0)
    denom = np.sqrt(ss_x * ss_r)
    defined = (np.ptp(x, axis=0) > 0) & (np.ptp(rest, axis=0) > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        r = cov / denom
    r = np.where(defined, np.clip(r, -1.0, 1.0), np.nan)
    return np.asarray(r, dtype=np.float64)


def _s_diff(sd: float, reliability: float) -> float:
    """Standard error of the difference between two scores (Jacobson–Truax)."""
    if not sd >= 0:  # also rejects NaN
        raise ValueError(f"sd must be a non-negative number; got {sd}")
    if not 0.0 <= reliability <= 1.0:  # also rejects NaN
        raise ValueError(f"reliability must lie in [0, 1]; got {reliability}")
    sem = sd * math.sqrt(1.0 - reliability)
    return math.sqrt(2.0) * sem


def reliable_change_threshold(sd: float, reliability: float, z: float = 1.96) -> float:
    """Smallest change that counts as reliable (Jacobson & Truax, 1991).

    ``SEM = sd·√(1-r)``, ``S_diff = √2·SEM``, threshold ``= z·S_diff``, in the units
    of ``sd``. Raises ``ValueError`` for ``sd < 0`` or ``reliability`` outside [0, 1].
    """
    return z * _s_diff(sd, reliability)


def reliable_change_index(before: float, after: float, sd: float, reliability: float) -> float:
    """Jacobson–Truax reliable change index ``(after - before) / S_diff``.

    ``|RCI| > 1.96`` marks a change reliable at the 5% level. Raises ``ValueError``
    for bad ``sd``/``reliability`` or when ``S_diff`` is zero (sd = 0 or r = 1).
    """
    s_diff = _s_diff(sd, reliability)
    if s_diff == 0:
        raise ValueError("S_diff is zero (sd = 0 or reliability = 1); the RCI is undefined")
    return (after - before) / s_diff


@dataclass(frozen=True)
class ScaleReliability:
    """Reliability summary of one scale.

    ``sd`` is the sample SD of the scale score as the instrument scores it (sum or
    mean of its items) and ``reliable_change`` is the Jacobson–Truax threshold in the
    same units, using ``alpha`` as the reliability (NaN if alpha is NaN or negative).
    """

    name: str
    n: int
    k: int
    alpha: float
    ci95: tuple[float, float]
    item_total: tuple[float, ...]
    sd: float
    reliable_change: float


_METHODS = ("sum", "mean")


def reliability_report(
    items: ArrayLike,
    scales: dict[str, list[int]],
    *,
    method: dict[str, str] | None = None,
    n_boot: int = 2000,
    seed: int | None = 0,
) -> dict[str, ScaleReliability]:
    """Reliability of several scales of one questionnaire.

    ``scales`` maps a scale name to the column indices of its (already reverse-keyed)
    items. ``method[name]`` is ``"sum"`` (default) or ``"mean"`` and fixes how the
    scale score — hence ``sd`` and ``reliable_change`` — is computed. Missing data
    are dropped listwise per scale, so ``n`` can differ between scales.
    """
    x = np.asarray(items, dtype=np.float64)
    if x.ndim != 2:
        raise ValueError(f"items must be a 2-D array (n_respondents × k_items); got {x.ndim} dimension(s)")
    method = dict(method or {})
    unknown = sorted(set(method) - set(scales))
    if unknown:
        raise ValueError(f"method names scales that are not in scales: {unknown}")

    report: dict[str, ScaleReliability] = {}
    for name, columns in scales.items():
        how = method.get(name, "sum")
        if how not in _METHODS:
            raise ValueError(f"method for scale {name!r} must be 'sum' or 'mean'; got {how!r}")
        cols = list(columns)
        if len(set(cols)) != len(cols):
            raise ValueError(f"scale {name!r} lists a column more than once: {cols}")
        bad = [c for c in cols if not -x.shape[1] <= c < x.shape[1]]
        if bad:
            raise ValueError(f"scale {name!r} refers to columns {bad}, but items has {x.shape[1]} columns")
        sub = _clean_items(x[:, cols])
        n, k = sub.shape
        alpha = _alpha_of_clean(sub)
        score = sub.sum(axis=1) if how == "sum" else sub.mean(axis=1)
        sd = float(score.std(ddof=1))
        threshold = math.nan if math.isnan(alpha) or alpha < 0 else reliable_change_threshold(sd, min(alpha, 1.0))
        ci = alpha_confidence_interval(sub, level=0.95, n_boot=n_boot, seed=seed)
        report[name] = ScaleReliability(
            name=name,
            n=int(n),
            k=int(k),
            alpha=alpha,
            ci95=ci,
            item_total=tuple(float(v) for v in corrected_item_total(sub)),
            sd=sd,
            reliable_change=threshold,
        )
    return report
