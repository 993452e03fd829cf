"""Why a candidate ranks where it does: a template from the breakdown, or an LLM sentence that
may only cite that breakdown.

Why validated: a small base model (the `small` tier) invents skills and years. Its sentence is
accepted only when it cites at least one requirement id of the breakdown ([R1]), cites no other
id, names no skill that is not in the facts, and every number in it occurs in a cited fact;
otherwise the template is used and the result says why. The prompt holds only the blind facts
(requirement, status, years): never a file name, which may carry the candidate's name.
"""
from __future__ import annotations

import re

from rightsized.domains.context import TaskContext
from rightsized.domains.hr_resume.models import Candidate, JobSpec, RequirementMatch
from rightsized.domains.hr_resume.taxonomy import skill_set

LEAD = "The candidate"  # the sentence is started for the model: a base model otherwise ends at once
CITE = re.compile(r"\[(R\d+)\]")
NUMBER = re.compile(r"\d+(?:\.\d+)?")


def fact(match: RequirementMatch) -> str:
    need = f" (needs {match.min_years:g})" if match.min_years else ""
    what = match.skill or match.text.lstrip("- ")
    if match.status == "experience":
        return f"{what}: {match.years:g} years at work{need}"
    if match.status == "listed_only":
        return f"{what}: listed, no experience behind it{need}"
    return f"{match.text.lstrip('- ')}: missing"


def template_rationale(candidate: Candidate) -> str:
    met = [m for m in candidate.breakdown if m.must and m.met]
    gaps = [m for m in candidate.breakdown if m.must and not m.met]
    parts = [f"Meets {len(met)} of {candidate.musts_total} must requirements"]
    if gaps:
        parts.append("gaps: " + "; ".join(f"{fact(m)} [{m.req_id}]" for m in gaps))
    nice = [m for m in candidate.breakdown if not m.must and m.status == "experience"]
    if nice:
        parts.append("nice to have: " + ", ".join(f"{m.skill} [{m.req_id}]" for m in nice))
    return "; ".join(parts) + "."


EXAMPLE = ("Facts about a candidate for the job \"Data Engineer\" (score 0.62), each with an id:\n"
           "[R1] must: Python: 6 years at work (needs 5)\n[R2] must: Kafka: missing\n[R3] nice: Airflow: 2 years at work\n"
           "Sentence: The candidate has 6 years of Python [R1] and Airflow [R3] but no Kafka [R2].\n\n")


def prompt(job: JobSpec, candidate: Candidate) -> str:
    """One worked example (a base model follows a pattern, not an instruction), then the facts."""
    facts = "\n".join(f"[{m.req_id}] {'must' if m.must else 'nice'}: {fact(m)}" for m in candidate.breakdown)
    return (EXAMPLE + f"Facts about a candidate for the job \"{job.title}\" (score {candidate.score:.2f}), each with an id:\n"
            f"{facts}\nSentence: {LEAD}")


def check_rationale(text: str, candidate: Candidate) -> str | None:
    """None when the sentence only cites the breakdown, else what is wrong with it."""
    ids = {m.req_id: m for m in candidate.breakdown}
    cited = CITE.findall(text)
    if not text.strip() or text.strip() == LEAD:
        return "empty"
    if not cited:
        return "cites no requirement id"
    if unknown := sorted(set(cited) - set(ids)):
        return f"cites unknown id(s) {', '.join(unknown)}"
    allowed = {m.skill for m in candidate.breakdown if m.skill} | {s for m in candidate.breakdown for s in skill_set(m.text)}
    if invented := sorted(skill_set(text) - allowed):
        return f"names skill(s) not in the facts: {', '.join(invented)}"
    if problem := _claims_mismatch(text, ids):
        return problem
    numbers = {n for rid in cited for n in NUMBER.findall(fact(ids[rid]) + " " + rid)}
    if stray := sorted(set(NUMBER.findall(CITE.sub("", text))) - numbers):
        return f"number(s) not in the cited facts: {', '.join(stray)}"
    return None


NEGATION = re.compile(r"\b(?:no|not|without|lacks?|missing|none)\b", re.IGNORECASE)


def _claims_mismatch(text: str, ids: dict[str, RequirementMatch]) -> str | None:
    """Each skill must sit before the id of its own requirement, and be called missing exactly
    when the breakdown says so ("but no Kafka [R2]" only if R2 is missing)."""
    start = 0
    for cite in CITE.finditer(text):
        segment = text[start:cite.start()]
        start = cite.end()
        requirement = ids[cite.group(1)]
        own = ({requirement.skill} if requirement.skill else set()) | skill_set(requirement.text)
        named = skill_set(segment)
        if named - own:
            return f"{', '.join(sorted(named - own))} cited as [{cite.group(1)}], which is about {', '.join(sorted(own)) or 'experience'}"
        clause = re.split(r"\band\b|\bbut\b|\bwhile\b|,|;", segment)[-1] if named else ""
        if named and bool(NEGATION.search(clause)) != (requirement.status == "missing"):
            return f"calls [{cite.group(1)}] {'missing' if NEGATION.search(clause) else 'present'}; the breakdown says {requirement.status}"
    return None


def draft_rationale(ctx: TaskContext, job: JobSpec, candidate: Candidate) -> tuple[str | None, str | None]:
    """(accepted sentence, None) or (None, why it was rejected, with what the model said)."""
    text = (LEAD + " " + ctx.generate(prompt(job, candidate), stop=["\n"], max_tokens=40).text.strip()).strip()
    if problem := check_rationale(text, candidate):
        return None, f"{problem}: {text[:120]!r}"
    return text, None
