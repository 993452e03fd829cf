"""AutoARIMA's backtest searches the order at the first origin only and re-estimates it later:
checked fit by fit against statsforecast's own search and fixed-order ARIMA on small seeded series."""
from __future__ import annotations

import warnings

import numpy as np
import pytest

from rightsized.domains.retail_pricing import arima_reuse
from rightsized.domains.retail_pricing.arima_reuse import ARIMA_SEARCH, ArimaSpec, reused_order_backtest, series_backtest
from rightsized.domains.retail_pricing.forecasting import backtest, backtest_cutoffs, cross_validate, panel_frame
from rightsized.pipelines.errors import ConfigError

HORIZON, ORIGINS, LENGTH = 4, 3, 40


def _series(seed: int = 7) -> dict[str, np.ndarray]:
    """An AR(1) around a level, a random walk with drift, an MA(1) and an intermittent seller."""
    rng = np.random.default_rng(seed)
    ar = np.empty(LENGTH)
    ar[0] = 50.0
    for t in range(1, LENGTH):
        ar[t] = 50 + 0.7 * (ar[t - 1] - 50) + rng.normal(0, 4)
    shocks = rng.normal(0, 3, LENGTH + 1)
    return {"ar": ar, "drift": 20 + np.cumsum(1.5 + rng.normal(0, 2, LENGTH)),
            "ma": 30 + shocks[1:] + 0.8 * shocks[:-1], "sparse": rng.poisson(0.8, LENGTH).astype(float)}


def _arima_forecasts(tested: dict, series: dict[str, np.ndarray], model: str) -> dict[str, np.ndarray]:
    """Forecasts back from the residuals (actual - forecast), in (origin, step) order."""
    out = {}
    for uid, values in series.items():
        truth = np.concatenate([values[c:c + HORIZON] for c in backtest_cutoffs(len(values), horizon=HORIZON, origins=ORIGINS)])
        out[uid] = truth - tested[uid].residuals[model]
    return out


