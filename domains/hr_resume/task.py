"""The HR tasks: rank a folder of resumes against a job; parse one resume.

Why the ranking reads every chunk of the folder: each resume is scored on all of its (blind)
text, and every requirement's evidence is a chunk the retrieval returned, so the citation check
holds. Chunks are joined back into each resume (their 40-word overlaps removed), parsed, and
each evidence line mapped to the chunk that holds it. The score is the deterministic matcher's;
an LLM tier only adds a sentence, validated against the breakdown (`rationale.py`).
"""
from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from rightsized.domains.base import MetricSpec, Score, Task
from rightsized.domains.context import DocumentScope, TaskContext
from rightsized.domains.hr_resume.jd import extract_requirements
from rightsized.domains.hr_resume.matcher import match
from rightsized.domains.hr_resume.models import Candidate, JobSpec, ParsedResume, ParseResult, RankResult
from rightsized.domains.hr_resume.parser import contact_block, parse_resume
from rightsized.domains.hr_resume.rationale import draft_rationale, template_rationale
from rightsized.domains.hr_resume.redact import BlindRedactor
from rightsized.domains.hr_resume.scoring import COUNTERFACTUAL_TOLERANCE, FOUR_FIFTHS, parse_scores, rank_scores
from rightsized.domains.inputs import documents, input_file
from rightsized.ingest.loaders import load_document
from rightsized.pipelines.errors import BackendError, IngestError
from rightsized.pipelines.stores.base import SearchHit

MAX_K = 16_384  # Milvus' top-k limit: a folder of more chunks is ranked on its first 16,384
RATIONALES = 1  # an LLM sentence for the top candidate only: each costs a generation (~2-4 s on the small tier)
LONG_RESUME_PAGES = 10


class RankInput(BaseModel):
    job: Path = input_file("The job description (PDF, DOCX, TXT or MD): must-have and nice-to-have requirements.")
    resumes: Path = documents("A folder of resumes (PDF, DOCX, TXT, MD).", kind="folder")
    as_of: date | None = Field(None, description="Date open-ended ranges ('2019-present') end at (default: today).")
    top: int = Field(10, ge=1, le=1000, description="How many candidates the result lists.")


class ParseInput(BaseModel):
    resume: Path = input_file("One resume (PDF, DOCX, TXT or MD).")
    as_of: date | None = Field(None, description="Date open-ended ranges end at (default: today).")


def document_text(path: Path) -> str:
    """A file read by the shared loader (the same bad-file errors as ingest), pages joined."""
    return "\n".join(section.text for section in load_document(path, path.parent).sections)


def join_chunks(hits: list[SearchHit]) -> tuple[str, list[tuple[int, int, str]]]:
    """One document's chunks (sorted by position) joined with their overlaps removed, and each
    chunk's (start, end, chunk id) in the joined text."""
    text, spans = "", []
    for hit in hits:
        chunk = hit.text
        overlap = _overlap(text, chunk)
        start = len(text) - overlap if overlap else len(text) + (1 if text else 0)
        text = text[: len(text) - overlap] + chunk if overlap else (text + "\n" + chunk if text else chunk)
        spans.append((start, len(text), hit.chunk_id))
    return text, spans


def _overlap(text: str, chunk: str) -> int:
    """Length of the longest suffix of `text` that is a prefix of `chunk` (0: none)."""
    head = chunk[:80]
    position = text.rfind(head) if head else -1
    while position != -1:
        if chunk.startswith(text[position:]):
            return len(text) - position
        position = text.rfind(head, 0, position)
    return 0


def chunk_at(spans: list[tuple[int, int, str]], offset: int) -> str | None:
    return next((cid for start, end, cid in spans if start <= offset < end), spans[-1][2] if spans else None)


