"""What flows through rightsized: a loaded `Document` (one file) and its `Chunk`s.

Why ids look the way they do: `doc_id` is the file's path relative to the ingest root, so a
changed file keeps its identity and replaces its chunks; a chunk id hashes the document's
content hash, the chunk's position and the embedder id behind a prefix derived from the doc_id,
so re-ingesting an unchanged file produces the same ids and is a no-op, two copies of one file
at different paths do not overwrite each other, and a document's chunks share an id prefix.
Why every chunk carries `doc_chunks` (how many chunks its document has): a write interrupted
half-way leaves chunks that each carry the document's content hash, so only the count tells a
partial document from a whole one (`stores.base.document_states`).
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

# The most UTF-8 bytes of text one chunk may hold, within every backend's limit: Milvus takes
# 65,535 bytes; Pinecone 40 KB of metadata per record, measured on JSON that escapes each
# non-ASCII character as \uXXXX (up to 3x its UTF-8 size), so 12,000 bytes of any printable
# text stay under 36 KB and leave room for the other fields. Chunks are cut to fit, never
# truncated; one limit for all stores keeps chunk ids the same on each and lets `migrate` copy
# any chunk anywhere. Ordinary 200-word chunks are about 1.3 KB; only runs of huge "words"
# (a base64 blob, unspaced CJK text) reach it, and embedders read far less of a chunk anyway.
MAX_CHUNK_BYTES = 12_000
_HASH_SLICE = 1 << 20  # characters encoded at a time: hashing a 50 MB text needs no 50 MB copy


@dataclass(frozen=True)
class Section:
    """A unit of text with its location: a PDF page, a CSV/JSON record, or a whole text file."""

    text: str
    page: int = 0  # 1-based PDF page or record number; 0 when the file has no such unit


@dataclass(frozen=True)
class Document:
    doc_id: str
    source: str
    sections: tuple[Section, ...]
    metadata: dict[str, Any] = field(default_factory=dict)
    # Set when `sections` were derived from the loaded text (redacted): the document is stored
    # under the loaded text's hash salted with how it was derived, so an unchanged file is
    # recognised without deriving its text again, and a new derivation replaces the old chunks.
    derived_hash: str | None = None

    @property
    def text(self) -> str:
        return "\n\n".join(s.text for s in self.sections)

    @cached_property
    def content_hash(self) -> str:
        """sha256 of every section as `page NUL text SOH`, encoded a slice at a time (the same
        bytes as encoding it whole, so stored hashes stay valid) and computed once; the
        `derived_hash` when one is set."""
        if self.derived_hash is not None:
            return self.derived_hash
        digest = hashlib.sha256()
        for section in self.sections:
            digest.update(f"{section.page}\x00".encode())
            for start in range(0, len(section.text), _HASH_SLICE):
                digest.update(section.text[start:start + _HASH_SLICE].encode())
            digest.update(b"\x01")
        return digest.hexdigest()[:32]


@dataclass(frozen=True)
class Chunk:
    chunk_id: str
    doc_id: str
    text: str
    position: int
    page: int
    content_hash: str
    doc_chunks: int  # how many chunks the whole document has (module docstring)
    metadata: dict[str, Any] = field(default_factory=dict)


def doc_prefix(doc_id: str) -> str:
    """The id prefix all chunks of a document share: lets stores without delete-by-filter or
    count-by-filter (Pinecone serverless) list a document's chunks by prefix."""
    return hashlib.sha256(doc_id.encode()).hexdigest()[:16] + "-"


def chunk_id(doc_id: str, content_hash: str, position: int, embedder_id: str) -> str:
    """Stable id: same document, content, position and embedder -> same id (module docstring)."""
    digest = hashlib.sha256(f"{content_hash}:{position}:{embedder_id}".encode()).hexdigest()[:32]
    return doc_prefix(doc_id) + digest
