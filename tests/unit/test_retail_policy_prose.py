"""Policies written as prose, lists and tables -> typed rules, read from real files through the
real loaders and chunker (Markdown, and a PDF read by pypdf with its wrapped lines)."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from fpdf import FPDF

from rightsized.domains.retail_pricing.answers import Answer, policy_answer
from rightsized.domains.retail_pricing.catalog import true_rules
from rightsized.domains.retail_pricing.corpus import write_policy
from rightsized.domains.retail_pricing.policy import (
    Blackout, CompetitorMatch, ListCeiling, MaxDiscount, MinMargin, PolicyReading, PriceEnding, Unreadable,
)
from rightsized.domains.retail_pricing.policy_prose import read_policy
from rightsized.ingest.chunking import chunk_document
from rightsized.ingest.loaders import load_document
from rightsized.pipelines.stores.base import SearchHit

CATEGORIES = ("Beverages", "Snacks", "Household", "Personal Care")

HOUSE_POLICY = """# Acme Grocers: how we set shelf prices

Effective 1 March 2026. Owner: the pricing team.

## Margins
Every product must keep a gross margin of at least 30% of the shelf price.

| Category | Minimum margin |
|---|---|
| Snacks | 45% |
| Personal Care | 40 % |
| All other categories | 30% |

## Discounts
- Markdowns may not exceed 40% off the list price.
- Snack items may be discounted by at most 20%.
- No discount may be more than 25 per cent below the list price for Household products.

