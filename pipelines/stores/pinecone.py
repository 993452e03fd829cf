"""Pinecone serverless store: one namespace per domain and embedder, sparse-dense records.

Why it looks like this:
- Each record carries its dense vector and a BM25 sparse vector computed here
  (`bm25.document_sparse`); the statistics live in a side namespace `<namespace>__bm25` of the
  same index, so every client scores with the same document frequencies. `search_text` is a
  sparse-only query (allowed by API 2026-07), and fusion with the dense list happens in
  `pipelines.retrieval` exactly as on Milvus.
- Chunk ids start with a per-document prefix (`documents.doc_prefix`), so a document's chunks are
  found with `list(prefix=...)`: serverless indexes cannot count by metadata filter.
- The SDK already retries 408/429/5xx three times with jittered backoff (honouring
  Retry-After); `max_retries` adds our own outer retries with exponential backoff for
  sustained throttling during bulk upserts. Other API errors fail at once, named.
- Pinecone is eventually consistent: `flush()` waits until the last writes are readable.

Tested with the real `pinecone` SDK against an in-test HTTP server that follows Pinecone's
published API (tests/fakes/pinecone_api.py), not against the Pinecone service.
"""
from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any, TypeVar

import numpy as np

from rightsized.pipelines.config import PineconeStoreConfig
from rightsized.pipelines.documents import MAX_CHUNK_BYTES, doc_prefix
from rightsized.pipelines.errors import BackendError
from rightsized.pipelines.stores import bm25
from rightsized.pipelines.stores.base import (
    DOC_CHUNKS,
    SCALAR_FIELDS,
    FilterValue,
    Record,
    SearchHit,
    check_filter_keys,
    check_text_bytes,
    document_states,
    size_batches,
)

T = TypeVar("T")
_MAX_REQUEST_BYTES = 2 * 1024 * 1024 - 64 * 1024  # published upsert limit is 2 MB per request
_MAX_TEXT_BYTES = MAX_CHUNK_BYTES  # metadata is capped at 40 KB per record; the rest is for the other fields
_FETCH_BATCH = 100  # ids travel in the query string


def pinecone_filter(filters: Mapping[str, FilterValue] | None) -> dict[str, Any] | None:
    """`{"doc_type": "log", "group": ["a", "b"]}` -> Pinecone's metadata filter language."""
    check_filter_keys(filters)
    clauses = [
        {key: {"$in": list(value)} if isinstance(value, (list, tuple)) else {"$eq": value}}
        for key, value in (filters or {}).items()
    ]
    if not clauses:
        return None
    return clauses[0] if len(clauses) == 1 else {"$and": clauses}


def _metadata(record: Record) -> dict[str, Any]:
    flat = {key: value for key, value in record.meta.items()
            if isinstance(value, (str, bool, int, float))
            or (isinstance(value, list) and all(isinstance(v, str) for v in value))}
    # `_meta` keeps the exact domain metadata (Pinecone turns every number into a float);
    # the flat copies are what filters see.
    return {**flat, **record.scalars(), "text": record.text, "_meta": json.dumps(record.meta)}


def _record(vector_id: str, values: Sequence[float], metadata: Mapping[str, Any]) -> Record:
    scalars = {name: metadata.get(name, "") for name in SCALAR_FIELDS}
    scalars["page"] = int(metadata.get("page", 0))
    scalars["position"] = int(metadata.get("position", 0))
    return Record(id=vector_id, text=str(metadata.get("text", "")), vector=[float(v) for v in values],
                  meta=json.loads(metadata.get("_meta", "{}")), **scalars)


def _posting(record: Record) -> bm25.Posting:
    return bm25.posting(record.id, bm25.tokenize(record.text))


class _CounterNamespace:
    """`bm25.CounterTable` as records in a side namespace: id = hash of the key, value in metadata."""

    def __init__(self, store: PineconeStore, namespace: str) -> None:
        self.store = store
        self.namespace = namespace

    @staticmethod
    def _id(key: str) -> str:
        return "k" + hashlib.blake2b(key.encode("utf-8"), digest_size=12).hexdigest()

    def get_counts(self, keys: Sequence[str]) -> dict[str, int]:
        by_id = {self._id(key): key for key in keys}
        found = self.store._fetch_raw(list(by_id), self.namespace)
        return {by_id[vid]: int(vector.metadata["n"]) for vid, vector in found.items()}

    def put_counts(self, counts: Mapping[str, int]) -> None:
        # Dense values may not be all zeros; a unit vector in this namespace never meets a query.
        unit = [1.0] + [0.0] * (self.store.dimension - 1)
        rows = [{"id": self._id(key), "values": unit, "metadata": {"n": int(n)}} for key, n in counts.items()]
        for start in range(0, len(rows), self.store.config.upsert_batch_size):
            batch = rows[start:start + self.store.config.upsert_batch_size]
            self.store._call("upsert", lambda b=batch: self.store.index.upsert(vectors=b, namespace=self.namespace))


