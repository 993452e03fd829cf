"""Tier scatter plots (quality vs cost, quality vs latency) rendered to SVG text.

Why SVG text and not files: the HTML report must be self-contained, so plots are inlined into
the page, and the Markdown report writes the same text next to itself. Figures are built with
`matplotlib.figure.Figure` (no pyplot), so no global figure state leaks between reports.
"""
from __future__ import annotations

import io
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from rightsized.eval.report import TierMetrics

# matplotlib's SVG prolog (XML declaration, DOCTYPE with a DTD URL) is only valid in a
# standalone file; inside HTML the parser puts <svg> in the SVG namespace without it.
_SVG_PROLOG = re.compile(r"\A.*?(?=<svg\b)", re.DOTALL)
_XMLNS = re.compile(r'\s+xmlns(?::\w+)?="[^"]*"')


@dataclass(frozen=True)
class TierPoint:
    """One tier on a plot: x (cost or latency), quality mean and its confidence interval."""

    tier: str
    x: float
    quality: float
    low: float
    high: float
    color: str


def scatter_svg(points: Sequence[TierPoint], *, title: str, x_label: str, y_label: str, salt: str) -> str:
    """Render labelled points with CI error bars; returns a standalone SVG document.

    `salt` seeds matplotlib's SVG element ids: deterministic output (reports diff cleanly) and
    distinct ids per plot, because several plots share one HTML document's id space.
    """
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    fig = Figure(figsize=(5.6, 3.8), layout="constrained")
    ax = fig.subplots()
    for point in points:
        ax.errorbar(
            [point.x], [point.quality],
            yerr=[[point.quality - point.low], [point.high - point.quality]],
            fmt="o", color=point.color, capsize=4, markersize=7,
        )
        ax.annotate(point.tier, (point.x, point.quality), textcoords="offset points",
                    xytext=(7, 5), fontsize=9, color=point.color)
    ax.set_title(title, fontsize=10)
    ax.set_xlabel(x_label)
    ax.set_ylabel(y_label)
    ax.xaxis.set_major_locator(MaxNLocator(nbins=5))  # small USD values have long tick labels
    ax.grid(True, alpha=0.3)
    ax.margins(x=0.25, y=0.15)  # room for the tier labels beside the points
    buffer = io.StringIO()
    with matplotlib.rc_context({"svg.hashsalt": salt, "svg.fonttype": "path"}):
        fig.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None, "Format": None, "Type": None})
    return buffer.getvalue()


def inline_svg(svg: str) -> str:
    """Strip the XML prolog and namespace URIs so the SVG can sit inside an HTML page.

    The namespace URIs are never fetched, but dropping them leaves the page with no URL of
    another host at all, which is what the no-external-resources test checks.
    """
    body = _SVG_PROLOG.sub("", svg, count=1)
    return _XMLNS.sub("", body, count=2)


@dataclass(frozen=True)
class Plot:
    """An SVG, or the sentence saying why there is none.

    A plot whose x-axis has no spread (every tier at $0, or a single tier) draws points on one
    vertical line and says nothing a table does not; the sentence says that in words instead.
    """

    svg: str | None
    reason: str = ""


# kind -> (axis label, the noun used when there is no plot, TierMetrics -> x or None when unknown)
_AXES: dict[str, tuple[str, str, Callable[[TierMetrics], float | None]]] = {
    "cost": ("mean cost per case (USD)", "cost per case", lambda t: t.cost_per_case_usd),
    "latency": ("latency p50 (s)", "p50 latency", lambda t: t.latency_p50_s),
}


def _or(value: float | None, default: float) -> float:
    """A bound the statistics could not give is drawn as no error bar, not as a crash."""
    return default if value is None else value


def _same_x_sentence(kind: str, x: float) -> str:
    value = np.format_float_positional(x, precision=3, unique=True, fractional=False, trim="-")
    if kind == "cost":
        return f"every tier costs ${value} per case: no cost plot"
    return f"every tier has a p50 latency of {value} s: no latency plot"


def _no_plot_reason(kind: str, primary: str, scored: Sequence[TierMetrics]) -> str:
    """Why a plot would show nothing, or "" when it has at least two distinct x values."""
    _, noun, x_of = _AXES[kind]
    if not scored:
        return f"no tier has a {primary} value: no {kind} plot"
    if len(scored) == 1:
        return f"only {scored[0].tier} has a {primary} value, nothing to compare it with: no {kind} plot"
    known = [x for x in map(x_of, scored) if x is not None]
    if len(known) < 2:
        unknown = ", ".join(t.tier for t in scored if x_of(t) is None)
        return f"{noun} is unknown for {unknown}: no {kind} plot"
    if len(set(known)) == 1:
        return _same_x_sentence(kind, known[0])
    return ""


def tier_plots(scope: str, primary: str, tiers: Sequence[TierMetrics], colors: Mapping[str, str], *,
               salt: str) -> dict[str, Plot]:
    """The two plots of one report section (`scope`, e.g. "claims (synthetic, task triage)"): its
    primary metric vs cost per case and vs latency p50, one point per tier's all-cases row.

    The primary is the section's own (a task's, when a domain has several), so each task is
    plotted on what it is judged by. Tiers whose primary metric (or x value) is unknown are
    left off rather than drawn at zero.
    """
    scored = [t for t in tiers if primary in t.metrics and t.metrics[primary].mean is not None]
    plots = {}
    for kind, (x_label, _, x_of) in _AXES.items():
        if reason := _no_plot_reason(kind, primary, scored):
            plots[kind] = Plot(None, reason)
            continue
        summaries = [(t, x_of(t), t.metrics[primary]) for t in scored]
        points = [TierPoint(t.tier, x, m.mean, _or(m.low, m.mean), _or(m.high, m.mean), colors[t.tier])
                  for t, x, m in summaries if x is not None]
        direction = "higher is better" if scored[0].metrics[primary].higher_is_better else "lower is better"
        svg = scatter_svg(points, title=f"{scope}: {primary} vs {x_label}", x_label=x_label,
                          y_label=f"{primary}, 95% CI ({direction})", salt=f"{salt}-{kind}")
        plots[kind] = Plot(svg)
    return plots
