"""The recommender never returns a price a rule forbids; it names the clauses that bound it."""
from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rightsized.domains.retail_pricing.policy import (
    Blackout, CompetitorMatch, ListCeiling, MaxDiscount, MinMargin, PriceContext, PriceEnding, Rule,
)
from rightsized.domains.retail_pricing.recommend import DemandModel, Infeasible, Recommendation, recommend
from rightsized.pipelines.errors import PolicyError

JAN = date(2026, 1, 5)


def _rules(margin: float = 0.30, discount: float = 0.30, competitor: float = 0.05, endings=(99,)) -> tuple[Rule, ...]:
    return (MinMargin("PP-2.1", "c1", "", margin, "Beverages"), ListCeiling("PP-3.1", "c1", ""),
            CompetitorMatch("PP-4.1", "c2", "", competitor), PriceEnding("PP-5.1", "c2", "", endings, "Beverages"),
            MaxDiscount("PR-1", "c3", "", discount), Blackout("PR-3", "c3", "", date(2026, 11, 23), date(2026, 12, 6)))


def test_interior_optimum_is_bound_only_by_the_price_ending() -> None:
    ctx = PriceContext("Beverages", cost=2.10, list_price=4.99, competitor_price=5.20, as_of=JAN)
    demand = DemandModel(base=100, reference_price=4.49, elasticity=-2.2)  # unconstrained optimum 2.10*2.2/1.2 = 3.85
    found = recommend(_rules(), ctx, demand)
    assert isinstance(found, Recommendation)
    assert found.price == 3.99
    assert [r.clause for r in found.binding] == ["PP-5.1"]
    assert found.units == pytest.approx(100 * (3.99 / 4.49) ** -2.2)
    assert found.margin == pytest.approx((3.99 - 2.10) * found.units)


def test_competitor_ceiling_and_blackout_floor_bind_and_can_conflict() -> None:
    demand = DemandModel(base=50, reference_price=8.99, elasticity=-1.3)  # optimum far above list
    ctx = PriceContext("Beverages", cost=4.20, list_price=8.99, competitor_price=8.10, as_of=JAN)
    found = recommend(_rules(), ctx, demand)
    assert isinstance(found, Recommendation) and found.price == 7.99  # 8.10 * 1.05 = 8.505 -> last .99 below
    assert [r.clause for r in found.binding] == ["PP-4.1", "PP-5.1"]  # without the ending: 8.50
    in_blackout = PriceContext("Beverages", cost=4.20, list_price=8.99, competitor_price=8.10, as_of=date(2026, 11, 30))
    refused = recommend(_rules(), in_blackout, demand)
    assert isinstance(refused, Infeasible)
    assert sorted(r.clause for r in refused.conflicting) == ["PP-4.1", "PR-3"]


def test_a_price_freeze_keeps_the_current_price_or_is_a_conflict() -> None:
    """'No price changes between 2026-12-20 and 2026-12-31' was read as 'no discount': a probe
    recommended 3.99 for an item selling at 1.99 on 2026-12-22."""
    freeze = Blackout("B-1", "c", "", date(2026, 12, 20), date(2026, 12, 31), freeze=True)
    demand = DemandModel(base=100, reference_price=1.99, elasticity=-1.5)
    ctx = PriceContext("Beverages", cost=1.35, list_price=2.99, competitor_price=3.35, as_of=date(2026, 12, 22),
                       current_price=2.49)
    found = recommend((freeze, MaxDiscount("D-1", "c", "", 0.25)), ctx, demand)
    assert isinstance(found, Recommendation) and found.price == 2.49 and [r.clause for r in found.binding] == ["B-1"]
    below_floor = PriceContext("Beverages", 1.35, 2.99, 3.35, date(2026, 12, 22), current_price=1.99)  # 33% off list
    refused = recommend((freeze, MaxDiscount("D-1", "c", "", 0.25)), below_floor, demand)
    assert isinstance(refused, Infeasible) and sorted(r.clause for r in refused.conflicting) == ["B-1", "D-1"]
    unknown = PriceContext("Beverages", 1.35, 2.99, 3.35, date(2026, 12, 22))
    assert isinstance(recommend((freeze,), unknown, demand), Infeasible)  # nothing to keep: no price is allowed


def test_revenue_objective_prefers_lower_prices_for_elastic_demand() -> None:
    ctx = PriceContext("Beverages", cost=2.10, list_price=4.99, competitor_price=None, as_of=JAN)
    demand = DemandModel(base=100, reference_price=4.99, elasticity=-2.5)
    margin = recommend(_rules(), ctx, demand, "margin")
    revenue = recommend(_rules(), ctx, demand, "revenue")
    assert isinstance(margin, Recommendation) and isinstance(revenue, Recommendation)
    assert revenue.price <= margin.price and revenue.price == 3.99  # the discount floor 3.49 has no .99 ending above it


def test_a_recommendation_cannot_be_built_around_the_rules() -> None:
    ctx = PriceContext("Beverages", cost=2.10, list_price=4.99, competitor_price=None, as_of=JAN)
    demand = DemandModel(base=10, reference_price=4.99, elasticity=-2.0)
    with pytest.raises(PolicyError, match="violates clause"):
        Recommendation.checked(4.50, ctx, demand, _rules(), (), 1)
    with pytest.raises(PolicyError):
        Recommendation(4.99, 1.0, 1.0, 1.0, (), (), 1)


@settings(max_examples=60, deadline=None)
@given(cost=st.floats(0.2, 6), markup=st.floats(1.05, 3.0), competitor=st.one_of(st.none(), st.floats(0.5, 1.5)),
       margin=st.floats(0.0, 0.6), discount=st.floats(0.0, 0.6), competitor_share=st.floats(0.0, 0.2),
       endings=st.sets(st.integers(0, 99), min_size=1, max_size=4), elasticity=st.floats(-4.0, 0.0),
       in_blackout=st.booleans(), revenue=st.booleans())
def test_no_recommended_price_ever_violates_an_applicable_rule(
        cost: float, markup: float, competitor: float | None, margin: float, discount: float,
        competitor_share: float, endings: set[int], elasticity: float, in_blackout: bool, revenue: bool) -> None:
    list_price = round(cost * markup, 2)
    ctx = PriceContext("Beverages", cost=round(cost, 2), list_price=list_price,
                       competitor_price=None if competitor is None else round(list_price * competitor, 2),
                       as_of=date(2026, 12, 1) if in_blackout else JAN)
    rules = _rules(margin, discount, competitor_share, tuple(sorted(endings)))
    found = recommend(rules, ctx, DemandModel(40, list_price, elasticity), "revenue" if revenue else "margin")
    applicable = [r for r in rules if r.applies(ctx)]
    if isinstance(found, Recommendation):
        assert all(r.allows(found.price, ctx) for r in applicable)
        assert {r.clause for r in found.binding} <= {r.clause for r in applicable}
    else:  # infeasible: truly no cent in the searched range passes every rule
        cents = range(int(round((ctx.cost + 0.01) * 100)), int(round(list_price * 300)) + 1)
        assert not any(all(r.allows(c / 100, ctx) for r in applicable) for c in cents)
