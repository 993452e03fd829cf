"""Start a real Milvus 2.3.5 standalone server from the `milvus` PyPI package, without Docker.

Why: the server path (gRPC, consistency, no BM25 function) must be exercised against a real
server in tests and in `rightsized bench search`, and these machines have no container engine.
`milvus==2.3.5` is the last Linux wheel (ENVIRONMENT.md); it ships the standalone binary with an
embedded etcd. This wrapper keeps all state (config, data, logs, pid file) under one base
directory, picks free ports, advertises 127.0.0.1 and talks to it only there, waits on the
health endpoint, and stops the process with SIGINT, then SIGTERM if the graceful stop hangs.

Exposure: it cannot be bound to loopback. Milvus 2.3 listens with `net.Listen(":PORT")` on every
gRPC port (proxy, coordinators, nodes) and has no listen-address setting (`*.ip` only changes the
address it advertises; measured in /proc/net/tcp6: nine ports on [::], only the embedded etcd on
127.0.0.1). So it gets credentials instead: authentication is on and, right after start, root's
published default password ("Milvus") is replaced by a random one, held only in memory
(`token`, "root:<password>"). Anyone else reaching the proxy port (the API clients use) is
refused. Still open: the coordinators' and nodes' internal ports have no user authentication in
2.3 and the metrics port serves /metrics: run it where a firewall keeps the machine's ports
private, or point `--server-uri` at a server you secured.

Measured limits: a restart on the same base directory with new ports panics (etcd still lists
the old ones), so each start here is a fresh, throwaway server; and its embedded etcd always
takes peer port 2380, so only one such server runs per machine.
"""
from __future__ import annotations

import secrets
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path
from types import TracebackType

from rightsized.pipelines.errors import BackendError

INSTALL_HINT = "pip install 'rightsized[server]' (the milvus==2.3.5 package)"
DEFAULT_ROOT_PASSWORD = "Milvus"  # Milvus' documented default: anyone can try it


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class LocalMilvusServer:
    """A Milvus 2.3.5 standalone process, reached on 127.0.0.1, with a private root password.

    Usage:
        with LocalMilvusServer(tmp_dir) as server:
            os.environ["MY_TOKEN"] = server.token
            store_config = MilvusServerStoreConfig(uri=server.uri, token_env="MY_TOKEN")
    """

    def __init__(self, base_dir: Path, *, port: int | None = None, auth: bool = True) -> None:
        self.base_dir = Path(base_dir)
        self.auth = auth  # False only for a machine whose ports nobody else can reach
        self.port = port or free_port()
        self.health_port = free_port()
        self.token: str | None = None  # "root:<random password>" once started with auth
        self._server: object | None = None

    @property
    def uri(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout_s: float = 120.0) -> LocalMilvusServer:
        try:
            from milvus import MilvusServer, MilvusServerConfig
        except ImportError as exc:
            raise BackendError(f"the local Milvus server needs the 'milvus' package: {INSTALL_HINT}") from exc
        server = MilvusServer(MilvusServerConfig(), wait_for_started=False)
        server.set_base_dir(str(self.base_dir))
        server.listen_port = self.port
        server.webservice_port = self.health_port
        server.config.set("authorization_enabled", self.auth)
        # Advertise loopback addresses (2.3 has no bind-address setting; see module docstring).
        server.config.extra_configs.update({f"{part}.ip": "127.0.0.1" for part in (
            "rootCoord", "proxy", "queryCoord", "queryNode", "indexCoord", "indexNode", "dataCoord", "dataNode",
        )})
        server.start()
        self._server = server
        self._wait_healthy(timeout_s)
        if self.auth:
            self._make_root_password_private()
        return self

    def _make_root_password_private(self) -> None:
        """Replace root's published default password before anyone else can use it."""
        from pymilvus import MilvusClient
        from pymilvus.exceptions import MilvusException

        password = secrets.token_urlsafe(24)
        try:
            client = MilvusClient(uri=self.uri, token=f"root:{DEFAULT_ROOT_PASSWORD}")
            try:
                client.update_password("root", DEFAULT_ROOT_PASSWORD, password)
            finally:
                client.close()
        except MilvusException as exc:
            self.stop()
            raise BackendError(f"Milvus at {self.uri}: could not set a private root password ({exc.message})") from exc
        self.token = f"root:{password}"

    def _wait_healthy(self, timeout_s: float) -> None:
        url = f"http://127.0.0.1:{self.health_port}/healthz"
        deadline = time.monotonic() + timeout_s
        process: subprocess.Popen[bytes] = self._server.server_proc  # type: ignore[attr-defined]
        while time.monotonic() < deadline:
            if process.poll() is not None:
                self.stop()
                raise BackendError(f"Milvus exited with code {process.returncode} during start"
                                   f"{self._known_cause()}; see {self.base_dir / 'logs'}")
            try:
                with urllib.request.urlopen(url, timeout=2) as response:
                    if b"OK" in response.read():
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.2)
        self.stop()
        raise BackendError(f"Milvus not healthy on {url} after {timeout_s:.0f} s; see {self.base_dir / 'logs'}")

    def _known_cause(self) -> str:
        log = self.base_dir / "logs" / "milvus-stdout.log"
        text = log.read_text(errors="replace") if log.exists() else ""
        if "127.0.0.1:2380: bind: address already in use" in text:
            return (" (its embedded etcd needs port 2380, which is taken: only one Milvus 2.3.5 "
                    "from the PyPI package can run per machine; pass its URI instead)")
        return ""

    def stop(self) -> None:
        server = self._server
        if server is None:
            return
        self._server = None
        self.token = None
        process: subprocess.Popen[bytes] | None = server.server_proc  # type: ignore[attr-defined]
        if process is not None:
            # SIGINT asks for a graceful stop, which 2.3.5 finishes on an empty server but hangs
            # on (measured: > 30 s) once collections exist; SIGTERM then ends it at once.
            for sig, wait_s in ((signal.SIGINT, 5), (signal.SIGTERM, 10), (signal.SIGKILL, 10)):
                if process.poll() is not None:
                    break
                process.send_signal(sig)
                try:
                    process.wait(timeout=wait_s)
                except subprocess.TimeoutExpired:
                    continue
        server.stop()  # type: ignore[attr-defined]  # closes its log files

    def __enter__(self) -> LocalMilvusServer:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()
