# mypy: disable-error-code="index,operator,assignment"
"""Tests for dynamics.coupling: statsmodels as the reference, simulations with known truth."""

from __future__ import annotations

import json
import math
from datetime import date
from typing import Any

import numpy as np
import pytest
from statsmodels.tsa.api import VAR

from dynamics.coupling import (
    MIN_LAG_PAIRS,
    Effect,
    PairResult,
    fit_pairs,
    fit_solo,
    fit_var1_arrays,
)

SIGMA = np.array([[1.0, 0.4], [0.4, 1.0]])


def simulate(
    p: int,
    t_len: int,
    a: Any,
    sigma: Any = SIGMA,
    *,
    seed: int,
    burn: int = 50,
    mean: tuple[float, float] = (5.0, 6.0),
) -> Any:
    """P independent pairs of a stationary VAR(1) with coefficient matrix ``a``.

    ``a`` may be (2, 2) or (t_len, 2, 2) (time-varying coupling)."""
    rng = np.random.default_rng(seed)
    a = np.asarray(a, dtype=float)
    if a.ndim == 2:
        a = np.broadcast_to(a, (t_len + burn, 2, 2))
    else:
        a = np.concatenate([np.broadcast_to(a[0], (burn, 2, 2)), a])
    e = rng.standard_normal((p, t_len + burn, 2)) @ np.linalg.cholesky(sigma).T
    y = np.zeros((p, t_len + burn, 2))
    for t in range(1, t_len + burn):
        y[:, t] = y[:, t - 1] @ a[t].T + e[:, t]
    return y[:, burn:] + np.asarray(mean)


def by_kind(result: PairResult, kind: str, source: str | None = None) -> Effect:
    found = [e for e in result.effects if e.kind == kind and (source is None or e.source == source)]
    assert len(found) == 1, (kind, source, result.effects)
    return found[0]


# --------------------------------------------------------------------------- OLS core


@pytest.mark.parametrize(
    "a",
    [
        [[0.4, 0.2], [0.3, 0.3]],
        [[0.1, -0.3], [0.5, 0.6]],
        [[0.8, 0.0], [0.0, -0.2]],
    ],
)
def test_ols_equals_statsmodels_var1(a: Any) -> None:
    y = simulate(3, 70, a, seed=11)
    res = fit_var1_arrays(y, method="ols")
    for p in range(3):
        centred = y[p] - y[p].mean(axis=0)
        sm = VAR(centred).fit(1, trend="c")
        np.testing.assert_allclose(res["coef"][p], sm.params[1:].T, rtol=0, atol=1e-8)
        np.testing.assert_allclose(res["se"][p], sm.bse[1:].T, rtol=0, atol=1e-8)
        np.testing.assert_allclose(res["intercept"][p], sm.params[0], rtol=0, atol=1e-8)
        np.testing.assert_allclose(res["sigma_u"][p], sm.sigma_u, rtol=0, atol=1e-8)
        r = np.corrcoef(sm.resid.T)[0, 1]
        assert res["synchrony"][p] == pytest.approx(r, abs=1e-8)
        assert res["n_lag"][p] == 69 and res["df"][p] == 66 and res["ok"][p]
        np.testing.assert_array_equal(res["n_obs"][p], [70, 70])


def test_array_keys_and_shapes() -> None:
    y = simulate(4, 40, [[0.3, 0.1], [0.2, 0.3]], seed=1)
    res = fit_var1_arrays(y)
    shapes = {k: v.shape for k, v in res.items()}
    assert shapes == {
        "coef": (4, 2, 2),
        "se": (4, 2, 2),
        "intercept": (4, 2),
        "sigma_u": (4, 2, 2),
        "synchrony": (4,),
        "synchrony_ci": (4, 2),
        "n_lag": (4,),
        "n_obs": (4, 2),
        "df": (4,),
        "ok": (4,),
    }
    assert res["ok"].dtype == bool
    with pytest.raises(ValueError):
        fit_var1_arrays(y, method="bayes")
    with pytest.raises(ValueError):
        fit_var1_arrays(y[:, :, :1])


