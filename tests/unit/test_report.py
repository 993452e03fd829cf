"""eval.report on synthetic run directories with hand-worked aggregates.

The run is built here, line by line, in the format the runner writes (eval/runs.py), so the
expected means below can be checked by reading the score lists.
"""
from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from rightsized.eval.report import load_run, summarise_run, write_report
from rightsized.pipelines.errors import RightsizedError

DOMAINS = {"kyc": "field_accuracy", "claims": "label_accuracy"}
TIERS = ["small", "mid", "large"]
UNAVAILABLE = {"large": "RIGHTSIZED_LARGE_URL is not set"}
# Ten cases per (domain, tier): the first six are synthetic, the last four real.
PRIMARY = {"small": [1, 0, 1, 1, 0, 1, 0.5, 0.5, 1, 0], "mid": [1, 1, 1, 1, 0, 1, 1, 1, 0.5, 1]}
GROUNDED = {"small": [0.2, None, 0.4, None, 0.6, None, 0.8, None, 1.0, None],
            "mid": [1.0, None, 1.0, None, 0.0, None, 1.0, None, 1.0, None]}
COST = {"small": 0.0, "mid": 0.0015}
EXTERNAL_REF = re.compile(r"""(?:\b(?:src|href)\s*=\s*["']?|url\(\s*["']?)\s*(?:https?:)?//""", re.IGNORECASE)


def make_case(domain: str, tier: str, i: int, **overrides: Any) -> dict[str, Any]:
    """One cases.jsonl record as eval.grid.run_case writes it."""
    error = "backend timed out after 30 s" if (tier, i) == ("mid", 4) else None
    case = {
        "domain": domain, "tier": tier, "case_id": f"{domain}-{i:03d}", "suite": "synthetic" if i < 6 else "real",
        "tags": ["mrz"] if i % 2 else [], "input": {"question": f"case {i} of {domain}"},
        "expected": {"label": "approve"},
        "outcome": None if error else {"label": "approve" if PRIMARY[tier][i] else "reject"},
        "scores": {DOMAINS[domain]: PRIMARY[tier][i], "groundedness": GROUNDED[tier][i]},
        "latency_s": round(0.1 * (i + 1), 4) * (2 if tier == "mid" else 1),
        "prompt_tokens": 100, "completion_tokens": 20, "cost_usd": COST[tier],
        "warnings": ["LLM output failed validation; rules used"] if (tier, i) == ("small", 1) else [],
        "error": error,
    }
    return {**case, **overrides}


def write_run(root: Path, *, meta: dict[str, Any] | None = None, cases: list[dict[str, Any]] | None = None) -> Path:
    """A run directory: run.json + cases.jsonl (default: 2 domains x 2 run tiers x 10 cases)."""
    root.mkdir(parents=True, exist_ok=True)
    base = {"run_id": "20240601-120000", "created": "2024-06-01T12:00:00", "suite": "all",
            "domains": list(DOMAINS), "tiers": TIERS, "unavailable": UNAVAILABLE, "primary_metric": DOMAINS,
            "versions": {"python": "3.11.2"}, "config_hash": "abc123", "corpus_hashes": {"kyc/synthetic": "f00"}}
    (root / "run.json").write_text(json.dumps({**base, **(meta or {})}))
    if cases is None:
        cases = [make_case(d, t, i) for d in DOMAINS for t in ("small", "mid") for i in range(10)]
    (root / "cases.jsonl").write_text("".join(json.dumps(c) + "\n" for c in cases))
    return root


def outside_fences(markdown: str) -> str:
    """Markdown text with fenced blocks removed (text inside a fence is never rendered as HTML)."""
    return re.sub(r"^(`{3,})[^\n]*\n.*?^\1$", "", markdown, flags=re.DOTALL | re.MULTILINE)


def test_summary_means_percentiles_and_counts_match_hand_worked_values(tmp_path: Path) -> None:
    summaries = {(s.domain, s.suite, s.tier): s for s in summarise_run(load_run(write_run(tmp_path / "run")))}
    assert len(summaries) == 2 * 2 * 2  # 2 domains x (synthetic, real) x 2 tiers that ran; "large" never ran
    small = summaries[("kyc", "synthetic", "small")]
    assert small.cases == 6 and small.errors == 0 and small.cases_with_warnings == 1
    assert small.metrics["field_accuracy"].mean == pytest.approx(4 / 6)
    assert small.metrics["field_accuracy"].n == 6
    assert small.metrics["groundedness"].mean == pytest.approx((0.2 + 0.4 + 0.6) / 3)  # nulls skipped
    assert small.metrics["groundedness"].n == 3
    assert small.latency_p50_s == pytest.approx(0.35)  # latencies 0.1 .. 0.6
    assert small.latency_p95_s == pytest.approx(0.575)  # numpy linear: 0.5 + 0.75 * 0.1
    assert (small.prompt_tokens, small.completion_tokens, small.cost_per_case_usd) == (600, 120, 0.0)
    mid_real = summaries[("claims", "real", "mid")]
    assert mid_real.metrics["label_accuracy"].mean == pytest.approx(3.5 / 4)
    assert mid_real.metrics["groundedness"].mean == pytest.approx(1.0)
    assert mid_real.cost_per_case_usd == pytest.approx(0.0015)
    assert summaries[("kyc", "synthetic", "mid")].errors == 1
    assert summaries[("kyc", "synthetic", "mid")].metrics["field_accuracy"].mean == pytest.approx(5 / 6)


