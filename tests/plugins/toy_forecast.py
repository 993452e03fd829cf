"""A throw-away domain that lives outside rightsized, registered only through the entry point.

It proves the seam: a task whose input is a CSV table read by the task (never embedded) plus a
parameter, a ratio-of-sums metric where lower is better (WAPE), and a tier-dependent method
chosen by capability — all run through `run`, `eval`, `report`, `compare` and `recommend`
without a line of shared code knowing about it.
"""
from __future__ import annotations

import csv
import random
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from rightsized.domains.base import Corpus, Domain, GoldCase, MetricSpec, Score, Task, write_gold
from rightsized.domains.context import TaskContext
from rightsized.domains.inputs import input_file
from rightsized.domains.results import TaskResult


class ForecastInput(BaseModel):
    series: Path = input_file("A CSV with one column `value`, oldest first.")
    horizon: int = Field(3, ge=1, le=52, description="Periods to forecast.")


class ForecastResult(TaskResult):
    method: str
    forecast: list[float]


def read_series(path: Path) -> list[float]:
    with path.open(newline="") as handle:
        return [float(row["value"]) for row in csv.DictReader(handle)]


class ForecastTask(Task[ForecastInput, ForecastResult]):
    name = "forecast"
    description = "Forecast the next periods of one series."
    input_model = ForecastInput
    result_model = ForecastResult
    metrics = (
        MetricSpec("wape", kind="ratio", higher_is_better=False, primary=True, description="sum |error| / sum actual"),
        MetricSpec("exact_periods", kind="proportion", description="every period within 0.5 of the actual"),
    )

    def run(self, ctx: TaskContext, inputs: ForecastInput) -> ForecastResult:
        history = read_series(inputs.series)
        # A tier that can compose "reasons" with the last four periods; the baseline repeats the last one.
        window = history[-4:] if ctx.can("compose") else history[-1:]
        level = sum(window) / len(window)
        method = "mean of last 4" if ctx.can("compose") else "naive"
        return ForecastResult(method=method, forecast=[round(level, 3)] * inputs.horizon)

    def outcome(self, result: ForecastResult) -> dict[str, Any]:
        return {"forecast": result.forecast}

    def score(self, expected: Mapping[str, Any], outcome: Mapping[str, Any] | None) -> dict[str, Score]:
        actual = expected["forecast"]
        if outcome is None:
            return {"wape": None, "exact_periods": 0.0}
        errors = [abs(a - f) for a, f in zip(actual, outcome["forecast"], strict=True)]
        return {"wape": (sum(errors), sum(abs(a) for a in actual)),
                "exact_periods": float(all(e <= 0.5 for e in errors))}


class ToyForecastDomain(Domain):
    name = "toy_forecast"
    description = "A test-only forecasting domain (plugin)."
    tasks = (ForecastTask(),)

    def build_corpus(self, out_dir: Path, *, n: int, seed: int) -> Corpus:
        rng = random.Random(seed)
        documents = out_dir / "documents"
        documents.mkdir(parents=True, exist_ok=True)
        gold = []
        for i in range(n):
            level = rng.uniform(20, 200)
            values = [round(level + rng.gauss(0, level * 0.1), 2) for _ in range(15)]
            history, future = values[:12], values[12:]
            name = f"series_{i:02d}.csv"
            (documents / name).write_text("value\n" + "\n".join(map(str, history)) + "\n")
            gold.append(GoldCase(case_id=f"s{i:02d}", domain=self.name, task="forecast",
                                 input={"series": name, "horizon": 3}, expected={"forecast": future}))
        write_gold(gold, out_dir / "gold.jsonl")
        return Corpus(documents, gold)


domain = ToyForecastDomain()
