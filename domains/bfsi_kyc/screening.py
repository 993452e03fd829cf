"""The `screen` task: one name (with DOB and nationality when known) against the sanctions lists.

Why a task of its own: a listed person was approved because only a 313-row extract was
screened, and nobody could have seen it, because screening was never measured on its own —
only inside whole packets, six listed people at a time. As a task, screening is run by the
same runner as everything else (`rightsized run bfsi_kyc screen --param name=...`), and the
eval suite measures it on hundreds of listed and ordinary names: how many listed people are
caught (`screen_recall`), how many ordinary people are wrongly flagged (`screen_false_hit_rate`)
and how many produce a candidate a reviewer must at least look at (`screen_candidate_rate`).

Every candidate is returned, including the ones a differing date of birth cleared: a reviewer
(or an auditor) must be able to see what the screen looked at and why it moved on.
"""
from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, Field, field_validator

from rightsized.domains.base import MetricSpec, Score, Task
from rightsized.domains.bfsi_kyc.lists import ListVersion, lists_for
from rightsized.domains.bfsi_kyc.sanctions import ScreeningHit, normalize_name, unread_letters
from rightsized.domains.context import TaskContext
from rightsized.domains.results import TaskResult


class ScreenInput(BaseModel):
    # Bounded: a name is compared with every listed name, so a 5 MB "name" took 30 s of CPU per request.
    name: str = Field(max_length=300, description="The full name to screen, in Latin, Cyrillic or Greek script "
                                                  "(any word order, accents allowed); other scripts must be "
                                                  "transliterated.")
    date_of_birth: date | None = Field(None, description="Clears candidates whose every listed DOB differs.")
    nationality: str | None = Field(None, max_length=100, description="Shown next to each candidate; never clears one.")

    @field_validator("name")
    @classmethod
    def _latin(cls, value: str) -> str:
        """A name with no letters screening reads would normalise to nothing and screen as clear."""
        if not normalize_name(value):
            raise ValueError("no Latin, Cyrillic or Greek letters to screen; transliterate the name into Latin script")
        return value


class ScreenHit(BaseModel):
    """One listed person whose name or alias matched, and what the DOB said about it."""

    list_name: str
    uid: str
    listed_name: str
    matched_name: str  # the listed name or alias that scored best
    score: float
    dob_status: Literal["match", "mismatch", "unknown"]
    listed_birth_dates: list[str]
    nationality_status: Literal["match", "mismatch", "unknown"]
    programs: list[str]
    status: Literal["hit", "cleared_by_dob"]

    @classmethod
    def of(cls, hit: ScreeningHit) -> ScreenHit:
        entry = hit.entry
        return cls.model_validate({
            "list_name": entry.list_name, "uid": entry.uid, "listed_name": entry.name,
            "matched_name": hit.matched_name, "score": hit.score, "dob_status": hit.dob_status,
            "listed_birth_dates": list(entry.birth_dates), "nationality_status": hit.nationality_status,
            "programs": list(entry.programs), "status": hit.status})


class ScreenResult(TaskResult):
    name: str
    date_of_birth: date | None
    nationality: str | None
    decision: Literal["hit", "clear"]  # "hit" if any candidate was not cleared by its DOB
    threshold: float  # the name score a candidate needed: what the scores are read against
    hits: list[ScreenHit] = Field(default_factory=list)  # best first, cleared candidates included
    screened_against: list[ListVersion] = Field(default_factory=list)  # the lists, as screened: audit trail


class ScreenTask(Task[ScreenInput, ScreenResult]):
    """Tool-only on every tier: the decision never depends on a generator."""

    name = "screen"
    description = "Screen one name (with DOB and nationality when known) against the sanctions lists."
    input_model = ScreenInput
    result_model = ScreenResult
    metrics = (
        MetricSpec("screen_recall", kind="proportion", primary=True,
                   description="listed individuals (as written by applicants: variants, aliases) flagged as a hit"),
        MetricSpec("screen_false_hit_rate", kind="proportion", higher_is_better=False,
                   description="ordinary, unlisted people flagged as a hit at their own DOB"),
        MetricSpec("screen_candidate_rate", kind="proportion", higher_is_better=False,
                   description="ordinary people with any candidate, cleared ones included: review workload before DOB"),
    )

    def run(self, ctx: TaskContext, inputs: ScreenInput) -> ScreenResult:
        lists = lists_for(ctx.config)
        hits = [ScreenHit.of(h) for h in lists.screener.screen(inputs.name, inputs.date_of_birth, inputs.nationality)]
        # A stale list is recorded in `screened_against` (and warned about by `rightsized check`), as
        # for `decide`; a warning on every result would bury the ones that concern this name.
        warnings: list[str] = []
        if dropped := unread_letters(inputs.name):
            warnings.append(f"not screened (not Latin script): {''.join(dropped)!r}; transliterate the full name")
        return ScreenResult(
            name=inputs.name, date_of_birth=inputs.date_of_birth, nationality=inputs.nationality,
            decision="hit" if any(h.status == "hit" for h in hits) else "clear",
            threshold=lists.screener.threshold, hits=hits, screened_against=list(lists.versions), warnings=warnings)

    def outcome(self, result: ScreenResult) -> dict[str, Any]:
        return {
            "decision": result.decision,
            "hit_uids": sorted(h.uid for h in result.hits if h.status == "hit"),
            "cleared_uids": sorted(h.uid for h in result.hits if h.status == "cleared_by_dob"),
        }

    def score(self, expected: Mapping[str, Any], outcome: Mapping[str, Any] | None) -> dict[str, Score]:
        """A listed case counts as caught only if *its* entry is a hit (an alert on someone else
        would send the reviewer after the wrong person). A failed screen scores as the worst
        result on every metric: a name that could not be screened is neither caught nor cleared."""
        if expected["listed"]:
            caught = outcome is not None and expected["uid"] in outcome["hit_uids"]
            return {"screen_recall": float(caught), "screen_false_hit_rate": None, "screen_candidate_rate": None}
        flagged = outcome is None or outcome["decision"] == "hit"
        candidates = outcome is None or bool(outcome["hit_uids"] or outcome["cleared_uids"])
        return {"screen_recall": None, "screen_false_hit_rate": float(flagged),
                "screen_candidate_rate": float(candidates)}