def _no_must_warning(job: JobSpec, path: Path) -> str | None:
    """A warning when the posting gave no must-have skill. Why a warning, not an error: the
    ranking can still be read, but every score then rests on what was found (overall years,
    nice-to-haves), often because a requirements heading was not recognised, and a recruiter
    must not mistake it for a ranking on the job's requirements."""
    if any(r.must and r.skills for r in job.requirements):
        return None
    used = [what for what, present in (("the overall years of experience", any(r.must for r in job.requirements)),
                                       ("the nice-to-have skills", any(not r.must for r in job.requirements)))
            if present]
    return (f"no required skills read from {path.name}; ranking uses {' and '.join(used)} only "
            f"(check that the posting's requirements are under a heading such as \"Requirements\")")


class RankTask(Task[RankInput, RankResult]):
    name = "rank"
    description = "Rank a folder of resumes against a job description (blind): scores, per-requirement breakdown, evidence."
    input_model = RankInput
    result_model = RankResult
    metrics = (
        MetricSpec("ndcg_at_5", kind="mean", primary=True, description="nDCG@5 of the ranking vs graded relevance (twins left out)"),
        MetricSpec("spearman", kind="mean", description="Spearman correlation of scores with graded relevance"),
        MetricSpec("shortlist_accuracy", kind="mean", description="share of resumes shortlisted exactly when relevance >= 2"),
        MetricSpec("counterfactual_pass", kind="proportion",
                   description="every counterfactual twin scores within 0.01 of its original"),
        MetricSpec("counterfactual_max_change", kind="corpus", reduce="max", higher_is_better=False,
                   threshold=COUNTERFACTUAL_TOLERANCE,
                   description=f"largest |score change| between a twin and its original over all pools "
                               f"(flagged above the tolerance, {COUNTERFACTUAL_TOLERANCE})"),
        MetricSpec("impact_ratio", kind="corpus", reduce="impact_ratio", threshold=FOUR_FIFTHS,
                   description="lowest / highest shortlist rate by synthetic gender group over all pools "
                               "(four-fifths rule: flagged below 0.8)"),
        MetricSpec("rationale_valid", kind="proportion",
                   description="LLM rationales that cite only the breakdown (tiers that compose)"),
    )

    def case_name(self, inputs: RankInput) -> str:
        return inputs.resumes.name

    def run(self, ctx: TaskContext, inputs: RankInput) -> RankResult:
        as_of = inputs.as_of or date.today()
        job = extract_requirements(document_text(inputs.job))
        if not job.requirements:
            raise IngestError(inputs.job, "no requirements found (no known skill or minimum years in the posting)")
        scope = ctx.documents["resumes"]
        hits = self._all_chunks(ctx, scope, job.title + " " + " ".join(s for r in job.requirements for s in r.skills))
        by_doc: dict[str, list[SearchHit]] = {}
        for hit in hits:
            by_doc.setdefault(str(hit.metadata.get("doc_id")), []).append(hit)
        warnings = [warning] if (warning := _no_must_warning(job, inputs.job)) else []
        candidates = []
        for doc_id in scope.doc_ids:
            chunks = sorted(by_doc.get(doc_id, []), key=lambda h: (int(h.metadata.get("page") or 0), int(h.metadata.get("position") or 0)))
            name = doc_id[len(scope.group) + 1:] if doc_id.startswith(scope.group + "/") else doc_id
            if not chunks:
                warnings.append(f"{name}: no chunk retrieved; not ranked")
                continue
            pages = max(int(h.metadata.get("page") or 1) for h in chunks)
            if pages > LONG_RESUME_PAGES:
                warnings.append(f"{name}: {pages} pages; ranked on all of them")
            candidates.append(self._candidate(job, name, doc_id, chunks, as_of))
        candidates.sort(key=lambda c: (-c.score, c.resume))
        for rank, candidate in enumerate(candidates, start=1):
            candidate.rank = rank
            candidate.rationale, candidate.rationale_source = template_rationale(candidate), "template"
        if ctx.can("compose"):
            for candidate in candidates[:RATIONALES]:
                sentence, problem = draft_rationale(ctx, job, candidate)
                if sentence:
                    candidate.rationale, candidate.rationale_source = sentence, "llm"
                else:
                    candidate.rationale_source = "template (llm rejected)"
                    warnings.append(f"LLM rationale for {candidate.resume} rejected ({problem}); template used")
        return RankResult(job=job, candidates=candidates[: inputs.top], ranked=len(candidates),
                          as_of=as_of.isoformat(), warnings=warnings,
                          citations=sorted({cid for c in candidates[: inputs.top] for cid in c.chunk_ids}))

    @staticmethod
    def _all_chunks(ctx: TaskContext, scope: DocumentScope, query: str) -> list[SearchHit]:
        """Every chunk of the folder, through retrieval (so each is a citable, retrieved id)."""
        store = ctx.runtime.store
        try:
            total = store.count({"group": scope.group})
        except BackendError:  # stores that count only by document (Pinecone serverless)
            total = sum(store.count({"doc_id": doc_id}) for doc_id in scope.doc_ids)
        return ctx.retrieve(query, scope=scope, k=max(1, min(total, MAX_K)))

    @staticmethod
    def _candidate(job: JobSpec, name: str, doc_id: str, chunks: list[SearchHit], as_of: date) -> Candidate:
        text, spans = join_chunks(chunks)
        parsed = parse_resume(text, as_of=as_of)
        for record in parsed.skills:
            for evidence in record.evidence:
                evidence.chunk_id = chunk_at(spans, evidence.offset)
        for entry in parsed.experience:
            entry.chunk_id = chunk_at(spans, entry.offset)
        score, breakdown = match(job, parsed)
        musts = [m for m in breakdown if m.must]
        redacted = chunks[0].metadata.get("redacted") or {}
        return Candidate(rank=0, resume=name, doc_id=doc_id, score=score, shortlisted=bool(musts) and all(m.met for m in musts),
                         musts_met=sum(m.met for m in musts), musts_total=len(musts), breakdown=breakdown,
                         redacted=dict(redacted) if isinstance(redacted, Mapping) else {})

    def outcome(self, result: RankResult) -> dict[str, Any]:
        return {
            "ranking": [c.resume for c in result.candidates],
            "scores": {c.resume: c.score for c in result.candidates},
            "shortlisted": [c.resume for c in result.candidates if c.shortlisted],
            "rationale_sources": [c.rationale_source for c in result.candidates if c.rationale_source != "template"],
        }

    def score(self, expected: Mapping[str, Any], outcome: Mapping[str, Any] | None) -> dict[str, Score]:
        return rank_scores(expected, outcome)


