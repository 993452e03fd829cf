"""API keys: stored as SHA-256 hashes only, each with the domains and tiers it may use.

Why SHA-256 and not a password hash: keys are random tokens of 128+ bits (`secrets.token_urlsafe(32)`),
so there is nothing for a slow hash to protect against a guesser; the server keeps only the hash,
compares in constant time, and a leaked key file gives no key away.

The keys file (named by `--keys-file` or `$RIGHTSIZED_API_KEYS_FILE`), or the same YAML in
`$RIGHTSIZED_API_KEYS` (e.g. from a Kubernetes Secret)::

    keys:
      - name: onboarding                  # shown in logs and metrics, never the key
        sha256: 9f86d081884c7d65...       # printf %s "$KEY" | sha256sum
        domains: [bfsi_kyc]               # or ["*"]
        tiers: [baseline, small]          # or ["*"]
        rate_per_minute: 120              # optional; default: the server's
"""
from __future__ import annotations

import hashlib
import hmac
import os
import re
from dataclasses import dataclass
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from rightsized.pipelines.errors import ConfigError

KEYS_FILE_ENV = "RIGHTSIZED_API_KEYS_FILE"
KEYS_ENV = "RIGHTSIZED_API_KEYS"
MAX_KEYS_BYTES = 1024 * 1024
ANY = "*"


class ApiKey(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.-]+$")
    sha256: str
    domains: tuple[str, ...] = (ANY,)
    tiers: tuple[str, ...] = (ANY,)
    rate_per_minute: float | None = Field(None, gt=0)

    @field_validator("sha256")
    @classmethod
    def _hex(cls, value: str) -> str:
        if not re.fullmatch(r"[0-9a-f]{64}", value.lower()):
            raise ValueError("expected the key's SHA-256 as 64 hex digits (printf %s \"$KEY\" | sha256sum), "
                             "never the key itself")
        return value.lower()

    def allows_domain(self, domain: str) -> bool:
        return ANY in self.domains or domain in self.domains

    def allows_tier(self, tier: str) -> bool:
        return ANY in self.tiers or tier in self.tiers


class _KeysFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    keys: list[ApiKey] = Field(default_factory=list)


LOCAL = ApiKey(name="local", sha256="0" * 64)  # the caller when no keys are configured (loopback only)


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class KeyRing:
    """The configured keys; empty means local mode (every caller is `LOCAL`, bind is loopback only)."""

    keys: tuple[ApiKey, ...] = ()

    @property
    def enabled(self) -> bool:
        return bool(self.keys)

    def identify(self, presented: str) -> ApiKey | None:
        """The key whose hash matches, compared in constant time against every entry."""
        digest = hash_key(presented)
        found = None
        for key in self.keys:
            if hmac.compare_digest(digest, key.sha256):
                found = key
        return found


def _parse(text: str, source: str) -> KeyRing:
    try:
        data = yaml.safe_load(text) or {}
        parsed = _KeysFile.model_validate(data)
    except yaml.YAMLError as exc:
        raise ConfigError(f"{source}: not valid YAML: {exc}") from exc
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        raise ConfigError(f"{source}: {problems}") from exc
    names = [k.name for k in parsed.keys]
    if len(set(names)) != len(names):
        raise ConfigError(f"{source}: key names must be unique")
    return KeyRing(tuple(parsed.keys))


def load_keys(keys_file: Path | None = None) -> KeyRing:
    """Keys from `keys_file`, else `$RIGHTSIZED_API_KEYS_FILE`, else `$RIGHTSIZED_API_KEYS`; none: local mode."""
    path = keys_file or (Path(os.environ[KEYS_FILE_ENV]) if os.environ.get(KEYS_FILE_ENV) else None)
    if path is not None:
        if not path.is_file():
            raise ConfigError(f"keys file {path}: not a regular file")
        if path.stat().st_size > MAX_KEYS_BYTES:
            raise ConfigError(f"keys file {path}: larger than {MAX_KEYS_BYTES // 1024} KiB")
        return _parse(path.read_text(encoding="utf-8"), f"keys file {path}")
    if os.environ.get(KEYS_ENV):
        return _parse(os.environ[KEYS_ENV], f"${KEYS_ENV}")
    return KeyRing()
