"""`rightsized recommend`: the decision checklist applied to measured numbers.

Why both a rule of thumb and measurements: the checklist (scale -> model size, deployment ->
what fits, constraint -> what to optimise) is how teams reason before they measure; the run
says whether a smaller, cheaper tier already meets the quality bar. When the two disagree the
recommendation says so, with the numbers.
"""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from rightsized.pipelines.config import Settings, TierConfig
from rightsized.pipelines.errors import RightsizedError

from rightsized.eval.report import Run, TierMetrics, direction, summarise_run

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
    """One measured tier; `cost_per_case_usd` and `monthly_cost_usd` are None when unknown."""

    tier: str
    quality: float | None
    quality_ci: tuple[float | None, float | None]
    latency_p50_s: float | None
    cost_per_case_usd: float | None
    monthly_cost_usd: float | None
    external: bool
    eligible: bool
    why_not: str = ""


@dataclass
class Recommendation:
    """`min_quality` is the bar on `metric` in its direction: a minimum when higher is better,
    a maximum when lower is better."""

    domain: str
    metric: str
    higher_is_better: bool
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


@dataclass(frozen=True)
class _Bar:
    """The quality bar read in the metric's direction, so no caller compares the wrong way."""

    value: float
    higher_is_better: bool

    def met(self, quality: float) -> bool:
        return quality >= self.value if self.higher_is_better else quality <= self.value

    @property
    def op(self) -> str:
        return ">=" if self.higher_is_better else "<="

    def best_first(self, quality: float) -> float:
        """A sort key: smaller is better in either direction."""
        return -quality if self.higher_is_better else quality


def _why_not(config: TierConfig, quality: float | None, cost: float | None, bar: _Bar, deployment: str,
             constraint: str) -> str:
    if config.generator.backend not in DEPLOYMENT_BACKENDS[deployment] or (deployment != "cloud" and config.external):
        return f"does not run on {deployment}"
    if constraint == "compliance" and config.external:
        return "sends text to an external API"
    if quality is None or not bar.met(quality):
        miss = "<" if bar.higher_is_better else ">"
        return f"quality {quality if quality is None else round(quality, 3)} {miss} {bar.value}"
    if constraint == "cost" and cost is None:
        return "cost unknown"
    return ""


def _candidates(settings: Settings, tiers: list[TierMetrics], metric: str, requests_per_day: int,
                deployment: str, constraint: str, bar: _Bar) -> list[Candidate]:
    out = []
    for t in tiers:
        if t.tier not in settings.tiers:
            continue
        config = settings.tier(t.tier)
        summary = t.metrics.get(metric)
        quality = summary.mean if summary else None
        cost = t.cost_per_case_usd
        why = _why_not(config, quality, cost, bar, deployment, constraint)
        out.append(Candidate(
            tier=t.tier, quality=quality, quality_ci=(summary.low, summary.high) if summary else (None, None),
            latency_p50_s=t.latency_p50_s, cost_per_case_usd=cost,
            monthly_cost_usd=None if cost is None else cost * requests_per_day * DAYS_PER_MONTH,
            external=config.external, eligible=not why, why_not=why,
        ))
    return out


def _pick(eligible: list[Candidate], constraint: str, order: list[str], bar: _Bar) -> Candidate:
    rank = {name: i for i, name in enumerate(order)}

    def cost(c: Candidate) -> float:  # an unknown cost never wins a tie on cost
        return math.inf if c.cost_per_case_usd is None else c.cost_per_case_usd

    if constraint == "cost":
        return min(eligible, key=lambda c: (cost(c), rank[c.tier]))
    if constraint == "latency":
        return min(eligible, key=lambda c: (c.latency_p50_s or 0.0, rank[c.tier]))
    if constraint == "speed":  # speed to market: least to operate -> hosted API, else simplest
        return min(eligible, key=lambda c: (not c.external, rank[c.tier]))
    # accuracy and compliance: best measured quality in the metric's direction, then the cheaper tier
    return min(eligible, key=lambda c: (bar.best_first(c.quality or 0.0), cost(c), rank[c.tier]))


