"""Embedders: text -> float32 vectors. Chosen by `backend` in config; see `build_embedder`."""
from __future__ import annotations

from rightsized.pipelines.embedders.base import Embedder
from rightsized.pipelines.embedders.registry import build_embedder

__all__ = ["Embedder", "build_embedder"]
