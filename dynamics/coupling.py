"""How strongly one person's daily mood follows another's — with an honest error bar.

The model is a bivariate VAR(1) on person-mean-centred daily series (the lagged
actor–partner interdependence model of dyadic diary research). For a pair (a, b)::

    y_t = c + A y_{t-1} + u_t,     y_t = (a_t, b_t) minus each person's own mean

``A[i, j]`` is the effect of person ``j`` yesterday on person ``i`` today: ``A[0, 0]``
and ``A[1, 1]`` are inertia (mood carrying over), ``A[1, 0]`` is the cross-lagged
effect a → b and ``A[0, 1]`` is b → a. Synchrony is the correlation of the two
persons' same-day residuals ``u_t``.

Rules that matter for honesty (see ``dynamics/README.md`` for the long version):

* **Missing days are never filled in.** A row of the regression is a *valid lag
  pair*: day t and day t−1 both observed for both persons. A gap (missing day,
  or an unequal spacing between check-ins) therefore simply yields no lag pair.
* **Centring** subtracts each person's mean over the days they were observed.
* ``method="ols"`` reproduces statsmodels ``VAR(data).fit(1)`` (trend "c") exactly:
  ``sigma_u = U'U/(n - k)`` with k = 3, ``se = sqrt(diag(kron(sigma_u, inv(X'X))))``.
* ``method="corrected"`` (default) removes the short-series (Nickell/Kendall)
  bias of the autoregression with the analytic Nicholls–Pope (1988) / Pope (1990)
  approximation, iterated once, with Kilian's (1998) stationarity adjustment.
  Standard errors and synchrony stay the OLS ones.
* Fewer than :data:`MIN_LAG_PAIRS` valid lag pairs, or a constant series, gives a
  warning and *no numbers* (``None``) for the effects it affects.

Everything numerical is vectorised over pairs: the hot path works on arrays shaped
``(P, T, 2)`` in chunks of :data:`CHUNK_PAIRS` pairs, with batched 2 × 2 algebra.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy import stats

__all__ = [
    "CHUNK_PAIRS",
    "MIN_LAG_PAIRS",
    "MIN_PSEUDO_BATCH",
    "MIN_SHIFT",
    "Effect",
    "PairResult",
    "Window",
    "fit_pairs",
    "fit_solo",
    "fit_var1_arrays",
]

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]

#: Fewer valid lag pairs than this and no effect is reported (df would be < 11).
MIN_LAG_PAIRS = 14
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
#: Pairs fitted at once: bounds the working memory (100,000 pairs × 90 days peak at
#: ≈ 0.2 GB over the input, measured with tracemalloc) and keeps arrays cache-friendly.
CHUNK_PAIRS = 2048
#: A person whose centred sum of squares on the usable days is below this × n is
#: treated as constant (no variation to learn from); values are mood points.
CONSTANT_TOL = 1e-10
#: |correlation| of the two lagged series above 1 − this: the effects can't be told apart.
COLLINEAR_TOL = 1e-8

_METHODS = ("ols", "corrected")
_Z975 = 1.959963984540054
_YOU = {"you", "me", "i", "yourself", "myself"}


# --------------------------------------------------------------------------- results


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

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
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

    def as_json(self) -> dict[str, Any]:
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
    change: dict[str, Any] | None = None

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
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


# --------------------------------------------------------------------------- numerics


def _t975(df: FloatArray) -> FloatArray:
    """Two-sided 95 % Student-t quantile; NaN where df ≤ 0."""
    df = np.asarray(df, dtype=np.float64)
    out = np.full(df.shape, np.nan)
    good = df > 0
    out[good] = stats.t.ppf(0.975, df[good])
    return out


def _inv2(m: FloatArray) -> FloatArray:
    """Inverse of a stack of 2 × 2 matrices (closed form; caller ensures det ≠ 0)."""
    a, b, c, d = m[..., 0, 0], m[..., 0, 1], m[..., 1, 0], m[..., 1, 1]
    det = a * d - b * c
    out = np.empty_like(m)
    out[..., 0, 0] = d / det
    out[..., 0, 1] = -b / det
    out[..., 1, 0] = -c / det
    out[..., 1, 1] = a / det
    return out


def _dot(u: FloatArray, v: FloatArray) -> FloatArray:
    """Row-wise inner products of two (P, N) arrays, without temporaries."""
    return np.einsum("pn,pn->p", u, v)


def _lag_ls(x: FloatArray, yv: FloatArray, w: BoolArray, shift: FloatArray | None = None) -> dict[str, np.ndarray]:
    """Batched OLS of each column of ``yv`` on ``[1, x]`` over the rows where ``w``.

    ``x`` is ``(P, N, 2)``, ``yv`` ``(P, N, m)``, ``w`` ``(P, N)``. Values outside
    ``w`` are ignored (they may be NaN). A regressor with no variation on the used
    rows is dropped (its coefficient is 0 and it is flagged in ``deg_x``); two
    regressors that are collinear are flagged in ``collinear`` (both dropped).
    Returns slopes ``B`` ``(P, 2, m)`` [regressor, equation], the intercepts, the
    residual cross-products ``ssr``, the diagonal of the slope block of
    ``inv(X'X)``, ``n`` and ``df`` (n minus the parameters actually estimated).

    Speed: one pass builds ``Z = [1, x, y]`` masked by ``w`` as ``(P, 2+m+1, N)``,
    one batched matmul gives every pair's Gram matrix ``Z Zᵀ``, and everything
    after that works on tiny ``(P, k, k)`` arrays — residual sums of squares come
    from the Gram matrix, never from residual series.
    """
    p, n_rows, m = yv.shape
    k = 3 + m
    z = np.zeros((p, k, n_rows))
    z[:, 0, :] = w
    # ``shift`` (P, 2) is subtracted on the way in: person-mean centring in the same pass.
    sx = np.zeros((p, 2)) if shift is None else shift
    sy = np.zeros((p, m)) if shift is None else shift
    for c in range(2):
        np.subtract(x[:, :, c], sx[:, c, None], out=z[:, 1 + c, :], where=w)
    for c in range(m):
        np.subtract(yv[:, :, c], sy[:, c, None], out=z[:, 3 + c, :], where=w)
    return _ls_from_gram(z @ z.transpose(0, 2, 1), m)


def _ls_from_gram(g: FloatArray, m: int) -> dict[str, np.ndarray]:
    """The least-squares fit from each pair's Gram matrix of ``[1, x0, x1, y…]``."""
    n = g[:, 0, 0]
    nn = np.maximum(n, 1.0)
    xm = g[:, 0, 1:3] / nn[:, None]
    ym = g[:, 0, 3:] / nn[:, None]
    cxx = g[:, 1:3, 1:3] - n[:, None, None] * xm[:, :, None] * xm[:, None, :]
    cxy = g[:, 1:3, 3:] - n[:, None, None] * xm[:, :, None] * ym[:, None, :]
    cyy = g[:, 3:, 3:] - n[:, None, None] * ym[:, :, None] * ym[:, None, :]
    syy = np.einsum("pii->pi", cyy)
    tol = CONSTANT_TOL * nn[:, None]
    sxx = np.stack([cxx[:, 0, 0], cxx[:, 1, 1]], axis=1)
    deg_x = sxx <= tol
    deg_y = syy <= tol
    det = cxx[:, 0, 0] * cxx[:, 1, 1] - cxx[:, 0, 1] ** 2
    collinear = ~deg_x.any(axis=1) & (det <= COLLINEAR_TOL * cxx[:, 0, 0] * cxx[:, 1, 1])
    drop = deg_x | collinear[:, None]
    keep = (~drop).astype(np.float64)
    safe = cxx * keep[:, :, None] * keep[:, None, :]
    safe[:, 0, 0] += drop[:, 0]
    safe[:, 1, 1] += drop[:, 1]
    cinv = _inv2(safe)
    b = cinv @ (cxy * keep[:, :, None])
    bt_cxy = b.transpose(0, 2, 1) @ cxy
    ssr = cyy - bt_cxy - bt_cxy.transpose(0, 2, 1) + b.transpose(0, 2, 1) @ cxx @ b
    intercept = ym - np.einsum("pk,pkm->pm", xm, b)
    df = n - 1.0 - keep.sum(axis=1)
    return {
        "b": b,
        "intercept": intercept,
        "ssr": ssr,
        "cinv_diag": np.stack([cinv[:, 0, 0], cinv[:, 1, 1]], axis=1),
        "n": n,
        "df": df,
        "xm": xm,
        "ym": ym,
        "deg_x": deg_x,
        "deg_y": deg_y,
        "collinear": collinear,
    }


def _centre(y: FloatArray) -> tuple[FloatArray, BoolArray, FloatArray]:
    """Person-mean centring over the observed days; returns (centred, observed, n_obs)."""
    obs = np.isfinite(y)
    n_obs = obs.sum(axis=1).astype(np.float64)
    mean = np.where(obs, y, 0.0).sum(axis=1) / np.maximum(n_obs, 1.0)
    return np.where(obs, y - mean[:, None, :], np.nan), obs, n_obs


def _spectral_radius(a: FloatArray) -> FloatArray:
    """Largest |eigenvalue| of a stack of 2 × 2 real matrices (closed form)."""
    tr = a[:, 0, 0] + a[:, 1, 1]
    det = a[:, 0, 0] * a[:, 1, 1] - a[:, 0, 1] * a[:, 1, 0]
    disc = tr * tr / 4.0 - det
    root = np.sqrt(np.abs(disc))
    real = np.maximum(np.abs(tr / 2.0 + root), np.abs(tr / 2.0 - root))
    return np.where(disc >= 0, real, np.sqrt(np.abs(det)))


def _pope_b(a: FloatArray, sigma: FloatArray) -> FloatArray:
    """Nicholls–Pope/Pope bias term ``b`` of the VAR(1) OLS estimate: E[Â] − A ≈ −b/n.

    ``b = Σ_u [(I − Aᵀ)⁻¹ + Aᵀ(I − Aᵀ²)⁻¹ + Σ_λ λ (I − λAᵀ)⁻¹] Γ₀⁻¹`` with Γ₀ solving
    Γ₀ = AΓ₀Aᵀ + Σ_u. ``a`` must be stationary. In one dimension this is Kendall's
    1 + 3ρ.
    """
    q = a.shape[0]
    eye = np.eye(2)
    at = a.transpose(0, 2, 1)
    kron = np.einsum("qij,qkl->qikjl", a, a).reshape(q, 4, 4)
    gamma0 = np.linalg.solve(np.eye(4) - kron, sigma.reshape(q, 4, 1)).reshape(q, 2, 2)
    # eigenvalues of 2 × 2 matrices in closed form (complex when the discriminant is negative)
    tr = a[:, 0, 0] + a[:, 1, 1]
    det = a[:, 0, 0] * a[:, 1, 1] - a[:, 0, 1] * a[:, 1, 0]
    root = np.sqrt((tr * tr / 4.0 - det).astype(np.complex128))
    lam = np.stack([tr / 2.0 + root, tr / 2.0 - root], axis=1)  # (q, 2) complex
    m = eye[None, None] - lam[:, :, None, None] * at[:, None].astype(np.complex128)
    lam_sum = (lam[:, :, None, None] * _inv2(m)).sum(axis=1).real
    term = _inv2(eye - at) + at @ _inv2(eye - at @ at) + lam_sum
    return sigma @ term @ _inv2(gamma0)


def _kilian(a_hat: FloatArray, corr: FloatArray) -> FloatArray:
    """``a_hat + δ·corr`` with the largest δ ∈ {1, 0.99, …, 0} keeping it stationary.

    Kilian (1998): no correction at all if ``a_hat`` itself is not stationary.
    """
    out = a_hat.copy()
    can = _spectral_radius(a_hat) < 1.0
    delta = np.where(can, 1.0, 0.0)
    cand = a_hat + delta[:, None, None] * corr
    bad = can & (_spectral_radius(cand) >= 1.0)
    for _ in range(100):
        if not bad.any():
            break
        delta[bad] = np.round(delta[bad] - 0.01, 2)
        idx = np.flatnonzero(bad)
        trial = a_hat[idx] + delta[idx, None, None] * corr[idx]
        bad[idx] = (_spectral_radius(trial) >= 1.0) & (delta[idx] > 0)
    out = a_hat + np.maximum(delta, 0.0)[:, None, None] * corr
    return out


def _bias_correct(a: FloatArray, sigma: FloatArray, n: FloatArray, full: BoolArray, partial: BoolArray) -> FloatArray:
    """Bias-corrected A for the ``full`` pairs (Pope, iterated once, Kilian-adjusted)
    and Kendall-corrected inertia for the ``partial`` pairs (one person constant)."""
    out = a.copy()
    idx = np.flatnonzero(full)
    if idx.size:
        a0, s0, n0 = a[idx], sigma[idx], n[idx][:, None, None]
        stat = _spectral_radius(a0) < 1.0
        a1 = a0.copy()
        if stat.any():
            a1[stat] = _kilian(a0[stat], _pope_b(a0[stat], s0[stat]) / n0[stat])
            # iterate once: evaluate the bias at the first-round corrected estimate
            a1[stat] = _kilian(a0[stat], _pope_b(a1[stat], s0[stat]) / n0[stat])
        out[idx] = a1
    idx = np.flatnonzero(partial)
    if idx.size:
        # Only the non-constant person's inertia is estimated: A is diag(0, ρ) up to
        # ordering, and Pope's b reduces to Kendall's 1 + 3ρ for that element.
        a0 = np.where(np.isfinite(a[idx]), a[idx], 0.0)
        diag = np.zeros_like(a0)
        diag[:, 0, 0] = a0[:, 0, 0]
        diag[:, 1, 1] = a0[:, 1, 1]
        corr = np.zeros_like(a0)
        fin = np.isfinite(a[idx])
        corr[:, 0, 0] = np.where(fin[:, 0, 0], 1 + 3 * a0[:, 0, 0], 0.0)
        corr[:, 1, 1] = np.where(fin[:, 1, 1], 1 + 3 * a0[:, 1, 1], 0.0)
        corr /= n[idx][:, None, None]
        fixed = _kilian(diag, corr)
        sub = a[idx].copy()
        sub[:, 0, 0] = np.where(np.isfinite(sub[:, 0, 0]), fixed[:, 0, 0], np.nan)
        sub[:, 1, 1] = np.where(np.isfinite(sub[:, 1, 1]), fixed[:, 1, 1], np.nan)
        out[idx] = sub
    return out


def _kendall_1d(rho: FloatArray, n: FloatArray) -> FloatArray:
    """Kendall-corrected AR(1) coefficient ρ + (1 + 3ρ)/n, Kilian-adjusted."""
    a = np.zeros((rho.shape[0], 2, 2))
    a[:, 0, 0] = np.where(np.isfinite(rho), rho, 0.0)
    corr = np.zeros_like(a)
    corr[:, 0, 0] = (1.0 + 3.0 * a[:, 0, 0]) / np.maximum(n, 1.0)
    fixed = _kilian(a, corr)[:, 0, 0]
    return np.where(np.isfinite(rho), fixed, np.nan)


def _var_chunk(y: FloatArray, method: str) -> dict[str, np.ndarray]:
    """The VAR(1) fit of one chunk of pairs; see :func:`fit_var1_arrays`."""
    p, t_len = y.shape[0], y.shape[1]
    yt = np.ascontiguousarray(y.transpose(0, 2, 1))  # (P, 2, T): each person's days contiguous
    obs = np.isfinite(yt)
    n_obs = np.count_nonzero(obs, axis=2).astype(np.float64)
    mean = np.where(obs, yt, 0.0).sum(axis=2) / np.maximum(n_obs, 1.0)
    both = obs[:, 0] & obs[:, 1]
    valid = both[:, 1:] & both[:, :-1]
    # Z = [1, a(t−1), b(t−1), a(t), b(t)] on valid lag pairs, person-mean centred in
    # the same pass; one batched matmul gives every pair's Gram matrix.
    d = yt - mean[:, :, None]
    d[~obs] = 0.0
    z = np.empty((p, 5, t_len - 1))
    z[:, 0, :] = valid
    for c in range(2):
        np.multiply(d[:, c, :-1], z[:, 0, :], out=z[:, 1 + c, :])
        np.multiply(d[:, c, 1:], z[:, 0, :], out=z[:, 3 + c, :])
    ls = _ls_from_gram(z @ z.transpose(0, 2, 1), 2)
    n = ls["n"]
    deg = ls["deg_x"] | ls["deg_y"]
    enough = n >= MIN_LAG_PAIRS
    pair_ok = enough & ~ls["collinear"]
    full = pair_ok & ~deg.any(axis=1)
    partial = pair_ok & deg.any(axis=1) & ~deg.all(axis=1)
    cell_ok = pair_ok[:, None, None] & ~deg[:, :, None] & ~deg[:, None, :]

    df = np.where(pair_ok, ls["df"], np.nan)
    sigma = ls["ssr"] / np.where(df > 0, df, np.nan)[:, None, None]
    coef = ls["b"].transpose(0, 2, 1).copy()
    se = np.sqrt(np.stack([sigma[:, 0, 0], sigma[:, 1, 1]], axis=1)[:, :, None] * ls["cinv_diag"][:, None, :])
    coef[~cell_ok] = np.nan
    se[~cell_ok] = np.nan
    if method == "corrected":
        # The Nicholls–Pope/Kendall bias is of order 1/T. With missing days the lag
        # pairs are fewer than the days the series spans, and the bias follows the
        # days both persons were observed, not the lag pairs (checked across 30–180
        # days and 0–40 % missing in bench/recovery.py; with n = lag pairs the
        # correction overshoots).
        n_bias = np.maximum(n, np.count_nonzero(both, axis=1).astype(np.float64))
        coef = _bias_correct(coef, sigma, n_bias, full, partial)
    intercept = ls["ym"] - np.einsum("pij,pj->pi", np.where(cell_ok, coef, 0.0), ls["xm"])
    intercept[~(pair_ok[:, None] & ~deg)] = np.nan
    ssr = ls["ssr"]
    with np.errstate(invalid="ignore", divide="ignore"):
        r = ssr[:, 0, 1] / np.sqrt(ssr[:, 0, 0] * ssr[:, 1, 1])
        r = np.clip(r, -1.0, 1.0)
        half = _Z975 / np.sqrt(n - 3.0)
        z = np.arctanh(np.clip(r, -0.999999999999, 0.999999999999))
    r[~full] = np.nan
    sync_ci = np.stack([np.tanh(z - half), np.tanh(z + half)], axis=1)
    sync_ci[~full] = np.nan
    sigma = np.where(pair_ok[:, None, None], sigma, np.nan)
    return {
        "coef": coef,
        "se": se,
        "intercept": intercept,
        "sigma_u": sigma,
        "synchrony": r,
        "synchrony_ci": sync_ci,
        "n_lag": n,
        "n_obs": n_obs,
        "df": df,
        "ok": full,
        # internal extras
        "cell_ok": cell_ok,
        "deg": deg,
        "enough": enough,
        "collinear": ls["collinear"] & enough,
        "n_pairs": np.full(p, p, dtype=np.float64),
    }


_PUBLIC_KEYS = (
    "coef",
    "se",
    "intercept",
    "sigma_u",
    "synchrony",
    "synchrony_ci",
    "n_lag",
    "n_obs",
    "df",
    "ok",
)


def _check_method(method: str) -> None:
    if method not in _METHODS:
        raise ValueError(f"method must be one of {_METHODS}; got {method!r}")


def _as_pairs_array(y: Any) -> FloatArray:
    arr = np.asarray(y, dtype=np.float64)
    if arr.ndim != 3 or arr.shape[2] != 2:
        raise ValueError(f"y must be shaped (P, T, 2); got {arr.shape}")
    if arr.shape[1] < 2:
        raise ValueError("y needs at least 2 days")
    return arr  # ±inf counts as missing: every use goes through np.isfinite


def _fit_var(y: FloatArray, method: str) -> dict[str, np.ndarray]:
    """Chunked :func:`_var_chunk` over all pairs (internal keys included)."""
    parts = [_var_chunk(y[i : i + CHUNK_PAIRS], method) for i in range(0, y.shape[0], CHUNK_PAIRS)]
    if not parts:
        return _var_chunk(np.full((0, y.shape[1], 2), np.nan), method)
    return {k: np.concatenate([pt[k] for pt in parts]) for k in parts[0]}


def fit_var1_arrays(y: np.ndarray, *, method: str = "corrected") -> dict[str, np.ndarray]:
    """Fit the bivariate VAR(1) to every pair of ``y`` (``(P, T, 2)``, NaN = missing).

    Returns ``coef`` (P,2,2) with ``coef[p, i, j]`` = effect of person j yesterday on
    person i today, its OLS ``se`` (P,2,2), ``intercept`` (P,2), ``sigma_u`` (P,2,2),
    ``synchrony`` (P,) (residual correlation) and its Fisher-z ``synchrony_ci`` (P,2),
    ``n_lag`` (valid lag pairs), ``n_obs`` (P,2) observed days per person, ``df``
    (n_lag − 3) and ``ok`` (P,) — every number of the pair is supported. Entries
    that the data cannot support are NaN.
    """
    _check_method(method)
    res = _fit_var(_as_pairs_array(y), method)
    return {k: res[k] for k in _PUBLIC_KEYS}


# --------------------------------------------------------------------------- chance


def _cross_t(res: dict[str, np.ndarray]) -> FloatArray:
    """|t| of the cross-lagged effects, columns (a→b, b→a); NaN where not estimated."""
    coef, se = res["coef"], res["se"]
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.abs(np.stack([coef[:, 1, 0] / se[:, 1, 0], coef[:, 0, 1] / se[:, 0, 1]], axis=1))


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


def _surrogate_thresholds(y: FloatArray, method: str, rng: np.random.Generator) -> FloatArray:
    """Per pair and direction: the 95th percentile of |t| with b circularly shifted."""
    p, t_len, _ = y.shape
    out = np.full((p, 2), np.nan)
    shifts = _shifts(t_len, rng)
    s = shifts.size
    if s < MIN_SURROGATES or p == 0:
        return out
    idx = (np.arange(t_len)[None, :] - shifts[:, None]) % t_len  # (S, T)
    per = max(1, CHUNK_PAIRS // s)
    for lo in range(0, p, per):
        yy = y[lo : lo + per]
        q = yy.shape[0]
        sur = np.empty((q, s, t_len, 2))
        sur[:, :, :, 0] = yy[:, None, :, 0]
        sur[:, :, :, 1] = yy[:, idx, 1]
        tv = _cross_t(_fit_var(sur.reshape(q * s, t_len, 2), method)).reshape(q, s, 2)
        out[lo : lo + q] = _null_95(tv)
    return out


def _pseudo_threshold(y: FloatArray, method: str, rng: np.random.Generator) -> float:
    """95th percentile of |t| of cross-lagged effects in pseudo-pairs (a of one pair,
    b of another, aligned by day index); NaN if too few pseudo-pairs can be fitted."""
    p = y.shape[0]
    i = rng.integers(0, p, size=N_PSEUDO_PAIRS)
    j = rng.integers(0, p - 1, size=N_PSEUDO_PAIRS)
    j = j + (j >= i)
    pseudo = np.stack([y[i, :, 0], y[j, :, 1]], axis=2)
    tv = _cross_t(_fit_var(pseudo, method)).ravel()
    tv = tv[np.isfinite(tv)]
    if tv.size < MIN_PSEUDO_DRAWS:
        return math.nan
    return float(np.percentile(tv, 95))


def _chance_thresholds(y: FloatArray, method: str, rng: np.random.Generator) -> FloatArray:
    """(P, 2) |t| thresholds for (a→b, b→a): pseudo-pairs in big batches, else surrogates."""
    p = y.shape[0]
    if p >= MIN_PSEUDO_BATCH:
        thr = _pseudo_threshold(y, method, rng)
        if math.isfinite(thr):
            return np.full((p, 2), thr)
    return _surrogate_thresholds(y, method, rng)


def _exceeds(tv: FloatArray, thr: FloatArray) -> NDArray[np.int8]:
    """1 / 0 where decidable, −1 where unknown (no estimate or no chance level)."""
    known = np.isfinite(tv) & np.isfinite(thr)
    return np.where(known, (tv > thr).astype(np.int8), np.int8(-1)).astype(np.int8)


def _pair_block(y: FloatArray, method: str, chance: bool, seed: Sequence[int]) -> dict[str, Any]:
    res = _fit_var(y, method)
    if chance:
        thr = _chance_thresholds(y, method, np.random.default_rng(list(seed)))
    else:
        thr = np.full((y.shape[0], 2), np.nan)
    res["exceeds"] = _exceeds(_cross_t(res), thr)
    res["t975"] = _t975(res["df"])
    return res


# --------------------------------------------------------------------------- words


@functools.lru_cache(maxsize=4096)
def _is_you(label: str) -> bool:
    return label.strip().lower() in _YOU


def _subject(label: str) -> str:
    return "you" if _is_you(label) else label


@functools.lru_cache(maxsize=4096)
def _poss(label: str) -> str:
    if _is_you(label):
        return "your"
    return label + ("'" if label.endswith("s") else "'s")


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _range(lo: float, hi: float) -> str:
    return f"({lo:.2f} to {hi:.2f})"


def _chance_note(ci: tuple[float, float], exceeds: bool | None) -> str:
    if ci[0] <= 0.0 <= ci[1]:
        return " But the range includes no effect at all, so this could be chance."
    if exceeds is False:
        return " It is not larger than what people who are not linked show by chance, so treat it with caution."
    return ""


def _text_cross(b: float, ci: tuple[float, float], src: str, tgt: str, ex: bool | None, solo: bool) -> str:
    if solo:
        lead = f"On days after you saw {src} as more upset than usual (1 point lower)"
    else:
        lead = f"On days after {_subject(src)} seemed more upset than usual (1 point lower)"
    who = f"{_poss(tgt)} own mood"
    if b >= 0:
        body = f"{who} was {b:.2f} points lower the next day {_range(ci[0], ci[1])}."
    else:
        body = f"{who} was {-b:.2f} points higher the next day {_range(-ci[1], -ci[0])} — moving the opposite way."
    return f"{lead}, {body}{_chance_note(ci, ex)}"


def _text_concurrent(b: float, ci: tuple[float, float], r: float, src: str, ex: bool | None) -> str:
    lead = f"On days when you saw {src} as more upset than usual (1 point lower)"
    if b >= 0:
        body = f"your own mood was {b:.2f} points lower the same day {_range(ci[0], ci[1])}"
    else:
        body = f"your own mood was {-b:.2f} points higher the same day {_range(-ci[1], -ci[0])}"
    return f"{lead}, {body}; correlation {r:.2f}.{_chance_note(ci, ex)}"


def _text_inertia(b: float, ci: tuple[float, float], who: str) -> str:
    poss = _poss(who)
    if b >= 0:
        text = (
            f"{_cap(poss)} mood carries over from one day to the next: after a day 1 point "
            f"below usual, the next day was on average {b:.2f} points below usual too "
            f"{_range(ci[0], ci[1])}."
        )
    else:
        text = (
            f"{_cap(poss)} mood tends to swing back: after a day 1 point below usual, the "
            f"next day was on average {-b:.2f} points above usual {_range(-ci[1], -ci[0])}."
        )
    if ci[0] <= 0.0 <= ci[1]:
        text += " The range includes no carry-over at all."
    return text


def _text_sync(r: float, ci: tuple[float, float], a: str, b: str) -> str:
    pair = f"{_poss(a)} and {_poss(b)} moods"
    if r >= 0:
        text = (
            f"On the same day, {pair} tended to move together: when one was better than "
            f"usual, so was the other (correlation {r:.2f}, {ci[0]:.2f} to {ci[1]:.2f})."
        )
    else:
        text = (
            f"On the same day, {pair} tended to move in opposite directions "
            f"(correlation {r:.2f}, {ci[0]:.2f} to {ci[1]:.2f})."
        )
    if ci[0] <= 0.0 <= ci[1]:
        text += " But the range includes 0, so this could be chance."
    return text


def _missing_text(reason: str) -> str:
    return f"Not estimated: {reason}."


# --------------------------------------------------------------------------- assembly


def _f(v: float) -> float | None:
    return v if math.isfinite(v) else None


def _tri(v: int) -> bool | None:
    return None if v < 0 else bool(v)


def _as_lists(res: dict[str, Any]) -> dict[str, list[Any]]:
    """The per-pair numbers of a fitted block as Python lists (fast to assemble from)."""
    p = res["coef"].shape[0]
    return {
        "n": res["n_lag"].astype(np.int64).tolist(),
        "enough": res["enough"].tolist(),
        "collinear": res["collinear"].tolist(),
        "deg": res["deg"].tolist(),
        "coef": res["coef"].reshape(p, 4).tolist(),
        "se": res["se"].reshape(p, 4).tolist(),
        "t975": res["t975"].tolist(),
        "sync": res["synchrony"].tolist(),
        "sync_ci": res["synchrony_ci"].tolist(),
        "exceeds": res["exceeds"].tolist(),
        "n_obs": res["n_obs"].astype(np.int64).tolist(),
    }


def _pair_reasons(cols: dict[str, list[Any]], k: int, names: tuple[str, str]) -> dict[str, str]:
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
    cols: dict[str, list[Any]],
    k: int,
    persons: tuple[str, str],
    words: tuple[str, str],
) -> tuple[tuple[Effect, ...], list[str]]:
    coef, se, tq = cols["coef"][k], cols["se"][k], cols["t975"][k]
    r = cols["sync"][k]
    isfinite = math.isfinite
    reasons: dict[str, str] = {}
    if not (isfinite(r) and isfinite(tq)):
        reasons = _pair_reasons(cols, k, words)
    ex = cols["exceeds"][k]
    effects: list[Effect] = []
    for kind, i, j, e in _PAIR_CELLS:
        est, s = coef[2 * i + j], se[2 * i + j]
        if not (isfinite(est) and isfinite(s) and isfinite(tq)):
            text = _missing_text(_reason_for(reasons, (i, j)))
            effects.append(Effect(kind, persons[j], persons[i], None, None, None, None, text))
            continue
        ci = (est - tq * s, est + tq * s)
        if e < 0:
            effects.append(
                Effect(kind, persons[j], persons[i], est, s, ci, None,
                       _text_inertia(est, ci, words[i]))
            )  # fmt: skip
        else:
            exceeds = None if ex[e] < 0 else bool(ex[e])
            text = _text_cross(est, ci, words[j], words[i], exceeds, solo=False)
            effects.append(Effect(kind, persons[j], persons[i], est, s, ci, exceeds, text))
    if not isfinite(r):
        effects.append(
            Effect("synchrony", persons[0], persons[1], None, None, None, None,
                   _missing_text(_reason_for(reasons, (0, 1))))
        )  # fmt: skip
    else:
        lo, hi = cols["sync_ci"][k]
        effects.append(
            Effect(
                "synchrony", persons[0], persons[1], r, (1 - r * r) / math.sqrt(cols["n"][k] - 3.0),
                (lo, hi), None, _text_sync(r, (lo, hi), words[0], words[1]),
            )
        )  # fmt: skip
    return tuple(effects), list(dict.fromkeys(reasons.values()))


def _window_starts(t_len: int, window: int | None, step: int | None) -> list[int]:
    if window is None:
        if step is not None:
            raise ValueError("step needs window")
        return []
    if window < 3:
        raise ValueError(f"window must be at least 3 days; got {window}")
    step = window if step is None else step
    if step < 1:
        raise ValueError(f"step must be at least 1 day; got {step}")
    return list(range(0, t_len - window + 1, step))


def _observed_span(y: FloatArray) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """First and last day index with any observation, per row of (P, T, 2) (−1 when none)."""
    any_obs = np.asarray(np.isfinite(y).any(axis=2), dtype=bool)
    has = any_obs.any(axis=1)
    first = np.where(has, any_obs.argmax(axis=1), -1)
    last = np.where(has, any_obs.shape[1] - 1 - any_obs[:, ::-1].argmax(axis=1), -1)
    return first.astype(np.int64), last.astype(np.int64)


def _change(windows: Sequence[Window], kind: str) -> list[dict[str, Any]]:
    """First-vs-last-window comparison for each effect of ``kind`` (by from/to)."""
    keys: list[tuple[str, str]] = []
    for w in windows:
        for e in w.effects:
            if e.kind == kind and (e.source, e.target) not in keys:
                keys.append((e.source, e.target))
    out = []
    for src, tgt in keys:
        found = [
            e
            for w in windows
            for e in w.effects
            if e.kind == kind and e.source == src and e.target == tgt and e.estimate is not None
        ]
        entry: dict[str, Any] = {
            "from": src, "to": tgt, "first": None, "last": None,
            "difference": None, "se": None, "z": None, "p": None,
        }  # fmt: skip
        if len(found) >= 2:
            first, last = found[0], found[-1]
            assert first.estimate is not None and last.estimate is not None
            assert first.se is not None and last.se is not None
            diff = last.estimate - first.estimate
            s = math.sqrt(first.se**2 + last.se**2)
            z = diff / s
            entry.update(
                first=first.estimate,
                last=last.estimate,
                difference=diff,
                se=s,
                z=z,
                p=float(2.0 * stats.norm.sf(abs(z))),
            )
        out.append(entry)
    return out


@contextlib.contextmanager
def _gc_paused() -> Iterator[None]:
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


def _validate_batch(p: int, **seqs: Sequence[Any] | None) -> None:
    for name, seq in seqs.items():
        if seq is not None and len(seq) != p:
            raise ValueError(f"{name} has {len(seq)} entries but there are {p} pairs")


def fit_pairs(
    y: np.ndarray,
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
    _check_method(method)
    arr = _as_pairs_array(y)
    p, t_len, _ = arr.shape
    _validate_batch(p, persons=persons, pair_ids=pair_ids, labels=labels)
    starts = _window_starts(t_len, window, step)
    if window is not None and start is None:
        raise ValueError("start (the date of day 0) is needed for window dates")
    words = labels if labels is not None else persons
    cols = _as_lists(_pair_block(arr, method, chance, (seed, 0)))
    wins: list[tuple[int, dict[str, list[Any]]]] = []
    for w_i, s0 in enumerate(starts):
        assert window is not None
        block = _pair_block(arr[:, s0 : s0 + window], method, chance, (seed, 1 + w_i))
        wins.append((s0, _as_lists(block)))
    first, last = (v.tolist() for v in _observed_span(arr))
    with _gc_paused():
        return [_pair_result(k, cols, wins, persons, pair_ids, words, start, window, first, last) for k in range(p)]


def _pair_result(
    k: int,
    cols: dict[str, list[Any]],
    wins: list[tuple[int, dict[str, list[Any]]]],
    persons: Sequence[tuple[str, str]],
    pair_ids: Sequence[str],
    words: Sequence[tuple[str, str]],
    start: date | None,
    window: int | None,
    first: list[int],
    last: list[int],
) -> PairResult:
    """Assemble pair ``k``'s result (and its windows) from the fitted blocks."""
    pa = (str(persons[k][0]), str(persons[k][1]))
    wd = (str(words[k][0]), str(words[k][1]))
    effects, warns = _pair_effects(cols, k, pa, wd)
    windows: list[Window] = []
    change: dict[str, Any] | None = None
    if window is not None and start is not None:
        for s0, wcols in wins:
            if first[k] < 0 or s0 > last[k] or s0 + window - 1 < first[k]:
                continue
            w_eff, _ = _pair_effects(wcols, k, pa, wd)
            windows.append(Window(start + timedelta(days=s0), start + timedelta(days=s0 + window - 1), w_eff))
        change = {"cross_lagged": _change(windows, "cross_lagged")}
    n_obs = cols["n_obs"][k]
    return PairResult(
        pair_id=str(pair_ids[k]),
        persons=pa,
        n_observations={pa[0]: n_obs[0], pa[1]: n_obs[1]},
        n_lag_pairs=cols["n"][k],
        effects=effects,
        warnings=tuple(warns),
        windows=tuple(windows),
        change=change,
    )


# --------------------------------------------------------------------------- solo


def _solo_chunk(own: FloatArray, perc: FloatArray, method: str) -> dict[str, np.ndarray]:
    """Vectorised solo effects for one chunk of participants (rows of own/perc)."""
    y = np.stack([own, perc], axis=2)
    yc, obs, n_obs = _centre(y)
    oc, pc = yc[:, :, 0], yc[:, :, 1]
    oo, op = obs[:, :, 0], obs[:, :, 1]

    # concurrent: own(t) on perceived(t) over the days both were given
    joint = oo & op
    nj = joint.sum(axis=1).astype(np.float64)
    nnj = np.maximum(nj, 1.0)
    om = np.where(joint, oc, 0.0).sum(axis=1) / nnj
    pm = np.where(joint, pc, 0.0).sum(axis=1) / nnj
    od = np.where(joint, oc - om[:, None], 0.0)
    pd = np.where(joint, pc - pm[:, None], 0.0)
    spp = (pd * pd).sum(axis=1)
    soo = (od * od).sum(axis=1)
    sop = (od * pd).sum(axis=1)
    tol = CONSTANT_TOL * nnj
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
    ls = _lag_ls(yc[:, :-1, :], yc[:, 1:, :1], valid)
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
        inertia = _kendall_1d(inertia, np.maximum(n, n_obs[:, 0]))
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


def _fit_solo_arrays(own: FloatArray, perc: FloatArray, method: str) -> dict[str, np.ndarray]:
    parts = [
        _solo_chunk(own[i : i + CHUNK_PAIRS], perc[i : i + CHUNK_PAIRS], method)
        for i in range(0, own.shape[0], CHUNK_PAIRS)
    ]
    if not parts:
        e = np.full((0, own.shape[1]), np.nan)
        return _solo_chunk(e, e, method)
    return {k: np.concatenate([pt[k] for pt in parts]) for k in parts[0]}


def _solo_t(res: dict[str, np.ndarray]) -> FloatArray:
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.abs(
            np.stack(
                [
                    res["concurrent"] / res["concurrent_se"],
                    res["lagged"] / res["lagged_se"],
                ],
                axis=1,
            )
        )


def _solo_thresholds(own: FloatArray, perc: FloatArray, method: str, rng: np.random.Generator) -> FloatArray:
    """(N, 2) |t| thresholds (concurrent, lagged) from circular shifts of perceived."""
    p, t_len = own.shape
    out = np.full((p, 2), np.nan)
    shifts = _shifts(t_len, rng)
    s = shifts.size
    if s < MIN_SURROGATES or p == 0:
        return out
    idx = (np.arange(t_len)[None, :] - shifts[:, None]) % t_len
    per = max(1, CHUNK_PAIRS // s)
    for lo in range(0, p, per):
        oo, pp = own[lo : lo + per], perc[lo : lo + per]
        q = oo.shape[0]
        so = np.broadcast_to(oo[:, None, :], (q, s, t_len)).reshape(q * s, t_len)
        sp = pp[:, idx].reshape(q * s, t_len)
        tv = _solo_t(_fit_solo_arrays(so, sp, method)).reshape(q, s, 2)
        out[lo : lo + q] = _null_95(tv)
    return out


def _solo_block(
    own: FloatArray, perc: FloatArray, method: str, chance: bool, seed: Sequence[int]
) -> dict[str, list[Any]]:
    """Solo fit + chance of every row, as Python lists per key."""
    res: dict[str, Any] = _fit_solo_arrays(own, perc, method)
    if chance:
        thr = _solo_thresholds(own, perc, method, np.random.default_rng(list(seed)))
    else:
        thr = np.full((own.shape[0], 2), np.nan)
    res["exceeds"] = _exceeds(_solo_t(res), thr)
    res["t_conc"] = _t975(res["concurrent_df"])
    res["t_lag"] = _t975(res["lag_df"])
    return {k: v.tolist() for k, v in res.items()}


def _solo_effects(res: dict[str, Any], k: int, pid: str, other: str) -> tuple[tuple[Effect, ...], list[str]]:
    words_other = "the other person" if other.strip().lower() == "perceived" else other
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
    effects: list[Effect] = []
    est, s, tq = _f(res["concurrent"][k]), _f(res["concurrent_se"][k]), _f(res["t_conc"][k])
    if est is None or s is None or tq is None:
        reason = conc_reason()
        warns.append(reason)
        effects.append(Effect("concurrent", other, pid, None, None, None, None, _missing_text(reason)))
    else:
        ci = (est - tq * s, est + tq * s)
        r = float(res["concurrent_r"][k])
        exc = _tri(int(ex[0]))
        effects.append(
            Effect(
                "concurrent", other, pid, est, s, ci, exc,
                _text_concurrent(est, ci, r, words_other, exc), correlation=r,
            )
        )  # fmt: skip
    tq = _f(res["t_lag"][k])
    est, s = _f(res["lagged"][k]), _f(res["lagged_se"][k])
    if est is None or s is None or tq is None:
        reason = lag_reason(True)
        warns.append(reason)
        effects.append(Effect("lagged", other, pid, None, None, None, None, _missing_text(reason)))
    else:
        ci = (est - tq * s, est + tq * s)
        exc = _tri(int(ex[1]))
        effects.append(
            Effect("lagged", other, pid, est, s, ci, exc,
                   _text_cross(est, ci, words_other, "you", exc, solo=True))
        )  # fmt: skip
    est, s = _f(res["inertia"][k]), _f(res["inertia_se"][k])
    if est is None or s is None or tq is None:
        reason = lag_reason(False)
        warns.append(reason)
        effects.append(Effect("inertia", pid, pid, None, None, None, None, _missing_text(reason)))
    else:
        ci = (est - tq * s, est + tq * s)
        effects.append(Effect("inertia", pid, pid, est, s, ci, None, _text_inertia(est, ci, "you")))
    return tuple(effects), list(dict.fromkeys(warns))


def fit_solo(
    own: np.ndarray,
    perceived: np.ndarray,
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
    _check_method(method)
    o = np.asarray(own, dtype=np.float64)
    pc = np.asarray(perceived, dtype=np.float64)
    if o.ndim != 2 or o.shape != pc.shape:
        raise ValueError(f"own and perceived must both be (N, T); got {o.shape} and {pc.shape}")
    if o.shape[1] < 2:
        raise ValueError("own/perceived need at least 2 days")
    o = np.where(np.isinf(o), np.nan, o)
    pc = np.where(np.isinf(pc), np.nan, pc)
    n_rows, t_len = o.shape
    _validate_batch(n_rows, ids=ids, other_labels=other_labels)
    starts = _window_starts(t_len, window, step)
    if window is not None and start is None:
        raise ValueError("start (the date of day 0) is needed for window dates")
    res = _solo_block(o, pc, method, chance, (seed, 0))
    wins = []
    for w_i, s0 in enumerate(starts):
        assert window is not None
        sl = slice(s0, s0 + window)
        wins.append((s0, _solo_block(o[:, sl], pc[:, sl], method, chance, (seed, 1 + w_i))))
    first, last = (v.tolist() for v in _observed_span(np.stack([o, pc], axis=2)))
    with _gc_paused():
        return [_solo_result(k, res, wins, ids, other_labels, start, window, first, last) for k in range(n_rows)]


def _solo_result(
    k: int,
    res: dict[str, list[Any]],
    wins: list[tuple[int, dict[str, list[Any]]]],
    ids: Sequence[str],
    other_labels: Sequence[str],
    start: date | None,
    window: int | None,
    first: list[int],
    last: list[int],
) -> PairResult:
    """Assemble participant ``k``'s result (and its windows)."""
    pid, other = str(ids[k]), str(other_labels[k])
    effects, warns = _solo_effects(res, k, pid, other)
    windows: list[Window] = []
    change: dict[str, Any] | None = None
    if window is not None and start is not None:
        for s0, wres in wins:
            if first[k] < 0 or s0 > last[k] or s0 + window - 1 < first[k]:
                continue
            w_eff, _ = _solo_effects(wres, k, pid, other)
            windows.append(Window(start + timedelta(days=s0), start + timedelta(days=s0 + window - 1), w_eff))
        change = {kind: _change(windows, kind) for kind in ("lagged", "concurrent")}
    n_obs = res["n_obs"][k]
    return PairResult(
        pair_id=pid,
        persons=(pid, other),
        n_observations={pid: int(n_obs[0]), other: int(n_obs[1])},
        n_lag_pairs=int(res["n_lag"][k]),
        effects=effects,
        warnings=tuple(warns),
        windows=tuple(windows),
        change=change,
    )
