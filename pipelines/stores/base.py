"""What every vector store backend offers, and the record it stores.

Why one protocol with search_dense/search_text instead of each backend's own hybrid search:
fusion happens in `pipelines.retrieval`, so Milvus Lite, a Milvus server (with or without the
BM25 function) and Pinecone give the same pipeline the same two ranked lists to fuse, and
`rightsized migrate` can copy any backend into any other through `iter_records`/`upsert`.
"""
from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np

from rightsized.pipelines.documents import Chunk
from rightsized.pipelines.errors import BackendError

# Scalar fields every chunk has; anything else a domain adds travels in `meta`.
SCALAR_FIELDS = ("doc_id", "content_hash", "source", "domain", "doc_type", "group", "page", "position")
# The `meta` key holding how many chunks the record's document has. In `meta`, not a scalar
# field, so collections created before it existed take it without a schema change.
DOC_CHUNKS = "doc_chunks"

FilterValue = str | int | float | bool | Sequence[str | int | float]


@dataclass(frozen=True)
class SearchHit:
    chunk_id: str
    score: float
    text: str
    metadata: dict[str, Any]


@dataclass(frozen=True)
class Record:
    """One stored chunk: id, text, dense vector and metadata, independent of the backend."""

    id: str
    text: str
    vector: list[float]
    doc_id: str
    content_hash: str
    source: str = ""
    domain: str = ""
    doc_type: str = ""
    group: str = ""
    page: int = 0
    position: int = 0
    meta: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_chunk(cls, chunk: Chunk, vector: np.ndarray | Sequence[float]) -> Record:
        meta = {**chunk.metadata, DOC_CHUNKS: chunk.doc_chunks}
        return cls(
            id=chunk.chunk_id, text=chunk.text,
            vector=[float(x) for x in np.asarray(vector, dtype=np.float32)],
            doc_id=chunk.doc_id, content_hash=chunk.content_hash,
            source=str(meta.pop("source", "")), domain=str(meta.pop("domain", "")),
            doc_type=str(meta.pop("doc_type", "")), group=str(meta.pop("group", "")),
            page=int(chunk.page), position=int(chunk.position), meta=meta,
        )

    def scalars(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in SCALAR_FIELDS}

    def hit(self, score: float) -> SearchHit:
        return SearchHit(self.id, score, self.text, {**self.scalars(), **self.meta})


def records_from(chunks: Sequence[Chunk], vectors: np.ndarray) -> list[Record]:
    if len(chunks) != len(vectors):
        raise BackendError(f"{len(chunks)} chunks but {len(vectors)} vectors")
    return [Record.from_chunk(chunk, vector) for chunk, vector in zip(chunks, vectors, strict=True)]


def document_states(chunks: Iterable[tuple[str, str, Any]]) -> dict[str, str | None]:
    """(doc_id, content_hash, `meta[DOC_CHUNKS]`) of every stored chunk -> doc_id -> its content
    hash when the document is complete, None when it is not.

    Complete: all its chunks carry one content hash and one total, and that total is how many
    are stored. Anything else (a write killed half-way, a replacement interrupted between
    deleting and writing) is incomplete, for the caller to delete and write again: the hash
    alone cannot tell, because every chunk of a partial document carries the whole document's
    hash. Chunks written before totals existed carry none; a document whose chunks all lack
    it is trusted as complete, as it was then (re-ingesting every existing collection once
    would cost a full re-embed for the rare document a crash cut short).
    """
    hashes: dict[str, set[str]] = {}
    totals: dict[str, set[Any]] = {}
    counts: dict[str, int] = {}
    for doc_id, content_hash, total in chunks:
        hashes.setdefault(doc_id, set()).add(content_hash)
        totals.setdefault(doc_id, set()).add(total)
        counts[doc_id] = counts.get(doc_id, 0) + 1
    states: dict[str, str | None] = {}
    for doc_id, seen in hashes.items():
        complete = len(seen) == 1 and totals[doc_id] in ({None}, {counts[doc_id]})
        states[doc_id] = next(iter(seen)) if complete else None
    return states


def check_text_bytes(record: Record, limit: int, where: str) -> None:
    """Refuse a text the store would cut: a truncated chunk silently loses what it said.
    The ingest pipeline cuts chunks to `MAX_CHUNK_BYTES`, within every store's limit."""
    size = len(record.text.encode("utf-8"))
    if size > limit:
        raise BackendError(f"record {record.id} of {record.doc_id}: text of {size:,} bytes is over "
                           f"{where}'s limit of {limit:,} bytes (UTF-8); split it, it is never truncated")


USER_PREFIX = "rs"
EVAL_PREFIX = "rseval"  # eval and demo data: never in the user's collections (`migrate` copies rs_* only)


def collection_name(domain: str, embedder_id: str, prefix: str = USER_PREFIX) -> str:
    """One collection (Pinecone: namespace) per prefix, domain and embedder: vectors of different
    models never mix, and evaluation corpora never land beside the user's documents."""
    return re.sub(r"[^A-Za-z0-9_]", "_", f"{prefix}_{domain}_{embedder_id}")


def check_filter_keys(filters: Mapping[str, FilterValue] | None) -> None:
    """Filter keys end up inside backend expressions: allow identifiers only."""
    for key in filters or {}:
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", key):
            raise BackendError(f"invalid filter key {key!r}")


def record_bytes(record: Record) -> int:
    """Rough wire size of a record, for batching under a transport's message limit."""
    return 4 * len(record.vector) + len(record.text.encode("utf-8")) + len(json.dumps(record.meta)) + 512


def size_batches(records: Sequence[Record], *, max_rows: int, max_bytes: int) -> Iterator[list[Record]]:
    """Split records into batches of at most `max_rows` rows and about `max_bytes` bytes."""
    batch: list[Record] = []
    size = 0
    for record in records:
        weight = record_bytes(record)
        if batch and (len(batch) >= max_rows or size + weight > max_bytes):
            yield batch
            batch, size = [], 0
        batch.append(record)
        size += weight
    if batch:
        yield batch


class VectorStore(Protocol):
    """One collection (Milvus) or namespace (Pinecone) of chunks for one domain and embedder."""

    location: str
    collection: str

    def warm_up(self) -> None: ...
    def close(self) -> None: ...
    def upsert(self, records: Sequence[Record]) -> int: ...
    def delete_document(self, doc_id: str) -> int: ...
    def flush(self) -> None: ...
    def document_hashes(self, doc_ids: Sequence[str]) -> dict[str, str | None]:
        """doc_id -> content hash of each stored document, None for one stored incompletely
        (`document_states`); documents with no chunk stored are absent."""
        ...
    def count(self, filters: Mapping[str, FilterValue] | None = None) -> int: ...
    def search_dense(
        self, vector: np.ndarray, *, k: int, filters: Mapping[str, FilterValue] | None = None
    ) -> list[SearchHit]: ...
    def search_text(
        self, query: str, *, k: int, filters: Mapping[str, FilterValue] | None = None
    ) -> list[SearchHit]: ...
    def iter_records(self, batch_size: int = 500) -> Iterator[list[Record]]: ...
    def fetch(self, ids: Sequence[str]) -> dict[str, Record]: ...
