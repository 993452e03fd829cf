"""Intervals for the three metric kinds: bootstrap collapse, determinism and width; golden
values for Wilson, Newcombe and exact McNemar from the papers and scipy; ratio-of-sums
bootstraps; and deltas that are and are not real."""
from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from scipy import stats as scipy_stats

from rightsized.eval.stats import (
    DeltaResult,
    aggregate,
    bootstrap_ci,
    bootstrap_delta,
    compare_delta,
    mcnemar_exact,
    mean_ci,
    newcombe_paired_interval,
    newcombe_unpaired_interval,
    paired_bootstrap_delta,
    paired_ratio_delta,
    ratio_ci,
    unpaired_ratio_delta,
    wilson_interval,
)


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
    # 2/2: centre (1 + z^2/4)/(1 + z^2/2), z = 1.959964 -> [0.3424, 1.0]
    p, low, high = wilson_interval(2, 2)
    assert p == 1.0 and low == pytest.approx(0.34238, abs=1e-4) and high == 1.0
    # 8/10 -> [0.4902, 0.9433] (standard tables)
    _, low, high = wilson_interval(8, 10)
    assert (low, high) == (pytest.approx(0.4902, abs=1e-4), pytest.approx(0.9433, abs=1e-4))
    assert wilson_interval(0, 0) == (None, None, None)
    assert mean_ci([1.0, 1.0])[1] < 0.5  # binary: Wilson, not a collapsed bootstrap
    assert mean_ci([0.5, 0.5]) == (0.5, 0.5, 0.5)  # non-binary: bootstrap


# --- proportions: exact McNemar and Newcombe ------------------------------------------------


def _table(both: int, a_only: int, b_only: int, neither: int) -> tuple[list[int], list[int]]:
    """Per-case 0/1 outcomes of runs A and B realising a paired 2x2 table."""
    a = [1] * both + [1] * a_only + [0] * b_only + [0] * neither
    b = [1] * both + [0] * a_only + [1] * b_only + [0] * neither
    return a, b