@pytest.mark.parametrize("method", ["ols", "corrected"])
def test_batch_equals_each_pair_alone(method: str) -> None:
    y = simulate(12, 50, [[0.5, 0.2], [0.3, 0.4]], seed=3)
    rng = np.random.default_rng(4)
    y[rng.random(y.shape) < 0.15] = np.nan
    y[5, :, 1] = 4.0  # one constant person
    y[7, 20:] = np.nan  # one too short
    batch = fit_var1_arrays(y, method=method)
    for p in range(12):
        alone_arrays: dict[str, Any] = dict(fit_var1_arrays(y[p : p + 1], method=method))
        for key, value in batch.items():
            np.testing.assert_allclose(value[p], alone_arrays[key][0], rtol=0, atol=1e-12, equal_nan=True)
    persons = [("a", "b")] * 12
    ids = [f"p{i}" for i in range(12)]
    results = fit_pairs(y, persons=persons, pair_ids=ids, method=method, chance=False)
    for p in range(12):
        alone = fit_pairs(y[p : p + 1], persons=persons[:1], pair_ids=ids[p : p + 1], method=method, chance=False)[0]
        assert results[p] == alone


def test_missing_days_use_only_valid_lag_pairs() -> None:
    y = simulate(1, 40, [[0.5, 0.1], [0.4, 0.2]], seed=8)[0]
    y[5, 0] = np.nan  # a misses day 5  -> lags ending on days 5 and 6 are lost
    y[12, 1] = np.nan  # b misses days 12-13 -> lags ending on 12, 13, 14 are lost
    y[13, 1] = np.nan
    y[30, :] = np.nan  # both miss day 30 -> lags ending on 30, 31 are lost
    valid_t = [t for t in range(1, 40) if t not in {5, 6, 12, 13, 14, 30, 31}]
    assert len(valid_t) == 32
    res = fit_var1_arrays(y[None], method="ols")
    assert res["n_lag"][0] == 32
    np.testing.assert_array_equal(res["n_obs"][0], [38, 37])

    centred = y - np.nanmean(y, axis=0)
    x = np.column_stack([np.ones(32), centred[[t - 1 for t in valid_t]]])
    target = centred[valid_t]
    beta, *_ = np.linalg.lstsq(x, target, rcond=None)
    np.testing.assert_allclose(res["coef"][0], beta[1:].T, atol=1e-10)
    np.testing.assert_allclose(res["intercept"][0], beta[0], atol=1e-10)
    resid = target - x @ beta
    sigma = resid.T @ resid / (32 - 3)
    se = np.sqrt(np.outer(np.diag(sigma), np.diag(np.linalg.inv(x.T @ x))[1:]))
    np.testing.assert_allclose(res["se"][0], se, atol=1e-10)

    result = fit_pairs(y[None], persons=[("a", "b")], pair_ids=["x"], chance=False)[0]
    assert result.n_lag_pairs == 32
    assert result.n_observations == {"a": 38, "b": 37}


def test_corrected_removes_most_of_the_inertia_bias_at_n60() -> None:
    a = np.array([[0.5, 0.1], [0.2, 0.4]])
    y = simulate(600, 61, a, seed=20)
    ols = fit_var1_arrays(y, method="ols")
    cor = fit_var1_arrays(y, method="corrected")
    assert np.all(ols["n_lag"] == 60)
    bias_ols = np.mean(np.diagonal(ols["coef"], axis1=1, axis2=2), axis=0) - np.diag(a)
    bias_cor = np.mean(np.diagonal(cor["coef"], axis1=1, axis2=2), axis=0) - np.diag(a)
    assert np.all(bias_ols < -0.03)  # Kendall: about −(1 + 3ρ)/n
    assert np.all(np.abs(bias_cor) < 0.3 * np.abs(bias_ols))
    # the standard errors are the OLS ones
    np.testing.assert_array_equal(ols["se"], cor["se"])
    # and the correction never makes a stationary estimate explosive
    tr = np.trace(cor["coef"], axis1=1, axis2=2)
    det = np.linalg.det(cor["coef"])
    assert np.all(np.abs(np.linalg.eigvals(cor["coef"])).max(axis=1) < 1.0 + 1e-12), (tr, det)


