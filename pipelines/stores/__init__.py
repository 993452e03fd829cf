"""Vector stores: Milvus Lite (default), Milvus servers, Pinecone — one protocol, chosen by config."""
from __future__ import annotations

from pipelines.config import MilvusServerStoreConfig, PineconeStoreConfig, Settings
from pipelines.stores.base import Record, SearchHit, VectorStore, records_from


def build_store(settings: Settings, *, collection: str, dimension: int) -> VectorStore:
    """The configured backend for one collection (not yet warmed up)."""
    config = settings.store
    if isinstance(config, PineconeStoreConfig):
        from pipelines.stores.pinecone import PineconeStore

        return PineconeStore(config, namespace=collection, dimension=dimension)
    from pipelines.stores.milvus import MilvusStore

    if isinstance(config, MilvusServerStoreConfig):
        return MilvusStore.for_server(config, collection=collection, dimension=dimension)
    return MilvusStore(uri=settings.store_path, collection=collection, dimension=dimension, config=config)


__all__ = ["Record", "SearchHit", "VectorStore", "build_store", "records_from"]
