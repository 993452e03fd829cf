"""Data at rest is the owner's only: the data directory, stores, runs and reports hold names,
dates of birth and addresses, so nothing under it may be readable by group or others.

Each test forces the common umask 022 first (a user's default), so it fails wherever a file is
created with the process defaults.
"""
from __future__ import annotations

import os
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from rightsized.eval.runs import RunStore
from rightsized.pipelines.config import load_settings
from rightsized.pipelines.runtime import ensure_data_dir

USUAL_UMASK = 0o022


def _shared(root: Path) -> list[str]:
    """Every path under `root` (itself included) with a group or other permission bit."""
    paths = [root, *root.rglob("*")]
    return [f"{stat.filemode(p.lstat().st_mode)} {p}" for p in paths if p.lstat().st_mode & 0o077]


@pytest.fixture
def usual_umask() -> Iterator[None]:
    previous = os.umask(USUAL_UMASK)
    try:
        yield
    finally:
        os.umask(previous)


def test_the_data_dir_is_created_owner_only(tmp_path: Path, usual_umask: None) -> None:
    data = tmp_path / "new" / "data"
    assert ensure_data_dir(load_settings(overrides=[f"data_dir={data}"])) == data
    assert stat.S_IMODE(data.stat().st_mode) == 0o700


def test_run_folders_and_files_are_owner_only_whatever_the_umask(tmp_path: Path, usual_umask: None) -> None:
    store = RunStore.open_new(tmp_path / "runs", {"status": "running"})
    store.append({"domain": "d", "suite": "s", "tier": "t", "case_id": "c", "input": {"name": "Anna Eriksson"}})
    store.update_meta(status="finished")
    assert _shared(tmp_path / "runs") == []


@pytest.mark.integration
@pytest.mark.slow
def test_nothing_an_eval_writes_is_readable_by_others(tmp_path: Path) -> None:
    """The real command on a fresh data dir: corpus, Milvus Lite store, run, report."""
    data = tmp_path / "data"
    done = subprocess.run(
        [str(Path(sys.executable).with_name("rightsized")), "eval", "--domain", "bfsi_kyc", "--tier", "baseline",
         "--suite", "synthetic", "--n", "2", "--limit", "1", "--json"],
        capture_output=True, text=True, timeout=600, env={**os.environ, "RIGHTSIZED_DATA_DIR": str(data)},
        preexec_fn=lambda: os.umask(USUAL_UMASK),
    )
    assert done.returncode == 0, done.stderr
    written = list(data.rglob("*"))
    assert {"milvus.db", "runs", "corpus", "report.html", "cases.jsonl"} <= {p.name for p in written}
    assert _shared(data) == []
