"""The eval grid on the real pipeline: storage, unavailable tiers, resume, reproducibility."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from rightsized.domains.bfsi_kyc import DecideTask
from rightsized.eval.grid import EvalPlan, resumed_plan, run_eval
from rightsized.eval.report import load_run, summarise_run, write_report
from rightsized.eval.runs import latest_run
from rightsized.pipelines.config import load_settings
from rightsized.pipelines.errors import ConfigError, RightsizedError
from rightsized.pipelines.runtime import Workspace
from rightsized.pipelines.stores import build_store

pytestmark = [pytest.mark.integration]

PLAN = EvalPlan(domains=["bfsi_kyc"], tiers=["baseline", "mid"], suite="all", limit=5, n=8)


def _lines(run_dir: Path) -> list[dict]:
    return [json.loads(line) for line in (run_dir / "cases.jsonl").read_text().splitlines()]


def _stable(record: dict) -> dict:
    """What must not change between runs of the same config: everything but timings."""
    result = dict(record.get("result") or {})
    result.pop("usage", None)
    result.pop("provenance", None)  # holds the time the result was produced
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
    text = md.read_text()
    assert "tier **mid** not run" in text and "Only baseline ran" in text  # one tier: no comparison plot
    assert "<svg" not in html.read_text()


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


def test_resume_with_the_run_alone_continues_its_stored_plan(first_run) -> None:  # noqa: ANN001
    """Finding 5: `--resume RUN` used to rebuild the plan from default flags and then claim the
    corpus had changed; the stored plan is what a resume continues."""
    settings, run_dir = first_run
    assert resumed_plan(run_dir, {}) == PLAN
    assert resumed_plan(run_dir, {"tiers": None, "limit": 5}) == PLAN  # same values: fine
    run_eval(settings, resumed_plan(run_dir, {}), resume=run_dir)
    assert len(_lines(run_dir)) == 10


def test_resume_refuses_a_different_plan_or_config_naming_the_difference(first_run) -> None:  # noqa: ANN001
    """Finding 5: a new --tier was appended to the run (and the report then failed for good),
    and a changed --set was mixed in silently."""
    settings, run_dir = first_run
    with pytest.raises(ConfigError, match=r"--tiers: the run has \['baseline', 'mid'\], given \['small'\]"):
        resumed_plan(run_dir, {"tiers": ["small"]})
    with pytest.raises(ConfigError, match="--limit: the run has 5, given 7"):
        resumed_plan(run_dir, {"limit": 7})
    changed = load_settings(overrides=[f"data_dir={settings.data_dir}", "tiers.baseline.retrieval.k=3"])
    with pytest.raises(ConfigError, match="config hash"):
        run_eval(changed, PLAN, resume=run_dir)
    assert len(_lines(run_dir)) == 10  # nothing was mixed in


def test_limit_and_n_below_one_are_rejected() -> None:
    """Finding 5: --limit 0 was read as "all" and -1 as "all but one"."""
    for bad in (0, -1):
        with pytest.raises(ConfigError, match=f"--limit {bad}: must be at least 1"):
            EvalPlan(domains=["bfsi_kyc"], tiers=["baseline"], limit=bad)
    with pytest.raises(ConfigError, match="--n 0"):
        EvalPlan(domains=["bfsi_kyc"], tiers=["baseline"], n=0)


def test_eval_data_goes_to_its_own_collections_never_the_users(first_run) -> None:  # noqa: ANN001
    """Finding 4: eval and demo wrote their synthetic corpus into the user's collection (with
    Pinecone: the production namespace)."""
    settings, _ = first_run
    workspace = Workspace(settings, domain="bfsi_kyc")
    try:
        embedder = workspace.embedder("baseline")
        user = workspace.store("baseline")
        assert user.collection.startswith("rs_bfsi_kyc") and user.count() == 0
    finally:
        workspace.close()
    evaluation = build_store(settings, collection=user.collection.replace("rs_", "rseval_", 1),
                             dimension=embedder.dimension)
    evaluation.warm_up()
    try:
        assert evaluation.count() > 0
    finally:
        evaluation.close()


def test_a_crashing_case_is_recorded_and_the_grid_goes_on(first_run, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: ANN001
    """Finding 5: only RightsizedError was caught, so any other bug in a domain stopped the grid."""
    settings, _ = first_run
    original = DecideTask.run

    def flaky(self, ctx, inputs):  # noqa: ANN001, ANN202
        if inputs.packet.name == "applicant_002":
            raise ZeroDivisionError("a bug in the domain")
        return original(self, ctx, inputs)

    monkeypatch.setattr(DecideTask, "run", flaky)
    run_dir = run_eval(settings, EvalPlan(domains=["bfsi_kyc"], tiers=["baseline"], suite="synthetic", limit=3, n=8))
    records = {r["case_id"]: r for r in _lines(run_dir)}
    assert len(records) == 3
    assert records["applicant_002"]["error"] == "ZeroDivisionError: a bug in the domain"
    assert records["applicant_002"]["error_type"] == "ZeroDivisionError"
    assert records["applicant_002"]["scores"]["decision_accuracy"] == 0.0
    assert records["applicant_001"]["error"] is None and records["applicant_003"]["error"] is None
    assert json.loads((run_dir / "run.json").read_text())["status"] == "finished"


def test_ingest_errors_are_recorded_on_the_affected_case(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Finding 5: the grid discarded the ingest report; cases then ran on a partly ingested corpus."""
    from rightsized.domains.bfsi_kyc import KycDomain

    settings = load_settings(overrides=[f"data_dir={tmp_path}"])
    original = KycDomain.build_corpus

    def damaged(self, out_dir, *, n, seed):  # noqa: ANN001, ANN202
        corpus = original(self, out_dir, n=n, seed=seed)
        (corpus.root / "applicant_001" / "application_form.pdf").write_bytes(b"%PDF-1.7 truncated")
        return corpus

    monkeypatch.setattr(KycDomain, "build_corpus", damaged)
    run_dir = run_eval(settings, EvalPlan(domains=["bfsi_kyc"], tiers=["baseline"], suite="synthetic", limit=2, n=8))
    records = {r["case_id"]: r for r in _lines(run_dir)}
    [problem] = records["applicant_001"]["ingest_errors"]
    assert problem["file"].endswith("applicant_001/application_form.pdf")
    assert "corrupt or unreadable PDF" in problem["reason"]
    assert any("not ingested: application_form.pdf" in w for w in records["applicant_001"]["warnings"])
    assert records["applicant_002"]["ingest_errors"] == [] and not records["applicant_002"]["warnings"]


