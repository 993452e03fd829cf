"""Per-case scores of the HR tasks against their gold values.

Why fairness is scored per pool: the seam aggregates per-case values (mean, proportion, ratio
of sums), so each pool reports its own impact ratio and counterfactual change, and the share of
pools below the four-fifths line. A corpus-level impact ratio (pooled selection rates) needs an
aggregate the seam does not have yet.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from rightsized.domains.base import Score
from rightsized.eval.metrics import ndcg, spearman

COUNTERFACTUAL_TOLERANCE = 0.01  # score is in [0, 1]
FOUR_FIFTHS = 0.8
YEARS_TOLERANCE = 0.1


def selection_rates(shortlisted: set[str], groups: Mapping[str, str]) -> dict[str, float]:
    members: dict[str, list[str]] = {}
    for resume, group in groups.items():
        members.setdefault(group, []).append(resume)
    return {g: sum(r in shortlisted for r in rs) / len(rs) for g, rs in sorted(members.items())}


def impact_ratio(rates: Mapping[str, float]) -> float | None:
    """Lowest over highest selection rate; None when no group was selected at all."""
    if len(rates) < 2 or max(rates.values()) == 0:
        return None
    return min(rates.values()) / max(rates.values())


def rank_scores(expected: Mapping[str, Any], outcome: Mapping[str, Any] | None) -> dict[str, Score]:
    if outcome is None:
        return {"ndcg_at_5": 0.0, "spearman": None, "shortlist_accuracy": 0.0, "counterfactual_pass": 0.0,
                "counterfactual_max_change": None, "impact_ratio": None, "impact_flagged": None, "rationale_valid": None}
    twins: dict[str, str] = dict(expected.get("twins") or {})
    relevance = {r: float(v) for r, v in expected["relevance"].items() if r not in twins}
    # Only resumes with a gold grade are ranked against it (a real pool has unlabelled ones).
    ranking = [r for r in outcome["ranking"] if r in relevance]
    scores: dict[str, float] = outcome["scores"]
    shortlisted = set(outcome["shortlisted"])
    changes = [abs(scores[t] - scores[o]) if t in scores and o in scores else 1.0 for t, o in twins.items()]
    ratio = impact_ratio(selection_rates(shortlisted, expected.get("groups") or {}))
    sources = outcome.get("rationale_sources") or []
    return {
        "ndcg_at_5": ndcg(ranking, relevance, k=5),
        "spearman": spearman([scores[r] for r in ranking], [relevance[r] for r in ranking]) if len(ranking) > 2 else None,
        "shortlist_accuracy": (sum((r in shortlisted) == (v >= 2) for r, v in relevance.items()) / len(relevance)
                               if expected.get("shortlist", True) else None),
        "counterfactual_pass": float(all(c <= COUNTERFACTUAL_TOLERANCE for c in changes)) if changes else None,
        "counterfactual_max_change": max(changes) if changes else None,
        "impact_ratio": ratio,
        "impact_flagged": None if ratio is None else float(ratio < FOUR_FIFTHS),
        "rationale_valid": float(all(s == "llm" for s in sources)) if sources else None,
    }


def _norm(value: Any) -> Any:
    if isinstance(value, str):
        return re.sub(r"[^a-z0-9]+", " ", value.lower()).strip()
    if isinstance(value, list):
        return sorted(_norm(v) for v in value)
    return value


def field_correct(name: str, expected: Any, got: Any) -> bool:
    if name == "years":
        got = got or {}
        return set(got) == set(expected) and all(abs(got[k] - v) <= YEARS_TOLERANCE + 1e-9 for k, v in expected.items())
    if name == "total_years":
        return got is not None and abs(got - expected) <= YEARS_TOLERANCE + 1e-9
    if name == "phone":
        return re.sub(r"\D", "", got or "") == re.sub(r"\D", "", expected or "")
    return _norm(got) == _norm(expected)


def parse_scores(expected: Mapping[str, Any], outcome: Mapping[str, Any] | None) -> dict[str, Score]:
    gold = expected["fields"]
    got = (outcome or {}).get("fields") or {}
    if outcome is None:
        return {"parse_field_accuracy": 0.0}
    return {"parse_field_accuracy": sum(field_correct(k, v, got.get(k)) for k, v in gold.items()) / len(gold)}
