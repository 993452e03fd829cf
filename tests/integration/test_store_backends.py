"""One behavioural contract, run on every store backend.

Backends: Milvus Lite with its BM25 function (the reference), Milvus Lite with client-side BM25,
a real Milvus 2.3.5 server (no BM25 function: client-side path), current Milvus 2.5 in a
container where Docker runs, and Pinecone — the real SDK against FakePinecone, an in-test HTTP
server following Pinecone's published API (no Pinecone service is reachable here). Text search
must rank like the Lite reference on the same corpus.
"""
from __future__ import annotations

import os
import random
import uuid
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from rightsized.pipelines.config import MilvusLiteStoreConfig, MilvusServerStoreConfig, PineconeStoreConfig
from rightsized.pipelines.documents import doc_prefix
from rightsized.pipelines.errors import BackendError
from rightsized.pipelines.stores.base import Record, VectorStore
from rightsized.pipelines.stores.milvus import MilvusStore
from rightsized.pipelines.stores.pinecone import PineconeStore
from tests.fakes.pinecone_api import FakePinecone

pytestmark = pytest.mark.integration

DIM = 16
WORDS = ("valve pump leak bearing vibration seal motor gearbox alarm temperature pressure coolant "
         "filter spindle belt torque sensor inspection overhaul lubrication").split()
def cid(i: int) -> str:
    return doc_prefix(f"plant/doc{i // 3}.txt") + f"c{i:04d}"


QUERIES = ["valve leak", "bearing vibration alarm", "coolant pressure pressure", "spindle", "torque sensor belt",
           "seal overhaul inspection motor"]


