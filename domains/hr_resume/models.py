"""The HR domain's data: parsed resumes, job requirements, matches and task results.

Why pydantic: these are the task results `run --json`, the eval store and the HTTP API show,
and the parse task's gold values are compared field by field against them.
"""
from __future__ import annotations

from pydantic import BaseModel, Field

from rightsized.domains.results import TaskResult


class Evidence(BaseModel):
    """Where a skill was seen: the line as written, its section and offset in the parsed text."""

    section: str
    text: str
    offset: int
    chunk_id: str | None = None


class SkillRecord(BaseModel):
    skill: str  # canonical (taxonomy)
    years: float = 0.0  # from experience/project date ranges, overlaps merged
    experience_backed: bool = False  # named inside a dated experience or project entry
    listed: bool = False  # named in a skills section
    only_in_projects: bool = False
    evidence: list[Evidence] = Field(default_factory=list)


class EducationEntry(BaseModel):
    level: str  # bachelor | master | phd | associate | other
    degree: str
    field: str | None = None
    institution: str | None = None
    year: int | None = None  # as written; never used for matching (an age proxy)


class ExperienceEntry(BaseModel):
    section: str  # experience | projects
    header: str
    offset: int = 0
    chunk_id: str | None = None
    start: str
    end: str
    skills: list[str] = Field(default_factory=list)


class Contact(BaseModel):
    email: str | None = None
    phone: str | None = None
    links: list[str] = Field(default_factory=list)


class ParsedResume(BaseModel):
    sections: list[str] = Field(default_factory=list)
    contact: Contact = Field(default_factory=Contact)
    skills: list[SkillRecord] = Field(default_factory=list)
    experience: list[ExperienceEntry] = Field(default_factory=list)
    total_years: float = 0.0
    gaps: list[str] = Field(default_factory=list)
    education: list[EducationEntry] = Field(default_factory=list)
    certifications: list[str] = Field(default_factory=list)

    def skill(self, name: str) -> SkillRecord | None:
        return next((s for s in self.skills if s.skill == name), None)


class Requirement(BaseModel):
    req_id: str
    text: str
    must: bool
    skills: list[str] = Field(default_factory=list)  # alternatives; empty: overall experience
    min_years: float | None = None


class JobSpec(BaseModel):
    title: str
    requirements: list[Requirement] = Field(default_factory=list)

    @property
    def must(self) -> list[Requirement]:
        return [r for r in self.requirements if r.must]

    @property
    def nice(self) -> list[Requirement]:
        return [r for r in self.requirements if not r.must]


class RequirementMatch(BaseModel):
    req_id: str
    text: str
    must: bool
    status: str  # experience | listed_only | missing
    skill: str | None = None  # the alternative that matched
    years: float = 0.0
    min_years: float | None = None
    met: bool = False
    credit: float = 0.0
    evidence: str | None = None
    chunk_id: str | None = None


class Candidate(BaseModel):
    rank: int
    resume: str  # file name inside the folder
    doc_id: str
    score: float
    shortlisted: bool
    musts_met: int
    musts_total: int
    breakdown: list[RequirementMatch]
    redacted: dict[str, int] = Field(default_factory=dict)  # what blind screening removed
    rationale: str | None = None
    rationale_source: str | None = None  # template | llm

    @property
    def chunk_ids(self) -> list[str]:
        return sorted({m.chunk_id for m in self.breakdown if m.chunk_id})


class RankResult(TaskResult):
    job: JobSpec
    candidates: list[Candidate]  # the top `top` of them
    ranked: int  # how many resumes were scored
    as_of: str

    def cited_ids(self) -> set[str]:
        return set(self.citations) | {cid for c in self.candidates for cid in c.chunk_ids}


class ParseResult(TaskResult):
    resume: str
    parsed: ParsedResume
    protected_found: dict[str, int] = Field(default_factory=dict)  # detected, never output
    as_of: str
