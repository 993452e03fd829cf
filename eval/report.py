"""Turn a stored evaluation run into `report.md` and a self-contained `report.html`.

Why both: the Markdown sits next to the run in a repository or a PR, the HTML is the page one
opens or mails; both come from the same summary, so they cannot disagree. Every aggregate is
the mean of the non-null per-case values with a 95% interval (eval.stats), so a
difference between tiers can be told from noise. Usage::

    from eval.report import write_report
    md_path, html_path = write_report(Path("runs/2024-06-01T12-00"))
"""
from __future__ import annotations

import html
import json
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from eval.plots import inline_svg, tier_plots
from eval.metrics import mean, percentile
from eval.stats import mean_ci
from pipelines.errors import RightsizedError

SUITES = ("synthetic", "real")
_RUN_KEYS = ("run_id", "domains", "tiers", "primary_metric")
_CASE_KEYS = ("domain", "tier", "case_id", "suite", "scores", "latency_s")
WORST_CASES = 3
_MAX_VALUE_CHARS = 400  # per input/expected/outcome: enough to see the case, not a page of JSON
_MAX_NOTE_CHARS = 200
_MAX_WARNINGS = 3


@dataclass
class Run:
    """A stored run: `run.json` as a dict and one dict per line of `cases.jsonl`."""

    path: Path
    meta: dict[str, Any]
    cases: list[dict[str, Any]]
    notes: list[str] = field(default_factory=list)  # what loading tolerated, shown in the report


@dataclass(frozen=True)
class MetricSummary:
    """Mean of the non-null per-case values with its 95% CI; `n` counts those values."""

    mean: float | None
    low: float | None
    high: float | None
    n: int


@dataclass
class TierMetrics:
    """Everything the report says about one tier on one domain's synthetic or real cases."""

    domain: str
    suite: str
    tier: str
    cases: int
    errors: int
    cases_with_warnings: int
    metrics: dict[str, MetricSummary]
    latency_p50_s: float
    latency_p95_s: float
    cost_per_case_usd: float
    prompt_tokens: int
    completion_tokens: int


def _read_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise RightsizedError(f"{path}: missing; point the report at a run directory written by the runner") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise RightsizedError(f"{path}: not valid JSON ({exc}); re-run the evaluation to rewrite it") from exc
    if not isinstance(data, dict) or any(key not in data for key in _RUN_KEYS):
        raise RightsizedError(f"{path}: not a run description (needs keys {', '.join(_RUN_KEYS)})")
    if unranked := [d for d in data["domains"] if d not in data["primary_metric"]]:
        raise RightsizedError(f"{path}: no primary_metric for domain(s) {', '.join(unranked)}")
    return data


