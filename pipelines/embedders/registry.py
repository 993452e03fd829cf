"""Build an embedder from its config (`backend` picks the class)."""
from __future__ import annotations

from pipelines.config import SentenceTransformerEmbedderConfig, WordLlamaEmbedderConfig
from pipelines.embedders.base import Embedder


def build_embedder(config: SentenceTransformerEmbedderConfig | WordLlamaEmbedderConfig) -> Embedder:
    if isinstance(config, WordLlamaEmbedderConfig):
        from pipelines.embedders.wordllama import WordLlamaEmbedder

        return WordLlamaEmbedder(config)
    from pipelines.embedders.sentence_transformer import SentenceTransformerEmbedder

    return SentenceTransformerEmbedder(config)
