"""Extraction: per-field accuracy of structured records and F1 over sets of extracted items.

Values and items are compared after `normalise_value` (case, spacing and trailing punctuation
ignored), as a reviewer reading the output would.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping
from typing import NamedTuple

from rightsized.eval.metrics.basics import normalise_value
from rightsized.eval.metrics.classification import BinaryCounts


class PRF(NamedTuple):
    """Precision, recall and F1; each None when its denominator is empty."""

    precision: float | None
    recall: float | None
    f1: float | None


def field_matches(predicted: Mapping[str, object], expected: Mapping[str, object]) -> dict[str, bool]:
    """Per expected field: did the prediction equal it after normalisation? Missing = wrong."""
    return {
        name: normalise_value(predicted.get(name)) == normalise_value(value) and normalise_value(value) != ""
        for name, value in expected.items()
    }


def field_accuracy(records: Iterable[tuple[Mapping[str, object], Mapping[str, object]]]) -> float | None:
    """Share of expected fields right over (predicted, expected) records, pooled over fields (a
    record with more fields weighs more). None when no field was expected at all."""
    matches = [ok for predicted, expected in records for ok in field_matches(predicted, expected).values()]
    return sum(matches) / len(matches) if matches else None


def set_counts(predicted: Collection[str], gold: Collection[str]) -> BinaryCounts:
    """tp / fp / fn between two sets of items; duplicates and empty strings count for nothing."""
    pred = {normalise_value(v) for v in predicted} - {""}
    true = {normalise_value(v) for v in gold} - {""}
    return BinaryCounts(tp=len(pred & true), fp=len(pred - true), fn=len(true - pred))


def set_f1(predicted: Collection[str], gold: Collection[str]) -> PRF:
    """Precision, recall and F1 of one extracted set against gold. Both empty gives all None:
    there was nothing to extract, which is neither a success nor a failure to average in."""
    counts = set_counts(predicted, gold)
    return PRF(counts.precision, counts.recall, counts.f1)


def _per_class(items: Iterable[tuple[str, Collection[str], Collection[str]]]) -> dict[str, BinaryCounts]:
    totals: dict[str, BinaryCounts] = defaultdict(BinaryCounts)
    for cls, predicted, gold in items:
        totals[cls] += set_counts(predicted, gold)
    return totals


def micro_set_f1(items: Iterable[tuple[str, Collection[str], Collection[str]]]) -> float | None:
    """F1 of counts pooled over every (class, predicted, gold) triple, e.g. one per document and
    field: frequent classes dominate, as they do in the workload."""
    return sum(_per_class(items).values(), BinaryCounts()).f1


def macro_set_f1(items: Iterable[tuple[str, Collection[str], Collection[str]]]) -> float | None:
    """Mean over classes of each class's F1 (counts pooled across its triples first), so a rare
    field counts as much as a common one. Classes with nothing predicted and nothing gold are
    left out; None when no class is left."""
    scores = [c.f1 for c in _per_class(items).values() if c.f1 is not None]
    return sum(scores) / len(scores) if scores else None
