"""Retrieval metrics for one query: hit rate, recall, precision, MRR, MAP and graded nDCG @k.

Shared conventions, because libraries differ on each and a silent difference moves scores:
- `relevant` is either a collection of ids (each relevant with gain 1) or a mapping id -> graded
  gain; ids with gain 0 count as judged not relevant. Negative gains are rejected.
- An empty gold set makes every metric undefined: None, not 0 or 1, so the caller drops the
  query from an average instead of rewarding or punishing it.
- Duplicate ids in `retrieved` are counted once: the first occurrence keeps its rank and later
  ones are dropped before cutting at k (a chunked store can return one document twice; counting
  it twice would inflate precision and DCG).
- Fewer than k results is allowed; the empty slots simply earn nothing.
- k <= 0 is a programming error (ValueError).

Golden values: sklearn.metrics.ndcg_score / average_precision_score and hand-worked cases.
"""
from __future__ import annotations

import math
from collections.abc import Collection, Iterable, Mapping, Sequence

Relevance = Mapping[str, float] | Collection[str]


def gains(relevant: Relevance) -> dict[str, float]:
    """Id -> positive gain of every relevant item (a plain collection means gain 1 each)."""
    if not isinstance(relevant, Mapping):
        return {doc_id: 1.0 for doc_id in relevant}
    if any(g < 0 for g in relevant.values()):
        raise ValueError("relevance gains must be >= 0")
    return {doc_id: float(g) for doc_id, g in relevant.items() if g > 0}


def top_k(retrieved: Sequence[str], k: int | None) -> list[str]:
    """The first k distinct ids (k=None: all of them), duplicates dropped after their first rank."""
    if k is not None and k <= 0:
        raise ValueError(f"k must be a positive integer, got {k}")
    return list(dict.fromkeys(retrieved))[:k]


def hit_rate_at_k(retrieved: Sequence[str], relevant: Relevance, k: int) -> float | None:
    """1.0 if any relevant item is in the top k, else 0.0."""
    top, gold = top_k(retrieved, k), gains(relevant)
    if not gold:
        return None
    return float(any(doc_id in gold for doc_id in top))


def recall_at_k(retrieved: Sequence[str], relevant: Relevance, k: int) -> float | None:
    """Share of the relevant items found in the top k. With more relevant items than k it cannot
    reach 1; that is the usual definition, kept so numbers compare with published ones."""
    top, gold = top_k(retrieved, k), gains(relevant)
    if not gold:
        return None
    return sum(doc_id in gold for doc_id in top) / len(gold)


def precision_at_k(retrieved: Sequence[str], relevant: Relevance, k: int) -> float | None:
    """Relevant items in the top k divided by k, not by the number returned: a retriever that
    returns 1 right result when asked for 5 scores 0.2, so returning less is not a free win."""
    top, gold = top_k(retrieved, k), gains(relevant)
    if not gold:
        return None
    return sum(doc_id in gold for doc_id in top) / k


def reciprocal_rank(retrieved: Sequence[str], relevant: Relevance, k: int | None = None) -> float | None:
    """1 / rank of the first relevant item (ranks from 1) within the top k; 0.0 if none. The
    mean over queries is MRR."""
    top, gold = top_k(retrieved, k), gains(relevant)
    if not gold:
        return None
    for rank, doc_id in enumerate(top, start=1):
        if doc_id in gold:
            return 1 / rank
    return 0.0


def average_precision(retrieved: Sequence[str], relevant: Relevance, k: int | None = None) -> float | None:
    """Mean over ALL relevant items of precision at the rank where each is found (0 for an item
    not found in the top k). The denominator is the number of relevant items, not the number
    found, so missing items lower the score; with k < that number it cannot reach 1. The mean
    over queries is MAP."""
    top, gold = top_k(retrieved, k), gains(relevant)
    if not gold:
        return None
    found, total = 0, 0.0
    for rank, doc_id in enumerate(top, start=1):
        if doc_id in gold:
            found += 1
            total += found / rank
    return total / len(gold)


def dcg(ordered_gains: Iterable[float]) -> float:
    """Discounted cumulative gain with LINEAR gain: sum of g_i / log2(i + 2), i from 0. Linear
    (not 2^g - 1) so it matches sklearn.metrics.ndcg_score and graded labels stay proportional."""
    return sum(g / math.log2(i + 2) for i, g in enumerate(ordered_gains))


def ndcg_at_k(retrieved: Sequence[str], relevant: Relevance, k: int) -> float | None:
    """DCG of the top k divided by the DCG of the IDEAL top k, where the ideal ranking is built
    from the gold labels (all relevant gains sorted high to low), never from the retrieved list:
    taking it from the retrieved list (llama_index #17070) scores a list that found 1 of 3
    relevant items as perfect. None when the gold set has no positive gain."""
    top, gold = top_k(retrieved, k), gains(relevant)
    if not gold:
        return None
    ideal = dcg(sorted(gold.values(), reverse=True)[:k])
    return dcg(gold.get(doc_id, 0.0) for doc_id in top) / ideal
