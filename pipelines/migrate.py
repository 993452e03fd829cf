"""`rightsized migrate`: copy collections between stores without re-embedding.

Why records and not documents: the vectors are the expensive part (18 chunks/s on two CPU
cores, `rightsized bench ingest`); moving up from Milvus Lite to a server or Pinecone must not
pay it again. Each backend rebuilds its own BM25 side data (terms, statistics, sparse vectors)
from the copied text as it writes.

Resuming: without `--resume` a non-empty destination is refused. With it, each batch read from
the source is compared with the destination by id and only missing or different records are
written, so an interrupted copy (Ctrl-C, a lost connection) continues where it stopped and a
finished one is a no-op. Verification compares counts and a seeded sample of ids: present,
same text and metadata, vectors equal within float32 rounding.
"""
from __future__ import annotations

import random
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from rightsized.pipelines.config import (
    MilvusLiteStoreConfig,
    MilvusServerStoreConfig,
    PineconeStoreConfig,
    Settings,
)
from rightsized.pipelines.errors import BackendError, ConfigError
from rightsized.pipelines.progress import ProgressCallback
from rightsized.pipelines.stores import StoreConfigAny, open_store
from rightsized.pipelines.stores.base import Record, VectorStore
from rightsized.pipelines.stores.milvus import connect

SPEC_HELP = "milvus-lite:PATH, http(s)://HOST:PORT or milvus:URI (Milvus server), pinecone:HOST_URL"


def parse_store_spec(spec: str, settings: Settings) -> StoreConfigAny:
    """A store address -> its config; auth and tuning come from the settings' store block when
    it is of the same kind (secrets stay in environment variables)."""
    base = settings.store
    if spec.startswith("milvus-lite:"):
        path = Path(spec.removeprefix("milvus-lite:")).expanduser()
        lite = base if isinstance(base, MilvusLiteStoreConfig) else MilvusLiteStoreConfig()
        return lite.model_copy(update={"path": path})
    if spec.startswith(("http://", "https://", "milvus:")):
        uri = spec.removeprefix("milvus:")
        server = base if isinstance(base, MilvusServerStoreConfig) else MilvusServerStoreConfig()
        return server.model_copy(update={"uri": uri})
    if spec.startswith("pinecone:"):
        host = spec.removeprefix("pinecone:")
        pinecone = base if isinstance(base, PineconeStoreConfig) else PineconeStoreConfig()
        return pinecone.model_copy(update={"host": host})
    raise ConfigError(f"unknown store address '{spec}'; use {SPEC_HELP}")


def source_collections(config: StoreConfigAny, only: str | None) -> dict[str, int]:
    """Collections to copy (name -> dimension): every rightsized collection, or `only`."""
    if isinstance(config, PineconeStoreConfig):
        raise ConfigError("migrating out of Pinecone is not supported; the source must be Milvus")
    if isinstance(config, MilvusLiteStoreConfig):
        assert config.path is not None  # parse_store_spec always sets it
        if not config.path.exists():
            raise ConfigError(f"no Milvus Lite data at {config.path}")
    where = config.uri if isinstance(config, MilvusServerStoreConfig) else str(config.path)
    client = connect(config, where)
    try:
        everything = client.list_collections()
        names = [n for n in everything if n.startswith("rs_") and not n.endswith("__bm25")]
        if only is not None:
            if only not in everything:
                raise ConfigError(f"no collection '{only}' at {where}; found: {', '.join(names) or 'none'}")
            names = [only]
        dims = {}
        for name in names:
            fields = client.describe_collection(name)["fields"]
            dims[name] = next(int(f["params"]["dim"]) for f in fields if f["name"] == "dense")
        return dims
    finally:
        client.close()


@dataclass
class MigrationReport:
    collection: str
    source_count: int = 0
    copied: int = 0
    already_there: int = 0
    destination_count: int = 0
    sample_checked: int = 0
    mismatches: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.source_count == self.destination_count and not self.mismatches

    def to_dict(self) -> dict[str, object]:
        return {**self.__dict__, "ok": self.ok}


def _same(a: Record, b: Record) -> bool:
    return (a.text == b.text and a.scalars() == b.scalars() and a.meta == b.meta
            and np.allclose(a.vector, b.vector, rtol=0, atol=1e-6))


def migrate_collection(
    source: VectorStore, destination: VectorStore, *, batch_size: int = 500, resume: bool = False,
    sample: int = 100, progress: ProgressCallback | None = None,
) -> MigrationReport:
    """Copy every record of `source` into `destination`, then verify."""
    started = time.perf_counter()
    report = MigrationReport(source.collection, source_count=source.count())
    existing = destination.count()
    if existing and not resume:
        raise BackendError(f"destination '{destination.collection}' at {destination.location} already holds "
                           f"{existing} records; rerun with --resume to continue an interrupted copy")
    ids: list[str] = []
    for batch in source.iter_records(batch_size):
        ids.extend(r.id for r in batch)
        present = destination.fetch([r.id for r in batch]) if existing or resume else {}
        todo = [r for r in batch if r.id not in present or not _same(r, present[r.id])]
        report.already_there += len(batch) - len(todo)
        if todo:
            destination.upsert(todo)
            report.copied += len(todo)
        if progress is not None:
            progress("records", len(batch))
    destination.flush()
    report.destination_count = destination.count()
    chosen = random.Random(0).sample(ids, min(sample, len(ids)))
    want, got = source.fetch(chosen), destination.fetch(chosen)
    report.sample_checked = len(chosen)
    for chunk_id in chosen:
        if chunk_id not in got:
            report.mismatches.append(f"{chunk_id}: missing in destination")
        elif not _same(want[chunk_id], got[chunk_id]):
            report.mismatches.append(f"{chunk_id}: differs (text, metadata or vector)")
    report.seconds = round(time.perf_counter() - started, 2)
    return report


def migrate(
    settings: Settings, from_spec: str, to_spec: str, *, collection: str | None = None,
    batch_size: int = 500, resume: bool = False, sample: int = 100, progress: ProgressCallback | None = None,
) -> list[MigrationReport]:
    """Copy every rightsized collection (or `collection`) from one store address to another."""
    source_config, destination_config = parse_store_spec(from_spec, settings), parse_store_spec(to_spec, settings)
    reports = []
    for name, dimension in source_collections(source_config, collection).items():
        source = open_store(source_config, collection=name, dimension=dimension)
        destination = open_store(destination_config, collection=name, dimension=dimension)
        try:
            source.warm_up()
            destination.warm_up()
            reports.append(migrate_collection(source, destination, batch_size=batch_size, resume=resume,
                                              sample=sample, progress=progress))
        finally:
            source.close()
            destination.close()
    return reports
