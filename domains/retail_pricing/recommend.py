"""The price recommender: the best expected margin (or revenue) among prices every rule allows.

Why a search over every cent rather than a formula: with price endings, floors and ceilings the
feasible set is a scatter of points, and the objective is cheap. Each candidate is checked with
every applicable rule's `allows`; only candidates that pass are scored, and `Recommendation`
re-checks its price against the rules when it is built, so a recommended price that violates a
retrieved rule cannot exist (the constructor raises). A rule "binds" when dropping it alone would
change the recommended price: that is the clause the result names.

Demand at price p for one period: q(p) = base * (p / reference_price) ** elasticity, where base
is the forecast demand per period at the reference (current regular) price.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from rightsized.domains.retail_pricing.policy import PriceContext, Rule
from rightsized.pipelines.errors import PolicyError

Objective = Literal["margin", "revenue"]
SEARCH_CEILING = 3.0  # with no ceiling rule retrieved, prices up to 3x list price are searched


@dataclass(frozen=True)
class DemandModel:
    base: float  # demand per period at `reference_price`
    reference_price: float
    elasticity: float

    def units(self, price: np.ndarray | float) -> np.ndarray:
        return self.base * (np.asarray(price, dtype=float) / self.reference_price) ** self.elasticity


@dataclass(frozen=True)
class Recommendation:
    price: float
    units: float
    margin: float
    revenue: float
    applied: tuple[Rule, ...]
    binding: tuple[Rule, ...]
    candidates: int

    def __post_init__(self) -> None:
        raise PolicyError("build a Recommendation with Recommendation.checked(...)")

    @classmethod
    def checked(cls, price: float, ctx: PriceContext, demand: DemandModel, applied: tuple[Rule, ...],
                binding: tuple[Rule, ...], candidates: int) -> Recommendation:
        """The only way to make one: refuses a price any applied rule does not allow."""
        broken = [r.clause for r in applied if r.applies(ctx) and not r.allows(price, ctx)]
        if broken:
            raise PolicyError(f"price {price:.2f} violates clause(s) {', '.join(broken)}")
        units = float(demand.units(price))
        made = object.__new__(cls)
        for name, value in (("price", round(price, 2)), ("units", units), ("margin", (price - ctx.cost) * units),
                            ("revenue", price * units), ("applied", applied), ("binding", binding),
                            ("candidates", candidates)):
            object.__setattr__(made, name, value)
        return made


@dataclass(frozen=True)
class Infeasible:
    """No price satisfies every applicable rule; `conflicting` are the rules that cannot hold together."""

    applied: tuple[Rule, ...]
    conflicting: tuple[Rule, ...] = field(default_factory=tuple)


def _grid(ctx: PriceContext) -> np.ndarray:
    """Every cent from just above cost (a price below cost is never a recommendation) to the
    search ceiling (rules cut it down to what they allow)."""
    high = ctx.list_price * SEARCH_CEILING
    low = max(0.01, ctx.cost + 0.01)
    cents = np.arange(int(round(low * 100)), int(round(high * 100)) + 1)
    return cents / 100.0


def _mask(prices: np.ndarray, rules: tuple[Rule, ...], ctx: PriceContext) -> np.ndarray:
    ok = np.ones(len(prices), dtype=bool)
    for rule in rules:
        ok &= np.fromiter((rule.allows(float(p), ctx) for p in prices), dtype=bool, count=len(prices))
    return ok


def _best(prices: np.ndarray, ok: np.ndarray, demand: DemandModel, ctx: PriceContext, objective: Objective) -> float | None:
    if not ok.any():
        return None
    feasible = prices[ok]
    units = demand.units(feasible)
    value = (feasible - ctx.cost) * units if objective == "margin" else feasible * units
    return float(feasible[int(np.argmax(value))])  # ties: the lowest price


def recommend(rules: tuple[Rule, ...], ctx: PriceContext, demand: DemandModel,
              objective: Objective = "margin") -> Recommendation | Infeasible:
    applied = tuple(r for r in rules if r.applies(ctx))
    prices = _grid(ctx)
    masks = {r.clause: _mask(prices, (r,), ctx) for r in applied}
    ok = np.logical_and.reduce([*masks.values()]) if masks else np.ones(len(prices), dtype=bool)
    price = _best(prices, ok, demand, ctx, objective)
    if price is None:
        return Infeasible(applied, _conflicting(applied, masks, len(prices)))
    binding = []
    for rule in applied:
        others = [m for c, m in masks.items() if c != rule.clause]
        without = np.logical_and.reduce(others) if others else np.ones(len(prices), dtype=bool)
        if _best(prices, without, demand, ctx, objective) != price:
            binding.append(rule)
    return Recommendation.checked(price, ctx, demand, applied, tuple(binding), int(ok.sum()))


def _conflicting(applied: tuple[Rule, ...], masks: dict[str, np.ndarray], size: int) -> tuple[Rule, ...]:
    """A smallest set of rules (pairs first) that no price satisfies together."""
    for i, a in enumerate(applied):
        for b in applied[i + 1:]:
            if not (masks[a.clause] & masks[b.clause]).any():
                return (a, b)
    return applied