## Other rules
Shelf prices must never exceed the list price. We match the lowest local competitor price.
All shelf prices end in .99 or .49.
No discounts between 20 December 2026 and 31 December 2026.
Store managers plan promotions with the category team.
"""


def _key(rule: object) -> tuple:
    fields = {k: v for k, v in vars(rule).items() if k not in ("chunk_id", "text", "clause")}
    return type(rule).__name__, tuple(sorted(fields.items()))


def _read(path: Path, chunk_size: int = 200) -> tuple[PolicyReading, list[SearchHit]]:
    document = load_document(path, path.parent)
    hits = [SearchHit(c.chunk_id, 1.0, c.text, {"doc_id": c.doc_id, "position": c.position, "source": str(path)})
            for c in chunk_document(document, embedder_id="t", chunk_size=chunk_size)]
    return read_policy(hits[::-1], CATEGORIES), hits  # retrieval order is not document order


HOUSE_RULES = [
    MinMargin("", "", "", 0.30), MinMargin("", "", "", 0.45, "Snacks"), MinMargin("", "", "", 0.40, "Personal Care"),
    MinMargin("", "", "", 0.30, None, ("Snacks", "Personal Care")), MaxDiscount("", "", "", 0.40), MaxDiscount("", "", "", 0.20, "Snacks"),
    MaxDiscount("", "", "", 0.25, "Household"), ListCeiling("", "", ""), CompetitorMatch("", "", "", 0.0),
    PriceEnding("", "", "", (49, 99)), Blackout("", "", "", date(2026, 12, 20), date(2026, 12, 31)),
]


@pytest.mark.parametrize("chunk_size", [200, 30])
def test_a_policy_in_sentences_lists_and_a_table_reads_to_typed_rules(tmp_path: Path, chunk_size: int) -> None:
    # before: not one rule (every clause had to be 'Clause <id> — <kind>: ...'), so `price` refused to run;
    # at 30 words the table's rows sit in a later chunk than the heading that says they are margins
    path = tmp_path / "pricing_rules.md"
    path.write_text(HOUSE_POLICY)
    reading, hits = _read(path, chunk_size)
    assert len(hits) == (1 if chunk_size == 200 else len(hits)) and (chunk_size == 200 or len(hits) >= 4)
    assert sorted(map(_key, reading.rules), key=repr) == sorted(map(_key, HOUSE_RULES), key=repr)
    assert reading.unreadable == ()
    texts = {h.chunk_id: h.text for h in hits}
    snacks = next(r for r in reading.rules if isinstance(r, MinMargin) and r.category == "Snacks")
    assert snacks.clause.startswith("pricing_rules.md \u00a7 Margins \u00b6") and "45%" in texts[snacks.chunk_id]


def test_a_pdf_policy_with_wrapped_lines_reads_each_sentence_whole(tmp_path: Path) -> None:
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=11)
    pdf.multi_cell(0, 6, "Acme Grocers - Promotions\n\nBlackout periods\n\nNo discounts may be given between 1 January "
                         "2026 and 10 January 2026, when the new-year ranges are set and every store sells at list "
                         "price or above.\n\nMargins\n\nDuring promotions the gross margin of every Beverages item "
                         "must stay at or above 22 per cent of the promotional shelf price, whatever the supplier "
                         "funds.")
    path = tmp_path / "promotions.pdf"
    pdf.output(str(path))
    reading, hits = _read(path)
    assert sum(h.text.count("\n") for h in hits) >= 4  # pypdf's text is wrapped lines, not sentences
    assert sorted(map(_key, reading.rules), key=repr) == sorted(map(_key, [
        Blackout("", "", "", date(2026, 1, 1), date(2026, 1, 10)), MinMargin("", "", "", 0.22, "Beverages")]), key=repr)


@pytest.mark.parametrize(("heading", "sentence", "expected"), [
    ("Discounts", "Maximum markdown: 25 per cent below list price.", [MaxDiscount("", "", "", 0.25)]),  # not a category
    ("Margins", "Personal Care products need 40%.", [MinMargin("", "", "", 0.40, "Personal Care")]),
    ("Margins", "Beverages 25%, Snacks 35%, all other categories 30%.",
     [MinMargin("", "", "", 0.25, "Beverages"), MinMargin("", "", "", 0.35, "Snacks"),
      MinMargin("", "", "", 0.30, None, ("Beverages", "Snacks"))]),  # "all other": not Beverages, not Snacks
    ("Pricing", "Snacks and Household items must keep a margin of at least 33%.",
     [MinMargin("", "", "", 0.33, "Snacks"), MinMargin("", "", "", 0.33, "Household")]),
    ("Competitors", "Our price may be at most 5% above the competitor's shelf price.", [CompetitorMatch("", "", "", 0.05)]),
    ("Price endings", "Prices end in .95.", [PriceEnding("", "", "", (95,))]),
    ("Blackout periods", "Prices are frozen from Dec 20, 2026 to Jan 2, 2027.",
     [Blackout("", "", "", date(2026, 12, 20), date(2027, 1, 2), freeze=True)]),
    ("Promotions and blackout", "Promotional discounts may not exceed 40% below list price.", [MaxDiscount("", "", "", 0.40)]),
    ("Margins", "The list price of 2.99 is printed on the shelf label.", []),
    ("Promotions", "Store managers plan promotions with the category team.", []),
])
def test_each_statement_reads_to_its_rules(heading: str, sentence: str, expected: list[object]) -> None:
    reading = read_policy([SearchHit("c", 1.0, f"## {heading}\n{sentence}\n", {})], CATEGORIES)
    assert [_key(r) for r in reading.rules] == [_key(r) for r in expected] and reading.unreadable == ()


def test_a_rule_it_cannot_read_is_reported_not_guessed() -> None:
    text = ("## Discounts\nMarkdowns must stay reasonable.\n\n## Margins\nThe margin is 30% or 25% depending on the store.\n\n"
            "## Blackout\nDuring blackout periods managers must escalate every request.\n")
    reading = read_policy([SearchHit("c", 1.0, text, {"source": "p/rules.md"})], CATEGORIES)
    assert reading.rules == ()
    assert [u.reason.split(":")[0] for u in reading.unreadable] == [
        "no discount percentage per category", "no margin percentage per category", "a blackout needs a start and an end date"]
    assert all(isinstance(u, Unreadable) and u.clause.startswith("rules.md \u00a7 ") for u in reading.unreadable)


def test_the_sample_policy_documents_still_read_exactly_the_true_rules(tmp_path: Path) -> None:
    write_policy(tmp_path)  # their prose between the clauses (scope, exceptions, planning) is no rule
    hits: list[SearchHit] = []
    for name in ("pricing_policy.md", "promotion_policy.pdf"):
        hits += _read(tmp_path / "policy" / name, chunk_size=40)[1]
    reading = read_policy(hits, CATEGORIES)
    assert sorted(map(_key, reading.rules), key=repr) == sorted(map(_key, true_rules()), key=repr)
    assert reading.unreadable == ()


def test_policy_questions_are_answered_from_a_policy_in_its_own_words() -> None:
    # before: `ask` read clause-form rules only, so every question on such a policy went unanswered
    record = "SNK-001 Sea Salt Crisps | category Snacks | pack size 150 g | supplier Crunch Co | cost 0.80 | list price 1.99"
    hits = [SearchHit("p", 1.0, HOUSE_POLICY, {}), SearchHit("l", 1.0, record, {})]
    assert policy_answer("What is the minimum margin for Snacks items?", hits) == Answer("45%", "p", "policy")
    assert policy_answer("What is the minimum margin for Household items?", hits).value == "30%"  # the general floor
    assert policy_answer("What is the maximum discount for Household items?", hits).value == "25%"
    assert policy_answer("Which price endings are allowed?", hits).value == ".49 or .99"
    assert policy_answer("When is the discount blackout?", hits).value == "2026-12-20 to 2026-12-31"


def test_numbered_section_titles_inside_a_paragraph_say_the_kind_of_what_follows() -> None:
    # "3.2 Maximum discount. No item may be sold more than 20% below its list price." was read under the
    # previous title, as a 20% minimum margin: the title was not a heading and "below its list" no discount
    text = ("PRICING STANDARDS\n\n3.1 Minimum margin. Every Snacks item must keep at least 35% of its shelf price. "
            "Beverages keep 25%.\n3.2 Maximum discount. No item may be sold more than 20% below its list price.\n"
            "3.3 Price endings. Prices end in .99.\n")
    reading = read_policy([SearchHit("c", 1.0, text, {})], CATEGORIES)
    assert [_key(r) for r in reading.rules] == [_key(r) for r in (
        MinMargin("", "", "", 0.35, "Snacks"), MinMargin("", "", "", 0.25, "Beverages"), MaxDiscount("", "", "", 0.20),
        PriceEnding("", "", "", (99,)))]
    assert [r.clause for r in reading.rules] == ["Minimum margin \u00b61", "Minimum margin \u00b62",
                                                  "Maximum discount \u00b63", "Price endings \u00b64"]
