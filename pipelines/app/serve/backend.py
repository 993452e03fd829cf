"""Where a validated job runs: in this process (threads) or on Ray Serve tier replicas.

Why an interface: `rightsized serve` and the Ray Serve deployment are the same FastAPI app; only
this part differs. The local backend loads models in a background thread at start-up, so
`/healthz` answers at once and `/readyz` says 503 until every served tier is loaded.
"""
from __future__ import annotations

import threading
import time
from typing import Any, Protocol

import anyio

from rightsized.domains.base import Domain
from rightsized.pipelines.app.serve.executor import Job, TaskExecutor
from rightsized.pipelines.config import Settings


class Backend(Protocol):
    watch_disconnect: bool  # the app cancels queued work itself when the client goes away

    def start(self) -> None: ...
    def stop(self) -> None: ...
    def readiness(self) -> dict[str, Any]: ...
    def served_tiers(self) -> dict[str, str | None]: ...  # tier -> None (served) or why not
    def concurrency(self, tier: str) -> int: ...
    async def execute(self, job: Job) -> dict[str, Any]: ...


SINGLE_GENERATION_BACKENDS = {"llamacpp", "transformers"}  # one generation at a time per process


def tier_concurrency(settings: Settings, tier: str, default: int) -> int:
    """A local model runs one generation at a time: more cases at once only wait on its lock."""
    return 1 if settings.tier(tier).generator.backend in SINGLE_GENERATION_BACKENDS else default


class LocalBackend:
    watch_disconnect = True

    def __init__(self, settings: Settings, domains: dict[str, Domain], *, tiers: list[str] | None,
                 default_concurrency: int, upload_dir: Any = None) -> None:
        self.settings = settings
        self.executor = TaskExecutor(settings, domains, tiers=tiers, upload_dir=upload_dir)
        self.default_concurrency = default_concurrency
        self._state = "loading"
        self._error: str | None = None
        self._loaded_s: float | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._load, name="rightsized-load", daemon=True)
        self._thread.start()

    def _load(self) -> None:
        started = time.perf_counter()
        try:
            self.executor.load()
        except Exception as exc:  # reported by /readyz; the process stays up to say why
            self._state, self._error = "failed", f"{type(exc).__name__}: {exc}"
            return
        self._loaded_s = round(time.perf_counter() - started, 2)
        self._state = "ready" if self.executor.ready else "failed"
        if not self.executor.ready:
            self._error = "no tier can run here: " + "; ".join(f"{t}: {r}" for t, r in self.executor.unavailable.items())

    def wait_loaded(self, timeout: float | None = None) -> None:
        if self._thread is not None:
            self._thread.join(timeout)

    def stop(self) -> None:
        self.wait_loaded()
        self.executor.close()

    def readiness(self) -> dict[str, Any]:
        body: dict[str, Any] = {"status": self._state}
        if self._error:
            body["error"] = self._error
        if self._state == "ready":
            body.update(load_seconds=self._loaded_s, tiers=self.executor.ready,
                        unavailable=self.executor.unavailable, retrieval_p50_ms=self.executor.probes,
                        note="retrieval latency measured by this process at start-up, on its own store")
        return body

    def served_tiers(self) -> dict[str, str | None]:
        if self._state != "ready":
            return {}
        return {**{t: None for t in self.executor.ready}, **self.executor.unavailable}

    def concurrency(self, tier: str) -> int:
        return tier_concurrency(self.settings, tier, self.default_concurrency)

    async def execute(self, job: Job) -> dict[str, Any]:
        # Not abandoned on cancellation: the slot stays taken until the thread's case is done.
        run = await anyio.to_thread.run_sync(self.executor.run, job)
        return run.to_dict()
