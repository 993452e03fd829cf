"""A document whose write was interrupted is detected and written again, on every backend.

The user's report: `kill -9` while a 700-chunk file was being written left 512 of its chunks;
every later ingest called the file "unchanged" because each chunk carries the file's hash.
The first test replays that with a real process, a real SIGKILL and the real CLI on Milvus
Lite; the others run the same contract on Milvus Lite (server and client BM25), a Milvus 2.3.5
server and Pinecone (the real SDK against FakePinecone, no Pinecone service reachable here).
"""
from __future__ import annotations

import hashlib
import json
import os
import select
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np
import pytest

from rightsized.ingest.chunking import chunk_document
from rightsized.ingest.loaders import load_document
from rightsized.ingest.pipeline import IngestPipeline
from rightsized.pipelines.config import MilvusLiteStoreConfig, MilvusServerStoreConfig, PineconeStoreConfig
from rightsized.pipelines.documents import doc_prefix
from rightsized.pipelines.stores.base import DOC_CHUNKS, Record, VectorStore
from rightsized.pipelines.stores.milvus import MilvusStore
from rightsized.pipelines.stores.pinecone import PineconeStore
from tests.fakes.pinecone_api import FakePinecone

pytestmark = pytest.mark.integration

CLI = Path(sys.executable).with_name("rightsized")
SETTINGS = ["ingest.chunk_size=16", "tiers.baseline.embedder.backend=wordllama", "store.insert_batch_size=50"]
KILL_AFTER_ROWS = 200

# Runs the ingest exactly as `rightsized ingest` does, except that after KILL_AFTER_ROWS rows have
# reached Milvus it says so and waits to be killed: the kill lands mid-document, at the same row.
_DRIVER = """
import sys, time
import pymilvus
from pathlib import Path
from rightsized.pipelines.app.ops import ingest_paths
from rightsized.pipelines.config import load_settings

folder, data_dir, stop_after = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
real_upsert = pymilvus.MilvusClient.upsert
written = 0

def upsert(self, collection_name, data, *args, **kwargs):
    global written
    result = real_upsert(self, collection_name, data, *args, **kwargs)
    written += len(data)
    if written >= stop_after:
        print(f"rows {written}", flush=True)
        time.sleep(600)
    return result

pymilvus.MilvusClient.upsert = upsert
settings = load_settings(None, [f"data_dir={data_dir}", *sys.argv[4:]])
ingest_paths(settings, "bfsi_kyc", [folder], "baseline", show_progress=False)
print("finished without being killed", flush=True)
"""

# Prints the ids stored for the domain's collection (a separate process: Milvus Lite allows one per path).
_STORED_IDS = """
import json, sys
from rightsized.pipelines.config import load_settings
from rightsized.pipelines.runtime import Workspace

workspace = Workspace(load_settings(None, [f"data_dir={sys.argv[1]}", *sys.argv[2:]]), domain="bfsi_kyc")
store = workspace.store("baseline")
print(json.dumps(sorted(r.id for batch in store.iter_records() for r in batch)))
workspace.close()
"""


def _sentences(count: int) -> str:
    words = "pump valve bearing seal motor gearbox alarm coolant filter spindle belt torque".split()
    return " ".join(f"Line {i} reports {words[i % 12]} {words[(i * 5) % 12]} wear at station {i % 31}."
                    for i in range(count))


def _read_line(process: subprocess.Popen[str], timeout_s: float) -> str:
    assert process.stdout is not None
    ready, _, _ = select.select([process.stdout], [], [], timeout_s)
    assert ready, f"no progress line within {timeout_s:.0f} s"
    return process.stdout.readline().strip()


