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

from rightsized.eval.report import diff_lines, load_run, summarise_run, write_report
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
    assert "| tier | cases | field_accuracy (primary, higher is better) | groundedness (higher is better) |" in md
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
    assert 'label: expected "approve", got "reject"' in worst  # the differing field, not two JSON blobs
    kyc = md.split("## kyc")[1].split("###")[0]  # the domain opens with the answer
    assert "**synthetic cases:** mid is best on field_accuracy (higher is better): 0.833 vs 0.667 for the " \
           "runner-up small (+0.167), a difference within the noise (" in kyc
    assert "mid costs $0.0015 per case at a p50 latency of 0.7 s" in kyc


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


# ---- metric kinds and direction ---------------------------------------------------------------

FORECAST_SPECS = {"fc": [
    {"name": "wape", "task": "forecast", "kind": "ratio", "higher_is_better": False, "primary": True,
     "description": "sum |error| / sum |actual|"},
    {"name": "abs_error", "task": "forecast", "kind": "mean", "higher_is_better": False, "primary": False,
     "description": ""},
]}
# tier -> per case (numerator, denominator) of wape; the case ratios are shown, the sums aggregated.
WAPE_PARTS = {"small": [(2, 4), (3, 16), (1, 4), (0, 0)], "mid": [(4, 4), (8, 16), (2, 4), (0, 0)]}
ABS_ERROR = {"small": [2.0, 3.0, 1.0, 0.0], "mid": [4.0, 8.0, 2.0, 0.0]}


def forecast_case(tier: str, i: int, **overrides: Any) -> dict[str, Any]:
    num, den = WAPE_PARTS[tier][i]
    case = {"domain": "fc", "tier": tier, "case_id": f"fc-{i}", "suite": "synthetic", "task": "forecast", "tags": [],
            "input": {"series": f"s{i}"}, "expected": {"values": [1, 2]}, "outcome": {"values": [1, 2 + i]},
            "scores": {"wape": num / den if den else None, "abs_error": ABS_ERROR[tier][i]},
            "parts": {"wape": [num, den]}, "latency_s": 0.1 * (i + 1) * (3 if tier == "mid" else 1),
            "prompt_tokens": 10, "completion_tokens": 5, "cost_usd": 0.0 if tier == "small" else 0.002,
            "warnings": [], "error": None, "error_type": None, "ingest_errors": []}
    return {**case, **overrides}


def write_forecast_run(root: Path, cases: list[dict[str, Any]] | None = None) -> Path:
    meta = {"domains": ["fc"], "tiers": ["small", "mid"], "unavailable": {}, "primary_metric": {"fc": "wape"},
            "metric_specs": FORECAST_SPECS, "status": "finished"}
    if cases is None:
        cases = [forecast_case(t, i) for t in ("small", "mid") for i in range(4)]
    return write_run(root, meta=meta, cases=cases)


def test_ratio_metric_is_a_ratio_of_sums_and_a_mean_metric_a_mean(tmp_path: Path) -> None:
    summaries = {s.tier: s for s in summarise_run(load_run(write_forecast_run(tmp_path / "run")))}
    small = summaries["small"].metrics
    # (2 + 3 + 1 + 0) / (4 + 16 + 4 + 0) = 0.25; the mean of the case ratios would be 0.3125.
    assert small["wape"].mean == pytest.approx(0.25)
    assert (small["wape"].n, small["wape"].kind, small["wape"].higher_is_better, small["wape"].primary) == \
        (4, "ratio", False, True)
    assert summaries["mid"].metrics["wape"].mean == pytest.approx(14 / 24)  # mean of ratios: 0.667
    assert small["abs_error"].mean == pytest.approx(1.5) and small["abs_error"].kind == "mean"
    assert list(small) == ["wape", "abs_error"]  # primary first


