"""The rationale validator: every fact a drafted rationale states is checked against the tools.

The two sentences from the compliance review ("a sanctioned person, so approved" for clean
applicants; "not a sanctioned person, so rejected" for a listed one) were accepted because only
the decision word was checked; they are the first rows of the table.
"""
from __future__ import annotations

import pytest

from rightsized.domains.bfsi_kyc.models import Check
from rightsized.domains.bfsi_kyc.rationale import ALL_CHECKS, claims, rationale_prompt, validate_rationale

NAMES = ("mrz_check_digits", "document_expiry", "name_consistency", "dob_consistency", "address_consistency",
         "sanctions_screening")


def checks(**states: bool | None) -> list[Check]:
    """All six checks passed, except those given."""
    return [Check(name=n, passed=states.get(n, True), evidence=f"{n} evidence") for n in NAMES]


CLEAN = checks()
LISTED = checks(sanctions_screening=False)
EXPIRED = checks(document_expiry=False)
BAD_MRZ = checks(mrz_check_digits=False)
OTHER_NAME = checks(name_consistency=False)
NO_ADDRESS = checks(address_consistency=None)
ADDRESS_DIFFERS = [c.model_copy(update={"passed": False, "evidence": "application '4 Mill Street, Cork' vs proof of "
                                          "address '9 Elm Road, Cork' (similarity 41)"})
                   if c.name == "address_consistency" else c for c in CLEAN]
ACCEPTED = None

CASES = [
    # the reviewer's two sentences, and their correct counterparts
    ("The applicant is a sanctioned person, so the application is approved.", "approve", CLEAN,
     "says sanctions_screening failed"),
    ("The applicant is not a sanctioned person, so the application is approved.", "approve", CLEAN, ACCEPTED),
    ("The applicant is not a sanctioned person, so the application is rejected.", "reject", LISTED,
     "says sanctions_screening passed"),
    ("The applicant is a sanctioned person, so the application is rejected.", "reject", LISTED, ACCEPTED),
    # sanctions, other phrasings
    ("The applicant did not match any sanctioned person, so the application is approved.", "approve", CLEAN, ACCEPTED),
    ("The applicant did not match any sanctioned person, so the application is rejected.", "reject", LISTED,
     "says sanctions_screening passed"),
    ("The applicant matches a sanctioned person on the SDN list, so the application is rejected.", "reject", LISTED,
     ACCEPTED),
    ("The applicant's name is on the SDN list, so the application is rejected.", "reject", LISTED, ACCEPTED),
    ("No sanctions match was found and all checks passed, so the application is approved.", "approve", CLEAN,
     ACCEPTED),
    # expiry
    ("The document has expired, so the application is approved.", "approve", CLEAN, "says document_expiry failed"),
    ("The document is not expired and the name matches, so the application is approved.", "approve", CLEAN, ACCEPTED),
    ("The passport expired in January, so the case goes to manual review.", "review", EXPIRED, ACCEPTED),
    ("The application cannot be approved because the document has expired; it goes to review.", "review", EXPIRED,
     ACCEPTED),
    # names
    ("The name matches on every document, so the case goes to review.", "review", OTHER_NAME,
     "says name_consistency passed"),
    ("The passport has not expired but the name does not match, so the case goes to review.", "review", OTHER_NAME,
     ACCEPTED),
    # MRZ: a field's check digit is about the MRZ, not about that field's consistency
    ("The MRZ check digits are valid, so the application is rejected.", "reject", BAD_MRZ,
     "says mrz_check_digits passed"),
    ("The date of birth check digit is wrong, so the application is rejected.", "reject", BAD_MRZ, ACCEPTED),
    ("The check digits are valid and the date of birth differs, so the application is rejected.", "reject", BAD_MRZ,
     "says mrz_check_digits passed"),
    # a check that could not run may only be said to be not checked
    ("The address does not match the application, so the case goes to review.", "review", NO_ADDRESS,
     "says address_consistency failed"),
    ("The address could not be verified, so the case goes to review.", "review", NO_ADDRESS, ACCEPTED),
    ("The address could not be verified, so the application is approved.", "approve", CLEAN,
     "says address_consistency not checked"),
    # hedged claims are still claims
    ("The applicant may be on a sanctions list, so the application is approved.", "approve", CLEAN,
     "says sanctions_screening failed"),
    ("The applicant appears to match a sanctioned person, so the application is rejected.", "reject", LISTED,
     ACCEPTED),
    # irrelevant sentences give no reason
    ("The applicant is a good person, so the application is approved.", "approve", CLEAN,
     "states no finding that supports approval"),
    ("The weather in Cork was fine, so the case goes to review.", "review", EXPIRED,
     "names none of the failed checks (document_expiry)"),
    ("All checks passed, so the case goes to review.", "review", EXPIRED, "says all checks passed"),
    # quoted values must come from the findings (Gemma copied the worked example's addresses)
    ("The addresses differ ('4 Mill Street, Cork' vs '9 Elm Road, Cork'), so the case goes to review.", "review",
     ADDRESS_DIFFERS, ACCEPTED),
    ("The applicant's address is '18 Quay Street, Cork', so the case goes to review.", "review", ADDRESS_DIFFERS,
     "quotes '18 Quay Street, Cork', which no finding contains"),
    # decisions
    ("The document has expired, so the application is approved.", "review", EXPIRED,
     "does not state the decision 'review'"),
    ("The document has expired, so review it, then reject it.", "review", EXPIRED, "names another decision (reject)"),
    ("The document has expired, so it is not for review but for manual check.", "review", EXPIRED,
     "negates the decision 'review'"),
]


