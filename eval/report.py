"""Turn a stored evaluation run into `report.md` and a self-contained `report.html`.

Why both: the Markdown sits next to the run in a repository or a PR, the HTML is the page one
opens or mails; both come from the same summary, so they cannot disagree. Every metric is
aggregated as its spec's kind says (a proportion, a mean, or a ratio of sums) with a 95%
interval (eval.stats), so a difference between tiers can be told from noise, and read in its
direction (higher or lower is better). Each domain opens with the answer those numbers
support. A domain whose cases span several tasks gets a section per task, judged on that
task's own primary metric; where the run's `report_by` names case tags (input variants of the
same cases), each tier's row is followed by one row per variant. Usage::

    from rightsized.eval.report import write_report
    md_path, html_path = write_report(Path("runs/2024-06-01T12-00"))
"""
from __future__ import annotations

import html
import json
import math
import re
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from rightsized.domains.base import MetricSpec
from rightsized.eval.metrics import mean, percentile
from rightsized.eval.metrics.corpus import check_parts
from rightsized.eval.plots import Plot, inline_svg, tier_plots
from rightsized.eval.stats import METRIC_KINDS, DeltaResult, Interval, aggregate, compare_delta
from rightsized.pipelines.errors import RightsizedError

SUITES = ("synthetic", "real")
_RUN_KEYS = ("run_id", "domains", "tiers")
_CASE_KEYS = ("domain", "tier", "case_id", "suite", "scores", "latency_s")
WORST_CASES = 3
_MAX_INPUT_CHARS = 200  # the input is there to recognise the case; the diff says what went wrong
_MAX_DIFF_LINES = 8
_MAX_DIFF_VALUE_CHARS = 80
_MAX_NOTE_CHARS = 200
_MAX_WARNINGS = 3
# A per-case sample: the score, (numerator, denominator) for a ratio metric, named parts for a corpus metric.
Sample = float | tuple[float, float] | dict[str, float]


@dataclass
class Run:
    """A stored run: `run.json` as a dict and one dict per line of `cases.jsonl`."""

    path: Path
    meta: dict[str, Any]
    cases: list[dict[str, Any]]
    notes: list[str] = field(default_factory=list)  # what loading tolerated, shown in the report

    @property
    def status(self) -> str:
        """Runs written before the runner recorded a status only exist once finished."""
        return str(self.meta.get("status", "finished"))

    def domain_names(self) -> list[str]:
        """Declared domains, then any that failed to load and were not declared."""
        declared = list(self.meta["domains"])
        return declared + [d for d in self.meta.get("failed_domains", {}) if d not in declared]

    def metric_specs(self, domain: str) -> dict[str, MetricSpec]:
        """Stored specs, plus an inferred one for every other metric the domain's cases carry.

        Runs written before specs were stored are read as the old report read them: higher is
        better, a proportion when every value is 0 or 1, a mean otherwise.
        """
        stored = {s["name"]: _spec(s) for s in self.meta.get("metric_specs", {}).get(domain, [])}
        values: dict[str, list[Any]] = defaultdict(list)
        for case in self.cases:
            if case["domain"] == domain:
                for name, value in (case.get("scores") or {}).items():
                    values[name].append(value)
        inferred = {name: MetricSpec(name, kind=_inferred_kind(found)) for name, found in values.items()
                    if name not in stored}
        return {**stored, **inferred}

    def primary(self, domain: str, task: str | None = None) -> str | None:
        """The task's primary metric when a stored spec names one; else the domain's:
        `primary_metric` as stored, else the spec marked primary.

        Why per task: a domain's tasks score different things (a decision, a rationale), and
        ranking a task's cases by another task's metric finds none of its failures.
        """
        stored = self.meta.get("metric_specs", {}).get(domain, [])
        if task is not None and (named := next((s["name"] for s in stored
                                                if s.get("task") == task and s.get("primary")), None)):
            return str(named)
        if named := self.meta.get("primary_metric", {}).get(domain):
            return str(named)
        return next((spec.name for spec in self.metric_specs(domain).values() if spec.primary), None)

    def tasks(self, domain: str) -> list[str | None]:
        """The tasks the domain's cases ran, declared ones in declaration order, then any other
        in order of appearance; None for cases of runs written before cases named their task."""
        declared = [s.get("task") for s in self.meta.get("metric_specs", {}).get(domain, [])]
        seen = dict.fromkeys(c.get("task") for c in self.cases if c["domain"] == domain)
        return [t for t in dict.fromkeys(declared) if t in seen] + [t for t in seen if t not in declared]

    def report_by(self, domain: str) -> list[str]:
        """The case tags each tier's row is split by (input variants of the same cases)."""
        return [str(tag) for tag in self.meta.get("report_by", {}).get(domain, [])]


def _spec(data: dict[str, Any]) -> MetricSpec:
    threshold = data.get("threshold")
    return MetricSpec(str(data["name"]), kind=data.get("kind", "mean"),
                      higher_is_better=bool(data.get("higher_is_better", True)),
                      primary=bool(data.get("primary", False)), description=str(data.get("description", "")),
                      reduce=data.get("reduce"), threshold=None if threshold is None else float(threshold))


def _inferred_kind(values: list[Any]) -> str:
    known = [v for v in values if v is not None]
    return "proportion" if known and all(v in (0, 1) for v in known) else "mean"