class ParseTask(Task[ParseInput, ParseResult]):
    name = "parse"
    description = "Parse one resume: sections, contact block, skills with years, education, certifications (blind)."
    input_model = ParseInput
    result_model = ParseResult
    metrics = (MetricSpec("parse_field_accuracy", kind="mean", primary=True,
                          description="share of the structured fields parsed correctly"),)

    def run(self, ctx: TaskContext, inputs: ParseInput) -> ParseResult:
        raw = document_text(inputs.resume)
        redactor = ctx.redactor or BlindRedactor()
        blind = redactor.redact(raw, key=inputs.resume.name)
        parsed: ParsedResume = parse_resume(blind.text, as_of=inputs.as_of or date.today())
        # Contact details are how a recruiter reaches the candidate: read from the file as written.
        parsed.contact = contact_block(raw)
        return ParseResult(resume=inputs.resume.name, parsed=parsed, as_of=(inputs.as_of or date.today()).isoformat(),
                           protected_found={k: v for k, v in blind.found.items() if k != "contact"})

    def outcome(self, result: ParseResult) -> dict[str, Any]:
        p = result.parsed
        first = p.education[0] if p.education else None
        return {"fields": {
            "email": p.contact.email, "phone": p.contact.phone,
            "skills": sorted((s.skill for s in p.skills if s.experience_backed), key=str.lower),
            "years": {s.skill: s.years for s in p.skills if s.experience_backed},
            "total_years": p.total_years,
            "listed": sorted((s.skill for s in p.skills if s.listed), key=str.lower),
            "education_level": first.level if first else None, "education_field": first.field if first else None,
            "institution": first.institution if first else None, "certifications": sorted(p.certifications),
        }}

    def score(self, expected: Mapping[str, Any], outcome: Mapping[str, Any] | None) -> dict[str, Score]:
        return parse_scores(expected, outcome)
