"""`rightsized bench ingest`: the whole ingest path as a ratio of a raw encode, same run.

Method: write synthetic text documents, chunk them once to get the exact chunk texts, then
time (a) `SentenceTransformer.encode(chunks)` with its defaults, (b) the whole path (load,
chunk, embed, upsert into a fresh Milvus Lite collection, flush), (c) the raw encode again.
The ratio is path chunks/s over the mean of the two raw runs, so drift in the machine between
runs is shared. The model is loaded and warmed before any timing.

With `domain`, the documents are that domain's own sample corpus and the path includes the
domain's redactor (de-identification, blind screening): its time is reported as documents/s and
as a share of the whole path, and the raw encode is of the same (redacted, sectioned) chunks.
"""
from __future__ import annotations

import random
import resource
import tempfile
import time
from pathlib import Path
from typing import Any

from rightsized.domains.base import Corpus, Domain
from rightsized.domains.inputs import file_specs
from rightsized.domains.runner import DomainSetup
from rightsized.ingest.chunking import chunk_document
from rightsized.ingest.loaders import iter_input_files, load_document
from rightsized.ingest.pipeline import IngestPipeline, prepared
from rightsized.pipelines.config import Settings
from rightsized.pipelines.embedders import build_embedder
from rightsized.pipelines.embedders.sentence_transformer import SentenceTransformerEmbedder
from rightsized.pipelines.errors import ConfigError
from rightsized.pipelines.privacy import Redaction, Redactor
from rightsized.pipelines.stores.milvus import MilvusStore

_WORDS = ("account address agent balance bank bearing branch check claim client compliance "
          "customer date document engine evidence failure invoice issue maintenance manual "
          "motor name note order passport patient policy price pump record report review risk "
          "sensor service statement store supplier system temperature transaction valve vibration").split()


def _write_docs(folder: Path, docs: int, words: int, seed: int = 11) -> list[Path]:
    rng = random.Random(seed)
    paths = []
    for i in range(docs):
        sentences = []
        for _ in range(words // 12):
            sentence = " ".join(rng.choice(_WORDS) for _ in range(12))
            sentences.append(sentence.capitalize() + ".")
        path = folder / f"doc_{i:04d}.txt"
        path.write_text(" ".join(sentences))
        paths.append(path)
    return paths


class _TimedRedactor:
    """A redactor that adds up the seconds spent in it (the share of the path it costs)."""

    def __init__(self, inner: Redactor) -> None:
        self.inner = inner
        self.seconds = 0.0
        self.calls = 0

    @property
    def fingerprint(self) -> str:
        return self.inner.fingerprint

    def redact(self, text: str, *, key: str) -> Redaction:
        started = time.perf_counter()
        try:
            return self.inner.redact(text, key=key)
        finally:
            self.seconds += time.perf_counter() - started
            self.calls += 1


def _ingested_files(domain: Domain, corpus: Corpus) -> list[Path]:
    """The files of a corpus its tasks ingest (`documents(...)` inputs of its gold cases): tables a
    task reads itself are never embedded, so they are no part of the ingest path."""
    inputs = {corpus.root / case.input[name] for case in corpus.gold
              for name, spec in file_specs(domain.task(case.task).input_model).items()
              if spec.ingest and case.input.get(name) is not None}
    files = sorted({file for file, _ in iter_input_files(sorted(inputs), corpus.root)})
    if not files:
        raise ConfigError(f"domain '{domain.name}': its sample corpus has no documents its tasks ingest")
    return files


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def bench_ingest(settings: Settings, *, docs: int = 300, words: int = 800,
                 domain: Domain | None = None) -> dict[str, Any]:
    tier = settings.tier(settings.default_tier)
    embedder = build_embedder(tier.embedder)
    if not isinstance(embedder, SentenceTransformerEmbedder):
        raise ConfigError("bench ingest compares against sentence-transformers: use an ST embedder tier")
    embedder.warm_up()
    model = embedder.model
    rss_after_load = _peak_rss_mb()
    with tempfile.TemporaryDirectory(prefix="rs-bench-") as tmp:
        setup = DomainSetup.of(domain, settings) if domain else DomainSetup(None, None, None)
        redactor, sectioner = setup.redactor, setup.sectioner
        if domain is None:
            folder = Path(tmp) / "docs"
            folder.mkdir()
            paths = _write_docs(folder, docs, words)
        else:
            corpus = domain.build_corpus(Path(tmp) / "corpus", n=docs, seed=11)
            folder, paths = corpus.root, _ingested_files(domain, corpus)
        chunks = [c.text for p in paths for c in chunk_document(
            prepared(load_document(p, folder), redactor, sectioner), embedder_id=embedder.embedder_id,
            chunk_size=settings.ingest.chunk_size, chunk_overlap=settings.ingest.chunk_overlap)]
        if not chunks:  # every rate below divides by the chunk count
            raise ConfigError(f"--docs {docs} --words {words}: no text to chunk; use at least 1 document of 12 words")
        model.encode(chunks[:64])  # warm kernels outside the timed region

        def raw() -> float:
            started = time.perf_counter()
            model.encode(chunks)
            return time.perf_counter() - started

        raw_first = raw()
        store = MilvusStore(uri=Path(tmp) / "milvus.db", collection="bench", dimension=embedder.dimension)
        store.warm_up()
        timed = _TimedRedactor(redactor) if redactor is not None else None
        pipeline = IngestPipeline(store, embedder, domain=domain.name if domain else "bench",
                                  chunk_size=settings.ingest.chunk_size,
                                  chunk_overlap=settings.ingest.chunk_overlap, redactor=timed, sectioner=sectioner)
        started = time.perf_counter()
        report = pipeline.run(paths, root=folder)
        path_seconds = time.perf_counter() - started
        stored = store.count()
        store.close()
        raw_second = raw()
    raw_seconds = (raw_first + raw_second) / 2
    redaction = {} if timed is None else {
        "redaction_s": float(f"{timed.seconds:.3g}"),
        "redaction_docs_per_s": round(report.files_ingested / timed.seconds, 1) if timed.seconds else None,
        "redaction_share_of_path": float(f"{timed.seconds / path_seconds:.3g}"),  # 3 significant digits: often << 1%
    }
    return {
        "corpus": f"{domain.name} sample corpus" if domain else "synthetic text",
        "documents": report.files_ingested,
        "files_failed": len(report.errors),
        "chunks": len(chunks),
        "chunks_stored": stored,
        "raw_encode_chunks_per_s": round(len(chunks) / raw_seconds, 1),
        "raw_encode_runs_s": [round(raw_first, 2), round(raw_second, 2)],
        "whole_path_chunks_per_s": round(report.chunks_added / path_seconds, 1),
        "whole_path_s": round(path_seconds, 2),
        "ratio_path_over_raw": round((report.chunks_added / path_seconds) / (len(chunks) / raw_seconds), 3),
        "peak_rss_mb_after_model_load": round(rss_after_load, 1),
        "peak_rss_mb": round(_peak_rss_mb(), 1),
        **redaction,
    }
