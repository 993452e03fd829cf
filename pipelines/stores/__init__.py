"""Vector stores: Milvus Lite (default), Milvus servers, Pinecone — one protocol, chosen by config."""
from __future__ import annotations

from pathlib import Path

from rightsized.pipelines.config import MilvusLiteStoreConfig, MilvusServerStoreConfig, PineconeStoreConfig, Settings
from rightsized.pipelines.stores.base import Record, SearchHit, VectorStore, records_from

StoreConfigAny = MilvusLiteStoreConfig | MilvusServerStoreConfig | PineconeStoreConfig


def open_store(config: StoreConfigAny, *, collection: str, dimension: int,
               lite_path: Path | None = None) -> VectorStore:
    """The backend `config` names, for one collection (not yet warmed up). Milvus Lite data
    goes to `lite_path` when given, else to the config's own `path`."""
    if isinstance(config, PineconeStoreConfig):
        from rightsized.pipelines.stores.pinecone import PineconeStore

        return PineconeStore(config, namespace=collection, dimension=dimension)
    from rightsized.pipelines.stores.milvus import MilvusStore

    if isinstance(config, MilvusServerStoreConfig):
        return MilvusStore.for_server(config, collection=collection, dimension=dimension)
    path = lite_path or config.path
    if path is None:
        raise ValueError("a Milvus Lite store needs a path")
    return MilvusStore(uri=path, collection=collection, dimension=dimension, config=config)


def build_store(settings: Settings, *, collection: str, dimension: int) -> VectorStore:
    """The configured store; Lite data under the settings' data dir unless a path is set."""
    return open_store(settings.store, collection=collection, dimension=dimension, lite_path=settings.store_path)


__all__ = ["Record", "SearchHit", "StoreConfigAny", "VectorStore", "build_store", "open_store", "records_from"]
