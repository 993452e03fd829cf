"""Evaluation metrics, one module per family, all checked by golden-value tests
(tests/unit/test_metrics.py) against scikit-learn / scipy or hand-worked arithmetic.

Why hand-written rather than imported: each is a few lines, the edge cases (empty gold, ties,
duplicates, zero denominators) are decided here on purpose, and the product stays light;
scikit-learn and scipy are used only by the tests, as references. Per-query metrics return
None when undefined so callers leave that query out of an average instead of scoring it 0 or 1.
"""
from __future__ import annotations

from rightsized.eval.metrics.basics import mean, normalise_value, percentile
from rightsized.eval.metrics.classification import BinaryCounts, accuracy, class_counts, macro_f1, micro_f1
from rightsized.eval.metrics.extraction import (
    PRF, field_accuracy, field_matches, macro_set_f1, micro_set_f1, set_counts, set_f1,
)
from rightsized.eval.metrics.forecasting import mase, smape, wape
from rightsized.eval.metrics.grounding import (
    DEFAULT_ABSTENTION_PHRASES, GroundednessResult, abstained, abstention_accuracy, content_tokens,
    groundedness, split_sentences,
)
from rightsized.eval.metrics.ranking import average_ranks, kendall_tau, ndcg, spearman
from rightsized.eval.metrics.retrieval import (
    Relevance, average_precision, dcg, gains, hit_rate_at_k, ndcg_at_k, precision_at_k, recall_at_k,
    reciprocal_rank, top_k,
)
from rightsized.eval.metrics.text import embedding_similarity, exact_match, rouge_l, squad_normalise, token_f1

__all__ = [
    "DEFAULT_ABSTENTION_PHRASES", "PRF", "BinaryCounts", "GroundednessResult", "Relevance",
    "abstained", "abstention_accuracy", "accuracy", "average_precision", "average_ranks",
    "class_counts", "content_tokens", "dcg", "embedding_similarity", "exact_match",
    "field_accuracy", "field_matches", "gains", "groundedness", "hit_rate_at_k", "kendall_tau",
    "macro_f1", "macro_set_f1", "mase", "mean", "micro_f1", "micro_set_f1", "ndcg", "ndcg_at_k",
    "normalise_value", "percentile", "precision_at_k", "recall_at_k", "reciprocal_rank", "rouge_l",
    "set_counts", "set_f1", "smape", "spearman", "split_sentences", "squad_normalise", "token_f1",
    "top_k", "wape",
]
