"""The global LightGBM candidate, the forecast combination and their intervals, checked against
statsforecast's own cross-validation and hand computations on small seeded panels."""
from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pytest

from rightsized.domains.retail_pricing.analysis import forecast_series
from rightsized.domains.retail_pricing.arima_reuse import reused_order_backtest
from rightsized.domains.retail_pricing.forecasting import (
    COMBINED, GLOBAL, LEVEL, MARKET, SeriesBacktest, backtest, backtest_cutoffs, candidate_names, combination_members,
    conformal_bounds, cross_validate, forecast, global_usable, panel_frame, pooled_choice,
)
from rightsized.domains.retail_pricing.global_model import clear_cache, global_forecast
from rightsized.domains.retail_pricing.tables import Series
from rightsized.pipelines.errors import ConfigError


def _panel(n: int = 24, length: int = 40, seed: int = 3) -> dict[str, np.ndarray]:
    """Series sharing one shape (high, low, high, low ...) at different scales, with noise."""
    rng = np.random.default_rng(seed)
    shape = np.where(np.arange(length) % 2 == 0, 1.5, 0.5)
    return {f"P{i}": np.round(rng.uniform(5, 50) * shape * rng.uniform(0.9, 1.1, length)) for i in range(n)}


def test_the_global_model_learns_the_shared_shape_from_history_before_its_cutoff_only() -> None:
    panel = np.vstack(list(_panel().values()))
    clear_cache()
    predicted = global_forecast(panel, 30, 4, 1)
    high, low = predicted[:, 0::2], predicted[:, 1::2]  # period 30 is even: a "high" week
    assert (high > low).mean() > 0.9  # naive/ETS forecasts are flat: they cannot do this
    future_changed = panel.copy()
    future_changed[:, 30:] = 0.0
    assert np.array_equal(global_forecast(future_changed, 30, 4, 1), predicted)
    with pytest.raises(ConfigError, match="periods before its cutoff"):
        global_forecast(panel, 10, 4, 1)


@pytest.fixture(scope="module")
def small_panel() -> tuple[dict[str, np.ndarray], dict[str, SeriesBacktest]]:
    series = _panel(n=6, length=32)
    return series, backtest(series, season=1, horizon=4, origins=2)


def test_the_combination_is_the_mean_of_its_members_and_is_chosen_by_backtest_wape(
        small_panel: tuple[dict[str, np.ndarray], dict[str, SeriesBacktest]]) -> None:
    series, tested = small_panel
    names = candidate_names(1)
    assert names[-3:] == [GLOBAL, MARKET, COMBINED] and combination_members(1) == ["AutoETS", "AutoARIMA", GLOBAL]
    cv = cross_validate(panel_frame(series), season=1, horizon=4, origins=2, models=names[:2])
    matrix = np.vstack(list(series.values()))
    cuts = backtest_cutoffs(32, horizon=4, origins=2)
    by_cut = [global_forecast(matrix, cut, 4, 1) for cut in cuts]
    by_cut_market = [global_forecast(matrix, cut, 4, 1, market=True) for cut in cuts]
    arima = reused_order_backtest(series, {uid: cuts for uid in series}, horizon=4, season=1)  # test_retail_arima_reuse
    for row, (uid, result) in enumerate(series.items()):
        part = cv[cv["unique_id"] == uid].sort_values(["cutoff", "ds"])
        lgbm = np.concatenate([f[row] for f in by_cut])
        market = np.concatenate([f[row] for f in by_cut_market])
        combo = (part["AutoETS"].to_numpy() + arima[uid].forecasts + lgbm) / 3
        expected = {n: np.abs(part["y"] - part[n]).sum() for n in names[:2]}
        expected["AutoARIMA"] = np.abs(part["y"].to_numpy() - arima[uid].forecasts).sum()
        expected |= {GLOBAL: np.abs(part["y"].to_numpy() - lgbm).sum(), COMBINED: np.abs(part["y"].to_numpy() - combo).sum(),
                     MARKET: np.abs(part["y"].to_numpy() - market).sum()}
        got = tested[uid]
        assert {n: got.errors[n][0] for n in names} == pytest.approx(expected)
        assert got.chosen == min(names, key=lambda n: (expected[n], names.index(n)))


