"""Per-case scores as a run stores them, and the cost of a case.

Why scores are split by kind: a ratio-of-sums metric (WAPE, micro-F1) is aggregated from each
case's numerator and denominator, never as a mean of per-case ratios; the record keeps both the
pair (`parts`) and, for reading one case, its own ratio (`scores`). A score that does not fit its
declared kind is a domain bug and is refused here, so it cannot skew an aggregate silently.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rightsized.domains.base import Score, Task
from rightsized.eval.metrics.corpus import check_parts, corpus_value
from rightsized.pipelines.config import PriceConfig
from rightsized.pipelines.errors import ValidationFailedError


def split_scores(task: Task[Any, Any], raw: Mapping[str, Score]
                 ) -> tuple[dict[str, float | None], dict[str, list[float] | dict[str, float]]]:
    """(scores, parts) for a task's declared metrics, checked against each metric's kind.

    A corpus metric's parts are stored as scored; its per-case score is the reducer applied to
    this case alone (for reading one case; the run's value is computed over all cases)."""
    declared = {m.name: m for m in task.metrics}
    if unknown := sorted(set(raw) - set(declared)):
        raise ValidationFailedError(f"task '{task.name}' scored undeclared metric(s): {', '.join(unknown)}")
    scores: dict[str, float | None] = {}
    parts: dict[str, list[float] | dict[str, float]] = {}
    for name, spec in declared.items():
        value = raw.get(name)
        if value is None:
            scores[name] = None
        elif spec.kind == "corpus":
            if not isinstance(value, Mapping):
                raise ValidationFailedError(f"metric '{name}' is a corpus metric: score it as named parts (a dict)")
            try:
                parts[name] = check_parts(value)
            except ValueError as exc:
                raise ValidationFailedError(f"metric '{name}': {exc}") from None
            scores[name] = corpus_value(str(spec.reduce), [parts[name]])
        elif isinstance(value, Mapping):
            raise ValidationFailedError(f"metric '{name}' is a {spec.kind}: named parts are for corpus metrics")
        elif spec.kind == "ratio":
            if not isinstance(value, tuple) or len(value) != 2:
                raise ValidationFailedError(f"metric '{name}' is a ratio: score it as (numerator, denominator)")
            numerator, denominator = float(value[0]), float(value[1])
            parts[name] = [numerator, denominator]
            scores[name] = numerator / denominator if denominator else None
        elif isinstance(value, tuple):
            raise ValidationFailedError(f"metric '{name}' is a {spec.kind}: score it as one number")
        elif spec.kind == "proportion" and value not in (0.0, 1.0):
            raise ValidationFailedError(f"metric '{name}' is a proportion: per-case scores must be 0 or 1, got {value}")
        else:
            scores[name] = float(value)
    return scores, parts


def case_cost(price: PriceConfig, *, prompt_tokens: int | None, completion_tokens: int | None,
              llm_seconds: float) -> float | None:
    """USD for one case: API prices per 1k tokens, plus GPU-hours for self-hosted tiers; None
    (unknown) when the tier is priced per token and the tokens were not reported.

    The GPU share is the generation time of this case at the measured throughput, i.e. it
    assumes the GPU is kept busy (amortised); an idle reserved GPU costs more per request.
    """
    per_token = price.input_per_1k or price.output_per_1k
    if per_token and (prompt_tokens is None or completion_tokens is None):
        return None
    cost = (prompt_tokens or 0) / 1000 * price.input_per_1k + (completion_tokens or 0) / 1000 * price.output_per_1k
    if price.gpu_hour:
        cost += price.gpu_hour * llm_seconds / 3600
    return cost
