"""Dense, sparse (BM25) and hybrid retrieval, identical on every store backend.

Why fuse in Python instead of the store's own hybrid search: reciprocal rank fusion over two
ranked lists is a few lines, gives the same answer on Milvus Lite, a Milvus 2.3 server without
BM25 and Pinecone, and lets tests check the fusion directly. On 500 clinical notes RRF of BM25
and MiniLM reached MRR@10 0.932 vs 0.893 dense-only (ENVIRONMENT.md).
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

from rightsized.pipelines.config import RetrievalConfig
from rightsized.pipelines.embedders.base import Embedder
from rightsized.pipelines.stores.base import FilterValue, SearchHit, VectorStore


def reciprocal_rank_fusion(rankings: Sequence[Sequence[SearchHit]], *, rrf_k: int = 60) -> list[SearchHit]:
    """score(d) = sum over lists of 1 / (rrf_k + rank of d), ranks from 1; ties keep first-seen order."""
    fused: dict[str, float] = {}
    first: dict[str, SearchHit] = {}
    for ranking in rankings:
        for rank, hit in enumerate(ranking, start=1):
            fused[hit.chunk_id] = fused.get(hit.chunk_id, 0.0) + 1.0 / (rrf_k + rank)
            first.setdefault(hit.chunk_id, hit)
    order = sorted(fused, key=lambda cid: -fused[cid])
    return [replace(first[cid], score=fused[cid]) for cid in order]


class Retriever:
    """Retrieve the top-k chunks for a query.

    Usage:
        retriever = Retriever(store, embedder, RetrievalConfig(k=5, mode="hybrid"))
        hits = retriever.retrieve("date of birth", filters={"group": "applicant_003"})
    """

    def __init__(self, store: VectorStore, embedder: Embedder, config: RetrievalConfig) -> None:
        self.store = store
        self.embedder = embedder
        self.config = config

    def retrieve(
        self, query: str, *, k: int | None = None,
        filters: Mapping[str, FilterValue] | None = None,
    ) -> list[SearchHit]:
        k = k or self.config.k
        mode = self.config.mode
        if mode == "sparse":
            return self.store.search_text(query, k=k, filters=filters)
        vector = self.embedder.embed([query])[0]
        if mode == "dense":
            return self.store.search_dense(vector, k=k, filters=filters)
        depth = max(self.config.candidates, k)
        dense = self.store.search_dense(vector, k=depth, filters=filters)
        sparse = self.store.search_text(query, k=depth, filters=filters)
        return reciprocal_rank_fusion([dense, sparse], rrf_k=self.config.rrf_k)[:k]
