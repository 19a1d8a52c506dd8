"""Tests of the pooled (hierarchical, empirical-Bayes) VAR(1) in dynamics.pooled."""

from __future__ import annotations

import json
import warnings

import numpy as np
import pytest
from scipy import optimize, stats

from dynamics._kalman import Layout, smooth
from dynamics.coupling import fit_var1_arrays
from dynamics.pooled import (
    EFFECT_CELLS,
    LITERATURE_PRIOR,
    fit_pooled,
    fit_pooled_arrays,
    fit_pooled_windows,
    meta_fit,
    pair_stage,
)


def _simulate(rng, p, days, *, inertia=(0.4, 0.12), cross=(0.1, 0.08), rho=0.3, missing=0.0, a=None):
    if a is None:
        a = np.zeros((p, 2, 2))
        a[:, 0, 0] = rng.normal(*inertia, p)
        a[:, 1, 1] = rng.normal(*inertia, p)
        a[:, 1, 0] = rng.normal(*cross, p)
        a[:, 0, 1] = rng.normal(*cross, p)
    burn = 60
    z = rng.standard_normal((p, burn + days, 2))
    u = np.stack([z[:, :, 0], rho * z[:, :, 0] + np.sqrt(1 - rho**2) * z[:, :, 1]], axis=2)
    x = np.zeros((p, 2))
    out = np.empty((p, days, 2))
    for t in range(burn + days):
        x = np.einsum("pij,pj->pi", a, x) + u[:, t]
        if t >= burn:
            out[:, t - burn] = x
    y = out + rng.uniform(3, 7, (p, 1, 2))
    if missing:
        y[rng.random(y.shape) < missing] = np.nan
    return y, a


def _truth_vec(a):
    return np.stack([a[:, i, j] for i, j in EFFECT_CELLS], axis=1)


# --------------------------------------------------------------------------- an independent likelihood


def _direct_loglik(y1, mu, a, sig):
    """Log-likelihood of one pair's observed values after its first complete day, given
    that day, from the explicit joint normal of the VAR(1) (no Kalman filter)."""
    obs = np.isfinite(y1)
    both = obs.all(axis=1)
    t0 = int(np.argmax(both))
    t1 = int(np.max(np.flatnonzero(obs.any(axis=1))))
    z0 = y1[t0] - mu
    n = t1 - t0
    powers = [np.eye(2)]
    for _ in range(n):
        powers.append(a @ powers[-1])
    var = [np.zeros((2, 2))]
    for _ in range(n):
        var.append(a @ var[-1] @ a.T + sig)
    mean = np.concatenate([powers[k] @ z0 for k in range(1, n + 1)])
    cov = np.zeros((2 * n, 2 * n))
    for t in range(1, n + 1):
        for s in range(1, t + 1):
            block = powers[t - s] @ var[s]  # Cov(z_t, z_s) for t ≥ s
            cov[2 * (t - 1) : 2 * t, 2 * (s - 1) : 2 * s] = block
            cov[2 * (s - 1) : 2 * s, 2 * (t - 1) : 2 * t] = block.T
    vals = (y1[t0 + 1 : t1 + 1] - mu).reshape(-1)
    sel = obs[t0 + 1 : t1 + 1].reshape(-1)
    return stats.multivariate_normal(mean[sel], cov[np.ix_(sel, sel)]).logpdf(vals[sel])


def test_kalman_loglik_equals_direct_joint_normal():
    rng = np.random.default_rng(3)
    y, _ = _simulate(rng, 3, 25, missing=0.3)
    y[0, 0] = [5.0, 5.0]  # make sure a complete first day exists
    mu = np.nanmean(y, axis=1)
    a = np.array([[[0.5, 0.1], [0.2, 0.3]], [[0.3, -0.2], [0.1, 0.6]], [[0.0, 0.4], [0.3, 0.2]]])
    sig = np.array([[[1.0, 0.3], [0.3, 0.8]], [[0.5, -0.1], [-0.1, 1.5]], [[2.0, 0.0], [0.0, 1.0]]])
    ll = smooth(Layout.from_pairs(y), mu, a, sig, need_moments=False).loglik
    for k in range(3):
        assert ll[k] == pytest.approx(_direct_loglik(y[k], mu[k], a[k], sig[k]), abs=1e-8)