@dataclass(frozen=True)
class MetricSummary:
    """One metric over a tier's cases, aggregated by its kind, with its 95% CI.

    `mean` is the point estimate (the name is kept for the stored JSON shape): the share of 1s
    for a proportion, the mean for a mean, sum(numerators) / sum(denominators) for a ratio.
    `n` counts the cases that had a value (for a ratio: its numerator and denominator).
    """

    mean: float | None
    low: float | None
    high: float | None
    n: int
    kind: str = "mean"
    higher_is_better: bool = True
    primary: bool = False
    threshold: float | None = None
    flagged: bool = False  # the point estimate is on the wrong side of `threshold`


@dataclass
class TierMetrics:
    """Everything the report says about one tier on one domain's synthetic or real cases.

    Tokens are sums over the cases that reported them (None when none did), with the count of
    cases that did not beside them: an unknown count is never summed as 0. The cost per case
    is None as soon as one case's cost is unknown, since any mean would then be a guess.
    `task` is set when the row covers one task's cases only, `variant` when it covers only the
    cases carrying that tag (see `summarise_run(split=True)`); None means all of them.
    """

    domain: str
    suite: str
    tier: str
    cases: int
    errors: int
    cases_with_warnings: int
    metrics: dict[str, MetricSummary]
    latency_p50_s: float
    latency_p95_s: float
    cost_per_case_usd: float | None
    prompt_tokens: int | None
    completion_tokens: int | None
    prompt_tokens_unknown: int = 0
    completion_tokens_unknown: int = 0
    cost_unknown: int = 0
    task: str | None = None
    variant: str | None = None

    @property
    def label(self) -> str:
        """The row's name in a table: the tier, with the variant when the row covers one."""
        return self.tier if self.variant is None else f"{self.tier} · {self.variant}"


def _read_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise RightsizedError(f"{path}: missing; point the report at a run directory written by the runner") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise RightsizedError(f"{path}: not valid JSON ({exc}); re-run the evaluation to rewrite it") from exc
    if not isinstance(data, dict) or any(key not in data for key in _RUN_KEYS):
        raise RightsizedError(f"{path}: not a run description (needs keys {', '.join(_RUN_KEYS)})")
    for domain, specs in data.get("metric_specs", {}).items():
        if bad := [f"{s.get('name')}: {s.get('kind')!r}" for s in specs if s.get("kind", "mean") not in METRIC_KINDS]:
            raise RightsizedError(f"{path}: metric_specs of {domain}: kind must be one of "
                                  f"{', '.join(METRIC_KINDS)} ({'; '.join(bad)})")
        for spec in specs:
            try:
                _spec(spec)
            except (KeyError, TypeError, ValueError) as exc:
                raise RightsizedError(f"{path}: metric_specs of {domain}: {spec.get('name')!r}: {exc}") from None
    report_by = data.get("report_by", {})
    if not isinstance(report_by, dict):
        raise RightsizedError(f"{path}: report_by must map each domain to a list of case tags")
    for domain, tags in report_by.items():
        if not isinstance(tags, list) or not all(isinstance(tag, str) for tag in tags):
            raise RightsizedError(f"{path}: report_by of {domain}: must be a list of case tags, got {tags!r}")
    return data


def _read_cases(path: Path, meta: dict[str, Any], notes: list[str]) -> list[dict[str, Any]]:
    """Parse and check every line, so the report never silently drops a case it cannot place.

    The one exception is a torn last line (no newline: a crash mid-write). The run store
    ignores it and re-runs that case on resume, so the report skips it too and says so. A
    missing file is a run that recorded nothing (it failed or stopped first): still reportable.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        notes.append(f"{path.name} is missing: the run recorded no cases")
        return []
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
    """Read a run directory; a missing run.json or a corrupt file raises RightsizedError naming it."""
    run_dir = Path(run_dir)
    meta = _read_json(run_dir / "run.json")
    notes: list[str] = []
    run = Run(run_dir, meta, _read_cases(run_dir / "cases.jsonl", meta, notes), notes)
    if unranked := sorted({c["domain"] for c in run.cases if run.primary(c["domain"]) is None}):
        raise RightsizedError(f"{run_dir / 'run.json'}: no primary_metric for domain(s) {', '.join(unranked)}")
    return run


# ---- aggregation ------------------------------------------------------------------------------

def case_samples(spec: MetricSpec, cases: Sequence[dict[str, Any]]) -> dict[str, Sample]:
    """case_id -> the case's value of `spec`, for the cases that have one.

    A ratio metric's sample is its (numerator, denominator) from `parts`: the per-case ratio in
    `scores` is for display only, and averaging it would weight a small case like a large one.
    """
    if spec.kind == "ratio":
        return {str(c["case_id"]): (float(part[0]), float(part[1])) for c in cases
                if (part := (c.get("parts") or {}).get(spec.name)) is not None}
    if spec.kind == "corpus":
        return {str(c["case_id"]): check_parts(part) for c in cases
                if (part := (c.get("parts") or {}).get(spec.name)) is not None}
    return {str(c["case_id"]): float(value) for c in cases
            if (value := (c.get("scores") or {}).get(spec.name)) is not None}


def aggregate_samples(spec: MetricSpec, samples: Sequence[Sample], **options: Any) -> Interval:
    """(point, low, high) of samples as `case_samples` returns them, by the metric's kind."""
    if spec.kind == "ratio":
        parts = [(float(n), float(d)) for n, d in samples]  # type: ignore[misc]
        return aggregate(spec.kind, [n / d for n, d in parts if d], parts, **options)
    if spec.kind == "corpus":
        return aggregate(spec.kind, [], samples, reduce=spec.reduce, **options)  # type: ignore[arg-type]
    return aggregate(spec.kind, [float(v) for v in samples], **options)  # type: ignore[arg-type]


