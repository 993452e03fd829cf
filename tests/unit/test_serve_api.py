"""The HTTP API as a client sees it (FastAPI's TestClient, the app's real lifespan and executor).

Two domains, neither built into the app: the toy forecasting plugin (a CSV upload plus a
parameter) and `probe`, declared below, whose `echo` task can be told to sleep or to fail the way
a task fails (a domain policy, a backend, a bad input) so every documented status code is
reached by a real request. Tiers run the real runner on the baseline tier (wordllama embedder,
real Milvus Lite) — nothing is mocked.
"""
from __future__ import annotations

import contextlib
import json
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, Literal

import pytest
from fastapi.testclient import TestClient
from pydantic import BaseModel, Field

from rightsized.domains.base import Corpus, Domain, Task
from rightsized.domains.context import TaskContext
from rightsized.domains.inputs import file_specs, input_file
from rightsized.domains.results import TaskResult
from rightsized.pipelines.app.serve.app import ERROR_STATUSES, local_app, openapi_document
from rightsized.pipelines.app.serve.auth import ApiKey, KeyRing, hash_key, load_keys
from rightsized.pipelines.app.serve.executor import Upload, materialize
from rightsized.pipelines.app.serve.limits import safe_relative_path
from rightsized.pipelines.app.serve.settings import ServeSettings, check_bind
from rightsized.pipelines.config import load_settings
from rightsized.pipelines.errors import BackendError, ConfigError, PolicyError

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "plugins"))
import toy_forecast  # noqa: E402 - the test plugin lives outside the package

COMMITTED_SCHEMA = Path(__file__).resolve().parents[2] / "pipelines" / "app" / "serve" / "openapi.json"
RAN: list[str] = []  # echo texts that actually ran


class EchoInput(BaseModel):
    text: str = Field(max_length=100)
    fail: Literal["none", "policy", "backend", "value"] = "none"
    sleep_s: float = Field(0.0, ge=0, le=5)


class EchoResult(TaskResult):
    text: str


class EchoTask(Task[EchoInput, EchoResult]):
    name = "echo"
    description = "Return the text; sleep or fail on request."
    input_model, result_model = EchoInput, EchoResult

    def run(self, ctx: TaskContext, inputs: EchoInput) -> EchoResult:
        time.sleep(inputs.sleep_s)
        RAN.append(inputs.text)
        if inputs.fail == "policy":
            raise PolicyError("this domain never sends text off this machine")
        if inputs.fail == "backend":
            raise BackendError("model server answered 500")
        if inputs.fail == "value":
            raise ValueError("cannot read this input")
        return EchoResult(text=inputs.text)


class LinesInput(BaseModel):
    table: Path = input_file("Any text file.")


class LinesResult(TaskResult):
    lines: int


class LinesTask(Task[LinesInput, LinesResult]):
    name = "lines"
    description = "Count the lines of an uploaded file."
    input_model, result_model = LinesInput, LinesResult

    def run(self, ctx: TaskContext, inputs: LinesInput) -> LinesResult:
        return LinesResult(lines=len(inputs.table.read_text().splitlines()))


class ProbeDomain(Domain):
    name = "probe"
    description = "A test-only domain for the HTTP API."
    tasks = (EchoTask(), LinesTask())
    configured = 0  # how often its settings were validated (KYC loads sanctions lists there)

    def configure(self, raw: Mapping[str, Any] | None) -> BaseModel | None:
        ProbeDomain.configured += 1
        return super().configure(raw)

    def build_corpus(self, out_dir: Path, *, n: int, seed: int) -> Corpus:
        return Corpus(out_dir)


DOMAINS = {"toy_forecast": toy_forecast.domain, "probe": ProbeDomain()}
KEY_ALL, KEY_TOY, KEY_SLOW = "k-all-" + "a" * 30, "k-toy-" + "b" * 30, "k-slow-" + "c" * 30
KEYS = KeyRing((ApiKey(name="all", sha256=hash_key(KEY_ALL)),
                ApiKey(name="toy", sha256=hash_key(KEY_TOY), domains=("toy_forecast",), tiers=("baseline",)),
                ApiKey(name="slow", sha256=hash_key(KEY_SLOW), rate_per_minute=2)))


