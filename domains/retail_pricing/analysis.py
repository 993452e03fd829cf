"""One series through the forecasting tools: stock-outs imputed, season chosen, backtest, forecast.

Why a module between the tasks and the tools: `forecast` and `price` must forecast a series the
same way (the price task's base demand is the forecast task's point forecast), and the real
suite's per-product cases go through the same function.
"""
from __future__ import annotations

import hashlib
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

from rightsized.domains.retail_pricing.forecasting import (
    ACROSS_TABLE, LEVEL, SeriesBacktest, SeriesForecast, backtest, candidate_names, forecast, global_usable,
    impute_stockouts, pooled_choice, usable_season,
)
from rightsized.domains.retail_pricing.tables import Series
from rightsized.pipelines.errors import ConfigError

SEASON = {7: 52, 1: 7}  # weekly tables: yearly season; daily tables: weekly season
_BACKTESTS: OrderedDict[tuple[object, ...], dict[str, SeriesBacktest]] = OrderedDict()


@dataclass(frozen=True)
class SeriesOutcome:
    periods: list[date]
    season: int
    backtest: SeriesBacktest  # this series' own backtest
    pooled_wape: dict[str, float | None]  # every candidate's WAPE over the panel: what chose the model
    panel_series: int
    forecast: SeriesForecast
    imputed: int
    warnings: tuple[str, ...]
    level: int = LEVEL


def forecast_series(series: Series, step_days: int, *, horizon: int, origins: int,
                    models: Sequence[str] | None = None, peers: Sequence[Series] = ()) -> SeriesOutcome:
    """`models`: candidate families by plain name ("SeasonalNaive", "AutoETS", "AutoARIMA",
    "LightGBM", "Combination"; "LightGBM" takes in its market-normalised variant); with a season
    over 24 the STL variants of the statistical ones are used. Default: every candidate.
    `peers`: the table's other series; those covering the same periods (and not out of stock
    throughout) form the panel with this one (stock-outs imputed the same way): the global models
    learn from the panel and the model is chosen by the WAPE pooled over the panel's backtest."""
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
    names = [n for n in candidate_names(season) if models is None or n.split("+")[0] in models]
    global_ones = [n for n in names if n in ACROSS_TABLE]
    if global_ones and not global_usable(len(values), season=season, horizon=horizon, origins=origins):
        names = [n for n in names if n not in global_ones]
        warnings.append(f"{series.key}: {len(values)} periods leave the global model too little history before the "
                        f"first backtest origin; {', '.join(global_ones)} not tried")
    uid = series.key
    panel = {uid: values} | {p.key: impute_stockouts(p.units, p.stockout)[0] for p in peers
                             if p.key != uid and p.periods == series.periods and (p.stockout == 0).any()}
    # One order for every case of a table, so they share one cached backtest and global fit.
    panel = dict(sorted(panel.items()))
    tested = panel_backtest(panel, season=season, horizon=horizon, origins=origins, models=names)
    model, pooled = pooled_choice(tested)
    predicted = forecast({uid: values}, {uid: model}, season=season, horizon=horizon, backtests=tested,
                         panel=panel)[uid]
    last = series.periods[-1]
    periods = [last + timedelta(days=step_days * (i + 1)) for i in range(horizon)]
    return SeriesOutcome(periods, season, tested[uid], pooled, len(panel), predicted, imputed, tuple(warnings))


def panel_backtest(panel: dict[str, np.ndarray], *, season: int, horizon: int, origins: int,
                   models: Sequence[str]) -> dict[str, SeriesBacktest]:
    """`forecasting.backtest` of every series in the panel, cached by content: the forecast cases of
    one table (811 in UCI's real suite) share one table-wide backtest and model choice."""
    digest = hashlib.sha1()
    for uid, values in panel.items():
        digest.update(uid.encode() + b"\0" + np.ascontiguousarray(values, dtype=float).tobytes())
    key = (digest.hexdigest(), season, horizon, origins, tuple(models))
    if key not in _BACKTESTS:
        _BACKTESTS[key] = backtest(panel, season=season, horizon=horizon, origins=origins, models=models)
        if len(_BACKTESTS) > 8:
            _BACKTESTS.popitem(last=False)
    _BACKTESTS.move_to_end(key)
    return _BACKTESTS[key]


def latest(values: np.ndarray) -> float | None:
    finite = values[np.isfinite(values)]
    return float(finite[-1]) if len(finite) else None


def regular_price(series: Series) -> float:
    """The latest price outside a promotion (what the shelf returns to)."""
    regular = series.price[series.promo == 0]
    return float(regular[-1]) if len(regular) else float(series.price[-1])
