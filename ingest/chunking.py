"""Split documents into chunks sized to the embedder's window.

Why LlamaIndex's `SentenceSplitter` with 200-word chunks (40 overlap): it keeps sentences whole
and is the integration layer teams already know; its 1024-token default would leave most of
each chunk unread by MiniLM (256 word-pieces), and 200-word chunks are the size measured best
for MiniLM on real clinical notes (MRR@10 0.893 vs 0.831, ENVIRONMENT.md).
Why count words, not tiktoken tokens: the same split is 12x faster (0.23 s vs 2.7 s for 300
chunks, measured), which matters when the embedder is the only other cost; 200 words came to
211 word-pieces on average (max 232) on the benchmark text, inside MiniLM's 256.
Chunks never cross a section (PDF page / record), so every chunk has one page number.
"""
from __future__ import annotations

import re
from functools import lru_cache

from rightsized.pipelines.documents import Chunk, Document, chunk_id


@lru_cache(maxsize=8)
def _splitter(chunk_size: int, chunk_overlap: int):  # noqa: ANN202 - LlamaIndex type, lazy import
    from llama_index.core.node_parser import SentenceSplitter

    return SentenceSplitter(chunk_size=chunk_size, chunk_overlap=min(chunk_overlap, chunk_size // 2),
                            tokenizer=_WORDS.findall)


_WORDS = re.compile(r"\S+")


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
                    chunk_id=chunk_id(document.doc_id, content_hash, position, embedder_id),
                    doc_id=document.doc_id,
                    text=piece,
                    position=position,
                    page=section.page,
                    content_hash=content_hash,
                    metadata=dict(document.metadata),
                )
            )
    return chunks
