"""The embedder contract.

`embedder_id` goes into chunk ids and collection names: vectors from different models must
never share a collection, and re-embedding with another model must not collide with old ids.
"""
from __future__ import annotations

from typing import Protocol, runtime_checkable

import numpy as np


@runtime_checkable
class Embedder(Protocol):
    embedder_id: str

    @property
    def dimension(self) -> int: ...

    def warm_up(self) -> None: ...

    def embed(self, texts: list[str]) -> np.ndarray:
        """Unit-normalised float32 array of shape (len(texts), dimension)."""
        ...


def normalise(vectors: np.ndarray) -> np.ndarray:
    """L2-normalise rows so inner product == cosine on every store backend."""
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return vectors / norms