def _summary(spec: MetricSpec, cases: Sequence[dict[str, Any]], primary: str) -> MetricSummary:
    samples = list(case_samples(spec, cases).values())
    point, low, high = aggregate_samples(spec, samples)
    return MetricSummary(point, low, high, n=len(samples), kind=spec.kind,
                         higher_is_better=spec.higher_is_better, primary=spec.name == primary,
                         threshold=spec.threshold, flagged=spec.flagged(point))


def _checked_summary(spec: MetricSpec, cases: Sequence[dict[str, Any]], primary: str,
                     where: tuple[str, str, str]) -> MetricSummary:
    """A value the spec's kind cannot take (0.5 for a proportion) is a scoring bug: name it."""
    try:
        return _summary(spec, cases, primary)
    except ValueError as exc:
        raise RightsizedError(f"{'/'.join(where)}: metric {spec.name} ({spec.kind}): {exc}") from exc


def _known_sum(values: Sequence[Any]) -> tuple[int | None, int]:
    """(sum of the known values or None when there are none, how many are unknown)."""
    known = [int(v) for v in values if v is not None]
    return (sum(known) if known else None), len(values) - len(known)


def _metric_names(cases: Sequence[dict[str, Any]], specs: dict[str, MetricSpec], primary: str) -> list[str]:
    """Primary first, then declared metrics in declaration order, then any others by name."""
    seen = {name for case in cases for name in (case.get("scores") or {})}
    ordered = [n for n in specs if n in seen] + sorted(seen - set(specs))
    return ([primary] if primary in seen else []) + [n for n in ordered if n != primary]


def _summarise(where: tuple[str, str, str], cases: list[dict[str, Any]], specs: list[MetricSpec], primary: str,
               *, task: str | None = None, variant: str | None = None) -> TierMetrics:
    latencies = [float(c["latency_s"]) for c in cases]
    costs = [c.get("cost_usd") for c in cases]
    cost_unknown = sum(1 for cost in costs if cost is None)
    prompt_tokens, prompt_unknown = _known_sum([c.get("prompt_tokens") for c in cases])
    completion_tokens, completion_unknown = _known_sum([c.get("completion_tokens") for c in cases])
    return TierMetrics(
        *where, cases=len(cases), errors=sum(1 for c in cases if c.get("error")),
        cases_with_warnings=sum(1 for c in cases if c.get("warnings")),
        metrics={spec.name: _checked_summary(spec, cases, primary, where) for spec in specs},
        latency_p50_s=percentile(latencies, 50), latency_p95_s=percentile(latencies, 95),
        cost_per_case_usd=None if cost_unknown else mean([float(c) for c in costs]),
        prompt_tokens=prompt_tokens, completion_tokens=completion_tokens, prompt_tokens_unknown=prompt_unknown,
        completion_tokens_unknown=completion_unknown, cost_unknown=cost_unknown, task=task, variant=variant,
    )


@dataclass(frozen=True)
class _Group:
    """The cases one table covers: a domain's suite, or one task of it when the run is split by task."""

    domain: str
    suite: str
    task: str | None
    primary: str
    cases: list[dict[str, Any]]

    def tier_cases(self, tier: str) -> list[dict[str, Any]]:
        return [c for c in self.cases if c["tier"] == tier]


def _case_groups(run: Run, *, by_task: bool) -> Iterator[_Group]:
    """Per declared domain and suite (and task, when `by_task` and the domain ran several), the
    cases with the primary metric that ranks them: the task's own when the cases are one task's."""
    for domain in run.meta["domains"]:
        cases = [c for c in run.cases if c["domain"] == domain]
        tasks = run.tasks(domain)
        split = by_task and len(tasks) > 1
        for suite in SUITES:
            for task in tasks if split else [None]:
                section = [c for c in cases if c["suite"] == suite and (not split or c.get("task") == task)]
                only = task if split else (tasks[0] if len(tasks) == 1 else None)
                if section:
                    yield _Group(domain, suite, task, run.primary(domain, only) or "", section)


def summarise_run(run: Run, *, split: bool = False) -> list[TierMetrics]:
    """One TierMetrics per (domain, suite, tier) that has cases, in the run's declared order.

    These all-cases rows are what `recommend` and the JSON output read. With `split`, the rows
    a reader is shown: a domain whose cases span several tasks gets one set of rows per task
    (each task has its own metrics and primary; one row over both would mix them), and where
    `report_by` names tags, each tier's row is followed by one row per tag its cases carry, so
    a tier that fails only on one input variant is seen failing there.

    Metric columns are shared by all rows of a (domain, suite, task), so a metric a tier never
    produced shows as n=0 rather than vanishing from its row.
    """
    summaries = []
    for group in _case_groups(run, by_task=split):
        specs = run.metric_specs(group.domain)
        columns = [specs[n] for n in _metric_names(group.cases, specs, group.primary)]
        tags = run.report_by(group.domain) if split else []
        for tier in run.meta["tiers"]:
            if not (cases := group.tier_cases(tier)):
                continue
            where = (group.domain, group.suite, tier)
            summaries.append(_summarise(where, cases, columns, group.primary, task=group.task))
            summaries += [_summarise(where, tagged, columns, group.primary, task=group.task, variant=tag)
                          for tag in tags if (tagged := [c for c in cases if tag in (c.get("tags") or [])])]
    return summaries


