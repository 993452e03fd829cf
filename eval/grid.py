"""`rightsized eval`: every domain x every tier x every gold case, stored as it goes.

Why this shape: domains plug in through their task declarations (corpus builders, tasks with
typed inputs, outcome and scoring, metric specs), so a new domain needs no change here. Cases
run through the same `rightsized.domains.runner` as `rightsized run`, into collections of their
own (`rseval_*`), never the user's. Unavailable tiers are recorded with their reason; a domain
that fails to load, a suite whose data is absent and any exception in one case are recorded and
the grid goes on. A resumed run continues its own stored plan and refuses anything that differs.
A sensitive domain on an external tier is logged as a warning and recorded in `run.json`
(`warnings`, by "domain/tier") before its first case is sent.
"""
from __future__ import annotations

import logging
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from rightsized.domains.base import Corpus, Domain, GoldCase, SuiteUnavailable, Task
from rightsized.domains.inputs import build_input, file_specs
from rightsized.domains.registry import DomainLoadError, get_domain
from rightsized.domains.runner import CaseError, CaseRun, DocumentIngester, DomainSetup, run_case
from rightsized.pipelines.config import Settings
from rightsized.pipelines.errors import ConfigError, TierUnavailableError
from rightsized.pipelines.progress import ProgressCallback
from rightsized.pipelines.runtime import Workspace, ensure_data_dir, exposure_warning
from rightsized.pipelines.stores.base import EVAL_PREFIX

from rightsized.eval.runs import RunStore, case_key, files_hash, package_versions
from rightsized.eval.scoring import case_cost, split_scores

SUITES = ("synthetic", "real")
logger = logging.getLogger(__name__)
CORPUS_SEED = 7


@dataclass(frozen=True)
class EvalPlan:
    """What a run covers. Stored in `run.json`, so `--resume RUN` continues exactly this plan."""

    domains: list[str]
    tiers: list[str]
    suite: str = "all"  # synthetic | real | all
    limit: int | None = None
    n: int = 16  # synthetic cases per domain

    def __post_init__(self) -> None:
        if self.suite not in ("synthetic", "real", "all"):
            raise ConfigError(f"--suite {self.suite!r}: expected synthetic, real or all")
        if self.limit is not None and self.limit < 1:
            raise ConfigError(f"--limit {self.limit}: must be at least 1 (leave it out for every case)")
        if self.n < 1:
            raise ConfigError(f"--n {self.n}: must be at least 1")
        if not self.domains or not self.tiers:
            raise ConfigError("an evaluation needs at least one domain and one tier")

    @property
    def suites(self) -> list[str]:
        return list(SUITES) if self.suite == "all" else [self.suite]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_meta(cls, meta: dict[str, Any]) -> EvalPlan:
        """The plan a stored run was started with (runs from before plans were stored: rebuilt
        from their recorded domains, tiers, suite and limit)."""
        stored = meta.get("plan") or {k: meta[k] for k in ("domains", "tiers", "suite", "limit") if k in meta}
        return cls(**stored)

    def differences(self, requested: dict[str, Any]) -> list[str]:
        """Flags given with --resume that differ from this plan, named with both values."""
        mine = self.to_dict()
        return [f"--{name}: the run has {mine[name]!r}, given {value!r}"
                for name, value in requested.items() if value is not None and value != mine[name]]


def resumed_plan(run_dir: Path, requested: dict[str, Any]) -> EvalPlan:
    """The stored plan of `run_dir`; refuses (naming each difference) flags that would change it."""
    plan = EvalPlan.from_meta(RunStore.open_existing(run_dir).meta)
    if differences := plan.differences(requested):
        raise ConfigError(f"{run_dir}: cannot resume with a different plan ({'; '.join(differences)}); "
                          "resume without those flags, or start a new run")
    return plan


def corpora(domain: Domain, plan: EvalPlan, data_dir: Path,
            config: BaseModel | None = None) -> tuple[dict[str, Corpus], dict[str, str]]:
    """Each requested suite's corpus (built deterministically), and the suites skipped with why.
    `config`: the domain's validated settings (where a real suite's data is configured)."""
    built: dict[str, Corpus] = {}
    skipped: dict[str, str] = {}
    for suite in plan.suites:
        out = data_dir / "corpus" / domain.name / suite
        try:
            corpus = (domain.build_corpus(out, n=plan.n, seed=CORPUS_SEED) if suite == "synthetic"
                      else domain.real_corpus(out, config))
        except SuiteUnavailable as exc:
            skipped[f"{domain.name}/{suite}"] = str(exc)
            continue
        built[suite] = Corpus(corpus.root, corpus.gold[: plan.limit] if plan.limit else corpus.gold)
    return built, skipped


