"""The `rightsized` command as a user runs it: real subprocesses, real files, real exit codes."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = [pytest.mark.integration, pytest.mark.slow]

AS_OF = "2026-06-01"


def rightsized(*args: str, env: dict[str, str] | None = None, timeout: int = 600) -> subprocess.CompletedProcess[str]:
    exe = Path(sys.executable).with_name("rightsized")
    return subprocess.run([str(exe), *args], capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, **(env or {})})


@pytest.fixture(scope="module")
def corpus_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("corpus")
    done = rightsized("corpus", "bfsi_kyc", str(root), "--n", "8")
    assert done.returncode == 0, done.stderr
    assert (root / "gold.jsonl").exists()
    scans = sorted((root / "documents").glob("*_scan"))
    assert len(scans) == 8  # one scanned copy of each scenario, OCR'd: tests/integration/test_kyc_scanned.py
    for scan in scans:  # these tests are about the CLI: typed packets keep them fast
        shutil.rmtree(scan)
    return root / "documents"


def test_tiers_lists_availability_with_reasons() -> None:
    done = rightsized("tiers", "--json", env={"RIGHTSIZED_MID_URL": "http://127.0.0.1:9/v1"})
    assert done.returncode == 0, done.stderr
    tiers = {t["name"]: t for t in json.loads(done.stdout)}
    assert tiers["baseline"]["available"] and tiers["small"]["available"]
    assert not tiers["mid"]["available"] and "unreachable" in tiers["mid"]["reason"]
    assert not tiers["large"]["available"] and "OPENAI_API_KEY" in tiers["large"]["reason"]


def test_bad_override_exits_2_naming_the_field() -> None:
    done = rightsized("tiers", "--set", "tiers.small.generator.n_ctx=lots")
    assert done.returncode == 2
    assert "tiers.small.generator.n_ctx" in done.stderr and "--set" in done.stderr


def test_batch_with_bad_files_reports_each_and_runs_the_rest(corpus_dir: Path, tmp_path: Path, make_bad_files) -> None:
    batch = tmp_path / "batch"
    for name in ("applicant_001", "applicant_006", "applicant_008"):
        shutil.copytree(corpus_dir / name, batch / name)
    expected = make_bad_files(batch / "applicant_999")   # a packet with nothing usable
    (batch / "applicant_008" / "application_form.pdf").write_bytes(b"%PDF-1.7 truncated")
    done = rightsized("run", "bfsi_kyc", "--input", str(batch), "--tier", "baseline", "--param", f"as_of={AS_OF}", "--json")
    assert done.returncode == 1, done.stderr
    report = json.loads(done.stdout)
    failed = {Path(e["file"]).name: e["reason"] for e in report["ingest"]["errors"]}
    assert set(failed) == {*expected, "application_form.pdf"}
    assert "corrupt or unreadable PDF" in failed["application_form.pdf"]
    decisions = {r["applicant"]: r["decision"] for r in report["results"]}
    assert decisions["applicant_001"] == "approve"
    assert decisions["applicant_006"] == "reject"        # the sanctioned applicant
    assert decisions["applicant_008"] == "review"        # clean, but its form is unreadable
    [error] = report["errors"]
    assert error["case"] == "applicant_999" and error["type"] == "IngestError"
    assert "no ingestible documents" in error["message"]


def test_single_packet_human_output_and_idempotent_ingest_and_delete(corpus_dir: Path) -> None:
    done = rightsized("run", "bfsi_kyc", "--input", str(corpus_dir / "applicant_002"), "--param", f"as_of={AS_OF}")
    assert done.returncode == 0, done.stderr
    assert "decision: review" in done.stdout and "document_expiry" in done.stdout
    again = rightsized("ingest", "bfsi_kyc", str(corpus_dir), "--json")
    assert again.returncode == 0, again.stderr
    report = json.loads(again.stdout)
    # `run` ingested applicant_002 under the same ids `ingest` of its parent folder gives
    assert report["files_failed"] == 0 and report["files_unchanged"] == 3  # applicant_002 unchanged
    assert report["files_ingested"] == 21
    twice = json.loads(rightsized("ingest", "bfsi_kyc", str(corpus_dir), "--json").stdout)
    assert (twice["files_unchanged"], twice["chunks_added"]) == (24, 0)
    [passport] = [d for d in twice["doc_ids"] if d.endswith("/applicant_001/passport.pdf")]
    assert passport.startswith("documents-")  # the source namespace: folder name + path hash
    deleted = rightsized("delete", "bfsi_kyc", passport)
    assert deleted.returncode == 0 and "deleted 1 chunk" in deleted.stderr
    assert rightsized("delete", "bfsi_kyc", passport).returncode == 1


def test_run_is_built_from_the_task_declaration(tmp_path: Path) -> None:
    """Finding 1: `run` had a KYC option (`--as-of`) on the generic command."""
    helped = rightsized("run", "--help")
    assert helped.returncode == 0 and "--as-of" not in helped.stdout
    assert all(option in helped.stdout for option in ("--input", "--param", "--request"))
    listed = rightsized("tasks", "bfsi_kyc", "--json")
    assert listed.returncode == 0, listed.stderr
    [kyc] = json.loads(listed.stdout)
    decide, screen = kyc["tasks"]
    assert screen["name"] == "screen" and not screen["files"]
    assert decide["name"] == "decide" and [f["name"] for f in decide["files"]] == ["packet"]
    assert [p["name"] for p in decide["params"]] == ["as_of"]
    assert decide["input_schema"]["properties"]["as_of"]["anyOf"][0]["format"] == "date"
    bad = rightsized("run", "bfsi_kyc", "--input", str(tmp_path), "--param", "as_of=yesterday")
    assert bad.returncode == 2 and "as_of" in bad.stderr and "Traceback" not in bad.stderr
    unknown = rightsized("run", "bfsi_kyc", "--input", str(tmp_path), "--param", "horizon=3")
    assert unknown.returncode == 2 and "not a parameter of this task; parameters: as_of" in unknown.stderr


def test_check_shows_the_sanctions_lists_and_warns_when_one_is_stale(tmp_path: Path) -> None:
    done = rightsized("check", "bfsi_kyc", "--json")
    assert done.returncode == 1, done.stderr  # the bundled snapshot is from 2024: stale
    [sdn] = json.loads(done.stdout)
    assert sdn["facts"]["rows"] == 14965 and sdn["facts"]["snapshot_date"] == "2024-05-03"
    assert "days old" in sdn["warnings"][0]
    fresh = tmp_path / "local.csv"
    fresh.write_text("name,dates_of_birth\nAnna Example,1970-01-01\n")
    config = tmp_path / "kyc.yaml"
    config.write_text(f"domains:\n  bfsi_kyc:\n    sanctions_lists:\n      - {{path: {fresh}, format: plain_csv}}\n")
    current = rightsized("check", "bfsi_kyc", "--config", str(config), "--json")
    assert current.returncode == 0, current.stderr
    assert [(r["facts"]["name"], r["facts"]["rows"], r["warnings"]) for r in json.loads(current.stdout)] == [
        ("local", 1, [])]
    screened = rightsized("run", "bfsi_kyc", "screen", "--param", "name=Anna Example", "--param",
                          "date_of_birth=1970-01-01", "--config", str(config), "--json")
    assert screened.returncode == 0, screened.stderr
    [result] = json.loads(screened.stdout)["results"]
    assert result["decision"] == "hit" and result["screened_against"][0]["name"] == "local"


def test_nested_case_folders_and_two_intake_folders_with_the_same_names(corpus_dir: Path, tmp_path: Path) -> None:
    """Finding 1: `applicant_001/scans/passport.pdf` was stored under group `applicant_001/scans`,
    the task filtered on `applicant_001` and every check came back "not checked".
    Finding 4: doc ids were relative to the ingest root, so a second intake folder with the same
    packet names replaced the first one's chunks (the evidence behind its decision)."""
    monday, tuesday = tmp_path / "monday" / "applicant_001", tmp_path / "tuesday" / "applicant_001"
    shutil.copytree(corpus_dir / "applicant_001", monday)   # clean: approve
    (monday / "scans").mkdir()
    (monday / "passport.pdf").rename(monday / "scans" / "passport.pdf")
    shutil.copytree(corpus_dir / "applicant_006", tuesday)  # sanctioned: reject, same folder name
    env = {"RIGHTSIZED_DATA_DIR": str(tmp_path / "data")}

    def decide(folder: Path) -> dict:
        done = rightsized("run", "bfsi_kyc", "--input", str(folder), "--param", f"as_of={AS_OF}", "--json", env=env)
        assert done.returncode == 0, done.stderr
        [result] = json.loads(done.stdout)["results"]
        return result

    first = decide(tmp_path / "monday")
    assert first["applicant"] == "applicant_001" and first["decision"] == "approve"
    assert all(c["passed"] is True for c in first["checks"]), first["checks"]
    assert first["fields"]["document_number"]["method"] == "viz"  # read from scans/passport.pdf
    assert decide(tmp_path / "tuesday")["decision"] == "reject"
    again = decide(tmp_path / "monday")  # Tuesday's packet did not replace Monday's evidence
    timeless = ("usage", "provenance")  # seconds and the time of the run
    assert {k: v for k, v in again.items() if k not in timeless} == {k: v for k, v in first.items() if k not in timeless}
    assert again["provenance"]["documents"] == first["provenance"]["documents"]
    both = json.loads(rightsized("ingest", "bfsi_kyc", str(tmp_path / "monday"), str(tmp_path / "tuesday"),
                                 "--json", env=env).stdout)
    assert (both["files_unchanged"], both["chunks_added"], both["chunks_deleted"]) == (6, 0, 0)


