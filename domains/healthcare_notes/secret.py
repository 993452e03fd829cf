"""The date-shift secret: from the environment, else a random one kept in a file of the user's.

Why not a built-in default: dates are shifted by an HMAC of the patient's group key, and the
group key is stored with every chunk. With a secret anyone can read in this source, every shift
could be computed and undone, so the stored dates were the real ones. A secret generated on first
use, readable only by its owner (0600), keeps the shifts stable across runs (the same patient keeps
the same shift, and unchanged notes are not re-redacted) without being public.
"""
from __future__ import annotations

import os
import secrets
from pathlib import Path

from rightsized.pipelines.config import DATA_DIR_ENV
from rightsized.pipelines.errors import ConfigError


def shift_secret(env: str, path: Path | None) -> bytes:
    """`$env` when set, else the secret in `path` (None: `deid_secret` in the data directory the
    environment names, else in ~/.rightsized), created (32 random bytes, mode 0600) when missing."""
    if value := os.environ.get(env):
        return value.encode("utf-8")
    path = (path or Path(os.environ.get(DATA_DIR_ENV) or "~/.rightsized") / "deid_secret").expanduser()
    try:
        return _read(path)
    except FileNotFoundError:
        pass
    # Written whole to a private temporary file, then linked into place: a process starting at the
    # same moment either links first or reads the complete file the other linked.
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with os.fdopen(os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as out:
            out.write(secrets.token_hex(32).encode("ascii"))
        os.link(temporary, path)
    except FileExistsError:
        pass
    except OSError as exc:
        raise ConfigError(f"{path}: cannot create the date-shift secret ({exc.strerror}); set ${env}") from exc
    finally:
        temporary.unlink(missing_ok=True)
    return _read(path)


def _read(path: Path) -> bytes:
    value = path.read_bytes().strip()
    if len(value) < 32:
        raise ConfigError(f"{path}: the date-shift secret is shorter than 32 characters; delete the file to "
                          "have a new one made, or set the environment variable")
    return value
