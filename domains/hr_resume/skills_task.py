"""The `skills` task: skill phrases in a job advert (the requirement side of matching).

Why a task of its own: it is how the real Green et al. (2022) benchmark measures the JD side.
The learned tagger (`skill_spans.py`, trained on the training half shipped with this domain)
finds the phrases. Scored as exact span F1 (a span counts only when its first and last token
match) and token F1.
"""
from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from rightsized.domains.base import MetricSpec, Score, Task
from rightsized.domains.context import TaskContext
from rightsized.domains.hr_resume.skill_spans import tokenize, trained_tagger
from rightsized.domains.inputs import input_file
from rightsized.domains.results import TaskResult
from rightsized.pipelines.errors import IngestError


class SkillsInput(BaseModel):
    text: Path = input_file("A job advert or requirement text (TXT or MD).")


class SkillSpan(BaseModel):
    start: int  # first token
    end: int  # last token (inclusive)
    text: str


class SkillsResult(TaskResult):
    spans: list[SkillSpan]


def read_text(path: Path) -> str:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise IngestError(path, f"not valid UTF-8 (byte {exc.start})") from exc
    if not text.strip():
        raise IngestError(path, "empty file" if not text else "no text content (file is blank)")
    return text


class SkillsTask(Task[SkillsInput, SkillsResult]):
    name = "skills"
    description = "Find skill phrases in a job advert (span extraction)."
    input_model = SkillsInput
    result_model = SkillsResult
    metrics = (
        MetricSpec("skill_span_f1", kind="ratio", primary=True, description="exact span F1 (micro: 2TP / (2TP+FP+FN))"),
        MetricSpec("skill_token_f1", kind="ratio", description="token-level F1 of skill tokens (partial credit)"),
    )

    def run(self, ctx: TaskContext, inputs: SkillsInput) -> SkillsResult:
        tokens = tokenize(read_text(inputs.text))
        spans = trained_tagger().spans(tokens)
        return SkillsResult(spans=[SkillSpan(start=a, end=b, text=" ".join(tokens[a:b + 1])) for a, b in spans])

    def outcome(self, result: SkillsResult) -> dict[str, Any]:
        return {"spans": [[s.start, s.end] for s in result.spans]}

    def score(self, expected: Mapping[str, Any], outcome: Mapping[str, Any] | None) -> dict[str, Score]:
        gold = {tuple(s) for s in expected["spans"]}
        predicted = {tuple(s) for s in (outcome or {}).get("spans", [])}
        tp = len(gold & predicted)
        gold_tokens = {i for a, b in gold for i in range(a, b + 1)}
        predicted_tokens = {i for a, b in predicted for i in range(a, b + 1)}
        tp_tokens = len(gold_tokens & predicted_tokens)
        return {"skill_span_f1": (2 * tp, len(gold) + len(predicted)),
                "skill_token_f1": (2 * tp_tokens, len(gold_tokens) + len(predicted_tokens))}