def _read_cases(path: Path, meta: dict[str, Any], notes: list[str]) -> list[dict[str, Any]]:
    """Parse and check every line, so the report never silently drops a case it cannot place.

    The one exception is a torn last line (no newline: a crash mid-write). The run store
    ignores it and re-runs that case on resume, so the report skips it too and says so.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise RightsizedError(f"{path}: missing; the run has no case records (was it interrupted?)") from None
    lines = text.splitlines()
    cases = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            case = json.loads(line)
        except json.JSONDecodeError as exc:
            if number == len(lines) and not text.endswith("\n"):
                notes.append(f"{path.name}:{number}: torn last line skipped (interrupted run; resume it)")
                continue
            raise RightsizedError(f"{path}:{number}: not valid JSON ({exc})") from exc
        if not isinstance(case, dict) or any(key not in case for key in _CASE_KEYS):
            raise RightsizedError(f"{path}:{number}: a case record needs keys {', '.join(_CASE_KEYS)}")
        if case["suite"] not in SUITES:
            raise RightsizedError(f"{path}:{number}: suite {case['suite']!r} is not one of {', '.join(SUITES)}")
        if case["domain"] not in meta["domains"] or case["tier"] not in meta["tiers"]:
            raise RightsizedError(f"{path}:{number}: domain {case['domain']!r} / tier {case['tier']!r} "
                                  "is not declared in run.json")
        cases.append(case)
    return cases


def load_run(run_dir: Path) -> Run:
    """Read a run directory; a missing or corrupt file raises RightsizedError naming it."""
    run_dir = Path(run_dir)
    meta = _read_json(run_dir / "run.json")
    notes: list[str] = []
    cases = _read_cases(run_dir / "cases.jsonl", meta, notes)
    return Run(run_dir, meta, cases, notes)


def _metric_names(cases: Sequence[dict[str, Any]], primary: str) -> list[str]:
    names = sorted({name for case in cases for name in case["scores"]})
    return ([primary] if primary in names else []) + [name for name in names if name != primary]


def _summarise(domain: str, suite: str, tier: str, cases: list[dict[str, Any]], metrics: list[str]) -> TierMetrics:
    summaries = {}
    for name in metrics:
        values = [float(c["scores"][name]) for c in cases if c["scores"].get(name) is not None]
        summaries[name] = MetricSummary(*mean_ci(values), n=len(values))
    latencies = [float(c["latency_s"]) for c in cases]
    return TierMetrics(
        domain, suite, tier, cases=len(cases), errors=sum(1 for c in cases if c.get("error")),
        cases_with_warnings=sum(1 for c in cases if c.get("warnings")), metrics=summaries,
        latency_p50_s=percentile(latencies, 50), latency_p95_s=percentile(latencies, 95),
        cost_per_case_usd=mean([float(c.get("cost_usd", 0.0)) for c in cases]),
        prompt_tokens=sum(int(c.get("prompt_tokens", 0)) for c in cases),
        completion_tokens=sum(int(c.get("completion_tokens", 0)) for c in cases),
    )


def _groups(run: Run) -> dict[tuple[str, str, str], list[dict[str, Any]]]:
    groups: dict[tuple[str, str, str], list[dict[str, Any]]] = defaultdict(list)
    for case in run.cases:
        groups[(case["domain"], case["suite"], case["tier"])].append(case)
    return groups


def summarise_run(run: Run) -> list[TierMetrics]:
    """One TierMetrics per (domain, suite, tier) that has cases, in the run's declared order.

    Metric columns are shared by all tiers of a (domain, suite), so a metric a tier never
    produced shows as n=0 rather than vanishing from its row.
    """
    groups = _groups(run)
    summaries = []
    for domain in run.meta["domains"]:
        for suite in SUITES:
            section = [c for (d, s, _), cases in groups.items() if (d, s) == (domain, suite) for c in cases]
            metrics = _metric_names(section, run.meta["primary_metric"][domain])
            for tier in run.meta["tiers"]:
                if cases := groups.get((domain, suite, tier)):
                    summaries.append(_summarise(domain, suite, tier, cases, metrics))
    return summaries


# ---- formatting -------------------------------------------------------------------------------

def _sig(value: float, digits: int) -> str:
    """Significant digits without scientific notation: costs like 0.00001234 USD stay readable."""
    return np.format_float_positional(value, precision=digits, unique=False, fractional=False, trim="-")


def _metric_cell(summary: MetricSummary, cases: int) -> str:
    """'mean [low, high]' to 3 decimals; n is shown only when some cases had no value."""
    if summary.mean is None:
        return "–"
    text = f"{summary.mean:.3f} [{summary.low:.3f}, {summary.high:.3f}]"
    return text if summary.n == cases else f"{text} (n={summary.n})"


def _truncate(text: str, limit: int) -> str:
    return text if len(text) <= limit else f"{text[:limit]}… (+{len(text) - limit} chars)"


def _json_text(value: Any) -> str:
    return _truncate(json.dumps(value, ensure_ascii=False, sort_keys=True, default=str), _MAX_VALUE_CHARS)


def _slug(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", name).strip("-.") or "domain"


@dataclass
class _Section:
    """One domain's synthetic or real cases: its tables, plots and worst cases."""

    domain: str
    suite: str
    primary: str
    tiers: list[TierMetrics]
    worst: dict[str, list[dict[str, Any]]]
    plots: dict[str, str]  # "cost"/"latency" -> standalone SVG

    def quality_table(self) -> tuple[list[str], list[list[str]]]:
        names = list(self.tiers[0].metrics)
        header = ["tier", "cases"] + [f"{n} (primary)" if n == self.primary else n for n in names]
        rows = [[t.tier, str(t.cases)] + [_metric_cell(t.metrics[n], t.cases) for n in names] for t in self.tiers]
        return header, rows

    def cost_table(self) -> tuple[list[str], list[list[str]]]:
        header = ["tier", "cases", "errors", "with warnings", "latency p50 (s)", "latency p95 (s)",
                  "cost per case (USD)", "tokens in", "tokens out"]
        rows = [[t.tier, str(t.cases), str(t.errors), str(t.cases_with_warnings), _sig(t.latency_p50_s, 3),
                 _sig(t.latency_p95_s, 3), _sig(t.cost_per_case_usd, 4), f"{t.prompt_tokens:,}",
                 f"{t.completion_tokens:,}"] for t in self.tiers]
        return header, rows

    def plot_name(self, kind: str) -> str:
        return f"plot-{_slug(self.domain)}-{self.suite}-{kind}.svg"


