"""Vectorised Kalman filter / RTS smoother for many bivariate VAR(1) pairs at once.

The state of a pair on day t is its centred observation vector ``z_t = y_t − μ``
(two persons); the model is ``z_t = A z_{t−1} + u_t``, ``u_t ~ N(0, Σ)``, and a day
observes any subset of the two components *exactly* (no measurement error), so a
missing value is simply an unobserved state component. The likelihood conditions on
the first day on which both persons were observed (``t0``; the state is then known)
and ends on the last day anyone was observed (``t1``). Everything is elementwise on
``(P,)`` arrays per day (2 × 2 algebra written out), so one pass over T days costs
O(T) numpy calls whatever the number of pairs.

Used by :mod:`dynamics.pooled`; numpy only.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]
IntArray = NDArray[np.int64]

_LOG2PI = float(np.log(2.0 * np.pi))


@dataclass
class Layout:
    """Day-major data of a chunk of pairs: values ``(T, P)`` per person (0 where
    missing), observed masks, and each pair's first complete day / last observed day."""

    ya: FloatArray
    yb: FloatArray
    oa: BoolArray
    ob: BoolArray
    t0: IntArray
    t1: IntArray

    @classmethod
    def from_pairs(cls, y: FloatArray) -> Layout:
        """From ``(P, T, 2)`` with NaN for missing (non-finite already turned to NaN)."""
        obs = np.isfinite(y)
        both = obs[:, :, 0] & obs[:, :, 1]
        anyo = obs[:, :, 0] | obs[:, :, 1]
        t_len = y.shape[1]
        has_both = both.any(axis=1)
        t0 = np.where(has_both, np.argmax(both, axis=1), t_len).astype(np.int64)
        t1 = np.where(anyo.any(axis=1), t_len - 1 - np.argmax(anyo[:, ::-1], axis=1), -1).astype(np.int64)
        ya = np.ascontiguousarray(np.where(obs[:, :, 0], y[:, :, 0], 0.0).T)
        yb = np.ascontiguousarray(np.where(obs[:, :, 1], y[:, :, 1], 0.0).T)
        return cls(ya, yb, np.ascontiguousarray(obs[:, :, 0].T), np.ascontiguousarray(obs[:, :, 1].T), t0, t1)

    def cols(self, lo: int, hi: int) -> Layout:
        """The pairs ``lo:hi``."""
        return Layout(
            self.ya[:, lo:hi], self.yb[:, lo:hi], self.oa[:, lo:hi], self.ob[:, lo:hi], self.t0[lo:hi], self.t1[lo:hi]
        )

    def tile(self, k: int) -> Layout:
        """The same pairs repeated ``k`` times (for finite differences in one pass)."""
        return Layout(
            np.tile(self.ya, (1, k)),
            np.tile(self.yb, (1, k)),
            np.tile(self.oa, (1, k)),
            np.tile(self.ob, (1, k)),
            np.tile(self.t0, k),
            np.tile(self.t1, k),
        )


@dataclass
class Moments:
    """Smoothed sufficient statistics over the transitions t0 → t1 of each pair.

    ``s00 = Σ E[z_{t−1} z_{t−1}ᵀ]``, ``s11 = Σ E[z_t z_tᵀ]``, ``s10 = Σ E[z_t z_{t−1}ᵀ]``
    (all ``(P, 2, 2)``), ``m0 = Σ E[z_{t−1}]``, ``m1 = Σ E[z_t]`` (``(P, 2)``), ``n``
    the number of transitions, ``loglik`` the exact log-likelihood of the observed
    values after day t0 given day t0.
    """

    s00: FloatArray
    s11: FloatArray
    s10: FloatArray
    m0: FloatArray
    m1: FloatArray
    n: FloatArray
    loglik: FloatArray


