"""Rich renderings of typed results. Generic over pydantic models so no domain lives here."""
from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel
from rich.console import Console
from rich.table import Table

if TYPE_CHECKING:
    from eval.runner import TierSummary
    from ingest.pipeline import IngestReport
    from pipelines.runtime import TierStatus


def tiers_table(statuses: Sequence[TierStatus]) -> Table:
    table = Table(title="tiers")
    for column in ("tier", "backend", "available", "description / reason"):
        table.add_column(column)
    for s in statuses:
        state = "[green]yes[/green]" if s.available else "[red]no[/red]"
        table.add_row(s.name, s.backend, state, s.description if s.available else str(s.reason))
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


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.0%}"


def _flags(summaries: Sequence[TierSummary]) -> list[str]:
    return sorted({name for s in summaries for name in s.flag_recall})


def summary_rows(summaries: Sequence[TierSummary]) -> tuple[list[str], list[list[str]]]:
    """Header and rows shared by the terminal table and the Markdown file."""
    flags = _flags(summaries)
    header = ["tier", "cases", "field acc", "decision acc",
              *(f"{f} {m}" for f in flags for m in ("recall", "FP")),
              "p50 latency", "tokens in/out", "warned", "errors"]
    rows = []
    for s in summaries:
        if not s.available:
            rows.append([s.tier, "unavailable", *[""] * (len(header) - 2)])
            continue
        flag_cells = [c for f in flags for c in (_pct(s.flag_recall.get(f)), str(s.flag_false_positives.get(f, 0)))]
        latency = "n/a" if s.latency_p50_s is None else f"{s.latency_p50_s * 1000:.0f} ms"
        rows.append([s.tier, str(s.cases), _pct(s.field_accuracy), _pct(s.decision_accuracy), *flag_cells,
                     latency, f"{s.prompt_tokens}/{s.completion_tokens}", str(s.cases_with_warnings),
                     str(s.errors)])
    return header, rows


def unavailable_notes(summaries: Sequence[TierSummary]) -> list[str]:
    return [f"{s.tier}: unavailable: {s.reason}" for s in summaries if not s.available]


def render_summary(console: Console, domain: str, summaries: Sequence[TierSummary]) -> None:
    header, rows = summary_rows(summaries)
    table = Table(title=f"{domain}: tiers compared on the sample corpus")
    for column in header:
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(*row)
    console.print(table)
    for note in unavailable_notes(summaries):
        console.print(f"  {note}", highlight=False)
    console.print("  warned = cases whose result carries a warning (e.g. LLM output rejected by validation)")


def summary_markdown(domain: str, summaries: Sequence[TierSummary]) -> str:
    header, rows = summary_rows(summaries)
    lines = [f"# {domain}: tiers compared", "", "| " + " | ".join(header) + " |",
             "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    lines += ["", *(f"- {note}" for note in unavailable_notes(summaries)),
              "- warned = cases whose result carries a warning (e.g. LLM output rejected by validation)"]
    return "\n".join(lines) + "\n"
