"""Wire a tier's config into live components: embedder, store, retriever, generator.

Why a `Workspace` that caches by embedder: tiers that share an embedder share one collection and
one loaded model, so `demo` ingests once and compares generators on identical retrieval.
Availability is decided here, cheaply and before any heavy load, so an unavailable tier is
reported with its reason and never crashes (or fakes) a run.
"""
from __future__ import annotations

from dataclasses import dataclass

from rightsized.pipelines.config import Settings, TierConfig
from rightsized.pipelines.embedders import Embedder, build_embedder
from rightsized.pipelines.errors import TierUnavailableError
from rightsized.pipelines.generators import Generator, build_generator
from rightsized.pipelines.retrieval import Retriever
from rightsized.pipelines.stores import VectorStore, build_store
from rightsized.pipelines.stores.base import USER_PREFIX, collection_name


@dataclass
class TierRuntime:
    """Everything a domain task needs to run one tier."""

    name: str
    config: TierConfig
    store: VectorStore
    embedder: Embedder
    retriever: Retriever
    generator: Generator


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

    def __init__(self, settings: Settings, *, domain: str, prefix: str = USER_PREFIX) -> None:
        self.settings = settings
        self.domain = domain
        self.prefix = prefix  # eval and demo pass EVAL_PREFIX: their corpora never mix with the user's
        self._embedders: dict[str, Embedder] = {}
        self._stores: dict[str, VectorStore] = {}
        self._generators: dict[str, Generator] = {}

    def status(self, name: str) -> TierStatus:
        config = self.settings.tier(name)
        reason = self._generator(name).unavailable_reason()
        return TierStatus(name, config.description, config.generator.backend, reason is None, reason)

    def statuses(self) -> list[TierStatus]:
        return [self.status(name) for name in self.settings.tiers]

    def embedder(self, name: str) -> Embedder:
        config = self.settings.tier(name).embedder
        key = config.model_dump_json()
        if key not in self._embedders:
            embedder = build_embedder(config)
            embedder.warm_up()
            self._embedders[key] = embedder
        return self._embedders[key]

    def store(self, name: str) -> VectorStore:
        embedder = self.embedder(name)
        collection = collection_name(self.domain, embedder.embedder_id, self.prefix)
        if collection not in self._stores:
            store = build_store(self.settings, collection=collection, dimension=embedder.dimension)
            store.warm_up()
            self._stores[collection] = store
        return self._stores[collection]

    def _generator(self, name: str) -> Generator:
        if name not in self._generators:
            self._generators[name] = build_generator(self.settings.tier(name).generator)
        return self._generators[name]

    def tier(self, name: str) -> TierRuntime:
        """A ready runtime, or `TierUnavailableError` naming the tier and the reason."""
        config = self.settings.tier(name)
        generator = self._generator(name)
        reason = generator.unavailable_reason()
        if reason is not None:
            raise TierUnavailableError(name, reason)
        generator.warm_up()
        embedder = self.embedder(name)
        store = self.store(name)
        return TierRuntime(name, config, store, embedder, Retriever(store, embedder, config.retrieval), generator)

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
