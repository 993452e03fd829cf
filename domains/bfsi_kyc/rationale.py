"""The rationale an LLM tier drafts for the reviewer, and the rules it must pass to be used.

Why one worked example and a one-line answer: the small tier is a base model (Gemma 3 270M);
completion prompts with an example and a newline stop are what such models follow. Why
validate: a rationale that names another decision than the tools reached, states a finding the
tools contradict ("a sanctioned person, so approved" for a clean applicant), or loops on one
sentence, would mislead a reviewer; it is rejected (template used, warning recorded) and the
rejection rate is part of what a tier comparison shows. Why a small explicit claim grammar
rather than a second model as judge: every rejection must be explainable and reproducible, and
the grammar's phrase lists are tested sentence by sentence.
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from rightsized.pipelines.prompts import ContextChunk, build_prompt

from rightsized.domains.bfsi_kyc.models import Check

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

# -- the claim grammar ------------------------------------------------------------------------
#
# A rationale is split into sentences, then clauses (at , ; and at conjunctions such as "but", "as",
# "so", "because", or "and" before a new subject or verb). In each clause:
#   1. "not checked" phrases ("could not be verified", "missing") are read and blanked out, so
#      their "not" negates nothing else;
#   2. each check the clause names (TOPICS[check].mentions) is claimed to have passed or failed
#      by the topic's own phrases and the generic ones; a negator (not, no, never, none,
#      without, nor, neither; "n't" counts as "not") anywhere earlier in the clause flips a
#      phrase: "not a sanctioned person" says sanctions_screening passed, "did not match" says a
#      consistency check failed;
#   3. a check named with no phrase is a bare mention (no polarity);
#   4. decision words are read the same way: "cannot be approved" states "not approve".
# Hedges ("may", "appears to") do not change a claim: a hedged claim is still checked.


@dataclass(frozen=True)
class Topic:
    """How a rationale names one check and says how it went."""

    mentions: tuple[str, ...]
    passed: tuple[str, ...]
    failed: tuple[str, ...]


_AGREE = (r"\bmatch(?:es|ed|ing)?\b", r"\bconsistent\b", r"\bsame\b", r"\bidentical\b", r"\bagree\w*",
          r"\bcorrespond\w*")
_DIFFER = (r"\bmismatch\w*", r"\bdiffer\w*", r"\binconsistent\b", r"\bdiscrepan\w*", r"\bconflict\w*",
           r"\bsomeone else\b", r"\banother person\b")
TOPICS: dict[str, Topic] = {
    # In this order: "date of birth check digit" names the MRZ check, not dob_consistency.
    "mrz_check_digits": Topic(
        mentions=(r"\b(?:(?:date of birth|birth date|expiry date|expiry|document number|personal number|"
                  r"composite|name) )?check ?digits?\b", r"\bmrz\b", r"\bmachine[- ]readable(?: zone)?\b",
                  r"\btamper\w*"),
        passed=(r"\bvalid\b", r"\bcorrect\b", r"\bintact\b", r"\bmatch(?:es|ed|ing)?\b", r"\bconsistent\b"),
        failed=(r"\binvalid\b", r"\bwrong\b", r"\bincorrect\b", r"\btamper\w*", r"\bmismatch\w*",
                r"\bcorrupt\w*", r"\baltered\b", r"\bforged\b"),
    ),
    "document_expiry": Topic(
        mentions=(r"\bexpir\w*", r"\bout of date\b", r"\bin date\b", r"\blapsed\b", r"\bvalidity\b"),
        passed=(r"\bvalid\b", r"\bin date\b", r"\bcurrent\b", r"\bunexpired\b", r"\bin force\b"),
        failed=(r"\bexpired\b", r"\bout of date\b", r"\blapsed\b"),
    ),
    "name_consistency": Topic(mentions=(r"\b(?:sur)?names?\b",), passed=_AGREE, failed=_DIFFER),
    "dob_consistency": Topic(mentions=(r"\bdates? of birth\b", r"\bbirth ?dates?\b", r"\bdob\b", r"\bborn\b"),
                             passed=_AGREE, failed=_DIFFER),
    "address_consistency": Topic(mentions=(r"\baddress(?:es)?\b",), passed=_AGREE, failed=_DIFFER),
    "sanctions_screening": Topic(
        mentions=(r"\bsanction\w*", r"\bsdn\b", r"\bwatch ?lists?\b", r"\bofac\b", r"\bblack ?list\w*",
                  r"\blisted\b"),
        passed=(r"\bclear(?:ed)?\b", r"\bclean\b"),
        failed=(r"\bsanctioned\b", r"\blisted\b", r"\bon (?:the|a|an|any) (?:\w+ )?lists?\b",
                r"\bmatch(?:es|ed|ing)?\b", r"\bhits?\b", r"\bdesignated\b"),
    ),
}
GENERIC_PASSED = (r"\bpass(?:es|ed)?\b", r"\bok(?:ay)?\b", r"\bverified\b", r"\bconfirm\w*", r"\bsatisf\w*",
                  r"\bsuccess\w*", r"\bin order\b")
GENERIC_FAILED = (r"\bfail\w*", r"\bproblems?\b", r"\bissues?\b", r"\bconcerns?\b", r"\bflag\w*",
                  r"\berrors?\b")
NOT_CHECKED = (r"\b(?:could|can|was|were|is|are|has|have)(?: not| never)(?: been| be)? "
               r"(?:checked|verified|screened|compared|confirmed|read|parsed|provided)\b",
               r"\bnot (?:checked|verified|screened|compared|provided|available|readable)\b",
               r"\bunable to \w+", r"\bmissing\b", r"\bunreadable\b", r"\bunknown\b")
# "all checks passed" is a claim about every check; "the other checks passed" about none in particular.
ALL_CHECKS = "all checks"
_ALL = re.compile(r"\b(?:all|every)(?: of)?(?: the)? (?:(\w+) )?checks?\b")
_NOT_ALL = frozenset({"other", "remaining", "rest"})
DECISIONS = {
    "approve": (r"\bapprov\w*", r"\baccept(?:s|ed)?\b"),
    "review": (r"\breview(?:s|ed|ing)?\b", r"\bmanual check\b", r"\bescalat\w*", r"\breferred\b"),
    "reject": (r"\breject\w*", r"\bdeclin\w*", r"\brefus\w*", r"\bden(?:y|ied)\b"),
}
_NEGATOR = re.compile(r"\b(?:not|no|never|none|without|nor|neither)\b")
_CLAUSE = re.compile(
    r"[;,]|\b(?:but|so|as|because|since|while|whereas|although|though|however|therefore|hence|thus|yet)\b"
    r"|\band\b(?= (?:the|its|his|her|their|this|is|was|has|have|are|were|does|did|no|not|all|every)\b)")
_SENTENCE = re.compile(r"(?<=[.!?])\s+")
# Quoted text ('18 Quay Street, Cork'), not an apostrophe: the quote opens after no letter.
_QUOTED = re.compile(r"(?<!\w)['\"‘“]([^'\"‘’“”]+?)['\"’”](?!\w)")
Polarity = Literal["passed", "failed", "not checked"]
_POLARITY: dict[bool | None, Polarity] = {True: "passed", False: "failed", None: "not checked"}


@dataclass(frozen=True)
class Claim:
    """What one clause says about a check (or ALL_CHECKS): polarity None is a bare mention."""

    subject: str
    polarity: Polarity | None
    clause: str


@dataclass(frozen=True)
class Stated:
    """A decision word in a clause; `negated` for "not approved", "cannot be rejected"."""

    decision: str
    negated: bool


def _clauses(text: str) -> list[str]:
    """Quoted text is data (an address, a listed name), not a claim, and its commas split nothing."""
    text = _QUOTED.sub("quoted text", text).lower().replace("_", " ").replace("proof of address", "proof-document")
    text = re.sub(r"n't\b", " not", text.replace("cannot", "can not"))
    return [c.strip() for sentence in _SENTENCE.split(text) for c in _CLAUSE.split(sentence) if c and c.strip()]


def _blank(text: str, match: re.Match[str]) -> str:
    return text[:match.start()] + " " * (match.end() - match.start()) + text[match.end():]


def _phrases(clause: str, patterns: Sequence[str]) -> list[bool]:
    """For each occurrence of a phrase: whether a negator comes before it in the clause."""
    return [bool(_NEGATOR.search(clause, 0, m.start())) for p in patterns for m in re.finditer(p, clause)]


def _polarities(clause: str, passed: Sequence[str], failed: Sequence[str]) -> set[Polarity]:
    found: set[Polarity] = set()
    for negated in _phrases(clause, passed):
        found.add("failed" if negated else "passed")
    for negated in _phrases(clause, failed):
        found.add("passed" if negated else "failed")
    return found


def claims(text: str) -> tuple[list[Claim], list[Stated]]:
    """Every claim about a check and every decision a rationale states, clause by clause."""
    found: list[Claim] = []
    stated: list[Stated] = []
    for clause in _clauses(text):
        rest, not_checked = clause, False
        for pattern in NOT_CHECKED:
            for match in re.finditer(pattern, clause):
                rest, not_checked = _blank(rest, match), True
        subjects, unnamed = [], rest
        for name, topic in TOPICS.items():
            mentions = [m for p in topic.mentions for m in re.finditer(p, unnamed)]
            if mentions:
                subjects.append((name, topic.passed, topic.failed))
            for match in mentions:  # a word names one check: the first in TOPICS order
                unnamed = _blank(unnamed, match)
        everything = _ALL.search(rest)
        if everything and everything.group(1) not in _NOT_ALL:
            subjects.append((ALL_CHECKS, (), ()))
        for subject, passed, failed in subjects:
            polarities = _polarities(rest, (*passed, *GENERIC_PASSED), (*failed, *GENERIC_FAILED))
            if not_checked:
                polarities.add("not checked")
            found += [Claim(subject, p, clause) for p in sorted(polarities)] or [Claim(subject, None, clause)]
        for decision, patterns in DECISIONS.items():
            stated += [Stated(decision, negated) for negated in _phrases(rest, patterns)]
    return found, stated


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

    Rules: a finished sentence; states the tools' decision, no other, and does not negate it;
    anything it quotes is quoted from the checks' evidence; every claim it makes about a check
    agrees with that check's result (a check that could not run may only be said to be not
    checked); and it gives a reason: for approve a check (or all checks) that passed, for
    review/reject a check that failed or could not run.
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
    found, stated = claims(cleaned)
    affirmed = {s.decision for s in stated if not s.negated}
    if decision not in affirmed:
        return None, f"does not state the decision '{decision}': {cleaned[:80]!r}"
    if affirmed - {decision}:
        return None, f"names another decision ({', '.join(sorted(affirmed - {decision}))}): {cleaned[:80]!r}"
    if any(s.negated and s.decision == decision for s in stated):
        return None, f"negates the decision '{decision}': {cleaned[:80]!r}"
    evidence = " ".join(" ".join(c.evidence.split()) for c in checks).lower()
    for quoted in _QUOTED.findall(cleaned):
        if " ".join(quoted.split()).lower() not in evidence:  # e.g. an address copied from the worked example
            return None, f"quotes {quoted!r}, which no finding contains: {cleaned[:80]!r}"
    results: dict[str, Polarity] = {c.name: _POLARITY[c.passed] for c in checks}
    for claim in found:
        if claim.polarity is None:
            continue
        about = list(results) if claim.subject == ALL_CHECKS else [claim.subject]
        wrong = [name for name in about if results.get(name) != claim.polarity]
        if wrong:
            actual = ", ".join(f"{name} {results.get(name, 'not run')}" for name in wrong)
            return None, (f"contradicts the tools (says {claim.subject} {claim.polarity} in {claim.clause!r}; "
                          f"tools: {actual}): {cleaned[:80]!r}")
    if decision == "approve":
        if not any(claim.polarity == "passed" for claim in found):
            return None, f"states no finding that supports approval: {cleaned[:80]!r}"
        return cleaned, None
    open_checks = {name for name, state in results.items() if state != "passed"}
    if not any(claim.subject in open_checks for claim in found):
        return None, f"names none of the failed checks ({', '.join(sorted(open_checks))}): {cleaned[:80]!r}"
    return cleaned, None


def template_rationale(decision: str, reasons: list[str]) -> str:
    return f"Decision {decision}: " + "; ".join(reasons) + "."