def test_per_pair_mle_agrees_with_scipy_optimize():
    """EM on the vectorised Kalman likelihood, run to convergence, equals a general-purpose
    optimiser of the same (independently coded) likelihood, to 1e-4."""
    rng = np.random.default_rng(11)
    y, _ = _simulate(rng, 2, 26, missing=0.2)
    for k in range(2):
        y[k, 0] = [5.0, 5.5]
    st = pair_stage(y, em_iter=3000, ridge_days=0.0)

    # without the EM ridge the converged iterate and the Newton-extrapolated centre
    # a_hat are both the maximum likelihood estimate
    for k in range(2):

        def nll(x, k=k):
            mu = x[:2]
            a = x[2:6].reshape(2, 2)
            low = np.array([[np.exp(x[6]), 0.0], [x[7], np.exp(x[8])]])
            if np.max(np.abs(np.linalg.eigvals(a))) >= 0.999:
                return 1e10
            return -_direct_loglik(y[k], mu, a, low @ low.T)

        s = st.sigma[k]
        c = np.linalg.cholesky(s)
        x0 = np.concatenate([st.mu[k], st.a_iter[k].ravel(), [np.log(c[0, 0]), c[1, 0], np.log(c[1, 1])]])
        x0 = x0 + 0.05 * rng.standard_normal(x0.size)
        res = optimize.minimize(nll, x0, method="BFGS", options={"gtol": 1e-9, "maxiter": 5000})
        res = optimize.minimize(nll, res.x, method="BFGS", options={"gtol": 1e-9, "maxiter": 5000})
        a_sc = res.x[2:6].reshape(2, 2)
        a_ours = np.zeros((2, 2))
        for c_, (i, j) in enumerate(EFFECT_CELLS):
            a_ours[i, j] = st.a_hat[k, c_]
        np.testing.assert_allclose(a_ours, a_sc, atol=1e-4)
        np.testing.assert_allclose(st.mu[k], res.x[:2], atol=1e-4)
        np.testing.assert_allclose(st.a_iter[k], a_sc, atol=1e-4)
        low = np.array([[np.exp(res.x[6]), 0.0], [res.x[7], np.exp(res.x[8])]])
        np.testing.assert_allclose(st.sigma[k], low @ low.T, atol=1e-4)


def test_population_fit_agrees_with_scipy_optimize():
    rng = np.random.default_rng(5)
    n = 300
    m_true = np.array([0.4, 0.35, 0.1, 0.05])
    s_true = np.diag([0.12, 0.1, 0.08, 0.06]) ** 2
    v = np.empty((n, 4, 4))
    for i in range(n):
        q = rng.standard_normal((4, 4)) * 0.1
        v[i] = q @ q.T + np.eye(4) * rng.uniform(0.005, 0.05)
    a = np.array([rng.multivariate_normal(m_true, s_true + v[i]) for i in range(n)])
    m, s, _ = meta_fit(a, v, np.ones(n))
    tril = np.tril_indices(4)

    def nll(x):
        low = np.zeros((4, 4))
        low[tril] = x[4:]
        c = low @ low.T + v
        r = a - x[:4]
        return 0.5 * sum(np.linalg.slogdet(c[i])[1] + r[i] @ np.linalg.solve(c[i], r[i]) for i in range(n))

    x0 = np.concatenate([a.mean(axis=0), np.linalg.cholesky(np.diag([0.01] * 4))[tril]])
    res = optimize.minimize(nll, x0, method="BFGS", options={"gtol": 1e-10, "maxiter": 5000})
    low = np.zeros((4, 4))
    low[tril] = res.x[4:]
    np.testing.assert_allclose(m, res.x[:4], atol=1e-4)
    np.testing.assert_allclose(s, low @ low.T, atol=1e-4)


# --------------------------------------------------------------------------- recovery


