"""How a batch folder input becomes cases (`runner.expand_cases`, `Task.case_folders`).

Found by probing KYC with packets laid out as onboarding systems export them (2026-12-02): a
manifest.csv beside the applicant folders merged every applicant into one case (one rejected
case instead of an approve and a reject), and one applicant's documents sorted into identity/,
address/ and application/ became three incomplete cases.
"""
from __future__ import annotations

import logging
from pathlib import Path

import pytest

from rightsized.domains.bfsi_kyc import KycInput, domain as kyc
from rightsized.domains.healthcare_notes import domain as healthcare
from rightsized.domains.healthcare_notes.summarize import SummarizeInput
from rightsized.domains.runner import expand_cases


def _files(root: Path, *names: str) -> None:
    for name in names:
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text("x")


def _cases(folder: Path) -> list[str]:
    return [name for name, _ in expand_cases(kyc.task("decide"), KycInput(packet=folder))]


PACKET = ("passport.pdf", "application_form.pdf", "utility_bill.pdf")


def test_a_manifest_beside_the_applicant_folders_is_named_and_does_not_merge_them(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    _files(tmp_path / "applicant_001", *PACKET)
    _files(tmp_path / "applicant_002", *PACKET)
    (tmp_path / "manifest.csv").write_text("applicant\napplicant_001\napplicant_002\n")
    with caplog.at_level(logging.WARNING):
        assert _cases(tmp_path) == ["applicant_001", "applicant_002"]
    assert "manifest.csv: beside the case folders" in caplog.text and "not read" in caplog.text


def test_a_packet_sorted_into_document_subfolders_is_one_case(tmp_path: Path) -> None:
    root = tmp_path / "applicant_003"
    _files(root, "identity/passport.pdf", "address/utility_bill.pdf", "application/application_form.pdf")
    assert _cases(root) == ["applicant_003"]


def test_a_packet_with_a_typed_document_at_its_top_keeps_its_subfolders(tmp_path: Path) -> None:
    _files(tmp_path / "applicant_004", "passport.pdf", "extra/utility_bill.pdf", "extra/application_form.pdf")
    assert _cases(tmp_path / "applicant_004") == ["applicant_004"]


def test_applicant_folders_with_untyped_file_names_are_still_one_case_each(tmp_path: Path) -> None:
    _files(tmp_path / "c-1001", "scan_1.pdf", "scan_2.pdf")
    _files(tmp_path / "c-1002", "scan_1.pdf")
    assert _cases(tmp_path) == ["c-1001", "c-1002"]


def test_the_generic_rule_stays_for_a_domain_without_its_own(tmp_path: Path) -> None:
    summarize = healthcare.task("summarize")
    _files(tmp_path / "patient_a", "note1.txt")
    _files(tmp_path / "patient_b", "note1.txt")
    inputs = SummarizeInput(notes=tmp_path)
    assert [name for name, _ in expand_cases(summarize, inputs)] == ["patient_a", "patient_b"]
    (tmp_path / "index.csv").write_text("x")  # a loose file: the whole folder is one case, as before
    assert len(expand_cases(summarize, inputs)) == 1