def _worst_cases(cases: list[dict[str, Any]], primary: str) -> list[dict[str, Any]]:
    """Errors first (a crash is worse than any score), then the lowest primary scores, then
    cases with warnings (e.g. LLM output that failed validation).

    Clean cases at the tier's best score are left out: when most cases are perfect, listing
    perfect ones as 'worst' would only hide the few that are not.
    """
    scores = [c["scores"][primary] for c in cases if c["scores"].get(primary) is not None]
    best = max(scores, default=None)

    def rank(case: dict[str, Any]) -> tuple[bool, float, bool, str]:
        score = case["scores"].get(primary)
        return (not case.get("error"), float("-inf") if score is None else score,
                not case.get("warnings"), str(case["case_id"]))

    notable = [c for c in cases
               if c.get("error") or c.get("warnings") or c["scores"].get(primary) not in (None, best)]
    return sorted(notable, key=rank)[:WORST_CASES]


def _sections(run: Run) -> list[_Section]:
    groups = _groups(run)
    by_section: dict[tuple[str, str], list[TierMetrics]] = defaultdict(list)
    for summary in summarise_run(run):
        by_section[(summary.domain, summary.suite)].append(summary)
    colors = {tier: f"C{i % 10}" for i, tier in enumerate(run.meta["tiers"])}  # same tier, same colour
    sections = []
    for (domain, suite), tiers in by_section.items():
        primary = run.meta["primary_metric"][domain]
        worst = {t.tier: _worst_cases(groups[(domain, suite, t.tier)], primary) for t in tiers}
        salt = f"{run.meta['run_id']}-{domain}-{suite}"
        plots = tier_plots(domain, suite, primary, tiers, colors, salt=salt)
        sections.append(_Section(domain, suite, primary, tiers, worst, plots))
    return sections


def _header_facts(run: Run) -> list[tuple[str, str]]:
    meta = run.meta
    facts = [("run", str(meta["run_id"])), ("created", str(meta.get("created", "–"))),
             ("suite", str(meta.get("suite", "–"))), ("config hash", str(meta.get("config_hash", "–")))]
    facts += [(f"version: {k}", str(v)) for k, v in sorted(meta.get("versions", {}).items())]
    facts += [(f"corpus hash: {k}", str(v)) for k, v in sorted(meta.get("corpus_hashes", {}).items())]
    return facts + [("note", note) for note in run.notes]


_LEGEND = ("Metrics: mean over the cases where the metric applies, with its 95% confidence interval "
           "[low, high] (Wilson score interval for 0/1 outcomes, percentile bootstrap otherwise), 3 decimals; "
           "(n=…) when fewer cases had a value. Cost is the mean per case.")


def _case_facts(case: dict[str, Any], primary: str) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """What a reader needs to see why a case scored low: fixed columns, then warnings/error.

    Each value is truncated: a worst case is there to be recognised, not re-read in full.
    """
    score = case["scores"].get(primary)
    columns = [("case", str(case["case_id"])), (primary, "–" if score is None else f"{score:.3f}"),
               ("tags", ", ".join(map(str, case.get("tags", []))) or "–"),
               ("input", _json_text(case.get("input"))), ("expected", _json_text(case.get("expected"))),
               ("outcome", _json_text(case.get("outcome")))]
    notes = [("warning", _truncate(str(w), _MAX_NOTE_CHARS)) for w in case.get("warnings", [])[:_MAX_WARNINGS]]
    if case.get("error"):
        notes.append(("error", _truncate(str(case["error"]), _MAX_NOTE_CHARS)))
    return columns, notes