def test_recovery_of_a_simulated_population():
    rng = np.random.default_rng(20261201)
    y, a = _simulate(rng, 1500, 60, missing=0.1)
    res = fit_pooled_arrays(y)
    pop = res.populations[0]
    assert pop.source == "batch"
    assert pop.mean[0] == pytest.approx(0.4, abs=0.03)
    assert pop.mean[2] == pytest.approx(0.1, abs=0.02)
    sd = np.sqrt(np.diag(pop.cov))
    assert sd[0] == pytest.approx(0.12, abs=0.04)
    assert sd[2] == pytest.approx(0.08, abs=0.04)
    tv = _truth_vec(a)
    inside = (res.ci95[:, :, 0] <= tv) & (tv <= res.ci95[:, :, 1])
    assert 0.90 <= inside.mean() <= 0.99
    rmse_pooled = np.sqrt(np.mean((res.estimate - tv) ** 2, axis=0))
    rmse_unpooled = np.sqrt(np.nanmean((res.unpooled - tv) ** 2, axis=0))
    assert (rmse_pooled < 0.8 * rmse_unpooled).all()
    # the cross-lagged effects gain most
    assert (rmse_pooled[2:] < 0.6 * rmse_unpooled[2:]).all()


def test_population_mean_is_not_biased_down_like_person_mean_centring():
    """At 30 days the per-pair OLS inertia is biased by ≈ −(1 + 3ρ)/T ≈ −0.07; the pooled
    population mean must not inherit that."""
    rng = np.random.default_rng(8)
    y, a = _simulate(rng, 2000, 30, inertia=(0.4, 0.08), cross=(0.1, 0.05))
    ols = fit_var1_arrays(y, method="ols")["coef"]
    assert np.nanmean(ols[:, 0, 0]) < 0.36  # the bias we must not inherit
    pop = fit_pooled_arrays(y).populations[0]
    assert pop.mean[0] == pytest.approx(0.4, abs=0.025)


# --------------------------------------------------------------------------- prior fallback


def test_one_pair_falls_back_to_the_prior_and_says_so():
    rng = np.random.default_rng(1)
    y, _ = _simulate(rng, 1, 60)
    out = fit_pooled(y, persons=[("mum", "kid")], pair_ids=["p1"]).to_json()
    assert out["population_source"] == "prior"
    assert out["populations"][0]["population_source"] == "prior"
    assert "prior" in out["populations"][0]["note"]
    inertia = [e for e in out["population"] if e["kind"] == "inertia"][0]
    assert inertia["mean"] == pytest.approx(LITERATURE_PRIOR.inertia_mean)
    assert inertia["ci95"] is None
    effs = out["pairs"][0]["effects"]
    assert [e["kind"] for e in effs] == ["inertia", "inertia", "cross_lagged", "cross_lagged", "synchrony"]
    assert all(e["estimate"] is not None and e["ci95"][0] < e["estimate"] < e["ci95"][1] for e in effs)
    json.dumps(out)


def test_below_min_pairs_uses_prior_above_uses_batch():
    rng = np.random.default_rng(2)
    y, _ = _simulate(rng, 60, 40)
    assert fit_pooled_arrays(y[:30]).populations[0].source == "prior"
    assert fit_pooled_arrays(y[:30], min_pairs=20).populations[0].source == "batch"
    assert fit_pooled_arrays(y).populations[0].source == "batch"


def test_pair_with_too_few_days_gets_the_population_with_a_wide_interval():
    rng = np.random.default_rng(4)
    y, _ = _simulate(rng, 200, 60, missing=0.1)
    y[0, 4:] = np.nan  # four days only
    res = fit_pooled(y, persons=[("a", "b")] * 200, pair_ids=[f"p{i}" for i in range(200)])
    short = res.pairs[0]
    assert short.pooled_from_population
    assert short.warnings and "population" in short.warnings[0]
    pop = res.population[0].effects[0]
    e0 = short.effects[0]
    assert e0.estimate == pytest.approx(pop.mean, abs=1e-9)
    assert e0.unpooled is None
    width_short = e0.ci95[1] - e0.ci95[0]
    width_long = res.pairs[1].effects[0].ci95[1] - res.pairs[1].effects[0].ci95[0]
    assert width_short > width_long
    assert not res.pairs[1].pooled_from_population