def test_lower_is_better_primary_picks_the_smallest_as_best_and_worst(tmp_path: Path) -> None:
    run_dir = write_forecast_run(tmp_path / "run")
    md = write_report(run_dir)[0].read_text()
    assert "| tier | cases | wape (primary, lower is better) | abs_error (lower is better) |" in md
    answer = md.split("## fc")[1].split("###")[0]
    assert "small is best on wape (lower is better): 0.250 vs 0.583 for the runner-up mid (-0.333)" in answer
    assert "small costs $0 per case at a p50 latency of 0.25 s; mid costs $0.002 per case" in answer
    worst = md.split("#### Worst cases per tier (errors, then highest wape, then warnings)")[1]
    small = worst.split("**small**")[1].split("**mid**")[0]
    # Highest wape first: fc-0 (0.5), then fc-2 (0.25); fc-1 (0.1875) is the tier's best, left out.
    assert small.index("case: fc-0") < small.index("case: fc-2") and "case: fc-1" not in small


def test_old_runs_without_specs_read_as_higher_is_better(tmp_path: Path) -> None:
    summaries = {(s.domain, s.suite, s.tier): s for s in summarise_run(load_run(write_run(tmp_path / "run")))}
    synthetic, real = summaries[("claims", "synthetic", "small")], summaries[("claims", "real", "small")]
    assert synthetic.metrics["label_accuracy"].higher_is_better
    # A metric's kind is decided over the domain: 0.5 values in the real suite make it a mean.
    assert synthetic.metrics["label_accuracy"].kind == real.metrics["label_accuracy"].kind == "mean"
    run = load_run(tmp_path / "run")
    assert "status" not in run.meta and run.status == "finished"


# ---- worst cases as a diff --------------------------------------------------------------------

EXPECTED = {"fields": {"date_of_birth": "1990-01-02", "name": "A"}, "label": "approve",
            "flags": {"sanctions_hit": True}, "reasons": ["pep", "address"], "items": [{"sku": 1}, {"sku": 2}],
            "score": 1}
OUTCOME = {"fields": {"date_of_birth": "1990-02-01", "name": "A"}, "label": "review",
           "flags": {"sanctions_hit": False}, "reasons": ["address", "expired"], "items": [{"sku": 1}, {"sku": 3}],
           "score": 1.0, "extra": None}


def test_diff_lines_name_each_differing_path_in_nested_values() -> None:
    assert diff_lines(EXPECTED, OUTCOME) == [
        "extra: expected (absent), got null",
        'fields.date_of_birth: expected "1990-01-02", got "1990-02-01"',
        "flags.sanctions_hit: expected true, got false",
        "items[1].sku: expected 2, got 3",
        'label: expected "approve", got "review"',
        'reasons["pep"]: expected present, got absent',  # plain-value lists are compared by value
        'reasons["expired"]: expected absent, got present',
    ]  # score 1 vs 1.0 is no difference
    assert diff_lines(EXPECTED, OUTCOME, limit=2)[2] == "… and 5 more difference(s)"
    assert diff_lines(["a", "b"], ["b", "a"]) == ['[0]: expected "a", got "b"', '[1]: expected "b", got "a"']
    assert diff_lines({"values": [1, 2]}, {"values": [1, 4, 5]}) == [  # numbers: by index, never by value
        "values[1]: expected 2, got 4", "values[2]: expected (absent), got 5"]
    assert diff_lines(EXPECTED, dict(EXPECTED)) == ["no difference between expected and outcome"]
    assert diff_lines({"ok": True}, {"ok": 1}) == ["ok: expected true, got 1"]


def test_worst_cases_show_the_diff_and_a_short_input(tmp_path: Path) -> None:
    cases = [make_case("kyc", "small", i, expected=EXPECTED, outcome=OUTCOME if i == 1 else EXPECTED,
                       input={"document": "x" * 1000}) for i in range(3)]
    md = write_report(write_run(tmp_path / "run", cases=cases))[0].read_text()
    worst = md.split("#### Worst cases")[1]
    assert 'expected vs outcome:\n  extra: expected (absent), got null\n  fields.date_of_birth: expected ' in worst
    assert "input: {\"document\": \"" + "x" * 100 in worst and "(+" in worst and "x" * 1000 not in worst


# ---- plots, unknowns, failed runs -------------------------------------------------------------

