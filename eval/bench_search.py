"""`rightsized bench search`: ingest rate and search latency per store backend, one run.

Method, per backend (Milvus Lite; a Milvus server: the given URI or a local 2.3.5 started
for the run) and per size (default 10k and 100k chunks):
- Records are synthetic: 200-word texts over a Zipf-distributed 2,000-word vocabulary and random
  unit vectors of the embedder's dimension (384). Embedding is excluded on purpose: it is the
  same for every store and `bench ingest` measures it. Records are generated in batches, so
  100k chunks never sit in memory at once.
- Ingest: `store.upsert` of every batch then `flush()` (what `rightsized ingest` does after
  embedding), timed; the same rows, built before the clock starts, written with the raw
  `MilvusClient.upsert` into a second collection of the same schema give the raw rate. The
  ratio store/raw is the cost of our layer (for client-side BM25 it includes tokenizing and
  keeping the term statistics).
- First minute: right after a collection's ingest, once its index reports `Finished`, dense
  top-10 queries back to back for `settle_s` (default: one second per 1,000 chunks, at most 60 s:
  60 s at 100k), reported as p50/p95 and p50 per 10-s window.
  Milvus Lite answers a 100k-row HNSW collection about 6x slower for up to a minute although
  its index already reports `Finished` (measured: ~260 ms p50, then ~43 ms; `compact()` on Lite
  changes nothing): that transient is reported apart, never mixed into the steady state. Both
  collections get their minute (ours right after its ingest, raw right after its own).
- Steady state: after both first minutes, `--queries` queries per kind, each
  timed alone, the kinds interleaved query by query, after 10 warm-up queries. dense: top-10;
  filtered: top-10 restricted to one `group` (1% of the chunks); hybrid: dense top-20 + BM25
  top-20 fused by RRF to 10 (what `Retriever` does after embedding the query). The raw dense
  search (`MilvusClient.search`, same parameters and output fields) gives the ratio for the
  dense path.

A local server started for the run has authentication on with a random root password (it cannot
be bound to loopback: see `rightsized.pipelines.stores.local_server`); the store reads that token
from `$RIGHTSIZED_BENCH_MILVUS_TOKEN`, set only while the benchmark runs.
"""
from __future__ import annotations

import os
import random
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np

from rightsized.pipelines.config import MilvusLiteStoreConfig, MilvusServerStoreConfig
from rightsized.pipelines.documents import doc_prefix
from rightsized.pipelines.errors import BackendError
from rightsized.pipelines.retrieval import reciprocal_rank_fusion
from rightsized.pipelines.stores.base import Record
from rightsized.pipelines.stores.local_server import LocalMilvusServer
from rightsized.pipelines.stores.milvus import RECORD_FIELDS, MilvusStore

DIMENSION = 384
BENCH_TOKEN_ENV = "RIGHTSIZED_BENCH_MILVUS_TOKEN"  # the started server's token (stores read env only)
BATCH = 1000
GROUPS = 100


def _vocabulary(size: int = 2000) -> list[str]:
    rng = random.Random(5)
    letters = "abcdefghijklmnopqrstuvwxyz"
    return ["".join(rng.choice(letters) for _ in range(rng.randint(3, 9))) for _ in range(size)]


def synthetic_batches(n: int, *, seed: int = 1, words: int = 200) -> Iterator[list[Record]]:
    vocab = _vocabulary()
    weights = [1.0 / (rank + 1) for rank in range(len(vocab))]
    rng = random.Random(seed)
    vectors = np.random.default_rng(seed)
    for start in range(0, n, BATCH):
        size = min(BATCH, n - start)
        block = vectors.normal(size=(size, DIMENSION)).astype(np.float32)
        block /= np.linalg.norm(block, axis=1, keepdims=True)
        batch = []
        for offset in range(size):
            i = start + offset
            doc_id = f"docs/doc{i // 4:06d}.txt"
            batch.append(Record(
                id=doc_prefix(doc_id) + f"{i:08d}", text=" ".join(rng.choices(vocab, weights, k=words)),
                vector=block[offset].tolist(), doc_id=doc_id, content_hash=f"h{i // 4}", domain="bench",
                doc_type=("log", "manual", "ticket")[i % 3], group=f"g{i % GROUPS:03d}", position=i % 4,
            ))
        yield batch