def test_demo_runs_every_domain_on_every_available_tier_and_writes_the_report(tmp_path: Path) -> None:
    """The README's main job at a small n (each domain's own e2e test checks its rows at full size)."""
    done = rightsized("demo", "--n", "2", "--tier", "baseline", "--tier", "small", "--tier", "mid", "--json",
                      env={"RIGHTSIZED_DATA_DIR": str(tmp_path)})
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    every = [json.loads(line) for line in (Path(report["run_dir"]) / "cases.jsonl").read_text().splitlines()]
    domains = {"bfsi_kyc", "hr_resume", "healthcare_notes", "retail_pricing", "manufacturing_maintenance"}
    assert {(c["domain"], c["tier"]) for c in every} >= {(d, t) for d in domains for t in ("baseline", "small")}
    assert not [c["case_id"] for c in every if c["error"]]
    small = [s for s in report["summaries"] if s["tier"] == "small"]
    assert {s["domain"] for s in small} >= domains and sum(s["prompt_tokens"] or 0 for s in small) > 0
    assert "mid" not in {s["tier"] for s in report["summaries"]} and "no URL" in report["unavailable"]["mid"]
    html = Path(report["report_html"]).read_text()
    assert "<svg" in html and all(d in html for d in domains)


def test_kyc_sample_suite_decides_every_typed_packet_and_names_the_ocr_miss(tmp_path: Path) -> None:
    done = rightsized("eval", "--domain", "bfsi_kyc", "--suite", "synthetic", "--n", "8", "--tier", "baseline",
                      "--json", env={"RIGHTSIZED_DATA_DIR": str(tmp_path)})
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    [summary] = [s for s in report["summaries"] if s["domain"] == "bfsi_kyc"]
    baseline = summary["metrics"]
    assert summary["cases"] == 16  # 8 typed + 8 scanned
    assert baseline["field_accuracy"]["mean"] == 1.0
    assert baseline["sanctions_hit_recall"]["mean"] == 1.0 and baseline["sanctions_hit_recall"]["n"] == 2  # typed + scan
    assert baseline["sanctions_hit_false_positive"]["mean"] == 0.0
    cases = [json.loads(line) for line in (Path(report["run_dir"]) / "cases.jsonl").read_text().splitlines()]
    wrong = sorted(c["case_id"] for c in cases if c["scores"]["decision_accuracy"] != 1.0)
    assert wrong == []
    # One scanned ID-card photo has an MRZ digit OCR misreads (9 -> I -> 1), so its birth-date check digit
    # fails: on OCR-read text that is a possible misreading, so the packet goes to review (as its typed
    # twin does, for its address), where it was rejected before.
    [photo] = [c for c in cases if c["case_id"] == "applicant_005_scan"]
    [mrz] = [check for check in photo["result"]["checks"] if check["name"] == "mrz_check_digits"]
    assert photo["result"]["decision"] == "review" and not mrz["passed"] and mrz["may_be_misread"]
    html = Path(report["report_html"]).read_text()
    assert "baseline · typed" in html and "baseline · scanned" in html


