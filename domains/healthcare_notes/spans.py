"""An identifier found in a note: its kind and character offsets.

Why a module of its own: scoring and the `deidentify` task's outcome need the type without the
redactor, whose Presidio import pulls in transformers' pipelines (seconds of CPU).
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Span:
    kind: str
    start: int
    end: int
    score: float
