"""Secrets and personal data that could leave the machine: API keys over plain http, sensitive
domains on external tiers, and the local Milvus server's credentials.

The HTTP servers here are real `http.server`s bound to this machine's own addresses: one on a
non-loopback address stands in for "a host across the network" (a key sent there in clear text
could be read on the way), without any traffic leaving the machine.
"""
from __future__ import annotations

import json
import logging
import os
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from rightsized.pipelines.config import OpenAICompatibleGeneratorConfig, load_settings
from rightsized.pipelines.errors import BackendError
from rightsized.pipelines.generators.openai_compatible import OpenAICompatibleGenerator, is_loopback
from rightsized.pipelines.runtime import exposure_warning

SECRET = "sk-test-NEVER-IN-CLEAR-TEXT-0987"
KEY_ENV = "TEST_SECRETS_KEY"


def _non_loopback_address() -> str:
    """This machine's address on its default route (no packet is sent by a UDP connect)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        try:
            sock.connect(("198.51.100.1", 9))  # TEST-NET-2: routed, never reached
        except OSError:
            pytest.skip("this machine has no non-loopback IPv4 address to stand in for a remote host")
        address = sock.getsockname()[0]
    if is_loopback(address) or address == "0.0.0.0":
        pytest.skip("this machine has no non-loopback IPv4 address to stand in for a remote host")
    return address


@pytest.fixture
def remote() -> Iterator[tuple[str, list[dict[str, Any]]]]:
    """An OpenAI-compatible endpoint on a non-loopback address; yields (base URL, requests seen)."""
    seen: list[dict[str, Any]] = []

    class Handler(BaseHTTPRequestHandler):
        def _reply(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            self.rfile.read(length)
            seen.append({"method": self.command, "path": self.path, "headers": dict(self.headers)})
            body = json.dumps({"data": []} if self.command == "GET" else {"choices": [{"text": "ok"}]}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST = _reply

        def log_message(self, *args: Any) -> None:
            return

    address = _non_loopback_address()
    httpd = ThreadingHTTPServer((address, 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield f"http://{address}:{httpd.server_address[1]}/v1", seen
    httpd.shutdown()
    httpd.server_close()


def _gen(url: str, **overrides: Any) -> OpenAICompatibleGenerator:
    config = OpenAICompatibleGeneratorConfig(base_url=url, api_key_env=KEY_ENV, max_retries=0, **overrides)
    return OpenAICompatibleGenerator(config, backoff_s=0.01)


def test_a_key_is_never_sent_over_plain_http_to_another_host(
    remote: tuple[str, list[dict[str, Any]]], monkeypatch: pytest.MonkeyPatch,
) -> None:
    url, seen = remote
    monkeypatch.setenv(KEY_ENV, SECRET)
    gen = _gen(url)
    reason = gen.unavailable_reason()
    host = urlsplit(url).hostname
    assert reason == (f"refusing to send ${KEY_ENV} over plain http to {host}: use https, or set "
                      "generator.allow_insecure_http: true for a trusted network")
    with pytest.raises(BackendError, match=f"refusing to send \\${KEY_ENV} over plain http"):
        gen.generate("hi")
    assert seen == []  # neither the probe nor the request went out
    assert SECRET not in reason


def test_allow_insecure_http_is_the_explicit_opt_in(
    remote: tuple[str, list[dict[str, Any]]], monkeypatch: pytest.MonkeyPatch,
) -> None:
    url, seen = remote
    monkeypatch.setenv(KEY_ENV, SECRET)
    gen = _gen(url, allow_insecure_http=True)
    assert gen.unavailable_reason() is None
    assert gen.generate("hi").text == "ok"
    assert [r["headers"]["Authorization"] for r in seen] == [f"Bearer {SECRET}"] * 2


def test_plain_http_without_a_key_sends_nothing_secret_and_is_allowed(
    remote: tuple[str, list[dict[str, Any]]], monkeypatch: pytest.MonkeyPatch,
) -> None:
    url, seen = remote
    monkeypatch.delenv(KEY_ENV, raising=False)
    assert _gen(url).unavailable_reason() is None
    assert "Authorization" not in seen[0]["headers"]


@pytest.mark.parametrize(("host", "loopback"), [
    ("127.0.0.1", True), ("127.8.9.10", True), ("::1", True), ("localhost", True), ("LocalHost", True),
    ("128.0.0.1", False), ("10.0.0.1", False), ("192.0.2.2", False), ("::ffff:8.8.8.8", False),
    ("localhost.example.com", False), ("api.openai.com", False),
])
def test_loopback_is_127_slash_8_ipv6_one_and_localhost(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


def test_the_shipped_config_refuses_an_http_large_url(monkeypatch: pytest.MonkeyPatch) -> None:
    """The user's report: $RIGHTSIZED_LARGE_URL=http://... sent $OPENAI_API_KEY in clear text."""
    from rightsized.pipelines.runtime import Workspace

    monkeypatch.setenv("OPENAI_API_KEY", SECRET)
    monkeypatch.setenv("RIGHTSIZED_LARGE_URL", "http://198.51.100.7/v1")
    status = Workspace(load_settings(), domain="_").status("large")
    assert not status.available
    assert status.reason is not None and status.reason.startswith(
        "refusing to send $OPENAI_API_KEY over plain http to 198.51.100.7")