def _no_cases(run: Run, domain: str, suite: str) -> RightsizedError:
    """Say why the run cannot answer: the domain failed to load, the run failed, or no such cases."""
    why = [f"run {run.path} has no {suite} cases for domain '{domain}'"]
    if reason := run.meta.get("failed_domains", {}).get(domain):
        why.append(f"the domain could not be loaded: {reason}")
    if run.status != "finished":
        why.append(f"the run's status is {run.status}" + (f": {run.meta['error']}" if run.meta.get("error") else ""))
    return RightsizedError("; ".join(why) + "; re-run `rightsized eval` or pick another run with --run")


def _usd(value: float | None, digits: str) -> str:
    return "an unknown cost" if value is None else f"${value:{digits}}"


def recommend(settings: Settings, run: Run, *, domain: str, requests_per_day: int, constraint: str,
              deployment: str, min_quality: float | None = None, suite: str = "synthetic") -> Recommendation:
    """Apply the checklist to the run's numbers for one domain and suite.

    `min_quality` is a bar on the domain's primary metric in its direction (a maximum for a
    lower-is-better metric); by default the best measured value. Raises RightsizedError when
    the run has no cases for the domain and suite.
    """
    metric = run.primary(domain)
    tiers = [t for t in summarise_run(run) if t.domain == domain and t.suite == suite]
    if metric is None or not tiers:
        raise _no_cases(run, domain, suite)
    spec = run.metric_specs(domain).get(metric)
    higher = spec.higher_is_better if spec else True
    measured = [t.metrics[metric].mean for t in tiers if metric in t.metrics and t.metrics[metric].mean is not None]
    best = (max if higher else min)(measured, default=0.0)
    bar = _Bar(best if min_quality is None else min_quality, higher)
    order = list(settings.tiers)
    candidates = _candidates(settings, tiers, metric, requests_per_day, deployment, constraint, bar)
    rule = scale_rule(requests_per_day)
    rec = Recommendation(domain, metric, higher, requests_per_day, constraint, deployment, bar.value, rule, None,
                         candidates=candidates)
    rec.explanation.append(
        f"Checklist: {requests_per_day:,} requests/day suggests the '{rule}' tier; {deployment} fits "
        f"{DEPLOYMENT_SIZES[deployment]} models; constraint: {constraint}.")
    unavailable = run.meta.get("unavailable", {})
    for tier, reason in unavailable.items():
        rec.explanation.append(f"'{tier}' was not measured in this run ({reason}).")
    eligible = [c for c in candidates if c.eligible]
    if not eligible:
        rec.explanation.append(f"No measured tier meets {metric} {bar.op} {bar.value:.3f} under these constraints; "
                               "measure a bigger tier or relax the bar.")
        return rec
    chosen = _pick(eligible, constraint, order, bar)
    rec.choice = chosen.tier
    monthly = "" if chosen.monthly_cost_usd is None else \
        f", about ${chosen.monthly_cost_usd:,.2f} per month at {requests_per_day:,}/day"
    rec.explanation.append(
        f"Choose '{chosen.tier}': {metric} {chosen.quality:.3f} ({direction(higher)}; 95% CI {_ci(chosen)}), "
        f"p50 latency {(chosen.latency_p50_s or 0) * 1000:.0f} ms, {_usd(chosen.cost_per_case_usd, '.6f')} "
        f"per request{monthly}.")
    if chosen.latency_p50_s:
        streams = requests_per_day / 86_400 * chosen.latency_p50_s
        rec.explanation.append(f"At that volume a single stream is busy {streams:.2f} of the time "
                               f"(requests/s x p50 latency); plan replicas above ~0.7.")
    smaller_than_rule = rule in order and order.index(chosen.tier) < order.index(rule)
    if smaller_than_rule:
        rec.explanation.append(
            f"Measurements contradict the rule of thumb: '{chosen.tier}' already meets {metric} {bar.op} "
            f"{bar.value:.3f}, so the '{rule}' tier the scale rule suggests is not needed for quality.")
    elif rule in order and rule not in {c.tier for c in eligible}:
        rec.explanation.append(f"The rule-of-thumb tier '{rule}' was not eligible or not measured here.")
    return rec


def _ci(candidate: Candidate) -> str:
    low, high = candidate.quality_ci
    return "n/a" if low is None or high is None else f"{low:.3f}-{high:.3f}"
