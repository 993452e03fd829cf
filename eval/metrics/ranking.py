"""Ranking agreement: nDCG of a predicted order against graded gold, Spearman rho, Kendall tau-b.

Golden values: sklearn.metrics.ndcg_score, scipy.stats.spearmanr and scipy.stats.kendalltau.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from rightsized.eval.metrics.retrieval import ndcg_at_k


def ndcg(ranking: Sequence[str], gold: Mapping[str, float], k: int | None = None) -> float | None:
    """nDCG of a predicted order of ids against graded gold gains (see `ndcg_at_k` for the
    conventions). k=None scores the whole ranking against the whole ideal order; gold items the
    ranking leaves out earn nothing."""
    return ndcg_at_k(ranking, gold, k if k is not None else max(len(ranking), len(gold), 1))


def _paired(a: Sequence[float], b: Sequence[float]) -> tuple[np.ndarray, np.ndarray]:
    if len(a) != len(b):
        raise ValueError(f"a has {len(a)} values, b has {len(b)}")
    return np.asarray(a, dtype=float), np.asarray(b, dtype=float)


def average_ranks(values: Sequence[float]) -> np.ndarray:
    """Ranks from 1, tied values sharing the mean of the ranks they span (scipy's 'average')."""
    x = np.asarray(values, dtype=float)
    order = np.argsort(x, kind="stable")
    ordered = x[order]
    starts = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]])
    ends = np.r_[starts[1:], len(x)]
    ranks = np.empty(len(x))
    ranks[order] = np.repeat((starts + 1 + ends) / 2, ends - starts)
    return ranks


def spearman(a: Sequence[float], b: Sequence[float]) -> float | None:
    """Pearson correlation of the average ranks. None when undefined: fewer than 2 values or a
    constant side (scipy returns nan there)."""
    x, y = _paired(a, b)
    if len(x) < 2:
        return None
    rx, ry = average_ranks(x) - (len(x) + 1) / 2, average_ranks(y) - (len(y) + 1) / 2
    denominator = np.sqrt(np.sum(rx**2) * np.sum(ry**2))
    return float(np.sum(rx * ry) / denominator) if denominator else None


def kendall_tau(a: Sequence[float], b: Sequence[float]) -> float | None:
    """Kendall tau-b: (concordant - discordant) / sqrt((n0 - ties_a) * (n0 - ties_b)) over the
    n0 = n(n-1)/2 pairs, so ties do not count as agreement. O(n^2) time, O(n) memory: meant for
    per-query rankings, not millions of items. None when a side is constant or n < 2."""
    x, y = _paired(a, b)
    net = ties_x = ties_y = 0
    for i in range(len(x) - 1):
        sx, sy = np.sign(x[i + 1:] - x[i]), np.sign(y[i + 1:] - y[i])
        net += int(np.sum(sx * sy))
        ties_x += int(np.sum(sx == 0))
        ties_y += int(np.sum(sy == 0))
    pairs = len(x) * (len(x) - 1) // 2
    denominator = np.sqrt((pairs - ties_x) * (pairs - ties_y))
    return float(net / denominator) if denominator else None