def _load_domains(plan: EvalPlan) -> tuple[dict[str, Domain], dict[str, str]]:
    """The plan's domains that load, and those that failed with their error (never fatal).

    Only the plan's own domains are imported: loading every installed one cost an eval of KYC
    the healthcare domain's Presidio and transformers imports (~10 s of CPU) for nothing.
    """
    loaded: dict[str, Domain] = {}
    failed: dict[str, str] = {}
    for name in plan.domains:
        try:
            loaded[name] = get_domain(name)  # unknown names raise ConfigError before the run starts
        except DomainLoadError as exc:
            failed[name] = exc.cause
    return loaded, failed


def run_eval(settings: Settings, plan: EvalPlan, *, resume: Path | None = None,
             progress: ProgressCallback | None = None) -> Path:
    """Run the plan; returns the run directory (cases.jsonl + run.json)."""
    for tier in plan.tiers:
        settings.tier(tier)
    domains, failed = _load_domains(plan)
    data_dir = ensure_data_dir(settings)
    prepared: dict[str, dict[str, Corpus]] = {}
    skipped: dict[str, str] = {}
    for name, domain in domains.items():
        prepared[name], domain_skipped = corpora(domain, plan, data_dir, domain.configure(settings.domains.get(name)))
        skipped.update(domain_skipped)
    hashes = {f"{d}/{s}": files_hash([*c.root.rglob("*.*"), c.root.parent / "gold.jsonl"], c.root.parent)
              for d, suites in prepared.items() for s, c in suites.items()}
    meta = {
        "plan": plan.to_dict(), "domains": plan.domains, "tiers": plan.tiers, "suite": plan.suite,
        "limit": plan.limit, "seed": CORPUS_SEED, "versions": package_versions(),
        "config_hash": settings.fingerprint(), "corpus_hashes": hashes,
        "primary_metric": {n: d.primary_metric.name for n, d in domains.items() if d.primary_metric},
        "metric_specs": {n: d.metric_specs() for n, d in domains.items()},
        "failed_domains": failed, "skipped_suites": skipped,
        "report_by": {n: list(d.report_by) for n, d in domains.items() if d.report_by},
    }
    store = _open(data_dir, meta, resume)
    try:
        _run_grid(settings, store, domains, prepared, plan, progress)
    except KeyboardInterrupt:
        store.update_meta(status="stopped", error="interrupted; continue with --resume")
        raise
    except BaseException as exc:
        store.update_meta(status="failed", error=f"{type(exc).__name__}: {exc}")
        raise
    store.update_meta(status="finished", finished=time.strftime("%Y-%m-%dT%H:%M:%S"))
    return store.run_dir


def _open(data_dir: Path, meta: dict[str, Any], resume: Path | None) -> RunStore:
    if resume is None:
        return RunStore.open_new(data_dir / "runs", {**meta, "status": "running"})
    store = RunStore.open_existing(resume)
    stored = store.meta
    if stored.get("config_hash") != meta["config_hash"]:
        raise ConfigError(f"{resume}: the configuration differs from the run's (config hash {stored.get('config_hash')} "
                          f"then, {meta['config_hash']} now: a changed --config or --set); start a new run")
    if stored.get("corpus_hashes") != meta["corpus_hashes"]:
        raise ConfigError(f"{resume}: corpus changed since the run started; start a new run")
    store.update_meta(status="running", error=None)
    return store