def test_global_and_combined_intervals_are_the_backtest_error_quantiles(
        small_panel: tuple[dict[str, np.ndarray], dict[str, SeriesBacktest]]) -> None:
    series, tested = small_panel
    chosen = {uid: (GLOBAL if i % 2 else COMBINED) for i, uid in enumerate(series)}
    done = forecast(series, chosen, season=1, horizon=4, backtests=tested)
    for uid, model in chosen.items():
        point = np.array(done[uid].mean)
        ordered = np.sort(tested[uid].residuals[model])  # 8 errors: too few for the ranks, the extremes
        low, high = ordered[0], ordered[-1]
        assert done[uid].model == model
        assert done[uid].lower == pytest.approx(np.maximum(point + min(low, 0), 0), abs=2e-3)
        assert done[uid].upper == pytest.approx(np.maximum(point + max(high, 0), 0), abs=2e-3)
    with pytest.raises(ConfigError, match="backtest errors"):
        forecast(series, chosen, season=1, horizon=4)
    with pytest.raises(ConfigError, match="panel lacks"):
        backtest({"other": series["P0"]}, season=1, horizon=4, origins=2, models=[GLOBAL], panel=series)


def _series(key: str, values: np.ndarray, start: date = date(2024, 1, 1)) -> Series:
    n = len(values)
    nan = np.full(n, np.nan)
    return Series("S1", key, [start + timedelta(weeks=i) for i in range(n)], values.astype(float), nan,
                  np.zeros(n, int), np.zeros(n, int), np.zeros(n, int), nan)


def test_a_series_is_forecast_with_its_peers_and_without_the_global_model_when_history_is_short() -> None:
    panel = _panel(n=6, length=32)
    target, *others = [_series(uid, v) for uid, v in panel.items()]
    shifted = _series("late", panel["P1"], start=date(2024, 1, 8))  # other periods: not a peer
    sold_out = _series("sold_out", np.zeros(32))
    sold_out.stockout[:] = 1  # no demand to learn from: not a peer (and no error for this series)
    models = ("SeasonalNaive", GLOBAL)  # the panel matters to the global model only
    done = forecast_series(target, 7, horizon=4, origins=2, models=models, peers=[*others, shifted, sold_out])
    assert set(done.backtest.errors) == {"SeasonalNaive", GLOBAL, MARKET}  # "LightGBM" names both variants
    assert not any("global model" in w for w in done.warnings)
    assert done.panel_series == 6 and done.forecast.model == min(done.pooled_wape, key=done.pooled_wape.get)
    without_shifted = forecast_series(target, 7, horizon=4, origins=2, models=models, peers=others)
    assert without_shifted.backtest.errors == done.backtest.errors
    alone = forecast_series(target, 7, horizon=4, origins=2, models=models)
    assert alone.backtest.errors[GLOBAL] != done.backtest.errors[GLOBAL]  # trained on one series, not six
    assert global_usable(32, season=1, horizon=4, origins=2) and not global_usable(20, season=1, horizon=4, origins=2)
    short = forecast_series(_series("short", panel["P0"][:20]), 7, horizon=4, origins=2, models=models)
    assert set(short.backtest.errors) == {"SeasonalNaive"} and any("global model" in w for w in short.warnings)