# --------------------------------------------------------------------------- missing days


def test_a_day_missing_for_one_person_keeps_the_other_persons_information():
    """b is observed every other day only: no day t with both persons on t and t − 1,
    so the lag-pair engine cannot fit anything; the state-space likelihood can."""
    rng = np.random.default_rng(6)
    y, a = _simulate(rng, 300, 90)
    y[:, 1::2, 1] = np.nan
    today = fit_var1_arrays(y)
    assert not today["ok"].any()
    res = fit_pooled_arrays(y, min_pairs=10**6)  # prior population: the data alone decide
    assert not res.pooled_from_population.any()
    assert np.isfinite(res.unpooled).all()
    # and the extra information is real: removing a's values on b's missing days too
    # makes the per-pair intervals wider
    y2 = y.copy()
    y2[:, 1::2, 0] = np.nan
    res2 = fit_pooled_arrays(y2, min_pairs=10**6)
    ok = np.isfinite(res2.unpooled_se[:, 0])
    assert np.median(res.unpooled_se[ok, 0]) < np.median(res2.unpooled_se[ok, 0])
    # the unpooled inertia of a is still centred on the truth
    assert np.nanmean(res.unpooled[:, 0] - a[:, 0, 0]) == pytest.approx(0.0, abs=0.03)


def test_gaps_of_several_days_are_bridged():
    rng = np.random.default_rng(7)
    y, _ = _simulate(rng, 100, 60)
    y[:, 10:14] = np.nan  # a four-day gap for everyone
    y[:, 30:33, 0] = np.nan
    res = fit_pooled_arrays(y)
    assert np.isfinite(res.estimate).all()
    assert not res.error.any()


# --------------------------------------------------------------------------- populations


def test_role_populations_versus_exchangeable():
    rng = np.random.default_rng(9)
    p = 800
    a = np.zeros((p, 2, 2))
    a[:, 0, 0] = rng.normal(0.6, 0.05, p)  # parent
    a[:, 1, 1] = rng.normal(0.2, 0.05, p)  # child
    a[:, 1, 0] = rng.normal(0.15, 0.03, p)  # parent → child
    a[:, 0, 1] = rng.normal(0.0, 0.03, p)  # child → parent
    y, _ = _simulate(rng, p, 90, a=a)
    labels = [("parent", "child")] * p
    # half of the pairs list the child first
    flip = np.arange(p) % 2 == 1
    y[flip] = y[flip][:, :, ::-1]
    labels = [("child", "parent") if f else ("parent", "child") for f in flip]
    res = fit_pooled(y, persons=[("x", "y")] * p, pair_ids=[str(i) for i in range(p)], labels=labels)
    assert len(res.population) == 1 and res.population[0].name == "parent/child"
    by = {(e.kind, e.source, e.target): e for e in res.population[0].effects}
    assert by[("inertia", "parent", "parent")].mean == pytest.approx(0.6, abs=0.04)
    assert by[("inertia", "child", "child")].mean == pytest.approx(0.2, abs=0.04)
    assert by[("cross_lagged", "parent", "child")].mean == pytest.approx(0.15, abs=0.04)
    assert by[("cross_lagged", "child", "parent")].mean == pytest.approx(0.0, abs=0.04)
    # a flipped pair's first person is the child: its inertia is shrunk towards 0.2
    e = res.pairs[1].effects[0]
    assert e.kind == "inertia" and e.estimate < 0.4

    ex = fit_pooled(y, persons=[("x", "y")] * p, pair_ids=[str(i) for i in range(p)])
    pop = ex.population[0]
    assert pop.name == "exchangeable"
    assert [(e.kind, e.source, e.target) for e in pop.effects] == [
        ("inertia", "person", "person"),
        ("cross_lagged", "partner", "person"),
    ]
    assert pop.effects[0].mean == pytest.approx(0.4, abs=0.04)
    assert pop.effects[0].sd > 0.15  # the two roles mixed: a wide inertia distribution


# --------------------------------------------------------------------------- bad input