# --- sensitive domains on external tiers -------------------------------------------------------


def test_exposure_warning_only_for_a_sensitive_domain_on_an_external_tier() -> None:
    settings = load_settings()  # `large` ships external, `baseline` local
    warning = exposure_warning(settings, "large", domain="bfsi_kyc", sensitive=True)
    assert warning is not None and "tier 'large' is external" in warning and "'bfsi_kyc'" in warning
    assert exposure_warning(settings, "large", domain="public_docs", sensitive=False) is None
    assert exposure_warning(settings, "baseline", domain="bfsi_kyc", sensitive=True) is None


def test_exposure_warning_says_what_the_domain_policy_will_do() -> None:
    settings = load_settings()
    redacted = exposure_warning(settings, "large", domain="healthcare", sensitive=True, policy="redacted")
    never = exposure_warning(settings, "large", domain="healthcare", sensitive=True, policy="never")
    assert redacted is not None and "only text redacted" in redacted
    assert never is not None and "refused" in never


@pytest.fixture(scope="module")
def packet(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from rightsized.domains.registry import get_domain

    built = get_domain("bfsi_kyc").build_corpus(tmp_path_factory.mktemp("kyc"), n=1, scanned=0)
    [folder] = [p for p in built.root.iterdir() if p.is_dir()]
    return folder


@pytest.mark.integration
def test_run_warns_before_a_sensitive_domain_goes_to_an_external_tier(
    packet: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture,
) -> None:
    """`baseline` marked external stands in for a hosted API: the warning depends on the flag."""
    from rightsized.pipelines.app.ops import run_task

    settings = load_settings(overrides=[f"data_dir={tmp_path}", "tiers.baseline.external=true"])
    with caplog.at_level(logging.WARNING):
        outcome = run_task(settings, "bfsi_kyc", None, "baseline", files={"packet": packet},
                           params={"as_of": "2026-06-01"}, show_progress=False)
    [warning] = outcome.warnings
    assert "tier 'baseline' is external" in warning and "sensitive domain 'bfsi_kyc'" in warning
    assert outcome.to_dict()["warnings"] == [warning]
    assert [r.getMessage() for r in caplog.records if r.name == "rightsized.pipelines.app.ops"] == [warning]


@pytest.mark.integration
def test_eval_records_the_warning_for_each_sensitive_domain_and_external_tier(
    tmp_path: Path, caplog: pytest.LogCaptureFixture,
) -> None:
    from rightsized.eval.grid import EvalPlan, run_eval

    settings = load_settings(overrides=[f"data_dir={tmp_path}", "tiers.baseline.external=true"])
    plan = EvalPlan(domains=["bfsi_kyc"], tiers=["baseline", "mid"], suite="synthetic", limit=1, n=2)
    with caplog.at_level(logging.WARNING):
        run_dir = run_eval(settings, plan)
    meta = json.loads((run_dir / "run.json").read_text())
    assert set(meta["warnings"]) == {"bfsi_kyc/baseline"}  # `mid` is unavailable: nothing was sent
    assert "tier 'baseline' is external" in meta["warnings"]["bfsi_kyc/baseline"]
    assert meta["warnings"]["bfsi_kyc/baseline"] in [r.getMessage() for r in caplog.records]


# --- the local Milvus 2.3.5 server --------------------------------------------------------------


@pytest.mark.integration
@pytest.mark.slow
def test_the_local_milvus_server_refuses_its_published_default_and_missing_credentials(milvus_server: str) -> None:
    """2.3.5 cannot be bound to loopback, so its API port is reachable from the network: reach it
    there, as a stranger would, and be refused both without credentials and with root's
    published default password."""
    from pymilvus import MilvusClient
    from pymilvus.exceptions import MilvusException

    port = urlsplit(milvus_server).port
    from_the_network = f"http://{_non_loopback_address()}:{port}"
    for token in ("root:Milvus", ""):
        with pytest.raises(MilvusException):
            client = MilvusClient(uri=from_the_network, token=token, timeout=10)
            client.list_collections()
    token = os.environ["RIGHTSIZED_MILVUS_TOKEN"]
    assert token.startswith("root:") and token != "root:Milvus"
    client = MilvusClient(uri=milvus_server, token=token, timeout=10)
    assert isinstance(client.list_collections(), list)
    client.close()