# ---- formatting -------------------------------------------------------------------------------

def _sig(value: float, digits: int) -> str:
    """Significant digits without scientific notation: costs like 0.00001234 USD stay readable."""
    return np.format_float_positional(value, precision=digits, unique=False, fractional=False, trim="-")


def direction(higher_is_better: bool) -> str:
    return "higher is better" if higher_is_better else "lower is better"


def _metric_cell(summary: MetricSummary, cases: int) -> str:
    """'point [low, high]' to 3 decimals; n is shown only when some cases had no value."""
    if summary.mean is None:
        return "–"
    text = f"{summary.mean:.3f}" if summary.low is None or summary.high is None \
        else f"{summary.mean:.3f} [{summary.low:.3f}, {summary.high:.3f}]"
    if summary.n != cases:
        text += f" (n={summary.n})"
    if summary.flagged:
        text += f" ⚠ {'below' if summary.higher_is_better else 'above'} {summary.threshold:g}"
    return text


def _count_cell(total: int | None, unknown: int) -> str:
    """'1,234', '1,234 (+3 unknown)', or 'unknown' when no case reported the count."""
    if total is None:
        return "unknown"
    return f"{total:,}" + (f" (+{unknown} unknown)" if unknown else "")


def _cost_cell(t: TierMetrics) -> str:
    if t.cost_per_case_usd is not None:
        return _sig(t.cost_per_case_usd, 4)
    return "unknown" if t.cost_unknown == t.cases else f"unknown ({t.cost_unknown} of {t.cases} cases)"


def _usd(cost: float | None) -> str:
    return "an unknown amount" if cost is None else f"${_sig(cost, 3)}"


def _truncate(text: str, limit: int) -> str:
    return text if len(text) <= limit else f"{text[:limit]}… (+{len(text) - limit} chars)"


def _json_text(value: Any, limit: int) -> str:
    return _truncate(json.dumps(value, ensure_ascii=False, sort_keys=True, default=str), limit)


