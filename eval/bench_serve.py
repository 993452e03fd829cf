"""`rightsized bench serve`: the HTTP service under load, its overhead over an in-process call,
and its memory over a soak — measured against a real `rightsized serve` on 127.0.0.1.

Method:
- Requests come from the domain's own sample corpus (`build_corpus`, seed 7): each gold case of
  the task becomes one request (its files uploaded as multipart under their case folder, its
  parameters as form fields, or a JSON body for a task without files); requests cycle through them.
- Load: a closed loop of C clients (httpx, asyncio) for `seconds` per (tier, C), after one
  warm-up request per case: each client sends its next request when the last one is answered,
  and after a 503/429 waits the `Retry-After` it was given (as a well-behaved client does; a
  full queue refuses at once, by design). `ok_rps` counts 2xx answers per second; latency
  percentiles are over the 2xx answers (a refusal's few milliseconds would hide the queueing);
  `rejected_rate` is the share of 503/429 answers; `error_rate` of other non-2xx answers and
  transport failures.
- Overhead: at concurrency 1 on one tier, the same requests alternately through HTTP and through
  the server's own executor in this process (`in_process`, the code `rightsized serve` runs behind
  the HTTP layer), one at a time; the ratio of the medians is HTTP over in-process.
- Soak: `soak_seconds` at `soak_concurrency` on the first tier, the server's resident memory
  (VmRSS of its process) sampled every 10 s; reported with the slope over the second half.

Why httpx and not locust: importing locust monkey-patches sockets, ssl and threads with gevent
for the whole process (in this environment it fails outright once ssl is imported), which would
also change the in-process side of the overhead comparison; and its percentiles are rounded to
two significant digits. A closed loop of asyncio clients is the same load model, exact.
"""
from __future__ import annotations

import asyncio
import os
import socket
import statistics
import subprocess
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from rightsized.domains.base import Domain, GoldCase
from rightsized.domains.inputs import file_specs
from rightsized.pipelines.errors import BackendError

Upload = tuple[str, str, bytes]  # (file input, file name inside the request, bytes)
InProcess = Callable[[str, dict[str, Any], list[Upload]], None]  # (tier, params, uploads)
READY_TIMEOUT_S = 300
SAMPLE_EVERY_S = 10.0


@dataclass(frozen=True)
class BenchRequest:
    params: dict[str, Any]
    uploads: list[Upload]

    def httpx_kwargs(self) -> dict[str, Any]:
        if not self.uploads:
            return {"json": self.params}
        return {"data": {k: str(v) for k, v in self.params.items()},
                "files": [(field, (name, data, "application/octet-stream")) for field, name, data in self.uploads]}


def corpus_requests(domain: Domain, task: str, root: Path, *, tag: str | None = None) -> list[BenchRequest]:
    """One request per gold case of `task` (with `tag`, if given) in the domain's sample corpus."""
    corpus = domain.build_corpus(root, n=4, seed=7)
    specs = file_specs(domain.task(task).input_model)
    requests = [_request(case, specs, corpus.root) for case in corpus.gold
                if case.task == task and (tag is None or tag in case.tags)]
    if not requests:
        raise BackendError(f"the sample corpus of '{domain.name}' has no case of task '{task}'"
                           + (f" tagged '{tag}'" if tag else "") + " to send")
    return requests


def _request(case: GoldCase, specs: dict[str, Any], root: Path) -> BenchRequest:
    params = {k: v for k, v in case.input.items() if k not in specs and v is not None}
    uploads: list[Upload] = []
    for name in specs:
        if case.input.get(name) is None:
            continue
        path = root / str(case.input[name])
        if path.is_dir():  # the case folder travels as the first component of each file's name
            uploads += [(name, f"{path.name}/{f.relative_to(path).as_posix()}", f.read_bytes())
                        for f in sorted(path.rglob("*")) if f.is_file()]
        else:
            uploads.append((name, path.name, path.read_bytes()))
    return BenchRequest(params, uploads)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024, 1)
    raise BackendError(f"no VmRSS for pid {pid}")