def test_bench_ingest_reports_a_ratio() -> None:
    done = rightsized("bench", "ingest", "--docs", "8", "--words", "400", "--json")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["chunks"] == report["chunks_stored"] > 8
    assert report["ratio_path_over_raw"] > 0 and report["peak_rss_mb"] > 0


def test_mid_tier_through_a_real_llamacpp_openai_server(corpus_dir: Path, llamacpp_server: str) -> None:
    env = {"RIGHTSIZED_MID_URL": llamacpp_server}
    tiers = {t["name"]: t for t in json.loads(rightsized("tiers", "--json", env=env).stdout)}
    assert tiers["mid"]["available"], tiers["mid"]
    done = rightsized("run", "bfsi_kyc", "--input", str(corpus_dir / "applicant_005"), "--tier", "mid",
                      "--param", f"as_of={AS_OF}", "--json", "--set", "tiers.mid.max_tokens=48", env=env)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)["results"][0]
    assert result["tier"] == "mid" and result["decision"] == "review"  # address mismatch
    assert result["usage"]["llm_calls"] >= 1 and result["usage"]["prompt_tokens"] > 0


def test_eval_report_compare_and_recommend_from_the_command_line(tmp_path: Path) -> None:
    env = {"RIGHTSIZED_DATA_DIR": str(tmp_path)}
    done = rightsized("eval", "--domain", "bfsi_kyc", "--tier", "baseline", "--tier", "large", "--suite", "real",
                      "--limit", "4", "--json", env=env)
    assert done.returncode == 0, done.stderr
    run = json.loads(done.stdout)
    assert "OPENAI_API_KEY" in run["unavailable"]["large"]
    assert [(s["suite"], s["tier"], s["cases"]) for s in run["summaries"]] == [("real", "baseline", 4)]
    run_dir = run["run_dir"]
    reported = rightsized("report", run_dir)
    assert reported.returncode == 0 and "report.html" in reported.stdout
    compared = rightsized("compare", run_dir, run_dir, "--json")
    assert compared.returncode == 0, compared.stderr
    assert all(d["delta"] == 0 and not d["significant"] for d in json.loads(compared.stdout))
    advice = rightsized("recommend", "--domain", "bfsi_kyc", "--requests-per-day", "20000", "--constraint", "cost",
                        "--deployment", "edge", "--suite", "real", "--min-quality", "0.9", env=env)
    assert advice.returncode == 0, advice.stderr
    assert "recommendation: baseline" in advice.stdout and "contradict the rule of thumb" in advice.stdout
    bad = rightsized("recommend", "--domain", "bfsi_kyc", "--requests-per-day", "1", "--constraint", "vibes",
                     "--deployment", "edge", env=env)
    assert bad.returncode == 2 and "--constraint 'vibes'" in bad.stderr