def _slug(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", name).strip("-.") or "domain"


# ---- expected vs outcome ----------------------------------------------------------------------

_ABSENT = object()  # a key or list item one side does not have (distinct from a JSON null)


def _show(value: Any) -> str:
    return "(absent)" if value is _ABSENT else _json_text(value, _MAX_DIFF_VALUE_CHARS)


def _identity(value: Any) -> tuple[str, Any]:
    """Equal as a reader would judge: 1 == 1.0, but True is not 1 and "1" is not 1."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return "number", float(value)
    return type(value).__name__, value


def _same(a: Any, b: Any) -> bool:
    (kind_a, x), (kind_b, y) = _identity(a), _identity(b)
    if kind_a == kind_b == "number":
        return math.isclose(x, y, rel_tol=1e-9, abs_tol=1e-12)
    return kind_a == kind_b and x == y


def _child(path: str, key: Any) -> str:
    return f"{path}.{key}" if path else str(key)


def _list_differences(expected: list[Any], outcome: list[Any], path: str) -> Iterator[tuple[str, str, str]]:
    """Lists of strings whose members differ are compared by value (a missing flag is named,
    not shifted into every later index; the quotes tell `["pep"]` from an index); anything
    else (numbers in a series, records), item by item by index."""
    if all(isinstance(v, str) for v in expected + outcome) and set(expected) != set(outcome):
        yield from ((f"{path}[{_show(v)}]", "present", "absent") for v in dict.fromkeys(expected) if v not in outcome)
        yield from ((f"{path}[{_show(v)}]", "absent", "present") for v in dict.fromkeys(outcome) if v not in expected)
        return
    for i in range(max(len(expected), len(outcome))):
        yield from _differences(expected[i] if i < len(expected) else _ABSENT,
                                outcome[i] if i < len(outcome) else _ABSENT, f"{path}[{i}]")


def _differences(expected: Any, outcome: Any, path: str) -> Iterator[tuple[str, str, str]]:
    """(path, expected text, outcome text) for every leaf where the two structures differ."""
    if isinstance(expected, dict) and isinstance(outcome, dict):
        for key in sorted(set(expected) | set(outcome), key=str):
            yield from _differences(expected.get(key, _ABSENT), outcome.get(key, _ABSENT), _child(path, key))
    elif isinstance(expected, list) and isinstance(outcome, list):
        yield from _list_differences(expected, outcome, path)
    elif not _same(expected, outcome):
        yield path, _show(expected), _show(outcome)


def diff_lines(expected: Any, outcome: Any, *, limit: int = _MAX_DIFF_LINES) -> list[str]:
    """`path: expected X, got Y` per differing leaf, at most `limit` lines.

    Why a diff: two JSON blobs side by side make the reader find the one wrong field; the
    path says which field it is, for any nesting of dicts and lists.
    """
    found = [f"{path or '(whole value)'}: expected {want}, got {got}"
             for path, want, got in _differences(expected, outcome, "")]
    if not found:
        return ["no difference between expected and outcome"]
    more = len(found) - limit
    return found[:limit] + ([f"… and {more} more difference(s)"] if more > 0 else [])


# ---- sections and the answer ------------------------------------------------------------------

@dataclass
class _Section:
    """One domain's synthetic or real cases (of one task, when its cases span several): its
    answer, tables, plots and worst cases, all on that task's primary metric."""

    domain: str
    suite: str
    task: str | None
    primary: MetricSpec
    rows: list[TierMetrics]  # each tier's all-cases row, then its rows per variant
    answer: str
    worst: dict[str, list[dict[str, Any]]]
    plots: dict[str, Plot]  # "cost"/"latency" -> an SVG or why there is none

    @property
    def scope(self) -> str:
        return f"{self.suite} cases" + ("" if self.task is None else f", task {self.task}")

    def quality_table(self) -> tuple[list[str], list[list[str]]]:
        summaries = self.rows[0].metrics
        header = ["tier", "cases"] + [f"{n} ({'primary, ' if s.primary else ''}{direction(s.higher_is_better)})"
                                      for n, s in summaries.items()]
        rows = [[t.label, str(t.cases)] + [_metric_cell(t.metrics[n], t.cases) for n in summaries] for t in self.rows]
        return header, rows

    def cost_table(self) -> tuple[list[str], list[list[str]]]:
        header = ["tier", "cases", "errors", "with warnings", "latency p50 (s)", "latency p95 (s)",
                  "cost per case (USD)", "tokens in", "tokens out"]
        rows = [[t.label, str(t.cases), str(t.errors), str(t.cases_with_warnings), _sig(t.latency_p50_s, 3),
                 _sig(t.latency_p95_s, 3), _cost_cell(t), _count_cell(t.prompt_tokens, t.prompt_tokens_unknown),
                 _count_cell(t.completion_tokens, t.completion_tokens_unknown)] for t in self.rows]
        return header, rows

    def plot_name(self, kind: str) -> str:
        task = "" if self.task is None else f"-{_slug(self.task)}"
        return f"plot-{_slug(self.domain)}-{self.suite}{task}-{kind}.svg"

    @property
    def worst_title(self) -> str:
        extreme = "lowest" if self.primary.higher_is_better else "highest"
        return f"Worst cases per tier (errors, then {extreme} {self.primary.name}, then warnings)"


def _primary_value(tier: TierMetrics, primary: str) -> float | None:
    summary = tier.metrics.get(primary)
    return None if summary is None else summary.mean


def _tie(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)


def _cost_latency(t: TierMetrics) -> str:
    return f"{t.tier} costs {_usd(t.cost_per_case_usd)} per case at a p50 latency of {_sig(t.latency_p50_s, 3)} s"


def _evidence(result: DeltaResult) -> str:
    """The p-value when the test gives one, else the interval; then the method."""
    if result.p_value is not None:
        shown = f"p={result.p_value:.2g}"
    elif result.low is not None and result.high is not None:
        shown = f"95% CI [{result.low:+.3f}, {result.high:+.3f}]"
    else:
        shown = "no interval"
    return f"{shown}, {result.method}"


def _noise(spec: MetricSpec, best: dict[str, Sample], runner_up: dict[str, Sample]) -> str:
    """Tested on the cases both tiers scored, paired: the per-case difficulty they share cancels."""
    shared = sorted(set(best) & set(runner_up))
    if not shared:
        return "cannot be tested: the two tiers share no scored case"
    result = compare_delta(spec.kind, [best[c] for c in shared], [runner_up[c] for c in shared], paired=True,
                           reduce=spec.reduce)
    verdict = "outside" if result.significant else "within"
    return f"{verdict} the noise ({_evidence(result)}, {len(shared)} shared cases)"


def _answer(spec: MetricSpec, tiers: list[TierMetrics], cases: dict[str, list[dict[str, Any]]]) -> str:
    """1-3 sentences: which tier the primary metric supports, by how much, whether that is
    outside the noise, and at what cost and latency; so a reader need not read the tables."""
    name, sense = spec.name, direction(spec.higher_is_better)
    scored = [t for t in tiers if _primary_value(t, name) is not None]
    if len(tiers) == 1:
        only = tiers[0]
        value = _primary_value(only, name)
        quality = "no value" if value is None else f"{value:.3f}"
        return (f"Only {only.tier} ran on these cases, so there is nothing to compare: {name} ({sense}) "
                f"{quality}; {_cost_latency(only)}.")
    if not scored:
        return f"No tier has a {name} value on these cases, so none can be called best."
    sign = -1.0 if spec.higher_is_better else 1.0  # sorts best first in either direction
    ranked = sorted(scored, key=lambda t: sign * _primary_value(t, name))
    best_value = _primary_value(ranked[0], name)
    tied = [t for t in ranked if _tie(_primary_value(t, name), best_value)]
    costs = "; ".join(map(_cost_latency, tied))
    if len(tied) == len(ranked) > 1:
        return f"All {len(tied)} scored tiers tie on {name} ({best_value:.3f}), so cost and latency decide: {costs}."
    if len(tied) > 1:
        return f"{', '.join(t.tier for t in tied)} tie for best on {name} ({sense}) at {best_value:.3f}: {costs}."
    best, runner_up = ranked[0], ranked[1]
    runner_value = _primary_value(runner_up, name)
    noise = _noise(spec, case_samples(spec, cases[best.tier]), case_samples(spec, cases[runner_up.tier]))
    unscored = "" if len(scored) == len(tiers) else f" ({len(tiers) - len(scored)} tier(s) have no {name} value.)"
    return (f"{best.tier} is best on {name} ({sense}): {best_value:.3f} vs {runner_value:.3f} for the runner-up "
            f"{runner_up.tier} ({best_value - runner_value:+.3f}), a difference {noise}. "
            f"{_cost_latency(best)}; {_cost_latency(runner_up)}.{unscored}")


def _worst_cases(cases: list[dict[str, Any]], spec: MetricSpec) -> list[dict[str, Any]]:
    """Errors first (a crash is worse than any score), then the worst primary scores in the
    metric's own direction, then cases with warnings (e.g. LLM output that failed validation).

    Clean cases at the tier's best score are left out: when most cases are perfect, listing
    perfect ones as 'worst' would only hide the few that are not.
    """
    sign = 1.0 if spec.higher_is_better else -1.0

    def score(case: dict[str, Any]) -> float | None:
        return (case.get("scores") or {}).get(spec.name)

    best = max((sign * s for c in cases if (s := score(c)) is not None), default=None)

    def rank(case: dict[str, Any]) -> tuple[bool, float, bool, str]:
        value = score(case)
        return (not case.get("error"), float("-inf") if value is None else sign * value,
                not (case.get("warnings") or case.get("ingest_errors")), str(case["case_id"]))

    notable = [c for c in cases if c.get("error") or c.get("warnings") or c.get("ingest_errors")
               or (score(c) is not None and sign * score(c) != best)]
    return sorted(notable, key=rank)[:WORST_CASES]


def _variant_answer(spec: MetricSpec, rows: list[TierMetrics]) -> str:
    """Which tier is best on each input variant: where a smaller tier holds up on one variant
    and not on another, the all-cases answer alone would hide it. Point estimates only; the
    table beside it has their intervals."""
    if len({t.tier for t in rows}) < 2:
        return ""
    sign = 1.0 if spec.higher_is_better else -1.0
    values: dict[str, dict[str, float]] = defaultdict(dict)  # variant -> tier -> primary value
    for row in rows:
        if row.variant is not None and (value := _primary_value(row, spec.name)) is not None:
            values[row.variant][row.tier] = value
    parts = []
    for variant, by_tier in values.items():
        best = max(by_tier.values(), key=lambda v: sign * v)
        parts.append(f"{variant}: {', '.join(t for t, v in by_tier.items() if _tie(v, best))} ({best:.3f})")
    return f" Best on {spec.name} per variant (point estimates; intervals in the table): {'; '.join(parts)}." \
        if parts else ""


def _sections(run: Run) -> list[_Section]:
    rows: dict[tuple[str, str, str | None], list[TierMetrics]] = defaultdict(list)
    for summary in summarise_run(run, split=True):
        rows[(summary.domain, summary.suite, summary.task)].append(summary)
    colors = {tier: f"C{i % 10}" for i, tier in enumerate(run.meta["tiers"])}  # same tier, same colour
    sections = []
    for group in _case_groups(run, by_task=True):
        section_rows = rows[(group.domain, group.suite, group.task)]
        tiers = [t for t in section_rows if t.variant is None]
        spec = run.metric_specs(group.domain).get(group.primary, MetricSpec(group.primary))
        cases = {t.tier: group.tier_cases(t.tier) for t in tiers}
        worst = {tier: _worst_cases(tier_cases, spec) for tier, tier_cases in cases.items()}
        task = "" if group.task is None else f", task {group.task}"
        plots = tier_plots(f"{group.domain} ({group.suite}{task})", group.primary, tiers, colors,
                           salt=f"{run.meta['run_id']}-{group.domain}-{group.suite}{task}")
        answer = _answer(spec, tiers, cases) + _variant_answer(spec, section_rows)
        sections.append(_Section(group.domain, group.suite, group.task, spec, section_rows, answer, worst, plots))
    return sections


# ---- run-level facts --------------------------------------------------------------------------

def _header_facts(run: Run) -> list[tuple[str, str]]:
    meta = run.meta
    facts = [("run", str(meta["run_id"])), ("status", run.status), ("created", str(meta.get("created", "–"))),
             ("suite", str(meta.get("suite", "–"))), ("config hash", str(meta.get("config_hash", "–")))]
    facts += [("error", str(meta["error"]))] if meta.get("error") else []
    facts += [(f"version: {k}", str(v)) for k, v in sorted(meta.get("versions", {}).items())]
    facts += [(f"corpus hash: {k}", str(v)) for k, v in sorted(meta.get("corpus_hashes", {}).items())]
    return facts + [("note", note) for note in run.notes]


def _status_line(run: Run) -> str:
    """What a reader must know before trusting any number below; "" for a finished run with cases."""
    recorded = "" if run.cases else " No cases were recorded."
    if run.status in ("failed", "stopped"):
        error = run.meta.get("error") or "no error was recorded"
        return f"This run {run.status}: {error}.{recorded}"
    if run.status != "finished":
        return (f"This run's status is '{run.status}': it is still going or ended without saying so; "
                f"the numbers cover the cases recorded so far.{recorded}")
    return recorded.strip()


_LEGEND = ("Metrics: each aggregated by its kind with its 95% confidence interval [low, high]: proportions "
           "(0/1 per case) with the Wilson score interval, means with a percentile bootstrap, ratios as the sum "
           "of numerators over the sum of denominators with a bootstrap over cases; 3 decimals; (n=…) when "
           "fewer cases had a value. Each column says whether higher or lower is better. Cost is the mean per "
           "case; a cost or token count a tier did not report is shown as unknown, never counted as 0.")


def _case_diff(case: dict[str, Any]) -> list[str]:
    if case.get("outcome") is None and case.get("error"):
        return ["no outcome: the case failed (error below)"]
    return diff_lines(case.get("expected"), case.get("outcome"))


def _case_facts(case: dict[str, Any], primary: str) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """What a reader needs to see why a case scored badly: fixed columns, then warnings/error.

    The input is shortened: a worst case is there to be recognised; the differences between
    expected and outcome say what went wrong.
    """
    score = (case.get("scores") or {}).get(primary)
    columns = [("case", str(case["case_id"])), (primary, "–" if score is None else f"{score:.3f}"),
               ("tags", ", ".join(map(str, case.get("tags") or [])) or "–"),
               ("input", _json_text(case.get("input"), _MAX_INPUT_CHARS)),
               ("expected vs outcome", "\n".join(_case_diff(case)))]
    notes = [("warning", _truncate(str(w), _MAX_NOTE_CHARS)) for w in (case.get("warnings") or [])[:_MAX_WARNINGS]]
    notes += [("ingest error", _truncate(f"{e.get('file')}: {e.get('reason')}", _MAX_NOTE_CHARS))
              for e in (case.get("ingest_errors") or [])[:_MAX_WARNINGS]]
    if case.get("error"):
        notes.append(("error", _truncate(str(case["error"]), _MAX_NOTE_CHARS)))
    return columns, notes


def _not_run(run: Run) -> list[tuple[str, str, str]]:
    """(what, name, why) for every tier, domain and suite the run could not measure."""
    meta = run.meta
    return ([("tier", str(t), f"not run: {r}") for t, r in meta.get("unavailable", {}).items()]
            + [("domain", str(d), f"could not be loaded: {r}") for d, r in meta.get("failed_domains", {}).items()]
            + [("suite", str(s), f"skipped: {r}") for s, r in meta.get("skipped_suites", {}).items()])


def _domain_notes(run: Run, domain: str) -> list[str]:
    """Why part or all of one domain is missing, in plain sentences."""
    notes = []
    if reason := run.meta.get("failed_domains", {}).get(domain):
        notes.append(f"This domain could not be loaded: {reason}")
    for key, reason in run.meta.get("skipped_suites", {}).items():
        if key.partition("/")[0] == domain:
            notes.append(f"The {key.partition('/')[2] or key} suite was skipped: {reason}")
    return notes


def _sentence(reason: str) -> str:
    return reason[:1].upper() + reason[1:] + "."


# ---- Markdown ---------------------------------------------------------------------------------

def _md_cell(text: str) -> str:
    """Entities for <, > and & so case text cannot become HTML in a Markdown viewer; | would split the cell."""
    return html.escape(text, quote=False).replace("|", "\\|").replace("\n", " ")


def _md_table(header: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(map(_md_cell, header)) + " |", "|" + "---|" * len(header)]
    return lines + ["| " + " | ".join(map(_md_cell, row)) + " |" for row in rows]


def _md_block(lines: list[tuple[str, str]]) -> list[str]:
    """A fenced block shows case text verbatim; the fence outgrows any backtick run inside it.
    A multi-line value (the differences) starts on its own line, indented."""
    body = [f"{label}:\n  " + value.replace("\n", "\n  ") if "\n" in value else f"{label}: {value}"
            for label, value in lines]
    longest = max((len(run) for line in body for run in re.findall(r"`+", line)), default=0)
    fence = "`" * max(3, longest + 1)
    return [fence + "text", *body, fence, ""]


def _md_not_run(items: list[tuple[str, str, str]]) -> list[str]:
    return [f"- {what} **{_md_cell(name)}** {_md_cell(why)}" for what, name, why in items]


def _md_section(section: _Section, not_run: list[tuple[str, str, str]]) -> list[str]:
    out = [f"### {_md_cell(section.domain)}: {_md_cell(section.scope)}", "", "Quality:", ""]
    out += _md_table(*section.quality_table()) + ["", "Cost and latency:", ""]
    out += _md_table(*section.cost_table()) + [""]
    out += _md_not_run([item for item in not_run if item[0] == "tier"]) + [""]
    for kind, plot in section.plots.items():
        out.append(f"![{_md_cell(section.primary.name)} vs {kind}]({section.plot_name(kind)})" if plot.svg
                   else _md_cell(_sentence(plot.reason)))
    out += ["", f"#### {_md_cell(section.worst_title)}", ""]
    for tier, cases in section.worst.items():
        out += [f"**{_md_cell(tier)}**", ""]
        for case in cases:
            columns, notes = _case_facts(case, section.primary.name)
            out += _md_block(columns + notes)
        out += [] if cases else ["No failed, below-best or warned cases.", ""]
    return out


def _render_md(run: Run, sections: list[_Section]) -> str:
    out = [f"# Evaluation report: {_md_cell(str(run.meta['run_id']))}", ""]
    if status := _status_line(run):
        out += [f"**{_md_cell(status)}**", ""]
    out += _md_table(["run facts", ""], [[k, v] for k, v in _header_facts(run)]) + [""]
    not_run = _not_run(run)
    out += _md_not_run(not_run)
    out += ["", _LEGEND, ""]
    for domain in run.domain_names():
        out += [f"## {_md_cell(domain)}", ""]
        domain_sections = [s for s in sections if s.domain == domain]
        out += [_md_cell(note) for note in _domain_notes(run, domain)] + [""]
        for section in domain_sections:
            out += [f"**{_md_cell(section.scope)}:** {_md_cell(section.answer)}", ""]
        if not domain_sections:
            out += ["No cases were recorded for this domain.", ""]
        for section in domain_sections:
            out += _md_section(section, not_run)
    return re.sub(r"\n{3,}", "\n\n", "\n".join(out)).rstrip() + "\n"


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
.status { color: #8a1c1c; font-weight: bold; } .answer { font-size: 1.05rem; }
td:first-child pre { white-space: nowrap; }
pre { white-space: pre-wrap; word-break: break-word; margin: 0; font-size: .8rem; max-width: 28rem; }
"""
_NUMERIC = re.compile(r"^[\d,.–\-]+( \[.*\])?( \(n=\d+\))?( \(\+\d+ unknown\))?$")


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


def _html_not_run(items: list[tuple[str, str, str]]) -> str:
    lines = "".join(f'<li class="note">{_e(what)} <b>{_e(name)}</b> {_e(why)}</li>' for what, name, why in items)
    return f"<ul>{lines}</ul>" if lines else ""


def _html_worst(section: _Section) -> str:
    parts = [f"<h4>{_e(section.worst_title)}</h4>"]
    for tier, cases in section.worst.items():
        parts.append(f"<h5>{_e(tier)}</h5>")
        if not cases:
            parts.append("<p>No failed, below-best or warned cases.</p>")
            continue
        rows = []
        for case in cases:
            columns, notes = _case_facts(case, section.primary.name)
            cells = [value for _, value in columns] + ["\n".join(f"{k}: {v}" for k, v in notes) or "–"]
            rows.append("".join(f"<td><pre>{_e(cell)}</pre></td>" for cell in cells))
        head = "".join(f"<th>{_e(label)}</th>" for label, _ in columns) + "<th>warnings / error</th>"
        parts.append(f"<table><thead><tr>{head}</tr></thead><tbody>"
                     + "".join(f"<tr>{r}</tr>" for r in rows) + "</tbody></table>")
    return "".join(parts)


def _html_section(section: _Section, not_run: list[tuple[str, str, str]]) -> list[str]:
    svgs = "".join(inline_svg(plot.svg) for plot in section.plots.values() if plot.svg)
    reasons = "".join(f'<p class="note">{_e(_sentence(p.reason))}</p>' for p in section.plots.values() if not p.svg)
    return [f"<h3>{_e(section.domain)}: {_e(section.scope)}</h3>", "<h4>Quality</h4>",
            _html_table(*section.quality_table()), "<h4>Cost and latency</h4>",
            _html_table(*section.cost_table()), _html_not_run([i for i in not_run if i[0] == "tier"]),
            reasons, f'<div class="plots">{svgs}</div>' if svgs else "", _html_worst(section)]


def _render_html(run: Run, sections: list[_Section]) -> str:
    title = f"Evaluation report: {run.meta['run_id']}"
    not_run = _not_run(run)
    status = _status_line(run)
    facts = _html_table(["run facts", ""], [[k, v] for k, v in _header_facts(run)], numeric=False)
    body = [f"<h1>{_e(title)}</h1>", f'<p class="status">{_e(status)}</p>' if status else "", facts,
            _html_not_run(not_run), f'<p class="legend">{_e(_LEGEND)}</p>']
    for domain in run.domain_names():
        body.append(f"<h2>{_e(domain)}</h2>")
        domain_sections = [s for s in sections if s.domain == domain]
        body += [f'<p class="note">{_e(note)}</p>' for note in _domain_notes(run, domain)]
        body += [f'<p class="answer"><b>{_e(s.scope)}:</b> {_e(s.answer)}</p>' for s in domain_sections]
        if not domain_sections:
            body.append("<p>No cases were recorded for this domain.</p>")
        for section in domain_sections:
            body += _html_section(section, not_run)
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
        for kind, plot in section.plots.items():
            if plot.svg:
                (out / section.plot_name(kind)).write_text(plot.svg, encoding="utf-8")
    md_path, html_path = out / "report.md", out / "report.html"
    md_path.write_text(_render_md(run, sections), encoding="utf-8")
    html_path.write_text(_render_html(run, sections), encoding="utf-8")
    return md_path, html_path
