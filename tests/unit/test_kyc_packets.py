"""KYC decisions on packets written the way real applicants' documents are (found by probing with
such packets, 2026-12-02): a bank statement that abbreviates the holder or names two, a document
that could not be read, a visual zone that contradicts its own MRZ, and the date formats and
salutations of other countries. Each of these decided wrongly before its fix."""
from __future__ import annotations

from datetime import date

import pytest

from rightsized.domains.bfsi_kyc.identities import holder_names, identity_documents, name_claims, same_person
from rightsized.domains.bfsi_kyc.sanctions import SanctionsScreener, load_bundled_list
from rightsized.domains.bfsi_kyc.task import sanctions_check
from rightsized.pipelines.stores.base import SearchHit

PASSPORT = ("Surname: HASSAN\nGiven names: ALI\nDate of birth: 02 APR 1990\n"
            "P<GBRHASSAN<<ALI<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<\n1234567897GBR9004022M3102037<<<<<<<<<<<<<<02\n")


@pytest.fixture(scope="module")
def screener() -> SanctionsScreener:
    return SanctionsScreener(load_bundled_list())


# --- the proof of address names the holder the way banks print it -----------------------------


@pytest.mark.parametrize("holder", ["Mr A Hassan", "MR ALI HASSAN & MRS FATIMA HASSAN", "Ali Hassan and Fatima Hassan"])
def test_the_applicants_own_abbreviated_or_joint_holder_line_is_cleared_by_his_dob(
        screener: SanctionsScreener, holder: str) -> None:
    """Listed 'ALI, Hassan' (born 1964) was a hit on 'Mr A Hassan', screened without a DOB, and an
    applicant Ali Hassan born 1990 was rejected."""
    ids = identity_documents([SearchHit("p1", 1.0, PASSPORT, {"doc_id": "passport.txt"})])
    form = [SearchHit("f1", 1.0, "Full name: Ali Hassan\nDate of birth: 02/04/1990\n", {})]
    poa = [SearchHit("b1", 1.0, f"Account holder: {holder}\nAddress: 12 High Street, London\n", {})]
    check = sanctions_check(screener, name_claims(ids, form, poa, date(1990, 4, 2)), "GBR", "OFAC SDN")
    assert check.passed is True, check.evidence


def test_a_co_holder_who_is_someone_else_is_still_screened_without_a_dob(screener: SanctionsScreener) -> None:
    ids = identity_documents([SearchHit("p1", 1.0, PASSPORT, {"doc_id": "passport.txt"})])
    poa = [SearchHit("b1", 1.0, "Account holder: Ali Hassan & Safwan Al-Akhras\n", {})]
    check = sanctions_check(screener, name_claims(ids, [], poa, date(1990, 4, 2)), None, "OFAC SDN")
    assert check.passed is False and "21925" in check.evidence


def test_holders_and_the_same_person_as_statements_shorten_names() -> None:
    assert holder_names("MR ALI HASSAN & MRS FATIMA HASSAN") == ["MR ALI HASSAN", "MRS FATIMA HASSAN"]
    assert holder_names("J Smith and K Smith") == ["J Smith", "K Smith"]
    assert holder_names("A Khan / S Khan") == ["A Khan", "S Khan"]
    assert holder_names("Jane Doe c/o John Smith") == ["Jane Doe c/o John Smith"]  # care of: one holder
    assert same_person("Mr A Hassan", "Ali Hassan") and same_person("HASSAN A", "Ali Hassan")
    assert not same_person("Mr A B", "Ali Bakr")          # initials only: could be anyone
    assert not same_person("Mr K Hassan", "Ali Hassan")   # another initial
    assert not same_person("Omar Hassan", "Ali Hassan")
