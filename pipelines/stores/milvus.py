"""Milvus vector store (Milvus Lite file by default; any Milvus URI works the same way).

Why pymilvus directly instead of LlamaIndex's `MilvusVectorStore`: we need BM25 through a
schema `Function`, stable caller-chosen primary keys, delete-by-document, batched inserts under
gRPC's 64 MB limit and an explicit `flush()` (unflushed rows are brute-forced: 225 ms vs 4 ms
at 10k rows, ENVIRONMENT.md). The integration either hides or gets those wrong in some versions.
"""
from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from pipelines.errors import BackendError
from pipelines.documents import Chunk

# Without a long keepalive, a new client on the same Lite path fails after ~100 s idle.
GRPC_OPTIONS = {"grpc.keepalive_time_ms": 3_600_000}
# Scalar fields every chunk has; anything else a domain adds goes into the JSON `meta` field.
SCALAR_FIELDS = ("doc_id", "content_hash", "source", "domain", "doc_type", "group", "page", "position")
OUTPUT_FIELDS = ["text", *SCALAR_FIELDS, "meta"]
_MAX_VARCHAR = 65_535


def _backend_errors(method: Callable[..., Any]) -> Callable[..., Any]:
    """Re-raise pymilvus/gRPC failures as BackendError naming the collection and the call."""

    @functools.wraps(method)
    def wrapper(self: MilvusStore, *args: Any, **kwargs: Any) -> Any:
        from pymilvus.exceptions import MilvusException

        try:
            return method(self, *args, **kwargs)
        except MilvusException as exc:
            raise BackendError(f"Milvus {method.__name__} on '{self.collection}' at {self.uri} failed: {exc}") from exc

    return wrapper


@dataclass(frozen=True)
class SearchHit:
    chunk_id: str
    score: float
    text: str
    metadata: dict[str, Any]


FilterValue = str | int | float | bool | Sequence[str | int | float]


def filter_expression(filters: Mapping[str, FilterValue] | None) -> str:
    """`{"doc_type": "passport", "group": ["a", "b"]}` -> a Milvus boolean expression."""
    if not filters:
        return ""
    parts = []
    for key, value in filters.items():
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", key):
            raise BackendError(f"invalid filter key {key!r}")
        field = key if key in SCALAR_FIELDS else f'meta["{key}"]'
        if isinstance(value, (list, tuple)):
            parts.append(f"{field} in {json.dumps(list(value))}")
        else:
            parts.append(f"{field} == {json.dumps(value)}")
    return " and ".join(parts)


def collection_name(domain: str, embedder_id: str) -> str:
    """One collection per domain and embedder: vectors of different models never mix."""
    return re.sub(r"[^A-Za-z0-9_]", "_", f"rs_{domain}_{embedder_id}")


