"""Is an answer backed by what it cites, and does it abstain when it should?

Both are LEXICAL, cheap proxies: word overlap and phrase matching, no model. They catch an answer
that drifts away from its sources or cites chunks retrieval never returned, not a paraphrase that
reverses the meaning of a chunk; a model-based judge can be layered on top where that matters.
"""
from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n+")
_CITATION_MARKER = re.compile(r"\[[^\]]*\]")
_WORD = re.compile(r"[^\W_]+")
_STOPWORDS = frozenset(
    "a about above after again against all am an and any are as at be because been before being "
    "below between both but by can could did do does doing down during each few for from further "
    "had has have having he her here hers herself him himself his how i if in into is it its itself "
    "just me more most my myself no nor not of off on once only or other our ours ourselves out over "
    "own same she should so some such than that the their theirs them themselves then there these "
    "they this those through to too under until up very was we were what when where which while who "
    "whom why will with would you your yours yourself yourselves".split()
)
DEFAULT_ABSTENTION_PHRASES = ("not found", "cannot be determined", "no information", "unknown", "not stated")


@dataclass(frozen=True)
class GroundednessResult:
    """score = supported / total sentences (None without sentences); invalid_citations counts
    distinct cited ids that retrieval did not return."""

    score: float | None
    supported_sentences: int
    total_sentences: int
    invalid_citations: int


def content_tokens(text: str) -> set[str]:
    """Lowercased words minus English stopwords; numbers are kept because facts are often numbers."""
    return {w for w in _WORD.findall(text.lower()) if w not in _STOPWORDS}


def split_sentences(text: str) -> list[str]:
    """Sentences ending in . ! ? followed by space, or separated by line breaks. Naive on
    abbreviations ('e.g. x' splits), which only makes the proxy stricter per fragment."""
    return [s.strip() for s in _SENTENCE_END.split(text) if s.strip()]


def groundedness(
    answer: str, cited_chunks: Mapping[str, str], cited_ids: Sequence[str],
    retrieved_ids: Collection[str], threshold: float = 0.5,
) -> GroundednessResult:
    """A sentence is supported when at least `threshold` of its content tokens occur in ONE valid
    cited chunk. Citations not in `retrieved_ids` are errors and give no support (a model must not
    cite what it was not shown). Inline markers like "[c3]" are not claims and are removed; a
    sentence with no content tokens left ("It is so.") is not counted at all."""
    if not 0 < threshold <= 1:
        raise ValueError(f"threshold must be in (0, 1], got {threshold}")
    distinct = list(dict.fromkeys(cited_ids))
    invalid = sum(cid not in retrieved_ids for cid in distinct)
    sources = [
        content_tokens(cited_chunks[cid]) for cid in distinct if cid in retrieved_ids and cid in cited_chunks
    ]
    sentences = (content_tokens(_CITATION_MARKER.sub(" ", s)) for s in split_sentences(answer))
    claims = [tokens for tokens in sentences if tokens]
    supported = sum(
        any(len(claim & source) / len(claim) >= threshold for source in sources) for claim in claims
    )
    return GroundednessResult(
        score=supported / len(claims) if claims else None,
        supported_sentences=supported, total_sentences=len(claims), invalid_citations=invalid,
    )


def abstained(answer: str, phrases: Sequence[str] = DEFAULT_ABSTENTION_PHRASES) -> bool:
    """Did the answer decline? An empty answer claims nothing, so it counts as declining; phrases
    match whole words, case and spacing ignored ('unknown' does not match 'unknowns')."""
    text = " ".join(answer.lower().split())
    return not text or any(re.search(rf"\b{re.escape(p.lower())}\b", text) for p in phrases)


def abstention_accuracy(
    answer: str, should_abstain: bool, phrases: Sequence[str] = DEFAULT_ABSTENTION_PHRASES,
) -> float:
    """1.0 when the answer abstains exactly when the gold case says it should, else 0.0. A proxy:
    'the sender is unknown to us' reads as an abstention."""
    return float(abstained(answer, phrases) == should_abstain)
