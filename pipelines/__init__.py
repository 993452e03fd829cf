"""rightsized: the shared RAG machinery (config and tiers, embedders, stores, retrieval, generators, CLI)."""
from __future__ import annotations

__version__ = "0.1.0"
