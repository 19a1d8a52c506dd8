"""Tests for dynamics.psychometrics: hand-computed values and simulations with known truth."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest

from dynamics.psychometrics import (
    ScaleReliability,
    alpha_confidence_interval,
    corrected_item_total,
    cronbach_alpha,
    reliability_report,
    reliable_change_index,
    reliable_change_threshold,
)

# A 5 × 3 example worked by hand.
#   item 1: 1 2 3 4 5   mean 3    SS 10    var 2.5
#   item 2: 2 3 3 5 5   mean 3.6  SS 7.2   var 1.8
#   item 3: 3 3 4 4 6   mean 4    SS 6     var 1.5      Σ var = 5.8
#   total:  6 8 10 13 16  mean 10.6  SS 63.2  var 15.8
#   alpha = 3/2 · (1 − 5.8/15.8) = 3/2 · 10/15.8 = 75/79 ≈ 0.949367
# Corrected item–total for item 1: rest = 5 6 7 9 11 (mean 7.6, SS 23.2),
#   cross-products with item 1 sum to 15, so r = 15 / √(10 · 23.2) = 15/√232.
HAND = [
    [1, 2, 3],
    [2, 3, 3],
    [3, 3, 4],
    [4, 5, 4],
    [5, 5, 6],
]
HAND_ALPHA = 75 / 79


def spearman_brown(k: int, sigma: float) -> float:
    """Alpha of k parallel items item_j = T + e_j, T ~ N(0, 1), e_j ~ N(0, σ²)."""
    rho = 1.0 / (1.0 + sigma**2)
    return k * rho / (1 + (k - 1) * rho)


def parallel_items(n: int, k: int, sigma: float, rng: np.random.Generator) -> np.ndarray:
    true = rng.standard_normal((n, 1))
    return true + sigma * rng.standard_normal((n, k))


def asymptotic_alpha_se(alpha: float, k: int, n: int) -> float:
    """Large-sample SE of alpha for normal compound-symmetric items (van Zyl et al. 2000)."""
    return math.sqrt(2 * k * (1 - alpha) ** 2 / ((k - 1) * n))


# --- cronbach_alpha --------------------------------------------------------------------


def test_alpha_matches_hand_computation() -> None:
    assert cronbach_alpha(HAND) == pytest.approx(HAND_ALPHA, abs=1e-12)


def test_alpha_drops_rows_with_nan() -> None:
    with_missing = [*HAND, [np.nan, 1, 1], [9, np.nan, 9]]
    assert cronbach_alpha(with_missing) == pytest.approx(HAND_ALPHA, abs=1e-12)


def test_alpha_is_nan_when_total_is_constant() -> None:
    assert math.isnan(cronbach_alpha([[1, 2], [2, 1], [3, 0]]))


@pytest.mark.parametrize(
    "items, message",
    [
        ([[1], [2], [3]], "at least 2 items"),
        ([[1, 2, 3]], "at least 2 complete respondents"),
        ([[1, 2], [np.nan, 3]], "at least 2 complete respondents"),
        ([1, 2, 3], "2-D"),
    ],
)
def test_alpha_rejects_too_little_data(items: list[Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        cronbach_alpha(items)


@pytest.mark.parametrize("k, sigma", [(6, 1.0), (4, 2.0)])
def test_alpha_recovers_spearman_brown_reliability(k: int, sigma: float) -> None:
    rng = np.random.default_rng(20240611)
    items = parallel_items(4000, k, sigma, rng)
    assert abs(cronbach_alpha(items) - spearman_brown(k, sigma)) < 0.02


def test_spearman_brown_reference_values() -> None:
    assert spearman_brown(6, 1.0) == pytest.approx(6 / 7)  # 0.857
    assert spearman_brown(4, 2.0) == pytest.approx(0.5)


# --- alpha_confidence_interval ---------------------------------------------------------


def test_bootstrap_ci_contains_truth_with_sensible_width() -> None:
    k, sigma, n = 6, 1.0, 400
    truth = spearman_brown(k, sigma)
    items = parallel_items(n, k, sigma, np.random.default_rng(7))
    lo, hi = alpha_confidence_interval(items, n_boot=2000, seed=1)
    alpha = cronbach_alpha(items)
    assert lo < alpha < hi
    assert lo < truth < hi
    # Width should match the normal-theory width 2·1.96·SE within a generous factor.
    expected_width = 2 * 1.96 * asymptotic_alpha_se(truth, k, n)
    assert 0.6 * expected_width < hi - lo < 1.6 * expected_width


def test_bootstrap_ci_narrows_with_more_respondents() -> None:
    rng = np.random.default_rng(11)
    small = parallel_items(250, 6, 1.0, rng)
    large = parallel_items(2000, 6, 1.0, rng)
    lo_s, hi_s = alpha_confidence_interval(small, n_boot=1000, seed=0)
    lo_l, hi_l = alpha_confidence_interval(large, n_boot=1000, seed=0)
    # Width scales like 1/√n: eight times the data, about √8 ≈ 2.8 times narrower.
    assert 2.0 < (hi_s - lo_s) / (hi_l - lo_l) < 4.0


def test_bootstrap_ci_is_reproducible_with_seed() -> None:
    items = parallel_items(200, 5, 1.0, np.random.default_rng(3))
    first = alpha_confidence_interval(items, n_boot=500, seed=42)
    assert alpha_confidence_interval(items, n_boot=500, seed=42) == first
    assert alpha_confidence_interval(items, n_boot=500, seed=43) != first


def test_bootstrap_ci_level_orders_intervals() -> None:
    items = parallel_items(300, 5, 1.0, np.random.default_rng(5))
    lo90, hi90 = alpha_confidence_interval(items, level=0.90, n_boot=1000, seed=0)
    lo99, hi99 = alpha_confidence_interval(items, level=0.99, n_boot=1000, seed=0)
    assert lo99 < lo90 < hi90 < hi99


def test_bootstrap_ci_matches_a_plain_loop() -> None:
    # The vectorised resampling must give exactly the alphas of explicit resamples.
    items = parallel_items(60, 4, 1.0, np.random.default_rng(9))
    n_boot, level = 300, 0.9
    rng = np.random.default_rng(123)
    idx = rng.integers(0, len(items), size=(n_boot, len(items)))
    loop = np.array([cronbach_alpha(items[row]) for row in idx])
    expected = tuple(np.quantile(loop, [0.05, 0.95]))
    got = alpha_confidence_interval(items, level=level, n_boot=n_boot, seed=123)
    assert got == pytest.approx(expected, abs=1e-10)


def test_bootstrap_ci_covers_truth_about_95_percent() -> None:
    k, sigma, n, reps = 6, 1.0, 150, 60
    truth = spearman_brown(k, sigma)
    rng = np.random.default_rng(2024)
    covered = 0
    for rep in range(reps):
        lo, hi = alpha_confidence_interval(parallel_items(n, k, sigma, rng), n_boot=500, seed=rep)
        covered += lo <= truth <= hi
    assert covered / reps >= 0.85


def test_bootstrap_ci_rejects_bad_arguments() -> None:
    with pytest.raises(ValueError, match="level"):
        alpha_confidence_interval(HAND, level=1.0)
    with pytest.raises(ValueError, match="n_boot"):
        alpha_confidence_interval(HAND, n_boot=0)
    with pytest.raises(ValueError, match="at least 2 items"):
        alpha_confidence_interval([[1], [2]])


# --- corrected_item_total --------------------------------------------------------------


def test_corrected_item_total_hand_value() -> None:
    r = corrected_item_total(HAND)
    assert r.shape == (3,)
    assert r[0] == pytest.approx(15 / math.sqrt(232), abs=1e-12)


def test_corrected_item_total_flags_a_noise_item() -> None:
    rng = np.random.default_rng(99)
    good = parallel_items(4000, 5, 1.0, rng)
    noise = rng.standard_normal((4000, 1))
    r = corrected_item_total(np.hstack([good, noise]))
    assert abs(r[-1]) < 0.1
    assert (r[:-1] > 0.4).all()


def test_corrected_item_total_nan_for_constant_item() -> None:
    items = [[1, 2, 7], [2, 3, 7], [3, 5, 7], [4, 4, 7]]
    r = corrected_item_total(items)
    assert math.isnan(r[2])
    assert np.isfinite(r[:2]).all()


# --- reliable change -------------------------------------------------------------------


def test_reliable_change_threshold_jacobson_truax() -> None:
    # SEM = 5·√(1−0.84) = 5·0.4 = 2; S_diff = √2·2; threshold = 1.96·S_diff.
    expected = 1.96 * math.sqrt(2) * 5 * 0.4
    assert reliable_change_threshold(5, 0.84) == pytest.approx(expected, rel=1e-12)
    assert reliable_change_threshold(5, 0.84, z=1.0) == pytest.approx(math.sqrt(2) * 2, rel=1e-12)


def test_reliable_change_threshold_edges() -> None:
    assert reliable_change_threshold(5, 1.0) == 0.0
    assert reliable_change_threshold(0, 0.5) == 0.0
    assert reliable_change_threshold(2, 0.0) == pytest.approx(1.96 * math.sqrt(2) * 2)


def test_reliable_change_index_sign_and_value() -> None:
    s_diff = math.sqrt(2) * 2  # sd=5, r=0.84
    assert reliable_change_index(20, 14, 5, 0.84) == pytest.approx(-6 / s_diff, rel=1e-12)
    assert reliable_change_index(14, 20, 5, 0.84) == pytest.approx(6 / s_diff, rel=1e-12)
    assert reliable_change_index(10, 10, 5, 0.84) == 0.0
    # A change exactly at the threshold has |RCI| = 1.96.
    threshold = reliable_change_threshold(5, 0.84)
    assert reliable_change_index(0, threshold, 5, 0.84) == pytest.approx(1.96)


@pytest.mark.parametrize(
    "sd, reliability",
    [(-1.0, 0.8), (5.0, -0.1), (5.0, 1.1), (math.nan, 0.8), (5.0, math.nan)],
)
def test_reliable_change_rejects_bad_input(sd: float, reliability: float) -> None:
    with pytest.raises(ValueError):
        reliable_change_threshold(sd, reliability)
    with pytest.raises(ValueError):
        reliable_change_index(0.0, 1.0, sd, reliability)


def test_reliable_change_index_undefined_when_s_diff_zero() -> None:
    with pytest.raises(ValueError, match="S_diff is zero"):
        reliable_change_index(0.0, 1.0, 5.0, 1.0)


# --- reliability_report ----------------------------------------------------------------


def _two_scale_data(rng: np.random.Generator) -> np.ndarray:
    a = parallel_items(3000, 6, 1.0, rng)  # columns 0–5, alpha ≈ 0.857
    b = parallel_items(3000, 4, 2.0, rng)  # columns 6–9, alpha ≈ 0.5
    return np.hstack([a, b])


SCALES = {"close": [0, 1, 2, 3, 4, 5], "apart": [6, 7, 8, 9]}


def test_reliability_report_sum_vs_mean_units() -> None:
    items = _two_scale_data(np.random.default_rng(1))
    by_sum = reliability_report(items, SCALES, n_boot=200)
    by_mean = reliability_report(items, SCALES, method={"close": "mean", "apart": "mean"}, n_boot=200)
    for name, cols in SCALES.items():
        s, m = by_sum[name], by_mean[name]
        k = len(cols)
        assert isinstance(s, ScaleReliability)
        assert (s.name, s.n, s.k) == (name, 3000, k)
        assert s.alpha == m.alpha  # the scoring method does not change alpha
        assert s.ci95 == m.ci95
        assert s.sd == pytest.approx(np.std(items[:, cols].sum(axis=1), ddof=1), rel=1e-12)
        assert m.sd == pytest.approx(s.sd / k, rel=1e-12)
        assert m.reliable_change == pytest.approx(s.reliable_change / k, rel=1e-12)
        assert s.reliable_change == pytest.approx(reliable_change_threshold(s.sd, s.alpha), rel=1e-12)
        assert len(s.item_total) == k
    assert abs(by_sum["close"].alpha - spearman_brown(6, 1.0)) < 0.03
    assert abs(by_sum["apart"].alpha - spearman_brown(4, 2.0)) < 0.03
    lo, hi = by_sum["close"].ci95
    assert lo < by_sum["close"].alpha < hi


def test_reliability_report_mixed_methods_and_defaults() -> None:
    items = _two_scale_data(np.random.default_rng(2))
    report = reliability_report(items, SCALES, method={"apart": "mean"}, n_boot=100)
    close_sum = np.std(items[:, SCALES["close"]].sum(axis=1), ddof=1)
    apart_mean = np.std(items[:, SCALES["apart"]].mean(axis=1), ddof=1)
    assert report["close"].sd == pytest.approx(close_sum, rel=1e-12)  # default is "sum"
    assert report["apart"].sd == pytest.approx(apart_mean, rel=1e-12)


def test_reliability_report_drops_missing_rows_per_scale() -> None:
    items = _two_scale_data(np.random.default_rng(3))
    items[:10, 7] = np.nan
    report = reliability_report(items, SCALES, n_boot=100)
    assert report["close"].n == 3000
    assert report["apart"].n == 2990
    assert report["apart"].alpha == pytest.approx(cronbach_alpha(items[10:, 6:10]), abs=1e-12)


def test_reliability_report_rejects_bad_specs() -> None:
    items = _two_scale_data(np.random.default_rng(4))
    with pytest.raises(ValueError, match="'sum' or 'mean'"):
        reliability_report(items, SCALES, method={"close": "median"}, n_boot=10)
    with pytest.raises(ValueError, match="not in scales"):
        reliability_report(items, SCALES, method={"other": "sum"}, n_boot=10)
    with pytest.raises(ValueError, match="columns"):
        reliability_report(items, {"x": [0, 42]}, n_boot=10)
    with pytest.raises(ValueError, match="at least 2 items"):
        reliability_report(items, {"x": [0]}, n_boot=10)


def test_scale_reliability_is_frozen() -> None:
    report = reliability_report(HAND, {"all": [0, 1, 2]}, n_boot=50)
    with pytest.raises(AttributeError):
        report["all"].alpha = 0.0  # type: ignore[misc]
    assert report["all"].alpha == pytest.approx(HAND_ALPHA, abs=1e-12)