def _percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {"p50_ms": round(1000 * statistics.median(ordered), 2),
            "p95_ms": round(1000 * ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))], 2)}


def _time_interleaved(*series: list[Callable[[], Any]]) -> list[list[float]]:
    """Time each call alone, alternating between the series so machine drift hits all alike."""
    for calls in series:
        for call in calls[:10]:
            call()
    samples: list[list[float]] = [[] for _ in series]
    for i in range(len(series[0])):
        for calls, out in zip(series, samples, strict=True):
            started = time.perf_counter()
            calls[i]()
            out.append(time.perf_counter() - started)
    return samples


def _wait_indexed(store: MilvusStore, timeout_s: float = 1800) -> None:
    """Searches on rows not yet indexed are brute-forced: measure only once indexing is done."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        info = store.client.describe_index(store.collection, "dense")
        if info.get("state") == "Finished" and not info.get("pending_index_rows"):
            return
        time.sleep(1)
    raise BackendError(f"index of '{store.collection}' still building after {timeout_s:.0f} s")


def _first_minute(search: Callable[[int], Any], seconds: float, window_s: float = 10.0) -> dict[str, Any]:
    """Dense queries back to back for `seconds`: overall p50/p95 and the p50 of each window."""
    timed: list[tuple[float, float]] = []
    started = time.perf_counter()
    i = 0
    while (now := time.perf_counter()) - started < seconds:
        search(i)
        timed.append((now - started, time.perf_counter() - now))
        i += 1
    windows = []
    for start in np.arange(0.0, seconds, window_s):
        inside = [d for t, d in timed if start <= t < start + window_s]
        if inside:
            windows.append({"t_s": int(start), "p50_ms": round(1000 * statistics.median(inside), 1)})
    return {**_percentiles([d for _, d in timed]), "queries": len(timed), "windows": windows}


def settle_seconds(n: int) -> float:
    """How long the first-minute window lasts for `n` chunks: the transient seen at 100k lasted up
    to a minute; small collections need not be held for it."""
    return min(60.0, n / 1000)


def _measure(store: MilvusStore, raw: MilvusStore, n: int, queries: int, settle_s: float) -> dict[str, Any]:
    rng = random.Random(3)
    vocab = _vocabulary()[:300]
    vectors = np.random.default_rng(99).normal(size=(queries, DIMENSION)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    params = {"metric_type": "IP", **({"params": dict(store.config.search_params)} if store.config.search_params else {})}

    def raw_search(i: int) -> Any:
        return raw.client.search(raw.collection, data=[vectors[i % queries].tolist()], anns_field="dense", limit=10,
                                 search_params=params, output_fields=[f for f in RECORD_FIELDS if f != "dense"])

    started = time.perf_counter()
    for batch in synthetic_batches(n):
        store.upsert(batch)
    store.flush()
    store_seconds = time.perf_counter() - started
    _wait_indexed(store)
    first_minute = _first_minute(lambda i: store.search_dense(vectors[i % queries], k=10), settle_s)

    raw_seconds = 0.0
    for batch in synthetic_batches(n):
        rows = [raw.row(r) for r in batch]  # built outside the clock
        started = time.perf_counter()
        raw.client.upsert(raw.collection, rows)
        raw_seconds += time.perf_counter() - started
    started = time.perf_counter()
    raw.client.flush(raw.collection)
    raw_seconds += time.perf_counter() - started
    _wait_indexed(raw)
    raw_first_minute = _first_minute(raw_search, settle_s)

    texts = [" ".join(rng.sample(vocab, rng.randint(2, 4))) for _ in range(queries)]
    groups = [f"g{rng.randrange(GROUPS):03d}" for _ in range(queries)]

    def hybrid(i: int) -> list[Any]:
        dense = store.search_dense(vectors[i], k=20)
        return reciprocal_rank_fusion([dense, store.search_text(texts[i], k=20)])[:10]

    dense, raw_dense, filtered, fused = _time_interleaved(
        [lambda i=i: store.search_dense(vectors[i], k=10) for i in range(queries)],
        [lambda i=i: raw_search(i) for i in range(queries)],
        [lambda i=i: store.search_dense(vectors[i], k=10, filters={"group": groups[i]}) for i in range(queries)],
        [lambda i=i: hybrid(i) for i in range(queries)],
    )
    store_rate, raw_rate = n / store_seconds, n / raw_seconds
    result = {
        "chunks": store.count(),
        "version": store.client.get_server_version(),
        "bm25": store.bm25_mode,
        "ingest_chunks_per_s": round(store_rate, 1),
        "raw_upsert_chunks_per_s": round(raw_rate, 1),
        "ingest_ratio_store_over_raw": round(store_rate / raw_rate, 3),
        "settle_s": settle_s,
        "dense_first_minute": first_minute,
        "raw_dense_first_minute": raw_first_minute,
        "dense": _percentiles(dense),
        "raw_dense": _percentiles(raw_dense),
        "filtered": _percentiles(filtered),
        "hybrid": _percentiles(fused),
    }
    result["dense_ratio_raw_over_store_p50"] = round(result["raw_dense"]["p50_ms"] / result["dense"]["p50_ms"], 3)
    return result


def _run_backend(make: Callable[[str], MilvusStore], sizes: list[int], queries: int,
                 settle_s: float | None) -> list[dict[str, Any]]:
    rows = []
    for n in sizes:
        tag = uuid.uuid4().hex[:6]
        store, raw = make(f"bench_{n}_{tag}"), make(f"bench_raw_{n}_{tag}")
        store.warm_up()
        raw.warm_up()
        try:
            settle = settle_seconds(n) if settle_s is None else settle_s
            rows.append({"size": n, **_measure(store, raw, n, queries, settle)})
        finally:
            for made in (store, raw):
                made.drop()
                made.close()
    return rows


def bench_search(*, sizes: list[int], queries: int = 200, server_uri: str | None = None,
                 work_dir: Path | None = None, settle_s: float | None = None) -> dict[str, Any]:
    """Run every backend at every size; a backend that cannot run is reported with the reason.
    `dense` etc. are steady state; `dense_first_minute` is the `settle_s` right after ingest."""
    with tempfile.TemporaryDirectory(dir=work_dir) as tmp:
        lite_path = Path(tmp) / "lite.db"
        results: dict[str, Any] = {"backends": {}}
        results["backends"]["milvus_lite"] = _run_backend(
            lambda name: MilvusStore(uri=lite_path, collection=name, dimension=DIMENSION,
                                     config=MilvusLiteStoreConfig()), sizes, queries, settle_s)
        server: LocalMilvusServer | None = None
        try:
            if server_uri is None:
                server = LocalMilvusServer(Path(tmp) / "milvus_server").start()
                server_uri = server.uri
                os.environ[BENCH_TOKEN_ENV] = server.token or ""
                config = MilvusServerStoreConfig(uri=server_uri, token_env=BENCH_TOKEN_ENV)
            else:
                config = MilvusServerStoreConfig(uri=server_uri)
            results["backends"]["milvus_server"] = _run_backend(
                lambda name: MilvusStore.for_server(config, collection=name, dimension=DIMENSION), sizes, queries,
                settle_s)
            results["server_uri"] = server_uri
        except BackendError as exc:
            results["backends"]["milvus_server"] = {"skipped": str(exc)}
        finally:
            os.environ.pop(BENCH_TOKEN_ENV, None)
            if server is not None:
                server.stop()
    return results
