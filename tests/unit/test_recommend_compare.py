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
from rightsized.pipelines.errors import RightsizedError

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


def test_compare_same_run_is_noise(tmp_path: Path) -> None:
    same = compare_runs(load_run(write_run(tmp_path / "a")), load_run(write_run(tmp_path / "b")))
    assert same and all(d.delta == 0 and not d.significant and d.paired for d in same)
    assert all(d.verdict == "no clear difference" for d in same)


def test_compare_16_paired_cases_with_4_flips_is_within_the_noise(tmp_path: Path) -> None:
    a = load_run(write_run(tmp_path / "a", {"mid": ([1] * 16, 0.8, 0.001)}))
    b = load_run(write_run(tmp_path / "b", {"mid": ([0] * 4 + [1] * 12, 0.8, 0.001)}))
    drop = next(d for d in compare_runs(a, b) if d.metric == "decision_accuracy")
    assert (drop.a, drop.b, drop.delta, drop.n, drop.paired) == (1.0, 0.75, pytest.approx(-0.25), 16, True)
    assert drop.kind == "proportion" and "McNemar" in drop.method
    assert drop.p_value == pytest.approx(2 * 0.5 ** 4)  # exact two-sided: 4 discordant pairs, all one way
    assert not drop.significant and drop.verdict == "no clear difference"
    many = load_run(write_run(tmp_path / "c", {"mid": ([0] * 12 + [1] * 4, 0.8, 0.001)}))
    big = next(d for d in compare_runs(a, many) if d.metric == "decision_accuracy")
    assert big.significant and big.verdict == "worse" and big.p_value == pytest.approx(2 * 0.5 ** 12)


def test_compare_reads_a_lower_is_better_metric_in_its_direction(tmp_path: Path) -> None:
    base = [0.5, 0.6, 0.55, 0.7, 0.65, 0.4, 0.45, 0.5]
    a = load_run(write_lower_run(tmp_path / "a", {"mid": (base, 0.001)}))
    b = load_run(write_lower_run(tmp_path / "b", {"mid": ([v - 0.3 for v in base], 0.001)}))
    deltas = {d.metric: d for d in compare_runs(a, b)}
    mase = deltas["mase"]
    assert mase.delta == pytest.approx(-0.3) and mase.significant and not mase.higher_is_better
    assert mase.verdict == "better" and mase.method == "paired bootstrap"
    assert deltas["latency_s"].verdict == "no clear difference" and not deltas["latency_s"].higher_is_better


def test_compare_a_ratio_metric_as_a_ratio_of_sums(tmp_path: Path) -> None:
    def ratio_run(root: Path, parts: list[tuple[int, int]]) -> Path:
        cases = [{**_lower_case("mid", i, 0.0, 0.0), "scores": {"wape": n / d}, "parts": {"wape": [n, d]}}
                 for i, (n, d) in enumerate(parts)]
        specs = [{"name": "wape", "task": "forecast", "kind": "ratio", "higher_is_better": False, "primary": True,
                  "description": ""}]
        return _write(root, ["mid"], cases, metric_specs=specs, primary="wape")

    a = load_run(ratio_run(tmp_path / "a", [(1, 10), (9, 10)]))
    b = load_run(ratio_run(tmp_path / "b", [(1, 2), (1, 18)]))
    wape = next(d for d in compare_runs(a, b) if d.metric == "wape")
    # A: 10 / 20 = 0.5; B: 2 / 20 = 0.1 (the mean of B's case ratios would be 0.278).
    assert (wape.a, wape.b, wape.kind) == (pytest.approx(0.5), pytest.approx(0.1), "ratio")
    assert wape.delta == pytest.approx(-0.4) and wape.paired


# ---- a lower-is-better primary metric ---------------------------------------------------------

# tier -> (MASE per case: lower is better, cost per case USD or None = unknown)
LOWER = {"baseline": ([0.5, 0.6, 0.4, 0.5], 0.0), "small": ([0.2, 0.25, 0.15, 0.2], 0.0001),
         "mid": ([0.1, 0.12, 0.08, 0.1], 0.001)}


