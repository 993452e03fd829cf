"""Wire a tier's config into live components: embedder, store, retriever, generator.

Why a `Workspace` that caches by embedder: tiers that share an embedder share one collection and
one loaded model, so `demo` ingests once and compares generators on identical retrieval.
Availability is decided here, cheaply and before any heavy load, so an unavailable tier is
reported with its reason and never crashes (or fakes) a run.

The data directory holds names, dates of birth and addresses: it is created owner-only (0700).
A Milvus Lite directory can be open in one process only (milvus_lite holds an `flock` on its
`LOCK` file); a second process gets "another rightsized process is using PATH (pid N)" here
rather than pymilvus' bare "Open local milvus failed".
"""
from __future__ import annotations

import logging
import os
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from rightsized.pipelines.config import MilvusLiteStoreConfig, Settings, TierConfig
from rightsized.pipelines.embedders import Embedder, build_embedder
from rightsized.pipelines.errors import BackendError, ConfigError, TierUnavailableError
from rightsized.pipelines.generators import Generator, build_generator
from rightsized.pipelines.logs import routed
from rightsized.pipelines.retrieval import Retriever
from rightsized.pipelines.stores import VectorStore, build_store
from rightsized.pipelines.stores.base import USER_PREFIX, collection_name


LITE_LOCK_FILE = "LOCK"  # milvus_lite.db.LOCK_FILENAME


def ensure_data_dir(settings: Settings) -> Path:
    """Create the data directory readable by its owner only; an existing one is left as it is."""
    path = settings.resolved_data_dir
    try:
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as exc:  # a file in its place, no permission, read-only file system
        raise ConfigError(f"data_dir {path}: cannot create it ({exc.strerror}); set $RIGHTSIZED_DATA_DIR "
                          "or data_dir to a folder you can write") from exc
    return path


def lock_holder(lock_file: Path) -> int | None:
    """The pid holding an `flock` on `lock_file`, from /proc/locks (Linux); None if unknown."""
    try:
        info = lock_file.stat()
        lines = Path("/proc/locks").read_text().splitlines()
    except OSError:
        return None
    file_id = f"{os.major(info.st_dev):02x}:{os.minor(info.st_dev):02x}:{info.st_ino}"
    for line in lines:
        fields = line.split()  # "1: FLOCK  ADVISORY  WRITE 18353 fe:00:2148059 0 EOF"
        if len(fields) > 5 and fields[1] == "FLOCK" and fields[5] == file_id and fields[4].isdigit():
            return int(fields[4])
    return None


class _Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def _lite_failure(path: Path, records: list[logging.LogRecord], error: BackendError) -> BackendError:
    """The cause milvus_lite logged, as an error a user can act on; `error` when none was logged."""
    causes = [r.exc_info[1] for r in records if r.exc_info and r.exc_info[1] is not None]
    if not causes:
        return error
    from milvus_lite.exceptions import DataDirLockedError  # installed: it logged these causes

    if any(isinstance(c, DataDirLockedError) for c in causes):
        pid = lock_holder(path / LITE_LOCK_FILE)
        who = f" (pid {pid})" if pid is not None and pid != os.getpid() else ""
        return BackendError(f"another rightsized process is using {path}{who}; wait for it to finish, "
                            "or give this one another data directory ($RIGHTSIZED_DATA_DIR or --set data_dir=DIR)")
    return BackendError(f"cannot open Milvus Lite at {path}: {type(causes[-1]).__name__}: {causes[-1]}")


def exposure_warning(settings: Settings, tier: str, *, domain: str, sensitive: bool,
                     policy: str = "allow") -> str | None:
    """The warning due before a `sensitive` domain's text goes to a tier marked `external`, or None.

    `policy` is the domain's external policy (`rightsized.domains.privacy.ExternalPolicy`), which
    `TaskContext.generate` enforces; this only says, before the run, what will happen. Why a
    warning under "allow" and not a refusal: sending is the user's explicit choice of tier (a
    hosted API under a data-processing agreement can be legitimate), but never a silent one."""
    if not (sensitive and settings.tier(tier).external):
        return None
    if policy == "never":
        return (f"tier '{tier}' is external and the sensitive domain '{domain}' never sends text off this "
                "machine: its generation steps will be refused on this tier")
    if policy == "redacted":
        return (f"tier '{tier}' is external: only text redacted by the sensitive domain '{domain}' is sent "
                "off this machine (refused when the domain has no redactor)")
    return (f"tier '{tier}' is external: personal data of the sensitive domain '{domain}' will be sent "
            "off this machine; choose a tier that is not external unless that is allowed")