def test_later_origins_fit_exactly_one_order_and_it_is_the_first_origins_choice(monkeypatch: pytest.MonkeyPatch) -> None:
    """The search (~8 orders, each a BFGS fit) was ~90% of the UCI backtest's CPU: only the first
    origin may search; every later origin estimates exactly one model, of the first origin's order."""
    import statsforecast.arima as sf_arima

    fitted_lengths: list[int] = []
    real = sf_arima.arima

    def counted(x, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN202 - the library function's signature
        fitted_lengths.append(len(x))
        return real(x, *args, **kwargs)

    monkeypatch.setattr(sf_arima, "arima", counted)
    series = _series()
    cuts = backtest_cutoffs(LENGTH, horizon=HORIZON, origins=ORIGINS)
    backtest(series, season=1, horizon=HORIZON, origins=ORIGINS, models=["AutoARIMA"])
    fits = {cut: fitted_lengths.count(cut) for cut in cuts}
    assert fits[cuts[0]] > 2 * len(series)  # a search per series at the first origin
    assert fits[cuts[1]] == fits[cuts[2]] == len(series)  # one fit per series at each later origin
    monkeypatch.setattr(sf_arima, "arima", real)
    from statsforecast.models import AutoARIMA

    chosen = {}
    for uid, values in series.items():
        done = series_backtest(values, cuts, horizon=HORIZON, season=1)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            chosen[uid] = ArimaSpec.of(AutoARIMA(**ARIMA_SEARCH).fit(values[:cuts[0]]).model_)
        assert done.specs == (chosen[uid],) * ORIGINS and done.searched_again == ()
    assert chosen["drift"].include_drift and chosen["ma"].include_mean and chosen["ma"].order[2] == 1
    assert not (chosen["ar"].include_mean or chosen["ar"].include_drift)  # drift, mean and neither are refitted


def test_the_first_origin_is_the_librarys_search_and_later_origins_refit_that_order_on_their_past() -> None:
    from statsforecast.models import ARIMA

    series = _series()
    tested = backtest(series, season=1, horizon=HORIZON, origins=ORIGINS, models=["SeasonalNaive", "AutoARIMA"])
    cv = cross_validate(panel_frame(series), season=1, horizon=HORIZON, origins=ORIGINS, models=["SeasonalNaive", "AutoARIMA"])
    ours = _arima_forecasts(tested, series, "AutoARIMA")
    cuts = backtest_cutoffs(LENGTH, horizon=HORIZON, origins=ORIGINS)
    for uid, values in series.items():
        part = cv[cv["unique_id"] == uid].sort_values(["cutoff", "ds"])
        assert ours[uid][:HORIZON] == pytest.approx(part["AutoARIMA"].to_numpy()[:HORIZON], abs=1e-9)
        assert tested[uid].errors["SeasonalNaive"][0] == pytest.approx(np.abs(part["y"] - part["SeasonalNaive"]).sum())
        assert tested[uid].errors["SeasonalNaive"][1] == pytest.approx(np.abs(part["y"]).sum())
        spec = series_backtest(values, cuts, horizon=HORIZON, season=1).specs[0]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            later = [ARIMA(order=spec.order, include_mean=spec.include_mean, include_drift=spec.include_drift)
                     .fit(values[:cut]).predict(HORIZON)["mean"] for cut in cuts[1:]]
        assert ours[uid][HORIZON:] == pytest.approx(np.concatenate(later), abs=1e-9)
        assert set(tested[uid].residuals) == {"SeasonalNaive", "AutoARIMA"}
        assert all(r.shape == (ORIGINS * HORIZON,) for r in tested[uid].residuals.values())
    with pytest.raises(ConfigError, match="too short to back-test"):
        backtest({"short": series["ar"][:13]}, season=1, horizon=HORIZON, origins=ORIGINS, models=["AutoARIMA"])


def test_no_origin_sees_data_after_its_cutoff() -> None:
    values = _series()["ar"]
    cuts = backtest_cutoffs(LENGTH, horizon=HORIZON, origins=ORIGINS)
    done = series_backtest(values, cuts, horizon=HORIZON, season=1)
    for k, cut in enumerate(cuts):
        changed = values.copy()
        changed[cut:] = changed[cut:] * 3 + 40  # a different future: a different order if it were seen
        again = series_backtest(changed, cuts, horizon=HORIZON, season=1)
        assert np.array_equal(again.forecasts[:(k + 1) * HORIZON], done.forecasts[:(k + 1) * HORIZON])
        assert again.specs[0] == done.specs[0]


def test_one_origin_is_the_librarys_own_cross_validation_so_the_walmart_suite_is_unchanged() -> None:
    """Walmart's suite backtests one origin: nothing to reuse, every candidate is statsforecast's."""
    series = _series()
    tested = backtest(series, season=1, horizon=HORIZON, origins=1, models=["AutoARIMA"])
    cv = cross_validate(panel_frame(series), season=1, horizon=HORIZON, origins=1, models=["AutoARIMA"])
    for uid in series:
        part = cv[cv["unique_id"] == uid]
        assert tested[uid].errors["AutoARIMA"][0] == pytest.approx(np.abs(part["y"] - part["AutoARIMA"]).sum(), abs=1e-9)


def test_the_stl_variant_reuses_its_trend_models_order() -> None:
    rng = np.random.default_rng(2)
    t = np.arange(48)
    values = 40 + 10 * np.sin(2 * np.pi * t / 4) + np.cumsum(rng.normal(0, 1, 48))
    cuts = backtest_cutoffs(48, horizon=HORIZON, origins=ORIGINS)
    done = series_backtest(values, cuts, horizon=HORIZON, season=4)
    assert done.specs == (done.specs[0],) * ORIGINS and done.searched_again == ()
    tested = backtest({"s": values}, season=4, horizon=HORIZON, origins=ORIGINS, models=["AutoARIMA+STL"])
    truth = np.concatenate([values[c:c + HORIZON] for c in cuts])
    assert truth - tested["s"].residuals["AutoARIMA+STL"] == pytest.approx(done.forecasts, abs=1e-9)


def test_a_fixed_order_that_cannot_be_fitted_falls_back_to_the_search_and_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    class Unfittable:
        def fit(self, y: np.ndarray) -> None:
            raise ValueError("non-stationary AR part from CSS")

    values = _series()["ma"]
    cuts = backtest_cutoffs(LENGTH, horizon=HORIZON, origins=ORIGINS)
    monkeypatch.setattr(arima_reuse, "_fixed", lambda season, spec: Unfittable())
    done = series_backtest(values, cuts, horizon=HORIZON, season=1)
    cv = cross_validate(panel_frame({"ma": values}), season=1, horizon=HORIZON, origins=ORIGINS, models=["AutoARIMA"])
    assert done.searched_again == (1, 2)
    assert done.forecasts == pytest.approx(cv.sort_values(["cutoff", "ds"])["AutoARIMA"].to_numpy(), abs=1e-9)


def test_the_worker_pool_returns_what_one_process_does() -> None:
    series = _series()
    cuts = {uid: backtest_cutoffs(LENGTH, horizon=HORIZON, origins=ORIGINS) for uid in series}
    alone = reused_order_backtest(series, cuts, horizon=HORIZON, season=1)
    pooled = reused_order_backtest(series, cuts, horizon=HORIZON, season=1, n_jobs=2)
    assert list(pooled) == list(series)
    assert all(np.array_equal(pooled[u].forecasts, alone[u].forecasts) and pooled[u].specs == alone[u].specs for u in series)
