"""Any OpenAI-compatible endpoint (vLLM, TGI, llama.cpp server, Ollama, OpenAI, gateways).

Why plain httpx rather than the `openai` SDK: one small client covers every server that speaks
`/completions` and `/chat/completions`, and retries, timeouts and key handling stay visible.

The API key is read from the environment variable named in the config at request time, sent
only as an `Authorization` header, and scrubbed from every error message: it never appears
in exceptions, logs or `repr`. It is never sent over plain `http://` to a host other than
loopback unless the config sets `allow_insecure_http` (anyone on the path could read it): the
tier is unavailable with that reason, and a direct call fails before any request. 408, 429, 5xx and connection errors are retried with exponential
backoff (a `Retry-After` header wins); other 4xx fail at once, because repeating a bad
request or a bad key cannot succeed. Latency covers all attempts: what the caller waited.
Servers that omit `usage` are reported as unknown tokens (None), never as 0.
"""
from __future__ import annotations

import ipaddress
import os
import re
import time
from dataclasses import asdict
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx

from rightsized.pipelines.config import OpenAICompatibleGeneratorConfig
from rightsized.pipelines.errors import BackendError
from rightsized.pipelines.generators.base import LLM_CAPABILITIES, Generation, Message, Usage
from rightsized.pipelines.generators.llamacpp import render_messages

PROBE_TIMEOUT_S = 2.0
MAX_WAIT_S = 60.0  # cap on any single backoff or Retry-After wait
RETRYABLE = {408, 429}  # plus every 5xx


