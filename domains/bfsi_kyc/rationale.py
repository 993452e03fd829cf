"""The rationale an LLM tier drafts for the reviewer, and the rules it must pass to be used.

Why one worked example and a one-line answer: the small tier is a base model (Gemma 3 270M);
completion prompts with an example and a newline stop are what such models follow. Why
validate: a rationale that names another decision than the tools reached, or loops on one
sentence, would mislead a reviewer; it is rejected (template used, warning recorded) and the
rejection rate is part of what a tier comparison shows.
"""
from __future__ import annotations

import re
from collections.abc import Sequence

from rightsized.pipelines.prompts import ContextChunk, build_prompt

from rightsized.domains.bfsi_kyc.models import Check

DECISION_WORDS = {
    "approve": ("approve", "approved", "approval"),
    "review": ("review", "reviewed", "manual check", "escalat"),
    "reject": ("reject", "rejected", "decline", "declined", "refuse"),
}
# Worked examples in exactly the shape of the real question: base models continue patterns.
EXAMPLES = (
    ("mrz_check_digits: pass; document_expiry: pass; name_consistency: pass; dob_consistency: pass; "
     "address_consistency: fail (application '4 Mill Street, Cork' vs proof of address "
     "'18 Quay Street, Cork'); sanctions_screening: pass", "review",
     "The proof of address shows a different address from the application, so the case goes to "
     "manual review; the other checks passed."),
    ("mrz_check_digits: pass; document_expiry: pass; name_consistency: pass; dob_consistency: pass; "
     "address_consistency: pass; sanctions_screening: fail (matches SDN entry 1234 'DOE, John')",
     "reject", "The applicant matches a sanctioned person on the SDN list, so the application is "
     "rejected."),
)
INSTRUCTION = (
    "You are a KYC analyst. In one sentence, explain the decision to a compliance reviewer "
    "using only the findings."
)
# Words by which a rationale refers to a check; used to catch claims the findings do not support.
TOPICS = {
    "mrz_check_digits": ("check digit", "mrz", "machine-readable", "machine readable", "tamper"),
    "document_expiry": ("expir", "expired", "out of date"),
    "name_consistency": ("name",),
    "dob_consistency": ("date of birth", "birth date", "dob"),
    "address_consistency": ("address",),
    "sanctions_screening": ("sanction", "sdn", "watchlist", "ofac"),
}
_SENTENCE = re.compile(r"(?<=[.!?])\s+")


def findings_text(checks: Sequence[Check]) -> str:
    states = {True: "pass", False: "fail", None: "not checked"}
    return "; ".join(
        f"{c.name}: {states[c.passed]}" + (f" ({c.evidence})" if c.passed is not True else "") for c in checks
    )


def rationale_prompt(checks: Sequence[Check], decision: str) -> str:
    """The findings are fenced as data: they quote document text (names, addresses)."""
    examples = [([ContextChunk(f"example{i}", findings)], _question(example_decision), rationale)
                for i, (findings, example_decision, rationale) in enumerate(EXAMPLES, start=1)]
    return build_prompt(INSTRUCTION, _question(decision), [ContextChunk("findings", findings_text(checks))],
                        answer_prefix="Rationale:", examples=examples)


def _question(decision: str) -> str:
    return f"Write the rationale for decision: {decision}."


def validate_rationale(text: str, decision: str, checks: Sequence[Check]) -> tuple[str | None, str | None]:
    """(cleaned text, None) when usable, else (None, why it was rejected).

    Rules: a finished sentence; states the tools' decision and no other; for review/reject it
    names the topic of at least one check that failed (or could not run) and none that passed.
    """
    sentences: list[str] = []
    for sentence in _SENTENCE.split(" ".join(text.split())):
        if sentence and sentence not in sentences:
            sentences.append(sentence)
    if sentences and not sentences[-1].endswith((".", "!", "?")):
        sentences.pop()  # cut off at max_tokens mid-sentence
    cleaned = " ".join(sentences)
    if len(cleaned) < 20:
        return None, f"too short or unfinished: {text.strip()[:60]!r}"
    lowered = cleaned.lower()
    named = {d for d, words in DECISION_WORDS.items() if any(w in lowered for w in words)}
    if decision not in named:
        return None, f"does not state the decision '{decision}': {cleaned[:80]!r}"
    if named - {decision}:
        return None, f"names another decision ({', '.join(sorted(named - {decision}))}): {cleaned[:80]!r}"
    if decision != "approve":
        mentioned = {c.name for c in checks if any(w in lowered for w in TOPICS.get(c.name, ()))}
        open_checks = {c.name for c in checks if c.passed is not True}
        if not mentioned & open_checks:
            return None, f"names none of the failed checks ({', '.join(sorted(open_checks))}): {cleaned[:80]!r}"
        if mentioned - open_checks:
            return None, f"blames checks that passed ({', '.join(sorted(mentioned - open_checks))}): {cleaned[:80]!r}"
    return cleaned, None


def template_rationale(decision: str, reasons: list[str]) -> str:
    return f"Decision {decision}: " + "; ".join(reasons) + "."
