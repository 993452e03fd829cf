"""BM25 computed on the client, for stores that cannot compute it themselves.

Why: Milvus 2.3 servers have neither the BM25 function nor sparse vectors, and Pinecone only
stores the sparse vectors a client sends. The formula and constants follow Milvus' own BM25
(k1=1.2, b=0.75, idf = ln(1 + (N - df + 0.5) / (df + 0.5)), query terms counted with
multiplicity) and the tokenizer reproduces its `standard` analyzer, so a corpus ranks the same
as on Milvus Lite (tests/integration/test_bm25_equivalence.py).

The statistics (document count, total length, document frequency per term) must live with the
index, not in one client's memory: every client that writes updates them through a
`CounterTable` the backend keeps next to the vectors (a side collection on Milvus, a side
namespace on Pinecone). Concurrent writers race on those counters (last write wins); a single
writer per collection, which is what `rightsized ingest` and `migrate` are, keeps them exact.
"""
from __future__ import annotations

import hashlib
import heapq
import math
import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

K1 = 1.2
B = 0.75
TOTALS_KEY = "__totals__"
DOCS_KEY = "__docs__"
_TOKEN = re.compile(r"\w+")


def tokenize(text: str) -> list[str]:
    r"""Lower-cased runs of letters, digits and underscores, in order, with repeats.

    Measured against Milvus Lite's `standard` analyzer: it splits "o'brien", "3.14", "u.s.a",
    "e-mail" and "x@y.com" at the punctuation, keeps "foo_bar" and "中文字" whole and folds case
    ("ÉCOLE" -> "école") but not accents; `\w+` on lower-cased text does the same.
    """
    return _TOKEN.findall(text.lower())


def term_index(term: str) -> int:
    """Stable 32-bit id of a term, for sparse vectors (Pinecone indices are uint32)."""
    return int.from_bytes(hashlib.blake2b(term.encode("utf-8"), digest_size=4).digest(), "big")


def idf(df: int, n_docs: int) -> float:
    return math.log(1.0 + (n_docs - df + 0.5) / (df + 0.5))


def tf_weight(tf: int, length: int, avg_length: float) -> float:
    """The document side of BM25: saturating term frequency, normalised by length."""
    norm = 1.0 - B + B * (length / avg_length if avg_length > 0 else 1.0)
    return tf * (K1 + 1.0) / (tf + K1 * norm)


@dataclass(frozen=True)
class Posting:
    """A stored document as the statistics need it: its term frequencies and length."""

    id: str
    tf: Mapping[str, int]
    length: int


class CounterTable(Protocol):
    """Integer counters kept by the backend next to the index."""

    def get_counts(self, keys: Sequence[str]) -> dict[str, int]: ...
    def put_counts(self, counts: Mapping[str, int]) -> None: ...


@dataclass(frozen=True)
class CorpusStats:
    n_docs: int
    total_length: int
    df: dict[str, int]

    @property
    def avg_length(self) -> float:
        return self.total_length / self.n_docs if self.n_docs else 0.0

    def idf(self, term: str) -> float:
        return idf(self.df.get(term, 0), self.n_docs)


class TermStats:
    """Document frequencies and lengths, kept in a backend `CounterTable`.

    Write-through cache: counters this process wrote are answered from memory. Backends read
    their own recent writes late (Pinecone is eventually consistent; a Strong read on Milvus
    2.3 waits up to a time tick, ~200 ms), and every ingest batch is a read-modify-write, so
    without it a batch could build on stale counts. Keys this process never wrote come from
    the backend (written by an earlier process, long visible).
    """

    def __init__(self, table: CounterTable) -> None:
        self.table = table
        self._written: dict[str, int] = {}

    def _counts(self, keys: Sequence[str]) -> dict[str, int]:
        counts = {key: self._written[key] for key in keys if key in self._written}
        unknown = [key for key in keys if key not in self._written]
        if unknown:
            counts.update(self.table.get_counts(unknown))
        return counts

    def apply(self, added: Iterable[Posting], removed: Iterable[Posting] = ()) -> None:
        """Account for documents added to and removed from the index."""
        delta: Counter[str] = Counter()
        for postings, sign in ((added, 1), (removed, -1)):
            for posting in postings:
                delta[DOCS_KEY] += sign
                delta[TOTALS_KEY] += sign * posting.length
                for term in posting.tf:
                    delta["t:" + term] += sign
        delta = Counter({key: value for key, value in delta.items() if value})
        if not delta:
            return
        current = self._counts(list(delta))
        updated = {key: max(0, current.get(key, 0) + value) for key, value in delta.items()}
        self.table.put_counts(updated)
        self._written.update(updated)

    def lookup(self, terms: Iterable[str]) -> CorpusStats:
        keys = [DOCS_KEY, TOTALS_KEY, *("t:" + term for term in set(terms))]
        counts = self._counts(keys)
        df = {key[2:]: value for key, value in counts.items() if key.startswith("t:")}
        return CorpusStats(counts.get(DOCS_KEY, 0), counts.get(TOTALS_KEY, 0), df)


def posting(doc_id: str, tokens: Sequence[str]) -> Posting:
    return Posting(doc_id, Counter(tokens), len(tokens))


def document_sparse(doc: Posting, avg_length: float) -> dict[int, float]:
    """Sparse document vector whose dot product with `query_sparse` is the BM25 score."""
    return {term_index(term): tf_weight(tf, doc.length, avg_length) for term, tf in doc.tf.items()}


def query_sparse(tokens: Sequence[str], stats: CorpusStats) -> dict[int, float]:
    weights: dict[int, float] = {}
    for term, count in Counter(tokens).items():
        if stats.df.get(term):
            weights[term_index(term)] = count * stats.idf(term)
    return weights


def top_k(
    query_tokens: Sequence[str], stats: CorpusStats, k: int,
    postings: Callable[[str], Iterable[tuple[str, int, int]]],
) -> list[tuple[str, float]]:
    """Exact BM25 top-k from per-term postings `(doc id, tf of the term, doc length)`.

    Each query term's postings are fetched once and their contributions summed, so only
    documents sharing a term with the query are ever touched, and each posting carries three
    numbers instead of the document's whole term list (measured on Milvus 2.3.5, 10k chunks:
    fetching whole term lists cost 370 ms for a term in 1,900 chunks, ids and counts 32 ms).
    """
    query = Counter(t for t in query_tokens if stats.df.get(t))
    scores: dict[str, float] = {}
    for term, count in query.items():
        weight = count * stats.idf(term)
        for doc_id, tf, length in postings(term):
            scores[doc_id] = scores.get(doc_id, 0.0) + weight * tf_weight(tf, length, stats.avg_length)
    return heapq.nlargest(max(k, 0), scores.items(), key=lambda item: (item[1], item[0]))
