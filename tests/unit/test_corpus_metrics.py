"""Corpus metrics (a metric of all cases together): reducers checked against scikit-learn and
hand-worked values, their bootstrap intervals, how a task declares and scores one, and how the
report and `compare` read them back from a run directory.

Why these tests exist: before the "corpus" kind, an impact ratio could only be reported as the
mean of per-pool ratios and a macro-F1 as per-label ratios; both differ from the real metric
(see test_report_shows_the_corpus_value_not_the_mean_of_case_values for the numbers).
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from pydantic import BaseModel
from sklearn.metrics import f1_score

from rightsized.domains.base import MetricSpec, Task
from rightsized.domains.results import TaskResult
from rightsized.eval.compare import compare_runs
from rightsized.eval.metrics.corpus import REDUCERS, corpus_value, reducer
from rightsized.eval.report import load_run, summarise_run, write_report
from rightsized.eval.scoring import split_scores
from rightsized.eval.stats import aggregate, compare_delta, corpus_ci
from rightsized.pipelines.errors import RightsizedError, ValidationFailedError
from tests.unit.test_report import write_run


def _label_parts(gold: str, predicted: str) -> dict[str, float]:
    """One classification case as the parts a task scores: tp, or fn for gold + fp for predicted."""
    if gold == predicted:
        return {f"tp:{gold}": 1.0}
    return {f"fn:{gold}": 1.0, f"fp:{predicted}": 1.0}


def test_macro_f1_matches_scikit_learn_on_random_labels() -> None:
    rng = np.random.default_rng(3)
    labels = ["TWF", "HDF", "PWF", "OSF", "none"]
    gold = list(rng.choice(labels, 200, p=[0.05, 0.05, 0.05, 0.05, 0.8]))  # failures are rare
    predicted = [g if rng.random() < 0.7 else str(rng.choice(labels)) for g in gold]
    ours = corpus_value("macro_f1", [_label_parts(g, p) for g, p in zip(gold, predicted)])
    assert ours == pytest.approx(f1_score(gold, predicted, average="macro"))
    # ... and differs from the mean of per-case macro-F1s (each case alone is 1.0 or 0.0, so their
    # mean is the accuracy, which the common class dominates).
    per_case = [corpus_value("macro_f1", [_label_parts(g, p)]) for g, p in zip(gold, predicted)]
    assert abs(ours - float(np.mean(per_case))) > 0.05


def test_impact_ratio_is_lowest_over_highest_selection_rate_over_all_cases() -> None:
    # Pool 1: group a 2/4 selected, b 1/4; pool 2: a 1/2, b 0/2. Overall a 3/6 = 0.5, b 1/6.
    pools = [{"selected:a": 2, "total:a": 4, "selected:b": 1, "total:b": 4},
             {"selected:a": 1, "total:a": 2, "selected:b": 0, "total:b": 2}]
    assert corpus_value("impact_ratio", pools) == pytest.approx((1 / 6) / (3 / 6))
    # The mean of the per-pool ratios would be (0.5 + 0.0) / 2 = 0.25, not 1/3.
    assert corpus_value("impact_ratio", [{"selected:a": 1, "total:a": 2}]) is None  # one group only
    assert corpus_value("impact_ratio", [{"selected:a": 0, "total:a": 2, "selected:b": 0, "total:b": 3}]) is None


def test_rmse_weighs_cases_by_their_count_and_sum_adds_up() -> None:
    # Errors 1, 1, 1 (one case of three) and 4 (one case of one): sqrt((3 + 16) / 4), not the
    # mean of the two cases' RMSEs (2.5).
    cases = [{"squared_error": 3.0, "count": 3.0}, {"squared_error": 16.0, "count": 1.0}]
    assert corpus_value("rmse", cases) == pytest.approx((19 / 4) ** 0.5)
    assert corpus_value("rmse", [{"squared_error": 0.0, "count": 0.0}]) is None
    assert corpus_value("sum", [{"value": 2.5}, {"value": 4.0}, {}]) == pytest.approx(6.5)


def test_max_and_min_over_cases_and_unknown_reducer() -> None:
    cases = [{"value": 0.01}, {"value": 0.2}, {}, {"value": -0.5}]
    assert corpus_value("max", cases) == pytest.approx(0.2)
    assert corpus_value("min", cases) == pytest.approx(-0.5)
    assert corpus_value("max", [{}]) is None and corpus_value("max", []) is None
    with pytest.raises(ValueError, match="unknown corpus reducer 'median'.*macro_f1"):
        reducer("median")


def test_corpus_interval_brackets_the_point_and_is_reproducible() -> None:
    cases = [_label_parts(g, p) for g, p in [("a", "a"), ("b", "a"), ("b", "b"), ("a", "a"), ("c", "c"),
                                             ("c", "b"), ("a", "a"), ("b", "b")] * 3]
    point, low, high = corpus_ci(cases, "macro_f1", seed=1)
    assert point == pytest.approx(corpus_value("macro_f1", cases))
    assert low is not None and high is not None and low < point < high
    assert corpus_ci(cases, "macro_f1", seed=1) == (point, low, high)
    assert aggregate("corpus", [], cases, reduce="macro_f1", seed=1) == (point, low, high)
    assert corpus_ci([{"selected:a": 1, "total:a": 1}], "impact_ratio") == (None, None, None)
    with pytest.raises(ValueError, match="needs the name of its reducer"):
        aggregate("corpus", [], cases)


def test_corpus_delta_paired_sees_a_real_difference_and_not_an_equal_one() -> None:
    gold = ["a", "b", "c", "a", "b", "c"] * 10
    good = [_label_parts(g, g) for g in gold]
    bad = [_label_parts(g, "a") for g in gold]
    same = compare_delta("corpus", good, good, paired=True, reduce="macro_f1")
    assert same.delta == 0 and not same.significant
    better = compare_delta("corpus", good, bad, paired=True, reduce="macro_f1")
    assert better.delta == pytest.approx(1.0 - corpus_value("macro_f1", bad)) and better.significant
    assert better.method == "paired bootstrap of macro_f1"
    assert compare_delta("corpus", good, bad[:30], paired=False, reduce="macro_f1").significant
    with pytest.raises(ValueError, match="paired runs need the same cases"):
        compare_delta("corpus", good, bad[:30], paired=True, reduce="macro_f1")


def test_a_corpus_metric_must_name_a_known_reducer_and_only_corpus_metrics_may() -> None:
    assert MetricSpec("f1", kind="corpus", reduce="macro_f1").reduce == "macro_f1"
    with pytest.raises(ValueError, match="kind 'corpus' needs reduce="):
        MetricSpec("f1", kind="corpus")
    with pytest.raises(ValueError, match="unknown corpus reducer 'macro'"):
        MetricSpec("f1", kind="corpus", reduce="macro")
    with pytest.raises(ValueError, match="applies to kind 'corpus' only"):
        MetricSpec("f1", kind="mean", reduce="macro_f1")
    assert set(REDUCERS) >= {"macro_f1", "impact_ratio", "max", "min"}


def test_threshold_flags_the_wrong_side_in_the_metric_direction() -> None:
    fair = MetricSpec("impact_ratio", kind="corpus", reduce="impact_ratio", threshold=0.8)
    assert fair.flagged(0.79) and not fair.flagged(0.8) and not fair.flagged(None)
    change = MetricSpec("largest_change", kind="corpus", reduce="max", higher_is_better=False, threshold=0.02)
    assert change.flagged(0.03) and not change.flagged(0.02)
    assert not MetricSpec("x").flagged(0.0)


class _In(BaseModel):
    x: int = 0


class _Selection(Task[_In, TaskResult]):
    name = "select"
    description = "a toy task with a corpus metric"
    input_model = _In
    result_model = TaskResult
    metrics = (MetricSpec("impact_ratio", kind="corpus", reduce="impact_ratio", primary=True, threshold=0.8),
               MetricSpec("selected", kind="mean"))

    def run(self, ctx: Any, inputs: _In) -> TaskResult:  # pragma: no cover - never run here
        raise NotImplementedError


def test_split_scores_stores_named_parts_and_refuses_other_shapes() -> None:
    task = _Selection()
    scores, parts = split_scores(task, {"impact_ratio": {"selected:a": 1, "total:a": 2, "selected:b": 1,
                                                         "total:b": 4}, "selected": 0.5})
    assert parts == {"impact_ratio": {"selected:a": 1.0, "total:a": 2.0, "selected:b": 1.0, "total:b": 4.0}}
    assert scores == {"impact_ratio": pytest.approx(0.5), "selected": 0.5}
    with pytest.raises(ValidationFailedError, match="score it as named parts"):
        split_scores(task, {"impact_ratio": 0.5})
    with pytest.raises(ValidationFailedError, match="'total:a' must be a finite number"):
        split_scores(task, {"impact_ratio": {"total:a": float("nan")}})
    with pytest.raises(ValidationFailedError, match="named parts are for corpus metrics"):
        split_scores(task, {"selected": {"value": 1.0}})


# ---- read back from a run directory -----------------------------------------------------------

SPECS = {"hr": [
    {"name": "impact_ratio", "task": "rank", "kind": "corpus", "reduce": "impact_ratio", "threshold": 0.8,
     "higher_is_better": True, "primary": True, "description": "four-fifths rule"},
]}
# tier -> pools of (selected a, total a, selected b, total b)
POOLS = {"small": [(2, 4, 1, 4), (1, 2, 0, 2), (2, 4, 2, 4), (1, 2, 1, 2)],
         "mid": [(2, 4, 2, 4), (1, 2, 1, 2), (2, 4, 2, 4), (1, 2, 1, 2)]}


def _pool_case(tier: str, i: int) -> dict[str, Any]:
    sa, ta, sb, tb = POOLS[tier][i]
    parts = {"selected:a": sa, "total:a": ta, "selected:b": sb, "total:b": tb}
    return {"domain": "hr", "tier": tier, "case_id": f"pool-{i}", "suite": "synthetic", "task": "rank", "tags": [],
            "input": {}, "expected": {}, "outcome": {}, "scores": {"impact_ratio": corpus_value("impact_ratio", [parts])},
            "parts": {"impact_ratio": parts}, "latency_s": 0.1, "prompt_tokens": 0, "completion_tokens": 0,
            "cost_usd": 0.0, "warnings": [], "error": None, "error_type": None, "ingest_errors": []}


def _pool_run(root: Path, tiers: tuple[str, ...] = ("small", "mid")) -> Path:
    meta = {"domains": ["hr"], "tiers": list(tiers), "unavailable": {}, "primary_metric": {"hr": "impact_ratio"},
            "metric_specs": SPECS, "status": "finished"}
    return write_run(root, meta=meta, cases=[_pool_case(t, i) for t in tiers for i in range(4)])


def test_report_shows_the_corpus_value_not_the_mean_of_case_values_and_flags_it(tmp_path: Path) -> None:
    run_dir = _pool_run(tmp_path / "run")
    small = {s.tier: s for s in summarise_run(load_run(run_dir))}["small"].metrics["impact_ratio"]
    # a: 6/12 = 0.5, b: 4/12 -> 0.667; the mean of the four pool ratios would be (0.5+0+1+1)/4 = 0.625.
    assert small.mean == pytest.approx(2 / 3) and small.kind == "corpus" and small.flagged
    md = write_report(run_dir)[0].read_text()
    assert "| small | 4 | 0.667 [" in md and "⚠ below 0.8" in md.split("| small | 4 |")[1].split("\n")[0]
    assert "⚠" not in md.split("| mid | 4 |")[1].split("\n")[0]  # 1.000: fair


def test_compare_recomputes_the_corpus_metric_per_run(tmp_path: Path) -> None:
    a = load_run(_pool_run(tmp_path / "a", ("small",)))
    b_dir = _pool_run(tmp_path / "b", ("mid",))
    cases = [json.loads(line) for line in (b_dir / "cases.jsonl").read_text().splitlines()]
    (b_dir / "cases.jsonl").write_text("".join(json.dumps({**c, "tier": "small"}) + "\n" for c in cases))
    meta = json.loads((b_dir / "run.json").read_text())
    (b_dir / "run.json").write_text(json.dumps({**meta, "tiers": ["small"]}))
    delta = next(d for d in compare_runs(a, load_run(b_dir)) if d.metric == "impact_ratio")
    assert (delta.a, delta.b, delta.kind) == (pytest.approx(2 / 3), pytest.approx(1.0), "corpus")
    assert delta.delta == pytest.approx(1 / 3) and delta.paired


def test_a_stored_corpus_spec_with_an_unknown_reducer_is_refused_naming_it(tmp_path: Path) -> None:
    run_dir = _pool_run(tmp_path / "run")
    meta = json.loads((run_dir / "run.json").read_text())
    meta["metric_specs"]["hr"][0]["reduce"] = "median"
    (run_dir / "run.json").write_text(json.dumps(meta))
    with pytest.raises(RightsizedError, match=r"run.json: metric_specs of hr: 'impact_ratio': unknown corpus reducer"):
        load_run(run_dir)