def test_a_plot_without_spread_is_replaced_by_a_sentence(tmp_path: Path) -> None:
    cases = [make_case(d, t, i, cost_usd=0.0) for d in DOMAINS for t in ("small", "mid") for i in range(10)]
    run_dir = write_run(tmp_path / "run", cases=cases)
    md_path, html_path = write_report(run_dir)
    md = md_path.read_text()
    assert md.count("Every tier costs $0 per case: no cost plot.") == 4
    assert "](plot-kyc-synthetic-cost.svg)" not in md and not (run_dir / "plot-kyc-synthetic-cost.svg").exists()
    assert "](plot-kyc-synthetic-latency.svg)" in md  # latencies differ: that plot stays
    page = html_path.read_text()
    assert page.count("<svg") == 4 and "Every tier costs $0 per case: no cost plot." in page


def test_a_single_tier_gets_no_plots_and_says_it_ran_alone(tmp_path: Path) -> None:
    cases = [make_case("kyc", "small", i) for i in range(6)]
    md_path, html_path = write_report(write_run(tmp_path / "run", cases=cases))
    md = md_path.read_text()
    assert "**synthetic cases:** Only small ran on these cases, so there is nothing to compare" in md
    assert "Only small has a field_accuracy value, nothing to compare it with: no cost plot." in md
    assert "<svg" not in html_path.read_text()


def test_unknown_tokens_and_cost_are_shown_as_unknown_never_as_zero(tmp_path: Path) -> None:
    cases = [make_case("kyc", t, i, prompt_tokens=None if (t, i) in {("small", 0), ("small", 1)} else 100,
                       completion_tokens=None if t == "small" else 20,
                       cost_usd=None if (t, i) == ("small", 2) else 0.001) for t in ("small", "mid") for i in range(6)]
    run_dir = write_run(tmp_path / "run", cases=cases)
    small = next(s for s in summarise_run(load_run(run_dir)) if s.tier == "small")
    assert (small.prompt_tokens, small.prompt_tokens_unknown) == (400, 2)
    assert (small.completion_tokens, small.completion_tokens_unknown) == (None, 6)
    assert small.cost_per_case_usd is None and small.cost_unknown == 1
    md = write_report(run_dir)[0].read_text()
    assert "| small | 6 | 0 | 1 | 0.35 | 0.575 | unknown (1 of 6 cases) | 400 (+2 unknown) | unknown |" in md
    assert "| mid | 6 | 1 | 0 | 0.7 | 1.15 | 0.001 | 600 | 120 |" in md
    assert "small costs an unknown amount per case" in md  # the answer does not call it free either


@pytest.mark.parametrize(("status", "cases_file"), [("failed", None), ("stopped", "")])
def test_a_run_that_recorded_no_cases_still_gets_a_report_saying_why(tmp_path: Path, status: str,
                                                                      cases_file: str | None) -> None:
    run_dir = write_run(tmp_path / "run", cases=[], meta={
        "status": status, "error": "RuntimeError: corpus build failed", "primary_metric": {},
        "failed_domains": {"claims": "ImportError: no module named claims_rules"},
        "skipped_suites": {"kyc/real": "no real data under data/external/kyc"}})
    if cases_file is None:
        (run_dir / "cases.jsonl").unlink()
    md_path, html_path = write_report(run_dir)
    md, page = md_path.read_text(), html_path.read_text()
    assert f"**This run {status}: RuntimeError: corpus build failed. No cases were recorded.**" in md
    assert "domain **claims** could not be loaded: ImportError: no module named claims_rules" in md
    assert "This domain could not be loaded: ImportError" in md.split("## claims")[1]
    assert "suite **kyc/real** skipped: no real data" in md and "The real suite was skipped" in md
    assert md.count("No cases were recorded for this domain.") == 2
    assert f"This run {status}: RuntimeError: corpus build failed." in page
    assert summarise_run(load_run(run_dir)) == []


def _answer(tmp_path: Path, small: list[int], mid: list[int]) -> str:
    """The synthetic kyc answer for 0/1 field_accuracy scores per case (old-format run: inferred proportion)."""
    scores = {"small": small, "mid": mid}
    cases = [make_case("kyc", t, i % 6, suite="synthetic", case_id=f"k{i}", scores={"field_accuracy": s},
                       error=None, latency_s=0.1, cost_usd=0.0) for t in scores for i, s in enumerate(scores[t])]
    md = write_report(write_run(tmp_path / "run", cases=cases))[0].read_text()
    return md.split("**synthetic cases:** ")[1].split("\n")[0]


