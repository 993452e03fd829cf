"""A domain's own benchmark, run by `rightsized bench domain NAME [BENCHMARK]`.

Why domains declare benchmarks: the speed that matters is the domain's end-to-end path (rank 500
resumes, back-test 800 series, score 1,000 machines), which only the domain can drive; the CLI
runs and prints them without knowing any domain. Each benchmark reports its figures as ratios
against the raw component measured in the same run, never as absolute timed claims.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from rightsized.pipelines.runtime import Workspace


@dataclass(frozen=True)
class Benchmark:
    """`run(workspace, tier)` measures and returns its figures (JSON-serialisable)."""

    name: str
    description: str
    run: Callable[[Workspace, str], dict[str, Any]]
