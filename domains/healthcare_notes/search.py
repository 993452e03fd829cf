"""`search`: a clinician's query over a folder of notes -> the notes ranked, best first.

Why a task: retrieval quality on real notes (MTSamples, the `real` suite) is measured through the
tier's own retrieval settings (dense, BM25 or hybrid RRF, k), so a tier's row shows what its
settings buy. Chunks are retrieved deep (`CHUNK_DEPTH`) and each note ranks at its best chunk.
"""
from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from rightsized.domains.base import MetricSpec, Score, Task
from rightsized.domains.context import TaskContext
from rightsized.domains.inputs import documents
from rightsized.domains.results import TaskResult
from rightsized.eval.metrics import hit_rate_at_k, reciprocal_rank

CHUNK_DEPTH = 60


class SearchInput(BaseModel):
    notes: Path = documents("A folder of notes to search.", kind="folder")
    query: str = Field(..., min_length=2, max_length=1000, description="What to look for.")
    k: int = Field(10, ge=1, le=50, description="How many notes to return.")


class SearchResult(TaskResult):
    query: str
    notes: list[str] = Field(default_factory=list)  # note file stems, best first


class SearchTask(Task[SearchInput, SearchResult]):
    name = "search"
    description = "Rank the notes of a folder for a query (each note at its best chunk)."
    input_model = SearchInput
    result_model = SearchResult
    metrics = (
        MetricSpec("mrr_at_10", kind="mean", primary=True, description="reciprocal rank of the first relevant note"),
        MetricSpec("recall_at_10", kind="mean", description="the relevant note (or a byte-identical twin) in the top 10"),
    )

    def run(self, ctx: TaskContext, inputs: SearchInput) -> SearchResult:
        hits = ctx.retrieve(inputs.query, scope=ctx.documents["notes"], k=max(CHUNK_DEPTH, inputs.k))
        ranked: dict[str, str] = {}
        for hit in hits:
            ranked.setdefault(Path(str(hit.metadata.get("doc_id", hit.chunk_id))).stem, hit.chunk_id)
        top = list(ranked.items())[: inputs.k]
        return SearchResult(query=inputs.query, notes=[name for name, _ in top], citations=[cid for _, cid in top])

    def outcome(self, result: SearchResult) -> dict[str, Any]:
        return {"ranking": result.notes}

    def score(self, expected: Mapping[str, Any], outcome: Mapping[str, Any] | None) -> dict[str, Score]:
        ranking = list((outcome or {}).get("ranking", []))
        relevant = set(expected["relevant"])
        return {"mrr_at_10": reciprocal_rank(ranking, relevant, 10) or 0.0,
                # One relevant note per query; its byte-identical twins are the same note.
                "recall_at_10": hit_rate_at_k(ranking, relevant, 10) or 0.0}
