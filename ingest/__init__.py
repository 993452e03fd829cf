"""Loaders, chunking, batched embedding and idempotent upsert into a vector store."""
from __future__ import annotations
