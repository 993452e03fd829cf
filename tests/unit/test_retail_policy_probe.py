"""Pricing rules a probe found read wrongly or dropped: each written rule must become a typed rule
or come back unreadable (a warning on `price`), never be dropped or widened to other categories."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from rightsized.domains.retail_pricing.answers import policy_answer
from rightsized.domains.retail_pricing.policy import (
    Blackout, CompetitorMatch, ListCeiling, MaxDiscount, MinMargin, PolicyReading, PriceContext, PriceEnding,
)
from rightsized.domains.retail_pricing.policy_prose import read_policy
from rightsized.domains.retail_pricing.tables import read_catalogue, read_sales
from rightsized.pipelines.stores.base import SearchHit

CATEGORIES = ("Beverages", "Snacks", "Household", "Personal Care")
NINES = tuple(range(9, 100, 10))


def _key(rule: object) -> tuple:
    fields = {k: v for k, v in vars(rule).items() if k not in ("chunk_id", "text", "clause")}
    return type(rule).__name__, tuple(sorted(fields.items()))


def _read(text: str) -> PolicyReading:
    return read_policy([SearchHit("c", 1.0, text, {"source": "p/policy.md"})], CATEGORIES)


def _rules(text: str) -> list[tuple]:
    reading = _read(text)
    assert reading.unreadable == (), reading.unreadable
    return sorted(map(_key, reading.rules), key=repr)


def _expect(*rules: object) -> list[tuple]:
    return sorted(map(_key, rules), key=repr)


@pytest.mark.parametrize(("text", "expected"), [
    ("# Shelf price rules\nEvery product keeps a gross margin of at least 25% and shelf prices must never exceed the "
     "list price.\n", [MinMargin("", "", "", 0.25), ListCeiling("", "", "")]),
    ("## Pricing principles\nAll prices end in .99 and must never exceed the list price.\n",
     [PriceEnding("", "", "", (99,)), ListCeiling("", "", "")]),
    ("## Pricing principles\nMinimum margin is 30% and discounts may not exceed 20%.\n",
     [MinMargin("", "", "", 0.30), MaxDiscount("", "", "", 0.20)]),
    ("## General\nDiscounts may not exceed 20% and prices must never exceed the list price.\n",
     [MaxDiscount("", "", "", 0.20), ListCeiling("", "", "")]),
])
def test_a_sentence_with_two_kinds_of_rule_reads_both(text: str, expected: list[object]) -> None:
    # before: one kind per sentence; the list-price ceiling (or the discount cap) was dropped silently
    assert _rules(text) == _expect(*expected)


def test_two_kinds_in_one_clause_are_reported_as_two_rules_in_one_sentence() -> None:
    reading = _read("## Promotions\nDiscounts may reach 30% while the margin stays above 10%.\n")
    assert reading.rules == () and "two rules in one sentence" in reading.unreadable[0].reason


def test_competitor_matching_and_a_margin_in_one_sentence_read_both() -> None:
    # before: CompetitorMatch at 45% over the competitor and no margin floor at all
    assert _rules("# Competitive pricing\nWe match competitor prices and never go below a 45% margin.\n") == _expect(
        CompetitorMatch("", "", "", 0.0), MinMargin("", "", "", 0.45))


def test_a_margin_sentence_under_a_competitor_heading_is_a_margin_rule() -> None:
    # before: "at least 45%" under "# Competitor pricing" became a 45% competitor tolerance
    assert _rules("# Competitor pricing\nWe match the lowest local competitor price.\n"
                  "Every product must keep a gross margin of at least 45%.\n") == _expect(
        CompetitorMatch("", "", "", 0.0), MinMargin("", "", "", 0.45))


@pytest.mark.parametrize(("text", "start", "end"), [
    ("## Blackout periods\n- 01/12/2026 \u2013 31/12/2026 (Christmas trading)\n", date(2026, 12, 1), date(2026, 12, 31)),
    ("## Promotions\nNo discounts 01.12.2026 - 24.12.2026.\n", date(2026, 12, 1), date(2026, 12, 24)),
    ("## Blackout dates\nPromotions are frozen on 12/24/2026 through 12/26/2026.\n", date(2026, 12, 24), date(2026, 12, 26)),
    ("## Promotions\nNo promotions between 2026/12/01 and 2026/12/24.\n", date(2026, 12, 1), date(2026, 12, 24)),
])
def test_blackouts_with_numeric_dates_are_read(text: str, start: date, end: date) -> None:
    # before: dropped silently, so discounts were recommended inside the blackout
    assert _rules(text) == _expect(Blackout("", "", "", start, end))


@pytest.mark.parametrize(("text", "reason"), [
    ("## Blackout periods\n- Dec 1-24\n", "a start and an end date, each with its year"),
    ("## Promotions\nNo discounts from 01/12/2026 to 05/12/2026.\n", "day 1 of month 12 or day 12 of month 1"),
    ("## Blackout periods\n- 1.12.26 to 24.12.26\n", "a start and an end date"),
])
def test_a_blackout_whose_dates_cannot_be_read_is_reported(text: str, reason: str) -> None:
    reading = _read(text)
    assert reading.rules == () and len(reading.unreadable) == 1 and reason in reading.unreadable[0].reason


def test_numbers_under_a_percent_column_header_are_percentages() -> None:
    # before: "| Snacks | 45 |" under "Margin floor (%)" was no rule
    text = "# Margin floors\n\n| Category | Margin floor (%) |\n|---|---|\n| Snacks | 45 |\n| Beverages | 30 |\n"
    assert _rules(text) == _expect(MinMargin("", "", "", 0.45, "Snacks"), MinMargin("", "", "", 0.30, "Beverages"))


def test_a_table_row_with_two_kinds_reads_each_cell_with_its_column() -> None:
    text = ("# Category pricing rules\n\n| Category | Min margin | Max discount |\n|---|---|---|\n"
            "| Beverages | 25% | 30% |\n| Snacks | 35% | |\n")
    assert _rules(text) == _expect(MinMargin("", "", "", 0.25, "Beverages"), MaxDiscount("", "", "", 0.30, "Beverages"),
                                   MinMargin("", "", "", 0.35, "Snacks"))


@pytest.mark.parametrize("sentence", ["Discounts may not exceed 10%, except Beverages.",
                                      "Discounts may not exceed 10%, but not Beverages.",
                                      "Discounts on products other than Beverages may not exceed 10%."])
def test_a_category_after_except_is_left_out_of_the_rule_not_its_only_scope(sentence: str) -> None:
    # before: a Beverages-only 10% cap, so every other category could be discounted without limit
    reading = _read(f"# Discount policy\n{sentence}\n")
    assert [_key(r) for r in reading.rules] == [_key(MaxDiscount("", "", "", 0.10, None, ("Beverages",)))]
    rule = reading.rules[0]
    assert rule.applies(PriceContext("Snacks", 1.0, 2.0, None, date(2026, 1, 5)))
    assert not rule.applies(PriceContext("Beverages", 1.0, 2.0, None, date(2026, 1, 5)))


def test_all_other_categories_excludes_the_categories_the_sentence_names() -> None:
    # before: "all other categories by at most 20%" capped Snacks at 20% too
    assert _rules("## General\nSnacks may be discounted by up to 50%, all other categories by at most 20%.\n") == _expect(
        MaxDiscount("", "", "", 0.50, "Snacks"), MaxDiscount("", "", "", 0.20, None, ("Snacks",)))


def test_all_other_categories_in_a_table_excludes_the_other_rows() -> None:
    text = "## Margins\n\n| Category | Minimum margin |\n|---|---|\n| All other categories | 30% |\n| Snacks | 45% |\n"
    assert _rules(text) == _expect(MinMargin("", "", "", 0.30, None, ("Snacks",)), MinMargin("", "", "", 0.45, "Snacks"))
    hits = [SearchHit("p", 1.0, text, {}), SearchHit("l", 1.0, "SNK-001 Crisps | category Snacks | pack size 1 | "
                                                             "supplier C | cost 0.80 | list price 1.99", {})]
    assert policy_answer("What is the minimum margin for Household items?", hits).value == "30%"


def test_a_minimum_advertised_price_is_reported_not_dropped() -> None:
    reading = _read("## Minimum advertised price (MAP)\nVerdant Care enforces a minimum advertised price: Herbal Shampoo "
                    "may not be advertised or sold below $4.29.\n")
    assert reading.rules == () and "minimum (advertised) price" in reading.unreadable[0].reason


@pytest.mark.parametrize(("sentence", "expected"), [
    ("Markdowns are capped at twenty percent of the ticket price.", MaxDiscount("", "", "", 0.20)),
    ("Beverages must keep a minimum gross margin of thirty-five percent.", MinMargin("", "", "", 0.35, "Beverages")),
    ("Max. discount for Snacks: 25 pct.", MaxDiscount("", "", "", 0.25, "Snacks")),
    ("All regular shelf prices must end in 9.", PriceEnding("", "", "", NINES)),
    ("We use charm pricing (.99) on every shelf-edge label.", PriceEnding("", "", "", (99,))),
    ("Promotional prices must finish in .95 or .99.", PriceEnding("", "", "", (95, 99))),
])
def test_rules_written_without_a_percent_sign_or_a_cents_ending_are_read(sentence: str, expected: object) -> None:
    assert _rules(f"PRICE PRESENTATION STANDARDS\n\n{sentence}\n") == _expect(expected)


@pytest.mark.parametrize("sentence", ["We do not match competitor prices.",
                                      "Competitor prices are monitored weekly, but we do not price match."])
def test_negated_competitor_matching_is_no_rule(sentence: str) -> None:
    # before: a 0% competitor match that held every price to the competitor's
    assert _rules(f"# Pricing policy\n\n## Competitors\n{sentence}\n") == []


def test_a_competitor_rule_naming_a_category_applies_to_that_category_only() -> None:
    reading = _read("# Competitor pricing\n\nBeverages are price-matched to the lowest local competitor price.\n")
    assert [_key(r) for r in reading.rules] == [_key(CompetitorMatch("", "", "", 0.0, "Beverages"))]
    rule = reading.rules[0]
    assert rule.applies(PriceContext("Beverages", 1.0, 2.0, 1.5, date(2026, 1, 5)))
    assert not rule.applies(PriceContext("Snacks", 1.0, 2.0, 1.5, date(2026, 1, 5)))


def test_a_rule_that_depends_on_the_price_itself_is_reported() -> None:
    # before: both endings as unconditional rules, which no price can meet
    reading = _read("# Price endings\n\nItems priced at $10 or more end in .99; items under $10 end in .49.\n")
    assert reading.rules == () and len(reading.unreadable) == 2
    assert all("only for some prices" in u.reason for u in reading.unreadable)


def test_an_item_column_beside_a_sku_column_is_the_product_name(tmp_path: Path) -> None:
    # before: "columns 'Item' and 'SKU' both give 'sku'" on a Square export
    catalogue = tmp_path / "square.csv"
    catalogue.write_text("Item,SKU,Category,Unit Cost,Price,List Price,Pack Size,Vendor\n"
                         "Cola,A,Beverages,1.0,1.99,1.99,6,Acme\n")
    assert read_catalogue(catalogue)["A"].name == "Cola"
    sales = tmp_path / "kaggle.csv"  # alone, "item" is the SKU
    sales.write_text("week,store,item,units\n2025-01-06,S01,7,3\n2025-01-13,S01,7,4\n")
    assert read_sales(sales).get("S01", "7").units.tolist() == [3, 4]


def test_clauses_of_two_kinds_where_only_one_names_its_categories_are_reported() -> None:
    # read clause by clause, "may be discounted by at most 20%" would be a rule for every category
    reading = _read("## Snacks\nSnacks keep a margin of at least 30% and may be discounted by at most 20%.\n")
    assert reading.rules == () and "not all naming their categories" in reading.unreadable[0].reason
