"""HTTP behaviour of the OpenAI-compatible backend: retries, errors, key hygiene, request bodies.

The server below is a SCRIPTED test server, not a mock of any product: a real `http.server`
on 127.0.0.1 that replies with a fixed list of (status, headers, body) so that retry and
HTTP-error handling can be exercised deterministically. End-to-end behaviour against a real
OpenAI-compatible server (llama.cpp) is in tests/integration/test_generators.py.
"""
from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from rightsized.pipelines.config import OpenAICompatibleGeneratorConfig
from rightsized.pipelines.errors import BackendError
from rightsized.pipelines.generators import Message
from rightsized.pipelines.generators.openai_compatible import OpenAICompatibleGenerator

SECRET = "sk-test-DO-NOT-LEAK-1234567890"
OK_COMPLETION = {"choices": [{"text": " Paris"}],
                 "usage": {"prompt_tokens": 7, "completion_tokens": 2}}
OK_CHAT = {"choices": [{"message": {"role": "assistant", "content": "Paris"}}],
           "usage": {"prompt_tokens": 9, "completion_tokens": 1}}


@dataclass
class ScriptedServer:
    """Replies in order from `script`; repeats the last reply once the script runs out."""

    url: str
    script: list[tuple[int, dict[str, str], Any]] = field(default_factory=list)
    requests: list[dict[str, Any]] = field(default_factory=list)