@pytest.mark.parametrize(("text", "decision", "results", "expected"), CASES, ids=[c[0][:60] for c in CASES])
def test_every_fact_in_a_rationale_is_checked_against_the_tools(text: str, decision: str, results: list[Check],
                                                                expected: str | None) -> None:
    cleaned, problem = validate_rationale(text, decision, results)
    if expected is ACCEPTED:  # the table's expectation, fixed per row: not an either-outcome test
        assert (cleaned, problem) == (text, None)
    else:
        assert cleaned is None
        assert expected in problem


CLAIMS = [
    ("The names do not match and the address is the same.",
     {("name_consistency", "failed"), ("address_consistency", "passed")}),
    ("No sanctions match was found.", {("sanctions_screening", "passed")}),
    ("The applicant is not on any sanctions list.", {("sanctions_screening", "passed")}),
    ("The document is no longer valid as it has expired.", {("document_expiry", "failed")}),
    ("The document is not expired and is valid.", {("document_expiry", "passed")}),
    ("The expiry date check digit is wrong.", {("mrz_check_digits", "failed")}),
    ("The address could not be verified.", {("address_consistency", "not checked")}),
    ("The date of birth is missing from the application.", {("dob_consistency", "not checked")}),
    ("The proof of address shows a different address.", {("address_consistency", "failed")}),
    ("The other checks passed.", set()),
    ("Every check passed.", {(ALL_CHECKS, "passed")}),
    ("The name was read from the passport.", {("name_consistency", None)}),
    ("It is clear that the applicant matches a listed person.", {("sanctions_screening", "passed"),
                                                                  ("sanctions_screening", "failed")}),
]


@pytest.mark.parametrize(("text", "expected"), CLAIMS, ids=[c[0] for c in CLAIMS])
def test_the_claim_grammar_reads_polarity_and_negation_per_clause(text: str,
                                                                  expected: set[tuple[str, str | None]]) -> None:
    found, _ = claims(text)
    assert {(c.subject, c.polarity) for c in found} == expected


def test_decisions_are_read_with_their_negation() -> None:
    _, stated = claims("The application cannot be approved; it is rejected, not referred for review.")
    assert {(s.decision, s.negated) for s in stated} == {("approve", True), ("reject", False), ("review", True)}


def test_a_repeated_sentence_is_kept_once_and_an_unfinished_tail_dropped() -> None:
    text, problem = validate_rationale(
        "The passport expired in January, so the case needs review. The passport expired in January, "
        "so the case needs review. And then", "review", EXPIRED)
    assert problem is None
    assert text == "The passport expired in January, so the case needs review."
    assert "too short" in validate_rationale("The documents below are", "review", EXPIRED)[1]


def test_the_worked_examples_pass_their_own_validator() -> None:
    """The prompt's examples teach the model the shape of an accepted rationale."""
    address_differs = checks(address_consistency=False)
    assert validate_rationale("The proof of address shows a different address from the application, so the case "
                              "goes to manual review; the other checks passed.", "review", address_differs)[1] is None
    assert validate_rationale("The applicant matches a sanctioned person on the SDN list, so the application is "
                              "rejected.", "reject", LISTED)[1] is None


def test_prompt_fences_findings_and_ends_with_the_real_question() -> None:
    prompt = rationale_prompt(EXPIRED, "review")
    assert prompt.rstrip().endswith("Question: Write the rationale for decision: review.\nRationale:")
    assert "<<<CHUNK id=findings>>>\nmrz_check_digits: pass; document_expiry: fail (document_expiry evidence)" in prompt
