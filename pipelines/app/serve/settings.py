"""The HTTP service's own settings: where it binds, who may call it, and how much it accepts.

Why a model of its own: these are the service's limits, not a tier's; they come from the
`serve` command's options and the environment (`$RIGHTSIZED_API_KEYS_FILE`, `$RIGHTSIZED_API_KEYS`)
and default to the safe values: loopback only, bounded bodies, bounded queues.
"""
from __future__ import annotations

import ipaddress
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from rightsized.pipelines.errors import ConfigError

LOOPBACK_NAMES = {"localhost", "ip6-localhost"}


class ServeSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    host: str = "127.0.0.1"
    port: int = Field(8000, ge=0, le=65535)
    tiers: tuple[str, ...] = ()  # served tiers; empty: every tier available at start-up
    domains: tuple[str, ...] = ()  # served domains; empty: every installed domain
    keys_file: Path | None = None  # YAML of hashed keys (see `auth.py`)
    max_request_mb: float = Field(50.0, gt=0)  # whole body
    max_upload_mb: float = Field(20.0, gt=0)  # one uploaded file
    max_files: int = Field(64, ge=1)  # uploaded files in one request
    queue_size: int = Field(16, ge=0)  # requests waiting per tier beyond those running
    max_wait_s: float = Field(30.0, gt=0)  # refuse (503) when the expected wait for a slot is longer
    concurrency: int = Field(2, ge=1)  # cases run at once per tier (llama.cpp tiers: always 1)
    rate_per_minute: float = Field(600.0, gt=0)  # per key (or for the one local caller), burst the same
    shutdown_timeout_s: float = Field(60.0, gt=0)  # in-flight requests get this long to finish
    # Open connections (idle, half-sent or running) beyond this get 503 at once: without a cap, 300
    # clients sending headers a byte at a time were all held open.
    max_connections: int = Field(256, ge=1)
    upload_dir: Path | None = None  # parent of the per-request temporary folders (default: the system's)

    @property
    def max_request_bytes(self) -> int:
        return int(self.max_request_mb * 1024 * 1024)

    @property
    def max_upload_bytes(self) -> int:
        return int(self.max_upload_mb * 1024 * 1024)


def is_loopback(host: str) -> bool:
    """127.0.0.0/8, ::1 and localhost; a hostname we cannot parse is not assumed local."""
    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_bind(host: str, has_keys: bool) -> None:
    """Refuse a non-loopback bind without API keys: every caller on the network would be trusted
    with every domain's personal data."""
    if not has_keys and not is_loopback(host):
        raise ConfigError(f"--host {host}: refusing to listen beyond this machine without API keys; "
                          "give --keys-file (or $RIGHTSIZED_API_KEYS_FILE / $RIGHTSIZED_API_KEYS) "
                          "or bind 127.0.0.1")