@pytest.fixture
def server() -> Iterator[ScriptedServer]:
    state = ScriptedServer(url="")

    class Handler(BaseHTTPRequestHandler):
        def _reply(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            state.requests.append({"method": self.command, "path": self.path,
                                   "headers": dict(self.headers),
                                   "body": json.loads(raw) if raw else None})
            status, headers, body = (state.script.pop(0) if len(state.script) > 1
                                     else state.script[0])
            payload = body.encode() if isinstance(body, str) else json.dumps(body).encode()
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        do_GET = do_POST = _reply

        def log_message(self, *args: Any) -> None:  # keep pytest output clean
            return

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{httpd.server_address[1]}/v1"
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield state
    httpd.shutdown()
    httpd.server_close()


def _gen(url: str | None, **overrides: Any) -> OpenAICompatibleGenerator:
    config = OpenAICompatibleGeneratorConfig(base_url=url, **overrides)
    return OpenAICompatibleGenerator(config, backoff_s=0.01)


def _posts(server: ScriptedServer) -> list[dict[str, Any]]:
    return [r for r in server.requests if r["method"] == "POST"]


def test_429_then_200_is_retried_honouring_retry_after(server: ScriptedServer) -> None:
    server.script = [(429, {"Retry-After": "1"}, {"error": "slow down"}), (200, {}, OK_COMPLETION)]
    start = time.perf_counter()
    out = _gen(server.url, max_retries=2).generate("Capital of France?", max_tokens=4)
    elapsed = time.perf_counter() - start
    assert out.text == " Paris"
    assert (out.usage.prompt_tokens, out.usage.completion_tokens) == (7, 2)
    assert len(_posts(server)) == 2
    assert elapsed >= 0.9  # waited for Retry-After (1 s), not the 0.01 s backoff
    assert out.usage.latency_s >= 0.9  # latency covers every attempt


def test_persistent_500_fails_after_max_retries_plus_one(server: ScriptedServer) -> None:
    server.script = [(500, {}, {"error": "model crashed"})]
    with pytest.raises(BackendError) as info:
        _gen(server.url, max_retries=3).generate("hi")
    assert len(_posts(server)) == 4
    assert "HTTP 500" in str(info.value) and "model crashed" in str(info.value)


def test_401_is_not_retried_and_never_shows_the_key(
    server: ScriptedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TEST_LLM_KEY", SECRET)
    # A careless server echoing the key back must not leak it through our error either.
    server.script = [(401, {}, {"error": f"invalid key {SECRET}"})]
    gen = _gen(server.url, api_key_env="TEST_LLM_KEY", api_key_required=True, max_retries=3)
    with pytest.raises(BackendError) as info:
        gen.generate("hi")
    assert len(_posts(server)) == 1
    assert "HTTP 401" in str(info.value)
    assert SECRET not in str(info.value) and SECRET not in repr(gen)
    assert _posts(server)[0]["headers"]["Authorization"] == f"Bearer {SECRET}"


def test_unavailable_without_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TEST_LLM_URL", raising=False)
    gen = _gen(None, base_url_env="TEST_LLM_URL")
    assert gen.unavailable_reason() == "no URL: set $TEST_LLM_URL or generator.base_url"


def test_unavailable_without_required_key(
    server: ScriptedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TEST_LLM_KEY", raising=False)
    gen = _gen(server.url, api_key_env="TEST_LLM_KEY", api_key_required=True)
    assert gen.unavailable_reason() == "no API key: set $TEST_LLM_KEY"


def test_unavailable_when_nothing_listens() -> None:
    with socket.socket() as sock:  # reserve a free port, then close it: connection refused
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    start = time.perf_counter()
    reason = _gen(f"http://127.0.0.1:{port}/v1").unavailable_reason()
    assert reason is not None
    assert reason.startswith(f"endpoint unreachable: http://127.0.0.1:{port}/v1 (")
    assert time.perf_counter() - start < 2.5


def test_credentials_in_the_url_are_never_shown() -> None:
    """A tier URL "http://alice:pass@host/v1?api-key=tok" came back whole in /readyz's reason."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    gen = _gen(f"http://alice:s3cr3tpass@127.0.0.1:{port}/v1?api-key=tok123")
    shown = f"{gen.unavailable_reason()} {gen!r}"
    assert f"http://127.0.0.1:{port}/v1" in shown
    assert "s3cr3tpass" not in shown and "tok123" not in shown and "alice" not in shown


def test_any_http_answer_means_reachable(server: ScriptedServer) -> None:
    server.script = [(404, {}, {"error": "no such route"})]
    assert _gen(server.url).unavailable_reason() is None
    assert server.requests[0]["path"] == "/v1/models"


def test_401_on_the_probe_is_unavailable_as_unauthorised(
    server: ScriptedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`rightsized tiers` showed a tier with a wrong key as available: the probe now sends the key
    a request would send, and a 401 (or 403) answer makes the tier unavailable with that reason."""
    monkeypatch.setenv("TEST_LLM_KEY", SECRET)
    server.script = [(401, {}, {"error": f"bad key {SECRET}"})]
    reason = _gen(server.url, api_key_env="TEST_LLM_KEY", api_key_required=True).unavailable_reason()
    assert reason == f"endpoint reachable but unauthorised (HTTP 401): {server.url}; check $TEST_LLM_KEY"
    assert server.requests[0]["headers"]["Authorization"] == f"Bearer {SECRET}"
    server.script = [(403, {}, {"error": "forbidden"})]
    assert "unauthorised (HTTP 403)" in (_gen(server.url).unavailable_reason() or "")


def test_500_on_the_probe_is_unavailable_as_unhealthy(server: ScriptedServer) -> None:
    server.script = [(500, {}, {"error": "model failed to load"})]
    reason = _gen(server.url).unavailable_reason()
    assert reason is not None and reason.startswith(f"endpoint unhealthy (HTTP 500): {server.url} (")
    assert "model failed to load" in reason


def test_completion_request_body(server: ScriptedServer) -> None:
    server.script = [(200, {}, OK_COMPLETION)]
    gen = _gen(server.url, model="m1", mode="completion")
    gen.generate([Message("system", "Be brief."), Message("user", "Capital?")],
                 stop=["\n"], max_tokens=5)
    request = _posts(server)[0]
    assert request["path"] == "/v1/completions"
    assert request["body"] == {"model": "m1", "max_tokens": 5, "temperature": 0, "stop": ["\n"],
                               "prompt": "System: Be brief.\n\nUser: Capital?\n\nAssistant:"}
    assert "Authorization" not in request["headers"]  # no key configured, none sent


def test_chat_request_body_and_response(server: ScriptedServer) -> None:
    server.script = [(200, {}, OK_CHAT)]
    out = _gen(server.url, model="m2", mode="chat").generate("Capital?", max_tokens=3)
    request = _posts(server)[0]
    assert request["path"] == "/v1/chat/completions"
    assert request["body"] == {"model": "m2", "max_tokens": 3, "temperature": 0,
                               "messages": [{"role": "user", "content": "Capital?"}]}
    assert out.text == "Paris" and out.usage.completion_tokens == 1


def test_missing_usage_is_unknown_not_zero(server: ScriptedServer) -> None:
    """A server that reports no usage must not look free: 0 tokens would make
    `recommend --constraint cost` prefer it (issue 8, finding 5)."""
    server.script = [(200, {}, {"choices": [{"text": "ok"}]})]
    out = _gen(server.url).generate("hi")
    assert (out.text, out.usage.prompt_tokens, out.usage.completion_tokens) == ("ok", None, None)
    assert (out.usage + out.usage).prompt_tokens is None


def test_connection_errors_are_retried_then_reported() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(BackendError, match="after 3 attempts, connection error: ConnectError"):
        _gen(f"http://127.0.0.1:{port}/v1", max_retries=2).generate("hi")
