"""Seeded daily demand for every store x SKU, aggregated to weeks, with a known generating process.

Daily demand rate = base x store size x trend x yearly season x day of week x holiday lift
x promotion lift x (price / list price) ** elasticity; sales are overdispersed counts
(gamma-Poisson) of that rate. Regular prices move every 8-20 weeks, promotions cut them 15-30%
in about one week in ten, and stock-out weeks sell nothing although demand was there (flagged in
the table, as a store's inventory system would). The held-out future keeps the last regular
price, with no promotion and no stock-out, so a univariate forecast is judged on demand alone.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

from rightsized.domains.retail_pricing.catalog import PRODUCTS, STORE_SIZE, STORES, SampleProduct

START = date(2023, 1, 2)  # a Monday
HISTORY_WEEKS = 156
FUTURE_WEEKS = 12
DAILY_HISTORY_DAYS = 182  # the daily table holds the last 26 weeks of history
DAILY_FUTURE_DAYS = 14
WEEKDAY_LIFT = (0.85, 0.8, 0.85, 0.95, 1.15, 1.35, 1.05)  # Monday .. Sunday
HOLIDAY_LIFT = 1.35
PROMO_LIFT = 1.25  # display and flyer effect on top of the price cut


def holidays(year: int) -> list[date]:
    """Fixed-date and weekday-rule holidays of the sample retailer's calendar."""
    def nth_weekday(month: int, weekday: int, n: int) -> date:
        first = date(year, month, 1)
        return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))

    last_may = date(year, 5, 31) - timedelta(days=(date(year, 5, 31).weekday()) % 7)
    return [date(year, 1, 1), last_may, date(year, 7, 4), nth_weekday(9, 0, 1),
            nth_weekday(11, 3, 4), date(year, 12, 25)]


def holiday_weeks(first: date, weeks: int) -> set[date]:
    """Mondays of the weeks that contain a holiday."""
    days = {d for y in range(first.year, first.year + weeks // 52 + 2) for d in holidays(y)}
    return {d - timedelta(days=d.weekday()) for d in days}


@dataclass
class SimulatedSeries:
    store: str
    product: SampleProduct
    weeks: list[date]  # history + future
    units: np.ndarray  # weekly sales (future: realised demand)
    rate: np.ndarray  # weekly expected demand at the actual price (noise-free)
    price: np.ndarray
    regular_price: np.ndarray
    promo: np.ndarray
    holiday: np.ndarray
    stockout: np.ndarray
    competitor: np.ndarray
    daily_units: np.ndarray  # per day, same span
    daily_price: np.ndarray


def _snap(price: float) -> float:
    """Round a regular price to the nearest .49 / .99 below it (how the shelf prices look)."""
    whole = np.floor(price)
    return float(whole + 0.99 if price - whole >= 0.99 else (whole + 0.49 if price - whole >= 0.49 else whole - 0.01))


def simulate(seed: int) -> list[SimulatedSeries]:
    rng = np.random.default_rng(seed)
    weeks_total = HISTORY_WEEKS + FUTURE_WEEKS
    weeks = [START + timedelta(weeks=i) for i in range(weeks_total)]
    hol_weeks = holiday_weeks(START, weeks_total)
    out = []
    for sample in PRODUCTS:
        amplitude = rng.uniform(0.1, 0.3)
        phase = rng.uniform(0, 365)
        growth = rng.uniform(-0.04, 0.08)
        for store in STORES:
            list_price = sample.product.list_price
            regular = np.empty(weeks_total)
            level = _snap(list_price * rng.uniform(0.88, 1.0))
            change_at = rng.integers(8, 21)
            for i in range(weeks_total):
                if i == change_at and i < HISTORY_WEEKS:
                    level = _snap(min(list_price, max(list_price * 0.75, level * rng.uniform(0.9, 1.1))))
                    change_at = i + rng.integers(8, 21)
                regular[i] = level
            promo = np.zeros(weeks_total, dtype=int)
            promo[:HISTORY_WEEKS] = rng.random(HISTORY_WEEKS) < 0.1
            depth = rng.choice([0.15, 0.2, 0.25, 0.3], size=weeks_total)
            price = np.round(np.where(promo == 1, regular * (1 - depth), regular), 2)
            stockout = np.zeros(weeks_total, dtype=int)
            for _ in range(rng.integers(1, 4)):
                at = int(rng.integers(10, HISTORY_WEEKS - 2))
                stockout[at:at + int(rng.integers(1, 3))] = 1
            stockout[promo == 1] = 0
            competitor = np.round(list_price * np.clip(1.02 + np.cumsum(rng.normal(0, 0.01, weeks_total)), 0.95, 1.12), 2)
            days = weeks_total * 7
            t = np.arange(days)
            day_dates = [START + timedelta(days=int(d)) for d in t]
            doy = np.array([d.timetuple().tm_yday for d in day_dates])
            week_index = t // 7
            hol = np.array([1 if weeks[i] in hol_weeks else 0 for i in range(weeks_total)])
            daily_rate = (sample.base_units / 7 * STORE_SIZE[store]
                          * (1 + growth * t / 365.25)
                          * (1 + amplitude * np.sin(2 * np.pi * (doy - phase) / 365.25))
                          * np.array(WEEKDAY_LIFT)[np.array([d.weekday() for d in day_dates])]
                          * np.where(hol[week_index] == 1, HOLIDAY_LIFT, 1.0)
                          * np.where(promo[week_index] == 1, PROMO_LIFT, 1.0)
                          * (price[week_index] / list_price) ** sample.elasticity)
            shape = 20.0  # gamma-Poisson: variance = rate + rate^2 / shape
            daily_units = rng.poisson(rng.gamma(shape, daily_rate / shape)).astype(float)
            daily_units[stockout[week_index] == 1] = 0.0
            units = daily_units.reshape(weeks_total, 7).sum(axis=1)
            rate = daily_rate.reshape(weeks_total, 7).sum(axis=1)
            out.append(SimulatedSeries(store, sample, weeks, units, rate, price, regular, promo, hol, stockout,
                                       competitor, daily_units, price[week_index]))
    return out


def future_rate_at(series: SimulatedSeries, price: float) -> float:
    """True expected weekly demand over the held-out weeks at `price` (no promotion): the
    demand the price oracle maximises against."""
    future = slice(HISTORY_WEEKS, None)
    at_regular = series.rate[future]
    ratio = (price / series.price[future]) ** series.product.elasticity
    return float(np.mean(at_regular * ratio))
