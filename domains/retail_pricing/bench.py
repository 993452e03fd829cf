"""The domain benchmark: the whole UCI rolling-origin backtest, our path against statsforecast's own.

Why this comparison: model choice is the forecasting cost that grows with the catalogue (every
candidate at every origin for every series). Our path (`forecasting.backtest`: statsforecast's
`cross_validation`, then per-series WAPE per candidate and the choice) is timed against the bare
`StatsForecast.cross_validation` call on the same 811 series, the same candidates and the same
origins, in the same run; the ratio is raw seconds / our seconds (1.0: no overhead). The first
call of the run is a warm-up outside both timings. Both run in this process (one worker) so CPU
seconds are measured exactly and a busy machine cannot favour either side; with 2 workers the
wall time is about half (statsforecast splits the series across processes).
"""
from __future__ import annotations

import csv
import time
from pathlib import Path
from typing import Any

import numpy as np

from rightsized.domains.bench import Benchmark
from rightsized.domains.base import SuiteUnavailable
from rightsized.domains.retail_pricing.forecasting import (
    backtest, candidate_names, cross_validate, panel_frame,
)
from rightsized.domains.retail_pricing.real import UCI
from rightsized.pipelines.runtime import Workspace

HORIZON, ORIGINS = 8, 3


def uci_series(external_dir: Path) -> dict[str, np.ndarray]:
    path = Path(external_dir) / UCI
    if not path.is_file():
        raise SuiteUnavailable(f"{path}: not found; set domains.retail_pricing.external_dir")
    with path.open(newline="") as handle:
        return {row["Product_Code"]: np.array([float(row[f"W{i}"]) for i in range(52)]) for row in csv.DictReader(handle)}


def run_uci_backtest(workspace: Workspace, tier: str) -> dict[str, Any]:
    from rightsized.domains.registry import get_domain

    domain = get_domain("retail_pricing")
    config = domain.configure(workspace.settings.domains.get(domain.name))
    external = getattr(config, "external_dir", None)
    if external is None:
        raise SuiteUnavailable("set domains.retail_pricing.external_dir to ../shared/data/external/retail_pricing")
    series = uci_series(external)
    jobs = 1
    names = candidate_names(1)
    warm = dict(list(series.items())[:8])
    backtest(warm, season=1, horizon=HORIZON, origins=ORIGINS, n_jobs=jobs)
    frame = panel_frame(series)
    started, cpu = time.perf_counter(), time.process_time()
    cross_validate(frame, season=1, horizon=HORIZON, origins=ORIGINS, n_jobs=jobs)
    raw, raw_cpu = time.perf_counter() - started, time.process_time() - cpu
    started, cpu = time.perf_counter(), time.process_time()
    ours = backtest(series, season=1, horizon=HORIZON, origins=ORIGINS, n_jobs=jobs)
    path, path_cpu = time.perf_counter() - started, time.process_time() - cpu
    totals = {n: [sum(b.errors[n][0] for b in ours.values()), sum(b.errors[n][1] for b in ours.values())] for n in names}
    chosen_error = sum(b.errors[b.chosen][0] for b in ours.values())
    return {
        "series": len(series), "origins": ORIGINS, "horizon": HORIZON, "candidates": names, "workers": jobs,
        "raw_cross_validation_s": round(raw, 2), "our_backtest_s": round(path, 2),
        "raw_cross_validation_cpu_s": round(raw_cpu, 2), "our_backtest_cpu_s": round(path_cpu, 2),
        "ratio_raw_over_ours": round(raw / path, 3), "ratio_cpu_raw_over_ours": round(raw_cpu / path_cpu, 3),
        "backtest_wape": {n: round(e / v, 4) for n, (e, v) in totals.items()},
        "backtest_wape_of_chosen_in_sample": round(chosen_error / totals[names[0]][1], 4),
        "chosen": {n: sum(b.chosen == n for b in ours.values()) for n in names},
    }


BENCHMARKS = (
    Benchmark("uci_backtest", "UCI weekly sales: 811 series x 3 rolling origins x every candidate; "
              "our backtest path vs statsforecast's cross_validation", run_uci_backtest),
)
