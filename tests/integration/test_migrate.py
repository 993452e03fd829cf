"""`migrate`: Milvus Lite -> real Milvus 2.3.5 server and -> Pinecone (fake API), interrupted and resumed."""
from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from rightsized.pipelines.config import MilvusLiteStoreConfig, Settings, load_settings
from rightsized.pipelines.errors import BackendError, ConfigError
from rightsized.pipelines.migrate import migrate, open_store, parse_store_spec
from rightsized.pipelines.stores.milvus import MilvusStore
from tests.fakes.pinecone_api import FakePinecone
from tests.integration.test_store_backends import DIM, QUERIES, corpus

pytestmark = pytest.mark.integration


@pytest.fixture
def lite(tmp_path: Path) -> Iterator[tuple[Settings, str, str]]:
    """A Lite file holding one rightsized collection of 300 records; yields (settings, spec, name)."""
    path = tmp_path / "source.db"
    name = f"rs_test_{uuid.uuid4().hex[:6]}"
    store = MilvusStore(uri=path, collection=name, dimension=DIM, config=MilvusLiteStoreConfig())
    store.warm_up()
    store.upsert(corpus(300))
    store.flush()
    store.close()
    yield load_settings(None, None), f"milvus-lite:{path}", name


class Interrupt(KeyboardInterrupt):
    pass


def test_lite_to_milvus_server_interrupted_then_resumed(lite: tuple[Settings, str, str], milvus_server: str) -> None:
    settings, source, name = lite
    seen: list[int] = []

    def stop_after_two_batches(event: str, amount: int) -> None:
        seen.append(amount)
        if len(seen) == 2:
            raise Interrupt

    with pytest.raises(Interrupt):
        migrate(settings, source, milvus_server, batch_size=100, progress=stop_after_two_batches)
    with pytest.raises(BackendError, match="already holds 200 records; rerun with --resume"):
        migrate(settings, source, milvus_server, batch_size=100)
    [report] = migrate(settings, source, milvus_server, collection=name, batch_size=100, resume=True, sample=50)
    assert report.ok, report
    assert (report.source_count, report.destination_count, report.copied, report.already_there) == (300, 300, 100, 200)
    assert report.sample_checked == 50 and report.mismatches == []
    [again] = migrate(settings, source, milvus_server, collection=name, resume=True)
    assert (again.copied, again.already_there) == (0, 300)

    server = open_store(parse_store_spec(milvus_server, settings), collection=name, dimension=DIM)
    reference = open_store(parse_store_spec(source, settings), collection=name, dimension=DIM)
    server.warm_up()
    reference.warm_up()
    assert isinstance(server, MilvusStore) and server.bm25_mode == "client"  # 2.3: rebuilt on the client
    for query in QUERIES:
        want = {h.chunk_id for h in reference.search_text(query, k=10)}
        assert len(want & {h.chunk_id for h in server.search_text(query, k=10)}) >= 9, query
    server.close()
    reference.close()


def test_lite_to_pinecone(lite: tuple[Settings, str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    settings, source, name = lite
    monkeypatch.setenv("PINECONE_API_KEY", "test-key")
    with FakePinecone(dimension=DIM) as fake:
        [report] = migrate(settings, source, f"pinecone:{fake.url}", batch_size=100)
        assert report.ok and report.copied == 300
        assert len(fake.namespaces[name]) == 300 and fake.namespaces[f"{name}__bm25"]


def test_bad_addresses_are_named(lite: tuple[Settings, str, str], tmp_path: Path) -> None:
    settings, source, _ = lite
    with pytest.raises(ConfigError, match="unknown store address 'redis://x'"):
        migrate(settings, source, "redis://x")
    with pytest.raises(ConfigError, match="no Milvus Lite data at"):
        migrate(settings, f"milvus-lite:{tmp_path / 'nothing.db'}", f"milvus-lite:{tmp_path / 'b.db'}")
    with pytest.raises(ConfigError, match="no collection 'rs_nope'"):
        migrate(settings, source, f"milvus-lite:{tmp_path / 'b.db'}", collection="rs_nope")
