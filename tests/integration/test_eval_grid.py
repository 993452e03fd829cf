"""The eval grid on the real pipeline: storage, unavailable tiers, resume, reproducibility."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from rightsized.eval.grid import EvalPlan, run_eval
from rightsized.eval.report import load_run, summarise_run, write_report
from rightsized.pipelines.config import load_settings
from rightsized.pipelines.errors import RightsizedError

pytestmark = [pytest.mark.integration]

PLAN = EvalPlan(domains=["bfsi_kyc"], tiers=["baseline", "mid"], suite="all", limit=5, n=8)


def _lines(run_dir: Path) -> list[dict]:
    return [json.loads(line) for line in (run_dir / "cases.jsonl").read_text().splitlines()]


def _stable(record: dict) -> dict:
    """What must not change between runs of the same config: everything but timings."""
    result = dict(record.get("result") or {})
    result.pop("usage", None)
    return {**{k: v for k, v in record.items() if k not in ("latency_s", "result")}, "result": result}


@pytest.fixture(scope="module")
def first_run(tmp_path_factory: pytest.TempPathFactory):  # noqa: ANN201
    settings = load_settings(overrides=[f"data_dir={tmp_path_factory.mktemp('grid')}"])
    return settings, run_eval(settings, PLAN)


def test_run_records_every_case_versions_hashes_and_unavailable_tiers(first_run) -> None:  # noqa: ANN001
    settings, run_dir = first_run
    meta = json.loads((run_dir / "run.json").read_text())
    assert "no URL" in meta["unavailable"]["mid"]
    assert meta["versions"]["pymilvus"] and meta["config_hash"] and set(meta["corpus_hashes"]) == {
        "bfsi_kyc/synthetic", "bfsi_kyc/real"}
    records = _lines(run_dir)
    assert {(r["suite"], r["tier"]) for r in records} == {("synthetic", "baseline"), ("real", "baseline")}
    assert len(records) == 10 and all(r["error"] is None for r in records)
    assert all(r["scores"]["decision_accuracy"] == 1.0 for r in records)
    summaries = summarise_run(load_run(run_dir))
    assert {(s.suite, s.tier) for s in summaries} == {("synthetic", "baseline"), ("real", "baseline")}
    md, html = write_report(run_dir)
    assert "mid" in md.read_text() and "<svg" in html.read_text()


def test_resume_after_interruption_runs_only_what_is_missing(first_run) -> None:  # noqa: ANN001
    settings, run_dir = first_run
    records = _lines(run_dir)
    kept = (run_dir / "cases.jsonl").read_text().splitlines()[:3]
    # Simulate a crash: three finished cases and a torn fourth line.
    (run_dir / "cases.jsonl").write_text("\n".join(kept) + "\n" + kept[3 - 1][:40])
    resumed = run_eval(settings, PLAN, resume=run_dir)
    assert resumed == run_dir
    text = (run_dir / "cases.jsonl").read_text().splitlines()
    assert text[:3] == kept  # finished cases untouched
    after = [json.loads(line) for line in text]  # the torn line is gone, every line parses
    assert len(after) == 10
    assert sorted(map(json.dumps, map(_stable, after))) == sorted(map(json.dumps, map(_stable, records)))


def test_a_second_run_reproduces_the_first_and_a_changed_corpus_blocks_resume(first_run) -> None:  # noqa: ANN001
    settings, run_dir = first_run
    again = run_eval(settings, PLAN)
    assert again != run_dir
    assert sorted(map(json.dumps, map(_stable, _lines(again)))) == sorted(
        map(json.dumps, map(_stable, _lines(run_dir))))
    meta = json.loads((again / "run.json").read_text())
    meta["corpus_hashes"]["bfsi_kyc/real"] = "something-else"
    (again / "run.json").write_text(json.dumps(meta))
    with pytest.raises(RightsizedError, match="corpus changed"):
        run_eval(settings, PLAN, resume=again)
