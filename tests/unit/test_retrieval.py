from __future__ import annotations

import pytest

from rightsized.pipelines.retrieval import reciprocal_rank_fusion
from rightsized.pipelines.stores.milvus import SearchHit, filter_expression
from rightsized.pipelines.errors import BackendError


def _hits(*ids: str) -> list[SearchHit]:
    return [SearchHit(i, 0.0, f"text {i}", {}) for i in ids]


def test_rrf_golden_values() -> None:
    fused = reciprocal_rank_fusion([_hits("a", "b", "c"), _hits("c", "a", "d")], rrf_k=60)
    scores = {h.chunk_id: h.score for h in fused}
    assert scores["a"] == pytest.approx(1 / 61 + 1 / 62)
    assert scores["c"] == pytest.approx(1 / 63 + 1 / 61)
    assert scores["b"] == pytest.approx(1 / 62)
    assert scores["d"] == pytest.approx(1 / 63)
    assert [h.chunk_id for h in fused] == ["a", "c", "b", "d"]


def test_rrf_of_one_list_keeps_its_order_and_empty_is_empty() -> None:
    assert [h.chunk_id for h in reciprocal_rank_fusion([_hits("x", "y")])] == ["x", "y"]
    assert reciprocal_rank_fusion([[], []]) == []


def test_filter_expression() -> None:
    assert filter_expression({"doc_type": "passport", "group": ["a", "b"]}) == (
        'doc_type == "passport" and group in ["a", "b"]')
    assert filter_expression({"department": "cardio"}) == 'meta["department"] == "cardio"'
    assert filter_expression(None) == ""
    with pytest.raises(BackendError):
        filter_expression({"x) or (1": 1})
