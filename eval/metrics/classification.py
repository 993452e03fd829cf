"""Classification: accuracy, micro / macro F1 and the binary counts they are built from.

Golden values: sklearn.metrics.accuracy_score and f1_score (tests/unit/test_metrics.py).
"""
from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class BinaryCounts:
    """Confusion counts of one yes/no question (a flag, a class, a set of extracted items)."""

    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0

    @classmethod
    def count(cls, predicted: Sequence[bool], expected: Sequence[bool]) -> BinaryCounts:
        pairs = list(zip(predicted, expected, strict=True))
        return cls(
            tp=sum(p and e for p, e in pairs), fp=sum(p and not e for p, e in pairs),
            fn=sum(e and not p for p, e in pairs), tn=sum(not p and not e for p, e in pairs),
        )

    def __add__(self, other: BinaryCounts) -> BinaryCounts:
        """Pooling counts is what micro-averaging means."""
        return BinaryCounts(self.tp + other.tp, self.fp + other.fp, self.fn + other.fn, self.tn + other.tn)

    @property
    def recall(self) -> float | None:
        positives = self.tp + self.fn
        return self.tp / positives if positives else None

    @property
    def precision(self) -> float | None:
        flagged = self.tp + self.fp
        return self.tp / flagged if flagged else None

    @property
    def f1(self) -> float | None:
        """2tp / (2tp + fp + fn): equals the harmonic mean of precision and recall when both exist,
        and is 0 (as sklearn's zero_division=0) when one is undefined but something was wrong.
        None only when there was nothing to find and nothing was predicted."""
        denominator = 2 * self.tp + self.fp + self.fn
        return 2 * self.tp / denominator if denominator else None


def accuracy(pred: Sequence[Hashable], gold: Sequence[Hashable]) -> float | None:
    """Share of cases whose predicted label equals the gold label; None for no cases."""
    pairs = list(zip(pred, gold, strict=True))
    return sum(p == g for p, g in pairs) / len(pairs) if pairs else None


def class_counts(
    pred: Sequence[Hashable], gold: Sequence[Hashable], labels: Sequence[Hashable] | None = None,
) -> dict[Hashable, BinaryCounts]:
    """One-vs-rest counts per class. Classes absent from both pred and gold are dropped even when
    listed in `labels`: they carry no evidence either way, so they must not pull a macro mean."""
    if len(pred) != len(gold):
        raise ValueError(f"pred has {len(pred)} labels, gold has {len(gold)}")
    seen = set(pred) | set(gold)
    classes = [c for c in labels if c in seen] if labels is not None else sorted(seen, key=repr)
    return {c: BinaryCounts.count([p == c for p in pred], [g == c for g in gold]) for c in classes}


def macro_f1(
    pred: Sequence[Hashable], gold: Sequence[Hashable], labels: Sequence[Hashable] | None = None,
) -> float | None:
    """Unweighted mean of per-class F1, so rare classes count as much as common ones. A gold class
    that is never predicted scores 0; None when no class is left."""
    scores = [c.f1 for c in class_counts(pred, gold, labels).values() if c.f1 is not None]
    return sum(scores) / len(scores) if scores else None


def micro_f1(
    pred: Sequence[Hashable], gold: Sequence[Hashable], labels: Sequence[Hashable] | None = None,
) -> float | None:
    """F1 of the pooled counts. Over all labels of a single-label task it equals accuracy; it
    differs when `labels` leaves out a class (e.g. a 'none' label that should not earn credit)."""
    return sum(class_counts(pred, gold, labels).values(), BinaryCounts()).f1
