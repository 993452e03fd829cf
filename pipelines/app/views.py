"""Rich renderings of typed results. Generic over pydantic models so no domain lives here."""
from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel
from rich.console import Console
from rich.table import Table

if TYPE_CHECKING:
    from rightsized.eval.report import TierMetrics
    from rightsized.ingest.pipeline import IngestReport
    from rightsized.pipelines.migrate import MigrationReport
    from rightsized.pipelines.runtime import TierStatus


def tiers_table(statuses: Sequence[TierStatus]) -> Table:
    table = Table(title="tiers")
    for column in ("tier", "backend", "available", "description / reason"):
        table.add_column(column)
    for s in statuses:
        state = "[green]yes[/green]" if s.available else "[red]no[/red]"
        table.add_row(s.name, s.backend, state, s.description if s.available else str(s.reason))
    return table


def migration_table(reports: Sequence[MigrationReport]) -> Table:
    table = Table(title="migration")
    for column in ("collection", "source", "copied", "already there", "destination", "sample checked", "seconds",
                   "verified"):
        table.add_column(column)
    for r in reports:
        count = [] if r.source_count == r.destination_count else [f"count {r.source_count} != {r.destination_count}"]
        verdict = "[green]yes[/green]" if r.ok else "[red]no[/red]: " + "; ".join(count + r.mismatches[:3])
        table.add_row(r.collection, str(r.source_count), str(r.copied), str(r.already_there),
                      str(r.destination_count), str(r.sample_checked), f"{r.seconds:.1f}", verdict)
    return table


def bench_search_table(report: dict[str, Any]) -> Table:
    table = Table(title="bench search: ms p50/p95; ratios vs raw pymilvus calls in the same run")
    for column in ("backend", "chunks", "ingest/s", "vs raw", "dense", "raw dense", "filtered", "hybrid"):
        table.add_column(column)
    for backend, rows in report["backends"].items():
        if isinstance(rows, dict):
            table.add_row(backend, "-", f"skipped: {rows['skipped']}", *["-"] * 5)
            continue
        for r in rows:
            table.add_row(
                f"{backend} {r['version']} ({r['bm25']} BM25)", str(r["chunks"]), f"{r['ingest_chunks_per_s']:.0f}",
                f"{r['ingest_ratio_store_over_raw']:.2f}",
                *(f"{r[k]['p50_ms']:.1f}/{r[k]['p95_ms']:.1f}" for k in ("dense", "raw_dense", "filtered", "hybrid")),
            )
    return table


def ingest_summary(console: Console, report: IngestReport) -> None:
    for error in report.errors:
        console.print(f"[red]error:[/red] {error.path}: {error.reason}", highlight=False)
    console.print(
        f"ingest: {report.files_seen} file(s): {report.files_ingested} ingested, "
        f"{report.files_unchanged} unchanged, {len(report.errors)} failed; "
        f"{report.chunks_added} chunk(s) added, {report.chunks_deleted} replaced "
        f"in {report.seconds:.1f}s", highlight=False,
    )


def _cell(value: Any) -> str:
    if isinstance(value, BaseModel):
        return ", ".join(f"{k}={v}" for k, v in value.model_dump().items() if not isinstance(v, (list, dict)))
    if isinstance(value, list):
        return ", ".join(str(v)[:12] for v in value)
    return "" if value is None else str(value)


def render_result(console: Console, result: BaseModel) -> None:
    """Scalars as a header, dicts and lists of models as tables, other lists as bullets."""
    data = dict(result)
    header = [f"[bold]{k}[/bold]: {v}" for k, v in data.items() if isinstance(v, (str, int, float, bool))]
    console.print("  ".join(header), highlight=False)
    for key, value in data.items():
        rows: list[tuple[str, BaseModel]] = []
        if isinstance(value, dict) and value and all(isinstance(v, BaseModel) for v in value.values()):
            rows = list(value.items())
        elif isinstance(value, list) and value and all(isinstance(v, BaseModel) for v in value):
            rows = [(str(i + 1), v) for i, v in enumerate(value)]
        if rows:
            columns = list(rows[0][1].model_dump())
            table = Table(title=key, title_justify="left")
            table.add_column("")
            for column in columns:
                table.add_column(column, overflow="fold")
            for name, model in rows:
                table.add_row(name, *(_cell(getattr(model, c)) for c in columns))
            console.print(table)
        elif isinstance(value, list) and value and key not in ("retrieved", "citations"):
            console.print(f"[bold]{key}[/bold]:")
            for item in value:
                console.print(f"  - {item}", highlight=False)
        elif isinstance(value, BaseModel):
            console.print(f"[bold]{key}[/bold]: {_cell(value)}", highlight=False)