class MilvusStore:
    """Upsert, delete, dense and BM25 search on one collection.

    Usage:
        store = MilvusStore(uri="/tmp/rs/milvus.db", collection="rs_demo_st", dimension=384)
        store.warm_up()
        store.upsert(chunks, vectors); store.flush()
        hits = store.search_dense(query_vector, k=5, filters={"doc_type": "passport"})
    """

    def __init__(
        self, *, uri: str | Path, collection: str, dimension: int,
        index_type: str = "HNSW", insert_batch_size: int = 512,
    ) -> None:
        self.uri = str(uri)
        self.collection = collection
        self.dimension = dimension
        self.index_type = index_type
        self.insert_batch_size = insert_batch_size
        self._client: Any = None

    # -- lifecycle ------------------------------------------------------------------------------

    def warm_up(self) -> None:
        if self._client is not None:
            return
        from pymilvus import MilvusClient

        if "://" not in self.uri:
            Path(self.uri).expanduser().parent.mkdir(parents=True, exist_ok=True)
        try:
            self._client = MilvusClient(uri=self.uri, grpc_options=GRPC_OPTIONS)
        except Exception as exc:  # pymilvus raises its own and grpc errors; name the store
            raise BackendError(f"cannot open Milvus at {self.uri}: {exc}") from exc
        if not self._client.has_collection(self.collection):
            self._create_collection()
        else:  # a collection from an earlier process starts released; searches need it loaded
            self._client.load_collection(self.collection)

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None

    @property
    def client(self) -> Any:
        self.warm_up()
        return self._client

    def _create_collection(self) -> None:
        from pymilvus import DataType, Function, FunctionType

        client = self._client
        schema = client.create_schema(auto_id=False, enable_dynamic_field=False)
        schema.add_field("id", DataType.VARCHAR, is_primary=True, max_length=64)
        schema.add_field("text", DataType.VARCHAR, max_length=_MAX_VARCHAR, enable_analyzer=True)
        schema.add_field("dense", DataType.FLOAT_VECTOR, dim=self.dimension)
        schema.add_field("sparse", DataType.SPARSE_FLOAT_VECTOR)
        for name in ("doc_id", "source", "group"):
            schema.add_field(name, DataType.VARCHAR, max_length=1024)
        for name in ("content_hash", "domain", "doc_type"):
            schema.add_field(name, DataType.VARCHAR, max_length=128)
        schema.add_field("page", DataType.INT64)
        schema.add_field("position", DataType.INT64)
        schema.add_field("meta", DataType.JSON)
        schema.add_function(Function(
            name="bm25", function_type=FunctionType.BM25,
            input_field_names=["text"], output_field_names=["sparse"],
        ))
        index = client.prepare_index_params()
        params = {"M": 16, "efConstruction": 200} if self.index_type == "HNSW" else {}
        index.add_index(field_name="dense", index_type=self.index_type, metric_type="IP", params=params)
        index.add_index(field_name="sparse", index_type="SPARSE_INVERTED_INDEX", metric_type="BM25")
        index.add_index(field_name="doc_id", index_type="INVERTED")
        client.create_collection(self.collection, schema=schema, index_params=index)

    # -- writes ---------------------------------------------------------------------------------

    @_backend_errors
    def upsert(self, chunks: Sequence[Chunk], vectors: np.ndarray) -> int:
        """Insert chunks with their vectors in batches that stay far below gRPC's 64 MB."""
        if len(chunks) != len(vectors):
            raise BackendError(f"{len(chunks)} chunks but {len(vectors)} vectors")
        rows = [self._row(chunk, vector) for chunk, vector in zip(chunks, vectors, strict=True)]
        for start in range(0, len(rows), self.insert_batch_size):
            self.client.upsert(self.collection, rows[start : start + self.insert_batch_size])
        return len(rows)

    @staticmethod
    def _row(chunk: Chunk, vector: np.ndarray) -> dict[str, Any]:
        meta = dict(chunk.metadata)
        text = chunk.text.encode("utf-8")[: _MAX_VARCHAR - 1].decode("utf-8", "ignore")
        return {
            "id": chunk.chunk_id,
            "text": text,
            "dense": vector.tolist(),
            "doc_id": chunk.doc_id,
            "content_hash": chunk.content_hash,
            "source": str(meta.pop("source", "")),
            "domain": str(meta.pop("domain", "")),
            "doc_type": str(meta.pop("doc_type", "")),
            "group": str(meta.pop("group", "")),
            "page": int(chunk.page),
            "position": int(chunk.position),
            "meta": meta,
        }

    @_backend_errors
    def delete_document(self, doc_id: str) -> int:
        """Delete a document's chunks; returns how many there were (delete's own return
        value differs between pymilvus versions and Lite, so count first)."""
        existing = self.count({"doc_id": doc_id})
        if existing:
            self.client.delete(self.collection, filter=filter_expression({"doc_id": doc_id}))
        return existing

    @_backend_errors
    def flush(self) -> None:
        self.client.flush(self.collection)

    # -- reads ----------------------------------------------------------------------------------

    @_backend_errors
    def document_hashes(self, doc_ids: Sequence[str]) -> dict[str, str]:
        """doc_id -> content_hash of what is stored, for the idempotency check."""
        if not doc_ids:
            return {}
        rows = self.client.query(
            self.collection, filter=f"doc_id in {json.dumps(list(doc_ids))}",
            output_fields=["doc_id", "content_hash"],
        )
        return {row["doc_id"]: row["content_hash"] for row in rows}

    @_backend_errors
    def count(self, filters: Mapping[str, FilterValue] | None = None) -> int:
        rows = self.client.query(
            self.collection, filter=filter_expression(filters) or 'id != ""',
            output_fields=["count(*)"],
        )
        return int(rows[0]["count(*)"])

    def search_dense(
        self, vector: np.ndarray, *, k: int, filters: Mapping[str, FilterValue] | None = None
    ) -> list[SearchHit]:
        return self._search([np.asarray(vector, dtype=np.float32).tolist()], "dense", "IP", k, filters)

    def search_text(
        self, query: str, *, k: int, filters: Mapping[str, FilterValue] | None = None
    ) -> list[SearchHit]:
        """BM25 over the chunk text, computed by Milvus from the schema's BM25 function."""
        if not query.strip():
            return []
        return self._search([query], "sparse", "BM25", k, filters)

    @_backend_errors
    def _search(
        self, data: list[Any], field: str, metric: str, k: int,
        filters: Mapping[str, FilterValue] | None,
    ) -> list[SearchHit]:
        results = self.client.search(
            self.collection, data=data, anns_field=field, limit=k,
            filter=filter_expression(filters), output_fields=OUTPUT_FIELDS,
            search_params={"metric_type": metric},
        )
        hits = []
        for hit in results[0]:
            entity = dict(hit["entity"])
            text = entity.pop("text")
            meta = entity.pop("meta") or {}
            hits.append(SearchHit(str(hit["id"]), float(hit["distance"]), text, {**entity, **meta}))
        return hits
