"""Golden values worked by hand."""
from __future__ import annotations

import pytest

from eval.metrics import BinaryCounts, field_matches, mean, normalise_value, percentile


def test_field_matches_normalises_case_space_and_trailing_punctuation() -> None:
    predicted = {"name": "anna  MARIA eriksson.", "dob": "1974-08-12", "city": None}
    expected = {"name": "Anna Maria Eriksson", "dob": "1974-08-21", "city": "Lyon", "zip": ""}
    assert field_matches(predicted, expected) == {"name": True, "dob": False, "city": False, "zip": False}
    assert normalise_value(None) == ""


def test_binary_counts_recall_precision() -> None:
    counts = BinaryCounts.count([True, True, False, False, True], [True, False, True, False, True])
    assert (counts.tp, counts.fp, counts.fn, counts.tn) == (2, 1, 1, 1)
    assert counts.recall == pytest.approx(2 / 3)
    assert counts.precision == pytest.approx(2 / 3)
    assert BinaryCounts.count([False], [False]).recall is None  # no positives: undefined, not 0 or 1


def test_percentile_and_mean() -> None:
    assert percentile([4.0, 1.0, 3.0, 2.0], 50) == pytest.approx(2.5)
    assert percentile([], 50) is None
    assert mean([1.0, 0.0, 1.0, 1.0]) == pytest.approx(0.75)
    assert mean([]) is None
