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

if TYPE_CHECKING:
    from eval.report import TierMetrics

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
    if not points:  # an empty axis would look like a rendering bug, so say why it is empty
        ax.text(0.5, 0.5, "no tier has a scored case", ha="center", va="center", transform=ax.transAxes)
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


def tier_plots(domain: str, suite: str, primary: str, tiers: Sequence[TierMetrics],
               colors: Mapping[str, str], *, salt: str) -> dict[str, str]:
    """The two plots of one (domain, suite): primary metric vs cost per case and vs latency p50.

    Tiers whose primary metric has no value are left off rather than drawn at zero.
    """
    scored = [t for t in tiers if primary in t.metrics and t.metrics[primary].mean is not None]
    axes: dict[str, tuple[str, Callable[[TierMetrics], float]]] = {
        "cost": ("mean cost per case (USD)", lambda t: t.cost_per_case_usd),
        "latency": ("latency p50 (s)", lambda t: t.latency_p50_s),
    }
    plots = {}
    for kind, (x_label, x_of) in axes.items():
        points = [TierPoint(t.tier, x_of(t), t.metrics[primary].mean, t.metrics[primary].low,
                            t.metrics[primary].high, colors[t.tier]) for t in scored]
        plots[kind] = scatter_svg(points, title=f"{domain} ({suite}): {primary} vs {x_label}", x_label=x_label,
                                  y_label=f"{primary} (mean, 95% CI)", salt=f"{salt}-{kind}")
    return plots
