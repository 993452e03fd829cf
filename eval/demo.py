"""`rightsized demo`: sample corpora -> ingest -> every tier -> stored run -> report.

Why the demo is an eval run: what it prints is a measurement of the product, produced by the
same runner, storage and report as `rightsized eval`, not a showcase path. Unavailable tiers
appear with their reason.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from domains.base import all_domains
from pipelines.config import Settings
from pipelines.progress import ProgressCallback

from eval.grid import EvalPlan, run_eval
from eval.report import Run, TierMetrics, load_run, summarise_run, write_report


@dataclass(frozen=True)
class DemoResult:
    run: Run
    summaries: list[TierMetrics]
    report_md: Path
    report_html: Path

    @property
    def ok(self) -> bool:
        return all(t.errors == 0 for t in self.summaries)


def run_demo(settings: Settings, *, n: int = 16, tiers: list[str], progress: ProgressCallback | None = None) -> DemoResult:
    plan = EvalPlan(domains=list(all_domains()), tiers=tiers, suite="synthetic", n=n)
    run_dir = run_eval(settings, plan, progress=progress)
    md, html = write_report(run_dir)
    run = load_run(run_dir)
    return DemoResult(run, summarise_run(run), md, html)
