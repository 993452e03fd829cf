"""Bootstrap intervals: collapse, determinism, width, and deltas that are and are not real."""
from __future__ import annotations

import numpy as np
import pytest
from scipy import stats as scipy_stats

from eval.stats import DeltaResult, bootstrap_ci, bootstrap_delta, paired_bootstrap_delta


def _scores(n: int, seed: int = 1) -> list[float]:
    return np.random.default_rng(seed).normal(0.7, 0.2, n).tolist()


def test_bootstrap_ci_contains_the_mean_and_is_deterministic() -> None:
    values = _scores(40)
    point, low, high = bootstrap_ci(values)
    assert point == pytest.approx(np.mean(values))
    assert low < point < high
    assert bootstrap_ci(values) == (point, low, high)
    assert bootstrap_ci(values, seed=1) != (point, low, high)


def test_bootstrap_ci_edge_cases_collapse() -> None:
    assert bootstrap_ci([]) == (None, None, None)
    assert bootstrap_ci([0.3]) == (0.3, 0.3, 0.3)
    assert bootstrap_ci([0.1] * 7) == (0.1, 0.1, 0.1)  # 0.1 * 7 / 7 is not 0.1 in floats; clipped
    with pytest.raises(ValueError):
        bootstrap_ci([1.0, 2.0], confidence=1.0)
    with pytest.raises(ValueError):
        bootstrap_ci([1.0, 2.0], n_resamples=0)


def test_bootstrap_ci_narrows_with_more_data_and_confidence() -> None:
    _, low_small, high_small = bootstrap_ci(_scores(20))
    _, low_large, high_large = bootstrap_ci(_scores(2000))  # several resampling batches
    assert high_large - low_large < (high_small - low_small) / 5  # width ~ 1/sqrt(n): 10x here
    _, low_90, high_90 = bootstrap_ci(_scores(20), confidence=0.9)
    assert low_small < low_90 < high_90 < high_small


def test_bootstrap_ci_agrees_with_normal_theory_and_scipy() -> None:
    # For n = 400 the mean is close to normal: mean +- 1.96 * s / sqrt(n)
    values = np.array(_scores(400, seed=3))
    point, low, high = bootstrap_ci(values, n_resamples=20_000)
    half = 1.96 * values.std(ddof=1) / np.sqrt(len(values))
    assert low == pytest.approx(point - half, abs=0.1 * half)
    assert high == pytest.approx(point + half, abs=0.1 * half)
    reference = scipy_stats.bootstrap(
        (values,), np.mean, method="percentile", n_resamples=20_000, random_state=0,
    ).confidence_interval
    assert (low, high) == pytest.approx((reference.low, reference.high), abs=0.05 * half)


def test_paired_delta_detects_a_clear_difference() -> None:
    assert paired_bootstrap_delta([1.0] * 50, [0.0] * 50) == DeltaResult(1.0, 1.0, 1.0, True)
    result = paired_bootstrap_delta([0.0] * 50, [1.0] * 50)
    assert (result.delta, result.significant) == (-1.0, True)


def test_paired_delta_does_not_flag_a_zero_difference() -> None:
    assert paired_bootstrap_delta([0.5, 1.0, 0.0], [0.5, 1.0, 0.0]) == DeltaResult(0.0, 0.0, 0.0, False)
    rng = np.random.default_rng(5)
    base, noise = rng.random(30), rng.normal(0, 0.1, 30)
    a, b = np.r_[base, base], np.r_[base + noise, base - noise]  # per-case noise that sums to 0
    result = paired_bootstrap_delta(a.tolist(), b.tolist())
    assert result.delta == pytest.approx(0.0, abs=1e-12)
    assert result.low < 0 < result.high and not result.significant


def test_pairing_finds_a_small_consistent_gain_that_unpaired_misses() -> None:
    # every case +0.05, but cases spread over [0, 1]: unpaired se ~ 0.29 * sqrt(2/40) = 0.065
    base = np.random.default_rng(2).random(40)
    a, b = (base + 0.05).tolist(), base.tolist()
    paired = paired_bootstrap_delta(a, b)
    assert paired.delta == pytest.approx(0.05) and paired.significant
    unpaired = bootstrap_delta(a, b)
    assert unpaired.delta == pytest.approx(0.05) and not unpaired.significant


def test_unpaired_delta() -> None:
    assert bootstrap_delta([1.0] * 30, [0.0] * 20) == DeltaResult(1.0, 1.0, 1.0, True)
    result = bootstrap_delta(_scores(60, seed=1), _scores(45, seed=2))  # same distribution
    assert result.low < result.delta < result.high and not result.significant
    assert bootstrap_delta(_scores(60), _scores(45)) == bootstrap_delta(_scores(60), _scores(45))
    assert bootstrap_delta([], [1.0]) == DeltaResult(None, None, None, False)


def test_paired_delta_edge_cases() -> None:
    assert paired_bootstrap_delta([], []) == DeltaResult(None, None, None, False)
    with pytest.raises(ValueError):
        paired_bootstrap_delta([1.0], [1.0, 0.0])


def test_wilson_interval_golden_values_and_binary_dispatch() -> None:
    from eval.stats import mean_ci, wilson_interval

    # 2/2: centre (1 + z^2/4)/(1 + z^2/2), z = 1.959964 -> [0.3424, 1.0]
    p, low, high = wilson_interval(2, 2)
    assert p == 1.0 and low == pytest.approx(0.34238, abs=1e-4) and high == 1.0
    # 8/10 -> [0.4902, 0.9433] (standard tables)
    _, low, high = wilson_interval(8, 10)
    assert (low, high) == (pytest.approx(0.4902, abs=1e-4), pytest.approx(0.9433, abs=1e-4))
    assert wilson_interval(0, 0) == (None, None, None)
    assert mean_ci([1.0, 1.0])[1] < 0.5  # binary: Wilson, not a collapsed bootstrap
    assert mean_ci([0.5, 0.5]) == (0.5, 0.5, 0.5)  # non-binary: bootstrap
