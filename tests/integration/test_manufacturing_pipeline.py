"""The manufacturing tasks end to end on real PDFs in a real Milvus Lite file, through the runner."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from rightsized.domains.manufacturing_maintenance.manuals import rows_in
from tests.manufacturing_support import ManufacturingHarness, read_rows, unit_lines, write_lines, write_rows

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def harness(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ManufacturingHarness]:
    built = ManufacturingHarness(tmp_path_factory.mktemp("mm"), n=6)
    built.ingester.ingest("baseline", [built.corpus.root / "library"])
    assert all(r.ok for r in built.ingester.reports), [r.errors for r in built.ingester.reports]
    yield built
    built.close()


def test_every_manual_row_is_whole_in_exactly_one_stored_chunk(harness: ManufacturingHarness) -> None:
    # each manual prints its whole troubleshooting table (19 rows, ~800 words) on one page
    from rightsized.domains.manufacturing_maintenance.manuals import manual_rows
    from rightsized.domains.manufacturing_maintenance.physics import MACHINE_MODELS

    expected = {r.row_id: r for m in MACHINE_MODELS.values() for r in manual_rows(m)}
    found: dict[str, int] = {}
    for batch in harness.workspace.store("baseline").iter_records():
        for record in batch:
            if record.doc_type != "manual":
                continue
            assert record.meta.get("machine_model") in MACHINE_MODELS
            rows = rows_in(record.text)  # read back from the PDF text as stored
            assert len(rows) <= 1, record.text  # the sectioner made each row a chunk of its own
            for row in rows:
                assert row == expected[row.row_id]
                found[row.row_id] = found.get(row.row_id, 0) + 1
    assert found == dict.fromkeys(expected, 1)


@pytest.mark.parametrize(("machine", "mode"), [("M01", "BWF"), ("M02", "HDF"), ("M04", "OSF")])
def test_diagnose_cites_the_manual_row_and_past_cases_for_the_mode(harness: ManufacturingHarness, machine: str,
                                                                  mode: str) -> None:
    result = harness.diagnose(f"telemetry/{machine}.csv")
    assert result.ranked[0] == mode and result.risk == "high" and result.failure
    assert result.manual_rows and all(r.code in result.flagged for r in result.manual_rows)
    assert result.manual_rows[0].row_id.startswith(result.machine_model.replace("-", ""))
    assert {r.row_id for r in result.manual_rows} >= {r.row_id for r in result.manual_rows if r.code == mode}
    assert result.past_cases, "no similar work order found"
    assert set(result.citations) <= set(result.retrieved)
    assert any(a.source == "manual" and a.ref == result.manual_rows[0].row_id for a in result.actions)


def test_a_healthy_machine_is_low_risk_and_cites_nothing(harness: ManufacturingHarness) -> None:
    result = harness.diagnose("telemetry/M06.csv")
    assert result.risk == "low" and result.ranked[0] == "none" and not result.citations


def test_dropout_and_gap_are_warned_and_the_diagnosis_still_runs(harness: ManufacturingHarness) -> None:
    result = harness.diagnose("telemetry/M04.csv")
    assert any("vibration_mm_s has no reading on lines 22-25" in w for w in result.warnings)
    assert any("gap of 50 min" in w for w in result.warnings)


def test_a_unit_mix_up_fails_the_case_naming_line_and_column(harness: ManufacturingHarness, tmp_path: Path) -> None:
    rows = read_rows(harness.corpus.root / "telemetry" / "M01.csv")
    rows[9]["process_temp_K"] = "37.2"
    bad = write_rows(tmp_path / "M01_bad.csv", rows)
    done = harness.case("diagnose", {"telemetry": str(bad), "library": "library"})
    assert done.result is None and done.error is not None
    assert "M01_bad.csv: line 11, column process_temp_K: 37.2 looks like °C in a K column" in done.error.message


@pytest.mark.parametrize(("question", "unit"), [
    ("Machine VMC-400 trips on overtemperature - what do I check first?", "VMC400-TS-02"),
    ("How often should the spindle bearings of the VMC-800 be lubricated?", "VMC800-INT-01"),
    ("What is the overstrain limit for the VMC-800?", "VMC800-LIM-04"),
    ("E-stop wont reset on the VMC-400, what do I check?", "VMC400-TS-19"),  # shorthand: it abstained
])
def test_ask_answers_with_the_whole_row_cited(harness: ManufacturingHarness, question: str, unit: str) -> None:
    result = harness.ask(question)
    assert result.units == [unit] and result.answer.startswith(unit) and result.citations
    assert set(result.citations) <= set(result.retrieved)


@pytest.mark.parametrize("question", ["What is the warranty period of the VMC-400?",
                                      "Which hydraulic oil grade does the VMC-800 clamping unit use?",
                                      # models with no manual: the VMC-400's row must not answer for them
                                      "How often should the spindle bearings be replaced on the VMC-900?",
                                      "How often should the spindle bearings be replaced on the VMC-4000?"])
def test_ask_says_not_in_the_manuals(harness: ManufacturingHarness, question: str) -> None:
    result = harness.ask(question)
    assert result.answer == "not in the manuals" and not result.citations


def test_ask_about_history_answers_with_a_work_order(harness: ManufacturingHarness) -> None:
    result = harness.ask("What was done last time a machine tripped on overtemperature?")
    assert result.units and result.units[0].startswith("WO-")
    assert "overtemp" in result.answer.lower() or "o/temp" in result.answer.lower()


def test_remaining_life_runs_through_the_runner_and_a_bad_history_fails_its_case(harness: ManufacturingHarness,
                                                                                tmp_path: Path) -> None:
    rng = np.random.default_rng(3)
    fleet = write_lines(tmp_path / "fleet.txt", [line for unit, life in enumerate((150, 180, 210, 240), 1)
                                                  for line in unit_lines(unit, life, rng)])
    unit = write_lines(tmp_path / "unit.txt", unit_lines(9, 200, rng, upto=170))
    done = harness.case("remaining_life", {"history": str(unit), "fleet": str(fleet)})
    assert done.error is None, done.error
    result = done.result
    assert result.unit == 9 and result.cycles == 170 and result.training_units == 4 and not result.at_cap
    assert 0 <= result.rul < 80 and not result.citations  # 30 cycles left; nothing retrieved, nothing cited
    bad = write_lines(tmp_path / "two_units.txt", unit_lines(1, 5, rng) + unit_lines(2, 5, rng))
    failed = harness.case("remaining_life", {"history": str(bad), "fleet": str(fleet)})
    assert failed.result is None and "two_units.txt: line 6: unit 2 after unit 1" in failed.error.message
