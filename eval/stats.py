"""Confidence intervals, so a report can tell a real difference between runs from noise.

Means of 0/1 outcomes get a Wilson score interval (see `wilson_interval`); other means a
percentile bootstrap.

Percentile bootstrap of the mean with a numpy Generator seeded explicitly: the same inputs and
seed give the same interval on every machine, which stored runs and `compare` rely on.
"""
from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from statistics import NormalDist

import numpy as np

_BATCH_CELLS = 1_000_000  # resample in batches so n_resamples x n never needs one huge matrix


@dataclass(frozen=True)
class DeltaResult:
    """delta = mean(a) - mean(b) with its interval; significant when the interval excludes 0."""

    delta: float | None
    low: float | None
    high: float | None
    significant: bool


def _check(confidence: float, n_resamples: int) -> None:
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be in (0, 1), got {confidence}")
    if n_resamples < 1:
        raise ValueError(f"n_resamples must be >= 1, got {n_resamples}")


def _resampled_means(values: np.ndarray, n_resamples: int, rng: np.random.Generator) -> np.ndarray:
    """Means of n_resamples resamples with replacement. Clipped to the data range: a mean cannot
    leave it, but float rounding can by one ulp, and then identical values would not give a
    collapsed interval."""
    rows = max(1, _BATCH_CELLS // len(values))
    means = np.concatenate([
        values[rng.integers(0, len(values), size=(min(rows, n_resamples - start), len(values)))].mean(axis=1)
        for start in range(0, n_resamples, rows)
    ])
    return np.clip(means, values.min(), values.max())


def _interval(resampled: np.ndarray, confidence: float) -> tuple[float, float]:
    tail = (1 - confidence) / 2 * 100
    low, high = np.percentile(resampled, [tail, 100 - tail])
    return float(low), float(high)


def _point(values: np.ndarray) -> float:
    return float(np.clip(values.mean(), values.min(), values.max()))


def bootstrap_ci(
    values: Sequence[float], *, confidence: float = 0.95, n_resamples: int = 2000, seed: int = 0,
) -> tuple[float | None, float | None, float | None]:
    """(mean, low, high): the sample mean and the percentile-bootstrap interval around it.
    Empty gives (None, None, None); one value or identical values give a collapsed interval
    (v, v, v), since resampling cannot show any spread."""
    _check(confidence, n_resamples)
    x = np.asarray(values, dtype=float)
    if not len(x):
        return None, None, None
    low, high = _interval(_resampled_means(x, n_resamples, np.random.default_rng(seed)), confidence)
    return _point(x), low, high


def wilson_interval(successes: int, n: int, *, confidence: float = 0.95) -> tuple[float | None, float | None, float | None]:
    """(proportion, low, high) by the Wilson score interval.

    Why not the bootstrap for 0/1 metrics: with few or all-equal outcomes (2 of 2 sanctioned
    applicants caught) the percentile bootstrap collapses to [1, 1] and claims a certainty the
    data cannot give; Wilson gives [0.34, 1] for 2/2 and stays inside [0, 1].
    """
    if n == 0:
        return None, None, None
    z = float(NormalDist().inv_cdf(0.5 + confidence / 2))
    p = successes / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return p, max(0.0, centre - half), min(1.0, centre + half)


def mean_ci(values: Sequence[float], *, confidence: float = 0.95, seed: int = 0) -> tuple[float | None, float | None, float | None]:
    """Wilson for binary (0/1) values, percentile bootstrap otherwise."""
    if values and all(v in (0.0, 1.0) for v in values):
        return wilson_interval(int(sum(values)), len(values), confidence=confidence)
    return bootstrap_ci(values, confidence=confidence, seed=seed)


def _delta(delta: float, low: float, high: float) -> DeltaResult:
    return DeltaResult(delta, low, high, significant=low > 0 or high < 0)


def paired_bootstrap_delta(
    a: Sequence[float], b: Sequence[float], *, confidence: float = 0.95, n_resamples: int = 2000,
    seed: int = 0,
) -> DeltaResult:
    """Difference of two runs scored on the SAME cases (a[i] and b[i] are one case): case indices
    are resampled jointly, i.e. the per-case differences are bootstrapped, which removes the
    between-case variance and detects smaller differences than the unpaired test."""
    if len(a) != len(b):
        raise ValueError(f"paired runs need the same cases: a has {len(a)}, b has {len(b)}")
    mean, low, high = bootstrap_ci(
        np.asarray(a, dtype=float) - np.asarray(b, dtype=float),
        confidence=confidence, n_resamples=n_resamples, seed=seed,
    )
    if mean is None or low is None or high is None:
        return DeltaResult(None, None, None, significant=False)
    return _delta(mean, low, high)


def bootstrap_delta(
    a: Sequence[float], b: Sequence[float], *, confidence: float = 0.95, n_resamples: int = 2000,
    seed: int = 0,
) -> DeltaResult:
    """mean(a) - mean(b) when the case sets differ: each side is resampled independently. No
    delta (all None, not significant) when either side is empty."""
    _check(confidence, n_resamples)
    x, y = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if not len(x) or not len(y):
        return DeltaResult(None, None, None, significant=False)
    rng = np.random.default_rng(seed)
    resampled = _resampled_means(x, n_resamples, rng) - _resampled_means(y, n_resamples, rng)
    return _delta(_point(x) - _point(y), *_interval(resampled, confidence))