def test_bad_input_never_sinks_the_batch():
    rng = np.random.default_rng(10)
    y, _ = _simulate(rng, 80, 40, missing=0.1)
    y[0, :, 0] = 5.0  # constant person
    y[1, :, 1] = np.nan  # one person only
    y[2, 3, 0] = np.inf
    y[2, 4, 1] = -np.inf
    y[3] = np.nan  # nothing at all
    ids = [f"p{i}" for i in range(80)]
    res = fit_pooled(y, persons=[("a", "b")] * 80, pair_ids=ids)
    errs = {e["pair_id"]: e["message"] for e in res.errors}
    assert "constant" in errs["p0"]
    assert "no observations" in errs["p1"]
    assert "inf" in errs["p2"]
    assert "p3" in errs
    assert res.pairs[0].effects[0].estimate is None
    assert res.pairs[2].effects[0].estimate is not None  # inf left out, the pair fitted
    assert all(p.effects[0].estimate is not None for p in res.pairs[4:])
    assert res.population[0].population_source == "batch"
    json.dumps(res.to_json())


def test_all_constant_pairs():
    y = np.full((5, 30, 2), 4.0)
    res = fit_pooled(y, persons=[("a", "b")] * 5, pair_ids=list("abcde"))
    assert len(res.errors) == 5
    assert all(p.effects[0].estimate is None for p in res.pairs)
    assert res.population_source == "prior"


def test_bad_shape_is_an_error():
    with pytest.raises(ValueError):
        fit_pooled_arrays(np.zeros((3, 10)))


# --------------------------------------------------------------------------- windows


def test_rolling_windows_are_vectorised():
    rng = np.random.default_rng(12)
    y, _ = _simulate(rng, 120, 90, missing=0.2)
    w = fit_pooled_windows(y, window=28, step=7)
    assert w.starts.tolist() == list(range(0, 63, 7))
    assert w.estimate.shape == (9, 120, 4)
    assert w.ci95.shape == (9, 120, 4, 2)
    assert np.isfinite(w.estimate).all()
    assert w.population_mean.shape == (9, 1, 4)
    # one window equals the plain fit on that window
    one = fit_pooled_arrays(y[:, 14:42])
    np.testing.assert_allclose(w.estimate[2], one.estimate, atol=1e-10)


# --------------------------------------------------------------------------- population bias correction


def test_population_sd_is_bias_corrected_at_four_weeks(monkeypatch):
    """At 28 days with 20 % of days missing the per-pair Gaussian approximations are
    a few per cent off, which used to inflate the population SD of the cross-lagged
    effects (0.08) by ≈ 0.07; the parametric-bootstrap correction brings it back."""
    import dynamics.pooled as pooled

    rng = np.random.default_rng(2028)
    y, a = _simulate(rng, 1500, 28, missing=0.2)
    tv = _truth_vec(a)
    fixed = fit_pooled_arrays(y).populations[0]
    sd = np.sqrt(np.diag(fixed.cov))
    assert abs(sd[2] - tv[:, 2:].std()) <= 0.03
    assert abs(sd[0] - tv[:, :2].std()) <= 0.03
    assert np.abs(fixed.mean - tv.mean(axis=0)[[0, 0, 2, 2]]).max() <= 0.02
    monkeypatch.setattr(pooled, "CAL_PAIRS", 0)
    raw = fit_pooled_arrays(y).populations[0]
    raw_sd = np.sqrt(np.diag(raw.cov))
    assert raw_sd[2] - tv[:, 2:].std() > abs(sd[2] - tv[:, 2:].std()) + 0.02  # the correction did the work


def test_bias_correction_is_reproducible_and_small_batches_use_the_prior():
    rng = np.random.default_rng(5)
    y, _ = _simulate(rng, 80, 28, missing=0.2)
    one, two = fit_pooled_arrays(y), fit_pooled_arrays(y)
    np.testing.assert_array_equal(one.estimate, two.estimate)
    assert one.populations[0].source == "batch"
    small = fit_pooled_arrays(y[:10])
    assert small.populations[0].source == "prior"
    np.testing.assert_allclose(small.populations[0].mean, LITERATURE_PRIOR.mean_vector())


# --------------------------------------------------------------------------- optimised kernels


