"""The API on Ray Serve: a real local Ray head on 127.0.0.1 (started by the fixture, stopped after),
the ingress and a baseline tier deployment, one real KYC screening request through Ray's HTTP proxy.
"""
from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from rightsized.pipelines.app.serve.auth import KeyRing
from rightsized.pipelines.app.serve.settings import ServeSettings
from rightsized.pipelines.config import load_settings

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def ray_serve(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A Ray head owned by this process (`ray.shutdown()` ends it and only it), Serve's proxy on loopback."""
    import ray
    from ray import serve

    data_dir = tmp_path_factory.mktemp("ray-data")
    ray.init(num_cpus=4, include_dashboard=False, _node_ip_address="127.0.0.1", object_store_memory=200 * 2**20,
             log_to_driver=False, runtime_env={"env_vars": {"HF_HUB_OFFLINE": "1", "RIGHTSIZED_DATA_DIR": str(data_dir)}})
    port = _free_port()
    try:
        serve.start(http_options={"host": "127.0.0.1", "port": port})
        yield f"http://127.0.0.1:{port}"
    finally:
        serve.shutdown()
        ray.shutdown()


def test_one_kyc_request_through_ray_serve(ray_serve: str, tmp_path: Path) -> None:
    from ray import serve

    from rightsized.pipelines.app.serve.ray_app import TierScaling, build_ray_app

    settings = load_settings(overrides=[f"data_dir={tmp_path}", "tiers.baseline.embedder.backend=wordllama"])
    scaling = {"baseline": TierScaling(num_cpus=1, min_replicas=1, max_replicas=2, max_ongoing_requests=2)}
    started = time.perf_counter()
    serve.run(build_ray_app(settings, ServeSettings(), KeyRing(), scaling), name="rightsized", route_prefix="/")
    deployed_s = time.perf_counter() - started
    status = serve.status().applications["rightsized"]
    assert str(status.status).endswith("RUNNING")
    assert set(status.deployments) == {"ingress", "tier-baseline"}
    assert httpx.get(f"{ray_serve}/readyz", timeout=30).json()["tiers"] == ["baseline"]

    done = httpx.post(f"{ray_serve}/v1/bfsi_kyc/screen", json={"name": "Ada Lovelace"}, timeout=60)
    assert done.status_code == 200, done.text
    [result] = done.json()["results"]
    assert result["tier"] == "baseline" and result["name"] == "Ada Lovelace"
    refused = httpx.post(f"{ray_serve}/v1/bfsi_kyc/screen?tier=small", json={"name": "Ada"}, timeout=30)
    assert refused.status_code == 503  # not deployed here: said so, not faked
    print(f"\nRay Serve: deployed in {deployed_s:.1f} s; one screening request answered")
