"""Score a parsed (blind) resume against a job's requirements, with a breakdown per requirement.

Why this formula, stated so a recruiter can recompute it: each requirement earns credit in
[0, 1] — a skill used in dated work earns years / minimum years (capped at 1; 1 when no
minimum), a skill only listed with no experience behind it earns `LISTED_CREDIT` (keyword
stuffing cannot reach a shortlist), a missing one earns 0. The score is `MUST_WEIGHT` x the mean
must credit + the rest x the mean nice credit. A candidate is shortlisted when every must is met
(the skill used at work for at least its minimum years): a rule a recruiter can state. Nothing else is read: not names, dates of birth, schools'
years or gaps between jobs (gaps are reported by the parser, never penalised).
"""
from __future__ import annotations

from rightsized.domains.hr_resume.models import JobSpec, ParsedResume, Requirement, RequirementMatch, SkillRecord

MUST_WEIGHT = 0.75
LISTED_CREDIT = 0.3


def match_requirement(requirement: Requirement, resume: ParsedResume) -> RequirementMatch:
    base = {"req_id": requirement.req_id, "text": requirement.text, "must": requirement.must,
            "min_years": requirement.min_years}
    if not requirement.skills:  # overall experience
        years = resume.total_years
        met = years >= (requirement.min_years or 0)
        first = next((e for e in resume.experience if e.section == "experience"), None)
        return RequirementMatch(**base, status="experience" if years else "missing", years=years, met=met,
                                credit=_years_credit(years, requirement.min_years) if years else 0.0,
                                evidence=first.header if first else None, chunk_id=first.chunk_id if first else None)
    records = [r for skill in requirement.skills if (r := resume.skill(skill)) is not None]
    if not records:
        return RequirementMatch(**base, status="missing")
    best = max(records, key=lambda r: (r.experience_backed, r.years))
    if best.experience_backed:
        credit = _years_credit(best.years, requirement.min_years)
        return RequirementMatch(**base, status="experience", skill=best.skill, years=best.years,
                                met=best.years >= (requirement.min_years or 0), credit=credit,
                                **_evidence(best, ("experience", "projects")))
    return RequirementMatch(**base, status="listed_only", skill=best.skill, credit=LISTED_CREDIT,
                            **_evidence(best, ("skills", "summary", "header", "personal")))


def _years_credit(years: float, minimum: float | None) -> float:
    return 1.0 if not minimum else round(min(1.0, years / minimum), 4)


def _evidence(record: SkillRecord, sections: tuple[str, ...]) -> dict[str, str | None]:
    """The first evidence line from the preferred sections: its text and chunk."""
    item = next((e for e in record.evidence if e.section in sections), record.evidence[0] if record.evidence else None)
    return {"evidence": item.text, "chunk_id": item.chunk_id} if item else {}


def score(job: JobSpec, matches: list[RequirementMatch]) -> float:
    must = [m.credit for m in matches if m.must]
    nice = [m.credit for m in matches if not m.must]
    if must and nice:
        value = MUST_WEIGHT * sum(must) / len(must) + (1 - MUST_WEIGHT) * sum(nice) / len(nice)
    elif must or nice:
        value = sum(must or nice) / len(must or nice)
    else:
        value = 0.0
    return round(value, 4)


def match(job: JobSpec, resume: ParsedResume) -> tuple[float, list[RequirementMatch]]:
    """(score in [0, 1], one match per requirement in the job's order)."""
    matches = [match_requirement(r, resume) for r in job.requirements]
    return score(job, matches), matches
