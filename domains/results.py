"""The base every task result derives from: usage, citations, retrieved ids and warnings.

Why one base: the eval grid, `run --json`, the HTTP API and the report read these fields from
every domain's results without knowing the domain. Usage is filled by the runner from the
`TaskContext` that counted every generator call, never by duck typing; an unknown count is
None (shown as "unknown"), never 0, so a tier whose server reports no usage cannot look free.
"""
from __future__ import annotations

from pydantic import BaseModel, Field

from rightsized.pipelines.errors import ValidationFailedError


class TaskUsage(BaseModel):
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    llm_calls: int = 0
    llm_latency_s: float | None = None
    latency_s: float | None = None


class Provenance(BaseModel):
    """What a result can be reproduced from: the settings (their hash), the software version,
    the exact documents (content hashes) and when it was produced. Audits need all four."""

    config_hash: str = ""
    version: str = ""
    created: str = ""
    documents: dict[str, str] = Field(default_factory=dict)  # doc_id -> content hash


class TaskResult(BaseModel):
    """Fields every result has. `citations` are chunk ids the result relies on; each must be one
    of `retrieved` (what retrieval returned for this case): `check_citations` enforces it."""

    task: str = ""
    tier: str = ""
    provenance: Provenance = Field(default_factory=Provenance)
    citations: list[str] = Field(default_factory=list)
    retrieved: list[str] = Field(default_factory=list)
    warnings: list[str] = Field(default_factory=list)
    usage: TaskUsage = Field(default_factory=TaskUsage)

    def cited_ids(self) -> set[str]:
        """Every chunk id the result cites; results with nested citations extend this."""
        return set(self.citations)

    def check_citations(self) -> None:
        unknown = sorted(self.cited_ids() - set(self.retrieved))
        if unknown:
            raise ValidationFailedError(f"{self.task}: cites chunk(s) that were not retrieved: {', '.join(unknown)}")
