"""Retail scoring and statistics against reference implementations and hand-worked values."""
from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pytest
from sklearn.linear_model import LinearRegression

from rightsized.domains.retail_pricing import explain
from rightsized.domains.retail_pricing.answers import Answer, catalogue_answer, same_answer
from rightsized.domains.retail_pricing.elasticity import design, estimate_elasticity
from rightsized.domains.retail_pricing.forecasting import backtest, cross_validate, impute_stockouts, usable_season
from rightsized.domains.retail_pricing.tables import Series
from rightsized.domains.retail_pricing.tasks import AskTask, ForecastTask, PriceTask
from rightsized.eval.metrics import mase, wape
from rightsized.pipelines.stores.base import SearchHit


def test_forecast_scores_match_the_shared_metrics() -> None:
    actual, point = [10.0, 0.0, 30.0, 20.0], [12.0, 1.0, 25.0, 20.0]
    history = [5.0, 7.0, 6.0, 9.0, 8.0]
    scale = float(np.mean(np.abs(np.diff(history))))
    scores = ForecastTask().score({"actual": actual, "mase_scale": scale},
                                  {"forecast": point, "lower": [11, 0, 26, 10], "upper": [13, 2, 40, 30]})
    numerator, denominator = scores["forecast_wape"]
    assert numerator / denominator == pytest.approx(wape(actual, point)) == pytest.approx(8 / 60)
    assert scores["forecast_mase"] == pytest.approx(mase(actual, point, history, season=1))
    assert scores["interval_coverage"] == (3.0, 4.0)  # the actual 10 is below its interval [11, 13]


def test_price_scores_check_the_true_policy_and_the_true_margin() -> None:
    expected = {"optimal_price": 3.99, "true_elasticity": -2.2, "base_units": 100.0, "reference_price": 4.49,
                "context": {"category": "Beverages", "cost": 2.10, "list_price": 4.99, "competitor_price": 5.20,
                            "as_of": "2026-01-05"}}
    task = PriceTask()
    best = task.score(expected, {"price": 3.99, "elasticity": -2.0, "explanation_check": "passed"})
    assert best == {"margin_capture": 1.0, "policy_compliance": 1.0, "elasticity_error": pytest.approx(0.2),
                    "explanation_consistency": 1.0}
    listed = task.score(expected, {"price": 4.99, "elasticity": -2.2, "explanation_check": "not attempted"})
    margin = lambda p: (p - 2.10) * (p / 4.49) ** -2.2  # noqa: E731
    assert listed["margin_capture"] == pytest.approx(margin(4.99) / margin(3.99))
    assert listed["explanation_consistency"] is None
    broken = task.score(expected, {"price": 3.50, "elasticity": -2.2, "explanation_check": "failed: 7"})
    assert broken["policy_compliance"] == 0.0 and broken["margin_capture"] == 0.0  # 3.50 does not end in .99
    assert broken["explanation_consistency"] == 0.0


def test_ask_scores_compare_numbers_by_value_and_text_by_words() -> None:
    assert same_answer("4.99", "4.990") and same_answer("35%", "35") and not same_answer("4.99", "4.49")
    assert same_answer("Aqua Springs Ltd", " aqua  springs ltd") and not same_answer("Aqua", None)
    assert AskTask().score({"answer": "12"}, {"answer": "12", "supported": True}) == {
        "qa_accuracy": 1.0, "answer_supported": 1.0}
    assert AskTask().score({"answer": "12"}, {"answer": None, "supported": False}) == {
        "qa_accuracy": 0.0, "answer_supported": None}


def test_a_record_cut_inside_its_price_by_a_chunk_boundary_is_not_read() -> None:
    record = "89496 Margaritaville Gold Tequila 750 ml | category TEQUILA | pack size 12 | supplier Gemini Spirits | cost 6.01 | list price "
    cut = SearchHit("c1", 1.0, "... " + record + "9", {})
    whole = SearchHit("c2", 0.9, record + "9.52\n\n89497 Other", {})
    question = "What is the list price of item 89496?"
    assert catalogue_answer(question, [cut]) is None
    assert catalogue_answer(question, [cut, whole]) == Answer("9.52", "c2", "catalogue")