def test_a_run_that_fails_before_its_first_case_is_marked_and_breaks_nothing(
    first_run, monkeypatch: pytest.MonkeyPatch,  # noqa: ANN001
) -> None:
    """Finding 5: an empty run folder made every `recommend` fail (latest_run picked it)."""
    settings, run_dir = first_run
    import rightsized.eval.grid as grid

    def broken(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        raise OSError("disk full")

    monkeypatch.setattr(grid, "_run_grid", broken)
    with pytest.raises(OSError):
        run_eval(settings, PLAN)
    runs = sorted((settings.resolved_data_dir / "runs").iterdir(), key=lambda p: p.stat().st_mtime)
    failed = runs[-1]
    meta = json.loads((failed / "run.json").read_text())
    assert meta["status"] == "failed" and meta["error"] == "OSError: disk full"
    assert latest_run(settings.resolved_data_dir / "runs") != failed
    md, _ = write_report(failed)
    assert "failed" in md.read_text() and "disk full" in md.read_text()


def test_runs_in_different_data_dirs_see_the_same_chunk_ids(tmp_path: Path) -> None:
    """Prompts show chunk ids: ids derived from the corpus' absolute path made the small tier's
    output depend on where the data dir was. Eval ingests each suite under a fixed namespace."""
    plan = EvalPlan(domains=["bfsi_kyc"], tiers=["baseline"], suite="synthetic", limit=2, n=8)
    retrieved = []
    for where in ("one", "two"):
        settings = load_settings(overrides=[f"data_dir={tmp_path / where}"])
        records = _lines(run_eval(settings, plan))
        retrieved.append([r["result"]["retrieved"] for r in records])
    assert retrieved[0] == retrieved[1] and all(retrieved[0])
