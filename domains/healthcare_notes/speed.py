"""`rightsized bench domain healthcare_notes deid`: de-identification speed against embedding.

Method: build the sample corpus (60 cases: 30 patients, 90 notes), load every note as ingest
does (pypdf for the PDFs), warm the redactor and the embedder, then time (a) the redactor over
every note, with the NER layer and with rules only, and (b) the tier's embedder over the redacted
notes' chunks (the same chunking as ingest). Reported: notes/s, and the share de-identification
would take of "redact + embed", the two costs the ingest path adds per note. The whole ingest
path is measured by `rightsized bench ingest --domain healthcare_notes` (same corpus, with store
writes).
"""
from __future__ import annotations

import tempfile
import time
from pathlib import Path
from typing import Any

from rightsized.domains.bench import Benchmark
from rightsized.ingest.chunking import chunk_document
from rightsized.ingest.loaders import load_document
from rightsized.pipelines.documents import Document, Section
from rightsized.pipelines.runtime import Workspace

CASES = 60


def _timed(fn: Any, items: list[Any]) -> tuple[float, list[Any]]:
    started = time.perf_counter()
    out = [fn(item) for item in items]
    return time.perf_counter() - started, out


def run_deid_benchmark(workspace: Workspace, tier: str) -> dict[str, Any]:
    from rightsized.domains.healthcare_notes import HealthcareConfig, domain
    from rightsized.domains.healthcare_notes.redactor import PhiRedactor

    config = domain.configure(workspace.settings.domains.get(domain.name)) or HealthcareConfig()
    redactor = PhiRedactor(ner_model=config.ner_model, date_mode=config.date_mode)
    rules_only = PhiRedactor(ner_model=None, date_mode=config.date_mode)
    embedder = workspace.embedder(tier)
    with tempfile.TemporaryDirectory(prefix="rs-hc-bench-") as tmp:
        corpus = domain.build_corpus(Path(tmp), n=CASES, seed=11)
        paths = sorted(p for p in corpus.root.rglob("*") if p.is_file())
        notes = [load_document(p, corpus.root) for p in paths]
    texts = ["\n".join(s.text for s in note.sections) for note in notes]
    for r in (redactor, rules_only):
        r.warm_up()
        r.redact(texts[0], key="warm")
    ner_s, redacted = _timed(lambda t: redactor.redact(t, key="bench").text, texts)
    rules_s, _ = _timed(lambda t: rules_only.redact(t, key="bench").text, texts)
    chunks = [c.text for i, text in enumerate(redacted) for c in chunk_document(
        Document(f"bench/{i}", "bench", (Section(text, 1),), {}), embedder_id=embedder.embedder_id,
        chunk_size=workspace.settings.ingest.chunk_size, chunk_overlap=workspace.settings.ingest.chunk_overlap)]
    embedder.embed(chunks[:16])
    encode_s, _ = _timed(lambda batch: embedder.embed(batch), [chunks])
    words = sum(len(t.split()) for t in texts)
    return {
        "notes": len(texts), "words_per_note": round(words / len(texts)), "chunks": len(chunks),
        "deid_notes_per_s": round(len(texts) / ner_s, 1), "deid_rules_only_notes_per_s": round(len(texts) / rules_s, 1),
        "encode_notes_per_s": round(len(texts) / encode_s, 1),
        "deid_share_of_redact_plus_encode": round(ner_s / (ner_s + encode_s), 3),
        "redact_plus_encode_over_encode_speed": round(encode_s / (ner_s + encode_s), 3),
        "rules_only_redact_plus_encode_over_encode_speed": round(encode_s / (rules_s + encode_s), 3),
    }


def deid_benchmark() -> Benchmark:
    return Benchmark("deid", "De-identification notes/s and its share of redact + embed, vs the raw encode "
                     "of the same chunks (sample corpus, 90 notes).", run_deid_benchmark)