@pytest.mark.parametrize("gap", [" ", "\n\n"])
def test_a_record_after_the_tail_of_a_cut_one_keeps_its_own_id(gap: str) -> None:
    """A chunk opening inside a record ended that record at "list price 7.47"; "47" was then read as
    the next record's id (9 of 40 Iowa items went unanswered, all three questions each)."""
    chunk = SearchHit("c1", 1.0, "98 | list price 7.47" + gap + "89496 Margaritaville Gold Tequila 750 ml | category TEQUILA | "
                      "pack size 12 | supplier Gemini Spirits | cost 6.01 | list price 9.52", {})
    assert catalogue_answer("What is the list price of item 89496?", [chunk]) == Answer("9.52", "c1", "catalogue")
    assert catalogue_answer("Which vendor supplies item 89496?", [chunk]) == Answer("Gemini Spirits", "c1", "catalogue")
    named = catalogue_answer("What is the pack size of Margaritaville Gold Tequila 750 ml?", [chunk])
    assert named == Answer("12", "c1", "catalogue")
    first = SearchHit("c2", 1.0, "# State price list, 2012-01-31\n\n872 Cedar Ridge Whiskey Kit 750 ml | category BLENDED | "
                      "pack size 6 | supplier Cedar Ridge | cost 42.17 | list price 63.25", {})
    assert catalogue_answer("What is the list price of item 872?", [first]) == Answer("63.25", "c2", "catalogue")


def _series(rng: np.random.Generator, store: str, elasticity: float, weeks: int = 120) -> Series:
    start = date(2024, 1, 1)
    price = np.round(rng.choice([1.99, 2.29, 2.49, 2.79], size=weeks), 2)
    promo = (rng.random(weeks) < 0.15).astype(int)
    price = np.where(promo == 1, np.round(price * 0.8, 2), price)
    holiday = (rng.random(weeks) < 0.05).astype(int)
    units = np.exp(3.0 + elasticity * np.log(price) + 0.3 * promo + 0.2 * holiday + rng.normal(0, 0.1, weeks))
    return Series(store, "X", [start + timedelta(weeks=i) for i in range(weeks)], np.round(units), price, promo, holiday,
                  np.zeros(weeks, dtype=int), np.full(weeks, np.nan))


def test_elasticity_matches_a_reference_regression_and_its_classical_standard_error() -> None:
    rng = np.random.default_rng(3)
    series = [_series(rng, "S01", -1.8), _series(rng, "S02", -1.8)]
    found = estimate_elasticity(series, 7)
    x, y, names = design(series, 7)
    reference = LinearRegression(fit_intercept=False).fit(x, y)
    assert found.estimate == pytest.approx(reference.coef_[0], abs=1e-9)
    residual = y - x @ reference.coef_
    sigma2 = residual @ residual / (len(y) - x.shape[1])
    assert found.std_error == pytest.approx(np.sqrt(sigma2 * np.linalg.inv(x.T @ x)[0, 0]), rel=1e-6)
    low, high = found.interval()
    assert low < -1.8 < high and abs(found.estimate + 1.8) < 0.1
    assert names[:3] == ["log_price", "promo", "holiday"]


def test_stockouts_are_imputed_from_nearby_in_stock_periods() -> None:
    values, count = impute_stockouts(np.array([10.0, 12.0, 0.0, 0.0, 11.0]), np.array([0, 0, 1, 1, 0]))
    assert count == 2 and values.tolist() == [10.0, 12.0, 11.0, 11.0, 11.0]
    first, _ = impute_stockouts(np.array([0.0, 8.0, 9.0]), np.array([1, 0, 0]))
    assert first.tolist() == [8.5, 8.0, 9.0]


def test_backtest_choice_is_the_lowest_wape_of_statsforecasts_own_cross_validation() -> None:
    rng = np.random.default_rng(0)
    t = np.arange(80)
    series = {"seasonal": 50 + 20 * np.sin(2 * np.pi * t / 7) + rng.normal(0, 1, 80),
              "noise": 30 + rng.normal(0, 5, 80)}
    names = ["SeasonalNaive", "AutoETS+STL"]
    chosen = backtest(series, season=7, horizon=7, origins=2, models=names)
    from rightsized.domains.retail_pricing.forecasting import panel_frame

    cv = cross_validate(panel_frame(series), season=7, horizon=7, origins=2, models=names)
    for uid, result in chosen.items():
        part = cv[cv["unique_id"] == uid]
        wapes = {n: np.abs(part["y"] - part[n]).sum() / np.abs(part["y"]).sum() for n in names}
        assert result.chosen == min(wapes, key=wapes.get)
        assert all(result.wape(n) == pytest.approx(w) for n, w in wapes.items())
    assert usable_season(52, 100, 8, 3) == 1 and usable_season(52, 156, 12, 3) == 52


def test_explanations_may_only_use_tool_numbers() -> None:
    allowed = explain.allowed_numbers([3.99, 4.49, -2.21, 0.35, 85.3])
    assert explain.foreign_numbers("The recommended price is 3.99, down from 4.49, elasticity -2.21.", allowed) == []
    assert explain.foreign_numbers("It keeps the 35% margin and sells about 85 units.", allowed) == []
    assert explain.foreign_numbers("The recommended price is 3.79, a 12% cut.", allowed) == [3.79, 12.0]
