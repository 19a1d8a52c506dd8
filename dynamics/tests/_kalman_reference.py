"""The previous implementation of ``dynamics._kalman._smooth`` (before the speed work of
issue 14), kept verbatim as the reference the optimised one must equal to round-off."""

from __future__ import annotations

import numpy as np

from dynamics._kalman import _LOG2PI, FloatArray, Layout, Moments


def smooth_reference(
    lay: Layout, mu: FloatArray, a: FloatArray, sig: FloatArray, need_moments: bool, need_ll: bool
) -> Moments:
    t_len, p = lay.ya.shape
    a11, a12, a21, a22 = (np.ascontiguousarray(a[:, i, j]) for i, j in ((0, 0), (0, 1), (1, 0), (1, 1)))
    s11_, s12_, s22_ = (np.ascontiguousarray(sig[:, i, j]) for i, j in ((0, 0), (0, 1), (1, 1)))
    mua, mub = np.ascontiguousarray(mu[:, 0]), np.ascontiguousarray(mu[:, 1])
    t0, t1 = lay.t0, lay.t1

    # stored per day: predicted mean/cov (ma, mb, paa, pab, pbb) and filtered ones
    pred = np.zeros((5, t_len, p))
    filt = np.zeros((5, t_len, p))
    ll = np.zeros(p)
    fa = np.zeros(p)
    fb = np.zeros(p)
    faa = np.zeros(p)
    fab = np.zeros(p)
    fbb = np.zeros(p)
    for t in range(t_len):
        za = lay.ya[t] - mua
        zb = lay.yb[t] - mub
        # predict from yesterday's filtered state
        ma = a11 * fa + a12 * fb
        mb = a21 * fa + a22 * fb
        # A P Aᵀ + Σ, with P = [[faa, fab], [fab, fbb]]
        r1a = a11 * faa + a12 * fab  # (A P)[0, 0]
        r1b = a11 * fab + a12 * fbb  # (A P)[0, 1]
        r2a = a21 * faa + a22 * fab
        r2b = a21 * fab + a22 * fbb
        paa = r1a * a11 + r1b * a12 + s11_
        pab = r1a * a21 + r1b * a22 + s12_
        pbb = r2a * a21 + r2b * a22 + s22_
        act = (t > t0) & (t <= t1)
        start = t == t0
        pr = pred[:, t]
        pr[0], pr[1], pr[2], pr[3], pr[4] = ma, mb, paa, pab, pbb
        # sequential exact updates: person a, then person b
        ua = lay.oa[t] & act
        va = za - ma
        paa = np.where(paa > 0, paa, 1e-300)  # only a degenerate Σ gets here
        inv = 1.0 / paa
        ka = pab * inv
        if need_ll:
            ll -= np.where(ua, 0.5 * (_LOG2PI + np.log(paa) + va * va * inv), 0.0)
        ma = np.where(ua, za, ma)
        mb = np.where(ua, mb + ka * va, mb)
        pbb = np.where(ua, pbb - pab * ka, pbb)
        paa = np.where(ua, 0.0, paa)
        pab = np.where(ua, 0.0, pab)
        ub = lay.ob[t] & act
        vb = zb - mb
        safe = np.where(pbb > 0, pbb, 1.0)
        inv = 1.0 / safe
        kb = pab * inv
        if need_ll:
            ll -= np.where(ub, 0.5 * (_LOG2PI + np.log(safe) + vb * vb * inv), 0.0)
        mb = np.where(ub, zb, mb)
        ma = np.where(ub, ma + kb * vb, ma)
        paa = np.where(ub, paa - pab * kb, paa)
        pbb = np.where(ub, 0.0, pbb)
        pab = np.where(ub, 0.0, pab)
        # day t0: the state is known exactly; outside [t0, t1]: nothing
        keep = act | start
        fa = np.where(start, za, np.where(keep, ma, 0.0))
        fb = np.where(start, zb, np.where(keep, mb, 0.0))
        faa = np.where(act, paa, 0.0)
        fab = np.where(act, pab, 0.0)
        fbb = np.where(act, pbb, 0.0)
        fl = filt[:, t]
        fl[0], fl[1], fl[2], fl[3], fl[4] = fa, fb, faa, fab, fbb
    z2 = np.zeros((p, 2, 2))
    if not need_moments:
        return Moments(z2, z2.copy(), z2.copy(), np.zeros((p, 2)), np.zeros((p, 2)), np.zeros(p), ll)

    # backward pass (Rauch–Tung–Striebel) with the lag-one smoothed covariance
    acc = np.zeros((14, p))  # s00 (aa, ab, bb), s11 (aa, ab, bb), s10 (aa, ab, ba, bb), m0 (2), m1 (2)
    sa = np.zeros(p)
    sb = np.zeros(p)
    saa = np.zeros(p)
    sab = np.zeros(p)
    sbb = np.zeros(p)
    for t in range(t_len - 1, -1, -1):
        fa, fb, faa, fab, fbb = filt[:, t]
        if t < t_len - 1:
            ma, mb, paa, pab, pbb = pred[:, t + 1]
            # J = P_f Aᵀ P_pred⁻¹
            det = paa * pbb - pab * pab
            idet = 1.0 / np.where(det > 0, det, 1.0)
            iaa, iab, ibb = pbb * idet, -pab * idet, paa * idet
            # P_f Aᵀ: rows of P_f times rows of A
            c11 = faa * a11 + fab * a12
            c12 = faa * a21 + fab * a22
            c21 = fab * a11 + fbb * a12
            c22 = fab * a21 + fbb * a22
            j11 = c11 * iaa + c12 * iab
            j12 = c11 * iab + c12 * ibb
            j21 = c21 * iaa + c22 * iab
            j22 = c21 * iab + c22 * ibb
            da, db = sa - ma, sb - mb
            daa, dab, dbb = saa - paa, sab - pab, sbb - pbb
            # J D Jᵀ
            e11 = j11 * daa + j12 * dab
            e12 = j11 * dab + j12 * dbb
            e21 = j21 * daa + j22 * dab
            e22 = j21 * dab + j22 * dbb
            inner = (t >= t0) & (t < t1)
            # lag-one: Cov(z_{t+1}, z_t) = P_s(t+1) Jᵀ
            l11 = saa * j11 + sab * j12
            l12 = saa * j21 + sab * j22
            l21 = sab * j11 + sbb * j12
            l22 = sab * j21 + sbb * j22
            na = np.where(inner, fa + j11 * da + j12 * db, fa)
            nb = np.where(inner, fb + j21 * da + j22 * db, fb)
            naa = np.where(inner, faa + e11 * j11 + e12 * j12, faa)
            nab = np.where(inner, fab + e11 * j21 + e12 * j22, fab)
            nbb = np.where(inner, fbb + e21 * j21 + e22 * j22, fbb)
            w = inner.astype(np.float64)
            acc[0] += w * (naa + na * na)
            acc[1] += w * (nab + na * nb)
            acc[2] += w * (nbb + nb * nb)
            acc[3] += w * (saa + sa * sa)
            acc[4] += w * (sab + sa * sb)
            acc[5] += w * (sbb + sb * sb)
            acc[6] += w * (l11 + sa * na)  # E[z_{t+1,a} z_{t,a}]
            acc[7] += w * (l12 + sa * nb)  # E[z_{t+1,a} z_{t,b}]
            acc[8] += w * (l21 + sb * na)
            acc[9] += w * (l22 + sb * nb)
            acc[10] += w * na
            acc[11] += w * nb
            acc[12] += w * sa
            acc[13] += w * sb
            sa, sb, saa, sab, sbb = na, nb, naa, nab, nbb
        else:
            sa, sb, saa, sab, sbb = fa, fb, faa, fab, fbb
    s00 = np.empty((p, 2, 2))
    s11 = np.empty((p, 2, 2))
    s10 = np.empty((p, 2, 2))
    s00[:, 0, 0], s00[:, 0, 1], s00[:, 1, 0], s00[:, 1, 1] = acc[0], acc[1], acc[1], acc[2]
    s11[:, 0, 0], s11[:, 0, 1], s11[:, 1, 0], s11[:, 1, 1] = acc[3], acc[4], acc[4], acc[5]
    s10[:, 0, 0], s10[:, 0, 1], s10[:, 1, 0], s10[:, 1, 1] = acc[6], acc[7], acc[8], acc[9]
    n = np.clip(t1 - np.minimum(t0, t1), 0, None).astype(np.float64)
    return Moments(s00, s11, s10, acc[10:12].T.copy(), acc[12:14].T.copy(), n, ll)
