"""Build an embedder from its config (`backend` picks the class)."""
from __future__ import annotations

from rightsized.pipelines.config import SentenceTransformerEmbedderConfig, WordLlamaEmbedderConfig
from rightsized.pipelines.embedders.base import Embedder


def build_embedder(config: SentenceTransformerEmbedderConfig | WordLlamaEmbedderConfig) -> Embedder:
    if isinstance(config, WordLlamaEmbedderConfig):
        from rightsized.pipelines.embedders.wordllama import WordLlamaEmbedder

        return WordLlamaEmbedder(config)
    from rightsized.pipelines.embedders.sentence_transformer import SentenceTransformerEmbedder

    return SentenceTransformerEmbedder(config)