def test_backtest_error_intervals_use_conformal_ranks_and_hold_the_next_error_at_the_level() -> None:
    """The 10%/90% quantiles of 24 backtest errors held the next error ~74% of the time (UCI's
    held-out weeks: 0.755 with rounding at zero); the conformal ranks hold it at least 80%."""
    assert conformal_bounds(np.arange(24.0)[::-1]) == (1.0, 22.0)  # the 2nd and 23rd smallest of 24
    assert conformal_bounds(np.array([3.0, -1.0, 2.0])) == (-1.0, 3.0)  # too few for a rank: the extremes
    rng = np.random.default_rng(11)
    draws = rng.standard_t(4, size=(20000, 25))
    bounds = np.array([conformal_bounds(d[:24]) for d in draws])
    held = ((draws[:, 24] >= bounds[:, 0]) & (draws[:, 24] <= bounds[:, 1])).mean()
    assert LEVEL / 100 <= held <= 0.86  # the exact rate is 21/25 = 0.84


def test_the_market_variant_takes_out_the_tables_common_movement() -> None:
    """Every product a fixed share of a market that steps down 30% and then climbs: the plain global
    model reads the step from each product's lags as its own; the market variant forecasts the share
    at the market's latest period."""
    rng = np.random.default_rng(7)
    t = np.arange(44)
    market = np.where(t < 30, 1000.0, 700.0) * (1 + 0.01 * np.clip(t - 30, 0, None))
    shares = rng.dirichlet(np.ones(40))
    panel = shares[:, None] * market[None, :] * rng.uniform(0.97, 1.03, (40, 44))
    clear_cache()
    truth = shares[:, None] * market[-1] * (1 + 0.01 * np.arange(1, 5))[None, :]
    for cut in (31, 34):  # one and four periods after the step
        wape = {on: np.abs(global_forecast(panel, cut, 4, 1, market=on) - panel[:, cut:cut + 4]).sum() / panel[:, cut:cut + 4].sum()
                for on in (False, True)}
        assert wape[True] < 0.05 < wape[False]
    assert np.abs(global_forecast(panel, 44, 4, 1, market=True) - truth).sum() / truth.sum() < 0.06
    closed = panel.copy()
    closed[:, 20] = 0.0  # a week the whole table sold nothing (a closure): no division by zero
    assert np.isfinite(global_forecast(closed, 36, 4, 1, market=True)).all()
    assert MARKET in candidate_names(1) and MARKET not in candidate_names(52)
    with pytest.raises(ConfigError, match="non-seasonal"):
        global_forecast(panel, 36, 4, 4, market=True)


def test_the_model_is_chosen_by_wape_pooled_over_the_panel_not_by_each_series_alone() -> None:
    def tested(errors: dict[str, float], volume: float) -> SeriesBacktest:
        return SeriesBacktest({n: (e, volume) for n, e in errors.items()}, min(errors, key=errors.get), {})

    lucky = tested({"SeasonalNaive": 9.0, COMBINED: 10.0}, 20.0)  # naive wins one short, noisy series
    steady = tested({"SeasonalNaive": 30.0, COMBINED: 12.0}, 60.0)
    model, pooled = pooled_choice({"a": lucky, "b": steady})
    assert lucky.chosen == "SeasonalNaive" and model == COMBINED
    assert pooled == pytest.approx({"SeasonalNaive": 39 / 80, COMBINED: 22 / 80})
    tie, _ = pooled_choice({"a": tested({"SeasonalNaive": 5.0, COMBINED: 5.0}, 10.0)})
    assert tie == "SeasonalNaive"  # ties go to the simpler candidate


def test_the_seasonal_feature_reaches_back_whole_seasons_so_horizons_may_exceed_the_season() -> None:
    rng = np.random.default_rng(1)
    t = np.arange(120)
    panel = np.vstack([rng.uniform(10, 40) * (1.5 + np.sin(2 * np.pi * t / 7)) + rng.normal(0, 1, 120) for _ in range(10)])
    predicted = global_forecast(panel, 100, 14, 7)  # two weeks ahead of a weekly season
    assert np.abs(predicted - panel[:, 100:114]).sum() / panel[:, 100:114].sum() < 0.1
    future_changed = panel.copy()
    future_changed[:, 100:] = 0.0
    assert np.array_equal(global_forecast(future_changed, 100, 14, 7), predicted)


