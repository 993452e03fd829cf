"""The sample retailer: its products (with their true price elasticities) and its written policy.

Why one source for both the documents and the ground truth: the policy documents are rendered
from `POLICY` and the gold cases check prices against the same clauses, so the corpus can never
say one thing while the answers assume another. Elasticities are the generating truth the
estimator is scored against; they never appear in any document.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from rightsized.domains.retail_pricing.policy import (
    Blackout, CompetitorMatch, ListCeiling, MaxDiscount, MinMargin, PriceEnding, Rule,
)
from rightsized.domains.retail_pricing.tables import Product

RETAILER = "Northwind Grocers"


@dataclass(frozen=True)
class SampleProduct:
    product: Product
    elasticity: float  # true own-price elasticity (log-log)
    base_units: float  # weekly units at list price in an average store, before season and trend


PRODUCTS = (
    SampleProduct(Product("BEV-001", "Sparkling Water", "Beverages", 2.10, 4.99, "6 x 500 ml", "Aqua Springs Ltd"), -2.2, 140),
    SampleProduct(Product("BEV-002", "Cold Brew Coffee", "Beverages", 1.35, 2.99, "1 x 250 ml", "Roastworks Co"), -1.6, 90),
    SampleProduct(Product("SNK-001", "Sea Salt Crisps", "Snacks", 1.05, 2.49, "150 g", "Golden Field Foods"), -2.6, 160),
    SampleProduct(Product("SNK-002", "Dark Chocolate Bar", "Snacks", 0.80, 1.99, "100 g", "Cacao Collective"), -1.9, 120),
    SampleProduct(Product("HOU-001", "Laundry Liquid", "Household", 4.20, 8.99, "1.5 l", "CleanCo Brands"), -1.4, 45),
    SampleProduct(Product("HOU-002", "Kitchen Towels", "Household", 2.40, 4.99, "4 rolls", "Papermill North"), -1.8, 70),
    SampleProduct(Product("PER-001", "Mint Toothpaste", "Personal Care", 0.90, 2.99, "75 ml", "Brightsmile Labs"), -1.2, 65),
    SampleProduct(Product("PER-002", "Herbal Shampoo", "Personal Care", 1.85, 4.49, "400 ml", "Verdant Care"), -1.5, 50),
)
STORES = ("S01", "S02", "S03")
STORE_SIZE = {"S01": 1.0, "S02": 0.7, "S03": 1.3}

MIN_MARGIN = {"Beverages": 30, "Snacks": 35, "Household": 25, "Personal Care": 40}
ENDINGS = {"Beverages": (99,), "Snacks": (49, 99), "Household": (99,), "Personal Care": (49, 99)}
MAX_DISCOUNT = 30
MAX_DISCOUNT_PERSONAL_CARE = 20
COMPETITOR_MARGIN = 5
BLACKOUT = (date(2026, 11, 23), date(2026, 12, 6))


def _endings(values: tuple[int, ...]) -> str:
    return " or ".join(f".{v:02d}" for v in values)


def pricing_clauses() -> list[tuple[str, str, str]]:
    """(clause id, title, sentence) of the pricing policy (Markdown)."""
    clauses = [(f"PP-2.{i}", f"Minimum margin, {cat}",
                f"the gross margin of every {cat} item must be at least {pct}% of the shelf price.")
               for i, (cat, pct) in enumerate(MIN_MARGIN.items(), 1)]
    clauses.append(("PP-3.1", "List price ceiling", "no shelf price may exceed the list price of the item."))
    clauses.append(("PP-4.1", "Competitor price matching",
                    f"the shelf price must not exceed the latest competitor price by more than {COMPETITOR_MARGIN}%."))
    clauses += [(f"PP-5.{i}", f"Price endings, {cat}", f"shelf prices of {cat} items must end in {_endings(ends)}.")
                for i, (cat, ends) in enumerate(ENDINGS.items(), 1)]
    return clauses


def promotion_clauses() -> list[tuple[str, str, str]]:
    """(clause id, title, sentence) of the promotion policy (PDF)."""
    start, end = BLACKOUT
    return [
        ("PR-1", "Maximum discount", f"no price may be more than {MAX_DISCOUNT}% below the list price of the item."),
        ("PR-2", "Maximum discount, Personal Care",
         f"no Personal Care price may be more than {MAX_DISCOUNT_PERSONAL_CARE}% below the list price of the item."),
        ("PR-3", "Blackout period",
         f"from {start.isoformat()} to {end.isoformat()} no discount below the list price may be applied."),
    ]


def true_rules() -> tuple[Rule, ...]:
    """The policy as typed rules: what every recommended price is checked against in scoring."""
    rules: list[Rule] = [MinMargin(c, "truth", t, MIN_MARGIN[t.split(", ")[1]] / 100, t.split(", ")[1])
                         for c, t, _ in pricing_clauses() if t.startswith("Minimum margin")]
    rules.append(ListCeiling("PP-3.1", "truth", "List price ceiling"))
    rules.append(CompetitorMatch("PP-4.1", "truth", "Competitor price matching", COMPETITOR_MARGIN / 100))
    rules += [PriceEnding(c, "truth", t, ENDINGS[t.split(", ")[1]], t.split(", ")[1])
              for c, t, _ in pricing_clauses() if t.startswith("Price endings")]
    rules.append(MaxDiscount("PR-1", "truth", "Maximum discount", MAX_DISCOUNT / 100))
    rules.append(MaxDiscount("PR-2", "truth", "Maximum discount, Personal Care", MAX_DISCOUNT_PERSONAL_CARE / 100, "Personal Care"))
    rules.append(Blackout("PR-3", "truth", "Blackout period", *BLACKOUT))
    return tuple(rules)


def pricing_policy_markdown() -> str:
    head = [
        f"# {RETAILER} - Shelf Pricing Policy (PP-2026)", "",
        "Effective 1 January 2026. Owner: Category Management. Reviewed every quarter.", "",
        "## 1. Scope", "",
        "This policy governs every regular shelf price set in our stores. Promotional prices are also "
        "governed by the Promotion Policy (PR-2026). Where both apply, the stricter clause wins. Pricing "
        "analysts record the clause that determined each price change.", "",
    ]
    sections = {"PP-2": "## 2. Margins", "PP-3": "## 3. List price", "PP-4": "## 4. Competitor prices",
                "PP-5": "## 5. Price endings"}
    body: list[str] = []
    seen: set[str] = set()
    for clause, title, sentence in pricing_clauses():
        section = clause.rsplit(".", 1)[0]
        if section not in seen:
            seen.add(section)
            body += [sections[section], ""]
        body += [f"Clause {clause} \u2014 {title}: {sentence}", ""]
    body += ["## 6. Exceptions", "",
             "Exceptions need written approval from the Head of Category Management and expire after four weeks.", ""]
    return "\n".join(head + body)


def promotion_policy_lines() -> list[str]:
    lines = [
        f"{RETAILER} - Promotion Policy (PR-2026)",
        "Effective 1 January 2026. Owner: Marketing and Category Management.",
        "Promotions are planned at least six weeks ahead and agreed with the supplier. Every "
        "promotional price must also respect the Shelf Pricing Policy (PP-2026).",
    ]
    lines += [f"Clause {clause} - {title}: {sentence}" for clause, title, sentence in promotion_clauses()]
    lines.append("Suppliers fund promotions according to the agreed trade terms. Questions go to the promotions desk.")
    return lines


def price_list_lines(products: list[Product]) -> list[str]:
    return [f"{p.sku} {p.name} | category {p.category} | pack size {p.pack_size} | supplier {p.supplier} | "
            f"cost {p.cost:.2f} | list price {p.list_price:.2f}" for p in products]