def _percentiles(samples: list[float]) -> dict[str, float | None]:
    if not samples:
        return {"p50_ms": None, "p95_ms": None, "p99_ms": None}
    ordered = sorted(samples)

    def at(q: float) -> float:
        return round(1000 * ordered[min(len(ordered) - 1, int(q * len(ordered)))], 1)

    return {"p50_ms": round(1000 * statistics.median(ordered), 1), "p95_ms": at(0.95), "p99_ms": at(0.99)}


class _Server:
    """`rightsized serve` in a child process with its own data directory; stopped with SIGINT."""

    def __init__(self, executable: str, options: list[str], tiers: list[str], work: Path, queue: int) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = work / "serve.log"
        args = [executable, "serve", *options, "--port", str(self.port), "--queue", str(queue),
                "--rate-per-minute", "1000000000"]
        for tier in tiers:
            args += ["--tier", tier]
        env = {**os.environ, "RIGHTSIZED_DATA_DIR": str(work / "server-data")}
        with self.log.open("wb") as sink:
            self.proc = subprocess.Popen(args, stdout=sink, stderr=subprocess.STDOUT, env=env)

    def wait_ready(self) -> dict[str, Any]:
        deadline = time.monotonic() + READY_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise BackendError(f"rightsized serve exited with {self.proc.returncode}: {self.log.read_text()[-2000:]}")
            try:
                ready = httpx.get(f"{self.url}/readyz", timeout=5)
                if ready.status_code == 200:
                    return ready.json()
            except httpx.TransportError:
                pass
            time.sleep(0.5)
        raise BackendError(f"rightsized serve not ready after {READY_TIMEOUT_S} s")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(2)  # SIGINT: graceful
            try:
                self.proc.wait(timeout=120)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


async def _closed_loop(url: str, requests: list[BenchRequest], concurrency: int, seconds: float) -> dict[str, Any]:
    latencies: list[float] = []  # of 2xx answers
    statuses: Counter[str] = Counter()
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(limits=limits, timeout=600) as client:
        deadline = time.perf_counter() + seconds

        async def worker(offset: int) -> None:
            i = offset
            while time.perf_counter() < deadline:
                request = requests[i % len(requests)]
                i += concurrency
                started = time.perf_counter()
                try:
                    response = await client.post(url, **request.httpx_kwargs())
                except httpx.HTTPError as exc:
                    statuses[type(exc).__name__] += 1
                    continue
                statuses[str(response.status_code)] += 1
                if response.is_success:
                    latencies.append(time.perf_counter() - started)
                elif response.status_code in (429, 503):
                    wait = float(response.headers.get("Retry-After", "1"))
                    await asyncio.sleep(max(0.0, min(wait, deadline - time.perf_counter())))

        started = time.perf_counter()
        await asyncio.gather(*(worker(i) for i in range(concurrency)))
        elapsed = time.perf_counter() - started
    total = sum(statuses.values())
    ok = sum(n for s, n in statuses.items() if s.startswith("2"))
    rejected = statuses.get("503", 0) + statuses.get("429", 0)
    return {"concurrency": concurrency, "seconds": round(elapsed, 1), "requests": total,
            "throughput_rps": round(total / elapsed, 2), "ok_rps": round(ok / elapsed, 2), **_percentiles(latencies),
            "rejected_rate": round(rejected / total, 3) if total else None,
            "error_rate": round((total - ok - rejected) / total, 3) if total else None,
            "statuses": dict(sorted(statuses.items()))}


