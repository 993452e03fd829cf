"""Remaining useful life from run-to-failure histories (NASA C-MAPSS format), with LightGBM.

Why window features and a capped target: a unit's health shows in where its sensors are and
how fast they move, so each cycle becomes the last `WINDOW` cycles' mean, slope, recent level
(mean of the last 5), spread, minimum and maximum per informative sensor, their drift from the
unit's first 10 cycles, and the cycle count. Early in life nothing degrades and the true RUL is
not observable from the sensors, so the training target is capped at `RUL_CAP` cycles (the usual
piece-wise linear target for C-MAPSS); a prediction at the cap reads "at least this long".
Why LightGBM with fixed hyperparameters: they were fixed before the official test set was scored
and are not tuned on it; one thread and fixed seeds make the model the same on every machine.
A model is trained from the fleet file given and cached per process by the file's content hash.

File format (NASA's): whitespace-separated numbers, one cycle per line, 26 columns: unit number,
cycle, operational settings 1-3, sensors 1-21; each unit's cycles from 1. A file that breaks it
is refused naming the line and column; a history with missing cycles is diagnosed with a warning.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import numpy as np

from rightsized.pipelines.errors import IngestError

COLUMNS = ("unit", "cycle", "setting_1", "setting_2", "setting_3", *(f"sensor_{i}" for i in range(1, 22)))
# Sensors that move with degradation in C-MAPSS (the others are constant or pure noise there).
SENSORS = (2, 3, 4, 7, 8, 9, 11, 12, 13, 14, 15, 17, 20, 21)
WINDOW = 30
RECENT = 5
BASELINE = 10
RUL_CAP = 125
MAX_BYTES = 50_000_000
PARAMS = {"n_estimators": 400, "learning_rate": 0.03, "num_leaves": 15, "min_child_samples": 50}


class HistoryError(IngestError):
    """A run history cannot be read; the message names the line and column."""


@dataclass
class History:
    """Validated cycles of one or more units, in file order."""

    path: Path
    units: np.ndarray  # unit number per row
    cycles: np.ndarray
    sensors: np.ndarray  # rows x len(SENSORS)
    warnings: list[str] = field(default_factory=list)

    def unit_ids(self) -> list[int]:
        return [int(u) for u in dict.fromkeys(self.units.tolist())]


def read_history(path: Path, *, single_unit: bool = False) -> History:
    """Read and check a C-MAPSS-format file; `single_unit`: one engine's history so far."""
    try:
        if path.stat().st_size > MAX_BYTES:
            raise HistoryError(path, f"larger than {MAX_BYTES:,} bytes")
        raw = path.read_bytes().decode("utf-8")
    except OSError as exc:
        raise HistoryError(path, f"cannot read ({exc.strerror or exc})") from exc
    except UnicodeDecodeError as exc:
        raise HistoryError(path, f"not UTF-8 text (byte {exc.start})") from exc
    rows: list[list[float]] = []
    lines: list[int] = []
    for number, line in enumerate(raw.splitlines(), start=1):
        fields = line.split()
        if not fields:
            continue
        if len(fields) != len(COLUMNS):
            raise HistoryError(path, f"line {number}: {len(fields)} values, expected {len(COLUMNS)} "
                                     "(unit, cycle, 3 operational settings, 21 sensors)")
        try:
            values = [float(v) for v in fields]
        except ValueError:
            column = next(c for c, v in zip(COLUMNS, fields) if not _is_number(v))
            raise HistoryError(path, f"line {number}, column {column}: {fields[COLUMNS.index(column)]!r} "
                                     "is not a number") from None
        if not np.all(np.isfinite(values)):
            column = next(c for c, v in zip(COLUMNS, values) if not np.isfinite(v))
            raise HistoryError(path, f"line {number}, column {column}: not a finite number")
        rows.append(values)
        lines.append(number)
    if not rows:
        raise HistoryError(path, "no cycles (empty file)")
    data = np.array(rows)
    history = History(path, data[:, 0].astype(int), data[:, 1].astype(int), data[:, [4 + s for s in SENSORS]])
    _check_order(history, lines, single_unit)
    return history


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _check_order(history: History, lines: list[int], single_unit: bool) -> None:
    """Units in contiguous blocks, each from cycle 1, cycles increasing within a unit; gaps are
    warned about. Why from cycle 1: the features measure drift from a unit's first `BASELINE`
    cycles (its state when new); a history exported from mid-life would take the worn state for
    new and read a unit close to failure as one with most of its life left."""
    path, units, cycles = history.path, history.units, history.cycles
    if single_unit and len(set(units.tolist())) > 1:
        first_other = int(np.argmax(units != units[0]))
        raise HistoryError(path, f"line {lines[first_other]}: unit {units[first_other]} after unit {units[0]}; "
                                 "this input takes one unit's history")
    seen: set[int] = set()
    for i in range(len(units)):
        if i == 0 or units[i] != units[i - 1]:
            if int(units[i]) in seen:
                raise HistoryError(path, f"line {lines[i]}: unit {units[i]} appears again after other units")
            if cycles[i] != 1:
                raise HistoryError(path, f"line {lines[i]}, column cycle: unit {units[i]} starts at cycle {cycles[i]}, "
                                         f"not 1; the model reads drift from a unit's first {BASELINE} cycles, so "
                                         "give its whole history from cycle 1, not only the recent cycles")
            seen.add(int(units[i]))
            continue
        step = cycles[i] - cycles[i - 1]
        if step <= 0:
            raise HistoryError(path, f"line {lines[i]}, column cycle: cycle {cycles[i]} does not follow "
                                     f"cycle {cycles[i - 1]} of unit {units[i]} (out of order or repeated)")
        if step > 1:
            history.warnings.append(f"unit {units[i]}: cycles {cycles[i - 1] + 1}-{cycles[i] - 1} missing "
                                    f"(lines {lines[i - 1]}-{lines[i]}); windows span the gap")


