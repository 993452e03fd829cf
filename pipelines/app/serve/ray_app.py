"""The same app on Ray Serve: one ingress (`serve.ingress`) and one deployment per tier.

Why a deployment per tier: tiers need different hardware — the small tier (a local GGUF on
CPUs) scales out on CPU nodes, a mid tier sits on GPU nodes — so each tier is its own replica
group with its own resources and autoscaling, and the ingress (auth, limits, schemas, metrics:
the FastAPI app of `rightsized serve`, unchanged) routes each request to its tier.

Each tier replica loads its models once, in its constructor, before Ray Serve routes to it.
A replica on Milvus Lite gets a private store folder (a Lite folder opens in one process only,
and the API keeps no documents between requests); a shared corpus needs `store.backend: milvus`.

Run it with `serve run rightsized.pipelines.app.serve.ray_app:app_builder config=my.yaml` or the
KubeRay RayService in `infra/k8s/rayservice.yaml`.
"""
from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from ray import serve
from ray.serve.exceptions import BackPressureError, RayServeException
from ray.serve.handle import DeploymentHandle

from rightsized.pipelines.app.serve.app import Service, create_app, installed_domains
from rightsized.pipelines.app.serve.auth import KeyRing, load_keys
from rightsized.pipelines.app.serve.backend import SINGLE_GENERATION_BACKENDS
from rightsized.pipelines.app.serve.executor import Job, TaskExecutor
from rightsized.pipelines.app.serve.queue import QueueFull
from rightsized.pipelines.app.serve.settings import ServeSettings, check_bind
from rightsized.pipelines.config import MilvusLiteStoreConfig, Settings, load_settings
from rightsized.pipelines.errors import ConfigError, TierUnavailableError


class TierScaling(BaseModel):
    """A tier's replica group: resources per replica and autoscaling bounds."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    num_cpus: float = Field(1.0, ge=0)
    num_gpus: float = Field(0.0, ge=0)
    min_replicas: int = Field(1, ge=0)
    max_replicas: int = Field(2, ge=1)
    max_ongoing_requests: int = Field(4, ge=1)  # a local model: 1 (one generation at a time)
    max_queued_requests: int = Field(16, ge=-1)  # beyond: 503 (Ray's back-pressure)


def default_scaling(settings: Settings, tier: str) -> TierScaling:
    """Local model tiers: one request per replica with the threads llama.cpp uses; others: 4."""
    if settings.tier(tier).generator.backend in SINGLE_GENERATION_BACKENDS:
        return TierScaling(num_cpus=2.0, max_ongoing_requests=1)
    return TierScaling()


@serve.deployment
class TierWorker:
    """One tier's replica: models loaded once; runs jobs with the same executor as `rightsized serve`."""

    def __init__(self, settings: Settings, tier: str) -> None:
        if isinstance(settings.store, MilvusLiteStoreConfig) and settings.store.path is None:
            settings = settings.model_copy(update={"data_dir": Path(tempfile.mkdtemp(prefix="rightsized-replica-"))})
        domains, _ = installed_domains()
        self.executor = TaskExecutor(settings, domains, tiers=[tier])
        self.executor.load()
        if tier not in self.executor.ready:
            raise TierUnavailableError(tier, self.executor.unavailable.get(tier, "did not load"))

    def run(self, job: Job) -> dict[str, Any]:
        """Errors the app maps to statuses cross the process boundary as data, not pickled classes."""
        try:
            return {"ok": self.executor.run(job).to_dict()}
        except ConfigError as exc:
            return {"invalid": str(exc)}
        except TierUnavailableError as exc:
            return {"unavailable": [exc.tier, exc.reason]}


