from __future__ import annotations

from rightsized.domains.bfsi_kyc.models import Check
from rightsized.domains.bfsi_kyc.rationale import rationale_prompt, validate_rationale

CHECKS = [
    Check(name="document_expiry", passed=False, evidence="expired on 2025-01-30"),
    Check(name="sanctions_screening", passed=True, evidence="no match"),
    Check(name="address_consistency", passed=True, evidence="same"),
]


def test_a_grounded_rationale_is_accepted_and_cleaned() -> None:
    text, problem = validate_rationale(
        "The passport expired in January, so the case needs review. The passport expired in January, "
        "so the case needs review. And then", "review", CHECKS)
    assert problem is None
    assert text == "The passport expired in January, so the case needs review."


def test_wrong_decision_unfinished_and_ungrounded_rationales_are_rejected() -> None:
    assert validate_rationale("The application is approved.", "review", CHECKS)[1].startswith("does not state")
    assert "another decision" in validate_rationale("Review it, then reject it.", "review", CHECKS)[1]
    assert "too short" in validate_rationale("The documents below are", "review", CHECKS)[1]
    blamed = validate_rationale("The applicant matches a sanctioned person, so the case is reviewed.", "review", CHECKS)
    assert blamed[0] is None and "names none of the failed checks" in blamed[1]
    mixed = validate_rationale("The document expired and the address differs, so review.", "review", CHECKS)
    assert mixed[0] is None and "blames checks that passed (address_consistency)" in mixed[1]


def test_approve_needs_only_the_decision() -> None:
    assert validate_rationale("All checks passed, so the application is approved.", "approve", CHECKS)[1] is None


def test_prompt_fences_findings_and_ends_with_the_real_question() -> None:
    prompt = rationale_prompt(CHECKS, "review")
    assert prompt.rstrip().endswith("Question: Write the rationale for decision: review.\nRationale:")
    assert "<<<CHUNK id=findings>>>\ndocument_expiry: fail (expired on 2025-01-30); sanctions_screening: pass" in prompt
