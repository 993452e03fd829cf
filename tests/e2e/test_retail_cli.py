"""`rightsized run retail_pricing ...` as a user runs it: real subprocesses, real files, exit codes."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def rightsized(*args: str, timeout: int = 600) -> subprocess.CompletedProcess[str]:
    exe = Path(sys.executable).with_name("rightsized")
    return subprocess.run([str(exe), *args], capture_output=True, text=True, timeout=timeout, env={**os.environ})


@pytest.fixture(scope="module")
def documents(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from rightsized.domains.registry import get_domain

    root = tmp_path_factory.mktemp("retail_corpus")  # built in-process: the CLI's `corpus` is tested elsewhere
    return get_domain("retail_pricing").build_corpus(root, n=3, seed=7).root


def test_forecast_and_price_from_the_cli_as_json(documents: Path) -> None:
    tables = documents / "tables"
    done = rightsized("run", "retail_pricing", "forecast", "--input", f"sales={tables / 'sales_weekly.csv'}",
                      "--param", "store=S01", "--param", "sku=BEV-001", "--param", "horizon=4", "--json")
    assert done.returncode == 0, done.stderr
    [result] = json.loads(done.stdout)["results"]
    assert result["store"] == "S01" and len(result["forecasts"]) == 4 and result["model"] in result["backtest_wape"]
    assert result["forecasts"][0]["period"] == "2025-12-29"  # the week after the last history week
    priced = rightsized("run", "retail_pricing", "price", "--input", f"sales={tables / 'sales_weekly.csv'}",
                        "--input", f"catalogue={tables / 'catalogue.csv'}", "--input", f"policy={documents / 'policy'}",
                        "--param", "store=S02", "--param", "sku=SNK-002", "--param", "as_of=2026-01-05", "--json")
    assert priced.returncode == 0, priced.stderr
    [price] = json.loads(priced.stdout)["results"]
    assert price["status"] == "recommended" and str(price["recommended_price"]).endswith(("49", "99"))
    assert price["citations"] and set(price["citations"]) <= set(price["retrieved"])


def test_a_malformed_table_fails_the_case_naming_file_line_and_column(documents: Path, tmp_path: Path) -> None:
    lines = (documents / "tables" / "sales_weekly.csv").read_text().splitlines()
    fields = lines[5].split(",")  # line 6 of the file: S01/BEV-001's fifth week
    fields[3] = "-7"  # units
    lines[5] = ",".join(fields)
    bad = tmp_path / "bad_sales.csv"
    bad.write_text("\n".join(lines) + "\n")
    done = rightsized("run", "retail_pricing", "forecast", "--input", f"sales={bad}", "--param", "store=S01",
                      "--param", "sku=BEV-001", "--json")
    assert done.returncode == 1, done.stderr
    [error] = json.loads(done.stdout)["errors"]
    assert error["type"] == "IngestError"
    assert str(bad) in error["message"] and "line 6, column 'units'" in error["message"] and "negative sales" in error["message"]
