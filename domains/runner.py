"""Run a declared task on one tier for one case: ingest its documents, run, validate, account.

Why here and shared: `rightsized run`, the eval grid and the HTTP API must execute a task the
same way — the same document scoping, the same citation check, the same usage accounting and
the same failure recording — or a comparison would measure the harness, not the tier.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from rightsized.domains.base import Domain, Task
from rightsized.domains.context import DocumentScope, IngestProblem, TaskContext
from rightsized.domains.inputs import FileSpec, file_specs
from rightsized.domains.results import Provenance, TaskResult, TaskUsage
from rightsized.ingest.pipeline import IngestReport, build_ingest_pipeline, source_namespace
from rightsized.pipelines.config import Settings
from rightsized.pipelines.errors import IngestError, ValidationFailedError
from rightsized.pipelines.privacy import Redactor
from rightsized.pipelines.progress import ProgressCallback
from rightsized.pipelines.runtime import Workspace
from rightsized.pipelines.sectioning import Sectioner

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class CaseError:
    type: str
    message: str

    def __str__(self) -> str:
        return f"{self.type}: {self.message}"


@dataclass
class CaseRun:
    """One case's outcome: a result or an error, with the ingest problems of its documents."""

    name: str
    inputs: BaseModel
    result: TaskResult | None = None
    error: CaseError | None = None
    ingest_errors: list[IngestProblem] = field(default_factory=list)
    usage: TaskUsage = field(default_factory=TaskUsage)  # counted even when the case failed

    @property
    def ok(self) -> bool:
        return self.error is None and not self.ingest_errors


def expand_cases(task: Task[Any, Any], inputs: BaseModel) -> list[tuple[str, BaseModel]]:
    """Split a batch input into cases: the task's `case_folders` decides, else a `batch` folder
    holding only subfolders is one case per subfolder (files nested deeper stay with their case);
    anything else is one case. What lies beside the case folders is in no case: it is named in a
    warning, never silently dropped."""
    for spec in file_specs(type(inputs)).values():
        folder = getattr(inputs, spec.name)
        if not spec.batch or folder is None or not Path(folder).is_dir():
            continue
        children = [p for p in sorted(Path(folder).iterdir()) if not p.name.startswith(".")]
        cases = task.case_folders(Path(folder))
        if cases is None:
            cases = children if children and all(p.is_dir() for p in children) else []
        if cases:
            for loose in sorted(set(children) - set(cases)):
                logger.warning("%s: beside the case folders of %s, in none of them: not read", loose, folder)
            return [(p.name, inputs.model_copy(update={spec.name: p})) for p in cases]
    return [(task.case_name(inputs), inputs)]


@dataclass(frozen=True)
class DomainSetup:
    """A domain's validated settings and the ingest hooks built from them, made once.

    Why once: validating settings may load resources (KYC's sanctions lists), and a redactor may
    load a model (Presidio's NER); a server builds this at start and reuses it for every request.
    """

    config: BaseModel | None
    redactor: Redactor | None
    sectioner: Sectioner | None

    @classmethod
    def of(cls, domain: Domain, settings: Settings) -> DomainSetup:
        config = domain.configure(settings.domains.get(domain.name))
        return cls(config, domain.redactor(config), domain.sectioner(config))


class DocumentIngester:
    """Ingests the document inputs of cases into a workspace's stores, each path once per store.

    A case path P is ingested with its parent folder as the source root, so its documents get
    ids `<namespace>/<P's name>/<path inside P>` and the group `<namespace>/<P's name>`: the same
    ids `rightsized ingest PARENT` gives, nested folders inside a case stay in the case, and two
    intake folders with the same case names never share ids.
    """

    def __init__(self, workspace: Workspace, domain: Domain, *, namespace: str | None = None,
                 progress: ProgressCallback | None = None, setup: DomainSetup | None = None) -> None:
        self.workspace = workspace
        self.domain = domain
        self.namespace = namespace
        self.progress = progress
        self.reports: list[IngestReport] = []
        self._done: dict[tuple[str, Path], DocumentScope] = {}
        self.setup = setup or DomainSetup.of(domain, workspace.settings)

    def ingest(self, tier: str, paths: list[Path]) -> None:
        """Ingest every not-yet-ingested path (grouped by parent folder: one pipeline run each)."""
        collection = self.workspace.store(tier).collection
        pending: dict[Path, list[Path]] = {}
        for path in paths:
            path = Path(path).expanduser().resolve()
            if (collection, path) not in self._done:
                pending.setdefault(path.parent, []).append(path)
        for root, group in pending.items():
            namespace = self.namespace or source_namespace(root)
            pipeline = build_ingest_pipeline(self.workspace, tier, self.domain.metadata, self.setup.redactor,
                                             self.setup.sectioner)
            report = pipeline.run(group, self.progress, root=root, namespace=namespace)
            self.reports.append(report)
            for path in group:
                self._done[(collection, path)] = _scope(report, namespace, path)

    def scope(self, tier: str, path: Path) -> DocumentScope:
        resolved = Path(path).expanduser().resolve()
        self.ingest(tier, [resolved])
        return self._done[(self.workspace.store(tier).collection, resolved)]


