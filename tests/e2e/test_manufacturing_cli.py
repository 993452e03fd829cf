"""`rightsized run manufacturing_maintenance ...` as a user runs it: real subprocess, files, exit codes."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from rightsized.domains.registry import get_domain

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def rightsized(*args: str) -> subprocess.CompletedProcess[str]:
    exe = Path(sys.executable).with_name("rightsized")
    return subprocess.run([str(exe), *args], capture_output=True, text=True, timeout=600, env={**os.environ})


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # built in-process: `rightsized corpus` itself is covered by tests/e2e/test_cli.py
    root = tmp_path_factory.mktemp("mm-corpus")
    return get_domain("manufacturing_maintenance").build_corpus(root, n=4, seed=7).root


def test_diagnose_is_the_default_task_and_prints_json(corpus: Path, tmp_path: Path) -> None:
    # M02 is a VMC-600: its manual and the log are the library (the other manuals would only add ingest time)
    library = tmp_path / "library"
    shutil.copytree(corpus / "library" / "logs", library / "logs")
    (library / "manuals").mkdir()
    shutil.copy(corpus / "library" / "manuals" / "manual_VMC-600.pdf", library / "manuals")
    done = rightsized("run", "manufacturing_maintenance", "--input", f"telemetry={corpus / 'telemetry' / 'M02.csv'}",
                      "--input", f"library={library}", "--tier", "baseline", "--json")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["task"] == "diagnose" and not report["errors"]
    result = report["results"][0]
    assert result["task"] == "diagnose" and result["risk"] == "high" and result["ranked"][0] == "HDF"
    assert result["manual_rows"][0]["row_id"] == "VMC600-TS-02"
    assert set(result["citations"]) <= set(result["retrieved"])
