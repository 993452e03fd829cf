"""Demand forecasting: candidates from statsforecast, chosen per series by a rolling-origin backtest.

Why these candidates: seasonal naive is the baseline every forecast must beat (MASE < 1); AutoETS
and AutoARIMA are the well-kept statistical workhorses. A seasonal series has its season taken
out by STL (`MSTL`) and ETS / ARIMA model what remains — named "AutoETS+STL" and "AutoARIMA+STL"
so nobody mistakes them for the plain models: statsforecast's ETS refuses seasons over 24 (52
weeks), seasonal ARIMA(52) took 4.7 s for a 3-origin backtest of one 156-week series and
seasonal ARIMA(7) ~10 s for a 182-day series (measured), the STL variants a fraction of that.
Why a rolling-origin backtest: one holdout picks the model that was lucky on those weeks; the
sum of absolute errors over several origins (WAPE) is what the choice minimises.
Why a panel API: statsforecast fits many series in one call (and across processes); the task
forecasts one series through the same path, and the benchmark compares this path to the
library's own `cross_validation` call on the same series.
A global LightGBM on lags did not earn its place: on UCI's 811 products (last 8 weeks held out)
it scored WAPE 0.278 (L1 objective) / 0.277 (L2) against AutoARIMA's 0.271 (measured), so it
is not a candidate.
"""
from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from rightsized.pipelines.errors import ConfigError

LEVEL = 80  # prediction interval coverage, percent
BASELINE = "SeasonalNaive"


def _models(season: int, names: Sequence[str] | None = None) -> list[object]:
    from statsforecast.models import MSTL, AutoARIMA, AutoETS, SeasonalNaive

    if season > 1:
        built = {
            BASELINE: lambda: SeasonalNaive(season_length=season, alias=BASELINE),
            "AutoETS+STL": lambda: MSTL(season_length=season, trend_forecaster=AutoETS(model="ZZN"), alias="AutoETS+STL"),
            "AutoARIMA+STL": lambda: MSTL(season_length=season, trend_forecaster=AutoARIMA(), alias="AutoARIMA+STL"),
        }
    else:
        built = {
            BASELINE: lambda: SeasonalNaive(season_length=season, alias=BASELINE),
            "AutoETS": lambda: AutoETS(season_length=season, alias="AutoETS"),
            "AutoARIMA": lambda: AutoARIMA(season_length=season, alias="AutoARIMA"),
        }
    chosen = list(built) if names is None else list(names)
    unknown = [n for n in chosen if n not in built]
    if unknown:
        raise ConfigError(f"unknown forecasting model(s) {', '.join(unknown)} for season {season}; known: {', '.join(built)}")
    return [built[n]() for n in chosen]


def candidate_names(season: int) -> list[str]:
    return [m.alias for m in _models(season)]  # type: ignore[attr-defined]


def usable_season(season: int, length: int, horizon: int, origins: int) -> int:
    """The season if the history holds two full seasons before the first backtest origin, else 1
    (too little history to estimate a season: the models run non-seasonal, and say so)."""
    return season if season > 1 and length - horizon * origins >= 2 * season + 1 else 1


@dataclass(frozen=True)
class SeriesBacktest:
    """Backtest of one series: per-model (sum |error|, sum |actual|) over all origins."""

    errors: dict[str, tuple[float, float]]
    chosen: str

    def wape(self, model: str) -> float | None:
        error, volume = self.errors[model]
        return error / volume if volume else None


def panel_frame(series: dict[str, np.ndarray]) -> pd.DataFrame:
    """Long frame statsforecast reads: unique_id, ds (integer period), y."""
    ids, ds, ys = [], [], []
    for uid, values in series.items():
        ids.append(np.full(len(values), uid, dtype=object))
        ds.append(np.arange(len(values)))
        ys.append(np.asarray(values, dtype=float))
    return pd.DataFrame({"unique_id": np.concatenate(ids), "ds": np.concatenate(ds), "y": np.concatenate(ys)})


