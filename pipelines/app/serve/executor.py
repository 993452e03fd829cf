"""Run one API request the way `rightsized run` runs a task: same ingester, same runner.

Why its own module: the single-process server calls it in a worker thread and each Ray Serve
tier replica calls it in its own process; both load the tier's models once (at start-up, not per
request) and write a request's uploads into a private temporary folder that is deleted, with the
request's chunks in the store, when the request ends: the API keeps no personal data.
"""
from __future__ import annotations

import logging
import random
import shutil
import statistics
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rightsized.domains.base import Domain
from rightsized.domains.inputs import FileSpec, build_input, file_specs
from rightsized.domains.runner import DocumentIngester, DomainSetup, expand_cases, run_case
from rightsized.ingest.pipeline import IngestReport
from rightsized.pipelines.app.ops import TaskRun
from rightsized.pipelines.app.serve.limits import safe_relative_path
from rightsized.pipelines.config import Settings
from rightsized.pipelines.errors import ConfigError, RightsizedError, TierUnavailableError
from rightsized.pipelines.runtime import TierStatus, Workspace, exposure_warning

logger = logging.getLogger(__name__)
PROBES = 5


@dataclass(frozen=True)
class Upload:
    field: str
    filename: str
    data: bytes


@dataclass(frozen=True)
class Job:
    domain: str
    task: str
    tier: str
    params: dict[str, Any] = field(default_factory=dict)
    uploads: tuple[Upload, ...] = ()


def materialize(uploads: tuple[Upload, ...], specs: dict[str, FileSpec], folder: Path) -> dict[str, Path]:
    """Write each file input's uploads under `folder/<input>/` and return the path the task gets:
    the file itself for a `file` input (exactly one upload), else the input's folder."""
    grouped: dict[str, list[Upload]] = {}
    for upload in uploads:
        if upload.field not in specs:
            raise ConfigError(f"'{upload.field}' is not a file input of this task; file inputs: "
                              + (", ".join(specs) or "none"))
        grouped.setdefault(upload.field, []).append(upload)
    paths: dict[str, Path] = {}
    for name, items in grouped.items():
        spec = specs[name]
        root = folder / name
        written = []
        for upload in items:
            try:
                relative = safe_relative_path(upload.filename)
            except ValueError as exc:
                raise ConfigError(f"input '{name}': {exc}") from exc
            target = root.joinpath(*relative.parts)
            if target.exists():
                raise ConfigError(f"input '{name}': file {str(relative)!r} uploaded twice")
            try:
                target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
                target.write_bytes(upload.data)
            except OSError as exc:  # "x" and "x/y.txt" both uploaded: one name is a file and a folder (was a 500)
                raise ConfigError(f"input '{name}': file {str(relative)!r} clashes with another upload's "
                                  f"name ({type(exc).__name__})") from exc
            written.append(relative)
        single = len(written) == 1 and len(written[0].parts) == 1
        if spec.kind == "file" and len(written) == 1 and not single:
            raise ConfigError(f"input '{name}' takes one file named without folders, got {str(written[0])!r}")
        if spec.kind == "file" and not single:
            raise ConfigError(f"input '{name}' takes exactly one file, got {len(written)}")
        paths[name] = root / written[0] if (spec.kind == "file" or (spec.kind == "any" and single)) else root
    return paths


