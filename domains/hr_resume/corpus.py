"""The deterministic HR sample corpus: jobs, pools of resumes, graded relevance, parse answers.

Layout of a built corpus (same seed, same bytes)::

    documents/jobs/job_01.pdf|txt      postings (must / nice requirements, minimum years)
    documents/pools/pool_01/cand_NN.*  ten resumes per job: eight profiles (`profiles.py`)
                                       with relevance 3,3,2,2,1,1,0,0 split evenly between two
                                       synthetic groups, and two counterfactual twins
    documents/parse/resume_NN.*        resumes for the parse task
    gold.jsonl                         rank cases: relevance and group per resume, twins;
                                       parse cases: the structured fields

Half the cases (rounded up) rank a pool, the rest parse one resume. Relevance follows from how
each resume was made; the parse answers from the generated career (dates as rendered).
"""
from __future__ import annotations

import random
from dataclasses import replace
from pathlib import Path
from typing import Any

from rightsized.domains.base import Corpus, GoldCase, write_gold
from rightsized.domains.hr_resume.dates import Span, merge
from rightsized.domains.hr_resume.pdfs import write_job, write_resume
from rightsized.domains.hr_resume.profiles import (
    AS_OF,
    LAYOUTS,
    NOW,
    ROLES,
    JobPosting,
    Profile,
    counterfactual,
    make_candidate,
    make_job,
    make_parse_profile,
    make_person,
)
from rightsized.domains.hr_resume.render import rendered_span

DOMAIN = "hr_resume"
POOL_KINDS = ("strong", "strong", "good", "good", "short", "stuffer", "unrelated", "unrelated")
TWINNED = (0, 4)  # which profiles of a pool get a counterfactual twin (a strong and a short one)


def make_pool(index: int, seed: int) -> tuple[JobPosting, list[Profile]]:
    """One job and its ten candidates (eight profiles, two twins), in file order."""
    rng = random.Random(f"{seed}-pool-{index}")
    role = list(ROLES)[index % len(ROLES)]
    job = make_job(f"job_{index + 1:02d}", role, rng, style=index)
    # Each relevance level is split between the groups; which group gets short vs stuffer alternates.
    genders = ["F", "M", "M", "F", "F", "M", "F", "M"] if index % 2 == 0 else ["M", "F", "F", "M", "M", "F", "M", "F"]
    layouts = [LAYOUTS[(index + i) % len(LAYOUTS)] for i in range(len(POOL_KINDS))]
    profiles = [make_candidate(f"p{i}", kind, job, make_person(rng, genders[i]), rng, layouts[i], project_only=i == 0)
                for i, kind in enumerate(POOL_KINDS)]
    twins = [_twin(profiles[i], rng) for i in TWINNED]
    everyone = profiles + twins
    order = rng.sample(range(len(everyone)), len(everyone))
    named = {position: f"cand_{number:02d}" for number, position in enumerate(order, start=1)}
    renamed = []
    for position, profile in enumerate(everyone):
        twin_of = named[int(profile.twin_of[1:])] if profile.twin_of else None
        renamed.append(_rename(profile, named[position], twin_of))
    return job, sorted(renamed, key=lambda p: p.resume_id)


def _twin(profile: Profile, rng: random.Random) -> Profile:
    return replace(profile, resume_id=f"{profile.resume_id}_twin", person=counterfactual(profile.person, rng),
                   twin_of=profile.resume_id)


def _rename(profile: Profile, resume_id: str, twin_of: str | None) -> Profile:
    return replace(profile, resume_id=resume_id, twin_of=twin_of)


def file_name(profile: Profile) -> str:
    return f"{profile.resume_id}.{'txt' if profile.layout == 'plain_text' else 'pdf'}"


def rank_case(job: JobPosting, job_file: str, profiles: list[Profile], pool: str) -> GoldCase:
    by_id = {p.resume_id: p for p in profiles}
    return GoldCase(
        case_id=f"rank_{pool}", domain=DOMAIN, task="rank",
        input={"job": job_file, "resumes": f"pools/{pool}", "as_of": AS_OF.isoformat()},
        expected={
            "relevance": {file_name(p): p.relevance for p in profiles},
            "groups": {file_name(p): p.person.gender for p in profiles if not p.twin_of},
            "twins": {file_name(p): file_name(by_id[p.twin_of]) for p in profiles if p.twin_of},
            "kinds": {file_name(p): p.kind for p in profiles},
        },
        tags=("synthetic", "rank", job.role),
        notes=f"{job.title}: must {', '.join(job.must)} ({job.key_skill} {job.min_years}+ years); nice {', '.join(job.nice)}",
    )


def parse_fields(profile: Profile) -> dict[str, Any]:
    """The structured fields a parser must recover, from the generated career as rendered."""
    spans: dict[str, list[Span]] = {}
    for item in (*profile.jobs, *profile.projects):
        start, end = rendered_span(item, profile.style, NOW)
        for skill in item.skills:
            spans.setdefault(skill, []).append(Span(start, end))
    work = [Span(*rendered_span(j, profile.style, NOW)) for j in profile.jobs]
    level, _, field, school = profile.degree
    return {
        "email": profile.person.email, "phone": profile.phone,
        "skills": sorted(spans, key=str.lower),
        "years": {skill: round(sum(s.months for s in merge(v)) / 12, 1) for skill, v in sorted(spans.items())},
        "total_years": round(sum(s.months for s in merge(work)) / 12, 1),
        "listed": sorted(profile.listed, key=str.lower),
        "education_level": level, "education_field": field, "institution": school,
        "certifications": sorted(profile.certifications),
    }


def build_corpus(out_dir: Path, *, n: int = 16, seed: int = 7) -> Corpus:
    documents = out_dir / "documents"
    documents.mkdir(parents=True, exist_ok=True)
    gold: list[GoldCase] = []
    for index in range((n + 1) // 2):
        job, profiles = make_pool(index, seed)
        pool = f"pool_{index + 1:02d}"
        job_path = write_job(job, documents / "jobs", as_pdf=index % 2 == 0)
        for profile in profiles:
            write_resume(profile, documents / "pools" / pool)
        gold.append(rank_case(job, job_path.relative_to(documents).as_posix(), profiles, pool))
    rng = random.Random(f"{seed}-parse")
    for index in range(n // 2):
        profile = make_parse_profile(f"resume_{index + 1:02d}", rng, LAYOUTS[index % len(LAYOUTS)])
        path = write_resume(profile, documents / "parse")
        gold.append(GoldCase(
            case_id=f"parse_{profile.resume_id}", domain=DOMAIN, task="parse",
            input={"resume": path.relative_to(documents).as_posix(), "as_of": AS_OF.isoformat()},
            expected={"fields": parse_fields(profile)}, tags=("synthetic", "parse", profile.layout)))
    write_gold(gold, out_dir / "gold.jsonl")
    return Corpus(documents, gold)
