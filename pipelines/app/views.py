"""Rich renderings of typed results. Generic over pydantic models so no domain lives here."""
from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel
from rich.console import Console
from rich.markup import escape
from rich.table import Table

if TYPE_CHECKING:
    from rightsized.eval.report import Run, TierMetrics
    from rightsized.ingest.pipeline import IngestReport
    from rightsized.pipelines.migrate import MigrationReport
    from rightsized.pipelines.runtime import TierStatus


def printable(text: object) -> str:
    """`text` with every character a terminal does not show as itself written as its Python escape.

    File, case and tier names come from the user's disk, documents and config. Printed raw, a
    newline in a file name forges a line of output ("OK: all files ingested"), ESC recolours or
    clears the terminal and U+202E reverses what follows. Escaped are the C0/C1 controls
    (newline, CR, tab, ESC, ...), bidi overrides and isolates, zero-width and every other
    non-printable character; a backslash stays as it is, so Windows paths remain readable.
    """
    return "".join(char if char.isprintable() else repr(char)[1:-1] for char in str(text))


def _shown(text: object) -> str:
    """`printable(text)` with rich markup escaped too: "[red]x[/red].pdf" is a name, not a style."""
    return escape(printable(text))


def tiers_table(statuses: Sequence[TierStatus]) -> Table:
    table = Table(title="tiers")
    for column in ("tier", "backend", "available", "description / reason"):
        table.add_column(column)
    for s in statuses:
        state = "[green]yes[/green]" if s.available else "[red]no[/red]"
        table.add_row(_shown(s.name), _shown(s.backend), state, _shown(s.description if s.available else s.reason))
    return table


