"""The vectorised bivariate VAR(1): person-mean centring, batched least squares from
Gram matrices, and the Nicholls–Pope / Kendall bias correction with Kilian's
stationarity adjustment. Arrays in, arrays out — no words, no JSON.

See ``dynamics/README.md`` ("The model", "Bias correction", "Speed").
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypedDict

import numpy as np
from numpy.typing import NDArray
from scipy import special

__all__ = [
    "CHUNK_PAIRS",
    "COLLINEAR_TOL",
    "CONSTANT_TOL",
    "MIN_LAG_PAIRS",
    "Var1Arrays",
    "fit_var1_arrays",
]

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]
#: A fitted block: named arrays, one entry per pair (or participant) along axis 0.
Arrays = dict[str, NDArray[Any]]

#: Fewer valid lag pairs than this and no effect is reported (df would be < 11).
MIN_LAG_PAIRS = 14
#: Pairs fitted at once: bounds the working memory (100,000 pairs × 90 days peak at
#: ≈ 0.2 GB over the input, measured with tracemalloc) and keeps arrays cache-friendly.
CHUNK_PAIRS = 2048
#: A person whose centred sum of squares on the usable days is below this × n is
#: treated as constant (no variation to learn from); values are mood points.
CONSTANT_TOL = 1e-10
#: |correlation| of the two lagged series above 1 − this: the effects can't be told apart.
COLLINEAR_TOL = 1e-8

METHODS = ("ols", "corrected")
Z975 = 1.959963984540054


class Var1Arrays(TypedDict):
    """What :func:`fit_var1_arrays` returns (NaN where the data can't support a number)."""

    coef: FloatArray  # (P, 2, 2): coef[p, i, j] = person j yesterday -> person i today
    se: FloatArray  # (P, 2, 2)
    intercept: FloatArray  # (P, 2)
    sigma_u: FloatArray  # (P, 2, 2)
    synchrony: FloatArray  # (P,)
    synchrony_ci: FloatArray  # (P, 2)
    n_lag: FloatArray  # (P,) valid lag pairs
    n_obs: FloatArray  # (P, 2) observed days per person
    df: FloatArray  # (P,) n_lag - 3
    ok: BoolArray  # (P,) every number of the pair is supported


def t975(df: FloatArray) -> FloatArray:
    """Two-sided 95 % Student-t quantile; NaN where df ≤ 0."""
    df = np.asarray(df, dtype=np.float64)
    out = np.full(df.shape, np.nan)
    good = df > 0
    out[good] = special.stdtrit(df[good], 0.975)  # = scipy.stats.t.ppf, without importing scipy.stats
    return out


def inv2(m: FloatArray) -> FloatArray:
    """Inverse of a stack of 2 × 2 matrices (closed form; caller ensures det ≠ 0)."""
    a, b, c, d = m[..., 0, 0], m[..., 0, 1], m[..., 1, 0], m[..., 1, 1]
    det = a * d - b * c
    out = np.empty_like(m)
    out[..., 0, 0] = d / det
    out[..., 0, 1] = -b / det
    out[..., 1, 0] = -c / det
    out[..., 1, 1] = a / det
    return out


def lag_ls(x: FloatArray, yv: FloatArray, w: BoolArray, shift: FloatArray | None = None) -> Arrays:
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
    return ls_from_gram(z @ z.transpose(0, 2, 1), m)


def ls_from_gram(g: FloatArray, m: int) -> Arrays:
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
    cinv = inv2(safe)
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


def centre(y: FloatArray) -> tuple[FloatArray, BoolArray, FloatArray]:
    """Person-mean centring over the observed days; returns (centred, observed, n_obs)."""
    obs = np.isfinite(y)
    n_obs = obs.sum(axis=1).astype(np.float64)
    mean = np.where(obs, y, 0.0).sum(axis=1) / np.maximum(n_obs, 1.0)
    return np.where(obs, y - mean[:, None, :], np.nan), obs, n_obs


def spectral_radius(a: FloatArray) -> FloatArray:
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
    lam_sum = (lam[:, :, None, None] * inv2(m)).sum(axis=1).real
    term = inv2(eye - at) + at @ inv2(eye - at @ at) + lam_sum
    out: FloatArray = sigma @ term @ inv2(gamma0)
    return out


def _kilian(a_hat: FloatArray, corr: FloatArray) -> FloatArray:
    """``a_hat + δ·corr`` with the largest δ ∈ {1, 0.99, …, 0} keeping it stationary.

    Kilian (1998): no correction at all if ``a_hat`` itself is not stationary.
    """
    out = a_hat.copy()
    can = spectral_radius(a_hat) < 1.0
    delta = np.where(can, 1.0, 0.0)
    cand = a_hat + delta[:, None, None] * corr
    bad = can & (spectral_radius(cand) >= 1.0)
    for _ in range(100):
        if not bad.any():
            break
        delta[bad] = np.round(delta[bad] - 0.01, 2)
        idx = np.flatnonzero(bad)
        trial = a_hat[idx] + delta[idx, None, None] * corr[idx]
        bad[idx] = (spectral_radius(trial) >= 1.0) & (delta[idx] > 0)
    out = a_hat + np.maximum(delta, 0.0)[:, None, None] * corr
    return out


def _bias_correct(a: FloatArray, sigma: FloatArray, n: FloatArray, full: BoolArray, partial: BoolArray) -> FloatArray:
    """Bias-corrected A for the ``full`` pairs (Pope, iterated once, Kilian-adjusted)
    and Kendall-corrected inertia for the ``partial`` pairs (one person constant)."""
    out = a.copy()
    idx = np.flatnonzero(full)
    if idx.size:
        a0, s0, n0 = a[idx], sigma[idx], n[idx][:, None, None]
        stat = spectral_radius(a0) < 1.0
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


def kendall_1d(rho: FloatArray, n: FloatArray) -> FloatArray:
    """Kendall-corrected AR(1) coefficient ρ + (1 + 3ρ)/n, Kilian-adjusted."""
    a = np.zeros((rho.shape[0], 2, 2))
    a[:, 0, 0] = np.where(np.isfinite(rho), rho, 0.0)
    corr = np.zeros_like(a)
    corr[:, 0, 0] = (1.0 + 3.0 * a[:, 0, 0]) / np.maximum(n, 1.0)
    fixed = _kilian(a, corr)[:, 0, 0]
    return np.where(np.isfinite(rho), fixed, np.nan)


def _var_chunk(y: FloatArray, method: str) -> Arrays:
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
    ls = ls_from_gram(z @ z.transpose(0, 2, 1), 2)
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
        half = Z975 / np.sqrt(n - 3.0)
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


def check_method(method: str) -> None:
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}; got {method!r}")


