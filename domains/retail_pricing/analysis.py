"""One series through the forecasting tools: stock-outs imputed, season chosen, backtest, forecast.

Why a module between the tasks and the tools: `forecast` and `price` must forecast a series the
same way (the price task's base demand is the forecast task's point forecast), and the real
suite's per-product cases go through the same function.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

from rightsized.domains.retail_pricing.forecasting import (
    LEVEL, SeriesBacktest, SeriesForecast, backtest, candidate_names, forecast, impute_stockouts, usable_season,
)
from rightsized.domains.retail_pricing.tables import Series
from rightsized.pipelines.errors import ConfigError

SEASON = {7: 52, 1: 7}  # weekly tables: yearly season; daily tables: weekly season


@dataclass(frozen=True)
class SeriesOutcome:
    periods: list[date]
    season: int
    backtest: SeriesBacktest
    forecast: SeriesForecast
    imputed: int
    warnings: tuple[str, ...]
    level: int = LEVEL


def forecast_series(series: Series, step_days: int, *, horizon: int, origins: int,
                    models: Sequence[str] | None = None) -> SeriesOutcome:
    """`models`: candidate families by plain name ("SeasonalNaive", "AutoETS", "AutoARIMA"); with a
    season over 24 the STL variants of those are used. Default: every candidate."""
    values, imputed = impute_stockouts(series.units, series.stockout)
    if len(values) < horizon * origins + 4:
        raise ConfigError(f"{series.key}: {len(values)} periods of history cannot back-test {origins} origin(s) "
                          f"of {horizon} periods; lower horizon or origins")
    warnings = []
    wanted = SEASON[step_days]
    season = usable_season(wanted, len(values), horizon, origins)
    if season != wanted:
        warnings.append(f"{series.key}: {len(values)} periods are too few to estimate a season of {wanted}; "
                        "models run without seasonality")
    if imputed:
        warnings.append(f"{series.key}: {imputed} stock-out period(s) imputed (zero sales that are not zero demand)")
    uid = series.key
    names = None if models is None else [n for n in candidate_names(season) if n.split("+")[0] in models]
    tested = backtest({uid: values}, season=season, horizon=horizon, origins=origins, models=names)[uid]
    predicted = forecast({uid: values}, {uid: tested.chosen}, season=season, horizon=horizon)[uid]
    last = series.periods[-1]
    periods = [last + timedelta(days=step_days * (i + 1)) for i in range(horizon)]
    return SeriesOutcome(periods, season, tested, predicted, imputed, tuple(warnings))


def latest(values: np.ndarray) -> float | None:
    finite = values[np.isfinite(values)]
    return float(finite[-1]) if len(finite) else None


def regular_price(series: Series) -> float:
    """The latest price outside a promotion (what the shelf returns to)."""
    regular = series.price[series.promo == 0]
    return float(regular[-1]) if len(regular) else float(series.price[-1])
