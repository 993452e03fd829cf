"""Shared test setup: offline by construction, ../shared test data, and real services.

The llama.cpp server fixture exists because the `openai_compatible` backend is only
trustworthy if it has talked to an actual OpenAI-compatible implementation; llama-cpp-python
ships one (`llama_cpp.server`). It starts once per session. The same reasoning gives a real
Milvus 2.3.5 server (PyPI `milvus`) and, where Docker runs, a current Milvus container.
"""
from __future__ import annotations

import io
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
# One date-shift secret for the whole run: without it each test's own data directory would make
# its own (healthcare_notes/secret.py), and a module's fixtures would redact with another secret
# than its tests. Tests of the secret itself unset it.
os.environ.setdefault("RIGHTSIZED_DEID_SECRET", "rightsized-test-suite-date-shift-secret")

REPO = Path(__file__).resolve().parents[1]
SHARED_EXTERNAL = REPO.parent / "shared" / "data" / "external"


@pytest.fixture(autouse=True)
def _isolated_data_dir(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Never touch the user's ~/.rightsized: each test gets its own data dir unless it sets one."""
    monkeypatch.setenv("RIGHTSIZED_DATA_DIR", str(tmp_path_factory.mktemp("rsdata")))
    for name in ("RIGHTSIZED_MID_URL", "RIGHTSIZED_LARGE_URL", "OPENAI_API_KEY", "RIGHTSIZED_MID_API_KEY"):
        monkeypatch.delenv(name, raising=False)


def _text_pdf(path: Path, lines: list[str]) -> Path:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=12)
    for line in lines:
        pdf.cell(0, 8, line, new_x="LMARGIN", new_y="NEXT")
    pdf.output(str(path))
    return path


@pytest.fixture
def make_bad_files():  # noqa: ANN201 - returns a builder
    """Build one file per failure mode in a folder; returns {file name: expected reason fragment}."""

    def build(folder: Path) -> dict[str, str]:
        from fpdf import FPDF
        from pypdf import PdfReader, PdfWriter

        from rightsized.ingest.ocr import tesseract_available

        folder.mkdir(parents=True, exist_ok=True)
        (folder / "corrupt.pdf").write_bytes(b"%PDF-1.4\n1 0 obj <</Type /Catalog>> garbage without xref")
        plain = FPDF()
        plain.add_page()
        plain.set_font("Helvetica", size=12)
        plain.cell(0, 8, "Account holder: Anna Eriksson")
        writer = PdfWriter()
        for page in PdfReader(io.BytesIO(bytes(plain.output()))).pages:
            writer.add_page(page)
        writer.encrypt(user_password="s3cret", owner_password="owner")
        with (folder / "encrypted.pdf").open("wb") as handle:
            writer.write(handle)
        scanned = FPDF()
        scanned.add_page()
        scanned.rect(20, 20, 100, 60, style="F")  # an image-only page with nothing to read: OCR finds no text
        scanned.output(str(folder / "scanned.pdf"))
        (folder / "empty.txt").write_bytes(b"")
        (folder / "latin1.txt").write_bytes("Stra\xdfe caf\xe9".encode("latin-1"))
        (folder / "blank.md").write_text("   \n\n  ")
        (folder / "broken.jsonl").write_text('{"a": 1}\n{"b": \n')
        (folder / "notes.doc").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")  # legacy Word: not read
        return {
            "corrupt.pdf": "corrupt or unreadable PDF",
            "encrypted.pdf": "encrypted PDF (password required)",
            # Where Tesseract is missing (scripts/_setup.sh installs it where it can), the reason says so.
            "scanned.pdf": "no text found by OCR" if tesseract_available() else "OCR needs Tesseract, which is not installed",
            "empty.txt": "empty file",
            "latin1.txt": "not valid UTF-8",
            "blank.md": "no text content",
            "broken.jsonl": "malformed JSON at line 2",
            "notes.doc": "unsupported file type '.doc'",
        }

    return build


@pytest.fixture
def text_pdf():  # noqa: ANN201 - returns a builder
    return _text_pdf


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
    from rightsized.pipelines.generators.llamacpp import packaged_model_path

    return packaged_model_path()


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


MILVUS_TOKEN_ENV = "RIGHTSIZED_MILVUS_TOKEN"


@pytest.fixture(scope="session")
def milvus_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real Milvus 2.3.5 standalone server (PyPI `milvus`, no Docker); yields its URI.

    2.3 has no BM25 function and no sparse vectors, so it exercises the client-side BM25 path.
    Authentication is on, so every server test also proves credentials flow from the
    environment: the session sets $RIGHTSIZED_MILVUS_TOKEN to root with the server's random password.
    """
    from rightsized.pipelines.stores.local_server import LocalMilvusServer

    server = LocalMilvusServer(tmp_path_factory.mktemp("milvus_server"), auth=True)
    start = time.perf_counter()
    server.start()
    print(f"\nMilvus 2.3.5 ready in {time.perf_counter() - start:.1f} s at {server.uri}")
    env = pytest.MonkeyPatch()
    env.setenv(MILVUS_TOKEN_ENV, server.token)
    try:
        yield server.uri
    finally:
        env.undo()
        server.stop()


MILVUS_IMAGE = "milvusdb/milvus:v2.5.16"  # the version infra/milvus-standalone pins


@pytest.fixture(scope="session")
def milvus_container() -> Iterator[str]:
    """Current Milvus (2.5, native BM25) in a container; skipped with the reason without Docker."""
    from docker.errors import DockerException
    from testcontainers.community.milvus import MilvusContainer

    try:  # the Docker client is created (and fails) in the constructor already
        container = MilvusContainer(MILVUS_IMAGE).with_env("DEPLOY_MODE", "STANDALONE")
        container.start()
    except DockerException as exc:
        pytest.skip(f"no Docker engine for {MILVUS_IMAGE}: {exc}")
    try:
        yield container.get_connection_url()
    finally:
        container.stop()


def _files_using_the_milvus_server() -> frozenset[str]:
    """Test files (as pytest names them, relative to the repository) that ask for `milvus_server`."""
    return frozenset(path.relative_to(REPO).as_posix() for path in (REPO / "tests").rglob("test_*.py")
                     if "milvus_server" in path.read_text(encoding="utf-8"))


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: object) -> object:
    """Place tests on pytest-xdist workers (scripts/test runs one worker per core).

    A file stays on one worker, so its module fixtures (corpora, ingested stores) are built once.
    Every file that asks for the Milvus 2.3.5 server shares one worker and so one server: its
    embedded etcd takes port 2380, and a second server on the machine cannot start. (Why not
    `--dist loadgroup` and marks: with pytest 9, xdist 3.8's group suffix on node ids is lost and
    every test is scheduled on its own.)
    """
    from xdist.scheduler import LoadScopeScheduling

    server_files = _files_using_the_milvus_server()

    class FileOrServerScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            path = nodeid.split("::", 1)[0]
            return "milvus-2.3.5" if path in server_files else path

    return FileOrServerScheduling(config, log)
