"""A retail sample corpus built once, with cases run through the same runner as `rightsized run`."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from rightsized.domains.base import GoldCase
from rightsized.domains.inputs import build_input
from rightsized.domains.registry import get_domain
from rightsized.domains.results import TaskResult
from rightsized.domains.runner import DocumentIngester, run_case
from rightsized.pipelines.config import load_settings
from rightsized.pipelines.runtime import Workspace

REPO = Path(__file__).resolve().parents[1]
RETAIL_EXTERNAL = REPO.parent / "shared" / "data" / "external" / "retail_pricing"


class RetailHarness:
    """Usage::

        harness = RetailHarness(tmp_path, n=8)
        result = harness.run(harness.cases("price")[0])        # a PriceResult, via the runner
        harness.close()
    """

    def __init__(self, data_dir: Path, *, n: int, seed: int = 7, overrides: list[str] | None = None) -> None:
        self.settings = load_settings(overrides=[f"data_dir={data_dir}", *(overrides or [])])
        self.domain = get_domain("retail_pricing")
        self.corpus = self.domain.build_corpus(data_dir / "corpus", n=n, seed=seed)
        self.workspace = Workspace(self.settings, domain="retail_pricing")
        self.ingester = DocumentIngester(self.workspace, self.domain, namespace="retail")

    def cases(self, task: str) -> list[GoldCase]:
        return [c for c in self.corpus.gold if c.task == task]

    def run_input(self, task_name: str, request: dict[str, Any], tier: str = "baseline") -> TaskResult:
        task = self.domain.task(task_name)
        inputs = build_input(task.input_model, request=request, base=self.corpus.root)
        done = run_case(self.ingester, tier, task, task.case_name(inputs), inputs)
        assert done.error is None, (request, tier, done.error)
        return done.result  # type: ignore[return-value]

    def run(self, case: GoldCase, tier: str = "baseline") -> TaskResult:
        return self.run_input(case.task, case.input, tier)

    def scores(self, case: GoldCase, result: TaskResult) -> dict[str, Any]:
        task = self.domain.task(case.task)
        return task.score(case.expected, task.outcome(result))

    def close(self) -> None:
        self.workspace.close()
