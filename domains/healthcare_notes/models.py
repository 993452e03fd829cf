"""Typed results of the healthcare tasks (pydantic: `--json`, stored runs, the HTTP schema).

Every item carries the chunk ids it was read from, and results keep the (redacted) text of what
they cite in `sources`, so groundedness can be scored from the stored outcome alone.
"""
from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from rightsized.domains.results import TaskResult


class SummaryItem(BaseModel):
    value: str
    evidence: str
    chunk_ids: list[str] = Field(default_factory=list)


class NoteSummary(TaskResult):
    patient: str
    problems: list[SummaryItem] = Field(default_factory=list)
    medications: list[SummaryItem] = Field(default_factory=list)
    allergies: list[SummaryItem] = Field(default_factory=list)
    vitals: list[SummaryItem] = Field(default_factory=list)
    plan: list[SummaryItem] = Field(default_factory=list)
    follow_up: list[SummaryItem] = Field(default_factory=list)
    narrative: str = ""
    narrative_source: Literal["template", "llm"] = "template"
    sources: dict[str, str] = Field(default_factory=dict)  # cited chunk id -> its (redacted) text

    def cited_ids(self) -> set[str]:
        cited = set(self.citations)
        for name in ("problems", "medications", "allergies", "vitals", "plan", "follow_up"):
            for item in getattr(self, name):
                cited.update(item.chunk_ids)
        return cited


class NoteAnswer(TaskResult):
    question: str
    answer: str
    found: bool
    method: Literal["tool", "llm", "none"] = "none"
    sources: dict[str, str] = Field(default_factory=dict)


class PhiSpan(BaseModel):
    kind: str
    start: int
    end: int


class Deidentified(TaskResult):
    note: str
    text: str
    found: dict[str, int] = Field(default_factory=dict)
    spans: list[PhiSpan] = Field(default_factory=list)  # in the original text
