"""KYC decisions on packets written the way real applicants' documents are (found by probing with
such packets, 2026-12-02): a bank statement that abbreviates the holder or names two, a document
that could not be read, a visual zone that contradicts its own MRZ, and the date formats and
salutations of other countries. Each of these decided wrongly before its fix."""
from __future__ import annotations

from datetime import date

import pytest

from rightsized.domains.bfsi_kyc.extract import labelled_value, parse_date
from rightsized.domains.bfsi_kyc.identities import (
    holder_names,
    identity_documents,
    name_claims,
    names_match,
    same_person,
)
from rightsized.domains.bfsi_kyc.lists import lists_for
from rightsized.domains.bfsi_kyc.models import KycResult
from rightsized.domains.bfsi_kyc.mrz import compose_td3
from rightsized.domains.bfsi_kyc.sanctions import SanctionsScreener, load_bundled_list
from rightsized.domains.bfsi_kyc.task import KycDecision, sanctions_check
from rightsized.domains.context import DocumentScope, IngestProblem
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


# --- the whole decision on a packet -----------------------------------------------------------

UK = "12 High Street, London SW1A 1AA, United Kingdom"
MRZ = "\n".join(compose_td3(issuing_state="GBR", surname="HASSAN", given_names="ALI", document_number="123456789",
                            nationality="GBR", birth_date=date(1990, 4, 2), sex="M", expiry_date=date(2031, 2, 3)))


def passport(expiry: str = "03 FEB 2031", dob: str = "02 APR 1990") -> str:
    return (f"PASSPORT\nSurname: HASSAN\nGiven names: ALI\nNationality: GBR\nDate of birth: {dob}\n"
            f"Date of expiry: {expiry}\n{MRZ}\n")


class PacketContext:
    """What KycDecision uses of a TaskContext on the baseline tier: retrieval by doc_type, no model."""

    def __init__(self, docs: dict[str, tuple[str, str]]) -> None:
        self.hits = [SearchHit(f"c{i}", 1.0, text, {"doc_id": name, "doc_type": kind, "position": 0})
                     for i, (name, (kind, text)) in enumerate(docs.items())]

    def can(self, capability: str) -> bool:
        return False

    def retrieve(self, query: str, *, scope: object = None, k: int | None = None,
                 filters: dict[str, str] | None = None) -> list[SearchHit]:
        return [h for h in self.hits if filters and h.metadata["doc_type"] == filters["doc_type"]]


def decide(passport_text: str, errors: tuple[IngestProblem, ...] = (), form_dob: str = "02/04/1990") -> KycResult:
    ctx = PacketContext({
        "passport.txt": ("identity", passport_text),
        "application_form.txt": ("application", f"Full name: Ali Hassan\nDate of birth: {form_dob}\n"
                                                 f"Residential address: {UK}\n"),
        "utility_bill.txt": ("proof_of_address", f"Account holder: Ali Hassan\nService address: {UK}\n"),
    })
    scope = DocumentScope("g", ("g/passport.txt", "g/application_form.txt", "g/utility_bill.txt"), errors)
    return KycDecision(ctx, scope, lists_for(None)).run("a", as_of=date(2026, 6, 1))  # type: ignore[arg-type]


def test_the_clean_packet_these_tests_change_is_approved() -> None:
    assert decide(passport()).decision == "approve"


def test_a_packet_with_a_document_that_could_not_be_read_goes_to_review() -> None:
    """The unread file (an encrypted second ID card, here) may be the one naming a listed person."""
    unread = (IngestProblem("/in/a/id_card.pdf", "encrypted PDF (password required); decrypt it first"),)
    result = decide(passport(), unread)
    assert result.decision == "review"
    check = next(c for c in result.checks if c.name == "documents_readable")
    assert check.passed is None and "id_card.pdf: encrypted PDF" in check.evidence


@pytest.mark.parametrize(("page", "form_dob", "check"), [
    (passport(expiry="01 JAN 2025"), "02/04/1990", "document_expiry"),   # MRZ says 2031-02-03
    (passport(dob="02 APR 1985"), "02/04/1985", "dob_consistency"),      # MRZ says 1990-04-02; the form agrees with the page
])
def test_a_visual_zone_that_contradicts_its_own_mrz_goes_to_review(page: str, form_dob: str, check: str) -> None:
    """An altered data page: the printed date and the machine-readable one differ."""
    result = decide(page, form_dob=form_dob)
    assert result.decision == "review"
    failed = next(c for c in result.checks if c.name == check)
    assert failed.passed is False and "MRZ" in failed.evidence


# --- other countries' dates, labels and salutations --------------------------------------------


@pytest.mark.parametrize(("text", "expected"), [
    ("23-11-1992", date(1992, 11, 23)), ("March 4, 1985", date(1985, 3, 4)), ("Mar 4, 1985", date(1985, 3, 4)),
    ("27-JAN-1950", date(1950, 1, 27)), ("12 MAR  1985", date(1985, 3, 12)),
])
def test_dates_as_application_forms_write_them(text: str, expected: date) -> None:
    assert parse_date(text) == expected


def test_a_dob_label_with_dots_is_read() -> None:
    found = labelled_value([SearchHit("c", 1.0, "Name: X\nD.O.B.: 27/01/1950\n", {})], "date_of_birth")
    assert found is not None and found.value == "27/01/1950"


@pytest.mark.parametrize(("holder", "name"), [("Herrn Jörg Müller", "Joerg Mueller"), ("Mme Anna Dupont", "Anna Dupont"),
                                              ("Shri Rahul Sharma", "Rahul Sharma"), ("Sra. Ana López", "Ana Lopez")])
def test_a_salutation_on_a_statement_is_not_part_of_the_name(holder: str, name: str) -> None:
    assert names_match(holder, name)


@pytest.mark.parametrize(("a", "b", "same"), [
    ("Jane M. Doe", "Jane Marie Doe", True),    # a form's middle initial: was a name mismatch (review)
    ("DOE, Jane M.", "Jane Marie Doe", True),
    ("Jane K. Doe", "Jane Marie Doe", False),   # another initial
    ("J. M. Doe", "Jane Marie Doe", False),     # initials and a surname could be anyone's
])
def test_a_middle_initial_matches_the_middle_name_it_stands_for(a: str, b: str, same: bool) -> None:
    assert names_match(a, b) is same


@pytest.mark.parametrize(("text", "address"), [
    ("Residential address:\n  12 High Street\n  London\n  SW1A 1AA\nDocument number: 5",
     "12 High Street, London, SW1A 1AA"),                              # a bare label, the address below
    ("Address: 1600 Pennsylvania Ave NW\nWashington, DC 20500\n", "1600 Pennsylvania Ave NW, Washington, DC 20500"),
    ("Address: 12 High Street, London SW1A 1AA\nDear customer,\n", "12 High Street, London SW1A 1AA"),
    ("Address:\nsee attached\n\nBand: D", None),                        # no postcode: no address read
])
def test_an_address_printed_over_several_lines_is_read_up_to_its_postcode(text: str, address: str | None) -> None:
    """A council-tax bill's address over four lines was not read, so every such packet went to review."""
    found = labelled_value([SearchHit("c", 1.0, text, {})], "address")
    assert (found.value if found else None) == address
