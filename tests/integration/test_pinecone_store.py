"""Pinecone adapter specifics: retries, credentials, index resolution, filter translation.

MOCK AT THE HTTP BOUNDARY: the real `pinecone` SDK talks to FakePinecone, an in-test server
following Pinecone's published REST API, because no Pinecone service is reachable here.
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from rightsized.ingest.pipeline import IngestPipeline
from rightsized.pipelines.config import PineconeStoreConfig
from rightsized.pipelines.documents import MAX_CHUNK_BYTES
from rightsized.pipelines.errors import BackendError
from rightsized.pipelines.stores.pinecone import PineconeStore, pinecone_filter
from tests.fakes.pinecone_api import FakePinecone
from tests.integration.test_crash_safe_ingest import HashEmbedder
from tests.integration.test_store_backends import DIM, corpus

pytestmark = pytest.mark.integration


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakePinecone]:
    monkeypatch.setenv("PINECONE_API_KEY", "test-key")
    with FakePinecone(dimension=DIM) as server:
        yield server


def _store(fake: FakePinecone, **options: object) -> PineconeStore:
    config = PineconeStoreConfig(host=fake.url, backoff_s=0.0, **options)  # type: ignore[arg-type]
    store = PineconeStore(config, namespace="rs_test_st", dimension=DIM)
    store.warm_up()
    return store


def test_filters_translate_to_pinecone_language() -> None:
    assert pinecone_filter(None) is None
    assert pinecone_filter({"doc_type": "log"}) == {"doc_type": {"$eq": "log"}}
    assert pinecone_filter({"doc_type": "log", "group": ["a", "b"]}) == {
        "$and": [{"doc_type": {"$eq": "log"}}, {"group": {"$in": ["a", "b"]}}]}
    with pytest.raises(BackendError, match="invalid filter key"):
        pinecone_filter({"a b": 1})


def test_upserts_are_batched_and_namespaced(fake: FakePinecone) -> None:
    store = _store(fake, upsert_batch_size=25)
    store.upsert(corpus())
    upserts = [r for r in fake.requests if r == ("POST", "/vectors/upsert")]
    assert len(upserts) >= 120 / 25  # chunk batches (plus the statistics namespace's own)
    assert len(fake.namespaces["rs_test_st"]) == 120
    assert fake.namespaces["rs_test_st__bm25"]  # statistics live with the index


def test_sustained_throttling_is_retried_beyond_the_sdk(fake: FakePinecone) -> None:
    store = _store(fake, max_retries=3)
    fake.fail_next(6, 429, path="/query", retry_after=0)  # the SDK alone gives up after 4 tries
    assert store.search_dense(corpus(1)[0].vector, k=1) == []  # empty namespace, but answered
    assert fake.requests.count(("POST", "/query")) == 7


def test_failures_after_all_retries_name_the_call(fake: FakePinecone) -> None:
    store = _store(fake, max_retries=1)
    fake.fail_next(8, 503, path="/query", retry_after=0)
    with pytest.raises(BackendError, match=r"Pinecone query at http://127\.0\.0\.1:\d+ still failing after 2 tries: 503"):
        store.search_dense(corpus(1)[0].vector, k=1)


def test_api_key_only_from_env_and_never_in_errors(fake: FakePinecone, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PINECONE_API_KEY")
    with pytest.raises(BackendError, match=r"API key in \$PINECONE_API_KEY"):
        _store(fake)
    monkeypatch.setenv("PINECONE_API_KEY", "wrong-secret-value")
    with pytest.raises(BackendError) as info:
        _store(fake)
    assert "401" in str(info.value) and "wrong-secret-value" not in str(info.value)


def test_index_resolved_by_name_and_created_when_asked(fake: FakePinecone) -> None:
    config = PineconeStoreConfig(index_name="kyc", control_plane_host=fake.url, backoff_s=0.0)
    with pytest.raises(BackendError, match="index 'kyc' does not exist"):
        PineconeStore(config, namespace="ns", dimension=DIM).warm_up()
    created = PineconeStore(config.model_copy(update={"create_if_missing": True}), namespace="ns", dimension=DIM)
    created.warm_up()
    created.upsert(corpus(6))
    assert created.count() == 6
    assert ("POST", "/indexes") in fake.requests


def test_dimension_mismatch_is_refused_at_warm_up(fake: FakePinecone) -> None:
    _store(fake).upsert(corpus(3))
    with pytest.raises(BackendError, match=f"dimension {DIM}, the embedder makes 384"):
        PineconeStore(PineconeStoreConfig(host=fake.url), namespace="other", dimension=384).warm_up()


def test_a_text_over_the_limit_is_refused_never_truncated(fake: FakePinecone) -> None:
    store = _store(fake)
    record = replace(corpus(1)[0], text="x" * 40_000)
    with pytest.raises(BackendError, match="text of 40,000 bytes is over Pinecone namespace 'rs_test_st''s limit of 12,000"):
        store.upsert([record])
    assert not fake.namespaces.get("rs_test_st")  # nothing written, not a cut copy
    widest = replace(record, text="é" * (MAX_CHUNK_BYTES // 2))  # escaped as \u00e9 in JSON: 3x its UTF-8 size
    store.upsert([widest])
    assert store.fetch([widest.id])[widest.id].text == widest.text


def test_ingested_giant_word_is_stored_whole_across_chunks(fake: FakePinecone, tmp_path: Path) -> None:
    giant = "😀" * 10_000 + "b" * 30_000 + " and a short tail."  # 70 KB, one "word"
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "blob.txt").write_text(giant)
    store = _store(fake)
    report = IngestPipeline(store, HashEmbedder(), domain="test").run([tmp_path / "docs"], namespace="site")
    assert report.ok and report.chunks_added > 1
    stored = sorted((r for batch in store.iter_records() for r in batch), key=lambda r: r.position)
    assert "".join(r.text for r in stored) == giant
    assert store.document_hashes(["site/blob.txt"]) == {"site/blob.txt": stored[0].content_hash}
