"""The real suite's corpus: AI4I held-out readings and logbook complaints, from the configured folder."""
from __future__ import annotations

from pathlib import Path

import pytest

from rightsized.domains.base import SuiteUnavailable
from rightsized.domains.manufacturing_maintenance import ManufacturingConfig, domain
from rightsized.domains.manufacturing_maintenance.telemetry import read_telemetry

DATA = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "external" / "manufacturing_maintenance"


def test_without_a_configured_folder_the_suite_says_why(tmp_path: Path) -> None:
    with pytest.raises(SuiteUnavailable, match="data_dir"):
        domain.real_corpus(tmp_path, ManufacturingConfig())


@pytest.mark.skipif(not (DATA / "ai4i2020.csv").is_file(), reason=f"{DATA} absent (AI4I 2020 not available here)")
def test_ai4i_and_logbook_cases_are_built_from_the_held_out_split(tmp_path: Path) -> None:
    corpus = domain.real_corpus(tmp_path, ManufacturingConfig(data_dir=DATA, real_limit=20))
    ai4i = [c for c in corpus.gold if c.task == "diagnose"]
    logbook = [c for c in corpus.gold if c.task == "similar"]
    assert len(ai4i) == 20 and all(c.tags == ("real", "ai4i2020") for c in ai4i)
    window = read_telemetry(corpus.root / ai4i[0].input["telemetry"])
    assert window.model.name in ("VMC-400", "VMC-600", "VMC-800") and "vibration_mm_s" in window.unavailable
    if logbook:
        assert len(logbook) == 20 and all(c.expected["part"] and c.expected["problem"] for c in logbook)
        history = (corpus.root / "logbook" / "logbook_history.csv").read_text()
        in_history = {line.split(",")[0] for line in history.splitlines()[1:]}
        assert len(in_history) > 4000 and not {c.case_id.removeprefix("logbook-") for c in logbook} & in_history
    # the same split every time: held-out ids do not change
    again = domain.real_corpus(tmp_path / "again", ManufacturingConfig(data_dir=DATA, real_limit=20))
    assert [c.case_id for c in again.gold] == [c.case_id for c in corpus.gold]
