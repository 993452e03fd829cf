"""The `similar` task: a new complaint -> the most similar past work orders and what they were.

Why retrieval and not a trained classifier: a maintenance history keeps growing and its labels
(problem type, faulty part) are whatever the shop uses; the nearest labelled past cases give a
prediction (the top case's labels) and, more useful to a technician, what fixed those cases.
Candidates come from hybrid retrieval over the log (BM25 + dense, the query written both in
words and in shorthand), re-ranked on normalised text (`logs.similarity`), ties kept in
retrieval order. A history without labels still returns cases; the prediction is then empty.
"""
from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from rightsized.domains.base import MetricSpec, Score, Task
from rightsized.domains.context import TaskContext
from rightsized.domains.inputs import documents
from rightsized.domains.manufacturing_maintenance.logs import content_words, expand_query, record_fields, similarity
from rightsized.domains.manufacturing_maintenance.models import SimilarCase, SimilarResult

CANDIDATES = 20
NO_LOG = ("no maintenance log in the library: a CSV or JSON(L) file is read as one when its name says so "
          "(log, logbook, work orders, WO, CMMS, maintenance, history, tickets)")
LABELS = ("problem", "part")


class SimilarInput(BaseModel):
    library: Path = documents("Maintenance logs (CSV, one work order a row; optional columns problem, part).",
                              kind="folder")
    complaint: str = Field(..., min_length=3, max_length=1000, description="The new complaint, as written.")
    k: int = Field(5, ge=1, le=20, description="How many similar cases to return.")


class SimilarTask(Task[SimilarInput, SimilarResult]):
    name = "similar"
    description = "The most similar past work orders for a complaint, with their labels and repairs (cited)."
    input_model = SimilarInput
    result_model = SimilarResult
    metrics = (
        MetricSpec("problem_accuracy_at_1", kind="proportion", description="top case's problem type is right"),
        MetricSpec("problem_accuracy_at_5", kind="proportion", description="a top-5 case has the right problem type"),
        MetricSpec("part_accuracy_at_1", kind="proportion", primary=True, description="top case's part is right"),
        MetricSpec("part_accuracy_at_5", kind="proportion", description="a top-5 case has the right part"),
    )

    def case_name(self, inputs: SimilarInput) -> str:
        return inputs.complaint[:40]

    def run(self, ctx: TaskContext, inputs: SimilarInput) -> SimilarResult:
        query = expand_query(sorted(content_words(inputs.complaint))) or inputs.complaint
        hits = ctx.retrieve(f"{inputs.complaint} {query}", scope=ctx.documents["library"], k=CANDIDATES,
                            filters={"doc_type": "log"})
        cases = []
        for rank, hit in enumerate(hits):
            fields = record_fields(hit.text)
            note = fields.get("note") or fields.get("problem_text") or hit.text
            cases.append((similarity(inputs.complaint, note), -rank, SimilarCase(
                work_order=fields.get("work_order", hit.chunk_id), chunk_id=hit.chunk_id, note=note,
                action=fields.get("action", ""), labels={k: fields[k] for k in LABELS if fields.get(k)})))
        cases.sort(key=lambda item: (-item[0], -item[1]))
        top = [case.model_copy(update={"similarity": round(score, 1)}) for score, _, case in cases[: inputs.k]]
        prediction = dict(top[0].labels) if top else {}
        warnings = [] if hits else [NO_LOG]  # an empty answer must not look like "no similar case"
        return SimilarResult(complaint=inputs.complaint, cases=top, prediction=prediction,
                             citations=[c.chunk_id for c in top], warnings=warnings)

    def outcome(self, result: SimilarResult) -> dict[str, Any]:
        return {label: [c.labels.get(label) for c in result.cases] for label in LABELS}

    def score(self, expected: Mapping[str, Any], outcome: Mapping[str, Any] | None) -> dict[str, Score]:
        scores: dict[str, Score] = {}
        for label in LABELS:
            truth = expected.get(label)
            ranked = (outcome or {}).get(label) or []
            if not truth:
                scores[f"{label}_accuracy_at_1"] = scores[f"{label}_accuracy_at_5"] = None
                continue
            scores[f"{label}_accuracy_at_1"] = float(ranked[:1] == [truth])
            scores[f"{label}_accuracy_at_5"] = float(truth in ranked[:5])
        return scores
