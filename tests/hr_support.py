"""An HR corpus ingested once, with cases run through the same runner as `rightsized run`."""
from __future__ import annotations

from pathlib import Path

from rightsized.domains.base import GoldCase
from rightsized.domains.inputs import build_input
from rightsized.domains.registry import get_domain
from rightsized.domains.results import TaskResult
from rightsized.domains.runner import CaseRun, DocumentIngester, run_case
from rightsized.pipelines.config import load_settings
from rightsized.pipelines.runtime import Workspace


class HrHarness:
    """Usage::

        harness = HrHarness(tmp_path, n=2)
        done = harness.run(harness.corpus.gold[0])   # a CaseRun (result or error)
        harness.close()
    """

    def __init__(self, data_dir: Path, *, n: int, seed: int = 7) -> None:
        self.settings = load_settings(overrides=[f"data_dir={data_dir}"])
        self.domain = get_domain("hr_resume")
        self.corpus = self.domain.build_corpus(data_dir / "corpus", n=n, seed=seed)
        self.workspace = Workspace(self.settings, domain="hr_resume")
        self.ingester = DocumentIngester(self.workspace, self.domain, namespace="hr")

    def run_request(self, task: str, request: dict, tier: str = "baseline", base: Path | None = None) -> CaseRun:
        spec = self.domain.task(task)
        inputs = build_input(spec.input_model, request=request, base=base or self.corpus.root)
        return run_case(self.ingester, tier, spec, task, inputs)

    def run(self, case: GoldCase, tier: str = "baseline") -> CaseRun:
        return self.run_request(case.task, case.input, tier)

    def scores(self, case: GoldCase, result: TaskResult) -> dict:
        task = self.domain.task(case.task)
        return task.score(case.expected, task.outcome(result))

    def close(self) -> None:
        self.workspace.close()
