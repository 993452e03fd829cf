"""What flows through rightsized: a loaded `Document` (one file) and its `Chunk`s.

Why ids look the way they do: `doc_id` is the file's path relative to the ingest root, so a
changed file keeps its identity and replaces its chunks; a chunk id hashes the document's
content hash, the chunk's position and the embedder id behind a prefix derived from the doc_id,
so re-ingesting an unchanged file produces the same ids and is a no-op, two copies of one file
at different paths do not overwrite each other, and a document's chunks share an id prefix.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any


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

    @property
    def text(self) -> str:
        return "\n\n".join(s.text for s in self.sections)

    @property
    def content_hash(self) -> str:
        digest = hashlib.sha256()
        for section in self.sections:
            digest.update(f"{section.page}\x00{section.text}\x01".encode())
        return digest.hexdigest()[:32]


@dataclass(frozen=True)
class Chunk:
    chunk_id: str
    doc_id: str
    text: str
    position: int
    page: int
    content_hash: str
    metadata: dict[str, Any] = field(default_factory=dict)


def doc_prefix(doc_id: str) -> str:
    """The id prefix all chunks of a document share: lets stores without delete-by-filter or
    count-by-filter (Pinecone serverless) list a document's chunks by prefix."""
    return hashlib.sha256(doc_id.encode()).hexdigest()[:16] + "-"


def chunk_id(doc_id: str, content_hash: str, position: int, embedder_id: str) -> str:
    """Stable id: same document, content, position and embedder -> same id (module docstring)."""
    digest = hashlib.sha256(f"{content_hash}:{position}:{embedder_id}".encode()).hexdigest()[:32]
    return doc_prefix(doc_id) + digest