def test_answer_says_outside_the_noise_when_mcnemar_says_so(tmp_path: Path) -> None:
    answer = _answer(tmp_path, small=[0] * 12 + [1] * 4, mid=[1] * 16)  # 12 discordant pairs, all one way
    assert answer.startswith("mid is best on field_accuracy (higher is better): 1.000 vs 0.250 for the runner-up "
                             "small (+0.750), a difference outside the noise (p=0.00049, McNemar exact")


def test_answer_says_when_all_tiers_tie(tmp_path: Path) -> None:
    answer = _answer(tmp_path, small=[1, 0, 1, 1], mid=[1, 1, 0, 1])
    assert answer.startswith("All 2 scored tiers tie on field_accuracy (0.750), so cost and latency decide: "
                             "small costs $0 per case at a p50 latency of 0.1 s; mid costs $0")


# ---- rows per input variant and sections per task ----------------------------------------------

VARIANT_SPECS = {"kyc": [{"name": "field_accuracy", "task": "check", "kind": "proportion", "higher_is_better": True,
                          "primary": True, "description": ""}]}
# Per tier, eight 0/1 scores: cases 0-3 are the typed variant, 4-7 the scanned one.
VARIANT_SCORES = {"small": [1, 1, 1, 1, 0, 0, 1, 0], "mid": [1, 1, 1, 0, 1, 0, 1, 1]}


def write_variant_run(root: Path) -> Path:
    cases = [make_case("kyc", tier, i, suite="synthetic", case_id=f"k{i}", task="check",
                       tags=["typed" if i < 4 else "scanned"], scores={"field_accuracy": VARIANT_SCORES[tier][i]},
                       error=None, warnings=[], latency_s=0.1 * (i + 1), prompt_tokens=100 if i < 4 else 300,
                       cost_usd=0.0 if tier == "small" else (0.001 if i < 4 else 0.003))
             for tier in VARIANT_SCORES for i in range(8)]
    meta = {"domains": ["kyc"], "primary_metric": {"kyc": "field_accuracy"}, "metric_specs": VARIANT_SPECS,
            "report_by": {"kyc": ["typed", "scanned", "handwritten"]}}  # no case is handwritten: no such row
    return write_run(root, meta=meta, cases=cases)


def test_report_by_adds_a_row_per_variant_with_that_subsets_aggregates(tmp_path: Path) -> None:
    run = load_run(write_variant_run(tmp_path / "run"))
    rows = summarise_run(run, split=True)
    assert [r.label for r in rows] == ["small", "small · typed", "small · scanned", "mid", "mid · typed",
                                       "mid · scanned"]
    by_label = {r.label: r for r in rows}
    typed, scanned, small = by_label["small · typed"], by_label["small · scanned"], by_label["small"]
    assert (small.cases, small.metrics["field_accuracy"].mean) == (8, pytest.approx(5 / 8))
    assert (typed.cases, typed.variant, typed.tier, typed.metrics["field_accuracy"].mean) == (4, "typed", "small", 1.0)
    assert scanned.metrics["field_accuracy"].mean == pytest.approx(1 / 4)
    # Wilson 95% for 1 of 4: center (0.25 + z²/8) / (1 + z²/4) = 0.3725, half-width 0.3269.
    assert (scanned.metrics["field_accuracy"].low, scanned.metrics["field_accuracy"].high) == \
        (pytest.approx(0.0456, abs=1e-4), pytest.approx(0.6994, abs=1e-4))
    assert (typed.latency_p50_s, scanned.latency_p50_s) == (pytest.approx(0.25), pytest.approx(0.65))
    assert (typed.prompt_tokens, scanned.prompt_tokens, small.prompt_tokens) == (400, 1200, 1600)
    mid = {r.variant: r.cost_per_case_usd for r in rows if r.tier == "mid"}
    assert mid == {None: pytest.approx(0.002), "typed": pytest.approx(0.001), "scanned": pytest.approx(0.003)}
    # recommend and the JSON output read the all-cases rows, which stay one per tier.
    assert [(r.label, r.variant) for r in summarise_run(run)] == [("small", None), ("mid", None)]
    assert summarise_run(run)[0] == small


