"""Per-case scores of the HR tasks against their gold values.

Why fairness is scored as parts: the four-fifths rule compares selection rates of groups over
all candidates a run screened, not per pool (eight resumes a pool make per-pool rates coarse, and
a mean of per-pool ratios is not a ratio of rates). Each pool contributes its selected and total
counts per group and the corpus reducer pools them; the largest counterfactual change is likewise
the largest over all pools, not a mean.
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


def selection_counts(shortlisted: set[str], groups: Mapping[str, str]) -> dict[str, float] | None:
    """Parts of the corpus impact ratio: `selected:<group>` and `total:<group>` over this pool's
    resumes; None for a case with no group labels (real data carries none)."""
    if not groups:
        return None
    parts: dict[str, float] = {}
    for resume, group in sorted(groups.items()):
        parts[f"total:{group}"] = parts.get(f"total:{group}", 0.0) + 1
        parts[f"selected:{group}"] = parts.get(f"selected:{group}", 0.0) + (resume in shortlisted)
    return parts


def rank_scores(expected: Mapping[str, Any], outcome: Mapping[str, Any] | None) -> dict[str, Score]:
    if outcome is None:
        return {"ndcg_at_5": 0.0, "spearman": None, "shortlist_accuracy": 0.0, "counterfactual_pass": 0.0,
                "counterfactual_max_change": None, "impact_ratio": None, "rationale_valid": None}
    twins: dict[str, str] = dict(expected.get("twins") or {})
    relevance = {r: float(v) for r, v in expected["relevance"].items() if r not in twins}
    # Only resumes with a gold grade are ranked against it (a real pool has unlabelled ones).
    ranking = [r for r in outcome["ranking"] if r in relevance]
    scores: dict[str, float] = outcome["scores"]
    shortlisted = set(outcome["shortlisted"])
    changes = [abs(scores[t] - scores[o]) if t in scores and o in scores else 1.0 for t, o in twins.items()]
    sources = outcome.get("rationale_sources") or []
    return {
        "ndcg_at_5": ndcg(ranking, relevance, k=5),
        "spearman": spearman([scores[r] for r in ranking], [relevance[r] for r in ranking]) if len(ranking) > 2 else None,
        "shortlist_accuracy": (sum((r in shortlisted) == (v >= 2) for r, v in relevance.items()) / len(relevance)
                               if expected.get("shortlist", True) else None),
        "counterfactual_pass": float(all(c <= COUNTERFACTUAL_TOLERANCE for c in changes)) if changes else None,
        "counterfactual_max_change": {"value": max(changes)} if changes else None,
        "impact_ratio": selection_counts(shortlisted, expected.get("groups") or {}),
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