def _not_run(run: Run) -> list[tuple[str, str]]:
    return [(str(tier), str(reason)) for tier, reason in run.meta.get("unavailable", {}).items()]


# ---- Markdown ---------------------------------------------------------------------------------

def _md_cell(text: str) -> str:
    """Entities for <, > and & so case text cannot become HTML in a Markdown viewer; | would split the cell."""
    return html.escape(text, quote=False).replace("|", "\\|").replace("\n", " ")


def _md_table(header: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(map(_md_cell, header)) + " |", "|" + "---|" * len(header)]
    return lines + ["| " + " | ".join(map(_md_cell, row)) + " |" for row in rows]


def _md_block(lines: list[tuple[str, str]]) -> list[str]:
    """A fenced block shows case text verbatim; the fence outgrows any backtick run inside it."""
    body = [f"{label}: {value}" for label, value in lines]
    longest = max((len(run) for line in body for run in re.findall(r"`+", line)), default=0)
    fence = "`" * max(3, longest + 1)
    return [fence + "text", *body, fence, ""]


def _render_md(run: Run, sections: list[_Section]) -> str:
    out = [f"# Evaluation report: {_md_cell(str(run.meta['run_id']))}", ""]
    out += _md_table(["run facts", ""], [[k, v] for k, v in _header_facts(run)]) + [""]
    for tier, reason in _not_run(run):
        out.append(f"- tier **{_md_cell(tier)}** not run: {_md_cell(reason)}")
    out += ["", _LEGEND, ""]
    for domain in run.meta["domains"]:
        out += [f"## {_md_cell(domain)}", ""]
        domain_sections = [s for s in sections if s.domain == domain]
        if not domain_sections:
            out += ["No cases were recorded for this domain.", ""]
        for section in domain_sections:
            out += [f"### {_md_cell(domain)}: {section.suite} cases", "", "Quality:", ""]
            out += _md_table(*section.quality_table()) + ["", "Cost and latency:", ""]
            out += _md_table(*section.cost_table()) + [""]
            out += [f"- **{_md_cell(tier)}** not run: {_md_cell(reason)}" for tier, reason in _not_run(run)]
            out += ["", f"![{section.primary} vs cost per case]({section.plot_name('cost')})",
                    f"![{section.primary} vs latency p50]({section.plot_name('latency')})", "",
                    f"#### Worst cases per tier (errors, then lowest {_md_cell(section.primary)}, then warnings)", ""]
            for tier, cases in section.worst.items():
                out += [f"**{_md_cell(tier)}**", ""]
                for case in cases:
                    columns, notes = _case_facts(case, section.primary)
                    out += _md_block(columns + notes)
                out += [] if cases else ["No failed, below-best or warned cases.", ""]
    return "\n".join(out).rstrip() + "\n"


# ---- HTML -------------------------------------------------------------------------------------

_CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 2rem auto; max-width: 1200px;
       padding: 0 1rem; color: #1d2330; background: #fbfbfd; }
