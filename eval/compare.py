"""`rightsized compare RUN_A RUN_B`: per-metric deltas and whether each is outside the noise.

Why paired when possible: when both runs scored the same cases, resampling case indices
jointly cancels the per-case difficulty that both runs share, so smaller real differences are
detected; when the case sets differ the runs are resampled independently.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict, dataclass
from typing import Any

from eval.report import Run
from eval.stats import bootstrap_delta, paired_bootstrap_delta


@dataclass(frozen=True)
class MetricDelta:
    domain: str
    suite: str
    tier: str
    metric: str
    a: float | None
    b: float | None
    delta: float | None  # b - a
    low: float | None
    high: float | None
    significant: bool
    paired: bool
    n: int

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _values(run: Run) -> dict[tuple[str, str, str, str], dict[str, float]]:
    """(domain, suite, tier, metric) -> {case_id: value} for non-null values."""
    table: dict[tuple[str, str, str, str], dict[str, float]] = defaultdict(dict)
    for case in run.cases:
        for metric, value in (case.get("scores") or {}).items():
            if value is not None:
                table[(case["domain"], case["suite"], case["tier"], metric)][case["case_id"]] = float(value)
        table[(case["domain"], case["suite"], case["tier"], "latency_s")][case["case_id"]] = float(case["latency_s"])
    return table


def compare_runs(run_a: Run, run_b: Run, *, seed: int = 0) -> list[MetricDelta]:
    a_values, b_values = _values(run_a), _values(run_b)
    deltas = []
    for key in sorted(set(a_values) & set(b_values)):
        a, b = a_values[key], b_values[key]
        shared = sorted(set(a) & set(b))
        paired = len(shared) == len(a) == len(b)
        if paired:
            # eval.stats computes mean(first) - mean(second): pass B first for delta = B - A.
            result = paired_bootstrap_delta([b[c] for c in shared], [a[c] for c in shared], seed=seed)
        else:
            result = bootstrap_delta(list(b.values()), list(a.values()), seed=seed)
        deltas.append(MetricDelta(
            *key, a=sum(a.values()) / len(a), b=sum(b.values()) / len(b), delta=result.delta,
            low=result.low, high=result.high, significant=result.significant, paired=paired,
            n=len(shared) if paired else min(len(a), len(b)),
        ))
    return deltas
