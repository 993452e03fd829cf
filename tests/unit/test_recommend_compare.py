"""The recommendation checklist and run comparison on crafted runs with known numbers."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from rightsized.eval.compare import compare_runs
from rightsized.eval.recommend import recommend, scale_rule
from rightsized.eval.report import load_run
from rightsized.pipelines.config import load_settings

# tier -> (decision accuracy per case, latency s, cost per case USD)
TIERS = {"baseline": ([1, 0, 1, 0, 1], 0.05, 0.0), "small": ([1, 1, 1, 1, 0], 0.5, 0.0001),
         "mid": ([1, 1, 1, 1, 1], 0.8, 0.001), "large": ([1, 1, 1, 1, 1], 1.2, 0.01)}


def write_run(root: Path, tiers: dict[str, tuple[list[int], float, float]] = TIERS,
              unavailable: dict[str, str] | None = None) -> Path:
    root.mkdir(parents=True)
    meta = {"run_id": root.name, "created": "2026-11-28T00:00:00", "suite": "synthetic", "domains": ["bfsi_kyc"],
            "tiers": list(tiers), "unavailable": unavailable or {}, "primary_metric": {"bfsi_kyc": "decision_accuracy"}}
    (root / "run.json").write_text(json.dumps(meta))
    cases: list[dict[str, Any]] = []
    for tier, (scores, latency, cost) in tiers.items():
        for i, score in enumerate(scores):
            cases.append({"domain": "bfsi_kyc", "suite": "synthetic", "tier": tier, "case_id": f"c{i}", "tags": [],
                          "input": {}, "expected": {}, "outcome": {}, "scores": {"decision_accuracy": float(score)},
                          "latency_s": latency, "prompt_tokens": 0, "completion_tokens": 0, "cost_usd": cost,
                          "warnings": [], "error": None})
    (root / "cases.jsonl").write_text("".join(json.dumps(c) + "\n" for c in cases))
    return root


@pytest.fixture
def run(tmp_path: Path):  # noqa: ANN201
    return load_run(write_run(tmp_path / "run"))


def test_scale_rule_boundaries() -> None:
    assert [scale_rule(n) for n in (4_999, 5_000, 500_000, 500_001)] == ["small", "mid", "mid", "large"]


def test_cost_constraint_picks_the_cheapest_tier_meeting_the_bar(run) -> None:  # noqa: ANN001
    rec = recommend(load_settings(), run, domain="bfsi_kyc", requests_per_day=100_000, constraint="cost",
                    deployment="single-gpu", min_quality=0.8)
    assert rec.choice == "small"
    small = next(c for c in rec.candidates if c.tier == "small")
    assert small.monthly_cost_usd == pytest.approx(0.0001 * 100_000 * 30)
    assert next(c for c in rec.candidates if c.tier == "baseline").why_not.startswith("quality 0.6")
    assert not next(c for c in rec.candidates if c.tier == "large").eligible  # external: not on a GPU box
    assert any("contradict the rule of thumb" in line and "'mid'" in line for line in rec.explanation)


def test_compliance_excludes_external_and_accuracy_takes_the_best(run) -> None:  # noqa: ANN001
    settings = load_settings()
    compliance = recommend(settings, run, domain="bfsi_kyc", requests_per_day=1_000_000, constraint="compliance",
                           deployment="cloud", min_quality=0.9)
    assert compliance.choice == "mid"
    assert "external" in next(c for c in compliance.candidates if c.tier == "large").why_not
    accuracy = recommend(settings, run, domain="bfsi_kyc", requests_per_day=1_000_000, constraint="accuracy",
                         deployment="cloud", min_quality=0.9)
    assert accuracy.choice == "mid"  # ties with large on quality; cheaper wins
    latency = recommend(settings, run, domain="bfsi_kyc", requests_per_day=1_000, constraint="latency",
                        deployment="cloud", min_quality=0.5)
    assert latency.choice == "baseline"


def test_edge_keeps_local_tiers_and_no_eligible_tier_is_said(run) -> None:  # noqa: ANN001
    edge = recommend(load_settings(), run, domain="bfsi_kyc", requests_per_day=1_000, constraint="accuracy",
                     deployment="edge", min_quality=0.7)
    assert edge.choice == "small"
    assert "does not run on edge" in next(c for c in edge.candidates if c.tier == "mid").why_not
    none = recommend(load_settings(), run, domain="bfsi_kyc", requests_per_day=1_000, constraint="cost",
                     deployment="edge", min_quality=0.99)
    assert none.choice is None and any("No measured tier meets" in line for line in none.explanation)


def test_compare_same_run_is_noise_and_a_real_drop_is_significant(tmp_path: Path) -> None:
    a = load_run(write_run(tmp_path / "a"))
    same = compare_runs(a, load_run(write_run(tmp_path / "b")))
    assert all(d.delta == 0 and not d.significant and d.paired for d in same)
    worse = dict(TIERS, mid=([0, 0, 0, 0, 1], 0.8, 0.001))
    deltas = {(d.tier, d.metric): d for d in compare_runs(a, load_run(write_run(tmp_path / "c", worse)))}
    drop = deltas[("mid", "decision_accuracy")]
    assert drop.delta == pytest.approx(-0.8) and drop.significant and drop.high < 0
    assert not deltas[("small", "decision_accuracy")].significant
