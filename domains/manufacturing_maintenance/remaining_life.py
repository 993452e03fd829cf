"""The `remaining_life` task: one unit's history so far -> cycles left, learned from a fleet's run-to-failure histories.

Why a separate task and not part of `diagnose`: remaining useful life is learned from units of the
same kind run to failure (here turbofan engines, NASA C-MAPSS), and the sample fleet's machining
centres have no such history: their one wearing part, the tool, is replaced on a fixed limit the
manual states. So `diagnose` does not guess a RUL it has no data for; this task answers it where
run-to-failure data exists. No LLM is involved: every tier gives the same number.
"""
from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from rightsized.domains.base import MetricSpec, Score, Task
from rightsized.domains.context import TaskContext
from rightsized.domains.inputs import input_file
from rightsized.domains.manufacturing_maintenance.models import RemainingLifeResult
from rightsized.domains.manufacturing_maintenance.rul import RUL_CAP, fleet_model, phm08_score, read_history


class RemainingLifeInput(BaseModel):
    history: Path = input_file("One unit's cycles so far (NASA C-MAPSS text: unit, cycle, 3 settings, 21 sensors).")
    fleet: Path = input_file("Run-to-failure histories of units of the same kind (same format; each unit's last "
                             "cycle is its failure).")


class RemainingLifeTask(Task[RemainingLifeInput, RemainingLifeResult]):
    name = "remaining_life"
    description = "Cycles a unit has left, from its history so far and a fleet's run-to-failure histories."
    input_model = RemainingLifeInput
    result_model = RemainingLifeResult
    metrics = (
        MetricSpec("rul_rmse", kind="corpus", reduce="rmse", higher_is_better=False, primary=True, threshold=13.0,
                   description="root mean squared error in cycles against the true RUL, over all units"),
        MetricSpec("rul_abs_error", kind="mean", higher_is_better=False, description="absolute error in cycles"),
        MetricSpec("phm08_score", kind="corpus", reduce="sum", higher_is_better=False,
                   description="PHM08 challenge score, summed over units (exp(-d/13)-1 early, exp(d/10)-1 late)"),
    )

    def run(self, ctx: TaskContext, inputs: RemainingLifeInput) -> RemainingLifeResult:
        history = read_history(inputs.history, single_unit=True)
        model = fleet_model(inputs.fleet)
        rul = model.predict(history)
        return RemainingLifeResult(
            unit=history.unit_ids()[0], cycles=int(history.cycles[-1]), rul=round(rul, 1), rul_cap=RUL_CAP,
            at_cap=rul >= RUL_CAP - 0.5, training_units=model.units, training_windows=model.windows,
            warnings=list(history.warnings))

    def outcome(self, result: RemainingLifeResult) -> dict[str, Any]:
        return {"rul": result.rul}

    def score(self, expected: Mapping[str, Any], outcome: Mapping[str, Any] | None) -> dict[str, Score]:
        if outcome is None:  # a unit that could not be read has no prediction to score
            return {"rul_rmse": None, "rul_abs_error": None, "phm08_score": None}
        error = float(outcome["rul"]) - float(expected["rul"])
        return {"rul_rmse": {"squared_error": error * error, "count": 1.0}, "rul_abs_error": abs(error),
                "phm08_score": {"value": phm08_score(float(outcome["rul"]), float(expected["rul"]))}}
