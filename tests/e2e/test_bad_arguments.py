"""Bad arguments through the real `rightsized` command: exit 2, the argument named, no traceback.

Each row of BAD is a user mistake (a hostile-but-fair report, plus a few more found on the way);
every one must end with exit code 2 and a message that names the argument on one line, never a
Python traceback. Unexpected exceptions are bugs: they exit 3 with one line, and the traceback
only with RIGHTSIZED_DEBUG=1. Every test gets its own fresh RIGHTSIZED_DATA_DIR.
"""
from __future__ import annotations

import fcntl
import os
import resource
import subprocess
import sys
import textwrap
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

pytestmark = [pytest.mark.integration]

EXE = Path(sys.executable).with_name("rightsized")
AS_OF = "as_of=2026-06-01"
MEMORY_CAP = 4 * 1024**3  # a regression that reads /dev/zero again must fail here, not exhaust the machine


def _cap_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP, MEMORY_CAP))


def _run(cmd: list[str], env: dict[str, str], *, cap_memory: bool = False) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, capture_output=True, text=True, timeout=300, env={**os.environ, **env},
                          preexec_fn=_cap_memory if cap_memory else None)


@dataclass
class Place:
    """Files a row can point at, all under the test's own tmp folder."""

    root: Path
    env: dict[str, str] = field(default_factory=dict)

    @property
    def folder(self) -> Path:  # an existing folder that is not a run, a packet or a config
        path = self.root / "folder"
        path.mkdir(exist_ok=True)
        return path

    @property
    def file(self) -> Path:  # an existing regular file where a folder is expected
        path = self.root / "notes.txt"
        path.write_text("not a folder\n")
        return path

    @property
    def binary(self) -> Path:
        path = self.root / "tiers.yaml"
        path.write_bytes(bytes(range(256)) * 8)
        return path

    @property
    def oversized(self) -> Path:  # valid YAML, but far beyond any tier file
        path = self.root / "huge.yaml"
        path.write_text("# padding\n" * 120_000 + "default_tier: baseline\n")
        return path


@dataclass(frozen=True)
class Bad:
    args: Callable[[Place], list[str]]
    names: str  # the fragment naming the argument, expected on one line of stderr
    env: Callable[[Place], dict[str, str]] = lambda place: {}
    cap_memory: bool = False


BAD: dict[str, Bad] = {
    "set-unclosed-yaml": Bad(lambda p: ["tiers", "--set", "a=[unclosed"], "--set 'a=[unclosed'"),
    "config-is-a-folder": Bad(lambda p: ["tiers", "--config", str(p.folder)], "folder: a directory; --config"),
    "config-is-binary": Bad(lambda p: ["tiers", "--config", str(p.binary)], "tiers.yaml: not a UTF-8 text file"),
    "config-is-dev-zero": Bad(lambda p: ["tiers", "--config", "/dev/zero"], "/dev/zero: not a regular file",
                              cap_memory=True),
    "config-over-1-MiB": Bad(lambda p: ["tiers", "--config", str(p.oversized)], "huge.yaml: larger than 1024 KiB"),
    "corpus-into-a-file": Bad(lambda p: ["corpus", "bfsi_kyc", str(p.file)], "OUT_DIR"),
    "bench-a-domain-without-benchmarks": Bad(lambda p: ["bench", "domain", "bfsi_kyc"], "declares no benchmarks"),
    "bench-an-unknown-domain": Bad(lambda p: ["bench", "domain", "no_such_domain"], "no_such_domain"),
    "corpus-n-0": Bad(lambda p: ["corpus", "bfsi_kyc", str(p.root / "out"), "--n", "0"], "'--n'"),
    "corpus-n-negative": Bad(lambda p: ["corpus", "bfsi_kyc", str(p.root / "out"), "--n", "-1"], "'--n'"),
    "report-of-a-file": Bad(lambda p: ["report", str(p.file)], "RUN_DIR"),
    "compare-of-a-file": Bad(lambda p: ["compare", str(p.file), str(p.folder)], "RUN_A"),
    "compare-of-a-non-run-folder": Bad(lambda p: ["compare", str(p.folder), str(p.folder)], "run.json"),
    "bench-ingest-docs-0": Bad(lambda p: ["bench", "ingest", "--docs", "0"], "'--docs'"),
    "bench-ingest-words-0": Bad(lambda p: ["bench", "ingest", "--docs", "2", "--words", "0"], "'--words'"),
    "bench-search-size-0": Bad(lambda p: ["bench", "search", "--sizes", "0"], "--sizes"),
    "unknown-domain": Bad(lambda p: ["run", "nodomain"], "unknown domain 'nodomain'"),
    "unknown-task": Bad(lambda p: ["run", "bfsi_kyc", "notask"], "no task 'notask'"),
    "unknown-tier": Bad(lambda p: ["run", "bfsi_kyc", "--input", str(p.folder), "--param", AS_OF,
                                   "--tier", "nonesuch"], "unknown tier 'nonesuch'"),
    "input-missing": Bad(lambda p: ["run", "bfsi_kyc", "--input", str(p.root / "missing")], "input 'packet'"),
    "param-unknown": Bad(lambda p: ["run", "bfsi_kyc", "--input", str(p.folder), "--param", "horizon=3"],
                         "horizon"),
    "request-is-a-folder": Bad(lambda p: ["run", "bfsi_kyc", "--request", str(p.folder)], "--request"),
    "eval-limit-0": Bad(lambda p: ["eval", "--limit", "0"], "'--limit'"),
    "eval-resume-a-file": Bad(lambda p: ["eval", "--resume", str(p.file)], "--resume"),
    "recommend-without-runs": Bad(lambda p: ["recommend", "--domain", "bfsi_kyc", "--requests-per-day", "10",
                                             "--constraint", "cost", "--deployment", "edge"],
                                  "no run with recorded cases"),
    "migrate-to-nonsense": Bad(lambda p: ["migrate", "--to", "nonsense:"], "--to: unknown store address"),
    "migrate-to-empty-address": Bad(lambda p: ["migrate", "--to", "milvus:"], "--to 'milvus:'"),
    "data-dir-is-a-file": Bad(lambda p: ["run", "bfsi_kyc", "--input", str(p.folder), "--param", AS_OF],
                              "data_dir", env=lambda p: {"RIGHTSIZED_DATA_DIR": str(p.file)}),
}


