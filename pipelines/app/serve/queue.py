"""A bounded queue per tier: a local llama.cpp model serves one generation at a time.

Why bounded: an unbounded queue turns overload into unbounded latency for everyone; a full
queue answers 503 with Retry-After at once, so a client (or its load balancer) can go elsewhere.
Why asyncio and not threads: a waiting request holds no thread, and a client that disconnects
cancels its wait (the task is cancelled and leaves the queue) before any work starts.
"""
from __future__ import annotations

import asyncio
import math
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from rightsized.pipelines.errors import RightsizedError


class QueueFull(RightsizedError):
    """The tier's queue is full: the request is refused, not delayed."""

    def __init__(self, tier: str, retry_after_s: int) -> None:
        self.tier = tier
        self.retry_after_s = retry_after_s
        super().__init__(f"tier '{tier}' is busy: its queue is full (or the wait would be too long); "
                         f"retry after {retry_after_s} s")


class TierGate:
    """At most `concurrency` cases of a tier run at once; a request waits only while at most
    `queue_size` wait and the expected wait (mean case time x places ahead) is at most `max_wait_s`:
    a slow tier (a CPU model at seconds per case) must refuse long before its queue is full."""

    def __init__(self, tier: str, *, concurrency: int, queue_size: int, max_wait_s: float = float("inf")) -> None:
        self.tier = tier
        self.concurrency = concurrency
        self.queue_size = queue_size
        self.max_wait_s = max_wait_s
        self._slots = asyncio.Semaphore(concurrency)
        self.waiting = 0
        self.running = 0
        self._mean_s = 1.0  # moving average of a case's seconds, for Retry-After

    def retry_after(self) -> int:
        """Seconds until the queue has likely drained by one place."""
        return max(1, math.ceil(self.expected_wait()))

    def expected_wait(self) -> float:
        """Seconds a request arriving now would wait for a slot."""
        return self._mean_s * (self.waiting + 1) / self.concurrency

    def observe(self, seconds: float) -> None:
        self._mean_s = 0.8 * self._mean_s + 0.2 * seconds

    @asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        """Wait for a slot (QueueFull at once when the queue is full); cancellation while waiting
        leaves the queue without running anything."""
        if self._slots.locked() and (self.waiting >= self.queue_size or self.expected_wait() > self.max_wait_s):
            raise QueueFull(self.tier, self.retry_after())
        self.waiting += 1
        try:
            await self._slots.acquire()
        finally:
            self.waiting -= 1
        self.running += 1
        try:
            yield
        finally:
            self.running -= 1
            self._slots.release()
