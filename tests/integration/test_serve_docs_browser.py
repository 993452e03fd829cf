"""The interactive API docs in real headless chromium, offline: the page, Swagger UI's script and
styles and the schema all come from the app, and the rendered page lists the task endpoints."""
from __future__ import annotations

import re
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from rightsized.pipelines.app.serve.app import local_app
from rightsized.pipelines.app.serve.settings import ServeSettings
from rightsized.pipelines.config import load_settings

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "plugins"))
import toy_forecast  # noqa: E402 - the test plugin lives outside the package

pytestmark = pytest.mark.integration
CHROMIUM = Path("/usr/bin/chromium")


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, list[str]]]:
    """The app under uvicorn on a free loopback port; yields its URL and the paths it was asked for."""
    import uvicorn

    if not CHROMIUM.exists():
        pytest.skip("Debian chromium not installed: apt-get install chromium")
    settings = load_settings(overrides=[f"data_dir={tmp_path_factory.mktemp('docs')}",
                                        "tiers.baseline.embedder.backend=wordllama"])
    app = local_app(settings, ServeSettings(tiers=("baseline",)), domains={"toy_forecast": toy_forecast.domain})
    requested: list[str] = []

    @app.middleware("http")
    async def log_paths(request, call_next):  # noqa: ANN001, ANN202 - starlette middleware
        requested.append(request.url.path)
        return await call_next(request)

    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not (server.started and server.servers):
        assert time.monotonic() < deadline and thread.is_alive()
        time.sleep(0.05)
    url = f"http://127.0.0.1:{server.servers[0].sockets[0].getsockname()[1]}"
    try:
        yield url, requested
    finally:
        server.should_exit = True
        thread.join(timeout=30)


def test_docs_render_offline_from_the_apps_own_assets(served: tuple[str, list[str]], tmp_path: Path) -> None:
    url, requested = served
    command = [str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync",
               f"--user-data-dir={tmp_path / 'profile'}", "--virtual-time-budget=10000", "--dump-dom", f"{url}/docs"]
    dom = subprocess.run(command, capture_output=True, text=True, timeout=90, check=True).stdout
    assert 'class="swagger-ui' in dom  # the script ran and rendered
    assert "/v1/toy_forecast/forecast" in dom and "/v1/domains" in dom  # from the fetched schema
    assert {"/docs", "/docs/assets/swagger-ui-bundle.js", "/docs/assets/swagger-ui.css", "/openapi.json"} <= set(requested)
    outside = {u for u in re.findall(r'(?:src|href)="(https?://[^"]+)"', dom) if not u.startswith(url)}
    assert outside == set(), outside
    assert httpx.get(f"{url}/docs").headers["content-type"].startswith("text/html")