h1 { font-size: 1.6rem; } h2 { border-bottom: 2px solid #d0d5e0; padding-bottom: .2rem; margin-top: 2.5rem; }
table { border-collapse: collapse; margin: .6rem 0 1rem; font-size: .9rem; background: #fff; }
th, td { border: 1px solid #d0d5e0; padding: .3rem .6rem; text-align: left; vertical-align: top; }
th { background: #eef1f7; } td.num { text-align: right; font-variant-numeric: tabular-nums; }
.plots { display: flex; flex-wrap: wrap; gap: 1rem; } .plots svg { max-width: 100%; height: auto; }
.note { color: #6b3a00; } .legend { color: #555; font-size: .9rem; }
td:first-child pre { white-space: nowrap; }
pre { white-space: pre-wrap; word-break: break-word; margin: 0; font-size: .8rem; max-width: 28rem; }
"""
_NUMERIC = re.compile(r"^[\d,.–\-]+( \[.*\])?( \(n=\d+\))?$")


def _e(text: str) -> str:
    return html.escape(text, quote=True)


def _html_table(header: list[str], rows: list[list[str]], *, numeric: bool = True) -> str:
    """Numbers are right-aligned so columns compare at a glance (not in the run facts table)."""
    head = "".join(f"<th>{_e(h)}</th>" for h in header)
    body = "".join(
        "<tr>" + "".join(f'<td class="num">{_e(c)}</td>' if numeric and i and _NUMERIC.match(c)
                         else f"<td>{_e(c)}</td>" for i, c in enumerate(row)) + "</tr>"
        for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _html_worst(section: _Section) -> str:
    parts = [f"<h4>Worst cases per tier (errors, then lowest {_e(section.primary)}, then warnings)</h4>"]
    for tier, cases in section.worst.items():
        parts.append(f"<h5>{_e(tier)}</h5>")
        if not cases:
            parts.append("<p>No failed, below-best or warned cases.</p>")
            continue
        rows = []
        for case in cases:
            columns, notes = _case_facts(case, section.primary)
            cells = [value for _, value in columns] + ["\n".join(f"{k}: {v}" for k, v in notes) or "–"]
            rows.append("".join(f"<td><pre>{_e(cell)}</pre></td>" for cell in cells))
        head = "".join(f"<th>{_e(label)}</th>" for label, _ in columns) + "<th>warnings / error</th>"
        parts.append(f"<table><thead><tr>{head}</tr></thead><tbody>"
                     + "".join(f"<tr>{r}</tr>" for r in rows) + "</tbody></table>")
    return "".join(parts)


def _render_html(run: Run, sections: list[_Section]) -> str:
    title = f"Evaluation report: {run.meta['run_id']}"
    not_run = "".join(f'<li class="note">tier <b>{_e(t)}</b> not run: {_e(r)}</li>' for t, r in _not_run(run))
    facts = _html_table(["run facts", ""], [[k, v] for k, v in _header_facts(run)], numeric=False)
    body = [f"<h1>{_e(title)}</h1>", facts, f"<ul>{not_run}</ul>" if not_run else "",
            f'<p class="legend">{_e(_LEGEND)}</p>']
    for domain in run.meta["domains"]:
        body.append(f"<h2>{_e(domain)}</h2>")
        domain_sections = [s for s in sections if s.domain == domain]
        if not domain_sections:
            body.append("<p>No cases were recorded for this domain.</p>")
        for section in domain_sections:
            body += [f"<h3>{_e(domain)}: {_e(section.suite)} cases</h3>", "<h4>Quality</h4>",
                     _html_table(*section.quality_table()), "<h4>Cost and latency</h4>",
                     _html_table(*section.cost_table()), f"<ul>{not_run}</ul>" if not_run else "",
                     '<div class="plots">' + "".join(inline_svg(svg) for svg in section.plots.values()) + "</div>",
                     _html_worst(section)]
    # The empty data: icon stops browsers from requesting /favicon.ico: the page fetches nothing.
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>{_e(title)}</title><link rel=\"icon\" href=\"data:,\"><style>{_CSS}</style></head>"
            f"<body>{''.join(body)}</body></html>\n")


def write_report(run_dir: Path, out_dir: Path | None = None) -> tuple[Path, Path]:
    """Write report.md (+ its plot SVGs) and a self-contained report.html; returns both paths."""
    run = load_run(Path(run_dir))
    out = Path(out_dir) if out_dir is not None else run.path
    out.mkdir(parents=True, exist_ok=True)
    sections = _sections(run)
    for section in sections:
        for kind, svg in section.plots.items():
            (out / section.plot_name(kind)).write_text(svg, encoding="utf-8")
    md_path, html_path = out / "report.md", out / "report.html"
    md_path.write_text(_render_md(run, sections), encoding="utf-8")
    html_path.write_text(_render_html(run, sections), encoding="utf-8")
    return md_path, html_path