def test_recovers_cross_lagged_and_synchrony_with_honest_intervals() -> None:
    a = np.array([[0.3, 0.0], [0.35, 0.3]])
    y = simulate(300, 100, a, seed=5)
    results = fit_pairs(y, persons=[("a", "b")] * 300, pair_ids=[str(i) for i in range(300)], chance=False)
    ab = [by_kind(r, "cross_lagged", "a") for r in results]
    ba = [by_kind(r, "cross_lagged", "b") for r in results]
    sync = [by_kind(r, "synchrony") for r in results]
    assert np.mean([e.estimate for e in ab]) == pytest.approx(0.35, abs=0.03)
    assert np.mean([e.estimate for e in ba]) == pytest.approx(0.0, abs=0.03)
    assert np.mean([e.estimate for e in sync]) == pytest.approx(0.4, abs=0.04)
    cover_ab = np.mean([e.ci95[0] <= 0.35 <= e.ci95[1] for e in ab])
    cover_sync = np.mean([e.ci95[0] <= 0.4 <= e.ci95[1] for e in sync])
    assert 0.9 <= cover_ab <= 0.99
    assert 0.9 <= cover_sync <= 0.99
    e = ab[0]
    assert e.target == "b" and e.source == "a"
    assert e.se == pytest.approx((e.ci95[1] - e.ci95[0]) / 2 / 1.99, rel=0.01)  # t(96) ≈ 1.985


def test_exceeds_chance_with_pseudo_pairs() -> None:
    strong = simulate(20, 90, [[0.3, 0.0], [0.5, 0.3]], seed=30)
    none = simulate(20, 90, [[0.3, 0.0], [0.0, 0.3]], seed=31)
    y = np.concatenate([strong, none])
    results = fit_pairs(y, persons=[("a", "b")] * 40, pair_ids=[str(i) for i in range(40)], seed=1)
    hit = [by_kind(r, "cross_lagged", "a").exceeds_chance for r in results[:20]]
    null = [by_kind(r, "cross_lagged", source).exceeds_chance for r in results[20:] for source in "ab"]
    assert None not in hit + null
    assert np.mean(hit) >= 0.9
    assert np.mean(null) <= 0.2
    again = fit_pairs(y, persons=[("a", "b")] * 40, pair_ids=[str(i) for i in range(40)], seed=1)
    assert again == results  # seeded and deterministic
    # inertia and synchrony never claim anything about chance
    assert all(by_kind(r, "synchrony").exceeds_chance is None for r in results)


def test_exceeds_chance_with_time_shifted_surrogates() -> None:
    strong = simulate(1, 90, [[0.3, 0.0], [0.5, 0.3]], seed=40)
    r = fit_pairs(strong, persons=[("mum", "me")], pair_ids=["s"])[0]
    assert by_kind(r, "cross_lagged", "mum").exceeds_chance is True
    none = simulate(10, 90, [[0.3, 0.0], [0.0, 0.3]], seed=41)
    results = fit_pairs(none, persons=[("a", "b")] * 10, pair_ids=[str(i) for i in range(10)])
    null = [by_kind(r, "cross_lagged", s).exceeds_chance for r in results for s in "ab"]
    assert None not in null
    assert np.mean(null) <= 0.25
    no_chance = fit_pairs(strong, persons=[("mum", "me")], pair_ids=["s"], chance=False)[0]
    assert by_kind(no_chance, "cross_lagged", "mum").exceeds_chance is None


def test_too_few_lag_pairs_gives_warning_and_no_numbers() -> None:
    y = simulate(1, 40, [[0.3, 0.1], [0.2, 0.3]], seed=2)
    y[0, ::2, 0] = np.nan  # a every other day: no valid lag pair at all
    y[0, 1:4, 0] = 5.0  # ... except two
    r = fit_pairs(y, persons=[("a", "b")], pair_ids=["short"])[0]
    assert r.n_lag_pairs < MIN_LAG_PAIRS
    assert r.warnings and str(MIN_LAG_PAIRS) in r.warnings[0]
    for e in r.effects:
        assert e.estimate is None and e.se is None and e.ci95 is None and e.exceeds_chance is None
        assert e.interpretation.startswith("Not estimated")
    arr = fit_var1_arrays(y)
    assert not arr["ok"][0] and np.isnan(arr["coef"][0]).all() and np.isnan(arr["synchrony"][0])

    # exactly at the threshold numbers appear
    y2 = simulate(1, MIN_LAG_PAIRS + 1, [[0.3, 0.1], [0.2, 0.3]], seed=2)
    assert fit_var1_arrays(y2)["ok"][0]
    assert not fit_var1_arrays(y2[:, :-1])["ok"][0]