@pytest.fixture
def place(tmp_path: Path) -> Place:
    return Place(tmp_path, {"RIGHTSIZED_DATA_DIR": str(tmp_path / "data")})


@pytest.mark.parametrize("case", list(BAD.values()), ids=list(BAD))
def test_bad_argument_exits_2_naming_it_without_a_traceback(case: Bad, place: Place) -> None:
    done = _run([str(EXE), *case.args(place)], {**place.env, **case.env(place)}, cap_memory=case.cap_memory)
    assert "Traceback" not in done.stderr, done.stderr
    assert done.returncode == 2, done.stderr
    assert any(case.names in line for line in done.stderr.splitlines()), done.stderr


@pytest.fixture
def locked_data_dir(place: Place) -> Iterator[int]:
    """Another process holding the Milvus Lite directory's lock, as a running `rightsized` would."""
    lock = place.root / "data" / "milvus.db" / "LOCK"
    lock.parent.mkdir(parents=True)
    lock.touch()
    holder = subprocess.Popen([sys.executable, "-c", textwrap.dedent(f"""
        import fcntl, sys, time
        handle = open({str(lock)!r}, "w")
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        print("locked", flush=True)
        time.sleep(300)
    """)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        with lock.open() as probe, pytest.raises(BlockingIOError):
            fcntl.flock(probe, fcntl.LOCK_EX | fcntl.LOCK_NB)  # the lock is really held
        yield holder.pid
    finally:
        holder.kill()
        holder.wait()


def test_a_second_process_on_a_locked_data_dir_is_told_who_holds_it(place: Place, locked_data_dir: int) -> None:
    done = _run([str(EXE), "run", "bfsi_kyc", "--input", str(place.folder), "--param", AS_OF], place.env)
    assert "Traceback" not in done.stderr, done.stderr
    assert done.returncode == 2, done.stderr
    store = place.root / "data" / "milvus.db"
    assert f"another rightsized process is using {store} (pid {locked_data_dir})" in done.stderr


FAULTY_TASKS = textwrap.dedent("""
    import sys
    import rightsized.pipelines.app.catalog as catalog
    from rightsized.pipelines.app.cli import app

    def broken(domain):
        raise ZeroDivisionError("planted fault")

    catalog.describe_domains = broken  # the real command, with one bug planted in its library call
    sys.argv = ["rightsized", "tasks"]
    app()
""")


def test_an_unexpected_exception_is_one_line_and_exit_3(place: Place) -> None:
    done = _run([sys.executable, "-c", FAULTY_TASKS], place.env)
    assert done.returncode == 3, done.stderr
    assert "Traceback" not in done.stderr
    assert done.stderr.strip() == ("internal error: ZeroDivisionError: planted fault; "
                                   "rerun with RIGHTSIZED_DEBUG=1 for the traceback")


def test_rightsized_debug_shows_the_traceback(place: Place) -> None:
    done = _run([sys.executable, "-c", FAULTY_TASKS], {**place.env, "RIGHTSIZED_DEBUG": "1"})
    assert done.returncode == 1
    assert "Traceback" in done.stderr and "ZeroDivisionError: planted fault" in done.stderr


CLOSED_READER = textwrap.dedent("""
    import sys
    import rightsized.pipelines.app.catalog as catalog
    from rightsized.pipelines.app.cli import app

    def reader_gone(domain):
        raise BrokenPipeError(32, "Broken pipe")

    catalog.describe_domains = reader_gone  # what a write to a closed pipe raises mid-command
    sys.argv = ["rightsized", "tasks"]
    app()
""")


def test_a_reader_that_stops_early_is_not_an_internal_error(place: Place) -> None:
    """`rightsized ... | head` stops reading: that is the reader's choice, not a bug to report."""
    done = _run([sys.executable, "-c", CLOSED_READER], place.env)
    assert "internal error" not in done.stderr and "Traceback" not in done.stderr, done.stderr
    assert done.returncode == 1, done.stderr


def test_help_piped_into_head_exits_quietly(place: Place) -> None:
    reader = subprocess.Popen([str(EXE), "serve", "--help"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              env=place.env)
    assert reader.stdout is not None and reader.stderr is not None
    for _ in range(40):  # more lines than a terminal page, fewer than the help has
        reader.stdout.readline()
    reader.stdout.close()
    stderr = reader.stderr.read().decode()
    assert reader.wait(timeout=60) in (0, 1), stderr  # 0 when the help fit in the pipe before it closed
    assert stderr == "", stderr