def window_features(sensors: np.ndarray, cycles: np.ndarray) -> np.ndarray:
    """One feature row per cycle of ONE unit, from that cycle's trailing window (rows x features)."""
    import pandas as pd

    frame = pd.DataFrame(sensors)
    rolling = frame.rolling(WINDOW, min_periods=1)
    mean = rolling.mean().to_numpy()
    index = pd.Series(np.arange(len(frame), dtype=float))
    i_mean = index.rolling(WINDOW, min_periods=1).mean().to_numpy()[:, None]
    i_var = index.rolling(WINDOW, min_periods=1).var(ddof=0).to_numpy()[:, None]
    ix_mean = frame.mul(index, axis=0).rolling(WINDOW, min_periods=1).mean().to_numpy()
    with np.errstate(invalid="ignore", divide="ignore"):
        slope = np.where(i_var > 0, (ix_mean - i_mean * mean) / np.where(i_var > 0, i_var, 1.0), 0.0)
    recent = frame.rolling(RECENT, min_periods=1).mean().to_numpy()
    baseline = frame.expanding().mean().to_numpy()
    baseline[BASELINE:] = baseline[min(BASELINE, len(frame)) - 1]
    return np.column_stack([
        cycles.astype(float), mean, slope, recent, rolling.std(ddof=0).to_numpy(), rolling.min().to_numpy(),
        rolling.max().to_numpy(), recent - baseline,
    ])


def training_windows(history: History) -> tuple[np.ndarray, np.ndarray]:
    """(features, capped RUL) for every cycle of every run-to-failure unit in `history`."""
    xs, ys = [], []
    for unit in history.unit_ids():
        rows = history.units == unit
        cycles = history.cycles[rows]
        xs.append(window_features(history.sensors[rows], cycles))
        ys.append(np.minimum(cycles[-1] - cycles, RUL_CAP).astype(float))
    return np.vstack(xs), np.concatenate(ys)


@dataclass(frozen=True)
class RulModel:
    booster: object
    units: int
    windows: int

    def predict(self, history: History) -> float:
        """Cycles left after the last cycle of a one-unit history, in [0, RUL_CAP]."""
        last = window_features(history.sensors, history.cycles)[-1:]
        return float(np.clip(self.booster.predict(last)[0], 0.0, RUL_CAP))


def fit(history: History, *, params: dict[str, float] | None = None, seed: int = 0) -> RulModel:
    """LightGBM on every cycle's window features (deterministic: one thread, fixed seed);
    `params` overrides the fixed hyperparameters (`PARAMS`) key by key."""
    from lightgbm import LGBMRegressor

    x, y = training_windows(history)
    booster = LGBMRegressor(**{**PARAMS, **(params or {})}, random_state=seed, n_jobs=1, deterministic=True, force_row_wise=True,
                            verbose=-1).fit(x, y)
    return RulModel(booster, len(history.unit_ids()), len(y))


def fleet_model(path: Path) -> RulModel:
    """The model of a fleet file, trained once per process per content."""
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    return _cached_model(digest, str(path))


@cache
def _cached_model(digest: str, path: str) -> RulModel:
    """Keyed by content and path: an edited fleet file is a new model."""
    return fit(read_history(Path(path)))


def phm08_score(predicted: float, actual: float) -> float:
    """The PHM08 challenge's asymmetric penalty for one unit: late predictions cost more."""
    d = predicted - actual
    return float(np.exp(-d / 13.0) - 1.0) if d < 0 else float(np.exp(d / 10.0) - 1.0)
