"""HR: resume parsing and blind candidate ranking, fair by construction and measured.

Resumes are redacted at ingest (`redact.BlindRedactor`: names, contact details, gender markers,
age and graduation years, nationality, marital status, photo lines), parsed, and scored against
a job's requirements by deterministic code with a per-requirement breakdown and evidence chunk
ids; an LLM tier adds a sentence that may only cite that breakdown.
"""
from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, Field

from rightsized.domains.base import Corpus, Domain
from rightsized.domains.bench import Benchmark
from rightsized.domains.hr_resume.redact import BlindRedactor
from rightsized.domains.hr_resume.skills_task import SkillsTask
from rightsized.domains.hr_resume.task import ParseTask, RankTask
from rightsized.domains.privacy import Redactor


class HrConfig(BaseModel):
    vanetik_dir: Path | None = Field(None, description=(
        "Folder of the Vanetik & Kogan (2023) vacancy-resume dataset (GPL-3.0; read there, never copied)."))
    green_dir: Path | None = Field(None, description="Folder of the Green et al. (2022) skill-span test set (CC BY 4.0).")


class HrDomain(Domain):
    name = "hr_resume"
    description = "Resume parsing and blind candidate ranking with per-requirement evidence and fairness checks."
    doc_types = ("resume", "job_description")
    sensitive = True
    # Only blind text may leave the machine (the default policy, stated): names and protected
    # attributes are removed before any prompt reaches an external tier.
    external_policy = "redacted"
    config_model = HrConfig
    report_by = ("annotator_1", "annotator_2")
    tasks = (RankTask(), ParseTask(), SkillsTask())

    def build_corpus(self, out_dir: Path, *, n: int = 16, seed: int = 7) -> Corpus:
        from rightsized.domains.hr_resume.corpus import build_corpus

        return build_corpus(out_dir, n=n, seed=seed)

    def real_corpus(self, out_dir: Path, config: BaseModel | None = None) -> Corpus:
        from rightsized.domains.hr_resume.real import build_real_corpus

        return build_real_corpus(out_dir, config)

    def benchmarks(self) -> list[Benchmark]:
        from rightsized.domains.hr_resume.speed import rank_benchmark

        return [Benchmark("rank_500", "Rank 500 generated resumes (PDF and text) against one job, end to end, "
                          "vs a raw sentence-transformers encode of the same chunks; then rank them again",
                          lambda workspace, tier: rank_benchmark(self, workspace, tier))]

    def redactor(self, config: BaseModel | None) -> Redactor | None:
        return BlindRedactor()


domain = HrDomain()
