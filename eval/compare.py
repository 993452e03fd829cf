"""`rightsized compare RUN_A RUN_B`: per-metric deltas, whether each is outside the noise, and
whether B is better or worse in the metric's own direction.

Why paired when possible: when both runs scored the same cases, the per-case difficulty both
runs share cancels (and 0/1 metrics get McNemar's exact test on the cases that flipped), so
smaller real differences are detected; when the case sets differ the runs are compared
unpaired. Each metric is compared as its kind says (eval.stats.compare_delta), so a ratio
metric is compared as a ratio of sums, never as a mean of per-case ratios.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict, dataclass
from typing import Any

from rightsized.domains.base import MetricSpec
from rightsized.eval.report import Run, Sample, aggregate_samples, case_samples
from rightsized.eval.stats import DeltaResult, compare_delta

# Latency is compared like a metric: a mean per case, lower is better.
_LATENCY = MetricSpec("latency_s", kind="mean", higher_is_better=False)
Key = tuple[str, str, str, str]  # (domain, suite, tier, metric)


@dataclass(frozen=True)
class MetricDelta:
    """B - A for one metric of one (domain, suite, tier), read in the metric's direction.

    `verdict` is B against A: "better", "worse" or "no clear difference" (not significant).
    `p_value` is set when the method is an exact test (McNemar for paired proportions).
    """

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
    kind: str
    higher_is_better: bool
    verdict: str
    p_value: float | None
    method: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _groups(run: Run) -> dict[tuple[str, str, str], list[dict[str, Any]]]:
    groups: dict[tuple[str, str, str], list[dict[str, Any]]] = defaultdict(list)
    for case in run.cases:
        groups[(case["domain"], case["suite"], case["tier"])].append(case)
    return groups


Specs = dict[str, dict[str, MetricSpec]]  # domain -> metric -> spec


def _specs(run: Run) -> Specs:
    return {domain: run.metric_specs(domain) for domain in {c["domain"] for c in run.cases}}


def _stored(run: Run, domain: str, name: str) -> bool:
    return any(s.get("name") == name for s in run.meta.get("metric_specs", {}).get(domain, []))


def _spec(runs: tuple[Run, Run], specs: tuple[Specs, Specs], domain: str, name: str) -> MetricSpec:
    """Both sides must be read with one spec: a stored one (A's first), else the inferred one
    when both runs infer the same kind, else a plain mean (the kind every value fits)."""
    for run, found in zip(runs, specs):
        if _stored(run, domain, name):
            return found[domain][name]
    a, b = specs[0][domain][name], specs[1][domain][name]
    return a if a.kind == b.kind else MetricSpec(name)


def _metric_names(cases: list[dict[str, Any]]) -> set[str]:
    return {name for case in cases for name in (case.get("scores") or {})}


def _verdict(result: DeltaResult, higher_is_better: bool) -> str:
    """B vs A from delta = B - A: a significant rise is better only when higher is better."""
    if not result.significant or not result.delta:
        return "no clear difference"
    return "better" if (result.delta > 0) == higher_is_better else "worse"


def _delta(spec: MetricSpec, a: dict[str, Sample], b: dict[str, Sample], seed: int) -> tuple[DeltaResult, bool, int]:
    """(B - A, paired?, n): paired on identical case sets, else each side as a whole."""
    if set(a) == set(b):
        shared = sorted(a)
        result = compare_delta(spec.kind, [b[c] for c in shared], [a[c] for c in shared], paired=True,
                               reduce=spec.reduce, seed=seed)
        return result, True, len(shared)
    result = compare_delta(spec.kind, list(b.values()), list(a.values()), paired=False, reduce=spec.reduce, seed=seed)
    return result, False, min(len(a), len(b))


def _metric_delta(key: Key, spec: MetricSpec, a: dict[str, Sample], b: dict[str, Sample], seed: int) -> MetricDelta:
    result, paired, n = _delta(spec, a, b, seed)
    return MetricDelta(
        *key, a=aggregate_samples(spec, list(a.values()))[0], b=aggregate_samples(spec, list(b.values()))[0],
        delta=result.delta, low=result.low, high=result.high, significant=result.significant, paired=paired, n=n,
        kind=spec.kind, higher_is_better=spec.higher_is_better, verdict=_verdict(result, spec.higher_is_better),
        p_value=result.p_value, method=result.method,
    )


def compare_runs(run_a: Run, run_b: Run, *, seed: int = 0) -> list[MetricDelta]:
    """One MetricDelta per (domain, suite, tier, metric) that both runs measured, plus latency."""
    groups_a, groups_b = _groups(run_a), _groups(run_b)
    specs = (_specs(run_a), _specs(run_b))
    deltas = []
    for group in sorted(set(groups_a) & set(groups_b)):
        cases_a, cases_b = groups_a[group], groups_b[group]
        for name in sorted(_metric_names(cases_a) & _metric_names(cases_b)):
            spec = _spec((run_a, run_b), specs, group[0], name)
            a, b = case_samples(spec, cases_a), case_samples(spec, cases_b)
            if a and b:
                deltas.append(_metric_delta((*group, name), spec, a, b, seed))
        latency_a = {str(c["case_id"]): float(c["latency_s"]) for c in cases_a}
        latency_b = {str(c["case_id"]): float(c["latency_s"]) for c in cases_b}
        deltas.append(_metric_delta((*group, _LATENCY.name), _LATENCY, latency_a, latency_b, seed))
    return sorted(deltas, key=lambda d: (d.domain, d.suite, d.tier, d.metric))