class TierRuntime:
    """Everything a domain task needs to run one tier.

    Why the embedder and store load on first use: a task that reads its own files (a resume to
    parse, a telemetry table) never retrieves, and loading a sentence-transformers model and
    opening a Milvus collection was most of such a run's time.
    """

    def __init__(self, name: str, config: TierConfig, generator: Generator,
                 embedder: Callable[[], Embedder], store: Callable[[], VectorStore]) -> None:
        self.name = name
        self.config = config
        self.generator = generator
        self._load_embedder = embedder
        self._load_store = store

    @cached_property
    def embedder(self) -> Embedder:
        return self._load_embedder()

    @cached_property
    def store(self) -> VectorStore:
        return self._load_store()

    @cached_property
    def retriever(self) -> Retriever:
        return Retriever(self.store, self.embedder, self.config.retrieval)


@dataclass(frozen=True)
class TierStatus:
    name: str
    description: str
    backend: str
    available: bool
    reason: str | None


class Workspace:
    """Loaded components for one settings object and one domain.

    Usage:
        ws = Workspace(load_settings(), domain="bfsi_kyc")
        runtime = ws.tier("baseline")      # raises TierUnavailableError with the reason
        hits = runtime.retriever.retrieve("date of birth")
    """

    def __init__(self, settings: Settings, *, domain: str, prefix: str = USER_PREFIX,
                 models_from: Workspace | None = None) -> None:
        """`models_from`: share that workspace's loaded embedders and generators (a server holds
        one workspace per domain, since collections are per domain, but must load each model
        once, and a llama.cpp model's one-generation-at-a-time lock must be one lock per model)."""
        self.settings = settings
        self.domain = domain
        self.prefix = prefix  # eval and demo pass EVAL_PREFIX: their corpora never mix with the user's
        self._embedders: dict[str, Embedder] = models_from._embedders if models_from else {}
        self._stores: dict[str, VectorStore] = {}
        self._generators: dict[str, Generator] = models_from._generators if models_from else {}
        self._runtimes: dict[str, TierRuntime] = {}

    def status(self, name: str) -> TierStatus:
        config = self.settings.tier(name)
        reason = self._generator(name).unavailable_reason()
        return TierStatus(name, config.description, config.generator.backend, reason is None, reason)

    def statuses(self) -> list[TierStatus]:
        return [self.status(name) for name in self.settings.tiers]

    def embedder(self, name: str, *, load: bool = True) -> Embedder:
        """The tier's embedder, shared by every tier that configures the same one; loaded unless
        `load` is False (it then loads at its first `embed`: deleting or re-ingesting unchanged
        files needs only its id and dimension)."""
        config = self.settings.tier(name).embedder
        key = config.model_dump_json()
        if key not in self._embedders:
            self._embedders[key] = build_embedder(config)
        embedder = self._embedders[key]
        if load:
            embedder.warm_up()
        return embedder

    def store(self, name: str) -> VectorStore:
        embedder = self.embedder(name, load=False)
        collection = collection_name(self.domain, embedder.embedder_id, self.prefix)
        if collection not in self._stores:
            ensure_data_dir(self.settings)
            store = build_store(self.settings, collection=collection, dimension=embedder.dimension)
            # milvus_lite logs why a directory failed to open and returns None, so pymilvus says
            # only "Open local milvus failed": keep those records to name the cause.
            failures = _Records()
            with routed("milvus_lite.server_manager", failures):
                try:
                    store.warm_up()
                except BackendError as exc:
                    if not isinstance(self.settings.store, MilvusLiteStoreConfig):
                        raise
                    raise _lite_failure(self.settings.store_path, failures.records, exc) from exc
            self._stores[collection] = store
        return self._stores[collection]

    def _generator(self, name: str) -> Generator:
        if name not in self._generators:
            self._generators[name] = build_generator(self.settings.tier(name).generator)
        return self._generators[name]

    def tier(self, name: str) -> TierRuntime:
        """A ready runtime, or `TierUnavailableError` naming the tier and the reason. Built once per
        workspace: the runner asks for it on every case, and availability is an HTTP probe for
        server tiers (`status()` always probes afresh)."""
        if name in self._runtimes:
            return self._runtimes[name]
        config = self.settings.tier(name)
        generator = self._generator(name)
        reason = generator.unavailable_reason()
        if reason is not None:
            raise TierUnavailableError(name, reason)
        generator.warm_up()
        runtime = TierRuntime(name, config, generator, embedder=lambda: self.embedder(name),
                              store=lambda: self.store(name))
        self._runtimes[name] = runtime
        return runtime

    def close(self) -> None:
        """Release stores and loaded models (generators that hold native resources)."""
        for store in self._stores.values():
            store.close()
        self._stores.clear()
        for generator in self._generators.values():
            close = getattr(generator, "close", None)
            if close is not None:
                close()
        self._generators.clear()
        self._runtimes.clear()