def migration_table(reports: Sequence[MigrationReport]) -> Table:
    table = Table(title="migration")
    for column in ("collection", "source", "copied", "already there", "destination", "sample checked", "seconds",
                   "verified"):
        table.add_column(column)
    for r in reports:
        count = [] if r.source_count == r.destination_count else [f"count {r.source_count} != {r.destination_count}"]
        verdict = "[green]yes[/green]" if r.ok else "[red]no[/red]: " + _shown("; ".join(count + r.mismatches[:3]))
        table.add_row(_shown(r.collection), str(r.source_count), str(r.copied), str(r.already_there),
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
        console.print(f"[red]error:[/red] {_shown(error.path)}: {_shown(error.reason)}", highlight=False)
    console.print(
        f"ingest: {report.files_seen} file(s): {report.files_ingested} ingested, "
        f"{report.files_unchanged} unchanged, {len(report.errors)} failed; "
        f"{report.chunks_added} chunk(s) added, {report.chunks_deleted} replaced "
        f"in {report.seconds:.1f}s", highlight=False,
    )


def _cell(value: Any) -> str:
    """A value as one escaped cell: results carry case names, file names and document text."""
    if isinstance(value, BaseModel):
        text = ", ".join(f"{k}={v}" for k, v in value.model_dump().items() if not isinstance(v, (list, dict)))
    elif isinstance(value, list):
        text = ", ".join(str(v)[:12] for v in value)
    else:
        text = "" if value is None else str(value)
    return _shown(text)


def render_result(console: Console, result: BaseModel) -> None:
    """Scalars as a header, dicts and lists of models as tables, other lists as bullets."""
    data = dict(result)
    header = [f"[bold]{_shown(k)}[/bold]: {_shown(v)}" for k, v in data.items()
              if isinstance(v, (str, int, float, bool))]
    console.print("  ".join(header), highlight=False)
    for key, value in data.items():
        rows: list[tuple[str, BaseModel]] = []
        if isinstance(value, dict) and value and all(isinstance(v, BaseModel) for v in value.values()):
            rows = list(value.items())
        elif isinstance(value, list) and value and all(isinstance(v, BaseModel) for v in value):
            rows = [(str(i + 1), v) for i, v in enumerate(value)]
        if rows:
            columns = list(rows[0][1].model_dump())
            table = Table(title=_shown(key), title_justify="left")
            table.add_column("")
            for column in columns:
                table.add_column(_shown(column), overflow="fold")
            for name, model in rows:
                table.add_row(_shown(name), *(_cell(getattr(model, c)) for c in columns))
            console.print(table)
        elif isinstance(value, list) and value and key not in ("retrieved", "citations"):
            console.print(f"[bold]{_shown(key)}[/bold]:")
            for item in value:
                console.print(f"  - {_shown(item)}", highlight=False)
        elif isinstance(value, BaseModel):
            console.print(f"[bold]{_shown(key)}[/bold]: {_cell(value)}", highlight=False)


def _mean_ci(summary: Any) -> str:
    """Compact `point±half-width` of the 95% CI (the report has the exact interval)."""
    if summary is None or summary.mean is None:
        return "-"
    if summary.low is None or summary.high is None:
        return f"{summary.mean:.2f}"
    return f"{summary.mean:.2f}±{(summary.high - summary.low) / 2:.2f}"


def _arrow(higher_is_better: bool) -> str:
    return "↑" if higher_is_better else "↓"


def _metric_header(name: str, summary: Any) -> str:
    """'wape ↓ *': the direction, and * on the primary metric (explained under the table)."""
    return f"{name.replace('_', ' ')} {_arrow(summary.higher_is_better)}{' *' if summary.primary else ''}"


def _count(total: int | None, unknown: int) -> str:
    """A count some cases did not report: '1,234 (+3 unknown)'; never summed as 0."""
    if total is None:
        return "unknown"
    return f"{total:,}" + (f" (+{unknown} unknown)" if unknown else "")


def _usd(value: float | None, digits: int) -> str:
    return "unknown" if value is None else f"{value:.{digits}f}"


def render_run_summary(console: Console, run: Run, summaries: Sequence[TierMetrics]) -> None:
    """One table per domain, suite and task: every metric as point [95% CI], then latency, tokens, cost.

    `summaries` are the all-cases rows the caller also emits as JSON; they say which domains,
    suites and tiers to show. Those are shown as the report shows them, split by task and by
    input variant where the run declares it, so the terminal and the report never disagree.
    """
    from rightsized.eval.report import summarise_run

    shown = {(s.domain, s.suite, s.tier) for s in summaries}
    sections: dict[tuple[str, str, str | None], list[TierMetrics]] = {}
    for row in summarise_run(run, split=True):
        if (row.domain, row.suite, row.tier) in shown:
            sections.setdefault((row.domain, row.suite, row.task), []).append(row)
    for (domain, suite, task), rows in sections.items():
        metrics = rows[0].metrics
        scope = f"{_shown(suite)} suite" + ("" if task is None else f", task {_shown(task)}")
        table = Table(title=f"{_shown(domain)} ({scope}): point ± half the 95% CI", title_justify="left")
        table.add_column("tier")
        table.add_column("cases")
        for name, summary in metrics.items():
            table.add_column(_metric_header(name, summary), overflow="fold")
        for column in ("p50 latency", "tokens in", "tokens out", "$/case", "warned", "errors"):
            table.add_column(column, overflow="fold")
        for t in rows:
            latency = "-" if t.latency_p50_s is None else f"{t.latency_p50_s * 1000:.0f} ms"
            table.add_row(_shown(t.label), str(t.cases), *(_mean_ci(t.metrics.get(m)) for m in metrics), latency,
                          _count(t.prompt_tokens, t.prompt_tokens_unknown),
                          _count(t.completion_tokens, t.completion_tokens_unknown), _usd(t.cost_per_case_usd, 6),
                          str(t.cases_with_warnings), str(t.errors))
        console.print(table)
    for tier, reason in run.meta.get("unavailable", {}).items():
        console.print(f"  {_shown(tier)}: unavailable: {_shown(reason)}", highlight=False)
    for domain, reason in run.meta.get("failed_domains", {}).items():
        console.print(f"  {_shown(domain)}: could not be loaded: {_shown(reason)}", highlight=False)
    for suite, reason in run.meta.get("skipped_suites", {}).items():
        console.print(f"  {_shown(suite)}: skipped: {_shown(reason)}", highlight=False)
    console.print("  ↑ higher is better, ↓ lower is better, * primary metric; "
                  "warned = cases whose result carries a warning (e.g. LLM output rejected by validation)")


def render_deltas(console: Console, deltas: Sequence[Any]) -> None:
    """B - A with each metric's own test; the verdict reads the delta in the metric's direction."""
    table = Table(title="B - A per metric (95% CI by each metric's method; verdict is B vs A)", title_justify="left")
    for column in ("domain", "suite", "tier", "metric", "A", "B", "delta", "95% CI", "p", "verdict", "method", "n"):
        table.add_column(column)
    for d in deltas:
        ci = "-" if d.low is None or d.high is None else f"[{d.low:+.3f}, {d.high:+.3f}]"
        fmt = (lambda v: "-" if v is None else f"{v:.3f}")
        table.add_row(_shown(d.domain), _shown(d.suite), _shown(d.tier),
                      f"{_shown(d.metric)} {_arrow(d.higher_is_better)}", fmt(d.a), fmt(d.b),
                      "-" if d.delta is None else f"{d.delta:+.3f}", ci,
                      "-" if d.p_value is None else f"{d.p_value:.2g}", d.verdict, d.method or "-",
                      f"{d.n}{'' if d.paired else ' (unpaired)'}")
    console.print(table)
    console.print("  ↑ higher is better, ↓ lower is better", highlight=False)


def render_recommendation(console: Console, rec: Any) -> None:
    sense = "higher" if rec.higher_is_better else "lower"
    table = Table(title=f"{_shown(rec.domain)}: measured tiers ({_shown(rec.metric)}, {sense} is better)",
                  title_justify="left")
    for column in ("tier", f"{_shown(rec.metric)} {_arrow(rec.higher_is_better)}", "95% CI", "p50 latency", "$/request",
                   "$/month", "eligible"):
        table.add_column(column)
    for c in rec.candidates:
        low, high = c.quality_ci
        table.add_row(_shown(c.tier), "-" if c.quality is None else f"{c.quality:.3f}",
                      "-" if low is None or high is None else f"{low:.3f}-{high:.3f}",
                      "-" if c.latency_p50_s is None else f"{c.latency_p50_s * 1000:.0f} ms",
                      _usd(c.cost_per_case_usd, 6),
                      "unknown" if c.monthly_cost_usd is None else f"{c.monthly_cost_usd:,.2f}",
                      "yes" if c.eligible else f"no: {_shown(c.why_not)}")
    console.print(table)
    console.print(f"[bold]recommendation:[/bold] {_shown(rec.choice or 'none')}")
    for line in rec.explanation:
        console.print(f"  - {_shown(line)}", highlight=False)
