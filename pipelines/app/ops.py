"""Library operations behind the CLI commands (the CLI only parses and renders).

Why here and not in the CLI: tests, notebooks and the HTTP API call the same functions, and
nothing domain-specific lives in the application layer: what a task takes and returns comes
from its declaration (`rightsized.domains.base.Task`).
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rightsized.domains.inputs import build_input, file_specs
from rightsized.domains.registry import get_domain
from rightsized.domains.runner import CaseRun, DocumentIngester, DomainSetup, expand_cases, run_case
from rightsized.ingest.pipeline import IngestReport, build_ingest_pipeline
from rightsized.pipelines.app.progress import progress_callback
from rightsized.pipelines.config import Settings
from rightsized.pipelines.runtime import Workspace, exposure_warning

logger = logging.getLogger(__name__)


def ingest_paths(settings: Settings, domain_name: str, paths: list[Path], tier: str, *,
                 namespace: str | None = None, show_progress: bool = True) -> IngestReport:
    domain = get_domain(domain_name)
    workspace = Workspace(settings, domain=domain_name)
    try:
        setup = DomainSetup.of(domain, settings)
        pipeline = build_ingest_pipeline(workspace, tier, domain.metadata, setup.redactor, setup.sectioner)
        with progress_callback(show_progress, "ingest") as callback:
            return pipeline.run(paths, callback, namespace=namespace)
    finally:
        workspace.close()


@dataclass
class TaskRun:
    domain: str
    task: str
    tier: str
    ingest: IngestReport
    cases: list[CaseRun] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.ingest.ok and all(c.error is None for c in self.cases)

    def to_dict(self) -> dict[str, Any]:
        return {
            "domain": self.domain, "task": self.task, "tier": self.tier, "ingest": self.ingest.to_dict(),
            "results": [c.result.model_dump(mode="json") for c in self.cases if c.result is not None],
            "errors": [{"case": c.name, "type": c.error.type, "message": c.error.message}
                       for c in self.cases if c.error is not None],
            "warnings": self.warnings,
        }


def run_task(settings: Settings, domain_name: str, task_name: str | None, tier: str, *,
             files: dict[str, Path] | None = None, params: dict[str, str] | None = None,
             request: dict[str, Any] | None = None, request_base: Path | None = None,
             namespace: str | None = None, show_progress: bool = True) -> TaskRun:
    """Validate the input against the task's declaration, ingest its documents, run every case
    (a batch folder is one case per subfolder); one failing case never stops the rest.
    A sensitive domain on an external tier is warned about (logged, and on the result) before
    any of its text is sent."""
    domain = get_domain(domain_name)
    task = domain.task(task_name)
    inputs = build_input(task.input_model, files=files, params=params, request=request, base=request_base)
    workspace = Workspace(settings, domain=domain_name)
    warnings: list[str] = []
    try:
        workspace.tier(tier)  # an unavailable tier fails here, before anything is ingested
        if warning := exposure_warning(settings, tier, domain=domain_name, sensitive=domain.sensitive,
                                        policy=domain.external_policy):
            logger.warning(warning)
            warnings.append(warning)
        cases = expand_cases(task, inputs)
        with progress_callback(show_progress, "run") as callback:
            ingester = DocumentIngester(workspace, domain, namespace=namespace, progress=callback)
            for spec in file_specs(task.input_model).values():
                paths = [getattr(i, spec.name) for _, i in cases if getattr(i, spec.name) is not None]
                if spec.ingest and paths:
                    ingester.ingest(tier, paths)
            runs = [run_case(ingester, tier, task, name, case_inputs) for name, case_inputs in cases]
    finally:
        workspace.close()
    return TaskRun(domain_name, task.name, tier, IngestReport.merged(ingester.reports), runs, warnings)