def is_loopback(host: str) -> bool:
    """127.0.0.0/8, ::1 or `localhost`: traffic to it never leaves this machine."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _retry_after(response: httpx.Response) -> float | None:
    """Seconds from a `Retry-After` header (delta-seconds or HTTP date); None if absent/bad."""
    value = response.headers.get("retry-after")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
    except (TypeError, ValueError):
        return None


# "user:password@" in a URL: credentials some providers take in the URL itself.
_USERINFO = re.compile(r"//[^/@\s]+@")


def shown_url(url: str) -> str:
    """`url` as messages, logs and /readyz may show it: scheme, host, port and path. A tier URL can
    carry credentials ("http://alice:secret@host/v1", "...?api-key=tok"); before this, they came
    back to any caller of /readyz in the reason a tier was unavailable."""
    try:
        parts = urlsplit(url)
        host, port = parts.hostname or "", parts.port
    except ValueError:
        return "<invalid URL>"
    host = f"[{host}]" if ":" in host else host  # an IPv6 address goes back in brackets
    return urlunsplit((parts.scheme, host + (f":{port}" if port is not None else ""), parts.path, "", ""))


class OpenAICompatibleGenerator:
    """Completions or chat completions over HTTP, with retries and a cheap reachability probe.

    Example:
        cfg = OpenAICompatibleGeneratorConfig(base_url="http://127.0.0.1:8000/v1", mode="chat")
        gen = OpenAICompatibleGenerator(cfg)
        if gen.unavailable_reason() is None:
            print(gen.generate([Message("user", "Define AML.")], max_tokens=64).text)
    """

    capabilities: frozenset[str] = LLM_CAPABILITIES

    def __init__(self, config: OpenAICompatibleGeneratorConfig, *, backoff_s: float = 0.5) -> None:
        self.config = config
        self.name = f"openai_compatible:{config.model}"
        self.backoff_s = backoff_s  # first retry wait; doubles per attempt
        self._client: httpx.Client | None = None
        self._base_url: str | None = None

    def __repr__(self) -> str:
        c = self.config
        base = c.resolved_base_url()
        return (f"OpenAICompatibleGenerator(base_url={shown_url(base) if base else None!r}, "
                f"model={c.model!r}, mode={c.mode!r})")

    def _api_key(self) -> str | None:
        env = self.config.api_key_env
        return (os.environ.get(env) or None) if env else None

    def _scrub(self, text: str) -> str:
        """`text` without the API key and without credentials written into the URL."""
        key = self._api_key()
        text = text.replace(key, "***") if key else text
        base = self.config.resolved_base_url()
        if base and base != shown_url(base):
            text = text.replace(base.rstrip("/"), shown_url(base)).replace(base, shown_url(base))
        return _USERINFO.sub("//", text)

    def _key_refusal(self, base: str) -> str | None:
        """Why the key must not be sent to `base` (plain http to a host beyond loopback), or None."""
        if self.config.allow_insecure_http or not self._api_key():
            return None
        try:
            url = httpx.URL(base)
        except httpx.InvalidURL as exc:
            return f"invalid URL {shown_url(base)!r} ({self._scrub(str(exc))})"
        if url.scheme != "http" or is_loopback(url.host):
            return None
        return (f"refusing to send ${self.config.api_key_env} over plain http to {url.host}: "
                "use https, or set generator.allow_insecure_http: true for a trusted network")

    def _auth_headers(self, base: str) -> dict[str, str]:
        """The Authorization header, or BackendError when the key may not go to `base`."""
        if refusal := self._key_refusal(base):
            raise BackendError(f"{self.name}: {refusal}")
        key = self._api_key()
        return {"Authorization": f"Bearer {key}"} if key else {}

    def unavailable_reason(self) -> str | None:
        """URL and key from config/env, then one GET /models with the key, as a request would
        send it: 401/403 mean a wrong key, 5xx a broken server (both unavailable); any other
        answer means reachable (a server without /models answers 404 and still serves)."""
        c = self.config
        base = c.resolved_base_url()
        if not base:
            where = f"${c.base_url_env} or " if c.base_url_env else ""
            return f"no URL: set {where}generator.base_url"
        if c.api_key_required and not self._api_key():
            return f"no API key: set ${c.api_key_env or '<generator.api_key_env>'}"
        if refusal := self._key_refusal(base):
            return refusal
        try:
            response = httpx.get(f"{base.rstrip('/')}/models", headers=self._auth_headers(base),
                                 timeout=PROBE_TIMEOUT_S)
        except (httpx.HTTPError, httpx.InvalidURL) as exc:
            detail = self._scrub(str(exc))[:120] or type(exc).__name__
            return f"endpoint unreachable: {shown_url(base)} ({detail})"
        status = response.status_code
        if status in (401, 403):
            fix = f"check ${c.api_key_env}" if c.api_key_env else "the server wants a key: set generator.api_key_env"
            return f"endpoint reachable but unauthorised (HTTP {status}): {shown_url(base)}; {fix}"
        if status >= 500:
            return f"endpoint unhealthy (HTTP {status}): {shown_url(base)} ({self._excerpt(response)[:120]})"
        return None

    def warm_up(self) -> None:
        """Open the HTTP client (connection pooling across calls); repeated calls are free."""
        if self._client is not None:
            return
        base = self.config.resolved_base_url()
        if not base:
            raise BackendError(f"{self.name}: {self.unavailable_reason()}")
        self._auth_headers(base)  # refuse an insecure key before any request, not on the first one
        self._base_url = base.rstrip("/")
        self._client = httpx.Client(timeout=self.config.timeout_s)

    def close(self) -> None:
        """Release pooled connections (the generator can be warmed up again afterwards)."""
        if self._client is not None:
            self._client.close()
            self._client = None

    def _body(self, prompt: str | list[Message], stop: list[str] | None, max_tokens: int
              ) -> tuple[str, dict[str, Any]]:
        body: dict[str, Any] = {"model": self.config.model, "max_tokens": max_tokens,
                                "temperature": 0}
        if stop:
            body["stop"] = stop
        if self.config.mode == "chat":
            turns = [Message("user", prompt)] if isinstance(prompt, str) else prompt
            body["messages"] = [asdict(m) for m in turns]
            return "/chat/completions", body
        body["prompt"] = prompt if isinstance(prompt, str) else render_messages(prompt)
        return "/completions", body

    def _post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        assert self._client is not None  # set by warm_up
        url = f"{self._base_url}{path}"
        headers = self._auth_headers(url)  # the key is read now: it may have changed since warm_up
        attempts = self.config.max_retries + 1
        for attempt in range(attempts):
            wait = min(self.backoff_s * 2**attempt, MAX_WAIT_S)
            try:
                response = self._client.post(url, json=body, headers=headers)
            except httpx.TransportError as exc:
                failure = f"connection error: {type(exc).__name__}: {self._scrub(str(exc))[:200]}"
            else:
                status = response.status_code
                if status < 400:
                    try:
                        return response.json()
                    except ValueError as exc:
                        raise BackendError(f"{self.name}: {shown_url(url)} returned non-JSON "
                                           f"(HTTP {status}): {self._excerpt(response)}") from exc
                failure = f"HTTP {status}: {self._excerpt(response)}"
                if status not in RETRYABLE and status < 500:
                    raise BackendError(f"{self.name}: POST {shown_url(url)} failed, {failure}")
                hinted = _retry_after(response)
                wait = wait if hinted is None else min(hinted, MAX_WAIT_S)
            if attempt + 1 < attempts:
                time.sleep(wait)
        raise BackendError(f"{self.name}: POST {shown_url(url)} failed after {attempts} attempts, {failure}")

    def _excerpt(self, response: httpx.Response) -> str:
        return self._scrub(response.text[:300].strip()) or "<empty body>"

    def generate(
        self,
        prompt: str | list[Message],
        *,
        stop: list[str] | None = None,
        max_tokens: int = 160,
    ) -> Generation:
        self.warm_up()
        path, body = self._body(prompt, stop, max_tokens)
        start = time.perf_counter()
        data = self._post(path, body)
        latency = time.perf_counter() - start
        try:
            choice = data["choices"][0]
            text = choice["message"]["content"] if self.config.mode == "chat" else choice["text"]
        except (KeyError, IndexError, TypeError) as exc:
            raise BackendError(f"{self.name}: unexpected response shape: "
                               f"{self._scrub(str(data))[:300]}") from exc
        usage = data.get("usage") or {}
        return Generation(
            text=text or "",
            usage=Usage(prompt_tokens=_tokens(usage, "prompt_tokens"),
                        completion_tokens=_tokens(usage, "completion_tokens"), latency_s=latency),
        )


def _tokens(usage: dict[str, Any], key: str) -> int | None:
    """A count the server reported, or None (unknown) when it did not report one."""
    value = usage.get(key)
    return int(value) if isinstance(value, (int, float)) else None
