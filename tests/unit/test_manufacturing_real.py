"""The real suite's corpus: AI4I held-out readings, logbook complaints and C-MAPSS test engines, from the configured folder."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from rightsized.domains.base import SuiteUnavailable
from rightsized.domains.manufacturing_maintenance import ManufacturingConfig, domain
from rightsized.domains.manufacturing_maintenance.rul import read_history
from rightsized.domains.manufacturing_maintenance.telemetry import read_telemetry

DATA = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "external" / "manufacturing_maintenance"


def test_without_a_configured_folder_the_suite_says_why(tmp_path: Path) -> None:
    with pytest.raises(SuiteUnavailable, match="data_dir"):
        domain.real_corpus(tmp_path, ManufacturingConfig())


@pytest.mark.skipif(not (DATA / "ai4i2020.csv").is_file(), reason=f"{DATA} absent (AI4I 2020 not available here)")
def test_ai4i_logbook_and_cmapss_cases_are_built_from_the_held_out_split(tmp_path: Path) -> None:
    corpus = domain.real_corpus(tmp_path, ManufacturingConfig(data_dir=DATA, real_limit=20))
    ai4i = [c for c in corpus.gold if c.task == "diagnose"]
    logbook = [c for c in corpus.gold if c.task == "similar"]
    cmapss = [c for c in corpus.gold if c.task == "remaining_life"]
    assert len(ai4i) == 20 and all(c.tags == ("real", "ai4i2020") for c in ai4i)
    window = read_telemetry(corpus.root / ai4i[0].input["telemetry"])
    assert window.model.name in ("VMC-400", "VMC-600", "VMC-800") and "vibration_mm_s" in window.unavailable
    # the failure threshold: chosen on the 8,000 training rows only, passed to every test case
    choice = json.loads((tmp_path / "ai4i_threshold.json").read_text())
    assert choice["rows"] == 8000 and len(choice["fold_f1"]) == 5
    assert {c.input["failure_threshold"] for c in ai4i} == {choice["threshold"]}
    if logbook:
        assert len(logbook) == 20 and all(c.expected["part"] and c.expected["problem"] for c in logbook)
        history = (corpus.root / "logbook" / "logbook_history.csv").read_text()
        in_history = {line.split(",")[0] for line in history.splitlines()[1:]}
        assert len(in_history) > 4000 and not {c.case_id.removeprefix("logbook-") for c in logbook} & in_history
    if cmapss:  # the official test engines in order, each with its line of RUL_FD001
        truth = (DATA / "cmapss_fd001" / "RUL_FD001.txt").read_text().split()
        assert [c.expected["rul"] for c in cmapss] == [float(v) for v in truth[:20]]
        history = read_history(corpus.root / cmapss[0].input["history"], single_unit=True)
        assert history.unit_ids() == [1] and not history.warnings
        assert read_history(corpus.root / cmapss[0].input["fleet"]).unit_ids() == list(range(1, 101))
    # the same split every time: held-out ids do not change
    again = domain.real_corpus(tmp_path / "again", ManufacturingConfig(data_dir=DATA, real_limit=20))
    assert [c.case_id for c in again.gold] == [c.case_id for c in corpus.gold]


@pytest.mark.skipif(not (DATA / "cmapss_fd001").is_dir(), reason=f"{DATA / 'cmapss_fd001'} absent")
def test_one_dataset_is_enough_and_the_missing_ones_are_named(tmp_path: Path) -> None:
    only = tmp_path / "data"
    only.mkdir()
    (only / "cmapss_fd001").symlink_to(DATA / "cmapss_fd001")
    corpus = domain.real_corpus(tmp_path / "run", ManufacturingConfig(data_dir=only, real_limit=2))
    assert [c.case_id for c in corpus.gold] == ["cmapss-fd001-001", "cmapss-fd001-002"]
    with pytest.raises(SuiteUnavailable, match="ai4i2020.csv: not found.*akgam.*cmapss_fd001"):
        domain.real_corpus(tmp_path / "none", ManufacturingConfig(data_dir=tmp_path / "run"))
