"""Failure-mode probabilities: one calibrated LightGBM per mode, trained deterministically at first use.

Why train at first use instead of shipping a model file: the training set is generated from the
documented failure physics (`physics.py`, AI4I 2020's published generation rules plus a bearing
wear model), with a fixed seed, single-threaded LightGBM and deterministic calibration folds;
the same code gives the same model on every machine in ~3 s, and there is no opaque binary in
the repo to go stale against the code. The model is cached per process.
Why one binary model per mode: modes co-occur (a worn tool under overstrain), so the modes are
not exclusive classes. Why calibrated (isotonic, 3 folds): the diagnosis reports probabilities
a reliability engineer sets thresholds on; raw boosted scores are not probabilities.
Why a learned model at all when HDF/PWF/OSF are exact rules: tool wear failure and bearing wear
are not (a tool fails somewhere between 200 and 240 min; vibration rises before it trips), and
a probability near a limit says how close a machine is.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np

from rightsized.domains.manufacturing_maintenance.physics import MACHINE_MODELS, MODES, MachineModel, power_w
from rightsized.domains.manufacturing_maintenance.telemetry import Window

FEATURES = ("variant", "air_temp_K", "process_temp_K", "temp_difference_K", "rotational_speed_rpm", "torque_Nm",
            "power_W", "tool_wear_min", "overstrain_ratio", "vibration_level", "vibration_slope", "vibration_rise")
VARIANT_CODE = {"L": 0.0, "M": 1.0, "H": 2.0}
TRAIN_ROWS = 20_000
TRAIN_SEED = 2020
FLAG_THRESHOLD = 0.10  # a mode at or above this probability is listed as likely (a watch item)
FAILURE_THRESHOLD = 0.50  # default: a flagged soft mode at or above this is a failure call (thresholds.py: per site)


def features(window: Window) -> np.ndarray:
    """The feature row of one machine window (NaN where a sensor is unavailable)."""
    latest = window.latest()
    baseline, slope = window.vibration_trend()
    return feature_row(window.model, latest, window.vibration_level(), slope, baseline)


def feature_row(model: MachineModel, latest: dict[str, float | None], vibration: float | None,
                slope: float | None, baseline: float | None) -> np.ndarray:
    nan = float("nan")

    def get(name: str) -> float:
        value = latest.get(name)
        return nan if value is None else float(value)

    air, process, rpm, torque, wear = (get(n) for n in ("air_temp_K", "process_temp_K", "rotational_speed_rpm",
                                                        "torque_Nm", "tool_wear_min"))
    vib = nan if vibration is None else vibration
    return np.array([
        VARIANT_CODE[model.variant], air, process, process - air, rpm, torque, power_w(torque, rpm), wear,
        wear * torque / model.overstrain_limit, vib, nan if slope is None else slope,
        nan if baseline is None or vibration is None else vibration - baseline,
    ])


def training_set(n: int = TRAIN_ROWS, seed: int = TRAIN_SEED) -> tuple[np.ndarray, np.ndarray]:
    """Machine windows drawn like AI4I 2020's generator, with vibration for a share of them.

    Labels: HDF, PWF, OSF exactly as the limits state; TWF with a hazard rising from 0 at the
    replacement limit (200 min) to 0.25 at end of life (240 min) and 0.5 beyond; BWF when
    vibration has risen past the alert level (mostly) or is trending up fast near it; RNF at
    0.1% anywhere (it is random by definition, so the model learns it cannot be predicted).
    """
    rng = np.random.default_rng(seed)
    variants = rng.choice(["L", "M", "H"], size=n, p=[0.6, 0.3, 0.1])
    by_variant = {m.variant: m for m in MACHINE_MODELS.values()}
    air = rng.normal(300.0, 2.0, n)
    process = air + rng.normal(10.0, 1.0, n)
    # Oversample the regions where the limits are, so the boundaries are learned.
    low_dt = rng.random(n) < 0.08
    process[low_dt] = air[low_dt] + rng.uniform(6.5, 9.5, low_dt.sum())
    rpm = rng.normal(1540.0, 180.0, n)
    slow = rng.random(n) < 0.08
    rpm[slow] = rng.uniform(1200.0, 1450.0, slow.sum())
    torque = np.clip(rng.normal(40.0, 10.0, n), 3.0, 80.0)
    heavy = rng.random(n) < 0.08
    torque[heavy] = rng.uniform(45.0, 75.0, heavy.sum())
    wear = rng.uniform(0.0, 250.0, n)
    has_vibration = rng.random(n) < 0.7
    base = np.clip(rng.normal(2.0, 0.4, n), 0.5, None)
    bearing = rng.random(n) < 0.1
    rise = np.where(bearing, rng.uniform(0.5, 7.0, n), rng.normal(0.0, 0.2, n))
    vibration = np.clip(base + rise, 0.3, None)
    slope = np.where(bearing, rise / rng.uniform(3.0, 8.0, n), rng.normal(0.0, 0.05, n))
    power = power_w(torque, rpm)
    limits = np.array([by_variant[v].overstrain_limit for v in variants])
    labels = np.zeros((n, len(MODES)), dtype=int)
    labels[:, MODES.index("HDF")] = ((process - air) < 8.6) & (rpm < 1380)
    labels[:, MODES.index("PWF")] = (power < 3500) | (power > 9000)
    labels[:, MODES.index("OSF")] = wear * torque > limits
    hazard = np.clip((wear - 200.0) / 40.0 * 0.25, 0.0, 0.25) + np.where(wear > 240, 0.25, 0.0)
    labels[:, MODES.index("TWF")] = rng.random(n) < hazard
    bearing_failing = (vibration >= 4.5) | ((vibration >= 3.5) & (slope > 0.4))
    labels[:, MODES.index("BWF")] = has_vibration & bearing_failing & (rng.random(n) < 0.95)
    labels[:, MODES.index("RNF")] = rng.random(n) < 0.001
    nan = np.nan
    x = np.column_stack([
        np.array([VARIANT_CODE[v] for v in variants]), air, process, process - air, rpm, torque, power, wear,
        wear * torque / limits, np.where(has_vibration, vibration, nan), np.where(has_vibration, slope, nan),
        np.where(has_vibration, rise, nan),
    ])
    return x, labels


@dataclass
class ModeClassifier:
    """Calibrated P(mode) for each of `MODES`; a mode with too few positives to learn gets its base rate."""

    models: dict[str, object]
    base_rates: dict[str, float]

    def predict(self, rows: np.ndarray) -> np.ndarray:
        """(n, len(MODES)) probabilities for a batch of feature rows."""
        rows = np.atleast_2d(rows)
        out = np.empty((rows.shape[0], len(MODES)))
        for j, mode in enumerate(MODES):
            model = self.models.get(mode)
            out[:, j] = model.predict_proba(rows)[:, 1] if model is not None else self.base_rates[mode]
        return out


def train(x: np.ndarray, labels: np.ndarray, *, seed: int = TRAIN_SEED) -> ModeClassifier:
    """Fit one isotonic-calibrated LightGBM per mode (deterministic: one thread, fixed seeds)."""
    from lightgbm import LGBMClassifier
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.model_selection import StratifiedKFold

    models: dict[str, object] = {}
    rates: dict[str, float] = {}
    for j, mode in enumerate(MODES):
        y = labels[:, j]
        rates[mode] = float(y.mean())
        if y.sum() < 30:
            continue
        booster = LGBMClassifier(n_estimators=80, num_leaves=15, learning_rate=0.1, min_child_samples=10,
                                 random_state=seed, n_jobs=1, deterministic=True, force_row_wise=True, verbose=-1)
        folds = StratifiedKFold(n_splits=3, shuffle=True, random_state=seed)
        models[mode] = CalibratedClassifierCV(booster, method="isotonic", cv=folds).fit(x, y)
    return ModeClassifier(models, rates)


@cache
def default_classifier() -> ModeClassifier:
    """The model every diagnosis uses, trained once per process on the seeded training set."""
    return train(*training_set())
