"""Client-side BM25: tokenizer, statistics bookkeeping, exact top-k with pruning, sparse vectors."""
from __future__ import annotations

import math
import random
from collections import Counter
from collections.abc import Mapping, Sequence

import pytest

from rightsized.pipelines.stores import bm25


class DictTable:
    """In-memory CounterTable (the backends keep theirs beside the index)."""

    def __init__(self) -> None:
        self.counts: dict[str, int] = {}

    def get_counts(self, keys: Sequence[str]) -> dict[str, int]:
        return {k: self.counts[k] for k in keys if k in self.counts}

    def put_counts(self, counts: Mapping[str, int]) -> None:
        self.counts.update(counts)


def _corpus(seed: int, n: int = 300) -> dict[str, list[str]]:
    rng = random.Random(seed)
    vocab = [f"w{i}" for i in range(200)]
    return {f"d{i:03d}": [vocab[min(int(rng.paretovariate(0.8)), 199)] for _ in range(rng.randint(3, 60))]
            for i in range(n)}


def _brute_force(query: list[str], docs: dict[str, list[str]]) -> dict[str, float]:
    n = len(docs)
    avg = sum(map(len, docs.values())) / n
    df = Counter(t for tokens in docs.values() for t in set(tokens))
    scores = {}
    for doc_id, tokens in docs.items():
        tf = Counter(tokens)
        score = sum(
            math.log(1 + (n - df[t] + 0.5) / (df[t] + 0.5))
            * tf[t] * 2.2 / (tf[t] + 1.2 * (0.25 + 0.75 * len(tokens) / avg))
            for t in query if tf[t]
        )
        if score > 0:
            scores[doc_id] = score
    return scores


def test_tokenizer_matches_milvus_standard_analyzer_cases() -> None:
    # Pairs measured against Milvus Lite's `standard` analyzer (see bm25.tokenize docstring).
    assert bm25.tokenize("O'Brien's e-mail: 3.14, U.S.A") == ["o", "brien", "s", "e", "mail", "3", "14", "u", "s", "a"]
    assert bm25.tokenize("foo_bar 中文字 ÉCOLE Straße") == ["foo_bar", "中文字", "école", "straße"]
    assert bm25.tokenize("P<UTOERIKSSON<<ANNA") == ["p", "utoeriksson", "anna"]
    assert bm25.tokenize(" \n ") == []


def test_term_stats_track_adds_replacements_and_removals() -> None:
    table = DictTable()
    stats = bm25.TermStats(table)
    a, b = bm25.posting("a", ["x", "y", "y"]), bm25.posting("b", ["y", "z"])
    stats.apply([a, b])
    got = stats.lookup(["y", "x", "q"])
    assert (got.n_docs, got.total_length, got.df) == (2, 5, {"y": 2, "x": 1})
    stats.apply([bm25.posting("a", ["x"])], [a])  # a replaced by a shorter version
    got = stats.lookup(["y", "x"])
    assert (got.n_docs, got.total_length, got.df) == (2, 3, {"y": 1, "x": 1})
    stats.apply([], [b, bm25.posting("a", ["x"])])
    assert stats.lookup(["x"]).n_docs == 0 and stats.lookup(["x"]).df == {"x": 0}


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_top_k_equals_brute_force_and_reads_only_matching_postings(seed: int) -> None:
    docs = _corpus(seed)
    stats_store = bm25.TermStats(DictTable())
    stats_store.apply(bm25.posting(d, t) for d, t in docs.items())
    postings = {d: bm25.posting(d, t) for d, t in docs.items()}
    fetched: list[str] = []

    def fetch(term: str) -> list[tuple[str, int, int]]:
        fetched.append(term)
        return [(p.id, p.tf[term], p.length) for p in postings.values() if term in p.tf]

    rng = random.Random(seed + 100)
    for _ in range(40):
        query = [f"w{min(int(rng.paretovariate(0.8)), 199)}" for _ in range(rng.randint(1, 6))] + ["unseen"]
        fetched.clear()
        k = rng.choice([1, 5, 10])
        got = bm25.top_k(query, stats_store.lookup(query), k, fetch)
        want = sorted(_brute_force(query, docs).items(), key=lambda kv: -kv[1])[:k]
        assert [round(s, 9) for _, s in got] == [round(s, 9) for _, s in want]
        assert {d for d, _ in got} <= set(_brute_force(query, docs))
        known = {t for t in query if any(t in p.tf for p in postings.values())}
        assert sorted(fetched) == sorted(known)  # once per indexed term, never for unseen ones


def test_sparse_vectors_dot_product_is_the_bm25_score() -> None:
    docs = _corpus(7, n=50)
    stats_store = bm25.TermStats(DictTable())
    stats_store.apply(bm25.posting(d, t) for d, t in docs.items())
    query = ["w0", "w3", "w3", "w17"]
    stats = stats_store.lookup(query)
    q = bm25.query_sparse(query, stats)
    want = _brute_force(query, docs)
    for doc_id, tokens in docs.items():
        d = bm25.document_sparse(bm25.posting(doc_id, tokens), stats.avg_length)
        assert sum(w * d.get(i, 0.0) for i, w in q.items()) == pytest.approx(want.get(doc_id, 0.0), abs=1e-9)