def _inv_logdet4_reference(c):
    """The previous implementation of pooled._inv_logdet4 (2 × 2 blocks with small matmuls)."""

    def inv2(m):
        det = m[:, 0, 0] * m[:, 1, 1] - m[:, 0, 1] * m[:, 1, 0]
        out = np.empty_like(m)
        out[:, 0, 0], out[:, 0, 1] = m[:, 1, 1] / det, -m[:, 0, 1] / det
        out[:, 1, 0], out[:, 1, 1] = -m[:, 1, 0] / det, m[:, 0, 0] / det
        return out

    pb, qb, rb = c[:, :2, :2], c[:, :2, 2:], c[:, 2:, 2:]
    pi = inv2(pb)
    piq = pi @ qb
    sch = rb - qb.transpose(0, 2, 1) @ piq
    si = inv2(sch)
    out = np.empty_like(c)
    top_right = -piq @ si
    out[:, :2, :2] = pi - top_right @ piq.transpose(0, 2, 1)
    out[:, :2, 2:] = top_right
    out[:, 2:, :2] = top_right.transpose(0, 2, 1)
    out[:, 2:, 2:] = si
    det_p = pb[:, 0, 0] * pb[:, 1, 1] - pb[:, 0, 1] * pb[:, 1, 0]
    det_s = sch[:, 0, 0] * sch[:, 1, 1] - sch[:, 0, 1] * sch[:, 1, 0]
    return out, np.log(det_p) + np.log(det_s)


def test_inv_logdet4_equals_the_previous_implementation():
    from dynamics.pooled import _inv_logdet4

    rng = np.random.default_rng(41)
    q = rng.standard_normal((5000, 4, 4)) * 0.3
    c = q @ q.transpose(0, 2, 1) + np.eye(4) * rng.uniform(0.01, 0.2, (5000, 1, 1))
    c[:, 0, 1] += 1e-9  # not exactly symmetric, as the bias-corrected V are not
    inv, ld = _inv_logdet4(c)
    ref_inv, ref_ld = _inv_logdet4_reference(c)
    assert np.max(np.abs(inv - ref_inv) / (1.0 + np.abs(ref_inv))) < 1e-10
    assert np.max(np.abs(ld - ref_ld)) < 1e-10
    # and, for a symmetric matrix, they are its inverse and log-determinant
    cs = 0.5 * (c + c.transpose(0, 2, 1))
    inv_s, ld_s = _inv_logdet4(cs)
    assert np.allclose(inv_s @ cs, np.eye(4), atol=1e-8)
    assert np.allclose(ld_s, np.linalg.slogdet(cs)[1], atol=1e-10)


def test_meta_fit_equals_a_reference_objective_optimum():
    """The optimised objective reaches the optimum of the previous (matmul) objective."""
    from scipy.optimize import minimize

    rng = np.random.default_rng(42)
    n = 400
    v = np.empty((n, 4, 4))
    q = rng.standard_normal((n, 4, 4)) * 0.1
    v[:] = q @ q.transpose(0, 2, 1) + np.eye(4) * 0.02
    m_true = np.array([0.4, 0.4, 0.1, 0.1])
    a = (
        m_true
        + rng.standard_normal((n, 4)) * 0.1
        + np.einsum("pij,pj->pi", np.linalg.cholesky(v), rng.standard_normal((n, 4)))
    )
    w = np.ones(n)
    m, s, _ = meta_fit(a, v, w, diagonal=True)

    def f(x):
        c = np.diag(x[4:] ** 2)[None] + v
        ci, ld = _inv_logdet4_reference(c)
        r = a - x[:4]
        return 0.5 * float(np.sum(ld + np.einsum("pi,pij,pj->p", r, ci, r))) / n

    x0 = np.concatenate([m, np.sqrt(np.diag(s))])
    ref = minimize(f, x0 + 0.01, method="Nelder-Mead", options={"xatol": 1e-9, "fatol": 1e-14, "maxiter": 20000})
    assert np.max(np.abs(ref.x[:4] - m)) < 1e-5
    assert np.max(np.abs(ref.x[4:] ** 2 - np.diag(s))) < 1e-5
    assert f(x0) <= ref.fun + 1e-12


