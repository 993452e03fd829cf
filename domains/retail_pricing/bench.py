"""The domain benchmark: the whole UCI rolling-origin backtest, our path against statsforecast's own.

Why this comparison: model choice is the forecasting cost that grows with the catalogue (every
candidate at every origin for every series). Our path (`forecasting.backtest` with every candidate:
statsforecast's `cross_validation` for seasonal naive and AutoETS, the order-reusing AutoARIMA
backtest, the global LightGBM (plain and market-normalised) trained before each origin, their
combination, per-series WAPE and the choice) is timed against the bare
`StatsForecast.cross_validation` call on the same 811 series, the same statistical candidates and
the same origins, in the same run, both on `WORKERS` processes. The global model is timed on its own
as well, so the ratio can be read two ways: raw / our whole path (the global fits are work the raw
call does not do), and raw / our path without the global fits. The two sides no longer do the same
ARIMA work: the raw call searches AutoARIMA's order at every origin (the library's own practice,
kept as the reference), our path searches it at the first origin and re-estimates that order's
coefficients at the later ones (`arima_reuse`), so a ratio above 1 is less work, not less overhead;
the result says so (`arima_order_search`). CPU seconds count this process and its worker processes;
wall seconds depend on the machine's load, which the result records. The first call of the run is a
warm-up (numba compiles) outside every timing; the global model's fit cache is cleared before each
timed run.
"""
from __future__ import annotations

import csv
import os
import resource
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from rightsized.domains.bench import Benchmark
from rightsized.domains.base import SuiteUnavailable
from rightsized.domains.retail_pricing.arima_reuse import ARIMA_SEARCH
from rightsized.domains.retail_pricing.forecasting import (
    backtest, backtest_cutoffs, candidate_names, cross_validate, panel_frame, pooled_choice, statistical_names,
)
from rightsized.domains.retail_pricing.global_model import clear_cache, global_forecast
from rightsized.domains.retail_pricing.real import UCI
from rightsized.pipelines.runtime import Workspace

HORIZON, ORIGINS, WORKERS = 8, 3, 2


def uci_series(external_dir: Path) -> dict[str, np.ndarray]:
    path = Path(external_dir) / UCI
    if not path.is_file():
        raise SuiteUnavailable(f"{path}: not found; set domains.retail_pricing.external_dir")
    with path.open(newline="") as handle:
        return {row["Product_Code"]: np.array([float(row[f"W{i}"]) for i in range(52)]) for row in csv.DictReader(handle)}


def _cpu() -> float:
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def timed(call: Callable[[], Any]) -> tuple[Any, float, float]:
    """(result, wall seconds, CPU seconds of this process and its finished children)."""
    clear_cache()
    started, cpu = time.perf_counter(), _cpu()
    result = call()
    return result, time.perf_counter() - started, _cpu() - cpu


def run_uci_backtest(workspace: Workspace, tier: str) -> dict[str, Any]:
    from rightsized.domains.registry import get_domain

    domain = get_domain("retail_pricing")
    config = domain.configure(workspace.settings.domains.get(domain.name))
    external = getattr(config, "external_dir", None)
    if external is None:
        raise SuiteUnavailable("set domains.retail_pricing.external_dir to ../shared/data/external/retail_pricing")
    history = {uid: values[:-HORIZON] for uid, values in uci_series(external).items()}  # the suite's held-out weeks stay out
    names, statistical = candidate_names(1), statistical_names(1)
    backtest(dict(list(history.items())[:8]), season=1, horizon=HORIZON, origins=ORIGINS, n_jobs=WORKERS)
    load_before = os.getloadavg()
    _, raw, raw_cpu = timed(lambda: cross_validate(panel_frame(history), season=1, horizon=HORIZON, origins=ORIGINS,
                                                   models=statistical, n_jobs=WORKERS))
    ours, path, path_cpu = timed(lambda: backtest(history, season=1, horizon=HORIZON, origins=ORIGINS, n_jobs=WORKERS))
    matrix = np.vstack(list(history.values()))
    cuts = backtest_cutoffs(matrix.shape[1], horizon=HORIZON, origins=ORIGINS)
    _, fits, fits_cpu = timed(lambda: [global_forecast(matrix, cut, HORIZON, 1, market=market)
                                       for cut in cuts for market in (False, True)])
    totals = {n: [sum(b.errors[n][0] for b in ours.values()), sum(b.errors[n][1] for b in ours.values())] for n in names}
    chosen_error = sum(b.errors[b.chosen][0] for b in ours.values())
    return {
        "series": len(history), "weeks": int(matrix.shape[1]), "origins": ORIGINS, "horizon": HORIZON,
        "candidates": names, "arima_search": ARIMA_SEARCH, "workers": WORKERS, "cpu_count": os.cpu_count(),
        "arima_order_search": {"raw": "every origin",
                               "ours": "first origin only; later origins re-estimate that order's coefficients"},
        "load_average_1_5_15_before": [round(x, 2) for x in load_before],
        "load_average_1_5_15_after": [round(x, 2) for x in os.getloadavg()],
        "raw_cross_validation_s": round(raw, 2), "raw_cross_validation_cpu_s": round(raw_cpu, 2),
        "our_backtest_s": round(path, 2), "our_backtest_cpu_s": round(path_cpu, 2),
        "global_model_fits_s": round(fits, 2), "global_model_fits_cpu_s": round(fits_cpu, 2),
        "ratio_raw_over_ours": round(raw / path, 3), "ratio_cpu_raw_over_ours": round(raw_cpu / path_cpu, 3),
        "ratio_raw_over_ours_without_global": round(raw / max(path - fits, 1e-9), 3),
        "ratio_cpu_raw_over_ours_without_global": round(raw_cpu / max(path_cpu - fits_cpu, 1e-9), 3),
        "backtest_wape": {n: round(e / v, 4) for n, (e, v) in totals.items()},
        "chosen_by_pooled_backtest": pooled_choice(ours)[0],
        "best_per_series": {n: sum(b.chosen == n for b in ours.values()) for n in names},
        "backtest_wape_of_best_per_series_in_sample": round(chosen_error / totals[names[0]][1], 4),
    }


BENCHMARKS = (
    Benchmark("uci_backtest", "UCI weekly sales: 811 series x 3 rolling origins x every candidate (W0-W43); "
              "our backtest path vs statsforecast's cross_validation", run_uci_backtest),
)
