"""Which files of a retailer's policy folder `price` reads as policy."""
from __future__ import annotations

from pathlib import Path

import pytest

from rightsized.domains.retail_pricing import domain


@pytest.mark.parametrize(("name", "doc_type"), [
    ("price_list.pdf", "price_list"),
    ("Pricelist 2026.md", "price_list"),
    ("list_price_and_promotions_policy.md", "policy"),  # was a price list: its discount cap was never read
    ("price-list-rules.txt", "policy"),
    ("list of pricing standards.md", "policy"),
    ("pricing_policy.md", "policy"),
])
def test_a_file_is_a_price_list_only_by_a_name_that_says_so_and_no_more(name: str, doc_type: str) -> None:
    assert domain.metadata(Path("/in/policy") / name, Path("/in"))["doc_type"] == doc_type
