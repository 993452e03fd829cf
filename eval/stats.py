"""Confidence intervals, so a report can tell a real difference between runs from noise.

Every metric has one of three KINDS, and each kind needs its own interval:

- "proportion": per-case 0/1 outcomes. Wilson score interval for one run; for a difference,
  Newcombe's score-based intervals and, on shared cases, the exact McNemar test. The bootstrap
  is wrong here at small n: it collapses on all-equal outcomes and stars 4-of-16 flips.
- "mean": per-case floats. Percentile bootstrap of the mean.
- "ratio": a ratio of sums (WAPE = sum|err| / sum|actual|, micro-F1). The aggregate is
  sum(num) / sum(den), not the mean of per-case ratios, so cases are resampled as
  (num, den) pairs and the ratio of sums is recomputed per resample.
- "corpus": a metric of the whole set of cases (macro-F1 over labels, an impact ratio over
  groups, the largest value): each case carries named parts, a named reducer
  (eval.metrics.corpus) computes the metric from all of them, and the percentile bootstrap
  resamples cases and recomputes it.

Bootstraps use a numpy Generator seeded explicitly: the same inputs and seed give the same
interval on every machine, which stored runs and `compare` rely on.
"""
from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from statistics import NormalDist

import numpy as np

from rightsized.eval.metrics.corpus import Parts, fold, parts_matrix, reducer, value_of

METRIC_KINDS = ("proportion", "mean", "ratio", "corpus")
_BATCH_CELLS = 1_000_000  # resample in batches so n_resamples x n never needs one huge matrix

Interval = tuple[float | None, float | None, float | None]


@dataclass(frozen=True)
class DeltaResult:
    """delta = A - B with its interval. `significant` comes from the interval excluding 0, or
    from `p_value` when the method has an exact test (McNemar); `method` names what was used so
    a report can say it."""

    delta: float | None
    low: float | None
    high: float | None
    significant: bool
    p_value: float | None = None
    method: str = ""


_NO_DELTA = DeltaResult(None, None, None, significant=False)


def _check(confidence: float, n_resamples: int) -> None:
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be in (0, 1), got {confidence}")
    if n_resamples < 1:
        raise ValueError(f"n_resamples must be >= 1, got {n_resamples}")


def _z(confidence: float) -> float:
    return float(NormalDist().inv_cdf(0.5 + confidence / 2))


