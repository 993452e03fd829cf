"""Milvus store: Milvus Lite files, Milvus 2.3+ standalone servers and distributed clusters.

Why pymilvus directly instead of LlamaIndex's `MilvusVectorStore`: we need BM25 through a
schema `Function`, stable caller-chosen primary keys, delete-by-document, inserts batched by
bytes under gRPC's 64 MB limit and an explicit `flush()` (unflushed rows are brute-forced:
225 ms vs 4 ms at 10k rows, ENVIRONMENT.md). The integration hides or gets those wrong in
some versions.

Two ways to get BM25 (`bm25` in the config):
- `server`: the collection has a BM25 function and a sparse field; Milvus scores (Lite, 2.5+).
- `client`: each row stores its distinct terms, the repeated ones with their counts, and its
  length; a side collection `<collection>__bm25` holds document frequencies and lengths;
  `search_text` fetches (id, count, length) term by term and scores exactly on the client
  (`bm25.top_k`). Works on any server with ARRAY fields (2.3+), and ranks like `server` mode
  on the same corpus.
"""
from __future__ import annotations

import functools
import json
import logging
import os
import re
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np

from rightsized.pipelines.config import MilvusLiteStoreConfig, MilvusServerStoreConfig
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
from rightsized.pipelines.stores.bm25 import Posting

# Without a long keepalive, a new client on the same Lite path fails after ~100 s idle.
GRPC_OPTIONS = {"grpc.keepalive_time_ms": 3_600_000}
RECORD_FIELDS = ["id", "text", "dense", *SCALAR_FIELDS, "meta"]
_MAX_VARCHAR = 65_535
_MAX_TERMS = 4096  # ARRAY capacity limit
_MAX_TERM_CHARS = 64
_QUERY_LIMIT = 16_384  # Milvus caps offset + limit of one query
_KEYS_PER_QUERY = 1000
_POSTING_FIELDS = ["id", "terms", "rep", "n_terms"]

MilvusConfig = MilvusLiteStoreConfig | MilvusServerStoreConfig


def _backend_errors(method: Callable[..., Any]) -> Callable[..., Any]:
    """Re-raise pymilvus/gRPC failures as BackendError naming the collection and the call."""

    @functools.wraps(method)
    def wrapper(self: MilvusStore, *args: Any, **kwargs: Any) -> Any:
        from pymilvus.exceptions import MilvusException

        try:
            return method(self, *args, **kwargs)
        except MilvusException as exc:
            raise BackendError(f"Milvus {method.__name__} on '{self.collection}' at {self.location} failed: {exc}") from exc

    return wrapper


def filter_expression(filters: Mapping[str, FilterValue] | None) -> str:
    """`{"doc_type": "passport", "group": ["a", "b"]}` -> a Milvus boolean expression."""
    check_filter_keys(filters)
    parts = []
    for key, value in (filters or {}).items():
        field = key if key in SCALAR_FIELDS else f'meta["{key}"]'
        if isinstance(value, (list, tuple)):
            parts.append(f"{field} in {json.dumps(list(value))}")
        else:
            parts.append(f"{field} == {json.dumps(value)}")
    return " and ".join(parts)


def _repeated(rep: Sequence[str]) -> dict[str, int]:
    """["valve 3", "leak 2"] -> {"valve": 3, "leak": 2}."""
    return {term: int(count) for term, _, count in (entry.rpartition(" ") for entry in rep)}


def _and(*expressions: str) -> str:
    return " and ".join(f"({e})" for e in expressions if e)


def server_supports_bm25(version: str) -> bool:
    """'v2.3.5-lite' -> False, 'v2.5.16' -> True. Milvus Lite reports its own version line."""
    match = re.search(r"(\d+)\.(\d+)", version)
    return bool(match) and (int(match.group(1)), int(match.group(2))) >= (2, 5)


def connection_kwargs(config: MilvusServerStoreConfig) -> dict[str, Any]:
    """Client arguments for a server; secrets read from the environment, never from config."""
    kwargs: dict[str, Any] = {"uri": config.uri, "db_name": config.db_name, "timeout": config.timeout_s}
    token = os.environ.get(config.token_env)
    if token:
        kwargs["token"] = token
    elif config.user:
        password = os.environ.get(config.password_env)
        if password is None:
            raise BackendError(f"Milvus user '{config.user}' given but ${config.password_env} is not set")
        kwargs.update(user=config.user, password=password)
    if config.secure or config.uri.startswith("https://"):
        kwargs["secure"] = True
        for name in ("server_name", "ca_pem_path", "client_pem_path", "client_key_path", "server_pem_path"):
            value = getattr(config, name)
            if value is not None:
                kwargs[name] = str(value)
    return kwargs


