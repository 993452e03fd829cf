"""Remaining useful life: C-MAPSS-format histories refused or warned about, window features against
hand-worked values, the PHM08 score, and a model learned from a generated run-to-failure fleet."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from rightsized.domains.manufacturing_maintenance.remaining_life import RemainingLifeTask
from rightsized.domains.manufacturing_maintenance.rul import (
    RUL_CAP,
    HistoryError,
    fit,
    phm08_score,
    read_history,
    training_windows,
    window_features,
)
from tests.manufacturing_support import unit_lines, write_lines


def test_phm08_score_penalises_late_more_than_early() -> None:
    assert phm08_score(100.0, 100.0) == 0.0
    assert phm08_score(90.0, 100.0) == pytest.approx(np.exp(10 / 13) - 1)
    assert phm08_score(110.0, 100.0) == pytest.approx(np.e - 1)
    assert phm08_score(110.0, 100.0) > phm08_score(90.0, 100.0)


def test_window_features_against_hand_worked_values() -> None:
    cycles = np.arange(1, 41)
    sensors = np.column_stack([2.0 * cycles, np.full(40, 7.0)])  # a ramp of 2 per cycle, a constant
    x = window_features(sensors, cycles)
    last = x[-1]  # columns: cycle, then per sensor mean, slope, recent, std, min, max, drift
    mean, slope, recent, std, low, high, drift = (last[1 + 2 * k: 3 + 2 * k] for k in range(7))
    assert last[0] == 40
    assert mean.tolist() == pytest.approx([2.0 * np.mean(np.arange(11, 41)), 7.0])  # the last 30 cycles
    assert slope.tolist() == pytest.approx([2.0, 0.0])
    assert recent.tolist() == pytest.approx([2.0 * 38, 7.0])  # mean of cycles 36-40
    assert std.tolist() == pytest.approx([2.0 * np.std(np.arange(30)), 0.0])
    assert low.tolist() == [22.0, 7.0] and high.tolist() == [80.0, 7.0]
    assert drift.tolist() == pytest.approx([2.0 * 38 - 2.0 * 5.5, 0.0])  # recent minus the first 10 cycles
    first = x[0]
    assert first[1 + 2:1 + 4].tolist() == [0.0, 0.0]  # one cycle: no slope


def test_training_targets_count_down_to_failure_and_are_capped(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    fleet = read_history(write_lines(tmp_path / "fleet.txt", unit_lines(1, 200, rng) + unit_lines(2, 60, rng)))
    x, y = training_windows(fleet)
    assert x.shape[0] == 260 and y[0] == RUL_CAP and y[199] == 0 and y[200] == 59 and y[-1] == 0


def test_a_model_learned_from_a_fleet_tracks_a_new_units_remaining_life(tmp_path: Path) -> None:
    rng = np.random.default_rng(1)
    lives = rng.integers(130, 260, 12)
    fleet = read_history(write_lines(tmp_path / "fleet.txt", [l for u, life in enumerate(lives, 1)
                                                         for l in unit_lines(u, int(life), rng)]))
    small = {"n_estimators": 80, "learning_rate": 0.1, "min_child_samples": 20}  # the shipped 400 trees take ~5 s
    model = fit(fleet, params=small)
    assert model.units == 12 and model.windows == int(lives.sum())
    errors = []
    for seen in (90, 140, 170, 190):
        unit = read_history(write_lines(tmp_path / f"u{seen}.txt", unit_lines(99, 200, rng, upto=seen)), single_unit=True)
        errors.append(model.predict(unit) - min(200 - seen, RUL_CAP))
    assert max(abs(e) for e in errors) < 15, errors
    again = fit(fleet, params=small)
    assert again.predict(unit) == model.predict(unit)  # deterministic


@pytest.mark.parametrize(("edit", "message"), [
    (lambda ls: ls[:3] + [ls[3].rsplit(" ", 2)[0]] + ls[4:], "line 4: 25 values, expected 26"),
    (lambda ls: ls[:5] + [ls[5].replace(" 100.0 ", " n/a ", 1)] + ls[6:], "line 6, column setting_3: 'n/a' is not a number"),
    (lambda ls: ls[:2] + [ls[4], ls[3], ls[2]] + ls[5:], "line 4, column cycle: cycle 4 does not follow cycle 5"),
    (lambda ls: ls + unit_lines(8, 3, np.random.default_rng(0)), "line 11: unit 8 after unit 7; this input takes one"),
    (lambda ls: [], "no cycles (empty file)"),
    # a historian export of the recent cycles only: the worn state would be read as new (RUL 7 predicted 105)
    (lambda ls: ls[5:], "line 1, column cycle: unit 7 starts at cycle 6, not 1"),
])
def test_bad_histories_are_refused_naming_line_and_column(tmp_path: Path, edit, message: str) -> None:
    lines = unit_lines(7, 10, np.random.default_rng(0))
    path = write_lines(tmp_path / "bad.txt", edit(lines))
    with pytest.raises(HistoryError, match="bad.txt") as caught:
        read_history(path, single_unit=True)
    assert message in str(caught.value)


def test_missing_cycles_are_warned_about_and_a_unit_cannot_come_back(tmp_path: Path) -> None:
    lines = unit_lines(3, 12, np.random.default_rng(0))
    gappy = read_history(write_lines(tmp_path / "gap.txt", lines[:4] + lines[7:]), single_unit=True)
    assert gappy.warnings == ["unit 3: cycles 5-7 missing (lines 4-5); windows span the gap"]
    rng = np.random.default_rng(0)
    with pytest.raises(HistoryError, match="line 9: unit 1 appears again"):
        read_history(write_lines(tmp_path / "again.txt", unit_lines(1, 4, rng) + unit_lines(2, 4, rng) + unit_lines(1, 2, rng)))
    latin = tmp_path / "latin.txt"
    latin.write_bytes(b"1 1 0.0 \xe9\n")
    with pytest.raises(HistoryError, match="latin.txt: not UTF-8 text"):
        read_history(latin)


def test_scores_are_rmse_parts_absolute_error_and_phm08() -> None:
    task = RemainingLifeTask()
    scores = task.score({"rul": 100.0}, {"rul": 110.0})
    assert scores == {"rul_rmse": {"squared_error": 100.0, "count": 1.0}, "rul_abs_error": 10.0,
                      "phm08_score": {"value": pytest.approx(np.e - 1)}}
    assert set(task.score({"rul": 100.0}, None).values()) == {None}