def test_report_tables_and_answer_show_the_variant_rows(tmp_path: Path) -> None:
    md_path, html_path = write_report(write_variant_run(tmp_path / "run"))
    md = md_path.read_text()
    assert "| small | 8 | 0.625 [" in md and "| small · typed | 4 | 1.000 [" in md
    assert "| small · scanned | 4 | 0.250 [0.046, 0.699] |" in md
    assert "| mid · scanned | 4 | 0 | 0 | 0.65 | 0.785 | 0.003 | 1,200 | 80 |" in md  # latencies 0.5 .. 0.8 s
    assert "handwritten" not in md.split("## kyc")[1]
    answer = md.split("**synthetic cases:** ")[1].split("\n")[0]
    assert answer.startswith("mid is best on field_accuracy (higher is better): 0.750 vs 0.625 for the runner-up")
    assert answer.endswith("Best on field_accuracy per variant (point estimates; intervals in the table): "
                           "typed: small (1.000); scanned: mid (0.750).")
    assert "](plot-kyc-synthetic-cost.svg)" in md  # one point per tier: both tiers have latencies 0.1 .. 0.8 s
    assert "Every tier has a p50 latency of 0.45 s: no latency plot." in md
    assert ">small · scanned<" in html_path.read_text()


def test_terminal_summary_shows_the_variant_rows_of_the_all_cases_rows_it_is_given(tmp_path: Path) -> None:
    from rich.console import Console

    from rightsized.pipelines.app.views import render_run_summary

    run = load_run(write_variant_run(tmp_path / "run"))
    console = Console(record=True, width=240)
    render_run_summary(console, run, [s for s in summarise_run(run) if s.tier == "mid"])
    text = console.export_text()
    assert "mid · typed" in text and "mid · scanned" in text and "kyc (synthetic suite)" in text
    assert "small" not in text  # the caller chose the tiers; the view only splits them


TASK_SPECS = {"claims": [
    {"name": "label_accuracy", "task": "triage", "kind": "proportion", "higher_is_better": True, "primary": True,
     "description": ""},
    {"name": "abs_error", "task": "estimate", "kind": "mean", "higher_is_better": False, "primary": True,
     "description": ""},
    {"name": "within_10pct", "task": "estimate", "kind": "proportion", "higher_is_better": True, "primary": False,
     "description": ""},
]}
TRIAGE = {"small": [1, 1, 1, 1], "mid": [1, 1, 1, 0]}
ABS_ERROR_BY_TIER = {"small": [5.0, 40.0, 0.0, 10.0], "mid": [2.0, 1.0, 0.0, 3.0]}


def write_task_run(root: Path) -> Path:
    """Small is perfect on triage and poor on estimates: a report ranking every case by the
    domain's primary (label_accuracy) would show none of its estimate failures."""
    common = {"suite": "synthetic", "error": None, "warnings": [], "cost_usd": 0.0}
    cases = []
    for tier in ("small", "mid"):
        cases += [make_case("claims", tier, i, case_id=f"t{i}", task="triage", tags=[],
                            scores={"label_accuracy": TRIAGE[tier][i]}, latency_s=0.1 * (i + 1), **common)
                  for i in range(4)]
        cases += [make_case("claims", tier, i, case_id=f"e{i}", task="estimate", tags=[],
                            expected={"amount": 100}, outcome={"amount": 100 + ABS_ERROR_BY_TIER[tier][i]},
                            scores={"abs_error": ABS_ERROR_BY_TIER[tier][i],
                                    "within_10pct": int(ABS_ERROR_BY_TIER[tier][i] <= 10)},
                            latency_s=(1.0 if tier == "small" else 2.0) * (i + 1), **common) for i in range(4)]
    meta = {"domains": ["claims"], "primary_metric": {"claims": "label_accuracy"}, "metric_specs": TASK_SPECS}
    return write_run(root, meta=meta, cases=cases)


