"""`rightsized run hr_resume` as a user runs it: real subprocesses, real PDFs, bad resumes."""
from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from rightsized.domains.registry import get_domain

pytestmark = [pytest.mark.integration, pytest.mark.slow]

AS_OF = "2026-06-01"


def rightsized(*args: str) -> subprocess.CompletedProcess[str]:
    exe = Path(sys.executable).with_name("rightsized")
    return subprocess.run([str(exe), *args], capture_output=True, text=True, timeout=600, env={**os.environ})


def _forty_pages(path: Path) -> None:
    """A real resume followed by 39 pages of publications: long, but a resume."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_font("Helvetica", size=10)
    pdf.add_page()
    for line in ("SKILLS", "Python, Docker", "EXPERIENCE", "Engineer | Acme | Jan 2015 - present",
                 "- Built services in Python and Docker"):
        pdf.cell(0, 6, line, new_x="LMARGIN", new_y="NEXT")
    for page in range(39):
        pdf.add_page()
        pdf.cell(0, 6, "PUBLICATIONS", new_x="LMARGIN", new_y="NEXT")
        for i in range(30):
            pdf.cell(0, 6, f"[{page * 30 + i + 1}] On reliable pipelines, part {i}. Workshop on Systems.",
                     new_x="LMARGIN", new_y="NEXT")
    pdf.output(str(path))
    assert len(__import__("pypdf").PdfReader(io.BytesIO(path.read_bytes())).pages) == 40


def test_rank_a_folder_with_bad_resumes_and_parse_one(tmp_path: Path, make_bad_files) -> None:
    corpus = get_domain("hr_resume").build_corpus(tmp_path / "corpus", n=2, seed=7)
    case = next(c for c in corpus.gold if c.task == "rank")
    folder = tmp_path / "applicants"
    shutil.copytree(corpus.root / case.input["resumes"], folder)
    bad = make_bad_files(tmp_path / "bad")
    for name in ("scanned.pdf", "encrypted.pdf", "empty.txt"):
        shutil.copy(tmp_path / "bad" / name, folder / name)
    _forty_pages(folder / "long_cv.pdf")

    done = rightsized("run", "hr_resume", "rank", "--input", f"job={corpus.root / case.input['job']}",
                      "--input", f"resumes={folder}", "--param", f"as_of={AS_OF}", "--param", "top=20", "--json")
    assert done.returncode == 1, done.stderr  # files failed: the exit code says so
    report = json.loads(done.stdout)
    failed = {Path(e["file"]).name: e["reason"] for e in report["ingest"]["errors"]}
    assert failed.keys() == {"scanned.pdf", "encrypted.pdf", "empty.txt"}
    for name in failed:
        assert bad[name] in failed[name]
    [result] = report["results"]
    ranked = [c["resume"] for c in result["candidates"]]
    relevance = case.expected["relevance"]
    assert len(ranked) == 11 and "long_cv.pdf" in ranked  # every readable resume, the long one too
    assert [relevance[r] for r in ranked[:3]] == [3, 3, 3]
    assert any("long_cv.pdf: 40 pages" in w for w in result["warnings"])
    assert any(w.startswith("not ingested: encrypted.pdf: encrypted PDF") for w in result["warnings"])
    top = result["candidates"][0]
    assert top["redacted"]["name"] >= 1 and all(m["chunk_id"] in result["retrieved"] for m in top["breakdown"])

    parse_file = corpus.root / next(c for c in corpus.gold if c.task == "parse").input["resume"]
    parsed = rightsized("run", "hr_resume", "parse", "--input", str(parse_file), "--param", f"as_of={AS_OF}", "--json")
    assert parsed.returncode == 0, parsed.stderr
    [structured] = json.loads(parsed.stdout)["results"]
    assert structured["parsed"]["skills"] and structured["parsed"]["contact"]["email"].endswith("@example.com")
    # a bad file given to parse: tests/integration/test_hr_pipeline.py (same runner, no extra process)