class PineconeStore:
    """The `VectorStore` protocol on a Pinecone serverless index.

    Usage:
        store = PineconeStore(PineconeStoreConfig(host="https://my-index-abc.svc.pinecone.io"),
                              namespace="rs_bfsi_kyc_minilm", dimension=384)
        store.warm_up()     # needs $PINECONE_API_KEY
    """

    def __init__(self, config: PineconeStoreConfig, *, namespace: str, dimension: int) -> None:
        self.config = config
        self.collection = namespace
        self.dimension = dimension
        self._index: Any = None
        self._stats: bm25.TermStats | None = None
        self._written: list[str] = []
        self._deleted: list[str] = []

    @property
    def location(self) -> str:
        return self.config.host or f"pinecone index '{self.config.index_name}'"

    @property
    def index(self) -> Any:
        self.warm_up()
        return self._index

    # -- lifecycle ------------------------------------------------------------------------------

    def warm_up(self) -> None:
        if self._index is not None:
            return
        from pinecone import Pinecone

        api_key = os.environ.get(self.config.api_key_env)
        if not api_key:
            raise BackendError(f"Pinecone needs an API key in ${self.config.api_key_env}")
        client_options = {"host": self.config.control_plane_host} if self.config.control_plane_host else {}
        client = Pinecone(api_key=api_key, **client_options)
        host = self.config.host or self._call("describe index", lambda: self._resolve_host(client))
        self._index = client.Index(host=host)
        stats = self._call("describe_index_stats", self._index.describe_index_stats)
        if stats.dimension and int(stats.dimension) != self.dimension:
            raise BackendError(f"Pinecone index at {host} has dimension {stats.dimension}, "
                               f"the embedder makes {self.dimension}: use another index")
        self._stats = bm25.TermStats(_CounterNamespace(self, f"{self.collection}__bm25"))

    def _term_stats(self) -> bm25.TermStats:
        self.warm_up()
        assert self._stats is not None  # set by warm_up
        return self._stats

    def _resolve_host(self, client: Any) -> str:
        from pinecone import NotFoundError

        name = self.config.index_name
        try:
            return str(client.describe_index(name).host)
        except NotFoundError:
            if not self.config.create_if_missing:
                raise BackendError(f"Pinecone index '{name}' does not exist; create it (dotproduct, "
                                   "with a sparse field) or set store.create_if_missing") from None
        model = client.indexes.create(
            name=name,
            schema={"fields": {
                "_values": {"type": "dense_vector", "dimension": self.dimension, "metric": "dotproduct"},
                "_sparse_values": {"type": "sparse_vector"},
            }},
            deployment={"deployment_type": "managed", "cloud": self.config.cloud, "region": self.config.region},
        )
        return str(model.host)

    def close(self) -> None:
        if self._index is not None:
            self._index.close()
            self._index = None

    def _call(self, what: str, call: Callable[[], T]) -> T:
        """Run one API call; retry throttling and server errors, name everything else."""
        from pinecone import PineconeError, RateLimitError, ServiceError, UnauthorizedError

        attempt = 0
        while True:
            try:
                return call()
            except (RateLimitError, ServiceError) as exc:
                if attempt == self.config.max_retries:
                    raise BackendError(f"Pinecone {what} at {self.location} still failing after "
                                       f"{attempt + 1} tries: {exc.status_code} {exc.message}") from exc
                time.sleep(self.config.backoff_s * 2**attempt)
                attempt += 1
            except UnauthorizedError as exc:
                raise BackendError(f"Pinecone refused the API key in ${self.config.api_key_env} (401)") from exc
            except PineconeError as exc:
                status = getattr(exc, "status_code", "")
                raise BackendError(f"Pinecone {what} at {self.location} failed: {status} {exc}") from exc

    # -- writes ---------------------------------------------------------------------------------

    def upsert(self, records: Sequence[Record]) -> int:
        """Upsert in batches under the 2 MB request limit, with BM25 sparse vectors."""
        stats = self._term_stats()
        for record in records:
            check_text_bytes(record, _MAX_TEXT_BYTES, f"Pinecone namespace '{self.collection}'")
        for batch in size_batches(records, max_rows=self.config.upsert_batch_size, max_bytes=_MAX_REQUEST_BYTES):
            replaced = self.fetch([r.id for r in batch])
            postings = [_posting(r) for r in batch]
            stats.apply(postings, [_posting(r) for r in replaced.values()])
            avg_length = stats.lookup([]).avg_length
            rows = []
            for record, posting in zip(batch, postings, strict=True):
                row: dict[str, Any] = {"id": record.id, "values": record.vector, "metadata": _metadata(record)}
                sparse = bm25.document_sparse(posting, avg_length)
                if sparse:
                    row["sparse_values"] = {"indices": list(sparse), "values": list(sparse.values())}
                rows.append(row)
            self._call("upsert", lambda rows=rows: self.index.upsert(vectors=rows, namespace=self.collection))
            rewritten = {r.id for r in batch}
            self._written = [r.id for r in batch[-20:]]
            self._deleted = [vid for vid in self._deleted if vid not in rewritten]
        return len(records)

    def _document_ids(self, doc_id: str) -> list[str]:
        prefix = doc_prefix(doc_id)
        pages = self._call("list", lambda: list(self.index.list(prefix=prefix, namespace=self.collection)))
        return [item.id for page in pages for item in page.vectors]

    def delete_document(self, doc_id: str) -> int:
        ids = self._document_ids(doc_id)
        if not ids:
            return 0
        removed = self.fetch(ids)
        for start in range(0, len(ids), 1000):
            chunk = ids[start:start + 1000]
            self._call("delete", lambda c=chunk: self.index.delete(ids=c, namespace=self.collection))
        self._term_stats().apply([], [_posting(r) for r in removed.values()])
        gone = set(ids)
        self._deleted = ids[-20:]
        self._written = [vid for vid in self._written if vid not in gone]
        return len(ids)

    def flush(self) -> None:
        """Wait until the latest writes and deletes are visible (Pinecone is eventually consistent).
        An id deleted and then written again (an interrupted document rewritten) is awaited as
        written, and the other way round: waiting for both could never end."""
        deadline = time.monotonic() + self.config.freshness_timeout_s
        while True:
            present = set(self._fetch_raw(self._written + self._deleted, self.collection))
            if set(self._written) <= present and not present & set(self._deleted):
                self._written, self._deleted = [], []
                return
            if time.monotonic() > deadline:
                raise BackendError(f"Pinecone writes to '{self.collection}' not visible after "
                                   f"{self.config.freshness_timeout_s:.0f} s")
            time.sleep(0.5)

    # -- reads ----------------------------------------------------------------------------------

    def document_hashes(self, doc_ids: Sequence[str]) -> dict[str, str | None]:
        """doc_id -> content hash of a complete stored document, None for an incomplete one
        (`base.document_states`). Every chunk is listed by the document's id prefix and
        fetched: serverless indexes cannot count by filter, and one chunk's hash cannot tell a
        partial document from a whole one."""
        ids = [chunk_id for doc_id in doc_ids for chunk_id in self._document_ids(doc_id)]
        records = self.fetch(ids).values()
        return document_states((r.doc_id, r.content_hash, r.meta.get(DOC_CHUNKS)) for r in records)

    def count(self, filters: Mapping[str, FilterValue] | None = None) -> int:
        if not filters:
            stats = self._call("describe_index_stats", self.index.describe_index_stats)
            namespace = stats.namespaces.get(self.collection)
            return int(namespace.vector_count) if namespace else 0
        if set(filters) == {"doc_id"} and isinstance(filters["doc_id"], str):
            return len(self._document_ids(filters["doc_id"]))
        raise BackendError("Pinecone serverless indexes cannot count by metadata filter "
                           f"(asked for {sorted(filters)}); only by doc_id")

    def search_dense(
        self, vector: np.ndarray, *, k: int, filters: Mapping[str, FilterValue] | None = None
    ) -> list[SearchHit]:
        values = np.asarray(vector, dtype=np.float32).tolist()
        return self._query({"vector": values}, k, filters)

    def search_text(
        self, query: str, *, k: int, filters: Mapping[str, FilterValue] | None = None
    ) -> list[SearchHit]:
        """BM25 as a sparse-only query: idf weights from the shared statistics."""
        tokens = bm25.tokenize(query)
        sparse = bm25.query_sparse(tokens, self._term_stats().lookup(tokens))
        if not sparse:
            return []
        hits = self._query({"sparse_vector": {"indices": list(sparse), "values": list(sparse.values())}}, k, filters)
        return [hit for hit in hits if hit.score > 0]  # records sharing no term score 0

    def _query(self, vectors: dict[str, Any], k: int, filters: Mapping[str, FilterValue] | None) -> list[SearchHit]:
        response = self._call("query", lambda: self.index.query(
            **vectors, top_k=k, filter=pinecone_filter(filters), namespace=self.collection, include_metadata=True,
        ))
        return [_record(m.id, [], m.metadata or {}).hit(float(m.score)) for m in response.matches]

    # -- migration ------------------------------------------------------------------------------

    def iter_records(self, batch_size: int = 100) -> Iterator[list[Record]]:
        size = min(batch_size, _FETCH_BATCH)
        for page in self._call("list", lambda: list(self.index.list(namespace=self.collection, limit=size))):
            ids = [item.id for item in page.vectors]
            records = self.fetch(ids)
            yield [records[vid] for vid in ids if vid in records]

    def fetch(self, ids: Sequence[str]) -> dict[str, Record]:
        found = self._fetch_raw(ids, self.collection)
        return {vid: _record(vid, vector.values, vector.metadata or {}) for vid, vector in found.items()}

    def _fetch_raw(self, ids: Sequence[str], namespace: str) -> dict[str, Any]:
        found: dict[str, Any] = {}
        for start in range(0, len(ids), _FETCH_BATCH):
            batch = list(ids[start:start + _FETCH_BATCH])
            response = self._call("fetch", lambda b=batch: self.index.fetch(ids=b, namespace=namespace))
            found.update(response.vectors)
        return found