def test_each_task_gets_its_own_rows_on_its_own_metrics(tmp_path: Path) -> None:
    run = load_run(write_task_run(tmp_path / "run"))
    rows = {(r.task, r.tier): r for r in summarise_run(run, split=True)}
    assert list(rows) == [("triage", "small"), ("triage", "mid"), ("estimate", "small"), ("estimate", "mid")]
    assert list(rows[("triage", "mid")].metrics) == ["label_accuracy"]  # no empty estimate columns
    estimate = rows[("estimate", "small")]
    assert list(estimate.metrics) == ["abs_error", "within_10pct"] and estimate.metrics["abs_error"].primary
    assert (estimate.cases, estimate.metrics["abs_error"].mean, estimate.latency_p50_s) == (4, 13.75, 2.5)
    # The all-cases rows recommend reads: one per tier over both tasks, the domain's primary marked.
    [small, _] = summarise_run(run)
    assert (small.task, small.cases, small.latency_p50_s) == (None, 8, pytest.approx(0.7))  # (0.4 + 1) / 2
    assert small.metrics["label_accuracy"].primary and not small.metrics["abs_error"].primary


def test_each_task_gets_its_own_answer_worst_cases_and_plots(tmp_path: Path) -> None:
    run_dir = write_task_run(tmp_path / "run")
    md = write_report(run_dir)[0].read_text()
    assert "**synthetic cases, task triage:** small is best on label_accuracy (higher is better): 1.000 vs 0.750 " \
           "for the runner-up mid (+0.250)" in md
    assert "**synthetic cases, task estimate:** mid is best on abs_error (lower is better): 1.500 vs 13.750 " \
           "for the runner-up small (-12.250)" in md
    triage, estimate = md.split("### claims: synthetic cases, task triage")[1].split(
        "### claims: synthetic cases, task estimate")
    assert "| tier | cases | label_accuracy (primary, higher is better) |\n" in triage and "abs_error" not in triage
    assert "| tier | cases | abs_error (primary, lower is better) | within_10pct (higher is better) |" in estimate
    worst = estimate.split("#### Worst cases per tier (errors, then highest abs_error, then warnings)")[1]
    small = worst.split("**small**")[1].split("**mid**")[0]
    # Highest error first: e1 (40), e3 (10), e0 (5); e2 (0) is small's best and is left out.
    assert [line.split(": ")[1] for line in small.splitlines() if line.startswith("case: ")] == ["e1", "e3", "e0"]
    assert "abs_error: 40.000" in small and "amount: expected 100, got 140.0" in small
    assert "case: t3" in triage.split("**mid**")[1] and "No failed, below-best or warned cases." in triage
    for task in ("triage", "estimate"):
        for kind in ("cost", "latency"):
            assert f"plot-claims-synthetic-{task}-{kind}.svg" in md or f"no {kind} plot" in md
    assert (run_dir / "plot-claims-synthetic-estimate-latency.svg").exists()
    assert "Every tier costs $0 per case: no cost plot." in estimate


def test_terminal_summary_has_a_table_per_task(tmp_path: Path) -> None:
    from rich.console import Console

    from rightsized.pipelines.app.views import render_run_summary

    run = load_run(write_task_run(tmp_path / "run"))
    console = Console(record=True, width=240)
    render_run_summary(console, run, summarise_run(run))
    text = console.export_text()
    triage, estimate = text.split("claims (synthetic suite, task triage)")[1].split(
        "claims (synthetic suite, task estimate)")
    assert "label accuracy ↑ *" in triage and "abs error" not in triage
    assert "abs error ↓ *" in estimate and "within 10pct ↑" in estimate and "label accuracy" not in estimate


def test_old_runs_without_tasks_or_report_by_split_into_the_same_rows(tmp_path: Path) -> None:
    run = load_run(write_run(tmp_path / "run"))
    assert "report_by" not in run.meta and all("task" not in c for c in run.cases)
    assert summarise_run(run, split=True) == summarise_run(run)
    md = write_report(tmp_path / "run")[0].read_text()
    assert "### kyc: synthetic cases\n" in md and "task" not in md and "·" not in md


def test_report_by_that_is_not_a_list_of_tags_is_refused(tmp_path: Path) -> None:
    run_dir = write_run(tmp_path / "run", meta={"report_by": {"kyc": "typed"}})
    with pytest.raises(RightsizedError, match="report_by of kyc: must be a list of case tags"):
        load_run(run_dir)