def test_constant_series_gives_warning_and_no_numbers_for_its_effects() -> None:
    y = simulate(1, 60, [[0.3, 0.1], [0.4, 0.5]], seed=9)
    y[0, :, 0] = 7.0
    r = fit_pairs(y, persons=[("mum", "me")], pair_ids=["c"], labels=[("Mum", "you")])[0]
    assert any("constant" in w and "Mum" in w for w in r.warnings)
    for e in r.effects:
        if "mum" in (e.source, e.target):
            assert e.estimate is None and e.ci95 is None and e.se is None
    own = by_kind(r, "inertia", "me")
    assert own.estimate is not None  # the other person's carry-over is still estimable
    b = y[0, :, 1] - y[0, :, 1].mean()
    x = np.column_stack([np.ones(59), b[:-1]])
    beta, *_ = np.linalg.lstsq(x, b[1:], rcond=None)
    ols = fit_pairs(y, persons=[("mum", "me")], pair_ids=["c"], method="ols")[0]
    assert by_kind(ols, "inertia", "me").estimate == pytest.approx(beta[1], abs=1e-10)
    # Kendall, with n = the days both were observed (60; see _var_chunk)
    assert own.estimate == pytest.approx(beta[1] + (1 + 3 * beta[1]) / 60, abs=1e-10)

    both = np.full((1, 30, 2), 3.0)
    r2 = fit_pairs(both, persons=[("a", "b")], pair_ids=["cc"])[0]
    assert all(e.estimate is None for e in r2.effects)
    assert len(r2.warnings) == 2


def test_interpretations_and_json() -> None:
    y = simulate(1, 120, [[0.3, 0.0], [0.5, 0.3]], seed=40)
    r = fit_pairs(y, persons=[("m", "c")], pair_ids=["p1"], labels=[("your mother", "you")])[0]
    cross = by_kind(r, "cross_lagged", "m")
    assert cross.interpretation.startswith("On days after your mother seemed more upset than usual")
    assert "your own mood tended to be about" in cross.interpretation and "lower the next day" in cross.interpretation
    assert "allowing for your mood the day before" in cross.interpretation
    assert f"{cross.estimate:.2f}" in cross.interpretation
    back = by_kind(r, "cross_lagged", "c")
    if back.ci95[0] <= 0 <= back.ci95[1]:
        assert back.interpretation.startswith("No clear carry-over")
        assert "within chance" in back.interpretation
    assert by_kind(r, "inertia", "c").interpretation.startswith("Your mood carries over")
    assert "move together" in by_kind(r, "synchrony").interpretation

    doc = json.loads(json.dumps(r.as_json()))
    assert set(doc) == {
        "pair_id",
        "persons",
        "n_observations",
        "n_lag_pairs",
        "effects",
        "warnings",
    }
    assert doc["persons"] == ["m", "c"] and doc["n_observations"] == {"m": 120, "c": 120}
    keys = {"kind", "from", "to", "estimate", "se", "ci95", "exceeds_chance", "interpretation"}
    assert all(set(e) == keys for e in doc["effects"])
    assert [e["kind"] for e in doc["effects"]] == [
        "inertia",
        "inertia",
        "cross_lagged",
        "cross_lagged",
        "synchrony",
    ]
    assert doc["effects"][2]["from"] == "m" and doc["effects"][2]["to"] == "c"

    neg = Effect("cross_lagged", "a", "b", -0.3, 0.1, (-0.5, -0.1), True, "")
    assert neg.as_json()["ci95"] == [-0.5, -0.1]


def test_negative_effect_wording() -> None:
    y = simulate(1, 150, [[0.3, 0.0], [-0.5, 0.3]], seed=12)
    r = fit_pairs(y, persons=[("Anna", "Ben")], pair_ids=["n"])[0]
    e = by_kind(r, "cross_lagged", "Anna")
    assert e.estimate < 0
    assert "On days after Anna seemed more upset" in e.interpretation
    assert "Ben's own mood tended to be about" in e.interpretation and "higher the next day" in e.interpretation