def test_smoother_equals_the_previous_implementation():
    """The optimised Kalman/RTS smoother equals the previous one to round-off on a random
    batch with gaps, runs, a person never observed, no complete day and short series."""
    from dynamics.tests._kalman_reference import smooth_reference

    rng = np.random.default_rng(43)
    p = 600
    y, a = _simulate(rng, p, 40, missing=0.25)
    y[:50, :6] = np.nan
    y[50:100, 25:] = np.nan
    y[100:110, :, 0] = np.nan
    y[110:120, ::2, 0] = np.nan
    y[110:120, 1::2, 1] = np.nan
    y[120:130, 1:] = np.nan
    lay = Layout.from_pairs(y)
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        mu = np.nan_to_num(np.nanmean(y, axis=1))
    sig = np.tile(np.array([[1.0, 0.3], [0.3, 0.8]]), (p, 1, 1)) * rng.uniform(0.5, 2.0, (p, 1, 1))
    for need_moments, need_ll in ((True, True), (True, False), (False, True)):
        new = smooth(lay, mu, a, sig, need_moments=need_moments, need_loglik=need_ll)
        with np.errstate(all="ignore"):
            ref = smooth_reference(lay, mu, a, sig, need_moments, need_ll)
        for f in ("s00", "s11", "s10", "m0", "m1", "n", "loglik"):
            x, r = getattr(new, f), getattr(ref, f)
            assert np.isfinite(x).all()
            assert np.max(np.abs(x - r) / (1.0 + np.abs(r))) < 1e-10, f


def test_psd_inverse_and_pd_check_equal_the_eigenvalue_versions():
    """The closed-form fast paths of _psd_inv/_is_pd (certified well-conditioned 4 × 4
    matrices) equal the eigenvalue-based originals, which still decide the other rows."""
    from dynamics.pooled import _is_pd, _is_pd_eig, _psd_inv, _psd_inv_eig

    rng = np.random.default_rng(44)
    q = rng.standard_normal((3000, 4, 4))
    m = q @ q.transpose(0, 2, 1) + np.eye(4) * rng.uniform(1e-3, 1.0, (3000, 1, 1))
    m[:200] -= np.eye(4) * 2.0  # indefinite
    m[200:300, :, 3] = m[200:300, :, 2]  # singular
    m[200:300, 3, :] = m[200:300, 2, :]
    m[310:400] = np.diag([1.0, 1.0, 1.0, 1e-11])  # positive but nearly singular
    inv, ok = _psd_inv(m)
    inv_r, ok_r = _psd_inv_eig(m)
    assert (ok == ok_r).all() and ok.sum() > 2000 and (~ok).sum() >= 250
    assert np.max(np.abs(inv[ok] - inv_r[ok]) / (1.0 + np.abs(inv_r[ok]))) < 1e-10
    m[300:310, 1, 1] = np.nan  # (_psd_inv, like numpy's eigh, does not take NaN)
    assert (_is_pd(m) == _is_pd_eig(m)).all() and not _is_pd(m[300:310]).any()


def test_smoother_work_buffer_and_non_finite_parameters():
    """A reused work buffer gives the same moments as a fresh one; a pair with
    non-finite parameters gets NaN moments (zero without transitions) and leaves the
    other pairs exactly as they are."""
    rng = np.random.default_rng(45)
    p = 200
    y, a = _simulate(rng, p, 30, missing=0.2)
    y[5, 1:] = np.nan  # no transitions
    lay = Layout.from_pairs(y)
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        mu = np.nan_to_num(np.nanmean(y, axis=1))
    sig = np.tile(np.array([[1.0, 0.3], [0.3, 0.8]]), (p, 1, 1))
    fields = ("s00", "s11", "s10", "m0", "m1", "n", "loglik")
    fresh = smooth(lay, mu, a, sig, need_loglik=True)
    work = np.full(10 * 30 * p + 7, np.nan)  # dirty and larger than needed
    for _ in range(2):
        again = smooth(lay, mu, a, sig, need_loglik=True, work=work)
        for f in fields:
            assert np.array_equal(getattr(again, f), getattr(fresh, f)), f
    a_bad, sig_bad, mu_bad = a.copy(), sig.copy(), mu.copy()
    a_bad[3, 0, 1] = np.nan
    sig_bad[4, 1, 1] = np.inf
    mu_bad[5, 0] = np.nan
    mu_bad[6, 1] = np.nan
    bad = smooth(lay, mu_bad, a_bad, sig_bad, need_loglik=True)
    others = np.setdiff1d(np.arange(p), [3, 4, 5, 6])
    for f in fields:
        x, r = getattr(bad, f), getattr(fresh, f)
        assert np.array_equal(x[others], r[others]), f
        if f != "n":
            assert np.isnan(x[[3, 4, 6]]).all() and (x[5] == 0).all(), f
    ll_only = smooth(lay, mu_bad, a_bad, sig_bad, need_moments=False)
    assert np.isnan(ll_only.loglik[[3, 4, 6]]).all() and ll_only.loglik[5] == 0
    assert np.array_equal(ll_only.loglik[others], fresh.loglik[others])


