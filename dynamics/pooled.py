"""Partial pooling across pairs: a hierarchical bivariate VAR(1) fitted by empirical Bayes.

Each pair ``p`` follows ``z_t = A_p z_{t−1} + u_t`` with ``z_t = y_t − μ_p`` (two
persons, ``u_t ~ N(0, Σ_p)``), and its four lagged effects
``a_p = (A[0,0], A[1,1], A[1,0], A[0,1])`` — inertia a, inertia b, cross a→b,
cross b→a — are drawn from a population ``N(m, S)``. The fit has three steps
(see ``dynamics/README.md`` for the why and the references):

1. **Per pair, exact likelihood with missing days** (vectorised over pairs,
   :mod:`dynamics._kalman`): a day missing for one person is an unobserved state
   component, a gap of k days is bridged by ``A^k`` through the state-space model.
   A few EM iterations (Kalman/RTS smoother moments) bring ``μ, A, Σ`` near the
   per-pair maximum; the observed-data score (Fisher's identity) and its
   finite-difference Jacobian give a Gaussian approximation of the pair's likelihood
   in ``a``: centre ``â`` (one Newton step) and covariance ``V`` (inverse observed
   information), so the information lost to missing days is counted.
2. **Small-sample bias**: estimating the person means biases ``â`` towards zero by
   O(1/T) (Nickell/Kendall). The likelihood centre is corrected with the
   Nicholls–Pope (1988) formula, linearised around a reference point (first the
   pair's own estimate, then its pooled estimate), which also rescales ``V``.
3. **Population and posteriors**: ``â_p ~ N(m, S + V_p)`` is fitted by maximum
   likelihood (EM, SQUAREM-accelerated) per population — per role when labels are
   shared across pairs, else with the two persons exchangeable (each pair enters
   twice, once swapped, with weight ½). Each pair's posterior is the
   precision-weighted combination ``(V⁻¹ + S⁻¹)⁻¹ (V⁻¹ â + S⁻¹ m)``, its variance
   widened for the uncertainty of ``m``. Batches with fewer than ``min_pairs``
   usable pairs use the literature prior :data:`LITERATURE_PRIOR` instead.

numpy/scipy only; never Django.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

from dynamics._kalman import Layout, Moments, smooth, work_size

__all__ = [
    "LITERATURE_PRIOR",
    "MIN_PAIRS",
    "PairEffects",
    "PooledArrays",
    "PooledEffect",
    "PooledPair",
    "PooledResult",
    "PooledWindows",
    "PopulationEffect",
    "Prior",
    "fit_pooled",
    "fit_pooled_arrays",
    "fit_pooled_windows",
]

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]
IntArray = NDArray[np.int64]

#: A population estimated from fewer usable pairs than this is replaced by the prior.
MIN_PAIRS = 50
#: Populations of more usable pairs are estimated from a seeded random subsample of
#: this many (the sampling error of m is then ≈ 0.003; its ci95 is that of the subsample).
MAX_POP_PAIRS = 10000
#: Smallest eigenvalue kept in a fitted population covariance (an sd of 0.001).
S_FLOOR = 1e-6
#: Gradient tolerance of the population fit (its objective is per pair; m and S are then
#: within ≈ 1e-6 of the optimum — far inside their sampling error).
POP_TOL = 1e-10
#: The population covariance S is diagonal: the four effects vary independently across
#: pairs. With short series their between-pair correlations are poorly determined and a
#: full S absorbs any error in the correlation structure of the per-pair V (in the
#: bench a full S gave inertia SDs 0.03 too small and 84 % coverage at 28 days).
DIAGONAL_S = True
#: Pairs per chunk of the per-pair stage (cache-friendly; bounds the memory).
CHUNK_PAIRS = 8192
#: EM iterations of the per-pair stage before the Newton/Laplace step.
EM_ITER = 1
#: A person needs at least this many observed days, and the pair this many days on
#: which both were observed, for its own likelihood to be used; below that the
#: pair's estimate is the population's (``pooled_from_population``).
MIN_PERSON_DAYS = 5
MIN_BOTH_DAYS = 3
#: Below this many days observed per person the unpooled (per-pair) estimate is not
#: shown (the same minimum as the per-pair engine's MIN_LAG_PAIRS).
MIN_UNPOOLED_DAYS = 14
#: Ridge of the EM iterations (not of the reported likelihood): this many
#: pseudo-days pulling A towards the prior mean, for stability with little data.
RIDGE_DAYS = 1.0
#: Variance on the observed days below this × mean square: a constant series.
CONSTANT_TOL = 1e-10
#: Small-sample inflation of the per-pair covariance: V × n_e/(n_e − k) with n_e the
#: effective number of transitions and k = 3 parameters per equation (a df correction;
#: k = 5, adding 2 for t-like tails, made the inertias' short-series V too large and
#: their population SD collapse towards 0 at 14 days).
SMALL_SAMPLE_K = 3.0
#: Rounds of (bias correction, population, posteriors) around an updated reference.
N_ROUNDS = 2
#: Pairs per population simulated for the bootstrap bias correction of the population
#: (see :func:`_calibrated`); a smaller population is simulated several times over, up
#: to CAL_MIN_PAIRS simulated pairs. 0 switches the correction off.
CAL_PAIRS = 4000
CAL_MIN_PAIRS = 8000
#: Rounds of the bootstrap bias correction (each simulates and fits once more).
CAL_ROUNDS = 2
#: The corrected between-pair variance keeps at least this share of the uncorrected one.
CAL_FLOOR = 0.05
#: Finite-difference step for the observed information (units of A).
FD_STEP = 1e-5

_Z975 = 1.959963984540054
#: Effect order of every 4-vector: inertia a, inertia b, cross a→b, cross b→a.
EFFECT_CELLS = ((0, 0), (1, 1), (1, 0), (0, 1))
_SWAP = np.array([1, 0, 3, 2])


# --------------------------------------------------------------------------- prior


@dataclass(frozen=True)
class Prior:
    """An exchangeable population: inertia ~ N(mean, sd²), cross-lagged ~ N(mean, sd²)."""

    inertia_mean: float
    inertia_sd: float
    cross_mean: float
    cross_sd: float
    source: str

    def mean_vector(self) -> FloatArray:
        return np.array([self.inertia_mean, self.inertia_mean, self.cross_mean, self.cross_mean])

    def cov_matrix(self) -> FloatArray:
        return np.diag([self.inertia_sd**2, self.inertia_sd**2, self.cross_sd**2, self.cross_sd**2])


#: Built-in population used when a batch has fewer than ``min_pairs`` usable pairs.
#: Means: the actor (≈ 0.45) and partner (≈ 0.09) lagged effects of daily affect
#: reported for the Dyadic Interaction Study (as quoted in issue 14). The SDs are
#: deliberately broad — between-pair spreads of daily-diary VAR(1) effects in the
#: multilevel literature are of the order of 0.1–0.15 — so that a pair's own data
#: still move its estimate; see dynamics/README.md.
LITERATURE_PRIOR = Prior(
    inertia_mean=0.45,
    inertia_sd=0.15,
    cross_mean=0.09,
    cross_sd=0.10,
    source="Dyadic Interaction Study (actor 0.45, partner 0.09); sds 0.15 / 0.10 assumed broad",
)


# --------------------------------------------------------------------------- small algebra


def _inv2(m: FloatArray) -> FloatArray:
    a, b, c, d = m[..., 0, 0], m[..., 0, 1], m[..., 1, 0], m[..., 1, 1]
    det = a * d - b * c
    out = np.empty_like(m)
    out[..., 0, 0] = d / det
    out[..., 0, 1] = -b / det
    out[..., 1, 0] = -c / det
    out[..., 1, 1] = a / det
    return out


def _spectral_radius(a: FloatArray) -> FloatArray:
    tr = a[:, 0, 0] + a[:, 1, 1]
    det = a[:, 0, 0] * a[:, 1, 1] - a[:, 0, 1] * a[:, 1, 0]
    disc = tr * tr / 4.0 - det
    root = np.sqrt(np.abs(disc))
    real = np.maximum(np.abs(tr / 2.0 + root), np.abs(tr / 2.0 - root))
    return np.asarray(np.where(disc >= 0, real, np.sqrt(np.abs(det))), dtype=np.float64)


def _vec(a: FloatArray) -> FloatArray:
    """(P, 2, 2) → (P, 4) in :data:`EFFECT_CELLS` order."""
    return np.stack([a[:, i, j] for i, j in EFFECT_CELLS], axis=1)


def _unvec(v: FloatArray) -> FloatArray:
    a = np.empty((v.shape[0], 2, 2))
    for k, (i, j) in enumerate(EFFECT_CELLS):
        a[:, i, j] = v[:, k]
    return a


def _distinct_rows(bits: NDArray[np.int64], limit: int = 8) -> tuple[IntArray, IntArray] | None:
    """Index of each row among the distinct rows of ``bits`` (exact equality) and the
    first row of each, or None when there are more than ``limit`` of them."""
    q = bits.shape[0]
    rows = np.full(q, -1, dtype=np.int64)
    first: list[int] = []
    start = 0
    while q:
        left = np.flatnonzero(rows[start:] < 0)
        if not left.size:
            break
        if len(first) == limit:
            return None
        i = start + int(left[0])
        rows[(rows < 0) & (bits == bits[i]).all(axis=1)] = len(first)
        first.append(i)
        start = i + 1
    return rows, np.array(first, dtype=np.int64)


def _pope_b(a: FloatArray, sigma: FloatArray) -> FloatArray:
    """Nicholls–Pope bias term: E[Â] − A ≈ −b/n for the VAR(1) with estimated mean
    (the formula of ``dynamics.coupling``; ``a`` must be stationary).

    The parts that depend on ``a`` alone are computed once per distinct ``a`` (the
    pooled fit evaluates it at a common reference: one or a few distinct matrices for
    100,000 pairs) and gathered — the same operations, so the same numbers."""
    q = a.shape[0]
    rows: IntArray | slice = slice(None)
    au = a
    found = _distinct_rows(np.ascontiguousarray(a).reshape(q, 4).view(np.int64))
    if found is not None:
        rows, first = found
        au = a[first]
    u = au.shape[0]
    eye = np.eye(2)
    at = au.transpose(0, 2, 1)
    kron = np.einsum("qij,qkl->qikjl", au, au).reshape(u, 4, 4)
    gamma0 = np.linalg.solve((np.eye(4) - kron)[rows], sigma.reshape(q, 4, 1)).reshape(q, 2, 2)
    tr = au[:, 0, 0] + au[:, 1, 1]
    det = au[:, 0, 0] * au[:, 1, 1] - au[:, 0, 1] * au[:, 1, 0]
    root = np.sqrt((tr * tr / 4.0 - det).astype(np.complex128))
    lam = np.stack([tr / 2.0 + root, tr / 2.0 - root], axis=1)
    m = eye[None, None] - lam[:, :, None, None] * at[:, None].astype(np.complex128)
    lam_sum = (lam[:, :, None, None] * _inv2(m)).sum(axis=1).real
    term = _inv2(eye - at) + at @ _inv2(eye - at @ at) + lam_sum
    return np.asarray(sigma @ term[rows] @ _inv2(gamma0), dtype=np.float64)


def _stationary(a: FloatArray, limit: float = 0.95) -> FloatArray:
    """``a`` scaled down where its spectral radius exceeds ``limit``."""
    r = _spectral_radius(a)
    scale = np.where(r > limit, limit / np.maximum(r, 1e-300), 1.0)
    return np.asarray(a * scale[:, None, None], dtype=np.float64)


def _inv_logdet4(c: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Inverse and log-determinant of a stack of symmetric positive definite 4 × 4
    matrices by 2 × 2 blocks (elementwise numpy: far faster than batched LAPACK for
    100,000 tiny matrices)."""
    ci, ld = _inv_logdet4_t(np.ascontiguousarray(c.transpose(1, 2, 0)))
    return np.ascontiguousarray(ci.transpose(2, 0, 1)), ld


