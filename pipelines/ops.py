"""Library operations behind the CLI commands (the CLI only parses and renders).

Why here and not in the CLI: tests and notebooks call the same functions, and nothing
domain-specific lives in the command layer: a case is simply a folder (its `group`).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from domains.base import get_domain
from ingest.pipeline import IngestReport
from pipelines.config import Settings
from pipelines.errors import RightsizedError
from pipelines.progress import progress_callback
from pipelines.runtime import Workspace


def ingest_paths(settings: Settings, domain_name: str, paths: list[Path], tier: str, *,
                 show_progress: bool = True, root: Path | None = None,
                 workspace: Workspace | None = None) -> IngestReport:
    domain = get_domain(domain_name)
    workspace = workspace or Workspace(settings, domain=domain_name)
    pipeline = workspace.ingest_pipeline(tier, metadata_hook=domain.metadata)
    with progress_callback(show_progress, "ingest") as callback:
        return pipeline.run(paths, callback, root=root)


def case_folders(input_dir: Path) -> tuple[Path, list[str]]:
    """A folder of case folders -> (it, their names); a single case folder -> (parent, [name])."""
    if not input_dir.is_dir():
        raise RightsizedError(f"{input_dir}: not a folder")
    subdirs = sorted(p.name for p in input_dir.iterdir() if p.is_dir() and not p.name.startswith("."))
    if subdirs:
        return input_dir, subdirs
    return input_dir.parent, [input_dir.name]


@dataclass
class FolderRun:
    ingest: IngestReport
    results: list[BaseModel] = field(default_factory=list)
    errors: list[dict[str, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.ingest.ok and not self.errors


def run_folder(settings: Settings, domain_name: str, input_dir: Path, tier: str,
               options: dict[str, Any], *, show_progress: bool = True) -> FolderRun:
    """Ingest the case folder(s), then run the domain task on each; one failure never stops the rest."""
    domain = get_domain(domain_name)
    workspace = Workspace(settings, domain=domain_name)
    try:
        runtime = workspace.tier(tier)  # unavailable tier: fail before ingesting anything
        root, groups = case_folders(input_dir)
        report = ingest_paths(settings, domain_name, [root / g for g in groups], tier,
                              show_progress=show_progress, root=root, workspace=workspace)
        outcome = FolderRun(report)
        ingested_groups = {Path(d).parts[0] for d in report.doc_ids}
        for group in groups:
            if group not in ingested_groups:
                outcome.errors.append({"case": group, "reason": "no ingestible documents in the folder"})
                continue
            try:
                outcome.results.append(domain.run(runtime, {"group": group, **options}))
            except RightsizedError as exc:
                outcome.errors.append({"case": group, "reason": str(exc)})
    finally:
        workspace.close()
    return outcome
