"""Run the app under uvicorn: loopback unless keys are configured, graceful shutdown.

Why one process (no uvicorn `--workers`): Milvus Lite opens a data directory in one process only
and each worker would load its own models; scale out with Ray Serve (`ray_app.py`) or several
replicas against a Milvus server (`infra/k8s/`).
"""
from __future__ import annotations

import uvicorn
from fastapi import FastAPI

from rightsized.pipelines.app.serve.auth import KeyRing
from rightsized.pipelines.app.serve.settings import ServeSettings, check_bind


def uvicorn_config(app: FastAPI, serve: ServeSettings) -> uvicorn.Config:
    """The server's settings: no version header, no proxy headers trusted, at most
    `max_connections` open connections (uvicorn answers 503 beyond them)."""
    return uvicorn.Config(app, host=serve.host, port=serve.port, log_level="warning", access_log=False,
                          timeout_graceful_shutdown=int(serve.shutdown_timeout_s), server_header=False,
                          limit_concurrency=serve.max_connections, proxy_headers=False)


def serve_forever(app: FastAPI, serve: ServeSettings, keys: KeyRing) -> None:
    """Blocks until SIGINT/SIGTERM; in-flight requests get `shutdown_timeout_s` to finish."""
    check_bind(serve.host, keys.enabled)
    uvicorn.Server(uvicorn_config(app, serve)).run()
