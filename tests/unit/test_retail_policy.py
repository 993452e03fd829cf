"""Policy clauses -> typed rules: from the real rendered documents (Markdown and a PDF read by
pypdf, chunked as ingest chunks them), from hand-written clauses, and from clauses cut short."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from rightsized.domains.retail_pricing.catalog import true_rules
from rightsized.domains.retail_pricing.corpus import write_policy
from rightsized.domains.retail_pricing.policy import (
    Blackout, CompetitorMatch, ListCeiling, MaxDiscount, MinMargin, PriceContext, PriceEnding, parse_clause, parse_policy,
)
from rightsized.ingest.chunking import chunk_document
from rightsized.ingest.loaders import load_document
from rightsized.pipelines.stores.base import SearchHit


def _hits(path: Path, chunk_size: int = 200) -> list[SearchHit]:
    document = load_document(path, path.parent)
    return [SearchHit(c.chunk_id, 1.0, c.text, {}) for c in chunk_document(document, embedder_id="t", chunk_size=chunk_size)]


@pytest.fixture(scope="module")
def policy_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("policy")
    write_policy(root)
    return root / "policy"


def _key(rule: object) -> tuple:
    fields = {k: v for k, v in vars(rule).items() if k not in ("chunk_id", "text")}
    return type(rule).__name__, tuple(sorted(fields.items()))


def test_rendered_policy_documents_parse_into_exactly_the_true_rules(policy_dir: Path) -> None:
    hits = _hits(policy_dir / "pricing_policy.md") + _hits(policy_dir / "promotion_policy.pdf")
    reading = parse_policy(hits)
    assert reading.unreadable == ()
    assert sorted(map(_key, reading.rules), key=repr) == sorted(map(_key, true_rules()), key=repr)
    by_clause = {r.clause: r for r in reading.rules}
    assert by_clause["PP-2.4"] == MinMargin("PP-2.4", by_clause["PP-2.4"].chunk_id, by_clause["PP-2.4"].text, 0.40, "Personal Care")
    assert isinstance(by_clause["PR-3"], Blackout) and by_clause["PR-3"].start == date(2026, 11, 23)
    assert by_clause["PP-5.2"].endings == (49, 99)  # type: ignore[attr-defined]
    # each rule cites the chunk it was read from, and that chunk holds the clause
    texts = {h.chunk_id: h.text for h in hits}
    assert all(r.clause in texts[r.chunk_id] for r in reading.rules)


def test_small_overlapping_chunks_still_read_every_clause_once(policy_dir: Path) -> None:
    hits = _hits(policy_dir / "pricing_policy.md", chunk_size=40)
    reading = parse_policy(hits)
    assert len(hits) > 5
    assert sorted(r.clause for r in reading.rules) == sorted(r.clause for r in true_rules() if r.clause.startswith("PP"))


@pytest.mark.parametrize(("title", "body", "expected"), [
    ("Minimum margin, Snacks", "the gross margin of every Snacks item must be at least 35% of the shelf price.",
     MinMargin("X", "c", "", 0.35, "Snacks")),
    ("Maximum discount", "no price may be more than 25 per cent below the list price.", MaxDiscount("X", "c", "", 0.25)),
    ("List price ceiling", "no shelf price may exceed the list price of the item.", ListCeiling("X", "c", "")),
    ("Competitor price matching", "the shelf price must not exceed the latest competitor price by more than 3%.",
     CompetitorMatch("X", "c", "", 0.03)),
    ("Price endings, all categories", "shelf prices must end in .95 or .99.", PriceEnding("X", "c", "", (95, 99))),
    ("Blackout period", "from 2026-12-20 to 2026-12-01 no discount may be applied.",
     Blackout("X", "c", "", date(2026, 12, 1), date(2026, 12, 20))),
    ("Blackout", "no price changes between 2026-12-20 and 2026-12-31.",
     Blackout("X", "c", "", date(2026, 12, 20), date(2026, 12, 31), freeze=True)),
    ("Blackout period", "prices are frozen from 2026-12-20 to 2026-12-31.",
     Blackout("X", "c", "", date(2026, 12, 20), date(2026, 12, 31), freeze=True)),
    ("Blackout period", "shelf prices must not change from 2026-12-20 to 2026-12-31.",
     Blackout("X", "c", "", date(2026, 12, 20), date(2026, 12, 31), freeze=True)),
    ("Promotion blackout", "no promotion may run from 2026-12-20 to 2026-12-31.",
     Blackout("X", "c", "", date(2026, 12, 20), date(2026, 12, 31))),
])
def test_each_clause_kind_parses_to_its_typed_rule(title: str, body: str, expected: object) -> None:
    parsed = parse_clause("X", title, body, "c")
    assert _key(parsed) == _key(expected)


def test_a_policy_in_its_own_words_reads_to_the_same_rules() -> None:
    """Another company's numbering and names for the same rules: "Section 4.2", "Margin floor
    (Snacks)", "Max discount", "Rule 7. Price ending conventions"."""
    text = ("Section 4.2 \u2013 Margin floor (Snacks): the gross margin of every Snacks item must be at least 35% of the shelf price.\n\n"
            "Clause 5 - Max discount: no price may be more than 25 per cent below the list price.\n\n"
            "Rule 7. Price ending conventions, all categories: shelf prices must end in .99.\n\n"
            "Section 8 \u2014 Scope: this policy applies to all stores.")
    reading = parse_policy([SearchHit("c", 1.0, text, {})])
    assert [_key(r) for r in reading.rules] == [_key(MinMargin("4.2", "c", "", 0.35, "Snacks")),
                                                _key(MaxDiscount("5", "c", "", 0.25)),
                                                _key(PriceEnding("7", "c", "", (99,)))]
    assert reading.unreadable == ()


