"""`rightsized recommend`: the decision checklist applied to measured numbers.

Why both a rule of thumb and measurements: the checklist (scale -> model size, deployment ->
what fits, constraint -> what to optimise) is how teams reason before they measure; the run
says whether a smaller, cheaper tier already meets the quality bar. When the two disagree the
recommendation says so, with the numbers.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from rightsized.pipelines.config import Settings
from rightsized.pipelines.errors import RightsizedError

from rightsized.eval.report import Run, TierMetrics, summarise_run

Constraint = Literal["cost", "latency", "accuracy", "compliance", "speed"]
Deployment = Literal["edge", "single-gpu", "multi-gpu", "cloud"]
DAYS_PER_MONTH = 30
# Model sizes that fit each deployment (the checklist's second question).
DEPLOYMENT_SIZES = {"edge": "1B-7B", "single-gpu": "7B-13B", "multi-gpu": "30B-70B", "cloud": "any size"}
# Which generator backends can run where: edge = on the device; GPUs = self-hosted; cloud = anything.
DEPLOYMENT_BACKENDS = {
    "edge": {"extractive", "llamacpp", "transformers"},
    "single-gpu": {"extractive", "llamacpp", "transformers", "openai_compatible"},
    "multi-gpu": {"extractive", "llamacpp", "transformers", "openai_compatible"},
    "cloud": {"extractive", "llamacpp", "transformers", "openai_compatible"},
}


def scale_rule(requests_per_day: int) -> str:
    """The checklist's first question: < 5k/day small, 5k-500k mid, > 500k large or managed API."""
    if requests_per_day < 5_000:
        return "small"
    if requests_per_day <= 500_000:
        return "mid"
    return "large"


@dataclass
class Candidate:
    tier: str
    quality: float | None
    quality_ci: tuple[float | None, float | None]
    latency_p50_s: float | None
    cost_per_case_usd: float
    monthly_cost_usd: float
    external: bool
    eligible: bool
    why_not: str = ""


@dataclass
class Recommendation:
    domain: str
    metric: str
    requests_per_day: int
    constraint: str
    deployment: str
    min_quality: float
    rule_of_thumb: str
    choice: str | None
    explanation: list[str] = field(default_factory=list)
    candidates: list[Candidate] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _candidates(settings: Settings, tiers: list[TierMetrics], metric: str, requests_per_day: int,
                deployment: str, constraint: str, min_quality: float) -> list[Candidate]:
    out = []
    for t in tiers:
        if t.tier not in settings.tiers:
            continue
        config = settings.tier(t.tier)
        summary = t.metrics.get(metric)
        quality = summary.mean if summary else None
        cost = t.cost_per_case_usd or 0.0
        why = ""
        if config.generator.backend not in DEPLOYMENT_BACKENDS[deployment] or (deployment != "cloud" and config.external):
            why = f"does not run on {deployment}"
        elif constraint == "compliance" and config.external:
            why = "sends text to an external API"
        elif quality is None or quality < min_quality:
            why = f"quality {quality if quality is None else round(quality, 3)} < {min_quality}"
        out.append(Candidate(
            tier=t.tier, quality=quality, quality_ci=(summary.low, summary.high) if summary else (None, None),
            latency_p50_s=t.latency_p50_s, cost_per_case_usd=cost,
            monthly_cost_usd=cost * requests_per_day * DAYS_PER_MONTH, external=config.external,
            eligible=not why, why_not=why,
        ))
    return out


def _pick(eligible: list[Candidate], constraint: str, order: list[str]) -> Candidate:
    rank = {name: i for i, name in enumerate(order)}
    if constraint == "cost":
        return min(eligible, key=lambda c: (c.cost_per_case_usd, rank[c.tier]))
    if constraint == "latency":
        return min(eligible, key=lambda c: (c.latency_p50_s or 0.0, rank[c.tier]))
    if constraint == "speed":  # speed to market: least to operate -> hosted API, else simplest
        return min(eligible, key=lambda c: (not c.external, rank[c.tier]))
    # accuracy and compliance: best measured quality, then the cheaper tier
    return max(eligible, key=lambda c: (c.quality or 0.0, -c.cost_per_case_usd, -rank[c.tier]))


def recommend(settings: Settings, run: Run, *, domain: str, requests_per_day: int, constraint: str,
              deployment: str, min_quality: float | None = None, suite: str = "synthetic") -> Recommendation:
    metric = run.meta.get("primary_metric", {}).get(domain)
    tiers = [t for t in summarise_run(run) if t.domain == domain and t.suite == suite]
    if metric is None or not tiers:
        raise RightsizedError(f"run {run.path} has no measurements for domain '{domain}' ({suite} suite)")
    measured = [t for t in tiers if t.metrics.get(metric) and t.metrics[metric].mean is not None]
    best = max((t.metrics[metric].mean or 0.0) for t in measured) if measured else 0.0
    bar = best if min_quality is None else min_quality
    order = list(settings.tiers)
    candidates = _candidates(settings, tiers, metric, requests_per_day, deployment, constraint, bar)
    rule = scale_rule(requests_per_day)
    rec = Recommendation(domain, metric, requests_per_day, constraint, deployment, bar, rule, None,
                         candidates=candidates)
    rec.explanation.append(
        f"Checklist: {requests_per_day:,} requests/day suggests the '{rule}' tier; {deployment} fits "
        f"{DEPLOYMENT_SIZES[deployment]} models; constraint: {constraint}.")
    unavailable = run.meta.get("unavailable", {})
    for tier, reason in unavailable.items():
        rec.explanation.append(f"'{tier}' was not measured in this run ({reason}).")
    eligible = [c for c in candidates if c.eligible]
    if not eligible:
        rec.explanation.append(f"No measured tier meets {metric} >= {bar:.3f} under these constraints; "
                               "measure a bigger tier or relax the bar.")
        return rec
    chosen = _pick(eligible, constraint, order)
    rec.choice = chosen.tier
    rec.explanation.append(
        f"Choose '{chosen.tier}': {metric} {chosen.quality:.3f} (95% CI {_ci(chosen)}), p50 latency "
        f"{(chosen.latency_p50_s or 0) * 1000:.0f} ms, ${chosen.cost_per_case_usd:.6f} per request, "
        f"about ${chosen.monthly_cost_usd:,.2f} per month at {requests_per_day:,}/day.")
    if chosen.latency_p50_s:
        streams = requests_per_day / 86_400 * chosen.latency_p50_s
        rec.explanation.append(f"At that volume a single stream is busy {streams:.2f} of the time "
                               f"(requests/s x p50 latency); plan replicas above ~0.7.")
    smaller_than_rule = rule in order and order.index(chosen.tier) < order.index(rule)
    if smaller_than_rule:
        rec.explanation.append(
            f"Measurements contradict the rule of thumb: '{chosen.tier}' already meets {metric} >= {bar:.3f}, "
            f"so the '{rule}' tier the scale rule suggests is not needed for quality.")
    elif rule in order and rule not in {c.tier for c in eligible}:
        rec.explanation.append(f"The rule-of-thumb tier '{rule}' was not eligible or not measured here.")
    return rec


def _ci(candidate: Candidate) -> str:
    low, high = candidate.quality_ci
    return "n/a" if low is None or high is None else f"{low:.3f}-{high:.3f}"