def test_confidence_intervals_contain_the_mean(tmp_path: Path) -> None:
    summaries = {(s.domain, s.suite, s.tier): s for s in summarise_run(load_run(write_run(tmp_path / "run")))}
    for summary in summaries.values():
        for metric in summary.metrics.values():
            assert metric.low <= metric.mean <= metric.high
    ci = summaries[("kyc", "synthetic", "small")].metrics["field_accuracy"]
    assert ci.low < ci.mean < ci.high  # scores 0 and 1 mixed: the interval has width


def test_markdown_has_tables_unavailable_reason_plots_and_worst_cases(tmp_path: Path) -> None:
    run_dir = write_run(tmp_path / "run")
    md_path, html_path = write_report(run_dir)
    assert (md_path, html_path) == (run_dir / "report.md", run_dir / "report.html")
    md = md_path.read_text()
    assert "| tier | cases | field_accuracy (primary) | groundedness |" in md
    assert "| small | 6 | 0.667 [" in md
    assert "0.400 [0.200, 0.600] (n=3)" in md  # groundedness applied to 3 of 6 cases
    assert "| mid | 4 | 0 | 0 | 1.7 | 1.97 | 0.0015 | 400 | 80 |" in md  # real: latencies 1.4, 1.6, 1.8, 2.0 s
    assert "RIGHTSIZED_LARGE_URL is not set" in md and "**large** not run" in md
    for domain in DOMAINS:
        for suite in ("synthetic", "real"):
            for kind in ("cost", "latency"):
                name = f"plot-{domain}-{suite}-{kind}.svg"
                assert f"]({name})" in md
                assert (run_dir / name).read_text().lstrip().startswith("<?xml")
    worst = md.split("#### Worst cases per tier (errors, then lowest field_accuracy, then warnings)")[1]
    assert worst.index("case: kyc-004") < worst.index("error: backend timed out")  # the error is shown ...
    assert worst.split("**mid**")[1].split("case: ")[1].startswith("kyc-004")  # ... and ranked first


def test_html_is_self_contained_and_names_every_tier(tmp_path: Path) -> None:
    _, html_path = write_report(write_run(tmp_path / "run"), tmp_path / "out")
    page = html_path.read_text()
    assert html_path.parent == tmp_path / "out"
    for tier in TIERS:
        assert f">{tier}<" in page
    assert "RIGHTSIZED_LARGE_URL is not set" in page
    assert page.count("<svg") == 2 * 2 * 2  # cost + latency plot per (domain, suite)
    assert not EXTERNAL_REF.findall(page)
    assert "http://" not in page and "https://" not in page  # not even a namespace URI
    assert "<script" not in page.lower() and "<link rel=\"stylesheet\"" not in page


def test_user_text_is_escaped_in_html_and_markdown(tmp_path: Path) -> None:
    hostile = "<script>alert('x')</script>"
    cases = [make_case("kyc", "small", i, case_id=f"{hostile}{i}", input={"q": hostile},
                       warnings=[hostile], error=hostile if i == 0 else None) for i in range(3)]
    run_dir = write_run(tmp_path / "run", meta={"run_id": hostile, "unavailable": {"large": hostile}}, cases=cases)
    md_path, html_path = write_report(run_dir)
    page = html_path.read_text()
    assert "<script" not in page.lower()
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in page
    assert "<script" not in outside_fences(md_path.read_text()).lower()


def test_missing_run_json_names_the_path(tmp_path: Path) -> None:
    run_dir = write_run(tmp_path / "run")
    (run_dir / "run.json").unlink()
    with pytest.raises(RightsizedError, match=re.escape(str(run_dir / "run.json"))):
        load_run(run_dir)


def test_corrupt_files_name_path_and_line(tmp_path: Path) -> None:
    run_dir = write_run(tmp_path / "run")
    (run_dir / "cases.jsonl").write_text('{"domain": "kyc"}\n')
    with pytest.raises(RightsizedError, match=re.escape(f"{run_dir / 'cases.jsonl'}:1")):
        load_run(run_dir)
    (run_dir / "cases.jsonl").write_text("not json\n" + json.dumps(make_case("kyc", "small", 0)) + "\n")
    with pytest.raises(RightsizedError, match="not valid JSON"):
        load_run(run_dir)
    (run_dir / "run.json").write_text("{")
    with pytest.raises(RightsizedError, match=re.escape(str(run_dir / "run.json"))):
        load_run(run_dir)


def test_torn_last_line_is_skipped_and_reported(tmp_path: Path) -> None:
    run_dir = write_run(tmp_path / "run")
    with (run_dir / "cases.jsonl").open("a") as handle:
        handle.write('{"domain": "kyc", "tier": "sm')  # a crash mid-write leaves no newline
    run = load_run(run_dir)
    assert len(run.cases) == 40
    assert "torn last line" in run.notes[0]
    assert "torn last line" in write_report(run_dir)[0].read_text()