def _settings(data_dir: Path):  # noqa: ANN202
    return load_settings(overrides=[f"data_dir={data_dir}", "tiers.baseline.embedder.backend=wordllama"])


def _ready(client: TestClient) -> TestClient:
    deadline = time.monotonic() + 120
    while (ready := client.get("/readyz")).status_code != 200:
        assert ready.json()["status"] == "loading", ready.json()
        assert time.monotonic() < deadline, "models did not load in 120 s"
        time.sleep(0.1)
    return client


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """No keys (local mode), the defaults."""
    app = local_app(_settings(tmp_path_factory.mktemp("open")), ServeSettings(tiers=("baseline",)), domains=DOMAINS)
    with TestClient(app) as test_client:
        yield _ready(test_client)


@pytest.fixture(scope="module")
def guarded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """Keys, small limits, one case at a time and no waiting room."""
    serve = ServeSettings(tiers=("baseline",), max_request_mb=0.05, max_upload_mb=0.01, concurrency=1, queue_size=0)
    app = local_app(_settings(tmp_path_factory.mktemp("guarded")), serve, KEYS, domains=DOMAINS)
    with TestClient(app) as test_client:
        yield _ready(test_client)


def auth(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def forecast(client: TestClient, csv: bytes = b"value\n10\n12\n11\n13\n", **kwargs) -> object:  # noqa: ANN003
    return client.post("/v1/toy_forecast/forecast", files={"series": ("sales.csv", csv, "text/csv")},
                       data={"horizon": "2"}, **kwargs)


# --- results -----------------------------------------------------------------------------------


def test_a_csv_upload_runs_the_task_as_run_json_would(client: TestClient) -> None:
    done = forecast(client)
    assert done.status_code == 200, done.text
    body = done.json()
    assert set(body) == {"domain", "task", "tier", "ingest", "results", "errors", "warnings"}
    [result] = body["results"]
    assert (body["domain"], result["task"], result["tier"], result["method"], result["forecast"]) == (
        "toy_forecast", "forecast", "baseline", "naive", [13.0, 13.0])
    assert body["ingest"]["files_seen"] == 0 and body["errors"] == []  # read by the task, never embedded


def test_a_domain_is_configured_once_at_start_not_per_request(client: TestClient) -> None:
    before = ProbeDomain.configured
    for text in ("one", "two"):
        assert client.post("/v1/probe/echo", json={"text": text}).status_code == 200
    assert ProbeDomain.configured == before


def test_json_parameters_are_validated_against_the_input_model(client: TestClient) -> None:
    assert client.post("/v1/probe/echo", json={"text": "hello"}).json()["results"][0]["text"] == "hello"
    too_long = client.post("/v1/probe/echo", json={"text": "x" * 101})
    assert too_long.status_code == 422 and "text" in too_long.json()["message"]
    unknown = client.post("/v1/probe/echo", json={"text": "a", "txt": "b"})
    assert unknown.status_code == 422 and '"txt"' in unknown.json()["message"]


@pytest.mark.parametrize("body", ["[" * 100_000 + "]" * 100_000, '{"text": ' + "9" * 5000 + "}"])
def test_a_json_body_the_parser_cannot_take_is_a_422_not_a_500(client: TestClient, body: str) -> None:
    """Nesting deeper than the parser's stack and an integer of 5,000 digits were plain-text 500s."""
    answer = client.post("/v1/probe/echo", content=body, headers={"content-type": "application/json"})
    assert answer.status_code == 422 and answer.json()["error"] == "invalid_body", answer.text


def test_uploads_whose_names_clash_as_file_and_folder_are_refused() -> None:
    """"x" and "x/y.txt" in one folder input: the second could not be written (a 500)."""
    class FolderInput(BaseModel):
        notes: Path = input_file("Notes.", kind="folder")

    uploads = (Upload("notes", "x", b"a"), Upload("notes", "x/y.txt", b"b"))
    with pytest.raises(ConfigError, match="clashes with another upload"):
        materialize(uploads, file_specs(FolderInput), Path(tempfile.mkdtemp()))
    with pytest.raises(ConfigError, match="without folders, got 'a/b.txt'"):
        materialize((Upload("table", "a/b.txt", b"a"),), file_specs(LinesInput), Path(tempfile.mkdtemp()))


def test_a_client_cannot_name_a_server_path(client: TestClient) -> None:
    """File inputs are uploads only: a path in a form field or a JSON body is refused."""
    as_text = client.post("/v1/probe/lines", data={"table": "/etc/passwd"}, files={"x": ("", b"")})
    assert as_text.status_code == 422
    for name in ("../../etc/passwd", "/etc/passwd", ".hidden", "a/../../b"):
        refused = client.post("/v1/probe/lines", files={"table": (name, b"a\nb\n", "text/plain")})
        assert refused.status_code == 422, name
        assert "file name" in refused.json()["message"]


@pytest.mark.parametrize("name, kept", [
    ("passport.pdf", "passport.pdf"), ("applicant_001/passport.pdf", "applicant_001/passport.pdf"),
    ("a\x01b", None), ("C:\\x", None), ("a/b/c/d/e", None), ("", None), ("..", None), ("a//b", "a/b"),
])
def test_upload_names_become_safe_relative_paths(name: str, kept: str | None) -> None:
    if kept is None:
        with pytest.raises(ValueError):
            safe_relative_path(name)
    else:
        assert str(safe_relative_path(name)) == kept


def test_uploads_and_their_folder_are_gone_after_the_request(client: TestClient, tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    done = client.post("/v1/probe/lines", files={"table": ("t.txt", b"a\nb\nc\n", "text/plain")})
    assert done.status_code == 200 and done.json()["results"][0]["lines"] == 3
    assert list(tmp_path.iterdir()) == []


def test_domains_tiers_health_and_metrics(client: TestClient) -> None:
    domains = {d["domain"]: d for d in client.get("/v1/domains").json()}
    assert set(domains) == {"toy_forecast", "probe"}
    assert [t["endpoint"] for t in domains["probe"]["tasks"]] == ["/v1/probe/echo", "/v1/probe/lines"]
    tiers = {t["name"]: t for t in client.get("/v1/tiers").json()}
    assert tiers["baseline"]["served"] is True and tiers["small"]["served"] is False
    assert tiers["mid"]["available"] is False and "RIGHTSIZED_MID_URL" in tiers["mid"]["reason"]
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz").json()
    assert ready["tiers"] == ["baseline"] and ready["retrieval_p50_ms"]["probe"]["baseline"] > 0
    forecast(client)
    client.post("/v1/probe/echo", json={"text": "x", "fail": "backend"})
    text = client.get("/metrics").text
    assert 'rightsized_requests_total{domain="toy_forecast",status="200",task="forecast",tier="baseline"}' in text
    assert 'rightsized_errors_total{domain="probe",task="echo",tier="baseline",type="BackendError"} 1.0' in text
    assert 'rightsized_request_seconds_bucket{domain="toy_forecast",le="+Inf",task="forecast",tier="baseline"}' in text
    assert 'rightsized_queue_waiting{tier="baseline"} 0.0' in text


def test_docs_page_loads_its_assets_from_the_app(client: TestClient) -> None:
    page = client.get("/docs").text
    assert "/docs/assets/swagger-ui-bundle.js" in page and "cdn" not in page.lower()
    assert client.get("/docs/assets/swagger-ui-bundle.js").status_code == 200


# --- every documented status code, reached by a real request -----------------------------------


def _hold_the_only_slot(guarded: TestClient) -> threading.Thread:
    holder = threading.Thread(target=lambda: guarded.post("/v1/probe/echo?tier=baseline", headers=auth(KEY_ALL),
                                                          json={"text": "holder", "sleep_s": 1.5}))
    holder.start()
    deadline = time.monotonic() + 10
    while "holder" not in RAN and 'rightsized_queue_running{tier="baseline"} 1.0' not in guarded.get("/metrics").text:
        assert time.monotonic() < deadline
        time.sleep(0.02)
    return holder


STATUS_REQUESTS = {
    401: lambda c: c.post("/v1/probe/echo", json={"text": "a"}),
    403: lambda c: c.post("/v1/probe/echo", json={"text": "a"}, headers=auth(KEY_TOY)),
    413: lambda c: c.post("/v1/probe/lines", headers=auth(KEY_ALL), files={"table": ("t.txt", b"x" * 20_000)}),
    415: lambda c: c.post("/v1/probe/lines", headers=auth(KEY_ALL), json={"table": "t.txt"}),
    422: lambda c: c.post("/v1/probe/echo", headers=auth(KEY_ALL), json={"text": 5}),
    502: lambda c: c.post("/v1/probe/echo", headers=auth(KEY_ALL), json={"text": "a", "fail": "backend"}),
    503: lambda c: c.post("/v1/probe/echo?tier=small", headers=auth(KEY_ALL), json={"text": "a"}),
}


@pytest.mark.parametrize("status", sorted(STATUS_REQUESTS))
def test_documented_status_is_reached(guarded: TestClient, status: int) -> None:
    done = STATUS_REQUESTS[status](guarded)
    assert done.status_code == status, done.text
    assert set(done.json()) == {"error", "message"}


def test_every_documented_status_has_a_request() -> None:
    reached = {*STATUS_REQUESTS, 200, 429}  # 429 and the 403s of policy and tier: below
    assert {int(s) for s in ERROR_STATUSES} | {200} == reached


def test_key_scopes_rate_limits_and_policy(guarded: TestClient) -> None:
    wrong_tier = guarded.post("/v1/toy_forecast/forecast?tier=small", headers=auth(KEY_TOY),
                              files={"series": ("s.csv", b"value\n1\n")})
    assert wrong_tier.status_code == 403 and "tier 'small'" in wrong_tier.json()["message"]
    policy = guarded.post("/v1/probe/echo", headers=auth(KEY_ALL), json={"text": "a", "fail": "policy"})
    assert policy.status_code == 403 and "PolicyError" in policy.json()["message"]
    assert guarded.post("/v1/probe/echo", headers=auth("k-unknown"), json={"text": "a"}).status_code == 401
    statuses = [guarded.post("/v1/probe/echo", headers=auth(KEY_SLOW), json={"text": "r"}) for _ in range(3)]
    assert [s.status_code for s in statuses] == [200, 200, 429]
    assert int(statuses[2].headers["Retry-After"]) >= 1
    mine = {d["domain"] for d in guarded.get("/v1/domains", headers=auth(KEY_TOY)).json()}
    assert mine == {"toy_forecast"}
    assert guarded.get("/v1/domains").status_code == 401


def test_a_full_queue_answers_503_at_once_with_retry_after(guarded: TestClient) -> None:
    holder = _hold_the_only_slot(guarded)
    started = time.perf_counter()
    refused = guarded.post("/v1/probe/echo", headers=auth(KEY_ALL), json={"text": "refused"})
    assert time.perf_counter() - started < 1.0  # refused, not delayed
    holder.join()
    assert refused.status_code == 503 and refused.json()["error"] == "queue_full"
    assert int(refused.headers["Retry-After"]) >= 1 and "refused" not in RAN
    assert 'rightsized_rejected_total{reason="queue_full",tier="baseline"} 1.0' in guarded.get("/metrics").text


def test_a_body_over_the_limit_is_refused_by_its_declared_length(guarded: TestClient) -> None:
    refused = guarded.post("/v1/probe/echo", headers={**auth(KEY_ALL), "Content-Type": "application/json"},
                           content=b"{" + b" " * 60_000 + b"}")
    assert refused.status_code == 413


# --- configuration -------------------------------------------------------------------------------


def test_keys_are_stored_hashed_and_files_with_plain_keys_are_refused(tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    good = tmp_path / "keys.yaml"
    good.write_text(f"keys:\n  - name: crm\n    sha256: {hash_key('secret-token')}\n    domains: [bfsi_kyc]\n")
    ring = load_keys(good)
    assert ring.identify("secret-token").domains == ("bfsi_kyc",) and ring.identify("other") is None
    plain = tmp_path / "plain.yaml"
    plain.write_text("keys:\n  - name: crm\n    sha256: secret-token\n")
    with pytest.raises(ConfigError, match="never the key itself"):
        load_keys(plain)
    monkeypatch.setenv("RIGHTSIZED_API_KEYS", good.read_text())
    assert load_keys(None).enabled


@pytest.mark.parametrize("host, keys, allowed", [
    ("127.0.0.1", False, True), ("::1", False, True), ("localhost", False, True),
    ("0.0.0.0", False, False), ("192.168.1.5", False, False), ("example.org", False, False), ("0.0.0.0", True, True),
])
def test_a_public_bind_needs_keys(host: str, keys: bool, allowed: bool) -> None:
    if allowed:
        check_bind(host, keys)
    else:
        with pytest.raises(ConfigError, match="refusing to listen"):
            check_bind(host, keys)


def test_committed_openapi_schema_is_the_generated_one() -> None:
    generated = json.loads(json.dumps(openapi_document(load_settings()), default=str))
    committed = json.loads(COMMITTED_SCHEMA.read_text())
    assert committed == generated, ("pipelines/app/serve/openapi.json is stale: regenerate it with "
                                    "`rightsized serve --openapi > pipelines/app/serve/openapi.json`")


# --- a real server on 127.0.0.1: disconnects and shutdown ----------------------------------------


@pytest.fixture
def live(tmp_path: Path) -> Iterator[tuple[str, object]]:
    """uvicorn on a free loopback port in a thread; one case at a time, four may wait."""
    import uvicorn

    app = local_app(_settings(tmp_path), ServeSettings(tiers=("baseline",), concurrency=1, queue_size=4),
                    domains=DOMAINS)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning",
                                           timeout_graceful_shutdown=30))
    with _serving(server) as url:
        yield url, server


@contextlib.contextmanager
def _serving(server: Any) -> Iterator[str]:
    """Run a `uvicorn.Server` (port 0) in a thread until its models are ready; yields its URL and
    stops it on exit."""
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not (server.started and server.servers):
        assert time.monotonic() < deadline and thread.is_alive(), "server did not start"
        time.sleep(0.05)
    url = f"http://127.0.0.1:{server.servers[0].sockets[0].getsockname()[1]}"
    try:
        _wait_ready(url)
        yield url
    finally:
        server.should_exit = True
        thread.join(timeout=60)


def _wait_ready(url: str) -> None:
    import httpx

    deadline = time.monotonic() + 120
    while httpx.get(f"{url}/readyz").status_code != 200:
        assert time.monotonic() < deadline
        time.sleep(0.1)


def _post_in_thread(url: str, text: str, sleep_s: float, results: list[object]) -> threading.Thread:
    import httpx

    thread = threading.Thread(target=lambda: results.append(
        httpx.post(f"{url}/v1/probe/echo", json={"text": text, "sleep_s": sleep_s}, timeout=30)))
    thread.start()
    deadline = time.monotonic() + 10
    while text not in RAN and 'rightsized_queue_running{tier="baseline"} 1.0' not in httpx.get(f"{url}/metrics").text:
        assert time.monotonic() < deadline
        time.sleep(0.02)
    return thread


@pytest.mark.integration
def test_a_client_that_hangs_up_while_queued_never_runs(live: tuple[str, object]) -> None:
    import httpx

    url, _ = live
    results: list[object] = []
    holder = _post_in_thread(url, "long", 1.5, results)
    with pytest.raises(httpx.ReadTimeout):
        httpx.post(f"{url}/v1/probe/echo", json={"text": "impatient"}, timeout=0.3)
    holder.join()
    time.sleep(0.3)
    assert results[0].status_code == 200 and "impatient" not in RAN
    metrics = httpx.get(f"{url}/metrics").text
    assert 'rightsized_rejected_total{reason="client_gone",tier="baseline"} 1.0' in metrics
    assert 'rightsized_queue_waiting{tier="baseline"} 0.0' in metrics


@pytest.mark.integration
def test_shutdown_finishes_the_request_in_flight(live: tuple[str, object]) -> None:
    url, server = live
    results: list[object] = []
    in_flight = _post_in_thread(url, "finishing", 1.0, results)
    server.should_exit = True  # what SIGTERM sets
    in_flight.join(timeout=30)
    assert results and results[0].status_code == 200
    assert results[0].json()["results"][0]["text"] == "finishing"


# --- the tier queue on its own ---------------------------------------------------------------------


def test_the_queue_refuses_a_wait_longer_than_allowed_and_cancelled_waiters_leave_it() -> None:
    import asyncio

    from rightsized.pipelines.app.serve.queue import QueueFull, TierGate

    async def scenario() -> None:
        gate = TierGate("small", concurrency=1, queue_size=16, max_wait_s=5)
        release = asyncio.Event()

        async def hold() -> None:
            async with gate.slot():
                await release.wait()

        holder = asyncio.ensure_future(hold())
        await asyncio.sleep(0)
        waiter = asyncio.ensure_future(gate.slot().__aenter__())
        await asyncio.sleep(0)
        assert gate.waiting == 1  # expected wait 2 x 1 s: admitted
        waiter.cancel()
        await asyncio.sleep(0)
        assert gate.waiting == 0  # a cancelled waiter leaves the queue
        gate.observe(100.0)  # cases now take ~20 s: one place ahead is already too long
        with pytest.raises(QueueFull) as refused:
            async with gate.slot():
                pass
        assert refused.value.retry_after_s >= 20
        release.set()
        await holder
        async with gate.slot():  # a free slot is taken at once, however slow the tier
            assert gate.running == 1

    asyncio.run(scenario())


# --- `rightsized bench serve`'s parts ----------------------------------------------------------------


def test_bench_requests_come_from_the_domains_sample_corpus(tmp_path: Path) -> None:
    from rightsized.eval.bench_serve import corpus_requests

    requests = corpus_requests(toy_forecast.domain, "forecast", tmp_path)
    assert len(requests) == 4  # one per gold case
    first = requests[0]
    assert first.params == {"horizon": 3}
    [(field, name, data)] = first.uploads
    assert (field, name) == ("series", "series_00.csv") and data.startswith(b"value\n")
    assert first.httpx_kwargs()["data"] == {"horizon": "3"}


@pytest.mark.integration
def test_the_load_loop_counts_answers_and_backs_off_on_refusals(live: tuple[str, object]) -> None:
    import asyncio

    from rightsized.eval.bench_serve import BenchRequest, _closed_loop

    url, _ = live
    level = asyncio.run(_closed_loop(f"{url}/v1/probe/echo", [BenchRequest({"text": "load", "sleep_s": 0.2}, [])],
                                     concurrency=8, seconds=1.5))
    statuses = level["statuses"]
    assert statuses.get("200", 0) >= 5 and set(statuses) <= {"200", "503"}
    # One case at a time and four waiting: the rest were refused at once and waited Retry-After,
    # rather than spinning (at most one refusal per client in 1.5 s with Retry-After >= 1 s).
    assert statuses.get("503", 0) <= 8 and level["error_rate"] == 0.0
    assert level["p50_ms"] >= 200


def test_connections_beyond_the_cap_are_refused_not_held(tmp_path: Path) -> None:
    """300 clients sending headers a byte at a time were all held open (no cap): beyond
    `max_connections` the server now answers 503 at once, and serves again when they go."""
    import socket

    import httpx
    import uvicorn

    from rightsized.pipelines.app.serve.server import uvicorn_config

    serve = ServeSettings(tiers=("baseline",), port=0, max_connections=4)
    server = uvicorn.Server(uvicorn_config(local_app(_settings(tmp_path), serve, domains=DOMAINS), serve))
    with _serving(server) as url, contextlib.ExitStack() as slow:
        port = server.servers[0].sockets[0].getsockname()[1]
        for _ in range(4):  # half-sent requests, as a slow client leaves them
            sock = slow.enter_context(socket.create_connection(("127.0.0.1", port)))
            sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
        time.sleep(0.5)
        assert httpx.get(f"{url}/healthz", timeout=10).status_code == 503
        slow.close()
        deadline = time.monotonic() + 10
        while httpx.get(f"{url}/healthz", timeout=10).status_code != 200:
            assert time.monotonic() < deadline, "the server did not recover after the slow clients left"
            time.sleep(0.1)
