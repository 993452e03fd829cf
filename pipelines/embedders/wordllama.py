"""wordllama static embeddings: tens of thousands of sentences per second on CPU."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from rightsized.pipelines.config import WordLlamaEmbedderConfig
from rightsized.pipelines.embedders.base import normalise


class WordLlamaEmbedder:
    """The fast, lower-quality embedder: useful when ingest speed matters more than recall.

    Usage:
        embedder = WordLlamaEmbedder(WordLlamaEmbedderConfig(dim=256))
        embedder.warm_up()
        vectors = embedder.embed(["bearing temperature alarm"])
    """

    def __init__(self, config: WordLlamaEmbedderConfig) -> None:
        self.config = config
        self.embedder_id = f"wordllama-{config.dim}"
        self._model: Any = None

    def warm_up(self) -> None:
        if self._model is None:
            import wordllama
            from wordllama import WordLlama

            # Plain WordLlama.load() tries the network (packaging bug): point it at the package.
            self._model = WordLlama.load(
                dim=self.config.dim, cache_dir=Path(wordllama.__file__).parent
            )

    @property
    def dimension(self) -> int:
        return self.config.dim

    def embed(self, texts: list[str]) -> np.ndarray:
        self.warm_up()
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return normalise(self._model.embed(texts))