def cross_validate(frame: pd.DataFrame, *, season: int, horizon: int, origins: int,
                   models: Sequence[str] | None = None, n_jobs: int = 1) -> pd.DataFrame:
    """statsforecast's own rolling-origin cross-validation (origins `horizon` apart)."""
    from statsforecast import StatsForecast

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # ARIMA's "possible convergence problem" per fit: not actionable
        return StatsForecast(models=_models(season, models), freq=1, n_jobs=n_jobs).cross_validation(
            df=frame, h=horizon, n_windows=origins, step_size=horizon)


def backtest(series: dict[str, np.ndarray], *, season: int, horizon: int, origins: int,
             models: Sequence[str] | None = None, n_jobs: int = 1) -> dict[str, SeriesBacktest]:
    """Every candidate on every series at `origins` rolling origins; the lowest WAPE is chosen
    (ties go to the earlier, simpler candidate; a series with no volume keeps the baseline)."""
    names = list(models) if models is not None else candidate_names(season)
    cv = cross_validate(panel_frame(series), season=season, horizon=horizon, origins=origins, models=names, n_jobs=n_jobs)
    actual = cv["y"].to_numpy()
    grouped: dict[str, SeriesBacktest] = {}
    abs_err = pd.DataFrame({n: np.abs(cv[n].to_numpy() - actual) for n in names})
    abs_err["volume"] = np.abs(actual)
    abs_err["unique_id"] = cv["unique_id"].to_numpy()
    sums = abs_err.groupby("unique_id", sort=False).sum()
    for uid, row in sums.iterrows():
        errors = {n: (float(row[n]), float(row["volume"])) for n in names}
        finite = [n for n in names if np.isfinite(errors[n][0])]
        chosen = min(finite, key=lambda n: (errors[n][0], names.index(n))) if finite else names[0]
        grouped[str(uid)] = SeriesBacktest(errors, chosen)
    return grouped


@dataclass(frozen=True)
class SeriesForecast:
    model: str
    mean: list[float]
    lower: list[float]
    upper: list[float]


def forecast(series: dict[str, np.ndarray], chosen: dict[str, str], *, season: int, horizon: int,
             n_jobs: int = 1) -> dict[str, SeriesForecast]:
    """Each series forecast by its chosen model, with the `LEVEL`% interval; one library call per
    model (the series that chose it). Demand cannot be negative: values are clipped at 0."""
    from statsforecast import StatsForecast

    out: dict[str, SeriesForecast] = {}
    by_model: dict[str, list[str]] = {}
    for uid, model in chosen.items():
        by_model.setdefault(model, []).append(uid)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for model, uids in by_model.items():
            frame = panel_frame({u: series[u] for u in uids})
            fc = StatsForecast(models=_models(season, [model]), freq=1, n_jobs=n_jobs).forecast(
                df=frame, h=horizon, level=[LEVEL])
            for uid, part in fc.groupby("unique_id", sort=False):
                clip = lambda col: [round(max(0.0, float(v)), 3) for v in part[col]]  # noqa: E731
                out[str(uid)] = SeriesForecast(model, clip(model), clip(f"{model}-lo-{LEVEL}"), clip(f"{model}-hi-{LEVEL}"))
    return out


def impute_stockouts(units: np.ndarray, stockout: np.ndarray) -> tuple[np.ndarray, int]:
    """Stock-out periods hold censored sales, not demand: each is replaced by the median of the up
    to 4 nearest earlier in-stock periods (later ones when none precede). Returns (series, count)."""
    values = np.asarray(units, dtype=float).copy()
    flagged = np.flatnonzero(np.asarray(stockout) == 1)
    clean = np.flatnonzero(np.asarray(stockout) == 0)
    if len(flagged) and not len(clean):
        raise ConfigError("every period of the series is a stock-out: there is no demand to learn from")
    for i in flagged:
        before = clean[clean < i][-4:]
        source = before if len(before) else clean[clean > i][:4]
        values[i] = float(np.median(units[source]))
    return values, len(flagged)

