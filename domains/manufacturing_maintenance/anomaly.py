"""Anomaly detection on a machine's own sensor series (PyOD's ECOD).

Why against the machine's own earlier readings: "normal" differs per machine and per job, and
a drift that stays inside every manual limit (vibration creeping from 2 to 4 mm/s) is the early
warning a limit rule cannot give. ECOD (empirical cumulative distribution outlier detection)
has no parameters to tune and fits a 48-reading window in about a millisecond.
The detector is fitted on the first half of the window and scores the latest readings; which
sensors moved is reported as a shift in baseline standard deviations, so the technician sees
what changed, not just a score. Tool wear is left out: it rises by design.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rightsized.domains.manufacturing_maintenance.telemetry import RECENT, Window

ANOMALY_SENSORS = ("air_temp_K", "process_temp_K", "rotational_speed_rpm", "torque_Nm", "vibration_mm_s")
MIN_BASELINE = 8  # readings needed before anything is called unusual
SHIFT_SIGMAS = 4.0  # a sensor whose recent mean moved this many baseline SDs is named


@dataclass(frozen=True)
class AnomalyReport:
    """`anomalous`: the recent readings score near the detector's 5% threshold and a sensor shifted."""

    anomalous: bool
    score: float  # mean recent score / threshold (1.0 = at the threshold)
    shifted: tuple[tuple[str, float], ...]  # (sensor, shift in baseline SDs), largest first
    note: str = ""


def detect(window: Window) -> AnomalyReport:
    from pyod.models.ecod import ECOD

    names = [n for n in ANOMALY_SENSORS if n in window.series and n not in window.unavailable]
    if not names:
        return AnomalyReport(False, 0.0, (), "no sensor available for anomaly detection")
    data = np.column_stack([window.series[n] for n in names])
    half = len(data) // 2
    baseline, recent = data[:half], data[-RECENT:]
    if half < MIN_BASELINE:
        return AnomalyReport(False, 0.0, (), f"window too short for anomaly detection ({len(data)} readings, "
                                               f"need {2 * MIN_BASELINE})")
    medians = np.nanmedian(baseline, axis=0)
    baseline = np.where(np.isnan(baseline), medians, baseline)
    recent = np.where(np.isnan(recent), medians, recent)
    detector = ECOD(contamination=0.05).fit(baseline)
    scores = detector.decision_function(recent)
    threshold = float(detector.threshold_) or 1e-9
    spread = np.maximum(baseline.std(axis=0), 1e-6 + 0.01 * np.abs(baseline.mean(axis=0)))
    shift = (recent.mean(axis=0) - baseline.mean(axis=0)) / spread
    shifted = sorted(((n, round(float(s), 1)) for n, s in zip(names, shift) if abs(s) >= SHIFT_SIGMAS),
                     key=lambda item: -abs(item[1]))
    # Both must agree: ECOD says the recent readings are in the tail (its scores saturate beyond the
    # baseline's range, hence 90% of the threshold), and a sensor moved by SHIFT_SIGMAS. A slow
    # ambient drift trips ECOD alone; one noisy reading trips neither for long.
    anomalous = bool(shifted) and float(scores.mean()) >= 0.9 * threshold
    return AnomalyReport(anomalous, round(float(scores.mean() / threshold), 2), tuple(shifted))