def smooth(
    lay: Layout,
    mu: FloatArray,
    a: FloatArray,
    sig: FloatArray,
    *,
    need_moments: bool = True,
    need_loglik: bool | None = None,
    work: FloatArray | None = None,
) -> Moments:
    """One forward (filter) and backward (RTS) pass for all pairs of ``lay``.

    ``mu`` (P, 2), ``a`` (P, 2, 2) with ``a[p, i, j]`` = effect of j yesterday on i
    today, ``sig`` (P, 2, 2) positive definite. Pairs with ``t0 ≥ t1`` contribute
    nothing (zero moments, zero log-likelihood). The log-likelihood is computed when
    ``need_loglik`` (default: only when the moments are not needed). ``work``: an
    optional float64 buffer of at least :func:`work_size` elements, reused across
    calls (fresh memory costs its first touch: ≈ 15 % of a pass).
    """
    with np.errstate(all="ignore"):
        return _smooth(lay, mu, a, sig, need_moments, (not need_moments) if need_loglik is None else need_loglik, work)


def work_size(t_len: int, p: int) -> int:
    """Elements of the ``work`` buffer of :func:`smooth` for ``p`` pairs × ``t_len`` days."""
    return 20 * t_len * p


def _smooth(
    lay: Layout,
    mu: FloatArray,
    a: FloatArray,
    sig: FloatArray,
    need_moments: bool,
    need_ll: bool,
    work: FloatArray | None = None,
) -> Moments:
    t_len, p = lay.ya.shape
    size = work_size(t_len, p)
    if work is None or work.size < size or work.dtype != np.float64:
        work = np.empty(size)
    # a pair with non-finite parameters is run with harmless ones and reported as NaN
    # (zero if it has no transitions), as the masked recursion would otherwise spread
    # the NaN through the 0/1 multipliers below
    fin = np.isfinite(a).all(axis=(1, 2)) & np.isfinite(sig).all(axis=(1, 2)) & np.isfinite(mu).all(axis=1)
    bad: BoolArray = np.asarray(~fin, dtype=np.bool_)
    if bad.any():
        a = np.where(bad[:, None, None], 0.0, a)
        sig = np.where(bad[:, None, None], np.eye(2), sig)
        mu = np.where(bad[:, None], 0.0, mu)
    a11, a12, a21, a22 = (np.ascontiguousarray(a[:, i, j]) for i, j in ((0, 0), (0, 1), (1, 0), (1, 1)))
    s11_, s12_, s22_ = (np.ascontiguousarray(sig[:, i, j]) for i, j in ((0, 0), (0, 1), (1, 1)))
    mua, mub = np.ascontiguousarray(mu[:, 0]), np.ascontiguousarray(mu[:, 1])
    t0, t1 = lay.t0, lay.t1

    # what does not depend on the recursion, for all days at once; the masks are 0/1
    # multipliers (cheaper than np.where). Day t0 is "observed" for both persons (the
    # state is then known exactly); outside [t0, t1] the filtered state is 0.
    # (all in ``work``: 20 planes of (T, P) — predicted, filtered, data and masks)
    planes = work[:size].reshape(20, t_len, p)
    pred, filt = planes[0:5], planes[5:10]
    za_all, zb_all, wa_all, wb_all, nwa_all, nwb_all, zwa_all, zwb_all, keep_all, inner_all = planes[10:20]
    days = np.arange(t_len)[:, None]
    act_all = (days > t0) & (days <= t1)
    start_all = days == t0
    np.copyto(keep_all, act_all | start_all)
    np.copyto(wa_all, (lay.oa & act_all) | start_all)
    np.copyto(wb_all, (lay.ob & act_all) | start_all)
    np.subtract(lay.ya, mua, out=za_all)
    np.subtract(lay.yb, mub, out=zb_all)
    np.subtract(1.0, wa_all, out=nwa_all)
    np.subtract(1.0, wb_all, out=nwb_all)
    np.multiply(za_all, wa_all, out=zwa_all)  # z where observed, else 0
    np.multiply(zb_all, wb_all, out=zwb_all)
    if need_ll:
        lla_all = lay.oa & act_all
        llb_all = lay.ob & act_all
    ll = np.zeros(p)
    zero = np.zeros(p)
    fa = fb = faa = fab = fbb = zero
    tmp = np.empty(p)
    for t in range(t_len):
        za = za_all[t]
        zb = zb_all[t]
        wa, nwa, zwa = wa_all[t], nwa_all[t], zwa_all[t]
        wb, nwb, zwb = wb_all[t], nwb_all[t], zwb_all[t]
        ma, mb, paa, pab, pbb = pred[:, t]
        # predict from yesterday's filtered state
        np.multiply(a11, fa, out=ma)
        ma += np.multiply(a12, fb, out=tmp)
        np.multiply(a21, fa, out=mb)
        mb += np.multiply(a22, fb, out=tmp)
        # A P Aᵀ + Σ, with P = [[faa, fab], [fab, fbb]]
        r1a = a11 * faa + a12 * fab  # (A P)[0, 0]
        r1b = a11 * fab + a12 * fbb  # (A P)[0, 1]
        r2a = a21 * faa + a22 * fab
        r2b = a21 * fab + a22 * fbb
        np.multiply(r1a, a11, out=paa)
        paa += np.multiply(r1b, a12, out=tmp)
        paa += s11_
        np.multiply(r1a, a21, out=pab)
        pab += np.multiply(r1b, a22, out=tmp)
        pab += s12_
        np.multiply(r2a, a21, out=pbb)
        pbb += np.multiply(r2b, a22, out=tmp)
        pbb += s22_
        # sequential exact updates: person a, then person b (w = 1 where observed)
        fa, fb, faa, fab, fbb = filt[:, t]
        va = za - ma
        caa = np.fmax(paa, 1e-300)  # only a degenerate Σ gets here
        if need_ll:
            ll -= np.where(lla_all[t], 0.5 * (_LOG2PI + np.log(caa) + va * va / caa), 0.0)
        ka = pab * (wa / caa)  # the gain where observed, else 0
        # (filtered values are written straight into filt[:, t]; the observed value
        # exactly where observed: m × 0 + z × 1)
        np.multiply(ma, nwa, out=fa)
        fa += zwa
        np.multiply(ka, va, out=fb)
        fb += mb
        np.multiply(ka, pab, out=fbb)
        np.subtract(pbb, fbb, out=fbb)
        np.multiply(caa, nwa, out=faa)
        np.multiply(pab, nwa, out=fab)
        vb = zb - fb
        cbb = np.where(fbb > 0, fbb, 1.0)
        if need_ll:
            ll -= np.where(llb_all[t], 0.5 * (_LOG2PI + np.log(cbb) + vb * vb / cbb), 0.0)
        kb = fab * (wb / cbb)
        fb *= nwb
        fb += zwb
        fa += np.multiply(kb, vb, out=tmp)
        faa -= np.multiply(kb, fab, out=tmp)
        fbb *= nwb
        fab *= nwb
        # outside [t0, t1]: nothing (on day t0 the covariance is already 0)
        keep = keep_all[t]
        fa *= keep
        fb *= keep
        faa *= keep
        fab *= keep
        fbb *= keep
    z2 = np.zeros((p, 2, 2))
    if not need_moments:
        ll[bad & (t1 > t0)] = np.nan
        return Moments(z2, z2.copy(), z2.copy(), np.zeros((p, 2)), np.zeros((p, 2)), np.zeros(p), ll)

    # backward pass (Rauch–Tung–Striebel) with the lag-one smoothed covariance
    np.copyto(inner_all, (days >= t0) & (days < t1))
    # sums over all days t0 … t1 of E[z_t z_tᵀ] (aa, ab, bb), over the transitions of
    # E[z_{t+1} z_tᵀ] (aa, ab, ba, bb), over all days of E[z_t] (a, b); the first (last)
    # day is taken off below for the sums over t (t + 1)
    acc = np.zeros((9, p))
    sa, sb, saa, sab, sbb = filt[:, t_len - 1]
    acc[0] += saa + sa * sa
    acc[1] += sab + sa * sb
    acc[2] += sbb + sb * sb
    acc[7] += sa
    acc[8] += sb
    for t in range(t_len - 2, -1, -1):
        fa, fb, faa, fab, fbb = filt[:, t]
        ma, mb, paa, pab, pbb = pred[:, t + 1]
        # J = P_f Aᵀ P_pred⁻¹ (0 outside the transitions t0 ≤ t < t1: there the
        # smoothed state is the filtered one)
        det = paa * pbb - pab * pab
        idet = inner_all[t] / np.where(det > 0, det, 1.0)
        iaa, iab, ibb = pbb * idet, pab * idet, paa * idet  # (iab with the sign flipped)
        # P_f Aᵀ: rows of P_f times rows of A
        c11 = faa * a11 + fab * a12
        c12 = faa * a21 + fab * a22
        c21 = fab * a11 + fbb * a12
        c22 = fab * a21 + fbb * a22
        j11 = c11 * iaa - c12 * iab
        j12 = c12 * ibb - c11 * iab
        j21 = c21 * iaa - c22 * iab
        j22 = c22 * ibb - c21 * iab
        da, db = sa - ma, sb - mb
        daa, dab, dbb = saa - paa, sab - pab, sbb - pbb
        # J D Jᵀ
        e11 = j11 * daa + j12 * dab
        e12 = j11 * dab + j12 * dbb
        e21 = j21 * daa + j22 * dab
        e22 = j21 * dab + j22 * dbb
        # lag-one: Cov(z_{t+1}, z_t) = P_s(t+1) Jᵀ (exactly 0 outside the transitions:
        # the smoothed state is known on day t0 and 0 before it, and 0 after t1)
        l11 = saa * j11 + sab * j12
        l12 = saa * j21 + sab * j22
        l21 = sab * j11 + sbb * j12
        l22 = sab * j21 + sbb * j22
        na = fa + j11 * da + j12 * db
        nb = fb + j21 * da + j22 * db
        naa = faa + e11 * j11 + e12 * j12
        nab = fab + e11 * j21 + e12 * j22
        nbb = fbb + e21 * j21 + e22 * j22
        acc[0] += naa + na * na
        acc[1] += nab + na * nb
        acc[2] += nbb + nb * nb
        acc[3] += l11 + sa * na  # E[z_{t+1,a} z_{t,a}]
        acc[4] += l12 + sa * nb  # E[z_{t+1,a} z_{t,b}]
        acc[5] += l21 + sb * na
        acc[6] += l22 + sb * nb
        acc[7] += na
        acc[8] += nb
        sa, sb, saa, sab, sbb = na, nb, naa, nab, nbb
    n = np.clip(t1 - np.minimum(t0, t1), 0, None).astype(np.float64)
    # the smoothed state on day t0 (known: the filtered one) and on day t1 (= filtered)
    cols = np.arange(p)
    f0 = filt[:, np.clip(t0, 0, t_len - 1), cols]
    f1 = filt[:, np.clip(t1, 0, t_len - 1), cols]
    pos = n > 0
    g0 = np.stack([f0[2] + f0[0] * f0[0], f0[3] + f0[0] * f0[1], f0[4] + f0[1] * f0[1], f0[0], f0[1]])
    g1 = np.stack([f1[2] + f1[0] * f1[0], f1[3] + f1[0] * f1[1], f1[4] + f1[1] * f1[1], f1[0], f1[1]])
    tot = acc[[0, 1, 2, 7, 8]]
    x0 = np.where(pos, tot - g1, 0.0)  # over t = t0 … t1 − 1
    x1 = np.where(pos, tot - g0, 0.0)  # over t + 1 = t0 + 1 … t1
    s00 = np.empty((p, 2, 2))
    s11 = np.empty((p, 2, 2))
    s10 = np.empty((p, 2, 2))
    s00[:, 0, 0], s00[:, 0, 1], s00[:, 1, 0], s00[:, 1, 1] = x0[0], x0[1], x0[1], x0[2]
    s11[:, 0, 0], s11[:, 0, 1], s11[:, 1, 0], s11[:, 1, 1] = x1[0], x1[1], x1[1], x1[2]
    s10[:, 0, 0], s10[:, 0, 1], s10[:, 1, 0], s10[:, 1, 1] = acc[3], acc[4], acc[5], acc[6]
    mom = Moments(s00, s11, s10, x0[3:5].T.copy(), x1[3:5].T.copy(), n, ll)
    if bad.any():
        _blank(mom, bad & pos)
    return mom


def _blank(mom: Moments, rows: BoolArray) -> None:
    """NaN moments and log-likelihood for ``rows`` (the count ``n`` is kept)."""
    for x in (mom.s00, mom.s11, mom.s10, mom.m0, mom.m1, mom.loglik):
        x[rows] = np.nan