def _flips(a_only: int, b_only: int = 0, n: int = 16) -> tuple[list[int], list[int]]:
    """n paired cases where a_only flip to A right / B wrong, b_only the other way, and the
    rest agree (half right, half wrong)."""
    concordant = n - a_only - b_only
    return _table(concordant // 2, a_only, b_only, concordant - concordant // 2)


def _ones(successes: int, n: int) -> list[int]:
    return [1] * successes + [0] * (n - successes)


@pytest.mark.parametrize(("a_only", "b_only", "n"), [
    (4, 0, 16), (5, 0, 16), (7, 0, 16), (0, 7, 16), (3, 1, 16), (8, 8, 20), (6, 2, 30), (300, 250, 600),
])
def test_mcnemar_exact_matches_scipy_binomtest(a_only: int, b_only: int, n: int) -> None:
    a, b = _flips(a_only, b_only, n)
    expected = scipy_stats.binomtest(a_only, a_only + b_only, 0.5).pvalue
    assert mcnemar_exact(a, b) == pytest.approx(expected, rel=1e-9)


def test_mcnemar_exact_hand_values() -> None:
    # 4 flips all one way: P(X <= 0) = 1/16, two-sided 2/16; 5 -> 2/32; 7 -> 2/128
    assert mcnemar_exact(*_flips(4)) == 0.125
    assert mcnemar_exact(*_flips(5)) == 0.0625
    assert mcnemar_exact(*_flips(7)) == pytest.approx(0.015625)
    assert mcnemar_exact(*_flips(0)) == 1.0  # no discordant pairs: no evidence either way
    assert mcnemar_exact([], []) == 1.0
    with pytest.raises(ValueError, match="same cases"):
        mcnemar_exact([1, 0], [1])
    with pytest.raises(ValueError, match="0 or 1"):
        mcnemar_exact([0.5, 1.0], [1.0, 1.0])


def test_newcombe_paired_golden_values() -> None:
    """Newcombe (1998), "Improved confidence intervals for the difference between binomial
    proportions based on paired data", Stat Med 17:2635-2650, worked example a=20, b=12, c=2,
    d=16 (n=50), delta 0.2: method 10 (score, corrected phi) gives 0.0562 to 0.3292. (Its method
    8, the same with the uncorrected phi, gives 0.0618 to 0.3242.) Also Fagerland, Lydersen &
    Laake (2014, Stat Methods Med Res) Bentur et al. table 1, 1, 7, 12: -0.507 to -0.026; and
    Tang, Li & Tang (2010) table 8, 3, 1, 2: -0.1574 to 0.4136. The two later values are as
    reproduced in the ratesci R package's tests of published examples."""
    delta, low, high = newcombe_paired_interval(*_table(20, 12, 2, 16))
    assert delta == pytest.approx(0.2)
    assert (round(low, 4), round(high, 4)) == (0.0562, 0.3292)
    delta, low, high = newcombe_paired_interval(*_table(1, 1, 7, 12))
    assert delta == pytest.approx(-6 / 21)
    assert (round(low, 3), round(high, 3)) == (-0.507, -0.026)
    _, low, high = newcombe_paired_interval(*_table(8, 3, 1, 2))
    assert (round(low, 4), round(high, 4)) == (-0.1574, 0.4136)


def test_newcombe_paired_edge_cases() -> None:
    assert newcombe_paired_interval([], []) == (None, None, None)
    delta, low, high = newcombe_paired_interval([1] * 5, [1] * 5)  # all agree: a margin is empty
    assert delta == 0.0 and -1 < low < 0 < high < 1
    delta, low, high = newcombe_paired_interval([1] * 5, [0] * 5)
    assert delta == 1.0 and 0 < low < high == 1.0
    with pytest.raises(ValueError):
        newcombe_paired_interval([1, 0], [1])


def test_newcombe_unpaired_golden_values() -> None:
    """Newcombe (1998), "Interval estimation for the difference between independent
    proportions: comparison of eleven methods", Stat Med 17:873-890, method 10 (hybrid score):
    example 56/70 - 48/80 = 0.2 with 0.0524 to 0.3339, and example (d) 5/56 - 0/29 with
    -0.0381 to 0.1926 (a zero count, where Wilson's limit is exactly 0)."""
    delta, low, high = newcombe_unpaired_interval(_ones(56, 70), _ones(48, 80))
    assert delta == pytest.approx(0.2)
    assert (round(low, 4), round(high, 4)) == (0.0524, 0.3339)
    delta, low, high = newcombe_unpaired_interval(_ones(5, 56), _ones(0, 29))
    assert delta == pytest.approx(5 / 56)
    assert (round(low, 4), round(high, 4)) == (-0.0381, 0.1926)
    assert newcombe_unpaired_interval([], [1]) == (None, None, None)
    # 3/3 vs 0/4: Wilson limits are closed-form at the boundary, 3/(3 + z^2) and z^2/(4 + z^2)
    z2 = 1.959964**2
    expected_low = 1 - np.hypot(1 - 3 / (3 + z2), z2 / (4 + z2))
    assert newcombe_unpaired_interval([1] * 3, [0] * 4) == (1.0, pytest.approx(expected_low), 1.0)


@pytest.mark.parametrize(("a_only", "p_value", "significant"), [
    (4, 0.125, False), (5, 0.0625, False), (7, 0.015625, True),
])
def test_paired_proportion_delta_uses_exact_mcnemar(a_only: int, p_value: float, significant: bool) -> None:
    a, b = _flips(a_only)
    result = compare_delta("proportion", a, b, paired=True)
    assert result.delta == pytest.approx(a_only / 16)
    assert result.p_value == pytest.approx(p_value)
    assert result.significant is significant
    assert result.method == "McNemar exact / Newcombe paired"
    assert result.low < result.delta < result.high
    reverse = compare_delta("proportion", b, a, paired=True)
    assert (reverse.delta, reverse.p_value, reverse.significant) == (-result.delta, result.p_value, significant)


def test_old_paired_bootstrap_stars_four_flips_of_sixteen() -> None:
    """Why proportions no longer use the paired bootstrap: resampling 4 ones among 16 per-case
    differences almost never draws none (0.75^16 = 1%), so the 2.5% percentile is above 0 and
    4 one-way flips look significant, where the exact test gives p = 0.125."""
    assert paired_bootstrap_delta(*_flips(4)).significant
    assert not compare_delta("proportion", *_flips(4), paired=True).significant


def test_unpaired_proportion_delta_is_newcombe_hybrid() -> None:
    result = compare_delta("proportion", _ones(56, 70), _ones(48, 80), paired=False)
    assert result.delta == pytest.approx(0.2) and result.significant and result.p_value is None
    assert (round(result.low, 4), round(result.high, 4)) == (0.0524, 0.3339)
    assert result.method == "Newcombe hybrid score"
    assert not compare_delta("proportion", _ones(5, 56), _ones(0, 29), paired=False).significant
    empty = compare_delta("proportion", [], [1], paired=False)
    assert (empty.delta, empty.significant) == (None, False)
    empty = compare_delta("proportion", [], [], paired=True)
    assert (empty.delta, empty.p_value, empty.significant) == (None, None, False)


# --- ratios of sums -------------------------------------------------------------------------


def _ratio_parts(n: int, seed: int = 4) -> list[tuple[float, float]]:
    rng = np.random.default_rng(seed)
    den = rng.uniform(1, 100, n)
    return list(zip((den * rng.uniform(0, 1, n)).tolist(), den.tolist()))


def test_ratio_is_ratio_of_sums_not_mean_of_ratios() -> None:
    parts = [(1.0, 1.0), (9.0, 99.0)]  # per-case ratios 1.0 and 0.0909: their mean is 0.545
    point, low, high = ratio_ci(parts)
    assert point == pytest.approx(10 / 100)
    assert point != pytest.approx(np.mean([1.0, 9 / 99]))
    # resamples: {1,1} -> 1.0 (p 1/4), {1,2} -> 0.1 (1/2), {2,2} -> 0.0909 (1/4)
    assert (low, high) == (pytest.approx(9 / 99), 1.0)


def test_ratio_ci_edge_cases() -> None:
    assert ratio_ci([]) == (None, None, None)
    assert ratio_ci([(0.0, 0.0), (1.0, 0.0)]) == (None, None, None)
    assert ratio_ci([(1.0, 1.0), (0.0, 0.0)]) == (1.0, 1.0, 1.0)  # all-(0, 0) resamples dropped
    assert ratio_ci([(3.0, 4.0)]) == (0.75, 0.75, 0.75)
    with pytest.raises(ValueError, match="pairs"):
        ratio_ci([(1.0, 2.0, 3.0)])  # type: ignore[list-item]
    with pytest.raises(ValueError):
        ratio_ci([(1.0, 2.0)], confidence=0.0)


def test_ratio_ci_is_deterministic_and_agrees_with_scipy() -> None:
    parts = _ratio_parts(200)
    point, low, high = ratio_ci(parts, n_resamples=20_000)
    num, den = np.array(parts).T
    assert point == pytest.approx(num.sum() / den.sum())
    assert ratio_ci(parts) == ratio_ci(parts) != ratio_ci(parts, seed=1)
    reference = scipy_stats.bootstrap(
        (num, den), lambda n, d, axis=-1: n.sum(axis=axis) / d.sum(axis=axis), paired=True,
        method="percentile", n_resamples=20_000, random_state=0,
    ).confidence_interval
    half = (reference.high - reference.low) / 2
    assert (low, high) == pytest.approx((reference.low, reference.high), abs=0.05 * half)


def test_ratio_deltas() -> None:
    base = _ratio_parts(40)
    gained = [(num + 0.05 * den, den) for num, den in base]  # ratio of sums exactly +0.05
    paired = paired_ratio_delta(gained, base)
    assert paired.delta == pytest.approx(0.05) and paired.significant
    unpaired = unpaired_ratio_delta(gained, base)
    assert unpaired.delta == pytest.approx(0.05) and not unpaired.significant
    assert paired_ratio_delta(base, base) == DeltaResult(0.0, 0.0, 0.0, False)
    assert unpaired_ratio_delta([(1.0, 1.0)] * 9, [(0.0, 1.0)] * 5) == DeltaResult(1.0, 1.0, 1.0, True)
    assert unpaired_ratio_delta(gained, base) == unpaired_ratio_delta(gained, base)


def test_ratio_delta_edge_cases() -> None:
    assert paired_ratio_delta([], []) == DeltaResult(None, None, None, False)
    assert unpaired_ratio_delta([(1.0, 2.0)], []) == DeltaResult(None, None, None, False)
    assert unpaired_ratio_delta([(1.0, 2.0)], [(1.0, 0.0)]) == DeltaResult(None, None, None, False)
    with pytest.raises(ValueError, match="same cases"):
        paired_ratio_delta([(1.0, 2.0)], [])


# --- dispatch by metric kind ----------------------------------------------------------------


def test_aggregate_dispatches_by_kind() -> None:
    assert aggregate("proportion", [1.0, 1.0, 0.0, 1.0]) == wilson_interval(3, 4)
    assert aggregate("proportion", []) == (None, None, None)
    with pytest.raises(ValueError, match="0 or 1"):
        aggregate("proportion", [1.0, 0.5])
    scores = _scores(30)
    assert aggregate("mean", scores, seed=3) == bootstrap_ci(scores, seed=3)
    assert aggregate("mean", scores, confidence=0.9) == bootstrap_ci(scores, confidence=0.9)
    parts = _ratio_parts(30)
    assert aggregate("ratio", [], parts, seed=2) == ratio_ci(parts, seed=2)
    assert aggregate("ratio", [], [(1.0, 1.0), (9.0, 99.0)])[0] == pytest.approx(0.1)
    with pytest.raises(ValueError, match="'median'"):
        aggregate("median", scores)


def test_compare_delta_dispatches_by_kind() -> None:
    a, b = _scores(40, seed=1), _scores(40, seed=2)
    paired = compare_delta("mean", a, b, paired=True, seed=5)
    assert paired == replace(paired_bootstrap_delta(a, b, seed=5), method="paired bootstrap")
    assert compare_delta("mean", a, b, paired=False).method == "bootstrap"
    assert compare_delta("mean", a, b, paired=False).delta == bootstrap_delta(a, b).delta
    parts_a, parts_b = _ratio_parts(30, seed=1), _ratio_parts(30, seed=2)
    ratio = compare_delta("ratio", parts_a, parts_b, paired=True)
    assert ratio == replace(paired_ratio_delta(parts_a, parts_b), method="paired bootstrap of ratio")
    assert compare_delta("ratio", parts_a, parts_b[:20], paired=False).method == "bootstrap of ratio"
    with pytest.raises(ValueError, match="'median'"):
        compare_delta("median", a, b, paired=True)


def test_delta_result_keeps_positional_construction() -> None:
    result = DeltaResult(0.1, 0.0, 0.2, False)
    assert (result.p_value, result.method) == (None, "")
    assert DeltaResult(0.1, 0.0, 0.2, True, 0.01, "x").p_value == 0.01
