"""Split documents into chunks sized to the embedder's window.

Why LlamaIndex's `SentenceSplitter` with 200-token chunks: it keeps sentences whole and is
the integration layer teams already know; its 1024-token default would leave most of each
chunk unread by MiniLM (256 word-pieces), which measurably hurts retrieval (ENVIRONMENT.md).
Chunks never cross a section (PDF page / record), so every chunk has one page number.
"""
from __future__ import annotations

from functools import lru_cache

from pipelines.documents import Chunk, Document, chunk_id


@lru_cache(maxsize=8)
def _splitter(chunk_size: int, chunk_overlap: int):  # noqa: ANN202 - LlamaIndex type, lazy import
    from llama_index.core.node_parser import SentenceSplitter

    return SentenceSplitter(chunk_size=chunk_size, chunk_overlap=min(chunk_overlap, chunk_size // 2))


def chunk_document(
    document: Document, *, embedder_id: str, chunk_size: int = 200, chunk_overlap: int = 40
) -> list[Chunk]:
    splitter = _splitter(chunk_size, chunk_overlap)
    content_hash = document.content_hash
    chunks: list[Chunk] = []
    for section in document.sections:
        for piece in splitter.split_text(section.text):
            if not piece.strip():
                continue
            position = len(chunks)
            chunks.append(
                Chunk(
                    chunk_id=chunk_id(content_hash, position, embedder_id),
                    doc_id=document.doc_id,
                    text=piece,
                    position=position,
                    page=section.page,
                    content_hash=content_hash,
                    metadata=dict(document.metadata),
                )
            )
    return chunks