def _mean_ci(summary: Any) -> str:
    """Compact `mean±half-width` of the 95% CI (the report has the exact interval)."""
    if summary is None or summary.mean is None:
        return "-"
    return f"{summary.mean:.2f}±{(summary.high - summary.low) / 2:.2f}"


def render_run_summary(console: Console, run: Any, summaries: Sequence[TierMetrics]) -> None:
    """One table per domain and suite: every metric as mean [95% CI], then latency, tokens, cost."""
    sections: dict[tuple[str, str], list[TierMetrics]] = {}
    for summary in summaries:
        sections.setdefault((summary.domain, summary.suite), []).append(summary)
    for (domain, suite), tiers in sections.items():
        metrics = list(tiers[0].metrics)
        table = Table(title=f"{domain} ({suite} suite): mean ± half the 95% CI", title_justify="left")
        for column in ("tier", "cases", *metrics, "p50 latency", "tokens in/out", "$/case", "warned", "errors"):
            table.add_column(column.replace("_", " "), overflow="fold")
        for t in tiers:
            latency = "-" if t.latency_p50_s is None else f"{t.latency_p50_s * 1000:.0f} ms"
            cost = "-" if t.cost_per_case_usd is None else f"{t.cost_per_case_usd:.6f}"
            table.add_row(t.tier, str(t.cases), *(_mean_ci(t.metrics.get(m)) for m in metrics), latency,
                          f"{t.prompt_tokens}/{t.completion_tokens}", cost, str(t.cases_with_warnings), str(t.errors))
        console.print(table)
    for tier, reason in run.meta.get("unavailable", {}).items():
        console.print(f"  {tier}: unavailable: {reason}", highlight=False)
    console.print("  warned = cases whose result carries a warning (e.g. LLM output rejected by validation)")


def render_deltas(console: Console, deltas: Sequence[Any]) -> None:
    table = Table(title="B - A per metric (bootstrap 95% CI; * = outside the noise)", title_justify="left")
    for column in ("domain", "suite", "tier", "metric", "A", "B", "delta", "95% CI", "", "n"):
        table.add_column(column)
    for d in deltas:
        ci = "-" if d.low is None else f"[{d.low:+.3f}, {d.high:+.3f}]"
        fmt = (lambda v: "-" if v is None else f"{v:.3f}")
        table.add_row(d.domain, d.suite, d.tier, d.metric, fmt(d.a), fmt(d.b),
                      "-" if d.delta is None else f"{d.delta:+.3f}", ci, "*" if d.significant else "",
                      f"{d.n}{'' if d.paired else ' (unpaired)'}")
    console.print(table)


def render_recommendation(console: Console, rec: Any) -> None:
    table = Table(title=f"{rec.domain}: measured tiers ({rec.metric})", title_justify="left")
    for column in ("tier", rec.metric, "95% CI", "p50 latency", "$/request", "$/month", "eligible"):
        table.add_column(column)
    for c in rec.candidates:
        low, high = c.quality_ci
        table.add_row(c.tier, "-" if c.quality is None else f"{c.quality:.3f}",
                      "-" if low is None else f"{low:.3f}-{high:.3f}",
                      "-" if c.latency_p50_s is None else f"{c.latency_p50_s * 1000:.0f} ms",
                      f"{c.cost_per_case_usd:.6f}", f"{c.monthly_cost_usd:,.2f}",
                      "yes" if c.eligible else f"no: {c.why_not}")
    console.print(table)
    console.print(f"[bold]recommendation:[/bold] {rec.choice or 'none'}")
    for line in rec.explanation:
        console.print(f"  - {line}", highlight=False)
