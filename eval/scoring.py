"""Per-case scores from a gold case's `expected` and a domain's `outcome` (same shape).

Why per-case floats (or None when a metric does not apply to the case): every aggregate in a
report is then the mean of the non-None values, so one bootstrap procedure gives confidence
intervals for all of them, recall and false-positive rate included (recall is the mean of
"detected" over the positive cases, the false-positive rate the mean over the negatives).
"""
from __future__ import annotations

from typing import Any

from pipelines.config import PriceConfig

from eval.metrics import field_accuracy


def case_scores(expected: dict[str, Any], outcome: dict[str, Any] | None, *, label_name: str = "label") -> dict[str, float | None]:
    scores: dict[str, float | None] = {}
    predicted = outcome or {}
    fields = expected.get("fields") or {}
    if fields:
        scores["field_accuracy"] = field_accuracy([(predicted.get("fields") or {}, fields)])
    if "label" in expected:
        scores[f"{label_name}_accuracy"] = float(outcome is not None and predicted.get("label") == expected["label"])
    for flag, truth in (expected.get("flags") or {}).items():
        detected = float(bool((predicted.get("flags") or {}).get(flag)))
        scores[f"{flag}_recall"] = detected if truth else None
        scores[f"{flag}_false_positive"] = None if truth else detected
    return scores


def case_cost(price: PriceConfig, *, prompt_tokens: int, completion_tokens: int, llm_seconds: float) -> float:
    """USD for one case: API prices per 1k tokens, plus GPU-hours for self-hosted tiers.

    The GPU share is the generation time of this case at the measured throughput, i.e. it
    assumes the GPU is kept busy (amortised); an idle reserved GPU costs more per request.
    """
    cost = prompt_tokens / 1000 * price.input_per_1k + completion_tokens / 1000 * price.output_per_1k
    if price.gpu_hour:
        cost += price.gpu_hour * llm_seconds / 3600
    return cost
