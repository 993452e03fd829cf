"""Forecast error: WAPE, sMAPE and MASE, each defined where the textbook formula divides by zero."""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def _paired(actual: Sequence[float], forecast: Sequence[float]) -> tuple[np.ndarray, np.ndarray]:
    if len(actual) != len(forecast):
        raise ValueError(f"actual has {len(actual)} points, forecast has {len(forecast)}")
    return np.asarray(actual, dtype=float), np.asarray(forecast, dtype=float)


def wape(actual: Sequence[float], forecast: Sequence[float]) -> float | None:
    """sum |a - f| / sum |a|: errors weighted by volume, so a miss on a tiny period cannot explode
    the score as in MAPE. None when every actual is 0 (nothing to be relative to)."""
    a, f = _paired(actual, forecast)
    volume = np.sum(np.abs(a))
    return float(np.sum(np.abs(a - f)) / volume) if volume else None


def smape(actual: Sequence[float], forecast: Sequence[float]) -> float | None:
    """Mean of 2|a - f| / (|a| + |f|), in [0, 2] (not percent). A 0/0 term (both zero: a perfect
    forecast of nothing) counts as 0 error. None for an empty series."""
    a, f = _paired(actual, forecast)
    if not len(a):
        return None
    scale = np.abs(a) + np.abs(f)
    terms = np.divide(2 * np.abs(a - f), scale, out=np.zeros_like(scale), where=scale != 0)
    return float(np.mean(terms))


def mase(
    actual: Sequence[float], forecast: Sequence[float], insample: Sequence[float], season: int = 1,
) -> float | None:
    """Mean |a - f| divided by the in-sample mean |y_t - y_{t-season}| (the seasonal naive
    forecast's error): < 1 beats naive. None when the scale is 0 or cannot be computed (history
    not longer than one season, constant history) or the series is empty."""
    if season <= 0:
        raise ValueError(f"season must be a positive integer, got {season}")
    a, f = _paired(actual, forecast)
    history = np.asarray(insample, dtype=float)
    if not len(a) or len(history) <= season:
        return None
    scale = np.mean(np.abs(history[season:] - history[:-season]))
    return float(np.mean(np.abs(a - f)) / scale) if scale else None