def test_windows_and_change_when_coupling_weakens_halfway() -> None:
    t_len = 240
    a = np.empty((t_len, 2, 2))
    a[:] = [[0.3, 0.0], [0.6, 0.3]]
    a[t_len // 2 :, 1, 0] = 0.0
    y = simulate(1, t_len, a, seed=50)
    r = fit_pairs(y, persons=[("a", "b")], pair_ids=["w"], start=date(2024, 1, 1), window=60, step=60)[0]
    assert len(r.windows) == 4
    assert r.windows[0].start == date(2024, 1, 1) and r.windows[0].end == date(2024, 2, 29)
    assert r.windows[-1].end == date(2024, 8, 27)
    ests = [by_kind(type("R", (), {"effects": w.effects})(), "cross_lagged", "a").estimate for w in r.windows]
    assert ests[0] > 0.3 and ests[-1] < 0.3
    (ab,) = [c for c in r.change["cross_lagged"] if c["from"] == "a"]
    assert ab["to"] == "b"
    assert ab["difference"] == pytest.approx(ab["last"] - ab["first"])
    assert ab["difference"] < 0 and ab["p"] < 0.05
    first = by_kind(type("R", (), {"effects": r.windows[0].effects})(), "cross_lagged", "a")
    last = by_kind(type("R", (), {"effects": r.windows[-1].effects})(), "cross_lagged", "a")
    assert ab["se"] == pytest.approx(math.hypot(first.se, last.se))
    assert ab["z"] == pytest.approx(ab["difference"] / ab["se"])
    (ba,) = [c for c in r.change["cross_lagged"] if c["from"] == "b"]
    assert ba["p"] > 0.01
    doc = json.loads(json.dumps(r.as_json()))
    assert doc["windows"][0]["start"] == "2024-01-01" and len(doc["windows"][0]["effects"]) == 5
    assert set(doc["change"]["cross_lagged"][0]) == {
        "from",
        "to",
        "first",
        "last",
        "difference",
        "se",
        "z",
        "p",
    }

    with pytest.raises(ValueError):
        fit_pairs(y, persons=[("a", "b")], pair_ids=["w"], window=60)  # no start


def test_windows_skip_days_a_pair_was_not_observed() -> None:
    y = simulate(2, 120, [[0.3, 0.0], [0.5, 0.3]], seed=51)
    y[1, :60] = np.nan
    rs = fit_pairs(y, persons=[("a", "b")] * 2, pair_ids=["1", "2"], start=date(2024, 1, 1), window=30, step=30)
    assert len(rs[0].windows) == 4 and len(rs[1].windows) == 2
    assert rs[1].windows[0].start == date(2024, 3, 1)


def _simulate_solo(n: int, t_len: int, seed: int, conc: float = 0.6, lag: float = 0.3, inertia: float = 0.3) -> Any:
    rng = np.random.default_rng(seed)
    perceived = 5 + 1.5 * rng.standard_normal((n, t_len))
    own = np.zeros((n, t_len))
    pc = perceived - 5
    for t in range(1, t_len):
        own[:, t] = conc * pc[:, t] + lag * pc[:, t - 1] + inertia * own[:, t - 1] + rng.standard_normal(n)
    return own + 6, perceived


def test_solo_effects_when_own_mood_follows_perceived() -> None:
    own, perceived = _simulate_solo(40, 120, seed=60)
    own[0, 50:60] = np.nan
    rs = fit_solo(own, perceived, ids=[f"u{i}" for i in range(40)], other_labels=["Mum"] * 40, seed=3)
    r = rs[0]
    assert r.persons == ("u0", "Mum") and r.n_observations == {"u0": 110, "Mum": 120}
    assert [e.kind for e in r.effects] == ["concurrent", "lagged", "inertia"]
    conc = np.array([r.effects[0].estimate for r in rs])
    lag = np.array([r.effects[1].estimate for r in rs])
    inert = np.array([r.effects[2].estimate for r in rs])
    assert conc.mean() == pytest.approx(0.6, abs=0.05)
    assert lag.mean() == pytest.approx(0.3, abs=0.05)
    assert inert.mean() == pytest.approx(0.3, abs=0.05)
    assert all(r.effects[0].exceeds_chance for r in rs)
    assert np.mean([r.effects[1].exceeds_chance for r in rs]) >= 0.75  # power ≈ 0.85 here
    assert all(r.effects[2].exceeds_chance is None for r in rs)
    e = r.effects[0]
    assert e.source == "Mum" and e.target == "u0" and e.correlation is not None and 0 < e.correlation < 1
    assert "On days when you saw Mum as more upset than usual" in e.interpretation
    assert r.effects[0].as_json()["correlation"] == e.correlation

    # the concurrent slope is the within-person OLS slope over the days both were given
    both = ~np.isnan(own[0]) & ~np.isnan(perceived[0])
    slope = np.polyfit(perceived[0, both], own[0, both], 1)[0]
    assert e.estimate == pytest.approx(slope, abs=1e-10)


def test_solo_null_and_honesty() -> None:
    own, perceived = _simulate_solo(20, 90, seed=61, conc=0.0, lag=0.0)
    rs = fit_solo(own, perceived, ids=[str(i) for i in range(20)], other_labels=["perceived"] * 20)
    flags = [r.effects[k].exceeds_chance for r in rs for k in (0, 1)]
    assert None not in flags and np.mean(flags) <= 0.2
    assert "the other person" in rs[0].effects[0].interpretation
    short = fit_solo(own[:1, :10], perceived[:1, :10], ids=["s"], other_labels=["Dad"])[0]
    assert all(e.estimate is None for e in short.effects) and short.warnings
    flat = fit_solo(own[:1], np.full((1, 90), 4.0), ids=["f"], other_labels=["Dad"])[0]
    assert flat.effects[0].estimate is None and flat.effects[1].estimate is None
    assert flat.effects[2].estimate is not None  # own carry-over still estimable
    assert any("constant" in w for w in flat.warnings)


def test_solo_corrected_inertia_is_kendall_and_windows() -> None:
    own, perceived = _simulate_solo(1, 90, seed=62)
    ols = fit_solo(own, perceived, ids=["a"], other_labels=["Mum"], method="ols", chance=False)[0]
    cor = fit_solo(own, perceived, ids=["a"], other_labels=["Mum"], chance=False)[0]
    rho = ols.effects[2].estimate
    n = int(np.isfinite(own[0]).sum())  # Kendall with n = the days with an own mood
    assert cor.effects[2].estimate == pytest.approx(rho + (1 + 3 * rho) / n)
    assert cor.effects[1].estimate == pytest.approx(ols.effects[1].estimate)
    w = fit_solo(own, perceived, ids=["a"], other_labels=["Mum"], start=date(2024, 5, 1), window=45, step=45)[0]
    assert len(w.windows) == 2 and set(w.change) == {"lagged", "concurrent"}
    assert w.as_json()["windows"][1]["end"] == "2024-07-29"


def test_the_badge_and_the_sentence_follow_one_rule() -> None:
    """Across many simulated reports, "stronger than chance" (the badge's rule) and the
    sentence's "within chance" can never both be said of one effect."""
    from dynamics.coupling.wording import stronger_than_chance

    rng = np.random.default_rng(3)
    checked = 0
    for seed in range(60):
        a = [[rng.uniform(0.1, 0.5), rng.uniform(-0.2, 0.3)], [rng.uniform(-0.2, 0.3), rng.uniform(0.1, 0.5)]]
        y = simulate(5, int(rng.integers(30, 120)), a, seed=seed)
        for r in fit_pairs(y, persons=[("a", "b")] * 5, pair_ids=[str(k) for k in range(5)]):
            for e in r.effects:
                if e.kind != "cross_lagged" or e.estimate is None:
                    continue
                checked += 1
                badge = stronger_than_chance(e.ci95, e.exceeds_chance)
                within = "within chance" in e.interpretation
                assert not (badge is True and within), e
                assert badge is not False or within, e
    assert checked > 400


def test_solo_shifted_copies_t_equals_the_full_fit() -> None:
    """The chance level's lean |t| of centred, shifted rows is the full solo fit's |t|."""
    from dynamics.coupling.solo import _fit_solo_arrays, _solo_t, _solo_t_centred
    from dynamics.coupling.var1 import centre

    rng = np.random.default_rng(5)
    own = rng.normal(5, 2, (60, 40))
    perc = rng.normal(5, 2, (60, 40)) + 0.5 * np.roll(own, 1, axis=1)
    own[rng.random(own.shape) < 0.2] = np.nan
    perc[rng.random(perc.shape) < 0.2] = np.nan
    perc[0] = 4.0  # constant: no concurrent, no lagged
    own[1, :30] = np.nan  # too few days
    yc = centre(np.stack([own, perc], axis=2))[0]
    for shift in (0, 7, 19):
        shifted = np.roll(perc, shift, axis=1)
        full = _solo_t(_fit_solo_arrays(own, shifted, "corrected"))
        lean = _solo_t_centred(yc[:, :, 0], np.roll(yc[:, :, 1], shift, axis=1))
        assert np.array_equal(np.isnan(full), np.isnan(lean))
        assert np.allclose(full[np.isfinite(full)], lean[np.isfinite(lean)], rtol=1e-12, atol=1e-12)
        assert np.isfinite(lean).sum() > 100


def test_window_sentences_left_out_of_the_text_come_back_identical() -> None:
    """pair_text(window_words=False) + add_window_words == pair_text: the same sentences,
    the same key order, for solo and pair fits with every kind of window (numbers of both
    signs, within and beyond chance, and missing estimates that keep their reason)."""
    from dynamics.coupling import iter_pair_records, iter_solo_records
    from dynamics.coupling.results import COMPACT, PRETTY, pair_text
    from dynamics.coupling.wording import add_window_words

    rng = np.random.default_rng(7)
    y = simulate(30, 150, [[0.3, -0.4], [0.5, 0.2]], seed=52)
    y[rng.random(y.shape) < 0.1] = np.nan
    y[3, :100] = np.nan  # windows without numbers
    y[4, :, 1] = 5.0  # a constant series
    y = np.rint(y)  # like 0–10 check-ins: ties, some ranges with 0
    persons = [(f"p{k}", f"q{k}") for k in range(30)]
    labels = [("PERSON_A", "PERSON_B")] * 15 + [("me", "Mum")] * 15
    own, perceived = _simulate_solo(30, 150, seed=53, conc=-0.2, lag=0.1)
    own[rng.random(own.shape) < 0.35] = np.nan
    own[5, 40:] = np.nan

    def streams(window_words: bool) -> list[tuple[Any, list[Any]]]:
        return [
            (iter_pair_records(y, persons=persons, pair_ids=[str(k) for k in range(30)], labels=labels,
                               start=date(2024, 1, 1), window=28, step=7, window_words=window_words), labels),
            (iter_pair_records(y, persons=persons, pair_ids=[str(k) for k in range(30)],
                               start=date(2024, 1, 1), window=28, step=7, window_words=window_words), [None] * 30),
            (iter_solo_records(np.rint(own), np.rint(perceived), ids=[str(k) for k in range(30)],
                               other_labels=["Mum", "perceived", "James"] * 10, start=date(2024, 1, 1),
                               window=28, step=7, window_words=window_words), [None] * 30),
        ]  # fmt: skip

    seen_missing = seen_bare = 0
    for (stream, said), (wordless, _) in zip(streams(True), streams(False), strict=True):
        for rec, lab, rec_wordless in zip(stream, said, wordless, strict=True):
            full = pair_text(rec, 0, COMPACT)
            bare = pair_text(rec, 0, COMPACT, window_words=False)
            # fitted without the windows' sentences: the same text (they were never made)
            assert pair_text(rec_wordless, 0, COMPACT, window_words=False) == bare
            assert rec_wordless.effects == rec.effects and rec_wordless.change == rec.change
            assert pair_text(rec, 1, PRETTY, window_words=True) == pair_text(rec, 1, PRETTY)
            assert len(bare) <= len(full)
            stored = json.loads(bare)
            effects = [e for w in stored["windows"] for e in w["effects"]]
            seen_bare += sum("interpretation" not in e for e in effects)
            seen_missing += sum(e["estimate"] is None and "interpretation" in e for e in effects)
            back = add_window_words(stored, lab)
            assert json.dumps(back) == json.dumps(json.loads(full))
            assert json.loads(bare) == stored  # not changed in place
            assert add_window_words(back, lab) == back  # nothing to add: unchanged
    assert seen_bare > 1000 and seen_missing > 10
