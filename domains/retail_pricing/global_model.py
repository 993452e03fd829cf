"""A global LightGBM forecaster: one model learned across every series of a table.

Why a global model: a single product's 44 weeks are too few to learn much from, but 811 products
share shapes (decay after a launch, intermittent weeks, level shifts). One gradient-boosted model
on each series' recent lags, scaled by the series' own mean so that big and small sellers look
alike, learns from all of them; on UCI (last 8 weeks held out) it scored WAPE 0.265 against
AutoARIMA's 0.271 (measured). Why direct multi-horizon: the horizon is a feature and every
forecast comes from observed lags only, so errors do not compound step by step.
Why the L1 objective: WAPE is an absolute-error measure and 22% of UCI weeks are zero; the
median-seeking L1 fit scored better than L2 (0.265 vs 0.267) and its backtest errors were lower
at every origin.

Why a market-normalised variant (`market=True`, the candidate "LightGBM+Market"): products of one
table move together (UCI's whole table fell 30% between W24 and W26 and has risen ~1% a week
since). Lags of the raw series teach the model that such a step is each product's own shape, and
a product's history before the step misstates its level after it. Dividing every period by the
table's total for that period (relative to its mean) takes the common movement out, the model
learns each product's share, and the forecast is put back at the market's latest period. With
the common movement gone, the whole normalised history is a fair estimate of a product's level,
so its mean and median are features too. Measured on UCI through the real suite: pooled
backtest WAPE (origins W20/W28/W36, the choice) 0.2778 -> 0.2601, lower at every origin; held-out
W44-W51 0.2649 -> 0.2626. It is offered for non-seasonal tables only: the total would take the
common season out with the level, and the market's next periods are then not its latest one.

A fit is cached by the panel's content, season, horizon, cutoff and variant: the real suite
forecasts 811 products one case at a time from the same table, and each case needs the same fits.
"""
from __future__ import annotations

import hashlib
from collections import OrderedDict

import numpy as np

from rightsized.pipelines.errors import ConfigError

LAGS = 12
DECAY = 0.7  # weight of each older lag in the exponentially weighted recent level
SEED = 2026
_CACHE: OrderedDict[tuple[str, int, int, int, bool], np.ndarray] = OrderedDict()
_CACHE_SIZE = 16


def min_history(season: int) -> int:
    """Periods a cutoff needs behind it: the lags plus, with a season, the same period a season ago."""
    return LAGS + 1 + (season if season > 1 else 0)


def _features(window: np.ndarray, cut: int, step: int, scale: np.ndarray, season: int, market: bool) -> np.ndarray:
    """Features at cutoff `cut` (the last observed index is cut - 1) for `step` periods ahead.

    Lags are scaled by the series' mean so big and small sellers share shapes, but the mean itself
    (log1p) is a feature too: a product selling 2 a week is intermittent where one selling 40 is
    not, and the scaled lags alone hide that. The exponentially weighted mean of the lags follows
    a level shift sooner than the plain means. Both were chosen on UCI's backtest origins only
    (pooled WAPE 0.288 -> 0.2775; other variants tried there: lag spread, whole-history means,
    recent-window scaling, fewer lags, other tree sizes, seed averaging)."""
    lags = window[:, cut - LAGS:cut] / scale[:, None]
    weights = DECAY ** np.arange(LAGS)[::-1]
    columns = [lags, lags[:, -4:].mean(axis=1), lags[:, -8:].mean(axis=1), lags.mean(axis=1),
               (lags[:, -8:] == 0).mean(axis=1), np.full(len(window), float(step)), np.log1p(scale),
               lags @ weights / weights.sum()]
    if season > 1:  # the target period whole seasons earlier, the latest observed (the same week last year)
        back = season * -(-step // season)
        columns.append(window[:, cut + step - 1 - back] / scale)
    if market:  # the common movement taken out, the whole history estimates the level
        history = window[:, :cut] / scale[:, None]
        columns += [history.mean(axis=1), np.median(history, axis=1)]
    return np.column_stack(columns)


def _market(panel: np.ndarray) -> np.ndarray:
    """Each period's table total relative to its mean over the periods (1.0 where the whole table sold
    nothing: no movement to take out)."""
    total = panel.sum(axis=0)
    sold = total > 0
    return np.where(sold, total / (total[sold].mean() if sold.any() else 1.0), 1.0)


def _fit_predict(panel: np.ndarray, cut: int, horizon: int, season: int, market: bool) -> np.ndarray:
    import lightgbm

    seen = panel[:, :cut]
    level = np.ones(1)
    if market:
        movement = _market(seen)
        seen, level = seen / movement, movement[-1:]
    scale = seen.mean(axis=1)
    scale[scale == 0] = 1.0
    rows, targets = [], []
    for origin in range(min_history(season) - 1, cut):
        for step in range(1, horizon + 1):
            if origin + step - 1 < cut:
                rows.append(_features(seen, origin, step, scale, season, market))
                targets.append(seen[:, origin + step - 1] / scale)
    model = lightgbm.LGBMRegressor(
        objective="l1", n_estimators=100, learning_rate=0.05, num_leaves=31, min_child_samples=50,
        subsample=0.8, subsample_freq=1, colsample_bytree=0.8, random_state=SEED, n_jobs=1, verbose=-1)
    model.fit(np.vstack(rows), np.concatenate(targets))
    predicted = np.column_stack([model.predict(_features(seen, cut, step, scale, season, market))
                                 for step in range(1, horizon + 1)])
    return np.clip(predicted, 0.0, None) * scale[:, None] * level


def clear_cache() -> None:
    """Forget every fit (a benchmark times fits, not cache look-ups)."""
    _CACHE.clear()


def global_forecast(panel: np.ndarray, cut: int, horizon: int, season: int, *, market: bool = False) -> np.ndarray:
    """Forecasts (series x horizon) for the `horizon` periods after `cut`, from a model trained only on
    periods before `cut`. `panel`: series x periods, equal lengths. `market`: the market-normalised
    variant (non-seasonal only)."""
    if cut < min_history(season) + 1:
        raise ConfigError(f"a global model needs {min_history(season) + 1} periods before its cutoff, got {cut}")
    if market and season > 1:
        raise ConfigError(f"the market-normalised global model is for non-seasonal tables; season {season} given")
    panel = np.ascontiguousarray(panel, dtype=float)
    key = (hashlib.sha1(panel.tobytes() + str(panel.shape).encode()).hexdigest(), season, horizon, cut, market)
    if key not in _CACHE:
        _CACHE[key] = _fit_predict(panel, cut, horizon, season, market)
        if len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
    _CACHE.move_to_end(key)
    return _CACHE[key].copy()
