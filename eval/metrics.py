"""Metrics with golden-value tests (tests/unit/test_metrics.py).

Why hand-written here: they are a few lines each, and every one is checked against hand-worked
values; the eval-suite issue extends this module with retrieval and ranking metrics.
"""
from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

_SPACE = re.compile(r"\s+")


def normalise_value(value: object) -> str:
    """Compare values as a reviewer would: case, surrounding punctuation and spacing ignored."""
    if value is None:
        return ""
    return _SPACE.sub(" ", str(value)).strip().strip(".,;").casefold()


def field_matches(predicted: Mapping[str, object], expected: Mapping[str, object]) -> dict[str, bool]:
    """Per expected field: did the prediction equal it after normalisation? Missing = wrong."""
    return {
        name: normalise_value(predicted.get(name)) == normalise_value(value) and normalise_value(value) != ""
        for name, value in expected.items()
    }


def mean(values: Sequence[float]) -> float | None:
    return float(np.mean(values)) if len(values) else None


def percentile(values: Sequence[float], q: float) -> float | None:
    """Linear-interpolated percentile (numpy's default), None for no values."""
    return float(np.percentile(values, q)) if len(values) else None


@dataclass(frozen=True)
class BinaryCounts:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0

    @classmethod
    def count(cls, predicted: Sequence[bool], expected: Sequence[bool]) -> BinaryCounts:
        pairs = list(zip(predicted, expected, strict=True))
        return cls(
            tp=sum(p and e for p, e in pairs), fp=sum(p and not e for p, e in pairs),
            fn=sum(e and not p for p, e in pairs), tn=sum(not p and not e for p, e in pairs),
        )

    @property
    def recall(self) -> float | None:
        positives = self.tp + self.fn
        return self.tp / positives if positives else None

    @property
    def precision(self) -> float | None:
        flagged = self.tp + self.fp
        return self.tp / flagged if flagged else None
