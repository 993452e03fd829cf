"""Run storage: `run.json` (what was run, with versions and hashes) + `cases.jsonl` (one line
per domain x tier x case), appended and flushed as each case finishes.

Why append-only JSONL: an interrupted run keeps every finished case, and `--resume` skips
exactly those; nothing is rewritten, so a crash can lose at most the case in flight.
Runs hold personal data from the documents (names, dates of birth, addresses): run folders are
created 0700 and their files 0600, whatever the process umask.
"""
from __future__ import annotations

import hashlib
import json
import os
import platform
import time
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import IO, Any

from rightsized.pipelines.errors import RightsizedError

_VERSIONED = ("rightsized", "torch", "sentence-transformers", "llama-cpp-python", "pymilvus",
              "milvus-lite", "transformers", "llama-index-core")


def package_versions() -> dict[str, str]:
    versions = {"python": platform.python_version()}
    for name in _VERSIONED:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def files_hash(paths: list[Path], root: Path) -> str:
    """Content hash of a corpus (documents + gold): same bytes, same hash, any machine."""
    digest = hashlib.sha256()
    for path in sorted(paths):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def _open_private(path: Path, *, append: bool = False) -> IO[str]:
    """Open `path` for writing; a new file is created owner-only (0600)."""
    flags = os.O_WRONLY | os.O_CREAT | (os.O_APPEND if append else os.O_TRUNC)
    return os.fdopen(os.open(path, flags, 0o600), "a" if append else "w", encoding="utf-8")


def case_key(record: dict[str, Any]) -> tuple[str, str, str, str]:
    return (record["domain"], record["suite"], record["tier"], record["case_id"])


@dataclass
class RunStore:
    """One run directory. `open_new` creates it; `open_existing` resumes it."""

    run_dir: Path

    @classmethod
    def open_new(cls, runs_dir: Path, meta: dict[str, Any]) -> RunStore:
        run_id = time.strftime("%Y%m%d-%H%M%S")
        run_dir = runs_dir / run_id
        suffix = 1
        while run_dir.exists():
            suffix += 1
            run_dir = runs_dir / f"{run_id}-{suffix}"
        runs_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        run_dir.mkdir(mode=0o700)
        store = cls(run_dir)
        store.write_meta({**meta, "run_id": run_dir.name, "created": time.strftime("%Y-%m-%dT%H:%M:%S")})
        return store

    @classmethod
    def open_existing(cls, run_dir: Path) -> RunStore:
        if not (run_dir / "run.json").exists():
            raise RightsizedError(f"{run_dir}: not a run directory (no run.json)")
        store = cls(run_dir)
        store._drop_torn_tail()
        return store

    def _drop_torn_tail(self) -> None:
        """A crash mid-write leaves a last line without newline: cut it so the case re-runs
        and the next record starts on its own line."""
        path = self.run_dir / "cases.jsonl"
        if not path.exists():
            return
        data = path.read_bytes()
        if data and not data.endswith(b"\n"):
            path.write_bytes(data[: data.rfind(b"\n") + 1])

    @property
    def meta(self) -> dict[str, Any]:
        try:
            return json.loads((self.run_dir / "run.json").read_text())
        except (OSError, json.JSONDecodeError) as exc:
            raise RightsizedError(f"{self.run_dir / 'run.json'}: unreadable ({exc})") from exc

    def write_meta(self, meta: dict[str, Any]) -> None:
        """Replace run.json atomically: a crash mid-write must not leave a run unreadable."""
        path = self.run_dir / "run.json"
        tmp = path.with_suffix(".json.tmp")
        with _open_private(tmp) as handle:
            handle.write(json.dumps(meta, indent=2, sort_keys=True))
        tmp.replace(path)

    def update_meta(self, **changes: Any) -> None:
        self.write_meta({**self.meta, **changes})

    def done(self) -> set[tuple[str, str, str, str]]:
        """Keys of finished cases (complete JSON lines)."""
        path = self.run_dir / "cases.jsonl"
        if not path.exists():
            return set()
        keys = set()
        for line in path.read_text().splitlines():
            try:
                keys.add(case_key(json.loads(line)))
            except (json.JSONDecodeError, KeyError):
                continue
        return keys

    def append(self, record: dict[str, Any]) -> None:
        with _open_private(self.run_dir / "cases.jsonl", append=True) as handle:
            handle.write(json.dumps(record, sort_keys=True, default=str) + "\n")
            handle.flush()


def _has_cases(run_dir: Path) -> bool:
    path = run_dir / "cases.jsonl"
    return path.exists() and path.stat().st_size > 0


def latest_run(runs_dir: Path) -> Path:
    """The newest run with at least one recorded case: a run that failed or was stopped before
    its first case must not hide the last useful one."""
    runs = sorted((p for p in runs_dir.glob("*") if (p / "run.json").exists() and _has_cases(p)),
                  key=lambda p: p.stat().st_mtime)
    if not runs:
        raise RightsizedError(f"no run with recorded cases under {runs_dir}; run `rightsized eval` first")
    return runs[-1]
