"""Chunks fit every store's text limit without losing a byte, and huge sections chunk in bounded memory."""
from __future__ import annotations

import json
import subprocess
import sys

from rightsized.ingest.chunking import BLOCK_CHARS, chunk_document, stream_chunks
from rightsized.pipelines.documents import MAX_CHUNK_BYTES, Document, Section


def _document(*texts: str) -> Document:
    return Document("ns/big.txt", "big.txt", tuple(Section(text, page) for page, text in enumerate(texts, start=1)))


def _sizes(texts: list[str]) -> list[int]:
    return [len(text.encode("utf-8")) for text in texts]


def test_one_giant_word_is_cut_at_character_boundaries_and_nothing_is_lost() -> None:
    word = "日本語" * 12_000 + "a" * 5_000 + "😀" * 7_000  # 141 KB, no whitespace at all
    texts = [c.text for c in chunk_document(_document(word), embedder_id="e")]
    assert max(_sizes(texts)) <= MAX_CHUNK_BYTES
    assert len(texts) == -(-len(word.encode("utf-8")) // MAX_CHUNK_BYTES)  # only the last slice is short
    assert "".join(texts) == word


def test_two_hundred_huge_words_are_cut_after_whitespace() -> None:
    words = " ".join(f"{i:03d}" + "x" * 997 for i in range(150))  # one 150-word piece of 150 KB
    texts = [c.text for c in chunk_document(_document(words), embedder_id="e")]
    assert max(_sizes(texts)) <= MAX_CHUNK_BYTES and len(texts) > 10
    assert all(text.endswith(" ") for text in texts[:-1])  # no word is split
    assert "".join(texts) == words


def test_sections_longer_than_a_block_lose_nothing_and_keep_their_page() -> None:
    blob = "QUJD" * (BLOCK_CHARS // 2)  # 2 blocks' worth of one base64 "word"
    chunks = chunk_document(_document("short first page", blob), embedder_id="e")
    assert chunks[0].text == "short first page" and chunks[0].page == 1
    assert "".join(c.text for c in chunks[1:]) == blob and {c.page for c in chunks[1:]} == {2}
    assert max(_sizes([c.text for c in chunks])) <= MAX_CHUNK_BYTES


def test_streamed_chunks_equal_the_listed_ones_and_carry_the_document_total() -> None:
    text = " ".join(f"Pump {i} shows bearing wear near valve {i % 7}." for i in range(400))
    document = _document(text, text[:500])
    listed = chunk_document(document, embedder_id="e", chunk_size=32, chunk_overlap=8)
    for buffer in (3, len(listed), 10_000):  # counted by a second pass, exactly in the buffer, in the buffer
        streamed = list(stream_chunks(document, embedder_id="e", chunk_size=32, chunk_overlap=8, buffer=buffer))
        assert streamed == listed
    assert len(listed) > 50 and {c.doc_chunks for c in listed} == {len(listed)}
    assert [c.position for c in listed] == list(range(len(listed)))


_PEAK = """
import json, resource, sys
from rightsized.ingest.chunking import chunk_document
from rightsized.pipelines.documents import Document, Section
text = " ".join(["pump"] * 600_000)  # 3 MB with no sentence break: an object per word in the splitter
document = Document("ns/a.txt", "a.txt", (Section(text),))
chunk_document(Document("ns/b.txt", "b.txt", (Section("warm up"),)), embedder_id="e")
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
count = len(chunk_document(document, embedder_id="e"))
grown = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
print(json.dumps({"chunks": count, "grown_mb": grown / 1024}))
"""


def test_chunking_a_large_section_does_not_grow_memory_with_the_section() -> None:
    """Fed the section whole, the splitter held ~450 bytes per word of it at once (+277 MB here)."""
    done = subprocess.run([sys.executable, "-c", _PEAK], capture_output=True, text=True, timeout=300, check=True)
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["chunks"] > 3_500
    assert result["grown_mb"] < 60, result
