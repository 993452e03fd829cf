"""Shared helpers: value normalisation and the summary statistics reports print."""
from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

_SPACE = re.compile(r"\s+")


def normalise_value(value: object) -> str:
    """Compare values as a reviewer would: case, surrounding punctuation and spacing ignored."""
    if value is None:
        return ""
    return _SPACE.sub(" ", str(value)).strip().strip(".,;").casefold()


def mean(values: Sequence[float]) -> float | None:
    """Arithmetic mean; None for no values, so an empty group is not reported as a score of 0."""
    return float(np.mean(values)) if len(values) else None


def percentile(values: Sequence[float], q: float) -> float | None:
    """Linear-interpolated percentile (numpy's default), None for no values."""
    return float(np.percentile(values, q)) if len(values) else None
