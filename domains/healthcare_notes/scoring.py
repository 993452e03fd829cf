"""Redaction recall and precision against planted identifier spans.

Why spans and not string search: an identifier counts as caught only if every letter and digit of
its planted span is inside a redacted span (half a name left is a leak), and a redacted span that
touches no planted identifier is over-redaction (precision), whatever its text happens to be.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from rightsized.domains.healthcare_notes.spans import Span


@dataclass
class RedactionTally:
    """Per-kind caught/planted counts, and detected spans that touch no planted identifier."""

    planted: dict[str, int] = field(default_factory=dict)
    caught: dict[str, int] = field(default_factory=dict)
    detected: int = 0
    false_positive: int = 0
    false_positive_texts: list[str] = field(default_factory=list)
    missed_texts: list[str] = field(default_factory=list)

    def add(self, other: RedactionTally) -> None:
        for kind, count in other.planted.items():
            self.planted[kind] = self.planted.get(kind, 0) + count
            self.caught[kind] = self.caught.get(kind, 0) + other.caught.get(kind, 0)
        self.detected += other.detected
        self.false_positive += other.false_positive
        self.false_positive_texts += other.false_positive_texts
        self.missed_texts += other.missed_texts

    @property
    def recall(self) -> float | None:
        total = sum(self.planted.values())
        return sum(self.caught.values()) / total if total else None

    @property
    def precision(self) -> float | None:
        return (self.detected - self.false_positive) / self.detected if self.detected else None

    def per_kind(self) -> dict[str, dict[str, Any]]:
        return {kind: {"planted": n, "caught": self.caught.get(kind, 0),
                       "recall": round(self.caught.get(kind, 0) / n, 4)} for kind, n in sorted(self.planted.items())}


def alnum_parts(text: str, start: int, end: int) -> list[list[int]]:
    """The runs of letters and digits inside text[start:end], as [start, end] pairs."""
    return [[start + m.start(), start + m.end()] for m in re.finditer(r"[^\W_]+", text[start:end])]


def tally(text: str | None, planted: Iterable[Mapping[str, Any]], spans: Iterable[Span]) -> RedactionTally:
    """`planted` items carry kind, start, end and (when `text` is None: the text is not at hand)
    `parts`, their letter-and-digit runs."""
    spans = list(spans)
    covered = set()
    for span in spans:
        covered.update(range(span.start, span.end))
    result = RedactionTally(detected=len(spans))
    planted = list(planted)
    for item in planted:
        kind = item["kind"]
        result.planted[kind] = result.planted.get(kind, 0) + 1
        parts = alnum_parts(text, item["start"], item["end"]) if text is not None else item["parts"]
        if all(i in covered for a, b in parts for i in range(a, b)):
            result.caught[kind] = result.caught.get(kind, 0) + 1
        else:
            result.missed_texts.append(f"{kind}: {item.get('value', '?')}")
    for span in spans:
        if not any(span.start < p["end"] and p["start"] < span.end for p in planted):
            result.false_positive += 1
            result.false_positive_texts.append(
                f"{span.kind}: {text[span.start:span.end] if text is not None else (span.start, span.end)}")
    return result
