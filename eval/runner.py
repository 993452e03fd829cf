"""Run a domain's gold cases on several tiers and summarise per tier.

Why generic: a domain returns `outcome(result)` in the shape of `GoldCase.expected` (fields,
label, flags), so this runner scores every domain the same way; the eval-suite issue builds
the full grid, storage and reports on these records.
"""
from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from domains.base import Domain, GoldCase
from pipelines.errors import RightsizedError, TierUnavailableError
from pipelines.runtime import Workspace

from eval.metrics import BinaryCounts, field_matches, mean, percentile


@dataclass
class CaseRecord:
    case_id: str
    tier: str
    tags: list[str]
    expected: dict[str, Any]
    outcome: dict[str, Any] | None
    result: dict[str, Any] | None
    latency_s: float
    prompt_tokens: int = 0
    completion_tokens: int = 0
    warnings: int = 0
    error: str | None = None

    @property
    def field_scores(self) -> dict[str, bool]:
        if self.outcome is None:
            return {k: False for k in self.expected.get("fields", {})}
        return field_matches(self.outcome.get("fields", {}), self.expected.get("fields", {}))


@dataclass
class TierSummary:
    tier: str
    available: bool
    reason: str | None = None
    cases: int = 0
    errors: int = 0
    field_accuracy: float | None = None
    decision_accuracy: float | None = None
    flag_recall: dict[str, float | None] = field(default_factory=dict)
    flag_false_positives: dict[str, int] = field(default_factory=dict)
    latency_p50_s: float | None = None
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cases_with_warnings: int = 0  # e.g. LLM output that failed validation and was not used

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def run_cases(
    domain: Domain, workspace: Workspace, tier: str, cases: Sequence[GoldCase],
    on_case: Callable[[CaseRecord], None] | None = None,
) -> list[CaseRecord]:
    """Run every case on one tier (raises TierUnavailableError before the first case)."""
    runtime = workspace.tier(tier)
    records = []
    for case in cases:
        started = time.perf_counter()
        try:
            result = domain.run(runtime, case.input)
        except RightsizedError as exc:  # one failing case is recorded, the rest still run
            record = CaseRecord(case.case_id, tier, list(case.tags), case.expected, None, None,
                                time.perf_counter() - started, error=str(exc))
        else:
            usage = getattr(result, "usage", None)
            record = CaseRecord(
                case.case_id, tier, list(case.tags), case.expected, domain.outcome(result),
                json.loads(result.model_dump_json()), time.perf_counter() - started,
                prompt_tokens=getattr(usage, "prompt_tokens", 0),
                completion_tokens=getattr(usage, "completion_tokens", 0),
                warnings=len(getattr(result, "warnings", [])),
            )
        records.append(record)
        if on_case is not None:
            on_case(record)
    return records


def summarise(tier: str, records: Sequence[CaseRecord]) -> TierSummary:
    field_hits = [ok for r in records for ok in r.field_scores.values()]
    labelled = [r for r in records if "label" in r.expected]
    flags = sorted({name for r in records for name in r.expected.get("flags", {})})
    summary = TierSummary(
        tier=tier, available=True, cases=len(records), errors=sum(r.error is not None for r in records),
        field_accuracy=mean([float(x) for x in field_hits]),
        decision_accuracy=mean([float(r.outcome is not None and r.outcome.get("label") == r.expected["label"])
                                for r in labelled]),
        latency_p50_s=percentile([r.latency_s for r in records], 50),
        prompt_tokens=sum(r.prompt_tokens for r in records),
        completion_tokens=sum(r.completion_tokens for r in records),
        cases_with_warnings=sum(r.warnings > 0 for r in records),
    )
    for name in flags:
        counts = BinaryCounts.count(
            [bool(r.outcome and r.outcome.get("flags", {}).get(name)) for r in records],
            [bool(r.expected.get("flags", {}).get(name)) for r in records],
        )
        summary.flag_recall[name] = counts.recall
        summary.flag_false_positives[name] = counts.fp
    return summary


def run_tiers(
    domain: Domain, workspace: Workspace, tiers: Sequence[str], cases: Sequence[GoldCase],
    on_case: Callable[[CaseRecord], None] | None = None,
) -> tuple[list[TierSummary], list[CaseRecord]]:
    """Every tier on the same cases; unavailable tiers are reported with their reason, not run."""
    summaries, all_records = [], []
    for tier in tiers:
        try:
            records = run_cases(domain, workspace, tier, cases, on_case)
        except TierUnavailableError as exc:
            summaries.append(TierSummary(tier=tier, available=False, reason=exc.reason))
            continue
        summaries.append(summarise(tier, records))
        all_records.extend(records)
    return summaries, all_records


def write_run(out_dir: Path, summaries: Sequence[TierSummary], records: Sequence[CaseRecord]) -> Path:
    """cases.jsonl (one line per case and tier) and summary.json under `out_dir`."""
    out_dir.mkdir(parents=True, exist_ok=True)
    with (out_dir / "cases.jsonl").open("w") as handle:
        for record in records:
            handle.write(json.dumps(asdict(record), sort_keys=True) + "\n")
    (out_dir / "summary.json").write_text(json.dumps([s.to_dict() for s in summaries], indent=2))
    return out_dir