def _inv_logdet4_t(c: FloatArray) -> tuple[FloatArray, FloatArray]:
    """:func:`_inv_logdet4` of a stack laid out component-major, ``c[i, j]`` (P,)
    contiguous: the 2 × 2 block algebra written out per component (no small matmuls)."""
    out, det_p, det_s, _ = _inv4_t(c)
    return out, np.log(det_p) + np.log(det_s)


def _inv4_t(c: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """Block inverse of component-major 4 × 4 matrices, with the determinants of the
    top-left block and of its Schur complement and the complement's first element."""
    c00, c01, c02, c03 = c[0]
    c10, c11, c12, c13 = c[1]
    c32, c33 = c[3, 2], c[3, 3]
    c22, c23 = c[2, 2], c[2, 3]
    det_p = c00 * c11 - c01 * c10
    pi00, pi01, pi10, pi11 = c11 / det_p, -c01 / det_p, -c10 / det_p, c00 / det_p
    q00 = pi00 * c02 + pi01 * c12  # P⁻¹ Q
    q01 = pi00 * c03 + pi01 * c13
    q10 = pi10 * c02 + pi11 * c12
    q11 = pi10 * c03 + pi11 * c13
    s00 = c22 - (c02 * q00 + c12 * q10)  # Schur complement R − Qᵀ P⁻¹ Q
    s01 = c23 - (c02 * q01 + c12 * q11)
    s10 = c32 - (c03 * q00 + c13 * q10)
    s11 = c33 - (c03 * q01 + c13 * q11)
    det_s = s00 * s11 - s01 * s10
    out = np.empty_like(c)
    si00, si01, si10, si11 = out[2, 2], out[2, 3], out[3, 2], out[3, 3]
    np.divide(s11, det_s, out=si00)
    np.divide(-s01, det_s, out=si01)
    np.divide(-s10, det_s, out=si10)
    np.divide(s00, det_s, out=si11)
    t00 = -(q00 * si00 + q01 * si10)  # −P⁻¹ Q S⁻¹
    t01 = -(q00 * si01 + q01 * si11)
    t10 = -(q10 * si00 + q11 * si10)
    t11 = -(q10 * si01 + q11 * si11)
    out[0, 2], out[0, 3], out[1, 2], out[1, 3] = t00, t01, t10, t11
    out[2, 0], out[3, 0], out[2, 1], out[3, 1] = t00, t01, t10, t11
    np.subtract(pi00, t00 * q00 + t01 * q01, out=out[0, 0])
    np.subtract(pi01, t00 * q10 + t01 * q11, out=out[0, 1])
    np.subtract(pi10, t10 * q00 + t11 * q01, out=out[1, 0])
    np.subtract(pi11, t10 * q10 + t11 * q11, out=out[1, 1])
    return out, det_p, det_s, s00


def _certified_pd4(sym: FloatArray, ratio: float) -> tuple[FloatArray, BoolArray]:
    """Closed-form inverses of symmetric 4 × 4 matrices and where they are certainly
    positive definite with λ_min/λ_max > ``ratio`` (positive leading minors and
    1/(‖C‖_F ‖C⁻¹‖_F) > ratio, a lower bound of λ_min/λ_max): there the eigenvalue
    tests of :func:`_is_pd`/:func:`_psd_inv` are true, and the inverse equals theirs
    to round-off. The other rows need the eigenvalues."""
    with np.errstate(all="ignore"):
        inv_t, det_p, det_s, s00 = _inv4_t(np.ascontiguousarray(sym.transpose(1, 2, 0)))
        inv = inv_t.transpose(2, 0, 1)
        fro = np.sqrt(np.einsum("pij,pij->p", sym, sym))
        ifro = np.sqrt(np.einsum("pij,pij->p", inv, inv))
        sure = (sym[:, 0, 0] > 0) & (det_p > 0) & (s00 > 0) & (det_s > 0) & (fro * ifro * ratio < 1.0)
    return inv, np.asarray(sure & np.isfinite(inv).all(axis=(1, 2)), dtype=np.bool_)


def _is_pd(m: FloatArray) -> BoolArray:
    """Whether each symmetric matrix of a stack is (numerically) positive definite."""
    if m.ndim == 3 and m.shape[1:] == (4, 4) and m.shape[0] > 0:
        sure = _certified_pd4(0.5 * (m + m.transpose(0, 2, 1)), 1e-4)[1]
        out = sure.copy()
        rest = np.flatnonzero(~sure)
        if rest.size:
            out[rest] = _is_pd_eig(m[rest])
        return out
    return _is_pd_eig(m)


def _is_pd_eig(m: FloatArray) -> BoolArray:
    fin: BoolArray = np.asarray(np.isfinite(m).all(axis=(1, 2)), dtype=np.bool_)
    w = np.linalg.eigvalsh(np.where(fin[:, None, None], 0.5 * (m + m.transpose(0, 2, 1)), np.eye(m.shape[1])))
    return np.asarray(fin & (w[:, 0] > 1e-10 * np.maximum(np.abs(w[:, -1]), 1e-300)), dtype=np.bool_)


def _psd_inv(m: FloatArray) -> tuple[FloatArray, BoolArray]:
    """Inverse of a stack of symmetric matrices and whether each is positive definite."""
    if m.ndim == 3 and m.shape[1:] == (4, 4) and m.shape[0] > 0:
        inv, sure = _certified_pd4(0.5 * (m + m.transpose(0, 2, 1)), 1e-4)
        out = np.ascontiguousarray(inv)
        ok = sure.copy()
        rest = np.flatnonzero(~sure)
        if rest.size:
            out[rest], ok[rest] = _psd_inv_eig(m[rest])
        return out, ok
    return _psd_inv_eig(m)


def _psd_inv_eig(m: FloatArray) -> tuple[FloatArray, BoolArray]:
    w, v = np.linalg.eigh(0.5 * (m + m.transpose(0, 2, 1)))
    ok = w.min(axis=1) > 1e-12 * np.maximum(np.abs(w).max(axis=1), 1e-300)
    wi = np.where(ok[:, None], 1.0 / np.where(w > 0, w, 1.0), 0.0)
    return np.asarray((v * wi[:, None, :]) @ v.transpose(0, 2, 1), dtype=np.float64), ok


# --------------------------------------------------------------------------- per-pair stage


@dataclass
class PairStage:
    """Per-pair outputs of step 1 (arrays over pairs)."""

    a_hat: FloatArray  # (P, 4) likelihood centre (not bias-corrected)
    info: FloatArray  # (P, 4, 4) observed information of a (μ, Σ at their estimates)
    a_iter: FloatArray  # (P, 2, 2) the last EM iterate
    mu: FloatArray  # (P, 2)
    sigma: FloatArray  # (P, 2, 2)
    loglik: FloatArray  # (P,) zeros (the hot path does not compute it; see _kalman.smooth)
    usable: BoolArray  # (P,) own likelihood used
    n_obs: IntArray  # (P, 2)
    n_both: IntArray  # (P,)
    span: IntArray  # (P,) days from the first complete day to the last observed day
    s00: FloatArray  # (P, 2, 2) smoothed moments at the iterate (for Σ at other A)
    s10: FloatArray
    s11: FloatArray
    n_trans: FloatArray  # (P,)
    n_eff: FloatArray  # (P, 4) effective transitions: n × share of complete-data information kept
    info_complete: FloatArray  # (P, 4, 4) complete-data information Σ̂⁻¹ ⊗ E[Σ z zᵀ] at the iterate
    level: FloatArray  # (P, 2) mean of each person's observed values (0 if none)
    variance: FloatArray  # (P, 2) their (population) variance


def _em_update(
    mom: Moments, mu: FloatArray, ridge: FloatArray, a_prior: FloatArray
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """ECM step: regress z_t on [1, z_{t−1}] with expected moments (ridge on A only)."""
    p = mu.shape[0]
    n = np.maximum(mom.n, 1.0)
    sxx = np.empty((p, 3, 3))
    sxx[:, 0, 0] = n
    sxx[:, 0, 1:] = mom.m0
    sxx[:, 1:, 0] = mom.m0
    sxx[:, 1:, 1:] = mom.s00
    syx = np.empty((p, 2, 3))
    syx[:, :, 0] = mom.m1
    syx[:, :, 1:] = mom.s10
    lam = np.zeros((p, 3, 3))
    lam[:, 1, 1] = ridge[:, 0]
    lam[:, 2, 2] = ridge[:, 1]
    b0 = np.zeros((p, 2, 3))
    b0[:, :, 1:] = a_prior
    rhs = syx + b0 @ lam
    bt = np.linalg.solve(sxx + lam, rhs.transpose(0, 2, 1))
    b = bt.transpose(0, 2, 1)
    a = np.ascontiguousarray(b[:, :, 1:])
    c = b[:, :, 0]
    resid = mom.s11 - b @ syx.transpose(0, 2, 1) - syx @ bt + b @ sxx @ bt
    sig = 0.5 * (resid + resid.transpose(0, 2, 1)) / n[:, None, None]
    tr = np.einsum("pii->p", sig)
    sig = sig + (1e-8 * np.maximum(tr, 1e-12))[:, None, None] * np.eye(2)
    ima = np.eye(2) - a
    det = ima[:, 0, 0] * ima[:, 1, 1] - ima[:, 0, 1] * ima[:, 1, 0]
    good = np.abs(det) > 0.05
    shift = np.einsum("pij,pj->pi", _inv2(np.where(good[:, None, None], ima, np.eye(2))), c)
    mu_new = mu + np.where(good[:, None], shift, 0.0)
    return mu_new, a, sig


def _score(mom: Moments, a: FloatArray, sig: FloatArray) -> FloatArray:
    """Observed-data score of A at fixed μ, Σ (Fisher's identity): Σ⁻¹(S10 − A S00)."""
    return np.asarray(_inv2(sig) @ (mom.s10 - a @ mom.s00), dtype=np.float64)


def _pair_chunk(
    y: FloatArray, em_iter: int, a_prior: FloatArray, ridge_days: float, work: FloatArray | None = None
) -> PairStage:
    with np.errstate(all="ignore"):  # degenerate pairs are flagged (usable False), not warned about
        return _pair_chunk_inner(y, em_iter, a_prior, ridge_days, work)


def _pair_chunk_inner(
    y: FloatArray, em_iter: int, a_prior: FloatArray, ridge_days: float, work: FloatArray | None
) -> PairStage:
    p = y.shape[0]
    # day-major (T, P) arrays: per-person sums over days are row sums of contiguous rows
    lay = Layout.from_pairs(y)
    oa, ob = lay.oa, lay.ob
    both = oa & ob
    n_obs = np.stack([oa.sum(axis=0), ob.sum(axis=0)], axis=1).astype(np.int64)
    n_both = both.sum(axis=0).astype(np.int64)
    span = np.clip(lay.t1 - lay.t0 + 1, 0, None)
    cnt = np.maximum(n_obs, 1).astype(np.float64)
    mean = np.stack([lay.ya.sum(axis=0), lay.yb.sum(axis=0)], axis=1) / cnt
    dev_a = np.where(oa, lay.ya - mean[:, 0], 0.0)
    dev_b = np.where(ob, lay.yb - mean[:, 1], 0.0)
    var = np.stack([(dev_a * dev_a).sum(axis=0), (dev_b * dev_b).sum(axis=0)], axis=1) / cnt
    usable = (n_obs.min(axis=1) >= MIN_PERSON_DAYS) & (n_both >= MIN_BOTH_DAYS) & (lay.t1 - lay.t0 >= 2)
    usable &= (var > CONSTANT_TOL * np.maximum(mean * mean, 1.0)).all(axis=1)
    vsafe = np.where(var > 0, var, 1.0)
    ridge = ridge_days * vsafe
    ap = np.broadcast_to(a_prior, (p, 2, 2)).copy()

    # start: available-case lag pairs (both persons on both days), ridge towards the prior
    valid = both[1:] & both[:-1]
    x0a, x0b = dev_a[:-1] * valid, dev_b[:-1] * valid
    x1a, x1b = dev_a[1:] * valid, dev_b[1:] * valid
    s00 = np.empty((p, 2, 2))
    s00[:, 0, 0] = (x0a * x0a).sum(axis=0)
    s00[:, 0, 1] = s00[:, 1, 0] = (x0a * x0b).sum(axis=0)
    s00[:, 1, 1] = (x0b * x0b).sum(axis=0)
    s00 += ridge[:, :, None] * np.eye(2)
    s10 = np.empty((p, 2, 2))
    s10[:, 0, 0] = (x1a * x0a).sum(axis=0)
    s10[:, 0, 1] = (x1a * x0b).sum(axis=0)
    s10[:, 1, 0] = (x1b * x0a).sum(axis=0)
    s10[:, 1, 1] = (x1b * x0b).sum(axis=0)
    s10 += ap * ridge[:, None, :]
    a = _stationary(s10 @ np.linalg.inv(s00))
    nv = valid.sum(axis=0).astype(np.float64)
    sig = np.zeros((p, 2, 2))
    sig[:, 0, 0], sig[:, 1, 1] = vsafe[:, 0], vsafe[:, 1]
    # stationary-consistent start for Σ: Var(u) = Γ0 − A Γ0 Aᵀ with Γ0 from the raw variances
    # (summed along contiguous rows of (P, T), numpy's pairwise order, as before)
    cross = np.ascontiguousarray((dev_a * dev_b * both).T).sum(axis=1)
    rr = np.clip(cross / np.maximum(n_both, 1) / np.sqrt(vsafe[:, 0] * vsafe[:, 1]), -0.9, 0.9)
    g0 = sig.copy()
    g0[:, 0, 1] = g0[:, 1, 0] = rr * np.sqrt(vsafe[:, 0] * vsafe[:, 1])
    s_start = g0 - a @ g0 @ a.transpose(0, 2, 1)
    _, pd = _psd_inv(s_start)
    sig = np.where((pd & (nv >= 0))[:, None, None], s_start, 0.5 * g0)
    mu = mean.copy()
    for _ in range(em_iter):
        mom = smooth(lay, mu, a, sig, work=work)
        mu, a, sig = _em_update(mom, mu, ridge, ap)
        a = _stationary(a, 0.99)

    # score at the iterate and its finite-difference Jacobian, in one tiled pass
    # (sub-chunks keep the tiled arrays at about CHUNK_PAIRS columns: cache-friendly)
    k = 1 + 4  # (the work buffer of pair_stage is sized for this)
    sub = max(1, CHUNK_PAIRS // k)
    g = np.empty((k, p, 4))
    parts: list[Moments] = []
    for lo in range(0, p, sub):
        hi = min(p, lo + sub)
        q = hi - lo
        a_t = np.tile(a[lo:hi], (k, 1, 1))
        for d, (i, j) in enumerate(EFFECT_CELLS):
            a_t[(d + 1) * q : (d + 2) * q, i, j] += FD_STEP
        s_t = np.tile(sig[lo:hi], (k, 1, 1))
        mom_s = smooth(lay.cols(lo, hi).tile(k), np.tile(mu[lo:hi], (k, 1)), a_t, s_t, work=work)
        g[:, lo:hi] = _vec(_score(mom_s, a_t, s_t)).reshape(k, q, 4)
        parts.append(
            Moments(*(x[:q] for x in (mom_s.s00, mom_s.s11, mom_s.s10, mom_s.m0, mom_s.m1, mom_s.n, mom_s.loglik)))
        )
    mom = Moments(
        *(
            np.concatenate([getattr(pt, f) for pt in parts]) if parts else np.zeros((0,))
            for f in Moments.__dataclass_fields__
        )
    )
    hess = np.stack([(g[d + 1] - g[0]) / FD_STEP for d in range(4)], axis=2)  # (P, 4 grad, 4 dir)
    info = -0.5 * (hess + hess.transpose(0, 2, 1))
    # small-sample df correction: the observed information treats μ and Σ as known;
    # with n_e effective transitions (n × the share of the complete-data information
    # the observed days keep) and 3 parameters per equation, inflate V by n_e/(n_e − 3)
    base = mom
    comp = np.einsum("pik,pjl->pijkl", _inv2(sig), base.s00).reshape(p, 4, 4)
    order = [2 * i + j for i, j in EFFECT_CELLS]
    comp = comp[:, order][:, :, order]
    # per effect: the share of the complete-data information the observed days keep
    keep = np.einsum("pii->pi", info) / np.maximum(np.einsum("pii->pi", comp), 1e-300)
    n_e = np.clip(keep, 1e-3, 1.0) * base.n[:, None]
    cov, pdi = _psd_inv(info)
    usable &= pdi & np.isfinite(info).all(axis=(1, 2))
    step = np.einsum("pij,pj->pi", cov, g[0])
    a_hat = _vec(a) + np.where(usable[:, None], step, 0.0)
    # a Newton step that leaves the plausible range means the quadratic picture failed
    usable &= (np.abs(a_hat) < 1.5).all(axis=1)
    return PairStage(
        a_hat=a_hat,
        info=np.where(usable[:, None, None], info, 0.0),
        a_iter=a,
        mu=mu,
        sigma=sig,
        loglik=mom.loglik[:p],
        usable=usable,
        n_obs=n_obs,
        n_both=n_both,
        span=span.astype(np.int64),
        s00=base.s00,
        s10=base.s10,
        s11=base.s11,
        n_trans=base.n,
        n_eff=n_e,
        info_complete=comp,
        level=mean,
        variance=var,
    )


def pair_stage(
    y: FloatArray, *, em_iter: int = EM_ITER, a_prior: FloatArray | None = None, ridge_days: float = RIDGE_DAYS
) -> PairStage:
    """Step 1 for all pairs of ``y`` (P, T, 2), in chunks of :data:`CHUNK_PAIRS`.

    With ``ridge_days=0`` and many ``em_iter`` the EM iterate is the per-pair maximum
    likelihood estimate of (μ, A, Σ) (used by the agreement test and bench).
    """
    ap = np.diag([LITERATURE_PRIOR.inertia_mean] * 2) + (1 - np.eye(2)) * LITERATURE_PRIOR.cross_mean
    if a_prior is not None:
        ap = a_prior
    # one smoother buffer for all chunks: the widest pass is a chunk's own or the tiled
    # one of the score and its finite differences (5 copies of up to CHUNK_PAIRS // 5)
    q = y.shape[0]
    cols = max(min(CHUNK_PAIRS, q), 5 * min(max(1, CHUNK_PAIRS // 5), q))
    work = np.empty(work_size(y.shape[1], cols)) if q else None
    parts = [
        _pair_chunk(y[i : i + CHUNK_PAIRS], em_iter, ap, ridge_days, work) for i in range(0, y.shape[0], CHUNK_PAIRS)
    ]
    if not parts:
        parts = [_pair_chunk(np.full((0, y.shape[1], 2), np.nan), em_iter, ap, ridge_days)]
    return PairStage(**{f: np.concatenate([getattr(pt, f) for pt in parts]) for f in PairStage.__dataclass_fields__})


# --------------------------------------------------------------------------- bias correction


def _bias_corrected(
    a_hat: FloatArray, cov: FloatArray, ref: FloatArray, sigma: FloatArray, n: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """Likelihood centre and covariance corrected for the O(1/n) bias, linearised at ``ref``.

    E[â] ≈ a − b(a)/n ≈ M a − (b(ref) − J ref)/n with M = I − J/n, J = ∂b/∂a at ref,
    so the likelihood of a is centred at M⁻¹(â + (b(ref) − J ref)/n) with covariance
    M⁻¹ V M⁻ᵀ.
    """
    p = a_hat.shape[0]
    if p == 0:
        return a_hat.copy(), cov.copy()
    r = _stationary(_unvec(ref), 0.95)
    rv = _vec(r)
    base = _vec(_pope_b(r, sigma))
    h = 1e-4
    jac = np.empty((p, 4, 4))
    for d, (i, j) in enumerate(EFFECT_CELLS):
        rp = r.copy()
        rp[:, i, j] += h
        jac[:, :, d] = (_vec(_pope_b(_stationary(rp, 0.96), sigma)) - base) / h
    nn = np.maximum(n, 1.0)[:, None, None]
    m = np.eye(4) - jac / nn
    minv = np.linalg.inv(m)
    shift = (base - np.einsum("pij,pj->pi", jac, rv)) / nn[:, :, 0]
    centre = np.einsum("pij,pj->pi", minv, a_hat + shift)
    return centre, minv @ cov @ minv.transpose(0, 2, 1)


def _expected_cov(st: PairStage, ref: FloatArray, complete_ok: BoolArray | None = None) -> FloatArray:
    """Covariance of â from the *expected* information at A = ``ref``:
    ``V = (Σ ⊗ Γ₀⁻¹) / n_e`` × n_e/(n_e − k), Γ₀ the stationary covariance of (ref, Σ̂).

    The observed information of an autoregression is correlated with its estimate
    (a persistent stretch gives both a high Â and a large Σ z zᵀ), so precision
    weights built from it bias a population mean upwards; the expected information at
    a common reference does not have that problem (the scale of Σ cancels out).
    """
    p = ref.shape[0]
    a = _stationary(_unvec(ref), 0.95)
    sig = st.sigma
    kron = np.einsum("qij,qkl->qikjl", a, a).reshape(p, 4, 4)
    g0 = np.linalg.solve(np.eye(4) - kron, sig.reshape(p, 4, 1)).reshape(p, 2, 2)
    n = np.maximum(st.n_trans, 1.0)
    order = [2 * i + j for i, j in EFFECT_CELLS]
    c_ref = np.einsum("pik,pjl->pijkl", _inv2(sig), g0).reshape(p, 4, 4)[:, order][:, :, order] * n[:, None, None]
    # the share of the information the observed days keep, as a matrix (missing days
    # cost the cross-lagged effects more, and change how the effects are correlated):
    # R = L_c⁻¹ H L_c⁻ᵀ with H the observed and L_c Lᵀ_c the complete-data information
    eye = np.eye(4)
    if complete_ok is None:
        complete_ok = _complete_ok(st)
    good = complete_ok & np.isfinite(c_ref).all(axis=(1, 2)) & _is_pd(c_ref)
    c_ref = np.where(good[:, None, None], c_ref, eye)
    cc = np.where(good[:, None, None], st.info_complete, eye)
    hh = np.where(good[:, None, None], st.info, eye)
    lc = np.linalg.cholesky(cc)
    lci = np.linalg.inv(lc)
    rel = lci @ hh @ lci.transpose(0, 2, 1)
    lr = np.linalg.cholesky(c_ref)
    info = lr @ rel @ lr.transpose(0, 2, 1)
    cov, ok = _psd_inv(info)
    n_e = np.maximum(st.n_eff, SMALL_SAMPLE_K + 1.0)
    scale = np.sqrt(n_e / (n_e - SMALL_SAMPLE_K))  # small-sample inflation per effect
    cov = cov * scale[:, :, None] * scale[:, None, :]
    fall = np.flatnonzero(~(ok & good))
    if fall.size:
        cov[fall] = np.linalg.inv(c_ref[fall])
    return np.asarray(0.5 * (cov + cov.transpose(0, 2, 1)), dtype=np.float64)


def _complete_ok(st: PairStage) -> BoolArray:
    """Pairs whose complete-data information is usable in :func:`_expected_cov`."""
    fin = np.isfinite(st.info_complete).all(axis=(1, 2))
    return np.asarray(st.usable & fin & _is_pd(st.info_complete), dtype=np.bool_)


# --------------------------------------------------------------------------- population


@dataclass
class Population:
    mean: FloatArray  # (4,)
    cov: FloatArray  # (4, 4)
    mean_cov: FloatArray  # (4, 4) sampling covariance of mean (zeros for the prior)
    source: Literal["batch", "prior"]
    n_pairs: int
    iterations: int


def meta_fit(
    a: FloatArray,
    v: FloatArray,
    w: FloatArray,
    *,
    symmetric: bool = False,
    diagonal: bool = False,
    boundary_prior: bool = False,
    tol: float = 1e-10,
    max_iter: int = 500,
    start: tuple[FloatArray, FloatArray] | None = None,
) -> tuple[FloatArray, FloatArray, int]:
    """ML of ``a_i ~ N(m, S + V_i)`` (weights ``w``): quasi-Newton (BFGS) on m and
    the Cholesky factor of S with the analytic gradient, started from the
    moment estimate. Returns m, S and the number of function evaluations.

    ``symmetric``: m and S are constrained to be invariant under swapping the two
    persons (the exchangeable population). At such points each pair's likelihood
    equals that of its swapped copy, so this is the same fit as entering every pair
    twice (once swapped) with weight ½, at half the cost. ``diagonal``: S is diagonal
    (the effects vary independently across pairs). ``boundary_prior``: the posterior
    mode under Chung et al.'s (2013) boundary-avoiding Gamma(2, →0) prior on each
    between-pair SD (the diagonal of S's Cholesky factor) instead of the maximum —
    with short series the likelihood of a variance is flat near 0 and the maximum
    often *is* 0, which would make every pair's interval collapse onto the mean.
    """
    from scipy.optimize import minimize

    wsum = float(w.sum())
    m0 = (w[:, None] * a).sum(axis=0) / wsum
    d = a - m0
    s0 = np.einsum("p,pi,pj->ij", w, d, d) / wsum - np.einsum("p,pij->ij", w, v) / wsum
    ev, evec = np.linalg.eigh(0.5 * (s0 + s0.T))
    floor = max(float(np.trace(np.einsum("p,pij->ij", w, v) / wsum)) / 4.0, 1e-6) * 1e-2
    s0 = (evec * np.maximum(ev, floor)) @ evec.T
    if symmetric:
        m0 = 0.5 * (m0 + m0[_SWAP])
        s0 = 0.5 * (s0 + s0[_SWAP][:, _SWAP])
    if start is not None:
        m0, s0 = start
    tril = (np.arange(4), np.arange(4)) if diagonal else np.tril_indices(4)
    if diagonal:
        s0 = np.diag(np.diag(s0))

    def sym_m(m: FloatArray) -> FloatArray:
        return 0.5 * (m + m[_SWAP]) if symmetric else m

    def sym_s(s_: FloatArray) -> FloatArray:
        return 0.5 * (s_ + s_[_SWAP][:, _SWAP]) if symmetric else s_

    x0 = np.concatenate([m0, np.linalg.cholesky(s0)[tril]])
    diag_pos = np.flatnonzero(tril[0] == tril[1])

    vt = np.ascontiguousarray(v.transpose(1, 2, 0))
    at = np.ascontiguousarray(a.T)

    def fg(x: FloatArray) -> tuple[float, FloatArray]:
        m = sym_m(x[:4])
        low = np.zeros((4, 4))
        low[tril] = x[4:]
        # component-major (4, 4, P) / (4, P) arrays: elementwise products, BLAS sums
        c = vt + sym_s(low @ low.T)[:, :, None]
        ci, ld = _inv_logdet4_t(c)
        r = at - m[:, None]
        cr = ci[:, 0] * r[0]
        for j in range(1, 4):
            cr += ci[:, j] * r[j]
        f = 0.5 * float(np.dot(ld + (r * cr).sum(axis=0), w))
        gm = sym_m(-(cr @ w))
        gs = sym_s(0.5 * (ci @ w - (cr[:, None, :] * cr[None, :, :]) @ w))
        gl = 2.0 * gs @ low
        grad = np.concatenate([gm, gl[tril]])
        if boundary_prior:
            dpos = 4 + diag_pos
            f -= float(np.sum(np.log(np.abs(x[dpos]))))
            grad[dpos] -= 1.0 / x[dpos]
        return f / wsum, grad / wsum

    res = minimize(fg, x0, jac=True, method="BFGS", options={"maxiter": max_iter, "gtol": tol})
    low = np.zeros((4, 4))
    low[tril] = res.x[4:]
    return np.asarray(sym_m(res.x[:4]), dtype=np.float64), sym_s(low @ low.T), int(res.nfev)


def _population(
    a: FloatArray,
    v: FloatArray,
    exchangeable: bool,
    min_pairs: int,
    prior: Prior,
    start: Population | None = None,
) -> Population:
    n = a.shape[0]
    if n < max(min_pairs, 2):
        return Population(prior.mean_vector(), prior.cov_matrix(), np.zeros((4, 4)), "prior", n, 0)
    if n > MAX_POP_PAIRS:  # a seeded subsample estimates m, S (their ci95 says how well)
        pick = np.sort(np.random.default_rng(n).choice(n, MAX_POP_PAIRS, replace=False))
        a_s, v_s = a[pick], v[pick]
    else:
        a_s, v_s = a, v
    warm = None if start is None or start.source != "batch" else (start.mean, start.cov)
    m, s, it = meta_fit(
        a_s,
        v_s,
        np.ones(a_s.shape[0]),
        symmetric=exchangeable,
        diagonal=DIAGONAL_S,
        boundary_prior=True,
        tol=POP_TOL,
        start=warm,
    )
    if exchangeable:  # exact symmetry (the fit is symmetric up to rounding)
        m = 0.5 * (m + m[_SWAP])
        s = 0.5 * (s + s[_SWAP][:, _SWAP])
    ev, evec = np.linalg.eigh(s)
    s = (evec * np.maximum(ev, S_FLOOR)) @ evec.T  # a direction without spread: tiny, not singular
    tot_inv, _ = _psd_inv(s[None] + v_s)
    info = tot_inv.sum(axis=0)
    if exchangeable:
        lmap = np.array([[1.0, 0.0], [1.0, 0.0], [0.0, 1.0], [0.0, 1.0]])
        mc = lmap @ np.linalg.inv(lmap.T @ info @ lmap) @ lmap.T
    else:
        mc = np.linalg.inv(info)
    return Population(m, s, mc, "batch", n, it)


def _posterior(a: FloatArray, v_info: FloatArray, use: BoolArray, pop: Population) -> tuple[FloatArray, FloatArray]:
    """Posterior means and covariances; pairs with ``use`` False get the population."""
    sinv = np.linalg.inv(pop.cov)
    prec = v_info * use[:, None, None] + sinv
    cov = np.linalg.inv(prec)
    rhs = np.einsum("pij,pj->pi", v_info * use[:, None, None], np.where(use[:, None], a, 0.0)) + sinv @ pop.mean
    mean = np.einsum("pij,pj->pi", cov, rhs)
    b = cov @ sinv
    cov = cov + b @ pop.mean_cov @ b.transpose(0, 2, 1)
    return mean, cov


# --------------------------------------------------------------------------- calibration


def _simulate_like(
    a: FloatArray, mu: FloatArray, sigma: FloatArray, obs: BoolArray, z0: FloatArray, zu: FloatArray
) -> FloatArray:
    """Series of the VAR(1)s ``a`` (K, 2, 2) with the pairs' means, residual covariances
    and observed-day masks (K, T, 2): stationary start, NaN where not observed
    (``z0`` (K, 2) and ``zu`` (K, T, 2) standard normal draws)."""
    k, t_len, _ = obs.shape
    low = np.linalg.cholesky(sigma)
    kron = np.einsum("qij,qkl->qikjl", a, a).reshape(k, 4, 4)
    g0 = np.linalg.solve(np.eye(4) - kron, sigma.reshape(k, 4, 1)).reshape(k, 2, 2)
    x = np.einsum("kij,kj->ki", np.linalg.cholesky(0.5 * (g0 + g0.transpose(0, 2, 1))), z0)
    u = np.einsum("kij,ktj->kti", low, zu)
    out = np.empty((k, t_len, 2))
    a00, a01, a10, a11 = a[:, 0, 0], a[:, 0, 1], a[:, 1, 0], a[:, 1, 1]
    for t in range(t_len):
        if t:
            x = np.stack([a00 * x[:, 0] + a01 * x[:, 1], a10 * x[:, 0] + a11 * x[:, 1]], axis=1) + u[:, t]
        out[:, t] = x
    return np.asarray(np.where(obs, out + mu[:, None, :], np.nan), dtype=np.float64)


def _shrunk_sigma(st: PairStage, use: BoolArray) -> FloatArray:
    """Residual covariances for the simulation: each pair's scale, with the log ratio
    of the two residual variances and the Fisher-z residual correlation shrunk towards
    the batch's mean by their sampling variances (moment empirical Bayes) — a pair's
    own ratio and correlation from a few weeks are mostly noise, and simulating from
    them would make the simulated pairs more different from one another than real ones."""
    s = st.sigma
    scale = np.sqrt(np.abs(s[:, 0, 0] * s[:, 1, 1]))
    with np.errstate(all="ignore"):
        lr = 0.5 * np.log(s[:, 0, 0] / s[:, 1, 1])
        zr = np.arctanh(np.clip(s[:, 0, 1] / scale, -0.99, 0.99))
    n_a = np.maximum(st.n_obs[:, 0] - 3.0, 1.0)
    n_b = np.maximum(st.n_obs[:, 1] - 3.0, 1.0)
    v_lr = 0.5 / n_a + 0.5 / n_b  # var of ½ log(σ̂²_a / σ̂²_b)
    v_zr = 1.0 / np.maximum(st.n_both - 3.0, 1.0)
    ok = use & np.isfinite(lr) & np.isfinite(zr)
    out = s.copy()
    if ok.sum() < 2:
        return out
    new = []
    for x, v in ((lr, v_lr), (zr, v_zr)):
        m = float(np.mean(x[ok]))
        tau2 = max(float(np.var(x[ok]) - np.mean(v[ok])), 0.0)
        new.append(np.where(ok, m + tau2 / (tau2 + v) * (x - m), x))
    lr2, zr2 = new
    sa, sb = np.sqrt(scale) * np.exp(0.5 * lr2), np.sqrt(scale) * np.exp(-0.5 * lr2)
    good = ok[:, None, None]
    shr = np.empty_like(s)
    shr[:, 0, 0], shr[:, 1, 1] = sa * sa, sb * sb
    shr[:, 0, 1] = shr[:, 1, 0] = np.tanh(zr2) * sa * sb
    return np.asarray(np.where(good, shr, out), dtype=np.float64)


def _calibrated(
    y: FloatArray,
    st: PairStage,
    pops: list[Population],
    group: IntArray,
    swapped: BoolArray,
    use: BoolArray,
    exchangeable: Sequence[bool],
    min_pairs: int,
    prior: Prior,
    em_iter: int,
    cal_pairs: int,
) -> list[Population]:
    """Parametric-bootstrap bias correction of the fitted populations.

    The population step treats each pair's Gaussian likelihood approximation
    ``N(â, V)`` as exact. With a few weeks of days ``V`` is only accurate to about
    10 %, and the between-pair variance is a small difference (an sd of 0.08 is a
    variance of 0.0064 beside a V of ≈ 0.05–0.1), so S inherits that error. The
    error is measured where it arises: pairs with the batch's own designs (observed
    days, residual covariance, means) are simulated from the fitted population,
    fitted by the same pipeline, and the difference between the population found
    and the effects actually drawn is subtracted — additively, for m and for the
    variances of S (a miscalibrated V shifts S by a constant).
    """
    # fixed point of (m, S) = fitted − bias(m, S): the bias is evaluated at the corrected
    # values (a small between-pair variance is overestimated more than a large one)
    fitted = pops
    args = (y, st, group, swapped, use, exchangeable, min_pairs, prior, em_iter, cal_pairs)
    cur = pops
    for _ in range(CAL_ROUNDS):
        expect = _calibration_step(cur, *args)  # g → E[fitted (m, diag S)] at cur
        nxt = list(cur)
        for g, e in expect.items():
            pop = fitted[g]
            x = np.concatenate([cur[g].mean, np.diag(cur[g].cov)])
            new = x + np.concatenate([pop.mean, np.diag(pop.cov)]) - e
            var = np.maximum(new[4:], CAL_FLOOR * np.diag(pop.cov))
            nxt[g] = Population(new[:4], np.diag(var), pop.mean_cov, pop.source, pop.n_pairs, pop.iterations)
        cur = nxt
    return cur


def _calibration_step(
    pops: list[Population],
    y: FloatArray,
    st: PairStage,
    group: IntArray,
    swapped: BoolArray,
    use: BoolArray,
    exchangeable: Sequence[bool],
    min_pairs: int,
    prior: Prior,
    em_iter: int,
    cal_pairs: int,
) -> dict[int, FloatArray]:
    """One round of :func:`_calibrated`: simulate from ``pops`` and fit; per batch
    population, the expected fitted (m, diag S) at ``pops`` — the simulated fit minus
    the sampling deviation of the drawn effects (common random numbers across rounds:
    the same seed)."""
    obs = np.isfinite(y)
    picks: list[IntArray] = []
    truth: list[FloatArray] = []
    groups: list[int] = []
    sigmas: list[FloatArray] = []
    noise0: list[FloatArray] = []
    noise: list[FloatArray] = []
    for g, pop in enumerate(pops):
        if pop.source != "batch":
            continue
        mem = np.flatnonzero((group == g) & use)
        # each population on its own (seed, shrinkage): a window's fit equals its plain fit
        rng = np.random.default_rng([0x5EED, mem.size])
        sig_g = _shrunk_sigma(st, (group == g) & use)
        if mem.size > cal_pairs:
            mem = np.sort(rng.choice(mem, cal_pairs, replace=False))
        reps = max(1, -(-min(cal_pairs, CAL_MIN_PAIRS) // max(mem.size, 1)))
        idx = np.tile(mem, reps)
        # effects drawn from the fitted population (role order), redrawn while not stationary
        low = np.linalg.cholesky(pop.cov)
        draw = pop.mean + rng.standard_normal((idx.size, 4)) @ low.T
        for _ in range(50):
            bad = _spectral_radius(_unvec(np.where(swapped[idx, None], draw[:, _SWAP], draw))) >= 0.95
            if not bad.any():
                break
            draw[bad] = pop.mean + rng.standard_normal((int(bad.sum()), 4)) @ low.T
        else:
            draw[bad] = pop.mean
        picks.append(idx)
        truth.append(draw)
        groups.append(g)
        sigmas.append(sig_g[idx])
        noise0.append(rng.standard_normal((idx.size, 2)))
        noise.append(rng.standard_normal((idx.size, y.shape[1], 2)))
    if not picks:
        return {}
    idx = np.concatenate(picks)
    drawn = np.concatenate(truth)
    own = np.where(swapped[idx, None], drawn[:, _SWAP], drawn)
    ysim = _simulate_like(
        _unvec(own), st.mu[idx], np.concatenate(sigmas), obs[idx], np.concatenate(noise0), np.concatenate(noise)
    )
    sim = _fit_core(
        ysim, np.zeros(idx.size, dtype=np.int64), group[idx], swapped[idx], exchangeable, min_pairs, prior, em_iter, 0
    )
    out: dict[int, FloatArray] = {}
    lo = 0
    for g, d in zip(groups, truth, strict=True):
        ps = sim.populations[g]
        pop = pops[g]
        hi = lo + d.shape[0]
        lo = hi
        if ps.source != "batch":
            continue
        if exchangeable[g]:  # the drawn effects' moments, both orientations
            d = np.concatenate([d, d[:, _SWAP]])
        dm = ps.mean - d.mean(axis=0)
        ds = np.diag(ps.cov) - d.var(axis=0)
        out[g] = np.concatenate([pop.mean + dm, np.diag(pop.cov) + ds])
    return out


# --------------------------------------------------------------------------- arrays API


@dataclass
class PooledArrays:
    """Everything of a pooled fit as arrays over pairs (4-vectors in the order
    inertia a, inertia b, cross a→b, cross b→a — see :data:`EFFECT_CELLS`)."""

    estimate: FloatArray  # (P, 4) posterior means
    se: FloatArray  # (P, 4) posterior sds
    ci95: FloatArray  # (P, 4, 2)
    unpooled: FloatArray  # (P, 4) bias-corrected per-pair likelihood centre (NaN if not shown)
    unpooled_se: FloatArray  # (P, 4)
    own_share: FloatArray  # (P, 4) share of the posterior precision from the pair's own data
    synchrony: FloatArray  # (P,) residual correlation of the per-pair fit (not pooled)
    synchrony_ci: FloatArray  # (P, 2)
    pooled_from_population: BoolArray  # (P,)
    error: BoolArray  # (P,) the pair could not be fitted at all (see messages)
    messages: list[str]  # per pair: error or warning text ("" if none)
    n_obs: IntArray  # (P, 2)
    n_both: IntArray  # (P,)
    group: IntArray  # (P,) index into populations
    swapped: BoolArray  # (P,) persons are in reverse role order of their population
    populations: list[Population] = field(default_factory=list)
    group_names: list[str] = field(default_factory=list)
    group_roles: list[tuple[str, str] | None] = field(default_factory=list)


def _clean(y: Any) -> tuple[FloatArray, IntArray]:
    arr = np.asarray(y, dtype=np.float64)
    if arr.ndim != 3 or arr.shape[2] != 2:
        raise ValueError(f"y must be shaped (pairs, days, 2); got {arr.shape}")
    n_inf = np.isinf(arr).sum(axis=(1, 2)).astype(np.int64)
    return np.where(np.isinf(arr), np.nan, arr), n_inf


def _groups(
    labels: Sequence[tuple[str, str]] | None, p: int
) -> tuple[IntArray, BoolArray, list[str], list[tuple[str, str] | None]]:
    """Role populations for label pairs shared by ≥ 2 pairs, else one exchangeable one."""
    group = np.zeros(p, dtype=np.int64)
    swapped = np.zeros(p, dtype=bool)
    names = ["exchangeable"]
    roles: list[tuple[str, str] | None] = [None]
    if labels is None:
        return group, swapped, names, roles
    if len(labels) != p:
        raise ValueError(f"labels has {len(labels)} entries for {p} pairs")
    norm = [(str(a).strip().lower(), str(b).strip().lower()) for a, b in labels]
    counts: dict[frozenset[str], int] = {}
    for la, lb in norm:
        if la != lb:
            key = frozenset((la, lb))
            counts[key] = counts.get(key, 0) + 1
    index: dict[frozenset[str], int] = {}
    for k, (la, lb) in enumerate(norm):
        key = frozenset((la, lb))
        if la == lb or counts.get(key, 0) < 2:
            continue
        if key not in index:
            index[key] = len(names)
            names.append(f"{labels[k][0]}/{labels[k][1]}")
            roles.append((la, lb))
        g = index[key]
        group[k] = g
        role = roles[g]
        assert role is not None
        swapped[k] = la != role[0]
    return group, swapped, names, roles


def _fit_core(
    y: FloatArray,
    n_inf: IntArray,
    group: IntArray,
    swapped: BoolArray,
    exchangeable: Sequence[bool],
    min_pairs: int,
    prior: Prior,
    em_iter: int,
    cal_pairs: int | None = None,
) -> PooledArrays:
    p = y.shape[0]
    cal_pairs = CAL_PAIRS if cal_pairs is None else cal_pairs
    st = pair_stage(y, em_iter=em_iter)
    messages = [""] * p
    error = st.n_obs.min(axis=1) == 0 if p else np.zeros(0, dtype=bool)
    mean, var = st.level, st.variance
    const = (st.n_obs >= 2) & (var <= CONSTANT_TOL * np.maximum(mean * mean, 1.0))
    error |= const.any(axis=1)
    use = st.usable & ~error
    for k in np.flatnonzero(error | ~use | (n_inf > 0)).tolist():
        msg: list[str] = []
        if n_inf[k]:
            msg.append(f"{int(n_inf[k])} non-finite value(s) (inf) were left out")
        for person, name in ((0, "first"), (1, "second")):
            if st.n_obs[k, person] == 0:
                msg.append(f"the {name} person has no observations: the pair cannot be fitted")
            elif const[k, person]:
                msg.append(f"the {name} person's values do not vary (constant series): the pair cannot be fitted")
        if not error[k] and not use[k]:
            msg.append(
                f"too few usable days ({int(st.n_obs[k].min())} for one person, {int(st.n_both[k])} with both): "
                "the estimate is the population's"
            )
        messages[k] = "; ".join(msg)

    # the O(1/n) bias: n = the days from the first complete day to the last observed
    # one (checked in bench/pooled.py against the information share of the inertias,
    # which over-corrects once the weights are taken at a common reference)
    n_bias = st.n_trans + 1.0
    # (the covariance before the rounds is only used if there are none)
    v0 = _psd_inv(st.info)[0] if N_ROUNDS < 1 else st.info
    complete_ok = _complete_ok(st)
    # orient each pair to its population's role order
    orient = np.where(swapped[:, None], _SWAP[None, :], np.arange(4)[None, :])
    rows = np.arange(p)[:, None]

    def oriented(vec: FloatArray) -> FloatArray:
        return vec[rows, orient]

    def oriented_m(mat: FloatArray) -> FloatArray:
        return mat[rows[:, :, None], orient[:, :, None], orient[:, None, :]]

    n_groups = int(group.max()) + 1 if p else len(exchangeable)
    n_groups = max(n_groups, len(exchangeable))
    est = np.zeros((p, 4))
    post_cov = np.zeros((p, 4, 4))
    pops: list[Population] = []
    a_c, v_c = st.a_hat, v0
    ref = np.broadcast_to(prior.mean_vector(), (p, 4)).copy()
    for _round in range(N_ROUNDS):
        # weights must not follow each pair's own noise: Σ (hence V) is evaluated at
        # the reference point (the prior mean, then the pooled estimate)
        v_ref = _expected_cov(st, ref, complete_ok)
        a_c, v_c = _bias_corrected(st.a_hat, v_ref, ref, st.sigma, n_bias)
        info_c, ok = _psd_inv(v_c)
        use_r = use & ok & np.isfinite(a_c).all(axis=1)
        ao, io, vo = oriented(a_c), oriented_m(info_c), oriented_m(v_c)
        prev = pops
        pops = []
        for g in range(n_groups):
            sel = (group == g) & use_r
            pop = _population(ao[sel], vo[sel], exchangeable[g], min_pairs, prior, prev[g] if prev else None)
            pops.append(pop)
            members = np.flatnonzero(group == g)
            pm, pc = _posterior(ao[members], io[members], use_r[members], pop)
            est[members] = pm
            post_cov[members] = pc
        # back to each pair's own order
        back = orient  # _SWAP is its own inverse
        est = est[rows, back]
        post_cov = post_cov[rows[:, :, None], back[:, :, None], back[:, None, :]]
        # next reference: the population mean of each pair's population (a common
        # point: references that follow each pair's own noise bias m upwards)
        for g in range(n_groups):
            members = group == g
            ref[members] = np.where(swapped[members, None], pops[g].mean[_SWAP], pops[g].mean)
        use_final = use_r
    if cal_pairs > 0 and any(pop.source == "batch" for pop in pops):
        pops = _calibrated(y, st, pops, group, swapped, use_final, exchangeable, min_pairs, prior, em_iter, cal_pairs)
        for g in range(n_groups):
            members = np.flatnonzero(group == g)
            pm, pc = _posterior(ao[members], io[members], use_final[members], pops[g])
            est[members] = pm
            post_cov[members] = pc
        est = est[rows, orient]
        post_cov = post_cov[rows[:, :, None], orient[:, :, None], orient[:, None, :]]
    se = np.sqrt(np.einsum("pii->pi", post_cov))
    ci = np.stack([est - _Z975 * se, est + _Z975 * se], axis=2)
    unp_se = np.sqrt(np.maximum(np.einsum("pii->pi", v_c), 0.0))
    show = use_final & (st.n_obs.min(axis=1) >= MIN_UNPOOLED_DAYS)
    unpooled = np.where(show[:, None], a_c, np.nan)
    unp_se = np.where(show[:, None], unp_se, np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(use_final[:, None], 1.0 - _prior_share(post_cov, pops, group, swapped), 0.0)
        s = st.sigma
        r = s[:, 0, 1] / np.sqrt(s[:, 0, 0] * s[:, 1, 1])
        nz = np.maximum(st.n_both - 3.0, 1.0)
        z = np.arctanh(np.clip(r, -0.999999, 0.999999))
        half = _Z975 / np.sqrt(nz)
    sync_ok = use_final & (st.n_both >= MIN_UNPOOLED_DAYS)
    r = np.where(sync_ok, r, np.nan)
    sync_ci = np.where(sync_ok[:, None], np.stack([np.tanh(z - half), np.tanh(z + half)], axis=1), np.nan)
    est = np.where(error[:, None], np.nan, est)
    se = np.where(error[:, None], np.nan, se)
    ci = np.where(error[:, None, None], np.nan, ci)
    return PooledArrays(
        estimate=est,
        se=se,
        ci95=ci,
        unpooled=unpooled,
        unpooled_se=unp_se,
        own_share=np.clip(share, 0.0, 1.0),
        synchrony=r,
        synchrony_ci=sync_ci,
        pooled_from_population=~use_final & ~error,
        error=error,
        messages=messages,
        n_obs=st.n_obs,
        n_both=st.n_both,
        group=group,
        swapped=swapped,
        populations=pops,
    )


def _prior_share(post_cov: FloatArray, pops: list[Population], group: IntArray, swapped: BoolArray) -> FloatArray:
    """Share of each effect's posterior precision that comes from the population:
    posterior variance / population variance (1 = nothing from the pair's own data)."""
    p = post_cov.shape[0]
    if p == 0:
        return np.zeros((0, 4))
    pv = np.stack([np.diag(pop.cov + pop.mean_cov) for pop in pops])  # (G, 4)
    pvp = pv[group]
    pvp = np.where(swapped[:, None], pvp[:, _SWAP], pvp)
    return np.asarray(np.einsum("pii->pi", post_cov) / pvp, dtype=np.float64)


def fit_pooled_arrays(
    y: np.ndarray,
    *,
    labels: Sequence[tuple[str, str]] | None = None,
    min_pairs: int = MIN_PAIRS,
    prior: Prior = LITERATURE_PRIOR,
    em_iter: int = EM_ITER,
) -> PooledArrays:
    """Pooled hierarchical VAR(1) of every pair of ``y`` (pairs, days, 2), NaN = missing.

    ``labels`` (optional, per pair ``(label_a, label_b)``): label pairs shared by at
    least two pairs (e.g. parent/child) get their own role population, others share
    one exchangeable population. A population with fewer than ``min_pairs`` usable
    pairs is replaced by ``prior``. ±inf counts as missing (and is reported).
    """
    arr, n_inf = _clean(y)
    p = arr.shape[0]
    group, swapped, names, roles = _groups(labels, p)
    exch = [r is None for r in roles]
    res = _fit_core(arr, n_inf, group, swapped, exch, min_pairs, prior, em_iter)
    res.group_names = names
    res.group_roles = roles
    return res


# --------------------------------------------------------------------------- rolling windows


@dataclass
class PooledWindows:
    """Rolling-window pooled fits as arrays: window k covers days
    ``starts[k] … starts[k] + window − 1``; one population per window (and role)."""

    starts: IntArray  # (W,)
    window: int
    estimate: FloatArray  # (W, P, 4)
    ci95: FloatArray  # (W, P, 4, 2)
    unpooled: FloatArray  # (W, P, 4)
    pooled_from_population: BoolArray  # (W, P)
    observed: BoolArray  # (W, P) the pair has any observation in the window
    population_mean: FloatArray  # (W, G, 4)
    population_sd: FloatArray  # (W, G, 4)
    population_source: list[list[Literal["batch", "prior"]]]  # [W][G]


def fit_pooled_windows(
    y: np.ndarray,
    *,
    window: int = 28,
    step: int = 7,
    labels: Sequence[tuple[str, str]] | None = None,
    min_pairs: int = MIN_PAIRS,
    prior: Prior = LITERATURE_PRIOR,
    em_iter: int = EM_ITER,
) -> PooledWindows:
    """The pooled fit on rolling windows, all windows × pairs in one vectorised batch."""
    arr, n_inf = _clean(y)
    p, t_len, _ = arr.shape
    if window < 3 or step < 1:
        raise ValueError("window must be ≥ 3 days and step ≥ 1")
    starts = np.arange(0, max(t_len - window, 0) + 1, step, dtype=np.int64)
    if t_len < window:
        starts = np.zeros(1, dtype=np.int64)
        window = t_len
    w = starts.size
    view = np.lib.stride_tricks.sliding_window_view(arr, window, axis=1)  # (P, T−w+1, 2, window)
    stack = np.ascontiguousarray(view[:, starts].transpose(1, 0, 3, 2)).reshape(w * p, window, 2)
    group, swapped, _names, roles = _groups(labels, p)
    g_n = len(roles)
    big_group = (np.arange(w)[:, None] * g_n + group[None, :]).reshape(-1)
    exch = [r is None for r in roles] * w
    res = _fit_core(
        stack, np.zeros(w * p, dtype=np.int64), big_group, np.tile(swapped, w), exch, min_pairs, prior, em_iter
    )
    pm = np.array([pop.mean for pop in res.populations]).reshape(w, g_n, 4)
    ps = np.array([np.sqrt(np.diag(pop.cov)) for pop in res.populations]).reshape(w, g_n, 4)
    src = [[res.populations[k * g_n + g].source for g in range(g_n)] for k in range(w)]
    return PooledWindows(
        starts=starts,
        window=window,
        estimate=res.estimate.reshape(w, p, 4),
        ci95=res.ci95.reshape(w, p, 4, 2),
        unpooled=res.unpooled.reshape(w, p, 4),
        pooled_from_population=res.pooled_from_population.reshape(w, p),
        observed=(res.n_obs.max(axis=1) > 0).reshape(w, p),
        population_mean=pm,
        population_sd=ps,
        population_source=src,
    )


# --------------------------------------------------------------------------- typed results


@dataclass(frozen=True)
class PooledEffect:
    """One pooled effect: ``estimate``/``ci95`` are the posterior; ``unpooled`` the
    pair's own (bias-corrected) estimate, or ``None`` when too few days."""

    kind: str
    source: str
    target: str
    estimate: float | None
    se: float | None
    ci95: tuple[float, float] | None
    unpooled: float | None
    unpooled_ci95: tuple[float, float] | None
    own_data_share: float | None
    interpretation: str
    pooled: bool = True

    def as_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "from": self.source,
            "to": self.target,
            "estimate": self.estimate,
            "se": self.se,
            "ci95": None if self.ci95 is None else [self.ci95[0], self.ci95[1]],
            "exceeds_chance": None,
            "interpretation": self.interpretation,
            "pooled": self.pooled,
            "own_data_share": self.own_data_share,
            "unpooled": {
                "estimate": self.unpooled,
                "ci95": None if self.unpooled_ci95 is None else [self.unpooled_ci95[0], self.unpooled_ci95[1]],
            },
        }


PairEffects = tuple[PooledEffect, ...]


@dataclass(frozen=True)
class PooledPair:
    pair_id: str
    persons: tuple[str, str]
    n_observations: dict[str, int]
    n_days_both: int
    effects: PairEffects
    pooled_from_population: bool
    population: str
    warnings: tuple[str, ...]

    def as_json(self) -> dict[str, Any]:
        return {
            "pair_id": self.pair_id,
            "persons": [self.persons[0], self.persons[1]],
            "n_observations": dict(self.n_observations),
            "n_days_both": self.n_days_both,
            "pooled_from_population": self.pooled_from_population,
            "population": self.population,
            "effects": [e.as_json() for e in self.effects],
            "warnings": list(self.warnings),
        }


@dataclass(frozen=True)
class PopulationEffect:
    kind: str
    source: str
    target: str
    mean: float
    ci95: tuple[float, float] | None
    sd: float

    def as_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "from": self.source,
            "to": self.target,
            "mean": self.mean,
            "ci95": None if self.ci95 is None else [self.ci95[0], self.ci95[1]],
            "sd": self.sd,
        }


@dataclass(frozen=True)
class PopulationResult:
    name: str
    population_source: Literal["batch", "prior"]
    n_pairs: int
    effects: tuple[PopulationEffect, ...]
    note: str

    def as_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "population_source": self.population_source,
            "n_pairs": self.n_pairs,
            "note": self.note,
            "effects": [e.as_json() for e in self.effects],
        }


@dataclass(frozen=True)
class PooledResult:
    pairs: tuple[PooledPair, ...]
    population: tuple[PopulationResult, ...]
    errors: tuple[dict[str, str], ...]
    method: str = "pooled"

    @property
    def population_source(self) -> str:
        """ "batch" or "prior" when all populations agree, else "mixed"."""
        s = {p.population_source for p in self.population}
        return s.pop() if len(s) == 1 else "mixed"

    def to_json(self) -> dict[str, Any]:
        """The JSON form: ``pairs`` (per-pair entries), a flat ``population`` list of
        effects (each tagged with its population's ``name``/``population_source``),
        ``populations`` (grouped), ``population_source`` and ``errors``."""
        flat: list[dict[str, Any]] = []
        for pop in self.population:
            for e in pop.effects:
                d = e.as_json()
                d["population"] = pop.name
                d["population_source"] = pop.population_source
                flat.append(d)
        return {
            "method": self.method,
            "population_source": self.population_source,
            "population": flat,
            "populations": [p.as_json() for p in self.population],
            "pairs": [p.as_json() for p in self.pairs],
            "errors": [dict(e) for e in self.errors],
        }


def _f(x: float) -> float | None:
    return None if not math.isfinite(x) else float(x)


def _words(kind: str, src: str, dst: str, est: float, lo: float, hi: float, pooled: bool) -> str:
    rng = f"likely between {lo:.2f} and {hi:.2f}"
    tail = " — your pattern, informed by how patterns usually look" if pooled else ""
    if kind == "inertia":
        return f"{dst}'s mood carries over from one day to the next by about {est:.2f} ({rng}){tail}."
    return f"A day after {src} is 1 point above their usual, {dst} is about {est:.2f} points different ({rng}){tail}."


def fit_pooled(
    y: np.ndarray,
    *,
    persons: Sequence[tuple[str, str]],
    pair_ids: Sequence[str],
    labels: Sequence[tuple[str, str]] | None = None,
    min_pairs: int = MIN_PAIRS,
    prior: Prior = LITERATURE_PRIOR,
    em_iter: int = EM_ITER,
) -> PooledResult:
    """Pooled fit with typed per-pair results (see :func:`fit_pooled_arrays`).

    ``persons`` are the ids used in ``from``/``to``; ``labels`` the roles that define
    the populations (default: none — one exchangeable population).
    """
    arr = np.asarray(y, dtype=np.float64)
    p = arr.shape[0] if arr.ndim == 3 else -1
    if len(persons) != p or len(pair_ids) != p:
        raise ValueError("persons and pair_ids need one entry per pair")
    res = fit_pooled_arrays(arr, labels=labels, min_pairs=min_pairs, prior=prior, em_iter=em_iter)
    pops = _population_results(res, prior)
    est, se, ci = res.estimate.tolist(), res.se.tolist(), res.ci95.tolist()
    unp, unp_se, share = res.unpooled.tolist(), res.unpooled_se.tolist(), res.own_share.tolist()
    sync, sync_ci = res.synchrony.tolist(), res.synchrony_ci.tolist()
    pfp, err = res.pooled_from_population.tolist(), res.error.tolist()
    n_obs, n_both, group = res.n_obs.tolist(), res.n_both.tolist(), res.group.tolist()
    pairs: list[PooledPair] = []
    errors: list[dict[str, str]] = []
    for k in range(p):
        pa = (str(persons[k][0]), str(persons[k][1]))
        pid = str(pair_ids[k])
        msg = res.messages[k]
        if err[k]:
            errors.append(
                {"pair_id": pid, "message": msg.replace("the first person", pa[0]).replace("the second person", pa[1])}
            )
        elif "(inf)" in msg:
            errors.append({"pair_id": pid, "message": msg.split("; ")[0]})
        effs: list[PooledEffect] = []
        for c, (i, j) in enumerate(EFFECT_CELLS):
            kind = "inertia" if i == j else "cross_lagged"
            src, dst = pa[j], pa[i]
            e = _f(est[k][c])
            if e is None:
                effs.append(PooledEffect(kind, src, dst, None, None, None, None, None, None, "no estimate: " + msg))
                continue
            lo, hi = ci[k][c]
            u = _f(unp[k][c])
            us = _f(unp_se[k][c])
            uci = None if u is None or us is None else (u - _Z975 * us, u + _Z975 * us)
            effs.append(
                PooledEffect(kind, src, dst, e, _f(se[k][c]), (lo, hi), u, uci, None if pfp[k] else _f(share[k][c]),
                             _words(kind, src, dst, e, lo, hi, True))
            )  # fmt: skip
        r = _f(sync[k])
        sci = None if r is None else (float(sync_ci[k][0]), float(sync_ci[k][1]))
        effs.append(
            PooledEffect("synchrony", pa[0], pa[1], r, None, sci, r, sci, 1.0 if r is not None else None,
                         "same-day correlation of the two persons' surprises (this pair's own data, not pooled)"
                         if r is not None else "no estimate: too few days with both persons", pooled=False)
        )  # fmt: skip
        warns = [w for w in msg.split("; ") if w and not err[k]]
        pairs.append(
            PooledPair(pid, pa, {pa[0]: int(n_obs[k][0]), pa[1]: int(n_obs[k][1])}, int(n_both[k]), tuple(effs),
                       bool(pfp[k]), res.group_names[group[k]], tuple(warns))
        )  # fmt: skip
    return PooledResult(tuple(pairs), tuple(pops), tuple(errors))


def _population_results(res: PooledArrays, prior: Prior) -> list[PopulationResult]:
    out: list[PopulationResult] = []
    members = np.bincount(res.group, minlength=len(res.populations))
    for g, pop in enumerate(res.populations):
        if members[g] == 0:
            continue
        roles = res.group_roles[g]
        sd = np.sqrt(np.diag(pop.cov))
        half = _Z975 * np.sqrt(np.diag(pop.mean_cov))
        effs: list[PopulationEffect] = []
        if roles is None:
            spec = [("inertia", "person", "person", 0), ("cross_lagged", "partner", "person", 2)]
        else:
            ra, rb = roles
            spec = [
                ("inertia", ra, ra, 0),
                ("inertia", rb, rb, 1),
                ("cross_lagged", ra, rb, 2),
                ("cross_lagged", rb, ra, 3),
            ]
        for kind, src, dst, c in spec:
            ci = None if pop.source == "prior" else (float(pop.mean[c] - half[c]), float(pop.mean[c] + half[c]))
            effs.append(PopulationEffect(kind, src, dst, float(pop.mean[c]), ci, float(sd[c])))
        note = (
            f"estimated from {pop.n_pairs} pairs of this batch"
            if pop.source == "batch"
            else f"only {pop.n_pairs} usable pair(s) (fewer than the minimum): built-in prior — {prior.source}"
        )
        out.append(PopulationResult(res.group_names[g], pop.source, pop.n_pairs, tuple(effs), note))
    return out
