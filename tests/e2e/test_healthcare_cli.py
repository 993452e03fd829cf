"""`rightsized run healthcare_notes ...` as a user runs it: real subprocesses, real files, --json."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from rightsized.domains.healthcare_notes.corpus import build_corpus
from tests.healthcare_support import find_leaks, planted

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def rightsized(*args: str, timeout: int = 600) -> subprocess.CompletedProcess[str]:
    exe = Path(sys.executable).with_name("rightsized")
    return subprocess.run([str(exe), *args], capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, "HF_HUB_OFFLINE": "1"})


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("hc_corpus")
    build_corpus(root, n=2, seed=7)  # in process: the CLI's `corpus` command is covered by the KYC e2e tests
    return root


def test_summarize_a_batch_with_a_broken_note_then_ask(corpus: Path, tmp_path: Path) -> None:
    """One unreadable note is named (exit 1) and the others are still summarized; then a question
    the notes do not answer gets exactly "not found in the notes"."""
    patient = corpus / "documents" / "patient_001"
    batch = tmp_path / "notes"
    batch.mkdir()
    for note in patient.iterdir():
        (batch / note.name).write_bytes(note.read_bytes())
    (batch / "broken.pdf").write_bytes(b"%PDF-1.7 truncated")
    summary = rightsized("run", "healthcare_notes", "--input", f"notes={batch}", "--tier", "baseline", "--json",
                         "--set", f"data_dir={tmp_path}")
    assert summary.returncode == 1, summary.stderr
    assert "broken.pdf" in summary.stdout + summary.stderr
    result = json.dumps(json.loads(summary.stdout))
    assert '"task": "summarize"' in result and '"medications"' in result and "chunk_ids" in result
    answer = rightsized("run", "healthcare_notes", "ask", "--input", f"notes={patient}",
                        "--param", "question=What is the patient's blood type?", "--json",
                        "--set", f"data_dir={tmp_path}")
    assert answer.returncode == 0, answer.stderr
    assert '"answer": "not found in the notes"' in answer.stdout
    leaks = find_leaks([summary.stdout, summary.stderr, answer.stdout, answer.stderr], planted(corpus))
    assert leaks == []
