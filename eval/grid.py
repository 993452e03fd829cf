"""`rightsized eval`: every domain x every tier x every gold case, stored as it goes.

Why this shape: domains plug in through the `Domain` protocol (corpus builders for the
synthetic and real suites, `run`, `outcome`), so a new domain needs no change here. Unavailable
tiers are recorded with their reason in `run.json` and never run; one failing case is recorded
with its error and the grid goes on; a resumed run skips finished cases.
"""
from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from domains.base import Corpus, Domain, GoldCase, all_domains, get_domain
from pipelines.config import Settings
from pipelines.errors import RightsizedError, TierUnavailableError
from pipelines.ops import ingest_paths
from pipelines.progress import ProgressCallback
from pipelines.runtime import TierRuntime, Workspace

from eval.runs import RunStore, case_key, config_hash, files_hash, package_versions
from eval.scoring import case_cost, case_scores

SUITES = ("synthetic", "real")
CORPUS_SEED = 7


@dataclass(frozen=True)
class EvalPlan:
    domains: list[str]
    tiers: list[str]
    suite: str = "all"  # synthetic | real | all
    limit: int | None = None
    n: int = 16  # synthetic cases per domain

    @property
    def suites(self) -> list[str]:
        return list(SUITES) if self.suite == "all" else [self.suite]


def corpora(domain: Domain, plan: EvalPlan, data_dir: Path) -> dict[str, Corpus]:
    """Build (deterministically) each requested suite's corpus; domains without a real suite skip it."""
    built: dict[str, Corpus] = {}
    for suite in plan.suites:
        out = data_dir / "corpus" / domain.name / suite
        corpus = (domain.build_corpus(out, n=plan.n, seed=CORPUS_SEED) if suite == "synthetic"
                  else domain.real_corpus(out))
        if corpus is not None:
            built[suite] = Corpus(corpus.root, corpus.gold[: plan.limit] if plan.limit else corpus.gold)
    return built


def run_eval(settings: Settings, plan: EvalPlan, *, resume: Path | None = None,
             progress: ProgressCallback | None = None) -> Path:
    """Run the plan; returns the run directory (cases.jsonl + run.json)."""
    known = all_domains()
    for name in plan.domains:
        get_domain(name)
    for tier in plan.tiers:
        settings.tier(tier)
    data_dir = settings.resolved_data_dir
    prepared = {name: corpora(known[name], plan, data_dir) for name in plan.domains}
    hashes = {f"{d}/{s}": files_hash([*c.root.rglob("*.*"), c.root.parent / "gold.jsonl"], c.root.parent)
              for d, suites in prepared.items() for s, c in suites.items()}
    meta = {
        "domains": plan.domains, "tiers": plan.tiers, "suite": plan.suite, "limit": plan.limit,
        "seed": CORPUS_SEED, "versions": package_versions(), "config_hash": config_hash(settings),
        "corpus_hashes": hashes, "primary_metric": {d: known[d].primary_metric for d in plan.domains},
    }
    if resume is not None:
        store = RunStore.open_existing(resume)
        if store.meta.get("corpus_hashes") != hashes:
            raise RightsizedError(f"{resume}: corpus changed since the run started; start a new run")
    else:
        store = RunStore.open_new(data_dir / "runs", meta)
    done = store.done()
    unavailable: dict[str, str] = dict(store.meta.get("unavailable", {}))
    notify = progress or (lambda event, amount: None)
    for name, suites in prepared.items():
        domain = known[name]
        workspace = Workspace(settings, domain=name)
        ingested: set[tuple[str, Path]] = set()  # tiers sharing an embedder share a collection
        try:
            for tier in plan.tiers:
                try:
                    runtime = workspace.tier(tier)
                except TierUnavailableError as exc:
                    unavailable[tier] = exc.reason
                    continue
                for suite, corpus in suites.items():
                    if (runtime.store.collection, corpus.root) not in ingested:
                        ingest_paths(settings, name, [corpus.root], tier, show_progress=False, workspace=workspace)
                        ingested.add((runtime.store.collection, corpus.root))
                    for case in corpus.gold:
                        record = {"domain": name, "suite": suite, "tier": tier, "case_id": case.case_id}
                        if case_key(record) in done:
                            continue
                        store.append(run_case(domain, runtime, case, record))
                        notify("cases", 1)
        finally:
            workspace.close()
    store.write_meta({**store.meta, "unavailable": unavailable, "finished": time.strftime("%Y-%m-%dT%H:%M:%S")})
    return store.run_dir


def run_case(domain: Domain, runtime: TierRuntime, case: GoldCase, record: dict[str, Any]) -> dict[str, Any]:
    """One case on one tier -> a JSON-ready record with scores, latency, tokens and cost."""
    started = time.perf_counter()
    outcome = result = error = None
    try:
        result = domain.run(runtime, case.input)
        outcome = domain.outcome(result)
    except RightsizedError as exc:
        error = str(exc)
    usage = getattr(result, "usage", None)
    prompt_tokens = int(getattr(usage, "prompt_tokens", 0))
    completion_tokens = int(getattr(usage, "completion_tokens", 0))
    return {
        **record, "tags": list(case.tags), "input": case.input, "expected": case.expected,
        "outcome": outcome, "error": error,
        "result": json.loads(result.model_dump_json()) if result is not None else None,
        "scores": case_scores(case.expected, outcome, label_name=domain.label_name),
        "latency_s": round(time.perf_counter() - started, 4),
        "prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens,
        "cost_usd": case_cost(runtime.config.price, prompt_tokens=prompt_tokens,
                              completion_tokens=completion_tokens,
                              llm_seconds=float(getattr(usage, "llm_latency_s", 0.0))),
        "warnings": list(getattr(result, "warnings", [])),
    }