def _scope(report: IngestReport, namespace: str, path: Path) -> DocumentScope:
    group = f"{namespace}/{path.name}"
    doc_ids = tuple(d for d in report.doc_ids if d == group or d.startswith(group + "/"))
    errors = tuple(IngestProblem(str(e.path), e.reason) for e in report.errors
                   if Path(e.path).resolve() == path or Path(e.path).resolve().is_relative_to(path))
    return DocumentScope(group, doc_ids, errors)


def run_case(ingester: DocumentIngester, tier: str, task: Task[Any, Any], name: str, inputs: BaseModel) -> CaseRun:
    """Run one case; any exception is recorded on the case (type and message), never raised."""
    case = CaseRun(name, inputs)
    ctx: TaskContext | None = None
    try:
        domain = ingester.domain
        ctx = TaskContext(ingester.workspace.tier(tier), config=ingester.setup.config, redactor=ingester.setup.redactor,
                          external_policy=domain.external_policy if domain.sensitive else "allow")
        for spec in _ingested(inputs):
            scope = ingester.scope(tier, getattr(inputs, spec.name))
            case.ingest_errors.extend(scope.errors)
            if not scope.doc_ids:
                raise IngestError(getattr(inputs, spec.name), "no ingestible documents")
            ctx.documents[spec.name] = scope
        result = task.run(ctx, inputs)
        if not isinstance(result, task.result_model):
            raise ValidationFailedError(f"task '{task.name}' returned {type(result).__name__}, "
                                        f"not {task.result_model.__name__}")
        case.result = _finish(result, task, ctx, case.ingest_errors, _provenance(ingester, ctx))
    except Exception as exc:  # one case's failure, whatever it is, is recorded and the batch goes on
        case.error = CaseError(type(exc).__name__, str(exc))
    if ctx is not None:
        case.usage = case.result.usage if case.result is not None else ctx.usage()
    return case


def _ingested(inputs: BaseModel) -> list[FileSpec]:
    return [s for s in file_specs(type(inputs)).values() if s.ingest and getattr(inputs, s.name) is not None]


def _provenance(ingester: DocumentIngester, ctx: TaskContext) -> Provenance:
    doc_ids = [d for scope in ctx.documents.values() for d in scope.doc_ids]
    return Provenance(
        config_hash=ingester.workspace.settings.fingerprint(), version=_version(),
        created=datetime.now(timezone.utc).isoformat(timespec="seconds"),
        # A document stored incompletely (another process mid-write) has no hash to vouch for.
        documents={d: h for d, h in sorted(ctx.runtime.store.document_hashes(doc_ids).items()) if h} if doc_ids else {},
    )


def _version() -> str:
    try:
        return metadata.version("rightsized")
    except metadata.PackageNotFoundError:
        return "unknown"


def _finish(result: TaskResult, task: Task[Any, Any], ctx: TaskContext,
            ingest_errors: list[IngestProblem], provenance: Provenance) -> TaskResult:
    warnings = [*ctx.warnings, *result.warnings]
    warnings += [f"not ingested: {Path(e.file).name}: {e.reason}" for e in ingest_errors]
    finished = result.model_copy(update={"task": task.name, "tier": ctx.tier, "retrieved": sorted(ctx.retrieved),
                                         "warnings": warnings, "usage": ctx.usage(), "provenance": provenance})
    finished.check_citations()
    return finished

