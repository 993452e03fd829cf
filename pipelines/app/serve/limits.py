"""Request size limits, per-key rate limits and safe names for uploaded files.

Why an ASGI middleware for the size: the declared `Content-Length` is refused before a byte of
the body is read, and a chunked body that grows past the limit is cut off while streaming, so a
client cannot make the server buffer (or spool to disk) more than the limit.
"""
from __future__ import annotations

import json
import math
import re
import time
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from rightsized.pipelines.errors import RightsizedError

MAX_PATH_DEPTH = 4
_UNSAFE = re.compile(r"[\x00-\x1f\x7f\\:]")


class RequestTooLarge(RightsizedError):
    """The body (or one upload) is over its limit."""


class RateLimited(RightsizedError):
    def __init__(self, key: str, retry_after_s: int) -> None:
        self.retry_after_s = retry_after_s
        super().__init__(f"rate limit of key '{key}' reached; retry after {retry_after_s} s")


def _too_large(limit: int) -> bytes:
    return json.dumps({"error": "too_large", "message": f"request body larger than {limit:,} bytes"}).encode()


class BodySizeLimit:
    """Answer 413 to a body over `limit` bytes: by its Content-Length at once, else while streaming."""

    def __init__(self, app: ASGIApp, *, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.limit):
            await self._refuse(send)
            return
        seen = 0
        started = False

        async def counted_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    raise RequestTooLarge(f"request body larger than {self.limit:,} bytes")
            return message

        async def tracked_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counted_receive, tracked_send)
        except RequestTooLarge:
            if not started:
                await self._refuse(send)

    async def _refuse(self, send: Send) -> None:
        body = _too_large(self.limit)
        await send({"type": "http.response.start", "status": 413,
                    "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                                (b"connection", b"close")]})
        await send({"type": "http.response.body", "body": body})


@dataclass
class _Bucket:
    tokens: float
    updated: float


@dataclass
class RateLimiter:
    """A token bucket per key: `rate_per_minute` sustained, the same number as burst."""

    default_per_minute: float
    _buckets: dict[str, _Bucket] = field(default_factory=dict)

    def take(self, key: str, per_minute: float | None = None) -> None:
        rate = (per_minute or self.default_per_minute) / 60.0
        capacity = max(1.0, rate * 60.0)
        now = time.monotonic()
        bucket = self._buckets.setdefault(key, _Bucket(capacity, now))
        bucket.tokens = min(capacity, bucket.tokens + (now - bucket.updated) * rate)
        bucket.updated = now
        if bucket.tokens < 1.0:
            raise RateLimited(key, max(1, math.ceil((1.0 - bucket.tokens) / rate)))
        bucket.tokens -= 1.0


def safe_relative_path(filename: str | None) -> PurePosixPath:
    """An uploaded file's name as a path inside the request folder, or ValueError naming it.

    Subfolders are kept (`applicant_001/passport.pdf`: a batch of case folders, as on the command
    line); absolute paths, `..`, hidden names, control characters and deep nesting are refused."""
    shown = json.dumps(filename)
    if not filename:
        raise ValueError("an uploaded file has no file name")
    if _UNSAFE.search(filename) or filename.startswith("/"):
        raise ValueError(f"file name {shown}: absolute, or holds a control character, ':' or '\\'")
    parts = PurePosixPath(filename).parts
    if not parts or len(parts) > MAX_PATH_DEPTH:
        raise ValueError(f"file name {shown}: at most {MAX_PATH_DEPTH} path components")
    for part in parts:
        if part in (".", "..") or part.startswith(".") or len(part.encode()) > 255:
            raise ValueError(f"file name {shown}: '.', '..', hidden or over-long path component")
    return PurePosixPath(*parts)


def retry_headers(seconds: int) -> dict[str, Any]:
    return {"Retry-After": str(seconds)}