def _overhead(url: str, requests: list[BenchRequest], tier: str, in_process: InProcess, rounds: int) -> dict[str, Any]:
    http_s, local_s = [], []
    with httpx.Client(timeout=600) as client:
        for i in range(rounds):
            request = requests[i % len(requests)]
            started = time.perf_counter()
            in_process(tier, dict(request.params), list(request.uploads))
            local_s.append(time.perf_counter() - started)
            started = time.perf_counter()
            response = client.post(url, **request.httpx_kwargs())
            http_s.append(time.perf_counter() - started)
            if response.status_code != 200:
                raise BackendError(f"overhead round {i}: HTTP {response.status_code}: {response.text[:300]}")
    http_p50, local_p50 = statistics.median(http_s), statistics.median(local_s)
    return {"tier": tier, "rounds": rounds, "http_p50_ms": round(1000 * http_p50, 1),
            "in_process_p50_ms": round(1000 * local_p50, 1), "ratio_http_over_in_process": round(http_p50 / local_p50, 3)}


def _soak(server: _Server, url: str, requests: list[BenchRequest], concurrency: int, seconds: float) -> dict[str, Any]:
    samples: list[tuple[float, float]] = [(0.0, _rss_mb(server.proc.pid))]

    async def run() -> dict[str, Any]:
        load = asyncio.ensure_future(_closed_loop(url, requests, concurrency, seconds))
        started = time.perf_counter()
        while not load.done():
            await asyncio.wait({load}, timeout=SAMPLE_EVERY_S)
            samples.append((round(time.perf_counter() - started, 1), _rss_mb(server.proc.pid)))
        return load.result()

    traffic = asyncio.run(run())
    half = [s for s in samples if s[0] >= seconds / 2]
    slope = None
    if len(half) >= 2 and half[-1][0] > half[0][0]:
        slope = round(statistics.linear_regression([t for t, _ in half], [m for _, m in half]).slope * 60, 2)
    return {"concurrency": concurrency, "seconds": seconds, "traffic": traffic,
            "rss_mb": [{"t_s": t, "mb": m} for t, m in samples], "rss_first_mb": samples[0][1],
            "rss_last_mb": samples[-1][1], "rss_slope_second_half_mb_per_min": slope}


def bench_serve(*, executable: str, serve_options: list[str], domain: Domain, task: str, tiers: list[str], concurrency: list[int],
                seconds: float, in_process: InProcess | None, overhead_rounds: int = 20, soak_seconds: float = 0,
                soak_concurrency: int = 8, queue: int = 16, tag: str | None = None,
                work_dir: Path | None = None) -> dict[str, Any]:
    """Start `executable serve *serve_options` (the user's --config/--set), run every (tier, concurrency) level, the overhead comparison on the
    first tier (when `in_process` is given) and the soak (when `soak_seconds` > 0)."""
    with tempfile.TemporaryDirectory(dir=work_dir, prefix="bench-serve-") as tmp:
        work = Path(tmp)
        requests = corpus_requests(domain, task, work / "corpus", tag=tag)
        server = _Server(executable, [*serve_options, "--domain", domain.name], tiers, work, queue)
        try:
            readiness = server.wait_ready()
            report: dict[str, Any] = {"domain": domain.name, "task": task, "tag": tag, "requests_per_cycle": len(requests),
                                      "server_load_s": readiness.get("load_seconds"),
                                      "unavailable": readiness.get("unavailable", {}), "load": {}}
            served = [t for t in tiers if t in readiness.get("tiers", [])]
            with httpx.Client(timeout=600) as client:  # warm-up: one request per case and tier
                for tier in served:
                    for request in requests:
                        client.post(f"{server.url}/v1/{domain.name}/{task}?tier={tier}", **request.httpx_kwargs())
            for tier in served:
                url = f"{server.url}/v1/{domain.name}/{task}?tier={tier}"
                report["load"][tier] = [asyncio.run(_closed_loop(url, requests, c, seconds)) for c in concurrency]
            if in_process is not None and served:
                url = f"{server.url}/v1/{domain.name}/{task}?tier={served[0]}"
                report["overhead"] = _overhead(url, requests, served[0], in_process, overhead_rounds)
            if soak_seconds > 0 and served:
                url = f"{server.url}/v1/{domain.name}/{task}?tier={served[0]}"
                report["soak"] = _soak(server, url, requests, soak_concurrency, soak_seconds)
        finally:
            server.stop()
    return report