def test_the_same_pipeline_runs_on_a_milvus_server_and_migrates_there(
    corpus_dir: Path, milvus_server: str, tmp_path: Path,
) -> None:
    """Only the store block changes: same decisions on Lite and on a real Milvus 2.3.5 server."""
    packet = str(corpus_dir / "applicant_006")  # the sanctioned applicant
    lite_env = {"RIGHTSIZED_DATA_DIR": str(tmp_path / "lite")}
    on_lite = rightsized("run", "bfsi_kyc", "--input", packet, "--param", f"as_of={AS_OF}", "--json", env=lite_env)
    assert on_lite.returncode == 0, on_lite.stderr
    server = ["--set", "store.backend=milvus", "--set", f"store.uri={milvus_server}"]
    on_server = rightsized("run", "bfsi_kyc", "--input", packet, "--param", f"as_of={AS_OF}", "--json", *server,
                           env={"RIGHTSIZED_DATA_DIR": str(tmp_path / "other")})
    assert on_server.returncode == 0, on_server.stderr
    lite_result, server_result = (json.loads(d.stdout)["results"][0] for d in (on_lite, on_server))
    assert server_result["decision"] == lite_result["decision"] == "reject"
    assert server_result["checks"] == lite_result["checks"]

    moved = rightsized("migrate", "--to", f"milvus:{milvus_server}", "--resume", "--json", env=lite_env)
    assert moved.returncode == 0, moved.stderr
    [report] = json.loads(moved.stdout)
    assert report["ok"] and report["source_count"] == report["destination_count"] > 0
    assert report["already_there"] == report["source_count"]  # the server run stored the same chunks
    refused = rightsized("migrate", "--to", f"milvus:{milvus_server}", env=lite_env)
    assert refused.returncode == 2 and "--resume" in refused.stderr


def test_bench_search_compares_lite_and_a_milvus_server(milvus_server: str) -> None:
    """Tiny sizes: this checks the command and its report, not performance (see the README).
    The session's server is passed in: only one Milvus 2.3.5 from PyPI can run per machine."""
    done = rightsized("bench", "search", "--sizes", "300", "--queries", "12", "--server-uri", milvus_server, "--json")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    [lite] = report["backends"]["milvus_lite"]
    [server] = report["backends"]["milvus_server"]
    assert (lite["bm25"], server["bm25"]) == ("server", "client") and server["version"].startswith("v2.3.5")
    for row in (lite, server):
        assert row["chunks"] == 300 and row["ingest_chunks_per_s"] > 0 and row["ingest_ratio_store_over_raw"] > 0
        for kind in ("dense", "raw_dense", "filtered", "hybrid"):
            assert 0 < row[kind]["p50_ms"] <= row[kind]["p95_ms"]
