"""The `real` suite built from ../shared/data/external/retail_pricing, a few cases of each kind run
through the runner (the whole suite is `rightsized eval --domain retail_pricing --suite real`)."""
from __future__ import annotations

from pathlib import Path

import pytest

from rightsized.domains.base import SuiteUnavailable
from rightsized.domains.inputs import build_input
from rightsized.domains.registry import get_domain
from rightsized.domains.runner import DocumentIngester, run_case
from rightsized.pipelines.config import load_settings
from rightsized.pipelines.runtime import Workspace
from tests.retail_support import RETAIL_EXTERNAL

pytestmark = [pytest.mark.integration, pytest.mark.slow,
              pytest.mark.skipif(not RETAIL_EXTERNAL.is_dir(), reason=f"{RETAIL_EXTERNAL} is absent")]


def test_without_a_configured_folder_the_suite_is_unavailable_with_the_reason(tmp_path: Path) -> None:
    domain = get_domain("retail_pricing")
    with pytest.raises(SuiteUnavailable, match="external_dir"):
        domain.real_corpus(tmp_path, domain.configure({}))
    with pytest.raises(SuiteUnavailable, match="missing"):
        domain.real_corpus(tmp_path, domain.configure({"external_dir": str(tmp_path)}))


def _with_few_peers(request: dict, root: Path, tmp_path: Path, keep: int = 6) -> dict:
    """The case's table cut to its own series and a few peers: the model is chosen over the whole
    table (811 UCI products: minutes of AutoARIMA), which is the suite's job, not this test's."""
    source = root / request["sales"]
    lines = source.read_text().splitlines()
    keys = list(dict.fromkeys(tuple(line.split(",")[1:3]) for line in lines[1:]))
    own = (request["store"], request["sku"])
    kept = {own, *[k for k in keys if k != own][: keep - 1]}
    target = tmp_path / f"few_{source.name}"
    target.write_text("\n".join([lines[0], *[line for line in lines[1:] if tuple(line.split(",")[1:3]) in kept]]) + "\n")
    return {**request, "sales": str(target)}


def test_real_cases_run_through_the_runner(tmp_path: Path) -> None:
    domain = get_domain("retail_pricing")
    config = domain.configure({"external_dir": str(RETAIL_EXTERNAL)})
    corpus = domain.real_corpus(tmp_path / "real", config)
    tags = [c.tags[1] for c in corpus.gold]
    assert tags.count("uci") == 811 and tags.count("iowa") == 120 and tags.count("elasticity") == 8
    assert sum("walmart" in c.tags for c in corpus.gold) == 45
    assert sum("walmart_rolling" in c.tags for c in corpus.gold) == 135
    workspace = Workspace(load_settings(overrides=[f"data_dir={tmp_path / 'data'}"]), domain="retail_pricing")
    ingester = DocumentIngester(workspace, domain, namespace="retail-real")
    picked = ([c for c in corpus.gold if "uci" in c.tags][:2] + [c for c in corpus.gold if "walmart" in c.tags][:1]
              + [c for c in corpus.gold if "iowa" in c.tags][:3] + [c for c in corpus.gold if "elasticity" in c.tags][:1])
    try:
        for case in picked:
            task = domain.task(case.task)
            request = _with_few_peers(case.input, corpus.root, tmp_path) if case.task == "forecast" else case.input
            inputs = build_input(task.input_model, request=request, base=corpus.root)
            done = run_case(ingester, "baseline", task, case.case_id, inputs)
            assert done.error is None, (case.case_id, done.error)
            scores = task.score(case.expected, task.outcome(done.result))
            if case.task == "ask":
                assert scores["qa_accuracy"] == 1.0, (case.input["question"], done.result.answer, case.expected)
            elif case.task == "forecast":
                numerator, denominator = scores["forecast_wape"]
                assert 0 <= numerator / denominator < (0.1 if "walmart" in case.tags else 1.5)
            else:
                assert scores["policy_compliance"] == 1.0 and scores["elasticity_error"] < 0.5
    finally:
        workspace.close()