def connect(config: MilvusConfig, uri: str | Path) -> Any:
    """A `MilvusClient` for a server (credentials from the environment) or a Lite path; every
    failure to connect becomes a BackendError naming where."""
    from pymilvus import MilvusClient

    kwargs = connection_kwargs(config) if isinstance(config, MilvusServerStoreConfig) else {"uri": str(uri)}
    try:
        return MilvusClient(**kwargs, grpc_options=GRPC_OPTIONS)
    except Exception as exc:  # pymilvus raises its own and grpc errors; name the store
        raise BackendError(f"cannot open Milvus at {uri}: {exc}") from exc


def _terms(text: str) -> list[str]:
    """BM25 tokens as stored in `client` mode (ARRAY elements are capped in length)."""
    return [token[:_MAX_TERM_CHARS] for token in bm25.tokenize(text)]


class _CounterCollection:
    """`bm25.CounterTable` kept in a small Milvus collection beside the chunk collection, read at
    the collection's consistency level (`TermStats` answers this process's own writes)."""

    def __init__(self, client: Any, name: str, consistency: dict[str, str]) -> None:
        self.client = client
        self.name = name
        self.consistency = consistency

    def ensure(self) -> None:
        from pymilvus import DataType

        if self.client.has_collection(self.name):
            self.client.load_collection(self.name)
            return
        schema = self.client.create_schema(auto_id=False, enable_dynamic_field=False)
        schema.add_field("key", DataType.VARCHAR, is_primary=True, max_length=_MAX_TERM_CHARS + 8)
        schema.add_field("value", DataType.INT64)
        schema.add_field("v", DataType.FLOAT_VECTOR, dim=2)  # Milvus 2.3 requires a vector field
        index = self.client.prepare_index_params()
        index.add_index(field_name="v", index_type="FLAT", metric_type="L2")
        self.client.create_collection(self.name, schema=schema, index_params=index, **self.consistency)

    def get_counts(self, keys: Sequence[str]) -> dict[str, int]:
        counts: dict[str, int] = {}
        for start in range(0, len(keys), _KEYS_PER_QUERY):
            rows = self.client.query(
                self.name, filter=f"key in {json.dumps(list(keys[start:start + _KEYS_PER_QUERY]))}",
                output_fields=["key", "value"],
            )
            counts.update({row["key"]: int(row["value"]) for row in rows})
        return counts

    def put_counts(self, counts: Mapping[str, int]) -> None:
        rows = [{"key": key, "value": int(value), "v": [0.0, 0.0]} for key, value in counts.items()]
        for start in range(0, len(rows), _KEYS_PER_QUERY):
            self.client.upsert(self.name, rows[start:start + _KEYS_PER_QUERY])


@contextmanager
def _quiet_pymilvus() -> Iterator[None]:
    """query_iterator logs a warning on every 2.3 call (no mvcc timestamp); it is harmless."""
    logger = logging.getLogger("pymilvus")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)


