"""KYC corpus builder and deterministic checks, without a store or a model."""
from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path

import pytest

from rightsized.domains.bfsi_kyc.corpus import AS_OF, EXPECTED_DECISION, SCENARIOS, build_corpus, make_applicants, mrz_lines
from rightsized.domains.bfsi_kyc.extract import labelled_value, parse_date
from rightsized.pipelines.stores.milvus import SearchHit
from rightsized.domains.bfsi_kyc.models import Check
from rightsized.domains.bfsi_kyc.mrz import parse_mrz
from rightsized.domains.bfsi_kyc.sanctions import SanctionsScreener, load_corpus_extract
from rightsized.domains.bfsi_kyc.task import decide, names_match


@pytest.fixture(scope="module")
def applicants():  # noqa: ANN201
    return make_applicants(16, 7, load_corpus_extract())


def test_every_scenario_is_planted_and_mrz_validity_matches(applicants) -> None:
    assert {a.scenario for a in applicants} == {*SCENARIOS, "decoy_identity"}  # every 2nd sanctioned: a decoy
    assert [a.poa_layout for a in applicants[:6]] == ["labelled", "labelled", "letter"] * 2
    for a in applicants:
        result = parse_mrz(mrz_lines(a))
        assert result.valid is (a.scenario != "bad_check_digit"), a
        assert result.birth_date_iso == a.birth_date.isoformat()
        assert (a.expiry_date < AS_OF) is (a.scenario == "expired")


def test_sanctioned_applicants_are_hits_and_near_misses_are_cleared_by_dob(applicants) -> None:
    screener = SanctionsScreener(load_corpus_extract())
    for a in applicants:
        hits = screener.screen(a.full_name, a.birth_date)
        statuses = {h.status for h in hits}
        if a.scenario in ("sanctioned", "decoy_identity"):
            assert "hit" in statuses, a
        elif a.scenario == "near_miss":
            assert "hit" not in statuses and "cleared_by_dob" in statuses, a
        else:
            assert "hit" not in statuses, a
        if a.decoy is not None:  # the decoy is a clean person: only the listed one is a hit
            assert not [h for h in screener.screen(a.decoy.full_name, a.decoy.birth_date) if h.status == "hit"]


def test_corpus_is_deterministic(tmp_path: Path) -> None:
    def digest(root: Path) -> str:
        files = sorted(p for p in root.rglob("*") if p.is_file())
        return hashlib.sha256(b"".join(p.relative_to(root).as_posix().encode() + p.read_bytes() for p in files)).hexdigest()

    first = build_corpus(tmp_path / "a", n=8, seed=3, scanned=2)
    second = build_corpus(tmp_path / "b", n=8, seed=3, scanned=2)
    assert digest(tmp_path / "a") == digest(tmp_path / "b")  # scans included: same seed, same bytes
    typed = [g for g in first.gold if "typed" in g.tags]
    assert [g.expected["label"] for g in typed] == [EXPECTED_DECISION[s] for s in SCENARIOS]
    assert [g.case_id for g in first.gold if "scanned" in g.tags] == ["applicant_001_scan", "applicant_002_scan"]
    assert second.gold[0].input == {"packet": "applicant_001", "as_of": AS_OF.isoformat()}
    assert second.gold[0].task == "decide"
    assert len(list((tmp_path / "a" / "documents" / "applicant_001").glob("*.pdf"))) == 3


def test_decision_policy() -> None:
    ok = Check(name="document_expiry", passed=True, evidence="")
    assert decide([ok]) == ("approve", ["all checks passed"])
    assert decide([ok, Check(name="address_consistency", passed=False, evidence="x")])[0] == "review"
    assert decide([ok, Check(name="name_consistency", passed=None, evidence="missing")])[0] == "review"
    decision, reasons = decide([Check(name="sanctions_screening", passed=False, evidence="SDN 1"),
                                Check(name="document_expiry", passed=False, evidence="expired")])
    assert decision == "reject" and len(reasons) == 2


def test_an_mrz_failure_rejects_unless_ocr_may_have_misread_it_and_a_sanctions_hit_always_rejects() -> None:
    typed = Check(name="mrz_check_digits", passed=False, evidence="birth_date check digit is 8, should be 3")
    scanned = typed.model_copy(update={"may_be_misread": True})
    assert decide([typed])[0] == "reject"
    assert decide([scanned])[0] == "review"
    hit = Check(name="sanctions_screening", passed=False, evidence="SDN 1", may_be_misread=True)
    assert decide([scanned, hit])[0] == "reject"


def test_name_matching_and_dates() -> None:
    assert names_match("Anna Maria Eriksson", "ERIKSSON ANNA MARIA")
    assert names_match("Zofia Müller", "Zofia Muller")
    assert not names_match("Anna Eriksson", "Anna Kowalski")
    assert parse_date("12 MAR 1985") == date(1985, 3, 12)
    assert parse_date("1985-03-12") == date(1985, 3, 12)
    assert parse_date("31/12/2001") == date(2001, 12, 31)
    assert parse_date("March-ish") is None


def test_labelled_value_never_takes_the_next_line_for_an_empty_value() -> None:
    hits = [SearchHit("c1", 1.0, "Surname:\nGiven names: FIRST NAME\nNationality: D", {})]
    assert labelled_value(hits, "surname") is None  # found by the real suite (ICAO "no last name" specimen)
    given = labelled_value(hits, "given_names")
    assert given is not None and (given.value, given.chunk_id) == ("FIRST NAME", "c1")
    assert labelled_value(hits, "nationality").value == "D"
