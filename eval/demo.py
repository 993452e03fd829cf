"""`rightsized demo`: sample corpus -> ingest -> every tier -> comparison table on disk.

Why the demo runs the same code as `run` and `eval`: what it prints is a measurement of the
product, not a showcase path. Unavailable tiers appear in the table with their reason.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from domains.base import get_domain
from pipelines.config import Settings
from pipelines.errors import RightsizedError
from pipelines.ops import ingest_paths
from pipelines.progress import progress_callback
from pipelines.runtime import Workspace
from pipelines.views import summary_markdown

from eval.runner import TierSummary, run_tiers, write_run

DEMO_DOMAIN = "bfsi_kyc"


@dataclass(frozen=True)
class DemoResult:
    domain: str
    run_dir: Path
    summaries: list[TierSummary]

    @property
    def ok(self) -> bool:
        return all(s.errors == 0 for s in self.summaries if s.available)


def run_demo(settings: Settings, *, n: int = 16, tiers: list[str], show_progress: bool = True) -> DemoResult:
    for tier in tiers:
        settings.tier(tier)  # unknown names fail before any work
    domain = get_domain(DEMO_DOMAIN)
    data_dir = settings.resolved_data_dir
    corpus = domain.build_corpus(data_dir / "corpus" / DEMO_DOMAIN, n=n, seed=7)
    workspace = Workspace(settings, domain=DEMO_DOMAIN)
    try:
        report = ingest_paths(settings, DEMO_DOMAIN, [corpus.root], settings.default_tier,
                              show_progress=show_progress, workspace=workspace)
        if not report.ok:
            raise RightsizedError(f"sample corpus failed to ingest: {report.errors[0]}")
        with progress_callback(show_progress, "demo") as callback:
            summaries, records = run_tiers(
                domain, workspace, tiers, corpus.gold,
                on_case=(lambda record: callback("cases", 1)) if callback else None,
            )
    finally:
        workspace.close()
    run_dir = write_run(data_dir / "runs" / f"demo-{time.strftime('%Y%m%d-%H%M%S')}", summaries, records)
    (run_dir / "summary.md").write_text(summary_markdown(DEMO_DOMAIN, summaries))
    return DemoResult(DEMO_DOMAIN, run_dir, summaries)