class MilvusStore:
    """Upsert, delete, dense and BM25 search on one collection.

    Usage:
        store = MilvusStore(uri="/tmp/rs/milvus.db", collection="rs_demo_st", dimension=384)
        store.warm_up()
        store.upsert(records); store.flush()
        hits = store.search_dense(query_vector, k=5, filters={"doc_type": "passport"})
    """

    def __init__(
        self, *, uri: str | Path, collection: str, dimension: int, config: MilvusConfig | None = None,
    ) -> None:
        self.config = config or MilvusLiteStoreConfig()
        self.uri = str(uri)
        self.collection = collection
        self.dimension = dimension
        self._client: Any = None
        self._stats: bm25.TermStats | None = None
        self._upserted: set[str] = set()
        self.bm25_mode: str | None = None

    @classmethod
    def for_server(cls, config: MilvusServerStoreConfig, *, collection: str, dimension: int) -> MilvusStore:
        return cls(uri=config.uri, collection=collection, dimension=dimension, config=config)

    @property
    def is_server(self) -> bool:
        return isinstance(self.config, MilvusServerStoreConfig)

    @property
    def location(self) -> str:
        return self.uri

    # -- lifecycle ------------------------------------------------------------------------------

    def warm_up(self) -> None:
        if self._client is not None:
            return
        if not self.is_server:
            Path(self.uri).expanduser().parent.mkdir(parents=True, exist_ok=True)
        self._client = connect(self.config, self.uri)
        self._open_collection()

    @_backend_errors
    def _open_collection(self) -> None:
        client = self._client
        if client.has_collection(self.collection):
            fields = {f["name"] for f in client.describe_collection(self.collection)["fields"]}
            self.bm25_mode = "server" if "sparse" in fields else "client"
            # a collection from an earlier process starts released; searches need it loaded
            client.load_collection(self.collection)
        else:
            self.bm25_mode = self._choose_bm25_mode()
            self._create_collection()
        if self.bm25_mode == "client":
            counters = _CounterCollection(client, f"{self.collection}__bm25", self.consistency)
            counters.ensure()
            self._stats = bm25.TermStats(counters)

    def _choose_bm25_mode(self) -> str:
        wanted = self.config.bm25
        if wanted == "client":
            return "client"
        if not self.is_server:
            return "server"
        version = self._client.get_server_version()
        if server_supports_bm25(version):
            return "server"
        if wanted == "server":
            raise BackendError(f"Milvus at {self.uri} ({version}) has no BM25 function "
                               "(needs 2.5+); set store.bm25 to 'client' or 'auto'")
        return "client"

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None

    def drop(self) -> None:
        """Delete the collection and its BM25 side collection (benchmarks, tests)."""
        self.client.drop_collection(self.collection)
        if self._stats is not None:
            self.client.drop_collection(f"{self.collection}__bm25")

    @property
    def client(self) -> Any:
        self.warm_up()
        return self._client

    def _create_collection(self) -> None:
        from pymilvus import DataType, Function, FunctionType

        client = self._client
        server_bm25 = self.bm25_mode == "server"
        schema = client.create_schema(auto_id=False, enable_dynamic_field=False)
        schema.add_field("id", DataType.VARCHAR, is_primary=True, max_length=64)
        text_options = {"enable_analyzer": True} if server_bm25 else {}
        schema.add_field("text", DataType.VARCHAR, max_length=_MAX_VARCHAR, **text_options)
        schema.add_field("dense", DataType.FLOAT_VECTOR, dim=self.dimension)
        for name in ("doc_id", "source", "group"):
            schema.add_field(name, DataType.VARCHAR, max_length=1024)
        for name in ("content_hash", "domain", "doc_type"):
            schema.add_field(name, DataType.VARCHAR, max_length=128)
        schema.add_field("page", DataType.INT64)
        schema.add_field("position", DataType.INT64)
        schema.add_field("meta", DataType.JSON)
        index = client.prepare_index_params()
        params = self.config.index_params if self.config.index_type != "AUTOINDEX" else {}
        index.add_index(field_name="dense", index_type=self.config.index_type, metric_type="IP", params=params)
        if server_bm25:
            schema.add_field("sparse", DataType.SPARSE_FLOAT_VECTOR)
            schema.add_function(Function(
                name="bm25", function_type=FunctionType.BM25,
                input_field_names=["text"], output_field_names=["sparse"],
            ))
            index.add_index(field_name="sparse", index_type="SPARSE_INVERTED_INDEX", metric_type="BM25")
            index.add_index(field_name="doc_id", index_type="INVERTED")  # 2.4+, like the function
        else:
            schema.add_field("terms", DataType.ARRAY, element_type=DataType.VARCHAR,
                             max_capacity=_MAX_TERMS, max_length=_MAX_TERM_CHARS)
            # "term count" for terms occurring more than once: tf is 1 for every other term.
            schema.add_field("rep", DataType.ARRAY, element_type=DataType.VARCHAR,
                             max_capacity=_MAX_TERMS, max_length=_MAX_TERM_CHARS + 12)
            schema.add_field("n_terms", DataType.INT64)
        client.create_collection(self.collection, schema=schema, index_params=index, **self.consistency)

    @property
    def consistency(self) -> dict[str, str]:
        """Collection consistency for servers (Lite has a single writer and ignores it)."""
        if isinstance(self.config, MilvusServerStoreConfig):  # narrows the type for consistency_level
            return {"consistency_level": self.config.consistency_level}
        return {}

    @property
    def strong(self) -> dict[str, str]:
        """For bookkeeping reads (what is stored, counters to update): measured on 2.3.5, a
        Session read does not see a delete-by-filter just made; searches keep the configured level."""
        return {"consistency_level": "Strong"} if self.is_server else {}

    # -- writes ---------------------------------------------------------------------------------

    @_backend_errors
    def upsert(self, records: Sequence[Record]) -> int:
        """Upsert records in batches sized by rows and bytes (gRPC refuses messages > 64 MB)."""
        max_bytes = int(self.config.max_batch_mb * 1024 * 1024)
        for batch in size_batches(records, max_rows=self.config.insert_batch_size, max_bytes=max_bytes):
            if self._stats is None:
                self.client.upsert(self.collection, [self.row(r) for r in batch])
                continue
            ids = [r.id for r in batch]
            # Ids this process wrote need a Strong read to see themselves; older ones do not.
            again = self._upserted.intersection(ids)
            replaced = self._postings(self.client.get(
                self.collection, ids=ids, output_fields=_POSTING_FIELDS, **(self.strong if again else {}),
            ))
            rows = [self.row(r) for r in batch]
            self.client.upsert(self.collection, rows)
            self._upserted.update(ids)
            self._stats.apply(self._postings(rows), replaced)
        return len(records)

    def row(self, record: Record) -> dict[str, Any]:
        """The Milvus row for a record (with BM25 terms in `client` mode)."""
        check_text_bytes(record, _MAX_VARCHAR, f"Milvus collection '{self.collection}'")
        row = {"id": record.id, "text": record.text, "dense": record.vector, **record.scalars(), "meta": record.meta}
        if self.bm25_mode == "client":
            tokens = _terms(record.text)
            kept = list(Counter(tokens).items())[:_MAX_TERMS]
            row.update(terms=[t for t, _ in kept], rep=[f"{t} {c}" for t, c in kept if c > 1], n_terms=len(tokens))
        return row

    @staticmethod
    def _postings(rows: Sequence[Mapping[str, Any]]) -> list[Posting]:
        return [Posting(str(r["id"]), {**dict.fromkeys(r["terms"], 1), **_repeated(r["rep"])}, int(r["n_terms"]))
                for r in rows]

    @_backend_errors
    def delete_document(self, doc_id: str) -> int:
        """Delete a document's chunks; returns how many there were (delete's own return
        value differs between pymilvus versions and Lite, so count first)."""
        expression = filter_expression({"doc_id": doc_id})
        if self._stats is not None:
            removed = self._postings(self._query_all(expression, _POSTING_FIELDS, strong=True))
            if removed:
                self.client.delete(self.collection, filter=expression)
                self._stats.apply([], removed)
            return len(removed)
        existing = self.count({"doc_id": doc_id})
        if existing:
            self.client.delete(self.collection, filter=expression)
        return existing

    @_backend_errors
    def flush(self) -> None:
        self.client.flush(self.collection)  # the small counter collection is queried unflushed

    # -- reads ----------------------------------------------------------------------------------

    @_backend_errors
    def document_hashes(self, doc_ids: Sequence[str]) -> dict[str, str | None]:
        """doc_id -> content hash of a complete stored document, None for an incomplete one
        (`base.document_states`: every chunk is read, so a partial document cannot pass)."""
        states: dict[str, str | None] = {}
        for start in range(0, len(doc_ids), _KEYS_PER_QUERY):
            rows = self._query_all(
                f"doc_id in {json.dumps(list(doc_ids[start:start + _KEYS_PER_QUERY]))}",
                ["doc_id", "content_hash", "meta"], strong=True,
            )
            states.update(document_states(
                (row["doc_id"], row["content_hash"], (row["meta"] or {}).get(DOC_CHUNKS)) for row in rows
            ))
        return states

    @_backend_errors
    def count(self, filters: Mapping[str, FilterValue] | None = None) -> int:
        rows = self.client.query(
            self.collection, filter=filter_expression(filters) or 'id != ""',
            output_fields=["count(*)"], **self.strong,
        )
        return int(rows[0]["count(*)"])

    def _query_all(self, expression: str, fields: list[str], *, strong: bool = False) -> list[dict[str, Any]]:
        """Every row matching `expression`, past the 16,384-row cap of a single query."""
        rows = self.client.query(self.collection, filter=expression, output_fields=fields, limit=_QUERY_LIMIT,
                                 **(self.strong if strong else {}))
        if len(rows) < _QUERY_LIMIT:
            return rows
        return [row for batch in self._iterate(expression, fields, 4096) for row in batch]

    def _iterate(self, expression: str, fields: list[str], batch_size: int) -> Iterator[list[dict[str, Any]]]:
        with _quiet_pymilvus():
            iterator = self.client.query_iterator(
                self.collection, batch_size=batch_size, filter=expression, output_fields=fields,
            )
            try:
                while batch := iterator.next():
                    yield batch
            finally:
                iterator.close()

    def search_dense(
        self, vector: np.ndarray, *, k: int, filters: Mapping[str, FilterValue] | None = None
    ) -> list[SearchHit]:
        return self._search([np.asarray(vector, dtype=np.float32).tolist()], "dense", "IP", k, filters)

    def search_text(
        self, query: str, *, k: int, filters: Mapping[str, FilterValue] | None = None
    ) -> list[SearchHit]:
        """BM25 over the chunk text: by Milvus (`server` mode) or exactly on the client."""
        if not query.strip():
            return []
        if self._stats is None:
            return self._search([query], "sparse", "BM25", k, filters)
        return self._search_text_client(query, k, filters)

    @_backend_errors
    def _search_text_client(self, query: str, k: int, filters: Mapping[str, FilterValue] | None) -> list[SearchHit]:
        assert self._stats is not None
        tokens = _terms(query)
        stats = self._stats.lookup(tokens)
        base = filter_expression(filters)

        def postings(term: str) -> list[tuple[str, int, int]]:
            expression = _and(f"array_contains(terms, {json.dumps(term)})", base)
            rows = self._query_all(expression, ["id", "rep", "n_terms"])
            return [(str(r["id"]), _repeated(r["rep"]).get(term, 1), int(r["n_terms"])) for r in rows]

        ranked = bm25.top_k(tokens, stats, k, postings)
        records = self.fetch([chunk_id for chunk_id, _ in ranked])
        return [records[chunk_id].hit(score) for chunk_id, score in ranked if chunk_id in records]

    @_backend_errors
    def _search(
        self, data: list[Any], field: str, metric: str, k: int,
        filters: Mapping[str, FilterValue] | None,
    ) -> list[SearchHit]:
        params: dict[str, Any] = {"metric_type": metric}
        if field == "dense" and self.config.search_params:
            params["params"] = dict(self.config.search_params)
        results = self.client.search(
            self.collection, data=data, anns_field=field, limit=k,
            filter=filter_expression(filters), output_fields=[f for f in RECORD_FIELDS if f != "dense"],
            search_params=params,
        )
        hits = []
        for hit in results[0]:
            entity = dict(hit["entity"])
            text = entity.pop("text")
            meta = entity.pop("meta") or {}
            entity.pop("id", None)
            # Milvus Lite reports BM25 as a negative distance, servers as a positive score.
            score = abs(float(hit["distance"])) if metric == "BM25" else float(hit["distance"])
            hits.append(SearchHit(str(hit["id"]), score, text, {**entity, **meta}))
        return hits

    # -- migration ------------------------------------------------------------------------------

    def iter_records(self, batch_size: int = 500) -> Iterator[list[Record]]:
        """Every stored record with its vector, in batches (for `rightsized migrate`)."""
        from pymilvus.exceptions import MilvusException

        try:
            for batch in self._iterate('id != ""', RECORD_FIELDS, batch_size):
                yield [self._record(row) for row in batch]
        except MilvusException as exc:
            raise BackendError(f"Milvus export of '{self.collection}' at {self.uri} failed: {exc}") from exc

    @_backend_errors
    def fetch(self, ids: Sequence[str]) -> dict[str, Record]:
        records: dict[str, Record] = {}
        for start in range(0, len(ids), _KEYS_PER_QUERY):
            rows = self.client.get(self.collection, ids=list(ids[start:start + _KEYS_PER_QUERY]),
                                   output_fields=RECORD_FIELDS)
            records.update({str(row["id"]): self._record(row) for row in rows})
        return records

    @staticmethod
    def _record(row: Mapping[str, Any]) -> Record:
        return Record(
            id=str(row["id"]), text=row["text"], vector=[float(x) for x in row["dense"]],
            meta=dict(row.get("meta") or {}), **{name: row[name] for name in SCALAR_FIELDS},
        )