def test_the_forecast_cases_of_one_table_share_one_backtest(monkeypatch: pytest.MonkeyPatch) -> None:
    """The demo's retail forecast cases took ~40 s each: every case put its own series first in
    the panel, so the content key differed and the table-wide backtest ran again for each."""
    import rightsized.domains.retail_pricing.analysis as analysis

    calls: list[list[str]] = []
    real = analysis.backtest

    def counted(panel, **kwargs):  # noqa: ANN001, ANN003, ANN202 - the wrapped function's signature
        calls.append(list(panel))
        return real(panel, **kwargs)

    monkeypatch.setattr(analysis, "backtest", counted)
    analysis._BACKTESTS.clear()
    series = [_series(uid, v) for uid, v in _panel(n=4, length=32).items()]
    models = ("SeasonalNaive", GLOBAL)
    first = forecast_series(series[0], 7, horizon=4, origins=2, models=models, peers=series)
    second = forecast_series(series[2], 7, horizon=4, origins=2, models=models, peers=series)
    assert len(calls) == 1 and calls[0] == sorted(calls[0])  # one backtest, in a canonical order
    assert first.pooled_wape == second.pooled_wape  # one table, one model choice


def test_the_global_model_sees_each_series_level_and_its_recent_weighted_level() -> None:
    """Scaled lags alone hide whether a product sells 2 or 40 a week (intermittent or not); the
    level and an exponentially weighted recent level were added (UCI backtest WAPE 0.288 -> 0.2775)."""
    from rightsized.domains.retail_pricing.global_model import DECAY, LAGS, _features

    window = np.zeros((2, 20))
    window[0, -1] = 12.0  # a jump in the last period only
    window[1] = 40.0
    scale = np.array([0.6, 40.0])
    features = _features(window, 20, 1, scale, 1, False)
    assert features.shape == (2, LAGS + 7)
    assert features[:, LAGS + 5] == pytest.approx(np.log1p(scale))
    weights = DECAY ** np.arange(LAGS)[::-1]
    assert features[0, LAGS + 6] == pytest.approx(20.0 / weights.sum())  # the last lag weighs 1
    assert features[0, LAGS + 6] > features[0, LAGS + 2]  # follows the jump sooner than the 12-week mean
    assert features[1, LAGS + 6] == pytest.approx(1.0)
    market = _features(window, 20, 1, scale, 1, True)  # + the whole history's mean and median, scaled
    assert market.shape == (2, LAGS + 9) and np.array_equal(market[:, :LAGS + 7], features)
    assert market[:, LAGS + 7:].ravel() == pytest.approx([12.0 / 20 / 0.6, 0.0, 1.0, 1.0])


def test_arima_searches_the_bounded_orders_in_our_path_and_in_the_raw_comparison_alike() -> None:
    """The default search (p, q <= 5) was 97% of the UCI backtest's CPU for no measured accuracy;
    the benchmark's raw call and our backtest search the same bounded orders (ours at the first
    origin only, re-estimating that order later: test_retail_arima_reuse compares the two fit by fit)."""
    from rightsized.domains.retail_pricing.arima_reuse import ARIMA_SEARCH, searching_arima
    from rightsized.domains.retail_pricing.forecasting import _models

    plain = _models(1, ["AutoARIMA"])[0]
    seasonal = _models(52, ["AutoARIMA+STL"])[0].trend_forecaster
    for arima in (plain, seasonal, searching_arima(1), searching_arima(52).trend_forecaster):
        assert (arima.max_p, arima.max_q, arima.start_p, arima.start_q) == (2, 2, 1, 1)
    assert ARIMA_SEARCH == {"max_p": 2, "max_q": 2, "start_p": 1, "start_q": 1}