def test_unreadable_and_unknown_clauses_are_reported_not_guessed() -> None:
    text = ("Clause PP-9.1 \u2014 Minimum margin, Toys: the gross margin of every Toys item must be at least\n\n"
            "Clause PP-9.2 \u2014 Scope: this policy applies to all stores.\n\n"
            "Clause PP-9.3 \u2014 Blackout period: from 2026-01-01 onwards no discounts.")
    reading = parse_policy([SearchHit("chunk-a", 1.0, text, {})])
    assert reading.rules == ()
    problems = {u.clause: u.reason for u in reading.unreadable}
    assert set(problems) == {"PP-9.1", "PP-9.3"}
    assert "cut off" in problems["PP-9.1"] and "start and an end" in problems["PP-9.3"]
    # a later chunk holding the whole clause replaces the report with the rule
    whole = "Clause PP-9.1 \u2014 Minimum margin, Toys: the gross margin of every Toys item must be at least 20% of the shelf price."
    again = parse_policy([SearchHit("chunk-a", 1.0, text, {}), SearchHit("chunk-b", 1.0, whole, {})])
    assert [(r.clause, r.chunk_id) for r in again.rules] == [("PP-9.1", "chunk-b")]


def test_rule_semantics_at_their_bounds() -> None:
    ctx = PriceContext("Snacks", cost=1.00, list_price=2.49, competitor_price=2.20, as_of=date(2026, 11, 30))
    assert MinMargin("a", "c", "", 0.35, "Snacks").allows(1.53, ctx) is False  # floor is 1/(1-0.35) = 1.538
    assert MinMargin("a", "c", "", 0.35, "Snacks").allows(1.54, ctx)
    assert not MinMargin("a", "c", "", 0.35, "Beverages").applies(ctx)
    assert MaxDiscount("b", "c", "", 0.30).allows(round(2.49 * 0.7, 2), ctx) is False  # 1.743 -> 1.74 is below
    assert MaxDiscount("b", "c", "", 0.30).allows(1.75, ctx)
    assert CompetitorMatch("d", "c", "", 0.05).allows(2.31, ctx) and not CompetitorMatch("d", "c", "", 0.05).allows(2.32, ctx)
    assert PriceEnding("e", "c", "", (49, 99)).allows(1.49, ctx) and not PriceEnding("e", "c", "", (49, 99)).allows(1.50, ctx)
    blackout = Blackout("f", "c", "", date(2026, 11, 23), date(2026, 12, 6))
    assert blackout.applies(ctx) and not blackout.allows(2.48, ctx) and blackout.allows(2.49, ctx)
    assert not blackout.applies(PriceContext("Snacks", 1.0, 2.49, None, date(2026, 12, 7)))
    assert not CompetitorMatch("d", "c", "", 0.05).applies(PriceContext("Snacks", 1.0, 2.49, None, date(2026, 1, 1)))
