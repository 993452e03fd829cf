"""Answer text against a reference: exact match, token F1 (SQuAD), ROUGE-L and cosine similarity."""
from __future__ import annotations

import re
import string
from collections import Counter
from collections.abc import Sequence

import numpy as np

_ARTICLES = re.compile(r"\b(a|an|the)\b")
_PUNCTUATION = str.maketrans("", "", string.punctuation)
_WORD = re.compile(r"[^\W_]+")


def squad_normalise(text: str) -> str:
    """SQuAD's answer normalisation: lowercase, drop punctuation, drop articles, squeeze spaces."""
    return " ".join(_ARTICLES.sub(" ", text.lower().translate(_PUNCTUATION)).split())


def exact_match(prediction: str, reference: str) -> float:
    """1.0 when both are equal after SQuAD normalisation, else 0.0."""
    return float(squad_normalise(prediction) == squad_normalise(reference))


def token_f1(prediction: str, reference: str) -> float:
    """SQuAD token F1 on normalised tokens, counting repeated tokens as many times as they occur
    in both. As in SQuAD v2, if either side has no tokens the score is 1.0 when both are empty
    (a correct 'no answer') and 0.0 otherwise."""
    pred, ref = squad_normalise(prediction).split(), squad_normalise(reference).split()
    if not pred or not ref:
        return float(pred == ref)
    same = sum((Counter(pred) & Counter(ref)).values())
    if same == 0:
        return 0.0
    precision, recall = same / len(pred), same / len(ref)
    return 2 * precision * recall / (precision + recall)


def _lcs_length(a: Sequence[str], b: Sequence[str]) -> int:
    """Longest common subsequence by dynamic programming, one row kept at a time."""
    previous = [0] * (len(b) + 1)
    for token in a:
        current = [0]
        for j, other in enumerate(b, start=1):
            current.append(previous[j - 1] + 1 if token == other else max(previous[j], current[j - 1]))
        previous = current
    return previous[-1]


def rouge_l(prediction: str, reference: str) -> float:
    """ROUGE-L F-measure with beta = 1 (precision and recall weigh the same, as the rouge-score
    package reports `fmeasure`): P = LCS/len(pred), R = LCS/len(ref), F = 2PR/(P+R). Tokens are
    lowercase alphanumeric runs, no stemming. Both empty scores 1.0 and one empty 0.0, as token_f1
    does (rouge-score returns 0 for both-empty)."""
    pred, ref = _WORD.findall(prediction.lower()), _WORD.findall(reference.lower())
    if not pred or not ref:
        return float(pred == ref)
    lcs = _lcs_length(pred, ref)
    if lcs == 0:
        return 0.0
    precision, recall = lcs / len(pred), lcs / len(ref)
    return 2 * precision * recall / (precision + recall)


def embedding_similarity(
    a_vec: Sequence[float] | np.ndarray, b_vec: Sequence[float] | np.ndarray,
) -> float | None:
    """Cosine similarity of two embeddings; None when either is all zeros (no direction)."""
    a, b = np.asarray(a_vec, dtype=float), np.asarray(b_vec, dtype=float)
    if a.shape != b.shape:
        raise ValueError(f"embedding shapes differ: {a.shape} vs {b.shape}")
    norms = np.linalg.norm(a) * np.linalg.norm(b)
    return float(np.dot(a, b) / norms) if norms else None