class TaskExecutor:
    """Loaded workspaces (one per domain, models shared) and the run of one job.

    Usage:
        executor = TaskExecutor(settings, domains, tiers=["baseline"])
        executor.load()                       # models load once, stores probed
        run = executor.run(Job("bfsi_kyc", "screen", "baseline", params={"name": "Ada Lovelace"}))
    """

    def __init__(self, settings: Settings, domains: dict[str, Domain], *, tiers: list[str] | None = None,
                 upload_dir: Path | None = None) -> None:
        self.settings = settings
        self.domains = domains
        self.requested = list(tiers or settings.tiers)
        self.upload_dir = upload_dir
        self.workspaces: dict[str, Workspace] = {}
        self.setups: dict[str, DomainSetup] = {}  # per domain: settings validated, redactor loaded, once
        self.ready: list[str] = []  # tiers loaded and servable
        self.unavailable: dict[str, str] = {}  # tier -> reason
        self.probes: dict[str, dict[str, float]] = {}  # domain -> tier -> retrieval p50 ms measured here

    def load(self) -> None:
        """Build every requested tier's runtime for every domain and time real retrievals.

        An unavailable tier is recorded with its reason (never faked); the store's latency is
        measured here, on this process's data, never taken from a benchmark."""
        first: Workspace | None = None
        for name in self.domains:
            workspace = Workspace(self.settings, domain=name, models_from=first)
            first = first or workspace
            self.workspaces[name] = workspace
            self.setups[name] = DomainSetup.of(self.domains[name], self.settings)
        for tier in self.requested:
            self.settings.tier(tier)  # unknown tier: ConfigError
            try:
                for workspace in self.workspaces.values():
                    workspace.tier(tier)
            except TierUnavailableError as exc:
                self.unavailable[tier] = exc.reason
                continue
            self.ready.append(tier)
        for name, workspace in self.workspaces.items():
            self.probes[name] = {tier: self._probe(workspace, tier) for tier in self.ready}

    @staticmethod
    def _probe(workspace: Workspace, tier: str) -> float:
        retriever = workspace.tier(tier).retriever
        rng = random.Random(0)
        samples = []
        for _ in range(PROBES):
            query = f"readiness probe {rng.randrange(10**6)}"
            started = time.perf_counter()
            retriever.retrieve(query, k=5)
            samples.append(time.perf_counter() - started)
        return round(1000 * statistics.median(samples), 2)

    def statuses(self) -> list[TierStatus]:
        any_workspace = next(iter(self.workspaces.values()), None) or Workspace(self.settings, domain="_")
        return any_workspace.statuses()

    def run(self, job: Job) -> TaskRun:
        """Validate, ingest the uploads under a namespace of this request, run every case, then
        delete the request's chunks and files. Input errors raise ConfigError; a case's failure is
        recorded on the case, as `rightsized run` records it."""
        if job.tier not in self.ready:
            reason = self.unavailable.get(job.tier, "not served by this server (see GET /v1/tiers)")
            raise TierUnavailableError(job.tier, reason)
        domain = self.domains[job.domain]
        task = domain.task(job.task)
        specs = file_specs(task.input_model)
        workspace = self.workspaces[job.domain]
        folder = Path(tempfile.mkdtemp(prefix="rightsized-request-", dir=self.upload_dir))
        ingester: DocumentIngester | None = None
        try:
            files = materialize(job.uploads, specs, folder)
            inputs = build_input(task.input_model, files=files, params=job.params)
            warnings = []
            if warning := exposure_warning(self.settings, job.tier, domain=domain.name, sensitive=domain.sensitive,
                                            policy=domain.external_policy):
                warnings.append(warning)
            cases = expand_cases(task, inputs)
            ingester = DocumentIngester(workspace, domain, namespace=f"api-{uuid.uuid4().hex[:16]}",
                                        setup=self.setups[job.domain])
            for spec in specs.values():
                paths = [getattr(i, spec.name) for _, i in cases if getattr(i, spec.name) is not None]
                if spec.ingest and paths:
                    ingester.ingest(job.tier, paths)
            runs = [run_case(ingester, job.tier, task, name, case_inputs) for name, case_inputs in cases]
            return TaskRun(domain.name, task.name, job.tier, IngestReport.merged(ingester.reports), runs, warnings)
        finally:
            if ingester is not None:
                _forget(workspace, job.tier, ingester.reports)
            shutil.rmtree(folder, ignore_errors=True)

    def close(self) -> None:
        for workspace in self.workspaces.values():
            workspace.close()
        self.workspaces.clear()


def _forget(workspace: Workspace, tier: str, reports: list[IngestReport]) -> None:
    """Delete the request's documents from the store: uploads are not kept, in files or chunks."""
    store = workspace.store(tier)
    for report in reports:
        for doc_id in report.doc_ids:
            try:
                store.delete_document(doc_id)
            except RightsizedError as exc:  # recorded: a left-over chunk is a privacy problem
                logger.error("could not delete uploaded document %s: %s", doc_id, exc)
