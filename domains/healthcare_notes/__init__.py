"""Healthcare: clinical note summaries and grounded Q&A, with PHI that never leaks.

Every note is de-identified (HIPAA Safe Harbor identifiers, `redactor.PhiRedactor`, built on
Microsoft Presidio) before it is chunked, embedded or stored, and before any prompt reaches a tier
marked `external`. Tasks: `summarize` (default), `ask`, `deidentify` (the tool on its own), and
for the real suite `search` (MTSamples retrieval) and `draft_section` (MTS-Dialog).
"""
from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel

from rightsized.domains.base import Corpus, Domain, Resource
from rightsized.domains.bench import Benchmark
from rightsized.domains.healthcare_notes.ask import AskTask
from rightsized.domains.healthcare_notes.deidentify import DeidentifyTask
from rightsized.domains.healthcare_notes.draft import DraftSectionTask
from rightsized.domains.healthcare_notes.notes import NOTE_KINDS
from rightsized.domains.healthcare_notes.search import SearchTask
from rightsized.domains.healthcare_notes.secret import shift_secret
from rightsized.domains.healthcare_notes.settings import HealthcareConfig
from rightsized.domains.healthcare_notes.summarize import SummarizeTask
from rightsized.domains.privacy import Redactor


@cache
def _redactor(ner_model: str | None, date_mode: Literal["shift", "year"], secret: bytes) -> Redactor:
    from rightsized.domains.healthcare_notes.redactor import PhiRedactor

    return PhiRedactor(ner_model=ner_model, date_mode=date_mode, secret=secret)


def classify_note(path: Path) -> str:
    name = path.stem.lower()
    return next((kind for kind in NOTE_KINDS if kind in name), "note")


class HealthcareDomain(Domain):
    name = "healthcare_notes"
    description = "Clinical notes: de-identified at ingest; structured summaries and grounded Q&A with citations."
    doc_types = NOTE_KINDS
    sensitive = True
    # Only redacted text may reach a tier marked external (the de-identified prompt is sent).
    external_policy = "redacted"
    config_model = HealthcareConfig
    tasks = (SummarizeTask(), AskTask(), DeidentifyTask(), SearchTask(), DraftSectionTask())

    def redactor(self, config: BaseModel | None) -> Redactor | None:
        settings = config if isinstance(config, HealthcareConfig) else HealthcareConfig()
        return _redactor(settings.ner_model, settings.date_mode,
                         shift_secret(settings.shift_secret_env, settings.shift_secret_file))

    def resources(self, config: BaseModel | None) -> list[Resource]:
        settings = config if isinstance(config, HealthcareConfig) else HealthcareConfig()
        redactor = self.redactor(settings)
        return [Resource("PHI redactor", facts={"fingerprint": redactor.fingerprint if redactor else None,
                                                "ner_model": settings.ner_model, "date_mode": settings.date_mode})]

    def build_corpus(self, out_dir: Path, *, n: int = 16, seed: int = 7) -> Corpus:
        from rightsized.domains.healthcare_notes.corpus import build_corpus

        return build_corpus(out_dir, n=n, seed=seed)

    def real_corpus(self, out_dir: Path, config: BaseModel | None = None) -> Corpus:
        from rightsized.domains.healthcare_notes.real import build_real_corpus

        return build_real_corpus(out_dir, config if isinstance(config, HealthcareConfig) else HealthcareConfig())

    def benchmarks(self) -> list[Benchmark]:
        from rightsized.domains.healthcare_notes.speed import deid_benchmark

        return [deid_benchmark()]

    def metadata(self, path: Path, root: Path) -> dict[str, Any]:
        return {"doc_type": classify_note(path)}


domain = HealthcareDomain()