def _lower_case(tier: str, i: int, value: float, cost: float | None) -> dict[str, Any]:
    return {"domain": "forecast", "suite": "synthetic", "tier": tier, "case_id": f"s{i}", "task": "forecast",
            "tags": [], "input": {}, "expected": {}, "outcome": {}, "scores": {"mase": value},
            "latency_s": 0.1 * (i + 1), "prompt_tokens": None, "completion_tokens": None, "cost_usd": cost,
            "warnings": [], "error": None, "error_type": None, "ingest_errors": []}


def _write(root: Path, tiers: list[str], cases: list[dict[str, Any]], *, metric_specs: list[dict[str, Any]],
           primary: str) -> Path:
    root.mkdir(parents=True)
    meta = {"run_id": root.name, "created": "2026-11-28T00:00:00", "suite": "synthetic", "domains": ["forecast"],
            "tiers": tiers, "unavailable": {}, "primary_metric": {"forecast": primary}, "status": "finished",
            "metric_specs": {"forecast": metric_specs}, "failed_domains": {}, "skipped_suites": {}}
    (root / "run.json").write_text(json.dumps(meta))
    (root / "cases.jsonl").write_text("".join(json.dumps(c) + "\n" for c in cases))
    return root


def write_lower_run(root: Path, tiers: dict[str, tuple[list[float], float | None]] = LOWER) -> Path:
    specs = [{"name": "mase", "task": "forecast", "kind": "mean", "higher_is_better": False, "primary": True,
              "description": "mean absolute scaled error"}]
    cases = [_lower_case(tier, i, v, cost) for tier, (values, cost) in tiers.items() for i, v in enumerate(values)]
    return _write(root, list(tiers), cases, metric_specs=specs, primary="mase")


def test_recommend_ranks_a_lower_is_better_metric_smallest_first(tmp_path: Path) -> None:
    run = load_run(write_lower_run(tmp_path / "run"))
    settings = load_settings()
    best = recommend(settings, run, domain="forecast", requests_per_day=1_000, constraint="accuracy",
                     deployment="cloud")
    assert best.choice == "mid" and best.min_quality == pytest.approx(0.1) and not best.higher_is_better
    # The bar is a maximum: baseline (0.5) misses it; small (0.2) is the cheapest under it.
    cheap = recommend(settings, run, domain="forecast", requests_per_day=1_000, constraint="cost",
                      deployment="cloud", min_quality=0.3)
    assert cheap.choice == "small"
    assert next(c for c in cheap.candidates if c.tier == "baseline").why_not == "quality 0.5 > 0.3"
    none = recommend(settings, run, domain="forecast", requests_per_day=1_000, constraint="cost",
                     deployment="cloud", min_quality=0.05)
    assert none.choice is None and any("No measured tier meets mase <= 0.050" in line for line in none.explanation)


def test_unknown_cost_is_never_chosen_on_cost_and_shows_as_unknown(tmp_path: Path) -> None:
    run = load_run(write_lower_run(tmp_path / "run", dict(LOWER, small=(LOWER["small"][0], None))))
    rec = recommend(load_settings(), run, domain="forecast", requests_per_day=1_000, constraint="cost",
                    deployment="cloud", min_quality=0.3)
    small = next(c for c in rec.candidates if c.tier == "small")
    assert (small.eligible, small.why_not, small.cost_per_case_usd, small.monthly_cost_usd) == \
        (False, "cost unknown", None, None)
    assert rec.choice == "mid"
    accuracy = recommend(load_settings(), run, domain="forecast", requests_per_day=1_000, constraint="accuracy",
                         deployment="cloud", min_quality=0.3)
    assert next(c for c in accuracy.candidates if c.tier == "small").eligible  # unknown cost only matters for cost


def test_recommend_on_a_run_without_cases_for_the_domain_says_why(tmp_path: Path) -> None:
    run_dir = write_lower_run(tmp_path / "run")
    meta = json.loads((run_dir / "run.json").read_text())
    (run_dir / "run.json").write_text(json.dumps({**meta, "status": "failed", "error": "RuntimeError: boom"}))
    (run_dir / "cases.jsonl").write_text("")
    with pytest.raises(RightsizedError, match=r"no synthetic cases for domain 'forecast'.*status is failed: "
                                              r"RuntimeError: boom"):
        recommend(load_settings(), load_run(run_dir), domain="forecast", requests_per_day=1_000,
                  constraint="cost", deployment="cloud")
