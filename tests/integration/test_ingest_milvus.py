"""Ingest and retrieval on a real Milvus Lite file with the real MiniLM and wordllama embedders."""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from rightsized.ingest.pipeline import IngestPipeline
from rightsized.pipelines.config import RetrievalConfig, SentenceTransformerEmbedderConfig, WordLlamaEmbedderConfig
from rightsized.pipelines.documents import MAX_CHUNK_BYTES
from rightsized.pipelines.embedders import build_embedder
from rightsized.pipelines.errors import BackendError
from rightsized.pipelines.retrieval import Retriever
from rightsized.pipelines.stores.base import DOC_CHUNKS, collection_name
from rightsized.pipelines.stores.milvus import MilvusStore

pytestmark = [pytest.mark.integration]

NOTES = {
    "plant_a/pump_manual.txt": "Centrifugal pump P-101. Bearing temperature above 85 C indicates lubrication failure. "
                               "Replace the bearing grease every 2000 hours.",
    "plant_a/valve_log.md": "Valve V-7 leaked at the flange gasket on 3 May; gasket replaced and torque checked.",
    "plant_b/motor_notes.txt": "Motor M-3 vibration rose to 7 mm/s; misalignment suspected between motor and gearbox.",
    "plant_b/records.jsonl": '{"asset": "C-2", "note": "compressor tripped on high discharge pressure"}\n',
}


@pytest.fixture(scope="module")
def minilm():  # noqa: ANN201
    embedder = build_embedder(SentenceTransformerEmbedderConfig())
    embedder.warm_up()
    return embedder


def _write(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)


def _store(tmp_path: Path, embedder) -> MilvusStore:  # noqa: ANN001
    store = MilvusStore(uri=tmp_path / "milvus.db", collection=collection_name("test", embedder.embedder_id),
                        dimension=embedder.dimension)
    store.warm_up()
    return store


def test_idempotent_upsert_replace_and_delete(tmp_path: Path, minilm) -> None:  # noqa: ANN001
    docs = tmp_path / "docs"
    _write(docs, NOTES)
    store = _store(tmp_path, minilm)
    pipeline = IngestPipeline(store, minilm, domain="test")
    first = pipeline.run([docs], namespace="site")
    assert first.ok and first.files_ingested == 4 and first.chunks_added == store.count() == 4

    again = pipeline.run([docs], namespace="site")
    assert (again.files_unchanged, again.chunks_added, store.count()) == (4, 0, 4)

    (docs / "plant_a/valve_log.md").write_text("Valve V-7 replaced entirely on 9 June after a second leak.")
    changed = pipeline.run([docs], namespace="site")
    assert (changed.files_ingested, changed.chunks_deleted, changed.chunks_added) == (1, 1, 1)
    assert store.count() == 4  # replaced, no orphan
    texts = [h.text for h in store.search_text("valve", k=5)]
    assert any("9 June" in t for t in texts) and not any("3 May" in t for t in texts)

    assert store.delete_document("site/plant_b/motor_notes.txt") == 1
    store.flush()
    assert store.count() == 3
    store.close()

    reopened = _store(tmp_path, minilm)  # the Lite file persists across clients
    assert reopened.count() == 3
    reopened.close()


def test_dense_sparse_hybrid_and_filters(tmp_path: Path, minilm) -> None:  # noqa: ANN001
    docs = tmp_path / "docs"
    _write(docs, NOTES)
    store = _store(tmp_path, minilm)
    IngestPipeline(store, minilm, domain="test").run([docs], namespace="site")
    for mode in ("dense", "sparse", "hybrid"):
        retriever = Retriever(store, minilm, RetrievalConfig(k=2, mode=mode))
        top = retriever.retrieve("bearing overheating and lubrication")[0]
        assert top.metadata["doc_id"] == "site/plant_a/pump_manual.txt", mode
    retriever = Retriever(store, minilm, RetrievalConfig(k=5, mode="hybrid"))
    only_b = retriever.retrieve("bearing temperature", filters={"group": "site/plant_b"})
    assert only_b and {h.metadata["group"] for h in only_b} == {"site/plant_b"}
    record = retriever.retrieve("compressor discharge pressure", filters={"doc_id": "site/plant_b/records.jsonl"})
    assert record[0].metadata["page"] == 1  # record number
    store.close()


def test_batch_with_bad_files_keeps_the_good_ones(tmp_path: Path, minilm, make_bad_files) -> None:  # noqa: ANN001
    docs = tmp_path / "docs"
    _write(docs, NOTES)
    expected = make_bad_files(docs / "bad")
    store = _store(tmp_path, minilm)
    report = IngestPipeline(store, minilm, domain="test").run([docs], namespace="site")
    assert not report.ok
    assert {e.path.name for e in report.errors} == set(expected)
    assert report.files_ingested == 4 and store.count() == 4
    store.close()


def test_wordllama_embedder_end_to_end(tmp_path: Path) -> None:
    embedder = build_embedder(WordLlamaEmbedderConfig())
    embedder.warm_up()
    vectors = embedder.embed(["pump bearing", "valve gasket"])
    assert vectors.shape == (2, 256)
    assert abs(float((vectors[0] ** 2).sum()) - 1.0) < 1e-5
    docs = tmp_path / "docs"
    _write(docs, NOTES)
    store = _store(tmp_path, embedder)
    IngestPipeline(store, embedder, domain="test").run([docs], namespace="site")
    hits = Retriever(store, embedder, RetrievalConfig(k=1, mode="dense")).retrieve("gasket leak on valve")
    assert hits[0].metadata["doc_id"] == "site/plant_a/valve_log.md"
    store.close()


def test_text_over_the_store_limit_is_split_never_truncated(tmp_path: Path) -> None:
    """A 49 MiB one-record file was stored cut to Milvus' 65,535-byte VARCHAR without a word."""
    embedder = build_embedder(WordLlamaEmbedderConfig())
    giant = "日本語" * 40_000 + "x" * 70_000 + " then a short sentence."  # 430 KB, one "word" and a tail
    docs = tmp_path / "docs"
    _write(docs, {"blob.txt": giant, "plant_b/motor_notes.txt": NOTES["plant_b/motor_notes.txt"]})
    store = _store(tmp_path, embedder)
    report = IngestPipeline(store, embedder, domain="test").run([docs], namespace="site")
    assert report.ok and report.files_ingested == 2
    stored = sorted((r for batch in store.iter_records() for r in batch if r.doc_id == "site/blob.txt"),
                    key=lambda r: r.position)
    assert len(stored) == -(-len(giant.encode()) // MAX_CHUNK_BYTES)
    assert "".join(r.text for r in stored) == giant  # every byte, in order
    assert {r.meta[DOC_CHUNKS] for r in stored} == {len(stored)}

    too_long = replace(stored[0], id="over", text="x" * 70_000)
    with pytest.raises(BackendError, match="70,000 bytes is over Milvus collection .* limit of 65,535 bytes"):
        store.upsert([too_long])
    assert store.fetch(["over"]) == {}
    store.close()
