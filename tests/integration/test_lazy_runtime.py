"""A task that never retrieves never loads an embedder or opens a store.

Why: `rightsized run hr_resume parse` (a resume read by the task itself) spent most of its time
loading sentence-transformers and opening Milvus Lite for nothing; a tier's embedder and store
now load on first use.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from rightsized.domains.runner import DocumentIngester, run_case
from rightsized.pipelines.config import load_settings
from rightsized.pipelines.runtime import Workspace
from tests.plugins.toy_forecast import ForecastInput, ToyForecastDomain

pytestmark = [pytest.mark.integration]


def test_a_task_without_ingested_inputs_loads_no_embedder_and_opens_no_store(tmp_path: Path) -> None:
    settings = load_settings(overrides=[f"data_dir={tmp_path / 'data'}"])
    series = tmp_path / "series.csv"
    series.write_text("value\n1\n2\n3\n4\n")
    domain = ToyForecastDomain()
    workspace = Workspace(settings, domain=domain.name)
    try:
        case = run_case(DocumentIngester(workspace, domain), "baseline", domain.task(), "s1",
                        ForecastInput(series=series, horizon=2))
        assert case.error is None and case.result.forecast == [4.0, 4.0]
        runtime = workspace.tier("baseline")
        assert "embedder" not in vars(runtime) and "store" not in vars(runtime)  # never built
        assert not (tmp_path / "data").exists() or not any((tmp_path / "data").rglob("*.db"))
        assert runtime.retriever.retrieve("anything", k=1) == []  # first use loads them, empty store
        assert "store" in vars(runtime)
    finally:
        workspace.close()
