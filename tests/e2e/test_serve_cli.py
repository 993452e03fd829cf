"""`rightsized serve` as a user starts it: a real process on 127.0.0.1, a real KYC packet uploaded
as multipart, the result compared with `rightsized run --json` on the same files, and SIGTERM
while a request is in flight. Both commands use the wordllama embedder (`--set`), to start fast."""
from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

pytestmark = [pytest.mark.integration, pytest.mark.slow]
EXE = Path(sys.executable).with_name("rightsized")
FAST = ["--set", "tiers.baseline.embedder.backend=wordllama"]
PACKET = "applicant_001"
VOLATILE = {"created", "latency_s", "llm_latency_s"}  # times: differ run to run


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _comparable(value: Any) -> Any:
    """Times dropped; a chunk id `DOCPREFIX-CHUNKHASH` kept as its chunk hash: the document prefix
    derives from the document id, whose namespace is the request's own (`api-...`) over HTTP."""
    if isinstance(value, dict):
        return {k: _comparable(v) for k, v in value.items() if k not in VOLATILE}
    if isinstance(value, list):
        items = [_comparable(v) for v in value]
        return sorted(items) if all(isinstance(i, str) for i in items) else items
    if isinstance(value, str):
        return re.sub(r"\b[0-9a-f]{16}-([0-9a-f]{32})\b", r"\1", value)
    return value


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("kyc")
    subprocess.run([str(EXE), "corpus", "bfsi_kyc", str(out), "--n", "1"], check=True, capture_output=True, timeout=300)
    return out / "documents"


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("serve-data")


@pytest.fixture(scope="module")
def cli_result(corpus: Path, data_dir: Path) -> dict[str, Any]:
    """Run first: the server opens the same data directory afterwards (one process per Milvus Lite
    folder), so both use the same settings and the config hash on the results is the same."""
    done = subprocess.run([str(EXE), "run", "bfsi_kyc", "decide", "--input", f"packet={corpus / PACKET}",
                           "--param", "as_of=2026-06-01", "--namespace", "cli", "--json", *FAST],
                          capture_output=True, text=True, timeout=600, env={**os.environ, "RIGHTSIZED_DATA_DIR": str(data_dir)})
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@pytest.fixture(scope="module")
def server(data_dir: Path, cli_result: dict[str, Any], tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    port = _free_port()
    log = tmp_path_factory.mktemp("serve-log") / "serve.log"
    with log.open("wb") as sink:
        proc = subprocess.Popen([str(EXE), "serve", "--port", str(port), "--tier", "baseline", *FAST],
                                stdout=sink, stderr=subprocess.STDOUT, env={**os.environ, "RIGHTSIZED_DATA_DIR": str(data_dir)})
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 180
    try:
        while True:
            assert proc.poll() is None, log.read_text()
            assert time.monotonic() < deadline, log.read_text()
            try:
                if httpx.get(f"{url}/readyz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            time.sleep(0.3)
        yield url, proc
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)
            proc.wait(timeout=60)


def _upload(corpus: Path) -> list[tuple[str, tuple[str, bytes, str]]]:
    """The packet's files, named as inside their case folder (the folder is the case, as on the CLI)."""
    return [("packet", (f"{PACKET}/{p.name}", p.read_bytes(), "application/pdf"))
            for p in sorted((corpus / PACKET).iterdir())]


def test_a_public_bind_without_keys_is_refused() -> None:
    done = subprocess.run([str(EXE), "serve", "--host", "0.0.0.0"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert "refusing to listen beyond this machine without API keys" in done.stderr


def test_the_http_result_is_the_run_json_result(server: tuple[str, subprocess.Popen[bytes]], corpus: Path,
                                                cli_result: dict[str, Any]) -> None:
    url, _ = server
    done = httpx.post(f"{url}/v1/bfsi_kyc/decide", params={"tier": "baseline"}, data={"as_of": "2026-06-01"},
                      files=_upload(corpus), timeout=120)
    assert done.status_code == 200, done.text
    body = done.json()
    namespace = body["ingest"]["doc_ids"][0].split("/")[0]  # this request's own, deleted afterwards
    assert namespace.startswith("api-") and body["ingest"]["files_ingested"] == 3
    served = json.loads(json.dumps(body["results"]).replace(namespace + "/", "cli/"))
    assert _comparable(served) == _comparable(cli_result["results"])
    assert served[0]["applicant"] and served[0]["decision"] in ("approve", "review", "reject")


def test_sigterm_lets_the_request_in_flight_finish(server: tuple[str, subprocess.Popen[bytes]], corpus: Path) -> None:
    """SIGTERM is sent only once /metrics shows a case running; a request that finished before a
    poll saw it running (a fast case, a slow poll) proves nothing, so another one is sent."""
    url, proc = server
    for _ in range(5):
        answers: list[httpx.Response] = []
        in_flight = threading.Thread(target=lambda: answers.append(httpx.post(
            f"{url}/v1/bfsi_kyc/decide", data={"as_of": "2026-06-01"}, files=_upload(corpus), timeout=300)))
        in_flight.start()
        running = False
        while not answers and not running:
            running = 'rightsized_queue_running{tier="baseline"} 1.0' in httpx.get(f"{url}/metrics", timeout=60).text
            time.sleep(0.02)
        if running:
            break
        in_flight.join()
    assert running, "no poll of /metrics saw a case running in five requests"
    proc.send_signal(signal.SIGTERM)
    in_flight.join(timeout=300)
    assert answers and answers[0].status_code == 200, answers
    assert answers[0].json()["results"][0]["decision"]
    # uvicorn re-raises the signal once its graceful shutdown is done: the parent sees SIGTERM.
    assert proc.wait(timeout=60) == -signal.SIGTERM
