"""Typed, validated KYC task results.

Why pydantic: `--json` output, stored eval runs and the citation contract all come from the
same model, and `check_citations` makes "cites a chunk that was not retrieved" a hard error.
"""
from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from pipelines.errors import ValidationFailedError

Decision = Literal["approve", "review", "reject"]
FIELD_NAMES = ("full_name", "date_of_birth", "nationality", "document_number", "expiry_date", "address")


class ExtractedField(BaseModel):
    value: str | None = None
    method: Literal["viz", "mrz", "form", "proof_of_address", "llm", "missing"] = "missing"
    chunk_ids: list[str] = Field(default_factory=list)


class Check(BaseModel):
    name: str
    passed: bool | None  # None: could not be checked (missing input) -> human review
    evidence: str
    chunk_ids: list[str] = Field(default_factory=list)


class TaskUsage(BaseModel):
    prompt_tokens: int = 0
    completion_tokens: int = 0
    llm_calls: int = 0
    llm_latency_s: float = 0.0
    latency_s: float = 0.0


class KycResult(BaseModel):
    applicant: str
    tier: str
    as_of: str
    fields: dict[str, ExtractedField]
    checks: list[Check]
    decision: Decision
    reasons: list[str]
    rationale: str
    rationale_source: Literal["template", "llm"]
    citations: list[str]
    retrieved: list[str]
    warnings: list[str] = Field(default_factory=list)
    usage: TaskUsage = Field(default_factory=TaskUsage)

    def check(self, name: str) -> Check:
        return next(c for c in self.checks if c.name == name)

    def check_citations(self) -> KycResult:
        """Every cited chunk must be one that retrieval returned for this run."""
        retrieved = set(self.retrieved)
        cited = set(self.citations)
        for item in [*self.fields.values(), *self.checks]:
            cited.update(item.chunk_ids)
        unknown = sorted(cited - retrieved)
        if unknown:
            raise ValidationFailedError(
                f"{self.applicant}: cites chunk(s) that were not retrieved: {', '.join(unknown)}"
            )
        return self
