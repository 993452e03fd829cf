"""Dates whose day and month could be either way round (a US form's 03/12/1985 is 12 March): both
readings are kept, the packet's unambiguous dates pick one, and screening with a date nothing
resolved takes the safe side. Found by probing with a listed person whose US documents write
the month first: the listing was cleared by DOB."""
from __future__ import annotations

from datetime import date

import pytest

from rightsized.domains.bfsi_kyc.dates import WrittenDate, read_date
from rightsized.domains.bfsi_kyc.extract import parse_date
from rightsized.domains.bfsi_kyc.identities import identity_documents, name_claims, sanctions_check
from rightsized.domains.bfsi_kyc.mrz import compose_td3
from rightsized.domains.bfsi_kyc.sanctions import SanctionsEntry, SanctionsScreener
from rightsized.pipelines.stores.base import SearchHit

MARCH_12, DECEMBER_3 = date(1985, 3, 12), date(1985, 12, 3)


@pytest.mark.parametrize(("text", "readings"), [
    ("03/12/1985", (DECEMBER_3, MARCH_12)),             # day first (the default), then month first
    ("03-12-1985", (DECEMBER_3, MARCH_12)),
    ("12/03/1985", (MARCH_12, DECEMBER_3)),
    ("13/03/1985", (date(1985, 3, 13),)),               # 13 can only be the day
    ("03/13/1985", (date(1985, 3, 13),)),
    ("03/03/1985", (date(1985, 3, 3),)),                # both orders give the same date
    ("03.12.1985", (DECEMBER_3,)),                      # dotted: the European convention, day first
    ("1985-03-12", (MARCH_12,)), ("12 MAR 1985", (MARCH_12,)), ("March 12, 1985", (MARCH_12,)),
    ("12-MAR-1985", (MARCH_12,)),
])
def test_a_written_date_has_every_reading_its_writing_allows(text: str, readings: tuple[date, ...]) -> None:
    written = read_date(text)
    assert written is not None and written.readings == readings


@pytest.mark.parametrize("text", ["31/31/1985", "March-ish", "1985", "12/03/85", "00/12/1985"])
def test_what_is_no_date_is_not_read(text: str) -> None:
    assert read_date(text) is None and parse_date(text) is None


def test_a_single_reading_is_day_first_and_a_month_first_date_that_can_only_be_one_is_read() -> None:
    """03/13/1985 was no date at all (day first, month 13)."""
    assert parse_date("03/12/1985") == DECEMBER_3
    assert parse_date("03/13/1985") == date(1985, 3, 13)


def test_an_unambiguous_date_elsewhere_picks_the_reading_and_is_named() -> None:
    written = read_date("03/12/1985")
    assert written is not None
    resolved = written.resolved([("the MRZ of passport.txt", WrittenDate.known(MARCH_12))])
    assert resolved.readings == (MARCH_12,)
    assert str(resolved) == "1985-03-12 (03/12/1985 read month first, as the MRZ of passport.txt gives it)"
    assert written.resolved([]) == written                                    # nothing to go by
    both = [("a", WrittenDate.known(MARCH_12)), ("b", WrittenDate.known(DECEMBER_3))]
    assert written.resolved(both) == written                                  # evidence for both: no guess
    assert written.resolved([("c", written)]) == written                      # ambiguous evidence is none
    assert str(written) == "03/12/1985 (ambiguous day/month order: 1985-12-03 or 1985-03-12)"


def test_two_writings_agree_when_a_reading_is_shared() -> None:
    us, uk = read_date("03/12/1985"), read_date("12/03/1985")
    assert us is not None and uk is not None
    assert us.agrees_with(uk) and us.agrees_with(WrittenDate.known(MARCH_12))
    assert not us.agrees_with(WrittenDate.known(date(1985, 3, 13)))


# --- screening ----------------------------------------------------------------------------------

VANTARO = SanctionsEntry(uid="900001", name="VANTARO, Grigor", entry_type="individual", programs=("SDGT",),
                         aliases=(), birth_dates=("1985-03-12",), nationalities=(), remarks="")


@pytest.fixture(scope="module")
def screener() -> SanctionsScreener:
    return SanctionsScreener([VANTARO])


def test_a_listing_is_cleared_only_when_every_reading_contradicts_it(screener: SanctionsScreener) -> None:
    [hit] = screener.screen("Grigor Vantaro", (DECEMBER_3, MARCH_12))
    assert (hit.status, hit.dob_status) == ("hit", "match")
    [hit] = screener.screen("Grigor Vantaro", (DECEMBER_3, date(1985, 12, 4)))
    assert (hit.status, hit.dob_status) == ("cleared_by_dob", "mismatch")
    [hit] = screener.screen("Grigor Vantaro", ())
    assert (hit.status, hit.dob_status) == ("hit", "unknown")


def _packet(screener: SanctionsScreener, identity: str, form_dob: str) -> tuple[bool | None, str]:
    ids = identity_documents([SearchHit("i1", 1.0, identity, {"doc_id": "identity.txt"})])
    form = [SearchHit("f1", 1.0, f"Full name: Grigor Vantaro\nDate of birth: {form_dob}\n", {})]
    check = sanctions_check(screener, name_claims(ids, form, [], None), "USA", "test list")
    return check.passed, check.evidence


LICENCE = "DRIVER LICENSE\nSurname: VANTARO\nGiven names: GRIGOR\nDate of birth: 03/12/1985\n"


def test_a_listed_person_whose_form_writes_the_month_first_is_a_hit(screener: SanctionsScreener) -> None:
    """The reproduction: listed Vantaro, born 1985-03-12; licence and form write 03/12/1985. It was
    read as 3 December and the listing 'cleared: listed DOB 1985-03-12 differs from 1985-12-03'."""
    passed, evidence = _packet(screener, LICENCE, "03/12/1985")
    assert passed is False
    assert evidence.endswith("DOB match (date of birth written 03/12/1985, day and month in either order: "
                             "screened as 1985-12-03 and as 1985-03-12; a listed DOB matching either counts)")


def test_an_mrz_that_says_otherwise_decides_the_reading_for_screening(screener: SanctionsScreener) -> None:
    """A passport whose MRZ says 3 December makes the form's 03/12/1985 day first: the listing,
    born 12 March, is cleared as it would be for the passport alone."""
    mrz = "\n".join(compose_td3(issuing_state="USA", surname="VANTARO", given_names="GRIGOR",
                                document_number="123456789", nationality="USA", birth_date=DECEMBER_3, sex="M",
                                expiry_date=date(2031, 2, 3)))
    passed, evidence = _packet(screener, f"PASSPORT\nSurname: VANTARO\nGiven names: GRIGOR\n{mrz}\n", "03/12/1985")
    assert passed is True and "listed DOB 1985-03-12 differs from 1985-12-03" in evidence
