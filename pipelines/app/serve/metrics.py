"""Prometheus metrics of the service: requests, latency, tokens, errors, queue depth.

Why a registry per app (not the global one): two apps in one process (tests, Ray replicas in a
local cluster) must not share counters or clash on registration.
"""
from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

from rightsized.domains.results import TaskUsage

LATENCY_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0)
TASK_LABELS = ("domain", "task", "tier")


class ServeMetrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter("rightsized_requests", "Task requests answered, by status code.",
                                (*TASK_LABELS, "status"), registry=self.registry)
        self.latency = Histogram("rightsized_request_seconds", "Task request latency (queue included).",
                                 TASK_LABELS, buckets=LATENCY_BUCKETS, registry=self.registry)
        self.tokens = Counter("rightsized_tokens", "LLM tokens used by task requests.",
                              (*TASK_LABELS, "kind"), registry=self.registry)
        self.errors = Counter("rightsized_errors", "Failed task requests, by error type.",
                              (*TASK_LABELS, "type"), registry=self.registry)
        self.rejected = Counter("rightsized_rejected", "Requests refused before running (queue full, rate "
                                "limit, cancelled by the client while queued).", ("tier", "reason"),
                                registry=self.registry)
        self.queued = Gauge("rightsized_queue_waiting", "Requests waiting for a tier.", ("tier",),
                            registry=self.registry)
        self.running = Gauge("rightsized_queue_running", "Cases running on a tier.", ("tier",),
                             registry=self.registry)

    def observe(self, domain: str, task: str, tier: str, status: int, seconds: float,
                usage: list[TaskUsage], error_types: list[str]) -> None:
        self.requests.labels(domain, task, tier, str(status)).inc()
        self.latency.labels(domain, task, tier).observe(seconds)
        for kind in ("prompt", "completion"):
            counted = sum(getattr(u, f"{kind}_tokens") or 0 for u in usage)
            if counted:
                self.tokens.labels(domain, task, tier, kind).inc(counted)
        for error in error_types:
            self.errors.labels(domain, task, tier, error).inc()

    def render(self) -> bytes:
        return generate_latest(self.registry)