def corpus(n: int = 120, seed: int = 3) -> list[Record]:
    rng = random.Random(seed)
    vectors = np.random.default_rng(seed).normal(size=(n, DIM)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    records = []
    for i in range(n):
        words = [WORDS[min(int(rng.paretovariate(0.9)) - 1, len(WORDS) - 1)] for _ in range(rng.randint(4, 40))]
        records.append(Record(
            id=cid(i), text=" ".join(words), vector=vectors[i].tolist(), doc_id=f"plant/doc{i // 3}.txt",
            content_hash=f"h{i // 3}", source=f"/data/plant/doc{i // 3}.txt", domain="test",
            doc_type=("log", "manual", "ticket")[i % 3], group="plant", page=1 + i % 2, position=i % 3,
            meta={"site": ("north", "south")[i % 2]},
        ))
    return records


def _lite(tmp: Path, bm25_mode: str) -> MilvusStore:
    return MilvusStore(uri=tmp / "lite.db", collection=f"t_{uuid.uuid4().hex[:8]}", dimension=DIM,
                       config=MilvusLiteStoreConfig(bm25=bm25_mode))  # type: ignore[arg-type]


@pytest.fixture(params=["lite", "lite-client-bm25", "milvus-2.3.5",
                        pytest.param("milvus-2.5", marks=pytest.mark.docker), "pinecone-fake-api"])
def store(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[VectorStore]:
    kind = request.param
    if kind == "pinecone-fake-api":
        monkeypatch.setenv("PINECONE_API_KEY", "test-key")
        with FakePinecone(dimension=DIM) as fake:
            pinecone = PineconeStore(PineconeStoreConfig(host=fake.url, backoff_s=0.0),
                                     namespace="rs_test_st", dimension=DIM)
            pinecone.warm_up()
            yield pinecone
            pinecone.close()
        return
    if kind == "lite":
        made = _lite(tmp_path, "auto")
    elif kind == "lite-client-bm25":
        made = _lite(tmp_path, "client")
    else:
        uri = request.getfixturevalue("milvus_server" if kind == "milvus-2.3.5" else "milvus_container")
        made = MilvusStore.for_server(MilvusServerStoreConfig(uri=uri, insert_batch_size=50),
                                      collection=f"t_{uuid.uuid4().hex[:8]}", dimension=DIM)
    made.warm_up()
    yield made
    made.drop()
    made.close()


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MilvusStore]:
    made = _lite(tmp_path_factory.mktemp("reference"), "server")
    made.warm_up()
    made.upsert(corpus())
    made.flush()
    yield made
    made.close()


def test_writes_counts_filters_and_dense_search(store: VectorStore) -> None:
    records = corpus()
    assert store.upsert(records) == len(records)
    store.flush()
    assert store.count() == 120
    assert store.count({"doc_id": "plant/doc4.txt"}) == 3
    if isinstance(store, PineconeStore):
        with pytest.raises(BackendError, match="cannot count by metadata filter"):
            store.count({"doc_type": "log"})
    else:
        assert store.count({"doc_type": "log"}) == 40
        assert store.count({"site": "north", "doc_type": ["log", "manual"]}) == 40
    assert store.document_hashes(["plant/doc0.txt", "plant/doc5.txt", "nope"]) == {
        "plant/doc0.txt": "h0", "plant/doc5.txt": "h5"}
    hit = store.search_dense(np.array(records[7].vector), k=3)[0]
    assert (hit.chunk_id, hit.text, hit.metadata["site"], hit.metadata["page"]) == (cid(7), records[7].text, "south", 2)
    assert hit.score == pytest.approx(1.0, abs=1e-4)
    filtered = store.search_dense(np.array(records[7].vector), k=10, filters={"site": "north"})
    assert filtered and all(h.metadata["site"] == "north" for h in filtered)


def test_text_search_ranks_like_milvus_lite_bm25(store: VectorStore, reference: MilvusStore) -> None:
    store.upsert(corpus())
    store.flush()
    for query in QUERIES:
        want = reference.search_text(query, k=10)
        got = store.search_text(query, k=10)
        # Same formula, but Milvus' length normalisation uses its internal segment statistics:
        # scores differ by a few percent and near-ties may swap (measured: 9-10 of 10 shared).
        assert got[0].chunk_id == want[0].chunk_id, query
        assert len({h.chunk_id for h in got} & {h.chunk_id for h in want}) >= 9, query
        assert got[0].score == pytest.approx(want[0].score, rel=0.1)
    manual = store.search_text("valve leak", k=10, filters={"doc_type": "manual"})
    assert manual and all(h.metadata["doc_type"] == "manual" for h in manual)
    assert store.search_text("   ", k=5) == [] and store.search_text("zzzz", k=5) == []


def test_delete_reupsert_and_export(store: VectorStore) -> None:
    records = corpus()
    store.upsert(records)
    store.upsert(records[:30])  # the same ids again: no duplicates, statistics unchanged
    store.flush()
    before = [h.chunk_id for h in store.search_text("coolant pressure", k=10)]
    assert store.delete_document("plant/doc0.txt") == 3
    assert store.delete_document("plant/doc0.txt") == 0
    store.flush()
    assert store.count() == 117
    after = [h.chunk_id for h in store.search_text("coolant pressure", k=10)]
    assert [c for c in before if c not in {cid(0), cid(1), cid(2)}][:5] == after[:5]
    exported = [r for batch in store.iter_records(batch_size=40) for r in batch]
    assert sorted(r.id for r in exported) == sorted(r.id for r in records[3:])
    fetched = store.fetch([cid(10), cid(0)])
    assert list(fetched) == [cid(10)]
    original = records[10]
    assert fetched[cid(10)].meta == original.meta and fetched[cid(10)].scalars() == original.scalars()
    assert fetched[cid(10)].text == original.text
    assert np.allclose(fetched[cid(10)].vector, original.vector, atol=1e-6)


def test_client_statistics_survive_reupsert_and_delete(tmp_path: Path, reference: MilvusStore) -> None:
    """After replacing and deleting, the side collection holds exactly a fresh index's counts."""
    churned = _lite(tmp_path, "client")
    churned.warm_up()
    records = corpus()
    churned.upsert(records)
    churned.upsert(records[:50])
    for doc in ("plant/doc1.txt", "plant/doc2.txt"):
        churned.delete_document(doc)
    fresh = _lite(tmp_path, "client")
    fresh._client = churned.client
    fresh._open_collection()
    fresh.upsert([r for r in records if r.doc_id not in {"plant/doc1.txt", "plant/doc2.txt"}])
    terms = [w for w in WORDS]
    assert churned._stats.lookup(terms) == fresh._stats.lookup(terms)  # type: ignore[union-attr]


def test_server_bm25_requested_on_a_2_3_server_is_a_clear_error(milvus_server: str) -> None:
    config = MilvusServerStoreConfig(uri=milvus_server, bm25="server")
    store = MilvusStore.for_server(config, collection=f"t_{uuid.uuid4().hex[:8]}", dimension=DIM)
    with pytest.raises(BackendError, match=r"v2\.3\.5.*no BM25 function.*'client' or 'auto'"):
        store.warm_up()


def test_batches_stay_under_the_byte_limit(tmp_path: Path) -> None:
    store = MilvusStore(uri=tmp_path / "lite.db", collection="b", dimension=DIM,
                        config=MilvusLiteStoreConfig(max_batch_mb=0.002))  # ~2 KB: a record or two per call
    store.warm_up()
    sent: list[int] = []
    real_upsert = store.client.upsert
    store.client.upsert = lambda name, rows: (sent.append(len(rows)), real_upsert(name, rows))[1]  # type: ignore[method-assign]
    store.upsert(corpus(30))
    store.flush()
    assert store.count() == 30 and len(sent) >= 10 and max(sent) <= 3


def test_a_second_local_2_3_5_server_explains_why_it_cannot_start(milvus_server: str, tmp_path: Path) -> None:
    from rightsized.pipelines.stores.local_server import LocalMilvusServer

    with pytest.raises(BackendError, match="port 2380, which is taken: only one Milvus 2.3.5"):
        LocalMilvusServer(tmp_path / "second").start()


def test_server_credentials_come_from_the_environment_and_stay_out_of_errors(
    milvus_server: str, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The session's server has authentication on (user root, a random password in the token)."""
    password = os.environ["RIGHTSIZED_MILVUS_TOKEN"].removeprefix("root:")
    monkeypatch.delenv("RIGHTSIZED_MILVUS_TOKEN")
    name = f"t_{uuid.uuid4().hex[:8]}"
    with pytest.raises(BackendError, match=f"cannot open Milvus at {milvus_server}"):
        MilvusStore.for_server(MilvusServerStoreConfig(uri=milvus_server), collection=name, dimension=DIM).warm_up()
    config = MilvusServerStoreConfig(uri=milvus_server, user="root")
    with pytest.raises(BackendError, match=r"user 'root' given but \$RIGHTSIZED_MILVUS_PASSWORD is not set"):
        MilvusStore.for_server(config, collection=name, dimension=DIM).warm_up()
    monkeypatch.setenv("RIGHTSIZED_MILVUS_PASSWORD", "not-the-password-42")
    with pytest.raises(BackendError) as refused:
        MilvusStore.for_server(config, collection=name, dimension=DIM).warm_up()
    assert "not-the-password-42" not in str(refused.value)
    monkeypatch.setenv("RIGHTSIZED_MILVUS_PASSWORD", password)
    store = MilvusStore.for_server(config, collection=name, dimension=DIM)
    store.warm_up()
    store.upsert(corpus(6))
    assert store.count() == 6
    store.drop()
    store.close()