def _pope_b_reference(a, sigma):
    """The Nicholls–Pope term as written before the per-distinct-matrix version."""
    from dynamics.pooled import _inv2

    q = a.shape[0]
    eye = np.eye(2)
    at = a.transpose(0, 2, 1)
    kron = np.einsum("qij,qkl->qikjl", a, a).reshape(q, 4, 4)
    gamma0 = np.linalg.solve(np.eye(4) - kron, sigma.reshape(q, 4, 1)).reshape(q, 2, 2)
    tr = a[:, 0, 0] + a[:, 1, 1]
    det = a[:, 0, 0] * a[:, 1, 1] - a[:, 0, 1] * a[:, 1, 0]
    root = np.sqrt((tr * tr / 4.0 - det).astype(np.complex128))
    lam = np.stack([tr / 2.0 + root, tr / 2.0 - root], axis=1)
    m = eye[None, None] - lam[:, :, None, None] * at[:, None].astype(np.complex128)
    lam_sum = (lam[:, :, None, None] * _inv2(m)).sum(axis=1).real
    term = _inv2(eye - at) + at @ _inv2(eye - at @ at) + lam_sum
    return sigma @ term @ _inv2(gamma0)


def test_pope_b_per_distinct_matrix_equals_the_previous_version_exactly():
    from dynamics.pooled import _pope_b, _stationary

    rng = np.random.default_rng(46)
    n = 3000
    q = rng.normal(size=(n, 2, 2))
    sig = q @ q.transpose(0, 2, 1) + 0.05 * np.eye(2)
    common = np.tile(np.array([[0.45, 0.0], [0.09, 0.45]]), (n, 1, 1))
    few = common.copy()
    few[::3] = [[0.4, 0.1], [0.05, 0.3]]
    few[1::3, 0, 1] = -0.0  # distinct bits from 0.0
    few[2::7] = [[0.3, -0.6], [0.6, 0.3]]  # complex eigenvalues
    many = _stationary(rng.normal(0.2, 0.4, (n, 2, 2)), 0.96)
    for a in (common, few, many, many[:1], many[:0]):
        s = sig[: a.shape[0]]
        assert np.array_equal(_pope_b(a, s), _pope_b_reference(a, s))


def test_pair_stage_buffer_fits_every_smoother_pass(monkeypatch):
    """The one work buffer of pair_stage is large enough for each pass (else each
    pass would allocate its own), for batches smaller and larger than a chunk."""
    import dynamics._kalman as kalman
    import dynamics.pooled as pooled

    seen: list[bool] = []

    def spy(lay, mu, a, sig, **kw):
        seen.append(kw["work"].size >= kalman.work_size(*lay.ya.shape))
        return kalman.smooth(lay, mu, a, sig, **kw)

    monkeypatch.setattr(pooled, "smooth", spy)
    monkeypatch.setattr(pooled, "CHUNK_PAIRS", 64)
    rng = np.random.default_rng(47)
    for p in (1, 7, 40, 64, 150):
        seen.clear()
        pair_stage(rng.normal(size=(p, 20, 2)))
        assert seen and all(seen), p