def _bootstrap(statistic: Callable[[np.ndarray], np.ndarray], n: int, n_resamples: int,
               rng: np.random.Generator) -> np.ndarray:
    """statistic applied to n_resamples rows of case indices drawn with replacement. Taking
    indices (not values) lets paired statistics apply one draw to both runs."""
    rows = max(1, _BATCH_CELLS // n)
    return np.concatenate([
        statistic(rng.integers(0, n, size=(min(rows, n_resamples - start), n)))
        for start in range(0, n_resamples, rows)
    ])


def _resampled_means(values: np.ndarray, n_resamples: int, rng: np.random.Generator) -> np.ndarray:
    """Means of n_resamples resamples with replacement. Clipped to the data range: a mean cannot
    leave it, but float rounding can by one ulp, and then identical values would not give a
    collapsed interval."""
    means = _bootstrap(lambda idx: values[idx].mean(axis=1), len(values), n_resamples, rng)
    return np.clip(means, values.min(), values.max())


def _interval(resampled: np.ndarray, confidence: float) -> tuple[float, float]:
    tail = (1 - confidence) / 2 * 100
    low, high = np.percentile(resampled, [tail, 100 - tail])
    return float(low), float(high)


def _point(values: np.ndarray) -> float:
    return float(np.clip(values.mean(), values.min(), values.max()))


def bootstrap_ci(
    values: Sequence[float], *, confidence: float = 0.95, n_resamples: int = 2000, seed: int = 0,
) -> Interval:
    """(mean, low, high): the sample mean and the percentile-bootstrap interval around it.
    Empty gives (None, None, None); one value or identical values give a collapsed interval
    (v, v, v), since resampling cannot show any spread."""
    _check(confidence, n_resamples)
    x = np.asarray(values, dtype=float)
    if not len(x):
        return None, None, None
    low, high = _interval(_resampled_means(x, n_resamples, np.random.default_rng(seed)), confidence)
    return _point(x), low, high


def _wilson_bounds(successes: int, n: int, confidence: float) -> tuple[float, float]:
    z = _z(confidence)
    p = successes / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return max(0.0, centre - half), min(1.0, centre + half)


def wilson_interval(successes: int, n: int, *, confidence: float = 0.95) -> Interval:
    """(proportion, low, high) by the Wilson score interval.

    Why not the bootstrap for 0/1 metrics: with few or all-equal outcomes (2 of 2 sanctioned
    applicants caught) the percentile bootstrap collapses to [1, 1] and claims a certainty the
    data cannot give; Wilson gives [0.34, 1] for 2/2 and stays inside [0, 1].
    """
    if n == 0:
        return None, None, None
    return successes / n, *_wilson_bounds(successes, n, confidence)


def mean_ci(values: Sequence[float], *, confidence: float = 0.95, seed: int = 0) -> Interval:
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
    _check_paired(a, b)
    mean, low, high = bootstrap_ci(
        np.asarray(a, dtype=float) - np.asarray(b, dtype=float),
        confidence=confidence, n_resamples=n_resamples, seed=seed,
    )
    if mean is None or low is None or high is None:
        return _NO_DELTA
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
        return _NO_DELTA
    rng = np.random.default_rng(seed)
    resampled = _resampled_means(x, n_resamples, rng) - _resampled_means(y, n_resamples, rng)
    return _delta(_point(x) - _point(y), *_interval(resampled, confidence))


# --- proportions: exact and score-based methods ---------------------------------------------


def _check_paired(a: Sequence[object], b: Sequence[object]) -> None:
    if len(a) != len(b):
        raise ValueError(f"paired runs need the same cases: a has {len(a)}, b has {len(b)}")


def _binary(values: Sequence[float]) -> list[int]:
    """The values as 0/1 ints; anything else is a caller bug (a float score sent as a
    proportion), and silently rounding it would give a wrong interval."""
    if any(v not in (0, 1) for v in values):
        raise ValueError(f"proportion values must be 0 or 1, got {sorted(set(values) - {0, 1})[:5]}")
    return [int(v) for v in values]


def _paired_table(a: Sequence[float], b: Sequence[float]) -> tuple[int, int, int, int]:
    """(both right, only A right, only B right, both wrong) over the shared cases."""
    _check_paired(a, b)
    pairs = list(zip(_binary(a), _binary(b)))
    return pairs.count((1, 1)), pairs.count((1, 0)), pairs.count((0, 1)), pairs.count((0, 0))


def mcnemar_exact(a: Sequence[float], b: Sequence[float]) -> float:
    """Two-sided exact McNemar p-value for paired 0/1 outcomes (a[i], b[i] are one case).

    Only the cases that flipped carry information; under "no difference" each flip goes either
    way with probability 1/2, so the p-value is a binomial test on them. Exact rather than the
    chi-square approximation because eval sets are small: 4 flips of 16 cases is p = 0.125,
    which a bootstrap calls significant. Integer arithmetic keeps it exact for any n.
    """
    _, a_only, b_only, _ = _paired_table(a, b)
    flips = a_only + b_only
    if not flips:
        return 1.0
    tail = sum(math.comb(flips, k) for k in range(min(a_only, b_only) + 1))
    return min(1.0, 2 * tail / 2**flips)


def _phi(both: int, a_only: int, b_only: int, neither: int) -> float:
    """Newcombe's (1998) corrected correlation of the paired outcomes: the plain phi
    coefficient makes the interval too narrow when outcomes are positively correlated, so a
    positive cross-product difference is reduced by n/2 (and floored at 0). 0 when a margin is
    empty, as the correlation is then undefined."""
    n = both + a_only + b_only + neither
    margins = (both + a_only) * (b_only + neither) * (both + b_only) * (a_only + neither)
    if not margins:
        return 0.0
    cross = both * neither - a_only * b_only
    if cross > 0:
        cross = max(cross - n / 2, 0.0)
    return cross / math.sqrt(margins)


def newcombe_paired_interval(a: Sequence[float], b: Sequence[float], confidence: float = 0.95) -> Interval:
    """(mean(a) - mean(b), low, high) for paired 0/1 outcomes by Newcombe (1998, Stat Med
    17:2635-2650) method 10: the Wilson intervals of the two marginal proportions combined
    with the corrected phi. Unlike the Wald or bootstrap interval it keeps its coverage at
    small n and near 0 or 1, and stays inside [-1, 1]. Empty gives (None, None, None)."""
    both, a_only, b_only, neither = _paired_table(a, b)
    n = both + a_only + b_only + neither
    if not n:
        return None, None, None
    p_a, p_b = (both + a_only) / n, (both + b_only) / n
    low_a, high_a = _wilson_bounds(both + a_only, n, confidence)
    low_b, high_b = _wilson_bounds(both + b_only, n, confidence)
    phi = _phi(both, a_only, b_only, neither)
    below = math.sqrt((p_a - low_a) ** 2 - 2 * phi * (p_a - low_a) * (high_b - p_b) + (high_b - p_b) ** 2)
    above = math.sqrt((high_a - p_a) ** 2 - 2 * phi * (high_a - p_a) * (p_b - low_b) + (p_b - low_b) ** 2)
    delta = p_a - p_b
    return delta, max(-1.0, delta - below), min(1.0, delta + above)


def newcombe_unpaired_interval(a: Sequence[float], b: Sequence[float], confidence: float = 0.95) -> Interval:
    """(mean(a) - mean(b), low, high) for 0/1 outcomes on different cases by Newcombe's hybrid
    score interval (1998, Stat Med 17:873-890, method 10): each side's distance to its own
    Wilson limit, added in quadrature. Inherits Wilson's good coverage at small n and at 0 or 1,
    where the Wald interval and the bootstrap collapse. Empty side gives (None, None, None)."""
    x, y = _binary(a), _binary(b)
    if not x or not y:
        return None, None, None
    p_a, p_b = sum(x) / len(x), sum(y) / len(y)
    low_a, high_a = _wilson_bounds(sum(x), len(x), confidence)
    low_b, high_b = _wilson_bounds(sum(y), len(y), confidence)
    delta = p_a - p_b
    low = delta - math.hypot(p_a - low_a, high_b - p_b)
    high = delta + math.hypot(high_a - p_a, p_b - low_b)
    return delta, max(-1.0, low), min(1.0, high)


# --- ratios of sums -------------------------------------------------------------------------


def _parts(parts: Sequence[tuple[float, float]]) -> np.ndarray:
    """parts as an (n, 2) float array of (numerator, denominator) rows."""
    array = np.asarray(parts, dtype=float)
    if not array.size:
        return array.reshape(0, 2)
    if array.ndim != 2 or array.shape[1] != 2:
        raise ValueError(f"ratio parts must be (numerator, denominator) pairs, got shape {array.shape}")
    return array


def _ratio(parts: np.ndarray) -> float | None:
    den = parts[:, 1].sum()
    return float(parts[:, 0].sum() / den) if den else None


def _resampled_ratio(parts: np.ndarray) -> Callable[[np.ndarray], np.ndarray]:
    """Ratio of sums per row of resampled case indices; NaN where the resampled denominators
    sum to 0 (the ratio does not exist there), so callers can drop those resamples."""
    def statistic(idx: np.ndarray) -> np.ndarray:
        num, den = parts[idx, 0].sum(axis=1), parts[idx, 1].sum(axis=1)
        return np.divide(num, den, out=np.full(len(den), np.nan), where=den != 0)
    return statistic


def _finite_interval(resampled: np.ndarray, confidence: float) -> tuple[float | None, float | None]:
    """Percentile interval over the resamples that have a ratio; None if none has."""
    kept = resampled[~np.isnan(resampled)]
    return _interval(kept, confidence) if len(kept) else (None, None)


def ratio_ci(
    parts: Sequence[tuple[float, float]], *, confidence: float = 0.95, n_resamples: int = 2000,
    seed: int = 0,
) -> Interval:
    """(sum(num) / sum(den), low, high) with a percentile bootstrap over cases: (num, den) pairs
    are resampled together, because the per-case mean of ratios is a different metric (one
    tiny-denominator case would dominate it). Empty or sum(den) == 0 gives (None, None, None);
    resamples whose denominators sum to 0 are dropped."""
    _check(confidence, n_resamples)
    array = _parts(parts)
    point = _ratio(array)
    if point is None:
        return None, None, None
    resampled = _bootstrap(_resampled_ratio(array), len(array), n_resamples, np.random.default_rng(seed))
    return point, *_finite_interval(resampled, confidence)


def _ratio_delta(delta: float, resampled: np.ndarray, confidence: float) -> DeltaResult:
    low, high = _finite_interval(resampled, confidence)
    if low is None or high is None:
        return DeltaResult(delta, None, None, significant=False)
    return _delta(delta, low, high)


def paired_ratio_delta(
    parts_a: Sequence[tuple[float, float]], parts_b: Sequence[tuple[float, float]], *,
    confidence: float = 0.95, n_resamples: int = 2000, seed: int = 0,
) -> DeltaResult:
    """ratio(A) - ratio(B) on the SAME cases: one draw of case indices feeds both runs, so the
    between-case variance cancels as in `paired_bootstrap_delta`. No delta when either side
    has no ratio (empty, or denominators summing to 0)."""
    _check(confidence, n_resamples)
    _check_paired(parts_a, parts_b)
    x, y = _parts(parts_a), _parts(parts_b)
    ratio_a, ratio_b = _ratio(x), _ratio(y)
    if ratio_a is None or ratio_b is None:
        return _NO_DELTA
    resample_a, resample_b = _resampled_ratio(x), _resampled_ratio(y)
    resampled = _bootstrap(lambda idx: resample_a(idx) - resample_b(idx), len(x), n_resamples,
                           np.random.default_rng(seed))
    return _ratio_delta(ratio_a - ratio_b, resampled, confidence)


def unpaired_ratio_delta(
    parts_a: Sequence[tuple[float, float]], parts_b: Sequence[tuple[float, float]], *,
    confidence: float = 0.95, n_resamples: int = 2000, seed: int = 0,
) -> DeltaResult:
    """ratio(A) - ratio(B) when the case sets differ: each side is resampled independently.
    No delta when either side has no ratio."""
    _check(confidence, n_resamples)
    x, y = _parts(parts_a), _parts(parts_b)
    ratio_a, ratio_b = _ratio(x), _ratio(y)
    if ratio_a is None or ratio_b is None:
        return _NO_DELTA
    rng = np.random.default_rng(seed)
    resampled = (_bootstrap(_resampled_ratio(x), len(x), n_resamples, rng)
                 - _bootstrap(_resampled_ratio(y), len(y), n_resamples, rng))
    return _ratio_delta(ratio_a - ratio_b, resampled, confidence)


def _resampled_corpus(cases: Sequence[Parts], reduce: str) -> tuple[float | None, Callable[[np.ndarray], np.ndarray]]:
    """(the metric on all cases, statistic over rows of resampled case indices; NaN where a
    resample leaves the metric undefined, e.g. one group only)."""
    how = reducer(reduce)
    keys, matrix = parts_matrix(cases)

    def statistic(idx: np.ndarray) -> np.ndarray:
        folded = fold(how.combine, matrix[idx])
        return np.array([np.nan if (v := value_of(keys, row, how)) is None else v for row in folded])

    point = value_of(keys, fold(how.combine, matrix), how) if len(cases) else None
    return point, statistic


def corpus_ci(
    cases: Sequence[Parts], reduce: str, *, confidence: float = 0.95, n_resamples: int = 2000, seed: int = 0,
) -> Interval:
    """(metric over all cases, low, high): the named reducer on every case's parts, with a
    percentile bootstrap over cases. (None, None, None) when the metric is undefined."""
    _check(confidence, n_resamples)
    point, statistic = _resampled_corpus(cases, reduce)
    if point is None:
        return None, None, None
    resampled = _bootstrap(statistic, len(cases), n_resamples, np.random.default_rng(seed))
    return point, *_finite_interval(resampled, confidence)


def corpus_delta(
    cases_a: Sequence[Parts], cases_b: Sequence[Parts], reduce: str, *, paired: bool,
    confidence: float = 0.95, n_resamples: int = 2000, seed: int = 0,
) -> DeltaResult:
    """metric(A) - metric(B). Paired (the same cases in the same order): one draw of case
    indices feeds both runs; unpaired: each side is resampled on its own."""
    _check(confidence, n_resamples)
    if paired:
        _check_paired(cases_a, cases_b)
    point_a, stat_a = _resampled_corpus(cases_a, reduce)
    point_b, stat_b = _resampled_corpus(cases_b, reduce)
    if point_a is None or point_b is None:
        return _NO_DELTA
    rng = np.random.default_rng(seed)
    if paired:
        resampled = _bootstrap(lambda idx: stat_a(idx) - stat_b(idx), len(cases_a), n_resamples, rng)
    else:
        resampled = (_bootstrap(stat_a, len(cases_a), n_resamples, rng)
                     - _bootstrap(stat_b, len(cases_b), n_resamples, rng))
    return _ratio_delta(point_a - point_b, resampled, confidence)


# --- dispatch by metric kind ----------------------------------------------------------------


def _unknown_kind(kind: str) -> ValueError:
    return ValueError(f"unknown metric kind {kind!r}; expected one of {', '.join(METRIC_KINDS)}")


def _reducer_name(reduce: str | None) -> str:
    if reduce is None:
        raise ValueError("a corpus metric needs the name of its reducer")
    return reduce


def aggregate(
    kind: str, values: Sequence[float], parts: Sequence[tuple[float, float]] | Sequence[Parts] = (), *,
    reduce: str | None = None, confidence: float = 0.95, seed: int = 0,
) -> Interval:
    """(point, low, high) of one run's metric with the interval its kind needs; `parts` is
    only read for "ratio" ((num, den) per case) and "corpus" (named parts per case, folded by
    the reducer `reduce`), `values` only for the other kinds."""
    if kind == "corpus":
        return corpus_ci(parts, _reducer_name(reduce), confidence=confidence, seed=seed)  # type: ignore[arg-type]
    if kind == "proportion":
        return wilson_interval(sum(_binary(values)), len(values), confidence=confidence)
    if kind == "mean":
        return bootstrap_ci(values, confidence=confidence, seed=seed)
    if kind == "ratio":
        return ratio_ci(parts, confidence=confidence, seed=seed)
    raise _unknown_kind(kind)


def _paired_proportion_delta(a: Sequence[float], b: Sequence[float], confidence: float) -> DeltaResult:
    """Significance from the exact McNemar test, not from the interval: the score interval only
    approximates it and at small n the two can disagree; the interval still shows the size."""
    method = "McNemar exact / Newcombe paired"
    delta, low, high = newcombe_paired_interval(a, b, confidence)
    if delta is None or low is None or high is None:
        return replace(_NO_DELTA, method=method)
    p_value = mcnemar_exact(a, b)
    return DeltaResult(delta, low, high, significant=p_value < 1 - confidence, p_value=p_value, method=method)


def _unpaired_proportion_delta(a: Sequence[float], b: Sequence[float], confidence: float) -> DeltaResult:
    method = "Newcombe hybrid score"
    delta, low, high = newcombe_unpaired_interval(a, b, confidence)
    if delta is None or low is None or high is None:
        return replace(_NO_DELTA, method=method)
    return replace(_delta(delta, low, high), method=method)


_BOOTSTRAP_DELTAS = {  # (kind, paired) -> delta function, method name
    ("mean", True): (paired_bootstrap_delta, "paired bootstrap"),
    ("mean", False): (bootstrap_delta, "bootstrap"),
    ("ratio", True): (paired_ratio_delta, "paired bootstrap of ratio"),
    ("ratio", False): (unpaired_ratio_delta, "bootstrap of ratio"),
}


def compare_delta(
    kind: str, a: Sequence[float] | Sequence[tuple[float, float]] | Sequence[Parts],
    b: Sequence[float] | Sequence[tuple[float, float]] | Sequence[Parts], *, paired: bool,
    reduce: str | None = None, confidence: float = 0.95, seed: int = 0,
) -> DeltaResult:
    """delta = A - B with the interval and significance test that suit the metric kind. a and b
    are per-case values, (num, den) pairs for "ratio", named parts for "corpus" (with the
    reducer's name); paired means a[i] and b[i] are the same case."""
    if kind == "corpus":
        result = corpus_delta(a, b, _reducer_name(reduce), paired=paired,  # type: ignore[arg-type]
                              confidence=confidence, seed=seed)
        return replace(result, method=f"{'paired ' if paired else ''}bootstrap of {reduce}")
    if kind == "proportion":
        proportion_delta = _paired_proportion_delta if paired else _unpaired_proportion_delta
        return proportion_delta(a, b, confidence)
    if (kind, paired) not in _BOOTSTRAP_DELTAS:
        raise _unknown_kind(kind)
    delta_fn, method = _BOOTSTRAP_DELTAS[kind, paired]
    return replace(delta_fn(a, b, confidence=confidence, seed=seed), method=method)