def validate_batch(p: int, **seqs: Sequence[Any] | None) -> None:
    for name, seq in seqs.items():
        if seq is not None and len(seq) != p:
            raise ValueError(f"{name} has {len(seq)} entries but there are {p} pairs")


def concat_chunks(parts: list[Arrays]) -> Arrays:
    """The chunks of a chunked fit joined back along the rows."""
    return {k: np.concatenate([pt[k] for pt in parts]) for k in parts[0]}


def as_pairs_array(y: Any) -> FloatArray:
    arr = np.asarray(y, dtype=np.float64)
    if arr.ndim != 3 or arr.shape[2] != 2:
        raise ValueError(f"y must be shaped (P, T, 2); got {arr.shape}")
    if arr.shape[1] < 2:
        raise ValueError("y needs at least 2 days")
    return arr  # ±inf counts as missing: every use goes through np.isfinite


def fit_var(y: FloatArray, method: str) -> Arrays:
    """Chunked :func:`_var_chunk` over all pairs (internal keys included)."""
    parts = [_var_chunk(y[i : i + CHUNK_PAIRS], method) for i in range(0, y.shape[0], CHUNK_PAIRS)]
    if not parts:
        return _var_chunk(np.full((0, y.shape[1], 2), np.nan), method)
    return concat_chunks(parts)


def fit_var1_arrays(y: NDArray[Any], *, method: str = "corrected") -> Var1Arrays:
    """Fit the bivariate VAR(1) to every pair of ``y`` (``(P, T, 2)``, NaN = missing).

    Returns ``coef`` (P,2,2) with ``coef[p, i, j]`` = effect of person j yesterday on
    person i today, its OLS ``se`` (P,2,2), ``intercept`` (P,2), ``sigma_u`` (P,2,2),
    ``synchrony`` (P,) (residual correlation) and its Fisher-z ``synchrony_ci`` (P,2),
    ``n_lag`` (valid lag pairs), ``n_obs`` (P,2) observed days per person, ``df``
    (n_lag − 3) and ``ok`` (P,) — every number of the pair is supported. Entries
    that the data cannot support are NaN.
    """
    check_method(method)
    res = fit_var(as_pairs_array(y), method)
    return Var1Arrays(
        coef=res["coef"],
        se=res["se"],
        intercept=res["intercept"],
        sigma_u=res["sigma_u"],
        synchrony=res["synchrony"],
        synchrony_ci=res["synchrony_ci"],
        n_lag=res["n_lag"],
        n_obs=res["n_obs"],
        df=res["df"],
        ok=res["ok"],
    )