def _stored_ids(data_dir: Path) -> list[str]:
    done = subprocess.run([sys.executable, "-c", _STORED_IDS, str(data_dir), *SETTINGS],
                          capture_output=True, text=True, timeout=180, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def _cli_ingest(folder: Path, data_dir: Path) -> dict:
    args = [str(CLI), "ingest", "bfsi_kyc", str(folder), "--json", "--set", f"data_dir={data_dir}"]
    for item in SETTINGS:
        args += ["--set", item]
    done = subprocess.run(args, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout)


def test_a_file_killed_mid_write_is_rewritten_by_the_next_run(tmp_path: Path) -> None:
    folder = tmp_path / "intake"
    folder.mkdir()
    (folder / "manual.txt").write_text(_sentences(640))
    total = len(chunk_document(load_document(folder / "manual.txt", folder), embedder_id="x", chunk_size=16))
    assert 600 < total < 800

    crashed = tmp_path / "crashed"
    log = tmp_path / "driver.log"
    with log.open("w") as stderr:
        driver = subprocess.Popen(
            [sys.executable, "-c", _DRIVER, str(folder), str(crashed), str(KILL_AFTER_ROWS), *SETTINGS],
            stdout=subprocess.PIPE, stderr=stderr, text=True,
        )
    try:
        assert _read_line(driver, 180) == f"rows {KILL_AFTER_ROWS}", log.read_text()[-2000:]
        os.kill(driver.pid, signal.SIGKILL)
        assert driver.wait(timeout=30) == -signal.SIGKILL
    finally:
        if driver.poll() is None:
            driver.kill()
    assert len(_stored_ids(crashed)) == KILL_AFTER_ROWS  # what the user found: part of the file

    rerun = _cli_ingest(folder, crashed)
    assert (rerun["files_ingested"], rerun["files_unchanged"]) == (1, 0)
    assert (rerun["chunks_deleted"], rerun["chunks_added"]) == (KILL_AFTER_ROWS, total)

    clean = tmp_path / "clean"
    assert _cli_ingest(folder, clean)["chunks_added"] == total
    stored = _stored_ids(crashed)
    assert len(stored) == total and stored == _stored_ids(clean)
    assert _cli_ingest(folder, crashed)["files_unchanged"] == 1  # complete now: left alone


# --- the same contract on every backend -------------------------------------------------------

DIM = 16


class HashEmbedder:
    """Deterministic unit vectors from the text: no model needed to test what gets stored."""

    embedder_id = "hash16"
    dimension = DIM

    def embed(self, texts: list[str]) -> np.ndarray:
        seeds = [int(hashlib.sha256(t.encode()).hexdigest()[:8], 16) for t in texts]
        vectors = np.array([np.random.default_rng(s).normal(size=DIM) for s in seeds], dtype=np.float32)
        return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


class _Killed(Exception):
    pass


class _DiesMidUpsert:
    """A store whose process dies after writing the first `rows` records of an upsert."""

    def __init__(self, store: VectorStore, rows: int) -> None:
        self.store = store
        self.rows = rows

    def __getattr__(self, name: str):  # noqa: ANN204 - everything else is the real store's
        return getattr(self.store, name)

    def upsert(self, records: Sequence[Record]) -> int:
        self.store.upsert(records[:self.rows])
        self.store.flush()
        raise _Killed


@pytest.fixture(params=["lite", "lite-client-bm25", "milvus-2.3.5", "pinecone-fake-api"])
def store(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[VectorStore]:
    kind = request.param
    collection = f"t_{uuid.uuid4().hex[:8]}"
    if kind == "pinecone-fake-api":
        monkeypatch.setenv("PINECONE_API_KEY", "test-key")
        with FakePinecone(dimension=DIM) as fake:
            pinecone = PineconeStore(PineconeStoreConfig(host=fake.url, backoff_s=0.0, upsert_batch_size=20),
                                     namespace=collection, dimension=DIM)
            pinecone.warm_up()
            yield pinecone
            pinecone.close()
        return
    if kind == "milvus-2.3.5":
        config = MilvusServerStoreConfig(uri=request.getfixturevalue("milvus_server"), insert_batch_size=20)
        made = MilvusStore.for_server(config, collection=collection, dimension=DIM)
    else:
        config = MilvusLiteStoreConfig(bm25="client" if kind == "lite-client-bm25" else "auto", insert_batch_size=20)
        made = MilvusStore(uri=tmp_path / "lite.db", collection=collection, dimension=DIM, config=config)
    made.warm_up()
    yield made
    made.drop()
    made.close()


def _records(doc: str, content_hash: str, count: int, total: int | None) -> list[Record]:
    meta = {} if total is None else {DOC_CHUNKS: total}
    return [Record(id=f"{doc_prefix(doc)}{content_hash}-{i}", text=f"{doc} chunk {i}", vector=[1.0] + [0.0] * (DIM - 1),
                   doc_id=doc, content_hash=content_hash, position=i, meta=meta) for i in range(count)]


def test_only_complete_documents_report_their_hash(store: VectorStore) -> None:
    store.upsert(_records("whole.txt", "h1", 3, 3) + _records("cut.txt", "h2", 2, 5)
                 + _records("legacy.txt", "h3", 4, None)  # written before chunk totals existed
                 + _records("mixed.txt", "h4", 1, 2) + _records("mixed.txt", "h5", 1, 2)[:1])
    store.flush()
    assert store.document_hashes(["whole.txt", "cut.txt", "legacy.txt", "mixed.txt", "absent.txt"]) == {
        "whole.txt": "h1", "cut.txt": None, "legacy.txt": "h3", "mixed.txt": None}


def test_an_interrupted_document_is_deleted_and_written_again(store: VectorStore, tmp_path: Path) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "manual.txt").write_text(_sentences(60))
    (folder / "short.txt").write_text("Valve V-7 leaked at the flange.")
    expected = {c.chunk_id for name in ("manual.txt", "short.txt")
                for c in chunk_document(load_document(folder / name, folder, namespace="site"),
                                        embedder_id=HashEmbedder.embedder_id, chunk_size=16)}
    assert len(expected) > 40

    dying = IngestPipeline(_DiesMidUpsert(store, rows=25), HashEmbedder(), domain="test", chunk_size=16)  # type: ignore[arg-type]
    with pytest.raises(_Killed):
        dying.run([folder], namespace="site")
    assert store.count() == 25

    report = IngestPipeline(store, HashEmbedder(), domain="test", chunk_size=16).run([folder], namespace="site")
    assert (report.files_ingested, report.files_unchanged, report.chunks_deleted) == (2, 0, 25)
    assert report.chunks_added == len(expected) == store.count()
    assert {r.id for batch in store.iter_records() for r in batch} == expected
    again = IngestPipeline(store, HashEmbedder(), domain="test", chunk_size=16).run([folder], namespace="site")
    assert (again.files_unchanged, again.chunks_added) == (2, 0)


def test_a_file_changed_after_a_crash_leaves_no_orphans(tmp_path: Path) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "manual.txt").write_text(_sentences(60))
    store = MilvusStore(uri=tmp_path / "lite.db", collection="t_changed", dimension=DIM)
    store.warm_up()
    with pytest.raises(_Killed):
        IngestPipeline(_DiesMidUpsert(store, rows=10), HashEmbedder(), domain="test",  # type: ignore[arg-type]
                       chunk_size=16).run([folder], namespace="site")
    (folder / "manual.txt").write_text(_sentences(30))
    report = IngestPipeline(store, HashEmbedder(), domain="test", chunk_size=16).run([folder], namespace="site")
    assert report.chunks_deleted == 10
    hashes = {r.content_hash for batch in store.iter_records() for r in batch}
    assert store.count() == report.chunks_added and len(hashes) == 1
    store.close()
