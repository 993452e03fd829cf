"""Choose the failure threshold on a site's own labelled history, by cross-validation.

Why this exists: the classifier's probabilities for the soft modes (tool wear, bearings, random)
come from the generator's physics, and how often a machine flagged for tool wear actually fails
is a property of the site (on AI4I 2020 a tool past its replacement limit fails on under 20% of
readings, so no tool-wear probability is ever worth a failure call there). Hard limits are
failures whatever the threshold; the threshold only decides which soft-mode alarms count too.

How: every candidate threshold is scored by the failure F1 on each held-out fold of a stratified
K-fold split of the labelled rows; the candidate with the best mean held-out F1 wins, ties going
to the higher threshold (fewer alarms for the same F1). The labelled rows must be training data:
the real suite passes AI4I's training part only, never its test part.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from rightsized.domains.manufacturing_maintenance.classifier import FLAG_THRESHOLD

# Below FLAG_THRESHOLD no soft mode is flagged, so no lower threshold can change a decision.
CANDIDATES = tuple(round(FLAG_THRESHOLD + 0.05 * i, 2) for i in range(int(round((1.0 - FLAG_THRESHOLD) / 0.05)) + 1))
FOLDS = 5


@dataclass(frozen=True)
class ThresholdChoice:
    threshold: float
    cv_f1: float  # mean held-out-fold failure F1 at `threshold`
    fold_f1: tuple[float, ...]
    rows: int
    failures: int

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def failure_f1(hard: np.ndarray, alarm: np.ndarray, actual: np.ndarray, threshold: float) -> float:
    """F1 of "failure = a hard limit broken, or the soft-mode alarm at or above `threshold`"."""
    predicted = hard | (alarm >= threshold)
    tp = float((predicted & actual).sum())
    wrong = float((predicted != actual).sum())
    return 2 * tp / (2 * tp + wrong) if tp or wrong else 0.0


def choose_failure_threshold(hard: np.ndarray, alarm: np.ndarray, actual: np.ndarray, *, folds: int = FOLDS,
                             seed: int = 0) -> ThresholdChoice:
    """The candidate threshold with the best mean held-out F1 over a stratified K-fold split.

    `hard`: a hard limit was broken (per row); `alarm`: `scoring.Scored.alarm`; `actual`: the
    row's labelled failure. Raises ValueError when there are too few failures to cross-validate.
    """
    from sklearn.model_selection import StratifiedKFold

    hard, actual = np.asarray(hard, dtype=bool), np.asarray(actual, dtype=bool)
    alarm = np.asarray(alarm, dtype=float)
    if not len(hard) == len(alarm) == len(actual):
        raise ValueError(f"hard, alarm and actual differ in length ({len(hard)}, {len(alarm)}, {len(actual)})")
    failures = int(actual.sum())
    if failures < folds or len(actual) - failures < folds:
        raise ValueError(f"{failures} failures in {len(actual)} rows: too few to cross-validate over {folds} folds")
    split = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed).split(np.zeros(len(actual)), actual)
    held_out = [index for _, index in split]
    scores = np.array([[failure_f1(hard[i], alarm[i], actual[i], t) for i in held_out] for t in CANDIDATES])
    means = scores.mean(axis=1)
    best = max(range(len(CANDIDATES)), key=lambda j: (round(float(means[j]), 12), CANDIDATES[j]))
    return ThresholdChoice(CANDIDATES[best], round(float(means[best]), 4),
                           tuple(round(float(v), 4) for v in scores[best]), len(actual), failures)