def _run_grid(settings: Settings, store: RunStore, domains: dict[str, Domain],
              prepared: dict[str, dict[str, Corpus]], plan: EvalPlan, progress: ProgressCallback | None) -> None:
    done = store.done()
    unavailable: dict[str, str] = dict(store.meta.get("unavailable") or {})
    exposed: dict[str, str] = dict(store.meta.get("warnings") or {})  # "domain/tier" -> why
    notify = progress or (lambda event, amount: None)
    for name, suites in prepared.items():
        domain = domains[name]
        workspace = Workspace(settings, domain=name, prefix=EVAL_PREFIX)
        # A fixed namespace per suite (not one derived from the corpus' absolute path): the same
        # chunk ids on every machine and data dir, so prompts that show them are the same too.
        setup = DomainSetup.of(domain, settings)  # settings validated and hooks built once per domain
        ingesters = {suite: DocumentIngester(workspace, domain, namespace=suite, setup=setup) for suite in suites}
        try:
            for tier in plan.tiers:
                try:
                    workspace.tier(tier)
                except TierUnavailableError as exc:
                    unavailable[tier] = exc.reason
                    store.update_meta(unavailable=unavailable)
                    continue
                if warning := exposure_warning(settings, tier, domain=name, sensitive=domain.sensitive,
                                                policy=domain.external_policy):
                    logger.warning(warning)
                    exposed[f"{name}/{tier}"] = warning
                    store.update_meta(warnings=exposed)
                for suite, corpus in suites.items():
                    pending = [c for c in corpus.gold
                               if case_key({"domain": name, "suite": suite, "tier": tier, "case_id": c.case_id}) not in done]
                    for case, record in _evaluate(domain, ingesters[suite], tier, suite, corpus, pending, settings):
                        store.append(record)
                        notify("cases", 1)
        finally:
            workspace.close()


def _evaluate(domain: Domain, ingester: DocumentIngester, tier: str, suite: str, corpus: Corpus,
              cases: list[GoldCase], settings: Settings):  # noqa: ANN202 - a generator of (case, record)
    """Resolve every case's input, ingest all their documents in one pass, then run each case."""
    resolved: list[tuple[GoldCase, Task[Any, Any] | None, Any, CaseError | None]] = []
    paths: list[Path] = []
    for case in cases:
        try:
            task = domain.task(case.task)
            inputs = build_input(task.input_model, request=case.input, base=corpus.root)
        except Exception as exc:  # a malformed gold case is that case's error
            resolved.append((case, None, None, CaseError(type(exc).__name__, str(exc))))
            continue
        resolved.append((case, task, inputs, None))
        paths += [getattr(inputs, s.name) for s in file_specs(task.input_model).values()
                  if s.ingest and getattr(inputs, s.name) is not None]
    if paths:
        ingester.ingest(tier, paths)
    price = settings.tier(tier).price
    for case, task, inputs, error in resolved:
        run = CaseRun(case.case_id, inputs, error=error)
        if task is not None and error is None:
            run = run_case(ingester, tier, task, case.case_id, inputs)
        yield case, case_record(domain, task, case, run, suite, tier, price)


def case_record(domain: Domain, task: Task[Any, Any] | None, case: GoldCase, run: CaseRun, suite: str,
                tier: str, price: Any) -> dict[str, Any]:
    """One case on one tier -> a JSON-ready record with scores, latency, tokens and cost."""
    outcome, scores, parts, error = None, {}, {}, run.error
    if task is not None:
        try:
            if run.result is not None:
                outcome = task.outcome(run.result)
            scores, parts = split_scores(task, task.score(case.expected, outcome))
        except Exception as exc:  # a scoring bug is recorded on the case, not fatal to the grid
            error = error or CaseError(type(exc).__name__, str(exc))
    usage = run.usage
    return {
        "domain": domain.name, "suite": suite, "tier": tier, "case_id": case.case_id, "task": case.task,
        "tags": list(case.tags), "input": case.input, "expected": case.expected, "outcome": outcome,
        "error": None if error is None else str(error), "error_type": None if error is None else error.type,
        "result": run.result.model_dump(mode="json") if run.result is not None else None,
        "scores": scores, "parts": parts,
        "latency_s": usage.latency_s if usage.latency_s is not None else 0.0,
        "prompt_tokens": usage.prompt_tokens, "completion_tokens": usage.completion_tokens,
        "cost_usd": case_cost(price, prompt_tokens=usage.prompt_tokens, completion_tokens=usage.completion_tokens,
                              llm_seconds=usage.llm_latency_s or 0.0),
        "warnings": list(run.result.warnings) if run.result is not None else [],
        "ingest_errors": [{"file": e.file, "reason": e.reason} for e in run.ingest_errors],
    }

