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


HOUSE_RULES_MD = """# Acme Grocers: how we set shelf prices

## Margins
Every product must keep a gross margin of at least 30% of the shelf price.

| Category | Minimum margin |
|---|---|
| Snacks | 62% |
| Beverages | 35% |

## Discounts
- Markdowns may not exceed 20% off the list price.

## Price endings
All shelf prices end in .29 or .79.
"""


def test_a_policy_written_in_the_companys_own_words_is_enforced(documents: Path, tmp_path: Path) -> None:
    # before: "no pricing rule could be read" (exit 1): only 'Clause <id> — <kind>: ...' paragraphs were rules
    from fpdf import FPDF

    policy = tmp_path / "house_policy"
    policy.mkdir()
    (policy / "pricing_rules.md").write_text(HOUSE_RULES_MD)
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=11)
    pdf.multi_cell(0, 6, "Acme Grocers - Promotions\n\nBlackout periods\n\nNo discounts may be given between 1 January "
                         "2026 and 10 January 2026, when the new-year ranges are set and every store sells at list "
                         "price or above.")
    pdf.output(str(policy / "promotions.pdf"))
    tables = documents / "tables"
    done = rightsized("run", "retail_pricing", "price", "--input", f"sales={tables / 'sales_weekly.csv'}",
                      "--input", f"catalogue={tables / 'catalogue.csv'}", "--input", f"policy={policy}",
                      "--param", "store=S02", "--param", "sku=SNK-002", "--param", "as_of=2026-01-05", "--json")
    assert done.returncode == 0, done.stdout + done.stderr
    [price] = json.loads(done.stdout)["results"]
    cost = price["cost"]  # SNK-002 is a Snacks item: its own 62% floor holds, not only the general 30%
    assert price["status"] == "recommended" and (price["recommended_price"] - cost) / price["recommended_price"] >= 0.62
    assert str(price["recommended_price"]).endswith(("29", "79")) and price["recommended_price"] >= price["list_price"]
    applied = {c["clause"]: c["rule"] for c in price["applied"]}
    assert applied == {
        "pricing_rules.md \u00a7 Margins \u00b61": "margin at least 30%",
        "pricing_rules.md \u00a7 Margins \u00b62": "margin at least 62% (Snacks)",
        "pricing_rules.md \u00a7 Discounts \u00b64": "at most 20% below list price",
        "pricing_rules.md \u00a7 Price endings \u00b65": "ends in .29 or .79",
        "promotions.pdf \u00a7 Blackout periods \u00b61": "no discount from 2026-01-01 to 2026-01-10",
    }  # the Beverages row does not apply to a Snacks item
    assert set(price["citations"]) <= set(price["retrieved"])
