"""A domain added from a test directory through the `rightsized.domains` entry point, run through
`tasks`, `run`, `eval`, `report`, `compare` and `recommend` without touching shared code.

The plugin (tests/plugins/toy_forecast.py) has a task whose input is a CSV table read by the task
plus a parameter (no folder, nothing ingested), and a lower-is-better ratio metric (WAPE). A
second entry point names a module that does not exist: it is listed with its error and the rest
keeps working (issue 8, finding 8).
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = [pytest.mark.integration, pytest.mark.slow]

PLUGINS = Path(__file__).resolve().parents[1] / "plugins"


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """A distribution's metadata on the path, exactly as `pip install` of a plugin would leave it."""
    site = tmp_path_factory.mktemp("site")
    info = site / "toy_forecast_plugin-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: toy-forecast-plugin\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text(
        "[rightsized.domains]\ntoy_forecast = toy_forecast:domain\ntoy_broken = toy_missing_module:domain\n")
    return {"PYTHONPATH": os.pathsep.join([str(site), str(PLUGINS)]),
            "RIGHTSIZED_DATA_DIR": str(tmp_path_factory.mktemp("data"))}


def rightsized(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    exe = Path(sys.executable).with_name("rightsized")
    return subprocess.run([str(exe), *args], capture_output=True, text=True, timeout=600, env={**os.environ, **env})


def test_tasks_lists_the_plugin_and_the_broken_one_with_its_error(env: dict[str, str]) -> None:
    done = rightsized(env, "tasks", "--json")
    assert done.returncode == 1, done.stderr  # something failed to load: the exit code says so
    listed = {d["domain"]: d for d in json.loads(done.stdout)}
    assert "ModuleNotFoundError" in listed["toy_broken"]["error"]
    assert "bfsi_kyc" in listed and "error" not in listed["bfsi_kyc"]
    [forecast] = listed["toy_forecast"]["tasks"]
    assert forecast["files"] == [{"name": "series", "ingested": False, "kind": "file", "batch": False,
                                  "required": True, "description": "A CSV with one column `value`, oldest first."}]
    assert forecast["params"][0]["name"] == "horizon" and forecast["params"][0]["type"] == "integer"
    assert forecast["metrics"][0] == {"name": "wape", "kind": "ratio", "higher_is_better": False, "primary": True,
                                      "description": "sum |error| / sum actual", "task": "forecast",
                                      "reduce": None, "threshold": None}


def test_run_reads_the_table_itself_and_embeds_nothing(env: dict[str, str], tmp_path: Path) -> None:
    """Finding 1: a CSV of sales became one embedded chunk per row; a request of parameters
    could not be expressed at all."""
    series = tmp_path / "sales.csv"
    series.write_text("value\n10\n12\n11\n13\n")
    done = rightsized(env, "run", "toy_forecast", "forecast", "--input", str(series), "--param", "horizon=2", "--json")
    assert done.returncode == 0, done.stderr
    output = json.loads(done.stdout)
    assert output["ingest"]["files_seen"] == 0 and output["ingest"]["chunks_added"] == 0
    [result] = output["results"]
    assert (result["task"], result["tier"], result["method"], result["forecast"]) == ("forecast", "baseline",
                                                                                       "naive", [13.0, 13.0])
    assert result["usage"]["llm_calls"] == 0 and result["retrieved"] == []
    request = tmp_path / "request.yaml"
    request.write_text("series: sales.csv\nhorizon: 1\n")  # relative to the request file
    again = rightsized(env, "run", "toy_forecast", "--request", str(request), "--json")
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout)["results"][0]["forecast"] == [13.0]


def test_eval_report_compare_and_recommend_follow_the_plugins_declaration(env: dict[str, str]) -> None:
    done = rightsized(env, "eval", "--domain", "toy_forecast", "--domain", "toy_broken", "--tier", "baseline",
                      "--tier", "small", "--n", "6", "--json")
    assert done.returncode == 1, done.stderr  # toy_broken failed to load; toy_forecast still ran
    run = json.loads(done.stdout)
    assert "ModuleNotFoundError" in run["failed_domains"]["toy_broken"]
    assert run["skipped_suites"] == {"toy_forecast/real": "domain 'toy_forecast' has no real-data suite"}
    run_dir = Path(run["run_dir"])
    cases = [json.loads(line) for line in (run_dir / "cases.jsonl").read_text().splitlines()]
    assert len(cases) == 12 and all(c["error"] is None for c in cases)
    wape = {}  # the ratio of sums, computed here from the stored parts
    for tier in ("baseline", "small"):
        parts = [c["parts"]["wape"] for c in cases if c["tier"] == tier]
        wape[tier] = sum(p[0] for p in parts) / sum(p[1] for p in parts)
    summaries = {s["tier"]: s for s in run["summaries"]}
    for tier in wape:
        assert summaries[tier]["metrics"]["wape"]["mean"] == pytest.approx(wape[tier])
    best, worst = sorted(wape, key=wape.get)
    report = (run_dir / "report.md").read_text()
    assert f"{best} is best on wape (lower is better)" in report
    assert "wape (primary, lower is better)" in report

    compared = rightsized(env, "compare", str(run_dir), str(run_dir), "--json")
    assert compared.returncode == 0, compared.stderr
    deltas = [d for d in json.loads(compared.stdout) if d["metric"] == "wape"]
    assert deltas and all(d["delta"] == 0 and d["verdict"] == "no clear difference" for d in deltas)

    advice = rightsized(env, "recommend", "--domain", "toy_forecast", "--requests-per-day", "1000", "--constraint",
                        "accuracy", "--deployment", "edge", "--json")
    assert advice.returncode == 0, advice.stderr
    recommendation = json.loads(advice.stdout)
    assert recommendation["choice"] == best and recommendation["higher_is_better"] is False
    bar = (wape[best] + wape[worst]) / 2  # a maximum for a lower-is-better metric
    capped = rightsized(env, "recommend", "--domain", "toy_forecast", "--requests-per-day", "1000", "--constraint",
                        "latency", "--deployment", "edge", "--min-quality", str(bar), "--json")
    eligible = {c["tier"]: c["eligible"] for c in json.loads(capped.stdout)["candidates"]}
    assert eligible == {best: True, worst: False}
