"""Own-price elasticity from sales history: log-log least squares with controls, and its standard error.

Why these controls: promotions come with displays and flyers (sales rise beyond the price cut),
holidays and the season move demand whatever the price, and stores differ in size. Leaving any
of them out loads their effect onto the price coefficient. So the model is

    log(units) = store effect + e * log(price) + promo + holiday + trend + yearly Fourier terms
                 (+ day of week for daily tables)

fitted on every store of the SKU at once (the elasticity is a property of the product; pooling
gives it more price variation). Stock-out periods (censored sales) and zero-sales periods (no
log) are left out. The standard error is the classical OLS one, sigma^2 (X'X)^-1.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rightsized.domains.retail_pricing.tables import Series
from rightsized.pipelines.errors import ConfigError

FOURIER_TERMS = 2


@dataclass(frozen=True)
class Elasticity:
    estimate: float
    std_error: float
    observations: int
    distinct_prices: int

    def interval(self, z: float = 1.96) -> tuple[float, float]:
        return self.estimate - z * self.std_error, self.estimate + z * self.std_error


def design(series: list[Series], step_days: int) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """(X, y, column names) of the regression; rows are usable periods of every series."""
    origin = min(s.periods[0] for s in series)
    blocks, targets = [], []
    stores = sorted({s.store for s in series})
    for s in series:
        keep = (s.stockout == 0) & (s.units > 0)
        days = np.array([(p - origin).days for p in s.periods], dtype=float)[keep]
        angle = 2 * np.pi * days / 365.25
        cols = [np.log(s.price[keep]), s.promo[keep].astype(float), s.holiday[keep].astype(float), days / 365.25]
        for k in range(1, FOURIER_TERMS + 1):
            cols += [np.sin(k * angle), np.cos(k * angle)]
        if step_days == 1:
            weekday = np.array([p.weekday() for p in s.periods])[keep]
            cols += [(weekday == d).astype(float) for d in range(1, 7)]
        cols += [np.full(keep.sum(), float(s.store == store)) for store in stores]
        blocks.append(np.column_stack(cols))
        targets.append(np.log(s.units[keep]))
    names = ["log_price", "promo", "holiday", "trend"]
    names += [f"{f}{k}" for k in range(1, FOURIER_TERMS + 1) for f in ("sin", "cos")]
    if step_days == 1:
        names += [f"weekday{d}" for d in range(1, 7)]
    names += [f"store_{s}" for s in stores]
    return np.vstack(blocks), np.concatenate(targets), names


def estimate_elasticity(series: list[Series], step_days: int) -> Elasticity:
    """The pooled log-log estimate for one SKU (all its stores); ConfigError when the history
    cannot identify it (too few usable periods, or a price that never changed)."""
    if not series:
        raise ConfigError("no sales history for this SKU")
    x, y, _ = design(series, step_days)
    prices = np.unique(np.round(np.exp(x[:, 0]), 2))
    if len(prices) < 3:
        raise ConfigError(f"the price took {len(prices)} distinct value(s) in the history: elasticity cannot be estimated")
    # Columns that never vary for these rows (e.g. no holiday in a short table) carry no information.
    varying = [j for j in range(x.shape[1]) if j == 0 or np.ptp(x[:, j]) > 0 or j >= x.shape[1] - len({s.store for s in series})]
    x = x[:, varying]
    n, p = x.shape
    if n <= p + 5:
        raise ConfigError(f"{n} usable periods for {p} coefficients: too few to estimate elasticity")
    beta, *_ = np.linalg.lstsq(x, y, rcond=None)
    residual = y - x @ beta
    sigma2 = float(residual @ residual) / (n - p)
    covariance = sigma2 * np.linalg.pinv(x.T @ x)
    return Elasticity(float(beta[0]), float(np.sqrt(covariance[0, 0])), n, len(prices))
