"""Metrics of a whole set of cases, not of one case: macro-F1 over labels, the four-fifths impact
ratio over groups, the largest value over cases.

Why these exist beside "mean" and "ratio": a macro-F1 is not the mean of per-case F1s, and an
impact ratio (lowest selection rate over the highest, across all groups) is not the mean of
per-pool impact ratios. Each case scores such a metric as flat named counts or values ("parts",
e.g. `{"tp:TWF": 1, "fn:HDF": 1}`); the metric is a named reducer applied to all cases' parts.

Why named reducers rather than a function on the metric spec: a run stores each case's parts and
the spec (with the reducer's name) as JSON, so `report`, `compare` and `recommend` recompute the
value and its bootstrap interval from the run files, without importing the domain that wrote them.
"""
from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

Parts = Mapping[str, float]


@dataclass(frozen=True)
class Reducer:
    """`combine` folds the cases' parts key by key (missing keys count 0 for a sum and are
    skipped for max/min); `value` turns the folded parts into the metric, None when undefined."""

    combine: Literal["sum", "max", "min"]
    value: Callable[[Mapping[str, float]], float | None]
    description: str


def _labelled(totals: Mapping[str, float], prefixes: tuple[str, ...]) -> set[str]:
    return {key.split(":", 1)[1] for key in totals if key.split(":", 1)[0] in prefixes and ":" in key}


def _macro_f1(totals: Mapping[str, float]) -> float | None:
    """Unweighted mean of per-label F1 = 2tp / (2tp + fp + fn); a label never seen in the gold
    nor predicted (all counts 0) has no F1 and is left out rather than scored 0 or 1."""
    scores = []
    for label in sorted(_labelled(totals, ("tp", "fp", "fn"))):
        tp, fp, fn = (totals.get(f"{kind}:{label}", 0.0) for kind in ("tp", "fp", "fn"))
        if 2 * tp + fp + fn:
            scores.append(2 * tp / (2 * tp + fp + fn))
    return float(np.mean(scores)) if scores else None


def _impact_ratio(totals: Mapping[str, float]) -> float | None:
    """Lowest selection rate over the highest (the four-fifths rule compares it with 0.8);
    undefined with fewer than two groups that have candidates, or when nobody was selected."""
    rates = [totals.get(f"selected:{group}", 0.0) / total
             for group in sorted(_labelled(totals, ("selected", "total")))
             if (total := totals.get(f"total:{group}", 0.0)) > 0]
    if len(rates) < 2 or max(rates) == 0:
        return None
    return min(rates) / max(rates)


def _rmse(totals: Mapping[str, float]) -> float | None:
    """Root of the summed squared errors over the summed counts: cases with several predictions
    (a forecast horizon, a fleet) weigh by their count, and the root is taken once, at the end."""
    count = totals.get("count", 0.0)
    return math.sqrt(totals.get("squared_error", 0.0) / count) if count else None


def _value(totals: Mapping[str, float]) -> float | None:
    return float(totals["value"]) if "value" in totals else None


REDUCERS: dict[str, Reducer] = {
    "macro_f1": Reducer("sum", _macro_f1, "mean over labels of F1 from parts tp:<label>, fp:<label>, fn:<label>"),
    "impact_ratio": Reducer("sum", _impact_ratio,
                            "lowest / highest selection rate over groups from parts selected:<group>, total:<group>"),
    "rmse": Reducer("sum", _rmse, "root mean squared error from parts squared_error, count"),
    "sum": Reducer("sum", _value, "the total of part `value` over cases (a challenge score summed over items)"),
    "max": Reducer("max", _value, "the largest part `value` over cases"),
    "min": Reducer("min", _value, "the smallest part `value` over cases"),
}


def reducer(name: str) -> Reducer:
    """The named reducer; an unknown name is a ValueError that lists the known ones."""
    try:
        return REDUCERS[name]
    except KeyError:
        raise ValueError(f"unknown corpus reducer {name!r}; expected one of {', '.join(REDUCERS)}") from None


def check_parts(parts: Mapping[str, object]) -> dict[str, float]:
    """A case's parts as {str: finite float}; anything else is a ValueError naming the key."""
    checked = {}
    for key, value in parts.items():
        if not isinstance(key, str) or isinstance(value, bool) or not isinstance(value, int | float) \
                or not np.isfinite(value):
            raise ValueError(f"part {key!r} must be a finite number keyed by a string, got {value!r}")
        checked[key] = float(value)
    return checked


def parts_matrix(cases: Sequence[Parts]) -> tuple[list[str], np.ndarray]:
    """(keys, cases x keys array) with NaN where a case lacks a key, so folds can resample rows."""
    keys = sorted({key for parts in cases for key in parts})
    matrix = np.full((len(cases), len(keys)), np.nan)
    for row, parts in enumerate(cases):
        for column, key in enumerate(keys):
            if key in parts:
                matrix[row, column] = parts[key]
    return keys, matrix


def fold(combine: str, rows: np.ndarray) -> np.ndarray:
    """Fold the case axis (-2) of `rows`: NaN-aware, and a key no case has stays NaN for max/min."""
    if combine == "sum":
        return np.nansum(rows, axis=-2)
    present = ~np.all(np.isnan(rows), axis=-2)
    filled = np.where(np.isnan(rows), -np.inf if combine == "max" else np.inf, rows)
    folded = filled.max(axis=-2) if combine == "max" else filled.min(axis=-2)
    return np.where(present, folded, np.nan)


def value_of(keys: Sequence[str], folded: np.ndarray, how: Reducer) -> float | None:
    """The metric from one folded row (NaN entries are keys no case had)."""
    totals = {key: float(v) for key, v in zip(keys, folded) if not np.isnan(v)}
    return how.value(totals)


def corpus_value(name: str, cases: Sequence[Parts]) -> float | None:
    """The metric over all cases' parts; None when there are none or the metric is undefined."""
    how = reducer(name)
    if not cases:
        return None
    keys, matrix = parts_matrix(cases)
    return value_of(keys, fold(how.combine, matrix), how)
