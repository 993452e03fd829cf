"""Typed, validated KYC task results.

Why pydantic: `--json` output, stored eval runs, the HTTP API's schema and the citation contract
(`TaskResult.check_citations`: "cites a chunk that was not retrieved" is a hard error) all come
from the same model.
"""
from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from rightsized.domains.bfsi_kyc.lists import ListVersion
from rightsized.domains.results import TaskResult

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
    # Failed on text OCR read: the failure may be the scanner's misreading, not the document's,
    # so it sends the case to a human rather than rejecting it (`task.decide`).
    may_be_misread: bool = False


class KycResult(TaskResult):
    applicant: str
    as_of: str
    fields: dict[str, ExtractedField]
    checks: list[Check]
    decision: Decision
    reasons: list[str]
    rationale: str
    rationale_source: Literal["template", "llm"]
    screened_against: list[ListVersion] = Field(default_factory=list)  # the lists, as screened: audit trail

    def check(self, name: str) -> Check:
        return next(c for c in self.checks if c.name == name)

    def cited_ids(self) -> set[str]:
        cited = set(self.citations)
        for item in [*self.fields.values(), *self.checks]:
            cited.update(item.chunk_ids)
        return cited
