"""Scanned KYC packets end to end: real scans of the sample packets, Tesseract, Milvus Lite, baseline tier."""
from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest

from rightsized.domains.bfsi_kyc.models import KycResult
from rightsized.domains.inputs import build_input
from rightsized.domains.registry import get_domain
from rightsized.domains.runner import DocumentIngester, run_case
from rightsized.ingest.ocr import tesseract_available
from rightsized.pipelines.config import load_settings
from rightsized.pipelines.runtime import Workspace

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(not tesseract_available(), reason="Tesseract is not installed (scripts/_setup.sh installs it)"),
]


@pytest.fixture(scope="module")
def packets(tmp_path_factory: pytest.TempPathFactory):  # noqa: ANN201
    """Three packets and their scanned copies (a scanner PDF passport, a JPEG photo of an ID card,
    a PNG photo of the third, whose MRZ has a wrong check digit), ingested once; `run(case_id)`
    decides one through the same runner as `rightsized run`."""
    data_dir = tmp_path_factory.mktemp("kyc-scanned")
    domain = get_domain("bfsi_kyc")
    task = domain.task("decide")
    corpus = domain.build_corpus(data_dir / "corpus", n=3, seed=7, scanned=3)
    workspace = Workspace(load_settings(overrides=[f"data_dir={data_dir}"]), domain="bfsi_kyc")
    ingester = DocumentIngester(workspace, domain)
    cases = {c.case_id: c for c in corpus.gold}
    ingester.ingest("baseline", [corpus.root / c.input["packet"] for c in corpus.gold])
    assert all(r.ok for r in ingester.reports), [r.errors for r in ingester.reports]

    def run(case_id: str) -> KycResult:
        inputs = build_input(task.input_model, request=cases[case_id].input, base=corpus.root)
        done = run_case(ingester, "baseline", task, case_id, inputs)
        assert done.error is None, done.error
        return done.result  # type: ignore[return-value]

    yield run, cases, task, corpus, workspace
    workspace.close()


@pytest.mark.parametrize("packet", ["applicant_001", "applicant_002"])
def test_a_scanned_packet_is_decided_as_its_typed_copy_with_valid_mrz_check_digits(packets: Any, packet: str) -> None:
    run, cases, task, _, _ = packets
    typed, scanned = run(packet), run(packet + "_scan")
    expected = cases[packet + "_scan"].expected
    assert scanned.decision == typed.decision == expected["label"], scanned.reasons
    mrz = scanned.check("mrz_check_digits")
    assert mrz.passed is True and "check digits valid" in mrz.evidence, mrz.evidence
    outcome = task.outcome(scanned)
    assert outcome["fields"] == expected["fields"] and outcome["failed_checks"] == expected["failed_checks"]
    assert scanned.cited_ids() <= set(scanned.retrieved)


def test_a_wrong_check_digit_rejects_typed_and_goes_to_review_scanned(packets: Any) -> None:
    """applicant_003's MRZ has a wrong birth-date check digit. In the typed PDF it is the
    document's own: reject. Read by OCR it may be the scanner's misreading, so a human looks:
    review, the evidence saying why (a scanned bad check digit was rejected before)."""
    run, cases, task, _, _ = packets
    typed, scanned = run("applicant_003"), run("applicant_003_scan")
    assert typed.decision == cases["applicant_003"].expected["label"] == "reject", typed.reasons
    assert scanned.decision == cases["applicant_003_scan"].expected["label"] == "review", scanned.reasons
    check = scanned.check("mrz_check_digits")
    assert check.passed is False and check.may_be_misread
    assert "birth_date check digit" in check.evidence and "read by OCR" in check.evidence, check.evidence
    assert task.outcome(scanned)["failed_checks"] == ["mrz_check_digits"]
    assert not typed.check("mrz_check_digits").may_be_misread


def test_scanned_chunks_say_they_were_read_by_ocr_and_typed_ones_do_not(packets: Any) -> None:
    run, _, _, _, workspace = packets
    store = workspace.store("baseline")
    for packet, ocr in (("applicant_001_scan", True), ("applicant_001", None)):
        cited = run(packet).check("mrz_check_digits").chunk_ids
        assert cited and all(record.meta.get("ocr") is ocr for record in store.fetch(cited).values()), packet


def test_the_scanned_variant_is_deterministic_tagged_and_has_no_text_layer(packets: Any, tmp_path: Path) -> None:
    from pypdf import PdfReader

    _, cases, _, corpus, _ = packets
    again = get_domain("bfsi_kyc").build_corpus(tmp_path / "again", n=3, seed=7, scanned=3)

    def digest(root: Path) -> str:
        files = sorted(p for p in root.rglob("*") if p.is_file())
        return hashlib.sha256(b"".join(p.relative_to(root).as_posix().encode() + p.read_bytes() for p in files)).hexdigest()

    assert digest(again.root) == digest(corpus.root)
    assert [(c.case_id, c.tags[-1]) for c in again.gold] == [
        ("applicant_001", "typed"), ("applicant_002", "typed"), ("applicant_003", "typed"),
        ("applicant_001_scan", "scanned"), ("applicant_002_scan", "scanned"), ("applicant_003_scan", "scanned")]
    assert cases["applicant_001_scan"].expected == cases["applicant_001"].expected
    assert sorted(p.name for p in (corpus.root / "applicant_001_scan").iterdir()) == [
        "application_form.pdf", "passport.pdf", "proof_of_address.pdf"]
    assert sorted(p.name for p in (corpus.root / "applicant_002_scan").iterdir()) == [
        "application_form.pdf", "id_card.jpg", "proof_of_address.pdf"]
    for pdf in (corpus.root / "applicant_001_scan").glob("*.pdf"):
        assert all(not (page.extract_text() or "").strip() for page in PdfReader(pdf).pages), pdf