class RayBackend:
    """Sends each job to its tier's deployment; Ray queues, scales and cancels on disconnect."""

    watch_disconnect = False

    def __init__(self, scaling: dict[str, TierScaling]) -> None:
        self.scaling = scaling
        self._handles: dict[str, DeploymentHandle] = {}

    @property
    def handles(self) -> dict[str, DeploymentHandle]:
        """Looked up inside the ingress replica (this object is a pickled copy there)."""
        if not self._handles:
            try:
                app_name = serve.get_replica_context().app_name
            except RayServeException:  # not inside a replica (yet)
                return {}
            self._handles = {tier: serve.get_deployment_handle(f"tier-{tier}", app_name) for tier in self.scaling}
        return self._handles

    def start(self) -> None:
        """Nothing to load here: each tier replica loads its own models."""

    def stop(self) -> None:
        """Ray Serve stops the replicas."""

    def readiness(self) -> dict[str, Any]:
        if not self.handles:
            return {"status": "loading"}
        return {"status": "ready", "tiers": sorted(self.handles),
                "note": "Ray Serve routes to a tier replica only after it loaded its models"}

    def served_tiers(self) -> dict[str, str | None]:
        return {tier: None for tier in self.handles}

    def concurrency(self, tier: str) -> int:
        scaling = self.scaling[tier]
        return scaling.max_replicas * scaling.max_ongoing_requests

    async def execute(self, job: Job) -> dict[str, Any]:
        try:
            answer = await self.handles[job.tier].run.remote(job)
        except BackPressureError as exc:
            raise QueueFull(job.tier, 1) from exc
        if "invalid" in answer:
            raise ConfigError(answer["invalid"])
        if "unavailable" in answer:
            raise TierUnavailableError(*answer["unavailable"])
        return answer["ok"]


def build_ray_app(settings: Settings, serve_settings: ServeSettings, keys: KeyRing,
                  scaling: dict[str, TierScaling] | None = None) -> Any:
    """A Ray Serve application: the ingress and one autoscaled deployment per tier in `scaling`
    (default: the served tiers of `serve_settings`, else the default tier)."""
    tiers = list(scaling or serve_settings.tiers or [settings.default_tier])
    scaling = {t: (scaling or {}).get(t) or default_scaling(settings, t) for t in tiers}
    domains, failed = installed_domains()
    backend = RayBackend(scaling)
    fastapi_app = create_app(Service(settings, serve_settings, keys, domains, backend, failed))

    @serve.deployment(name="ingress")
    @serve.ingress(fastapi_app)
    class Ingress:
        def __init__(self, workers: dict[str, DeploymentHandle]) -> None:
            self.workers = workers  # bound so the tiers deploy with the app; the backend finds them by name

    workers = {}
    for tier, options in scaling.items():
        workers[tier] = TierWorker.options(
            name=f"tier-{tier}",
            ray_actor_options={"num_cpus": options.num_cpus, "num_gpus": options.num_gpus},
            autoscaling_config={"min_replicas": options.min_replicas, "max_replicas": options.max_replicas,
                                "target_ongoing_requests": max(1, options.max_ongoing_requests // 2)},
            max_ongoing_requests=options.max_ongoing_requests,
            max_queued_requests=options.max_queued_requests,
        ).bind(settings, tier)
    return Ingress.bind(workers)


def app_builder(args: dict[str, Any]) -> Any:
    """For `serve run ...:app_builder` and KubeRay: `config` (a YAML tier file), `set` (a list of
    path=value), `tiers` ({tier: TierScaling fields}), `serve` (ServeSettings fields),
    `proxy_host` (where Ray's HTTP proxy listens, default 0.0.0.0: then keys are required, as for
    `rightsized serve`); keys from $RIGHTSIZED_API_KEYS_FILE or $RIGHTSIZED_API_KEYS."""
    settings = load_settings(args.get("config"), list(args.get("set") or []))
    raw = args.get("tiers") or {}
    scaling = {tier: TierScaling.model_validate(options or {}) for tier, options in raw.items()} or None
    serve_settings = ServeSettings(**{k: v for k, v in (args.get("serve") or {}).items()})
    keys = load_keys(None)
    check_bind(str(args.get("proxy_host", "0.0.0.0")), keys.enabled)
    return build_ray_app(settings, serve_settings, keys, scaling)
